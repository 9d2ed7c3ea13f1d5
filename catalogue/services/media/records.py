"""Media attached to objects: upload, read, change, delete, deliver, verify.

Files live in the storage named by MEDIA_STORAGE (``media.storage``); the database holds one
Media row per file. Order of an upload: check permission, type, pixels (nothing stored yet),
store original and derivatives, then write the row; a failure at any step removes what was
stored, so a 503 or a database error never leaves a record without a file or a file without a
record (``catalogue media verify`` finds any left by a crash).
"""

from __future__ import annotations

import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

import sqlalchemy as sa
from flask import current_app
from sqlalchemy.exc import OperationalError

from catalogue.extensions import db
from catalogue.models import CatalogueObject, Media
from catalogue.models.base import utcnow
from catalogue.schemas.media import language_map, upload_fields
from catalogue.services import uow
from catalogue.services.errors import (
    NotFound,
    Unavailable,
    UnsupportedMediaType,
    ValidationFailed,
)
from catalogue.services.etag import check_precondition
from catalogue.services.identity import Identity
from catalogue.services.objects.documents import iso
from catalogue.services.objects.views import dumps, etag_of_text
from media import images
from media.storage import MissingFile, Storage, StorageUnavailable, open_storage

EDITABLE = ("caption", "rights", "public", "primary", "position")


@dataclass
class Upload:
    """A received file: where it sits on local disk, its SHA-256 and size, its client name."""

    path: Path
    sha256: str
    size: int
    filename: str | None


@dataclass
class MediaRecord:
    data: dict
    etag: str


def init_app(app) -> None:
    """Open the configured storage and register its readiness check."""
    from catalogue.api.health import add_readiness_check

    app.extensions["media_storage"] = open_storage(
        app.config["MEDIA_STORAGE"], app.config.get("S3_ENDPOINT_URL")
    )
    add_readiness_check(app, "media_storage", lambda: app.extensions["media_storage"].check())


def storage() -> Storage:
    return current_app.extensions["media_storage"]


def original_key(media_id: uuid.UUID) -> str:
    return f"originals/{media_id.hex[:2]}/{media_id}"


def derivative_key(media_id: uuid.UUID, name: str) -> str:
    return f"derivatives/{media_id}/{name}"


def stored_keys(media: Media) -> list[str]:
    files = (media.derivatives or {}).get("files", {})
    return [media.storage_key, *files.values()]


# ---- reading ------------------------------------------------------------------------------


def representation(media: Media) -> dict:
    data = {
        "id": str(media.id),
        "object_id": str(media.object_id),
        "position": media.position,
        "primary": media.primary,
        "public": media.public,
        "caption": media.caption,
        "rights": media.rights,
        "original_filename": media.original_filename,
        "content_type": media.content_type,
        "size": media.size,
        "sha256": media.sha256,
        "width": media.width,
        "height": media.height,
        "embedded": media.embedded or {},
        "created_at": iso(media.created_at),
        "updated_at": iso(media.updated_at),
        "links": {
            "self": f"/api/v1/media/{media.id}",
            "object": f"/api/v1/objects/{media.object_id}",
            "content": f"/api/v1/media/{media.id}/content",
        },
    }
    if is_image(media):
        data["links"].update(
            thumbnail=f"/api/v1/media/{media.id}/thumbnail",
            preview=f"/api/v1/media/{media.id}/preview",
            iiif=f"/iiif/3/{media.id}/info.json",
        )
    return data


def _record(media: Media) -> MediaRecord:
    data = representation(media)
    return MediaRecord(data, etag_of_text(dumps(data)))


def is_image(media: Media) -> bool:
    """Whether the media is shown as an image: an image, or a document by its first page."""
    return bool(media.derivatives)


def make_derivatives(content_type: str, path: Path, workdir: Path) -> images.Processed | None:
    """Derivatives of an image (BadImage if it cannot be decoded), or of a document's first
    page (None if it cannot be rendered); None for other files."""
    if content_type in images.IMAGE_TYPES:
        return images.process(path, workdir, current_app.config["MEDIA_MAX_PIXELS"])
    if content_type in images.DOCUMENT_TYPES:
        return images.process_document(path, workdir)
    return None


def visible_object(identity: Identity, object_id: uuid.UUID, lock: bool = False):
    obj = db.session.get(CatalogueObject, object_id, with_for_update=lock or None)
    if obj is None or not identity.can_see(obj.status):
        raise NotFound(f"No object with id {object_id}.")
    return obj


