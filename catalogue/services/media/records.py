"""Media records: read, change, reorder, delete; kept in step with the objects they show.

The database holds one Media row per stored file (``media.files``; uploads in
``media.uploads``). Every change re-renders the object the media belong to, so its record
shows them; a deleted object's media go with it (``drop_with_deleted_object``).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

import sqlalchemy as sa
from flask import current_app

from catalogue.extensions import db
from catalogue.models import CatalogueObject, ChangeEvent, ChangeLogEntry, Media
from catalogue.models.base import utcnow
from catalogue.schemas import rights as rights_list
from catalogue.schemas.media import language_map
from catalogue.schemas.text import text_errors
from catalogue.services import uow
from catalogue.services.errors import (
    NotFound,
    ValidationFailed,
)
from catalogue.services.etag import check_precondition
from catalogue.services.identity import Identity
from catalogue.services.media.files import remove_files, stored_keys
from catalogue.services.objects.documents import iso
from catalogue.services.objects.rerender import set_document_field
from catalogue.services.objects.views import dumps, etag_of_text

EDITABLE = ("caption", "rights", "rights_uri", "public", "primary", "position")


@dataclass
class MediaRecord:
    data: dict
    etag: str


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
        "rights_uri": media.rights_uri,
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


def record(media: Media) -> MediaRecord:
    data = representation(media)
    return MediaRecord(data, etag_of_text(dumps(data)))


def is_image(media: Media) -> bool:
    """Whether the media is shown as an image: an image, or a document by its first page."""
    return bool(media.derivatives)


def visible_object(identity: Identity, object_id: uuid.UUID, lock: bool = False):
    if lock:
        obj = uow.load_for_update(CatalogueObject, object_id)
    else:
        obj = db.session.get(CatalogueObject, object_id)
    if obj is None or not identity.can_see(obj.status):
        raise NotFound(f"No object with id {object_id}.")
    return obj


def load(identity: Identity, media_id: uuid.UUID) -> Media:
    """The media row, or NotFound when it, its object, or (non-staff) its publicity hides it."""
    media = db.session.get(Media, media_id)
    if media is None or (not media.public and not identity.is_staff):
        raise NotFound(f"No media with id {media_id}.")
    status = db.session.execute(
        sa.select(CatalogueObject.status).where(CatalogueObject.id == media.object_id)
    ).scalar_one_or_none()
    if status is None or not identity.can_see(status):
        raise NotFound(f"No media with id {media_id}.")
    return media


def get(identity: Identity, media_id: uuid.UUID) -> MediaRecord:
    return record(load(identity, media_id))


def publicly_cacheable(media: Media) -> bool:
    """Whether shared caches may keep this media's files (public media of a public object)."""
    status = db.session.execute(
        sa.select(CatalogueObject.status).where(CatalogueObject.id == media.object_id)
    ).scalar_one()
    return media.public and status == "public"


# ---- writing ------------------------------------------------------------------------------


def load_for_write(identity: Identity, media_id: uuid.UUID) -> tuple[Media, CatalogueObject]:
    """A media row a curator changes and its object, both locked and read after the locks.

    The object is locked first, as by every write that changes several media of an object
    (uploads, primary, reordering), so two such writes wait for each other, never deadlock.
    """
    identity.require_staff()
    object_id = load(identity, media_id).object_id
    obj = uow.load_for_update(CatalogueObject, object_id)
    media = uow.load_for_update(Media, media_id)
    if obj is None or media is None:
        raise NotFound(f"No media with id {media_id}.")
    return media, obj


def next_position(object_id: uuid.UUID) -> int:
    top = db.session.execute(
        sa.select(sa.func.max(Media.position)).where(Media.object_id == object_id)
    ).scalar()
    return 0 if top is None else top + 1


def sync_object(obj: CatalogueObject) -> None:
    """Keep has_media and the rendered record in step with the object's media."""
    db.session.flush()
    obj.has_media = (
        db.session.execute(sa.select(Media.id).where(Media.object_id == obj.id).limit(1)).first()
        is not None
    )
    set_document_field(obj)


def set_primary(obj_id: uuid.UUID, media: Media) -> None:
    db.session.execute(
        sa.update(Media)
        .where(Media.object_id == obj_id, Media.id != media.id, Media.primary)
        .values(primary=False, version=Media.version + 1)
    )


def patch(identity: Identity, media_id: uuid.UUID, changes, if_match) -> MediaRecord:
    """Change caption, rights, rights_uri, public, primary or position. Needs If-Match."""
    media, obj = load_for_write(identity, media_id)
    check_precondition(record(media).etag, if_match)
    if not isinstance(changes, dict):
        raise ValidationFailed({"_schema": ["A merge patch must be a JSON object."]})
    errors = text_errors({name: changes[name] for name in ("caption", "rights") if name in changes})
    for name in set(changes) - set(EDITABLE) - set(representation(media)):
        errors[name] = ["Unknown field."]
    values: dict = {}
    for name in EDITABLE:
        if name not in changes or any(path.split(".")[0] == name for path in errors):
            continue
        value = changes[name]
        if name in ("public", "primary") and not isinstance(value, bool):
            errors[name] = ["Must be true or false."]
        elif name == "position" and (not isinstance(value, int) or isinstance(value, bool)):
            errors[name] = ["Must be a whole number."]
        elif name == "rights" and value is not None and not isinstance(value, str):
            errors[name] = ["Must be a text or null."]
        elif name == "rights_uri" and value is not None:
            try:
                value = rights_list.canonical(value if isinstance(value, str) else "")
            except ValueError as error:
                errors[name] = [str(error)]
                continue
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
    if values.get("primary"):
        set_primary(obj.id, media)
    sync_object(obj)
    uow.commit()
    return record(media)


def delete(identity: Identity, media_id: uuid.UUID, if_match) -> None:
    """Remove the media row, then (after the commit) its stored files."""
    media, obj = load_for_write(identity, media_id)
    check_precondition(record(media).etag, if_match)
    keys = stored_keys(media)
    db.session.delete(media)
    sync_object(obj)
    uow.after_commit(lambda: remove_files(keys))
    uow.commit()


def drop_with_deleted_object(entry: ChangeLogEntry) -> None:
    """The unit of work's ``on_change`` hook: a deleted object's media go with it."""
    if entry.event == ChangeEvent.deleted:
        remove_with_object(entry.object_id)


def remove_with_object(object_id: uuid.UUID) -> None:
    """Drop an object's media rows; remove their files after the commit."""
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
    return [record(media) for media in rows]


def move(identity: Identity, media_id: uuid.UUID, step: int, if_match) -> MediaRecord:
    """Swap a media with its neighbour before (``step`` -1) or after (+1); the ends stay put.

    Positions are renumbered 1, 2, 3... in one commit, so the order never has ties.
    """
    media, obj = load_for_write(identity, media_id)
    check_precondition(record(media).etag, if_match)
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
        sync_object(obj)
        uow.commit()
    return record(media)
