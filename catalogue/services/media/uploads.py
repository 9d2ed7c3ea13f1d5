"""Uploading a file to an object.

Order of an upload: check permission, type, pixels (nothing stored yet), store original and
derivatives, then write the row; a failure at any step removes what was stored, so a 503 or
a database error never leaves a record without a file or a file without a record
(``catalogue media verify`` finds any left by a crash).
"""

from __future__ import annotations

import tempfile
import uuid
from dataclasses import dataclass
from pathlib import Path

from flask import current_app
from marshmallow import ValidationError
from sqlalchemy.exc import OperationalError

from catalogue.extensions import db
from catalogue.models import Media
from catalogue.models.base import utcnow
from catalogue.schemas.media import filename_problem, upload_fields
from catalogue.schemas.text import cleaned_value
from catalogue.services import uow
from catalogue.services.errors import Unavailable, ValidationFailed
from catalogue.services.identity import Identity
from catalogue.services.media.files import (
    derivative_key,
    make_derivatives,
    original_key,
    remove_files,
    sniff,
    store_files,
)
from catalogue.services.media.records import (
    MediaRecord,
    next_position,
    record,
    set_primary,
    sync_object,
    visible_object,
)
from media import images


@dataclass
class Upload:
    """A received file: where it sits on local disk, its SHA-256 and size, its client name."""

    path: Path
    sha256: str
    size: int
    filename: str | None


def check_upload(identity: Identity, object_id: uuid.UUID) -> None:
    """Refuse early (before the body is read) callers who may not add media to this object."""
    identity.require_staff()
    visible_object(identity, object_id)


def upload(identity: Identity, object_id: uuid.UUID, received: Upload, form) -> MediaRecord:
    """Add a file to an object: 415 for unknown types, 422 for bad images, 503 if storage fails."""
    identity.require_staff()
    visible_object(identity, object_id)
    try:
        fields = upload_fields(form, current_app.config["DEFAULT_LANGUAGE"])
    except ValidationError as error:
        raise ValidationFailed(error.messages) from error
    problem = filename_problem(received.filename)
    if problem:
        raise ValidationFailed({"file": [problem]})
    content_type = sniff(received.path)
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
        store_files(files)
    try:
        obj = visible_object(identity, object_id, lock=True)
        now = utcnow()
        first = not obj.has_media
        media = Media(
            id=media_id,
            object_id=obj.id,
            position=next_position(obj.id),
            primary=fields.get("primary", first),
            public=fields.get("public", True),
            caption=fields.get("caption"),
            rights=fields.get("rights"),
            rights_uri=fields.get("rights_uri"),
            storage_key=original_key(media_id),
            original_filename=(received.filename or "")[-500:] or None,
            content_type=content_type,
            size=received.size,
            sha256=received.sha256,
            width=processed.width if processed else None,
            height=processed.height if processed else None,
            # Read from the file, not typed: kept, with what the catalogue refuses replaced.
            embedded=cleaned_value(processed.embedded) if processed else None,
            derivatives=derivatives,
            created_at=now,
            updated_at=now,
            created_by=identity.email,
        )
        db.session.add(media)
        db.session.flush()
        if media.primary:
            set_primary(obj.id, media)
        sync_object(obj)
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
    return record(media)
