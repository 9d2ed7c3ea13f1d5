"""Versions of an object: list, read, restore (a restore is a new version)."""

from __future__ import annotations

import re
import uuid

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import (
    CatalogueObject,
    ObjectVersion,
)
from catalogue.services.errors import NotFound
from catalogue.services.etag import check_precondition
from catalogue.services.identity import (
    STAFF_ONLY_ACQUISITION_FIELDS,
    STAFF_ONLY_FIELDS,
    SYSTEM,
    Identity,
    view_of,
)
from catalogue.services.objects import read as objects_read
from catalogue.services.objects import write as objects_write
from catalogue.services.objects.documents import iso
from catalogue.services.objects.views import Record, stored
from catalogue.services.pagination import Page, paginate

RESTORE_NOTE = re.compile(r"Restored from version \d+")


def _visible_object(identity: Identity, object_id: uuid.UUID) -> CatalogueObject:
    """The object if the caller may see it; otherwise the same 404/410 as reading it."""
    objects_read.get(identity, object_id)
    return db.session.get(CatalogueObject, object_id)


def _changed_for(identity: Identity, changed: list[str]) -> list[str]:
    if identity.is_staff:
        return changed
    hidden = set(STAFF_ONLY_FIELDS) | {f"acquisition.{f}" for f in STAFF_ONLY_ACQUISITION_FIELDS}
    return [name for name in changed if name not in hidden]


def _note_for(identity: Identity, note: str | None) -> str | None:
    """Notes name the procedures that changed the object (staff data); others read only
    that a version restored another."""
    if identity.is_staff or note is None or RESTORE_NOTE.fullmatch(note):
        return note
    return None


def _version_dict(identity: Identity, version: ObjectVersion, with_record: bool) -> dict:
    data = {
        "number": version.number,
        "created_at": iso(version.created_at),
        "created_by": version.created_by,
        "changed": _changed_for(identity, version.changed),
        "note": _note_for(identity, version.note),
        # Batches are staff-only: others are not told which batch saved a version.
        "batch": str(version.batch_id) if version.batch_id and identity.is_staff else None,
    }
    if with_record:
        data["record"] = view_of(version.record, identity)
    return data


def _versions_seen_by(identity: Identity):
    """Versions saved while the record had a status the caller may see (no draft leaks)."""
    if identity.is_staff:
        return sa.true()
    return ObjectVersion.status.in_(identity.visible_statuses)


def list_versions(identity: Identity, object_id: uuid.UUID, args: dict) -> Page:
    identity.require_authenticated()
    _visible_object(identity, object_id)
    query = (
        sa.select(ObjectVersion)
        .where(ObjectVersion.object_id == object_id, _versions_seen_by(identity))
        .order_by(ObjectVersion.number.desc())
    )
    page = paginate(query, args.get("page", 1), args.get("per_page", 20))
    page.items = [_version_dict(identity, v, with_record=False) for v in page.items]
    return page


def _version(object_id: uuid.UUID, number: int, identity: Identity = SYSTEM) -> ObjectVersion:
    version = db.session.execute(
        sa.select(ObjectVersion).where(
            ObjectVersion.object_id == object_id,
            ObjectVersion.number == number,
            _versions_seen_by(identity),
        )
    ).scalar_one_or_none()
    if version is None:
        raise NotFound(f"Object {object_id} has no version {number}.")
    return version


def get_version(identity: Identity, object_id: uuid.UUID, number: int) -> dict:
    identity.require_authenticated()
    _visible_object(identity, object_id)
    return _version_dict(identity, _version(object_id, number, identity), with_record=True)


def restore(identity: Identity, object_id: uuid.UUID, number: int, if_match) -> Record:
    """Save an earlier version's record as a new version (references must still exist)."""
    obj = objects_write.load_for_write(identity, object_id)
    check_precondition(stored(obj, identity).etag, if_match)
    version = _version(object_id, number)
    data = objects_write.load_input(version.record)
    return objects_write.save(identity, obj, data, note=f"Restored from version {number}")