def load(identity: Identity, media_id: uuid.UUID, lock: bool = False) -> Media:
    """The media row, or NotFound when it, its object, or (non-staff) its publicity hides it."""
    media = db.session.get(Media, media_id, with_for_update=lock or None)
    if media is None or (not media.public and not identity.is_staff):
        raise NotFound(f"No media with id {media_id}.")
    status = db.session.execute(
        sa.select(CatalogueObject.status).where(CatalogueObject.id == media.object_id)
    ).scalar_one_or_none()
    if status is None or not identity.can_see(status):
        raise NotFound(f"No media with id {media_id}.")
    return media


def get(identity: Identity, media_id: uuid.UUID) -> MediaRecord:
    return _record(load(identity, media_id))


def publicly_cacheable(media: Media) -> bool:
    """Whether shared caches may keep this media's files (public media of a public object)."""
    status = db.session.execute(
        sa.select(CatalogueObject.status).where(CatalogueObject.id == media.object_id)
    ).scalar_one()
    return media.public and status == "public"


# ---- writing ------------------------------------------------------------------------------


def _sniff(path: Path) -> str:
    with open(path, "rb") as handle:
        content_type = images.sniff(handle.read(16))
    if content_type is None:
        raise UnsupportedMediaType(
            "The file is not a JPEG, PNG, TIFF, WebP or PDF (judged by its content, not its name)."
        )
    return content_type


def _store(files: dict[str, tuple[Path, str]]) -> None:
    """Store each file; on failure remove those already stored and answer 503."""
    done: list[str] = []
    try:
        for key, (path, content_type) in files.items():
            storage().put_file(key, path, content_type)
            done.append(key)
    except StorageUnavailable as error:
        current_app.logger.error("media storage unavailable: %s", error)
        remove_files(done)
        raise Unavailable(
            "Media storage is unavailable; nothing was saved. Try again later."
        ) from error


def remove_files(keys: list[str]) -> None:
    """Remove stored files, logging (not raising) failures: ``media verify`` sweeps leftovers."""
    for key in keys:
        try:
            storage().delete(key)
        except (StorageUnavailable, MissingFile) as error:
            current_app.logger.warning("could not remove stored file %s: %s", key, error)


def _next_position(object_id: uuid.UUID) -> int:
    top = db.session.execute(
        sa.select(sa.func.max(Media.position)).where(Media.object_id == object_id)
    ).scalar()
    return 0 if top is None else top + 1


def _sync_object(obj: CatalogueObject) -> None:
    """Keep has_media and the rendered record in step with the object's media."""
    from catalogue.services.objects.records import set_document_field

    db.session.flush()
    obj.has_media = (
        db.session.execute(sa.select(Media.id).where(Media.object_id == obj.id).limit(1)).first()
        is not None
    )
    set_document_field(obj)


def _set_primary(obj_id: uuid.UUID, media: Media) -> None:
    db.session.execute(
        sa.update(Media)
        .where(Media.object_id == obj_id, Media.id != media.id)
        .values(primary=False)
    )


def check_upload(identity: Identity, object_id: uuid.UUID) -> None:
    """Refuse early (before the body is read) callers who may not add media to this object."""
    identity.require_staff()
    visible_object(identity, object_id)


def upload(identity: Identity, object_id: uuid.UUID, received: Upload, form) -> MediaRecord:
    """Add a file to an object: 415 for unknown types, 422 for bad images, 503 if storage fails."""
    identity.require_staff()
    visible_object(identity, object_id)
    fields = upload_fields(form, current_app.config["DEFAULT_LANGUAGE"])
    content_type = _sniff(received.path)
    media_id = uuid.uuid4()
    with tempfile.TemporaryDirectory(prefix="media-") as workdir:
        try:
            processed = make_derivatives(content_type, received.path, Path(workdir))
        except images.BadImage as error:
            raise ValidationFailed({"file": [str(error)]}, str(error)) from error
        files = {original_key(media_id): (received.path, content_type)}
        derivatives = None
        if processed:
            names = {name: derivative_key(media_id, name) for name in processed.files}
            files.update({names[n]: processed.files[n] for n in names})
            derivatives = {"files": names, "levels": processed.levels}
        _store(files)
    try:
        obj = visible_object(identity, object_id, lock=True)
        now = utcnow()
        first = not obj.has_media
        media = Media(
            id=media_id,
            object_id=obj.id,
            position=_next_position(obj.id),
            primary=fields.get("primary", first),
            public=fields.get("public", True),
            caption=fields.get("caption"),
            rights=fields.get("rights"),
            storage_key=original_key(media_id),
            original_filename=(received.filename or "")[-500:] or None,
            content_type=content_type,
            size=received.size,
            sha256=received.sha256,
            width=processed.width if processed else None,
            height=processed.height if processed else None,
            embedded=processed.embedded if processed else None,
            derivatives=derivatives,
            created_at=now,
            updated_at=now,
            created_by=identity.email,
        )
        db.session.add(media)
        db.session.flush()
        if media.primary:
            _set_primary(obj.id, media)
        _sync_object(obj)
        uow.commit()
    except OperationalError as error:
        db.session.rollback()
        remove_files(list(files))
        current_app.logger.error("database failed after storing media %s: %s", media_id, error)
        raise Unavailable("The database is unavailable; nothing was saved. Try again.") from error
    except BaseException:
        db.session.rollback()
        remove_files(list(files))
        raise
    return _record(media)


def patch(identity: Identity, media_id: uuid.UUID, changes, if_match) -> MediaRecord:
    """Change caption, rights, public, primary or position. Needs If-Match."""
    identity.require_staff()
    media = load(identity, media_id, lock=True)
    check_precondition(_record(media).etag, if_match)
    if not isinstance(changes, dict):
        raise ValidationFailed({"_schema": ["A merge patch must be a JSON object."]})
    errors: dict[str, list[str]] = {}
    for name in set(changes) - set(EDITABLE) - set(representation(media)):
        errors[name] = ["Unknown field."]
    values: dict = {}
    for name in EDITABLE:
        if name not in changes:
            continue
        value = changes[name]
        if name in ("public", "primary") and not isinstance(value, bool):
            errors[name] = ["Must be true or false."]
        elif name == "position" and (not isinstance(value, int) or isinstance(value, bool)):
            errors[name] = ["Must be a whole number."]
        elif name == "rights" and value is not None and not isinstance(value, str):
            errors[name] = ["Must be a text or null."]
        elif name == "caption":
            try:
                values[name] = language_map(value, current_app.config["DEFAULT_LANGUAGE"])
            except ValueError as error:
                errors[name] = [str(error)]
            continue
        values[name] = value
    if errors:
        raise ValidationFailed(errors)
    for name, value in values.items():
        setattr(media, name, value)
    media.updated_at = utcnow()
    obj = db.session.get(CatalogueObject, media.object_id, with_for_update=True)
    if values.get("primary"):
        _set_primary(obj.id, media)
    _sync_object(obj)
    uow.commit()
    return _record(media)


def delete(identity: Identity, media_id: uuid.UUID, if_match) -> None:
    """Remove the media row, then (after the commit) its stored files."""
    identity.require_staff()
    media = load(identity, media_id, lock=True)
    check_precondition(_record(media).etag, if_match)
    keys = stored_keys(media)
    obj = db.session.get(CatalogueObject, media.object_id, with_for_update=True)
    db.session.delete(media)
    _sync_object(obj)
    uow.after_commit(lambda: remove_files(keys))
    uow.commit()


def remove_with_object(object_id: uuid.UUID) -> None:
    """Part of deleting an object: drop its media rows, remove their files after the commit."""
    rows = db.session.execute(sa.select(Media).where(Media.object_id == object_id)).scalars()
    keys = [key for media in rows for key in stored_keys(media)]
    db.session.execute(sa.delete(Media).where(Media.object_id == object_id))
    if keys:
        uow.after_commit(lambda: remove_files(keys))


def list_for_object(identity: Identity, object_id: uuid.UUID) -> list[MediaRecord]:
    """Every media of an object a curator may change, in display order, each with its ETag."""
    identity.require_staff()
    obj = visible_object(identity, object_id)
    rows = db.session.execute(
        sa.select(Media).where(Media.object_id == obj.id).order_by(Media.position, Media.created_at)
    ).scalars()
    return [_record(media) for media in rows]


def move(identity: Identity, media_id: uuid.UUID, step: int, if_match) -> MediaRecord:
    """Swap a media with its neighbour before (``step`` -1) or after (+1); the ends stay put.

    Positions are renumbered 1, 2, 3... in one commit, so the order never has ties.
    """
    identity.require_staff()
    media = load(identity, media_id, lock=True)
    check_precondition(_record(media).etag, if_match)
    obj = db.session.get(CatalogueObject, media.object_id, with_for_update=True)
    ordered = list(
        db.session.execute(
            sa.select(Media)
            .where(Media.object_id == obj.id)
            .order_by(Media.position, Media.created_at)
        ).scalars()
    )
    here = ordered.index(media)
    there = here + (1 if step > 0 else -1)
    if 0 <= there < len(ordered):
        ordered[here], ordered[there] = ordered[there], ordered[here]
        now = utcnow()
        for position, item in enumerate(ordered, 1):
            if item.position != position:
                item.position, item.updated_at = position, now
        _sync_object(obj)
        uow.commit()
    return _record(media)
