"""Writing catalogue objects: create, replace, merge-patch, delete, each as one unit of work.

Every function takes the caller's identity first and follows one order: check permission,
load and validate, change the data, register follow-up work, commit, return. ``stage_*``
functions do the same without committing, for batch writers (the importer) that commit
many records at once with ``commit``.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError

from catalogue.extensions import db
from catalogue.models import (
    CatalogueObject,
    ChangeEvent,
    CollectionStatus,
    ObjectVersion,
    ProcedureObject,
    Status,
    Tombstone,
)
from catalogue.models.base import utcnow
from catalogue.schemas.common import flatten_messages
from catalogue.schemas.objects import ObjectIn
from catalogue.services import uow
from catalogue.services.errors import Conflict, ValidationFailed
from catalogue.services.etag import check_precondition
from catalogue.services.identity import Identity
from catalogue.services.objects import changelog, rerender, views
from catalogue.services.objects.documents import References, apply, changed_fields, iso, render
from catalogue.services.objects.read import missing
from catalogue.services.objects.views import Record, stored


def load_input(payload) -> dict:
    """Validate a whole object (from a PATCH result or an old version) with the input schema."""
    if not isinstance(payload, dict):
        raise ValidationFailed({"_schema": ["The body must be a JSON object."]})
    try:
        return ObjectIn().load(payload)
    except ValidationError as error:
        raise ValidationFailed(flatten_messages(error.messages)) from error


def merge_patch(target, patch):
    """RFC 7396 JSON merge patch."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


# ---- writing ------------------------------------------------------------------------------


def load_for_write(identity: Identity, object_id: uuid.UUID) -> CatalogueObject:
    identity.require_staff()
    obj = uow.load_for_update(CatalogueObject, object_id)
    if obj is None:
        raise missing(object_id, identity)
    return obj


def _check_number_free(object_number: str, own_id: uuid.UUID | None = None) -> None:
    taken = db.session.execute(
        sa.select(CatalogueObject.id).where(CatalogueObject.object_number == object_number)
    ).scalar_one_or_none()
    if taken is not None and taken != own_id:
        raise Conflict(f"Object number {object_number} is already used by object {taken}.")
    tombstone = db.session.execute(
        sa.select(Tombstone.id).where(Tombstone.object_number == object_number)
    ).scalar_one_or_none()
    if tombstone is not None:
        raise Conflict(
            f"Object number {object_number} belonged to object {tombstone}, which was deleted; "
            "a deleted accession number is not reused."
        )


def _save_version(
    obj: CatalogueObject,
    identity: Identity,
    changed: list[str],
    now: datetime,
    note: str | None = None,
    batch_id: uuid.UUID | None = None,
) -> None:
    db.session.add(
        ObjectVersion(
            object_id=obj.id,
            number=obj.version,
            created_at=now,
            created_by=identity.email,
            changed=changed,
            record=obj.document,
            note=note,
            batch_id=batch_id,
        )
    )


def commit() -> None:
    """Commit the unit of work (which answers lost races), turning integrity failures into 409."""
    try:
        uow.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise Conflict("The change conflicts with another record (a duplicate number?).") from error


def create(identity: Identity, data: dict, object_id: uuid.UUID | None = None) -> Record:
    """Create an object; ``object_id`` keeps a known id (demo data, restore)."""
    obj = stage_create(identity, data, object_id)
    commit()
    return stored(obj, identity)


def stage_create(
    identity: Identity, data: dict, object_id: uuid.UUID | None = None, checked: bool = False
) -> CatalogueObject:
    """Add a new object to the unit of work without committing (batch writers commit).

    ``checked``: the caller has already resolved every reference and found the number free
    (the importer does, for whole files); the unique number constraint still holds at commit.
    """
    identity.require_staff()
    if not checked:
        References().check(data)
        _check_number_free(data["object_number"])
    now = utcnow()
    obj = CatalogueObject(
        id=object_id or uuid.uuid4(),
        version=1,
        created_at=now,
        updated_at=now,
        created_by=identity.email,
        updated_by=identity.email,
    )
    apply(obj, data)
    # Rendered before it is added, so the row is written once, document included. Nothing
    # can relate to an object that did not exist, so no other record needs rebuilding.
    views.store(obj, render(obj))
    db.session.add(obj)
    _save_version(obj, identity, changed_fields(None, obj.document), now)
    changelog.log(obj, ChangeEvent.created, None, now)
    return obj


def save(identity: Identity, obj: CatalogueObject, data: dict, note: str | None = None) -> Record:
    """Apply validated input to a loaded object; a new version only if something changed."""
    if not stage_save(identity, obj, data, note):
        db.session.rollback()
        return stored(obj, identity)
    commit()
    return stored(obj, identity)


def stage_save(
    identity: Identity,
    obj: CatalogueObject,
    data: dict,
    note: str | None = None,
    batch_id: uuid.UUID | None = None,
) -> bool:
    """Apply validated input to a loaded object without committing; False if nothing changed.

    ``batch_id``: the batch that makes the change (its version says so).
    When nothing changed the links were rewritten with the same values and no version or
    change-log entry is made; a single-record caller rolls back, a batch simply goes on.
    """
    identity.require_staff()
    if obj.collection_status == CollectionStatus.deaccessioned and data["status"] != Status.draft:
        raise ValidationFailed(
            {
                "status": [
                    "This object was deaccessioned: it stays a draft, seen by staff only, "
                    "and leaves every public and research channel."
                ]
            }
        )
    References().check(data)
    if data["object_number"] != obj.object_number:
        _check_number_free(data["object_number"], obj.id)
    before_doc, before_status = obj.document, obj.status
    apply(obj, data)
    db.session.flush()
    document = render(obj)
    changed = changed_fields(before_doc, document)
    if not changed:
        return False
    now = utcnow()
    obj.version = obj.version + 1
    obj.updated_at = now
    obj.updated_by = identity.email
    views.store(obj, {**document, "version": obj.version, "updated_at": iso(now)})
    _save_version(obj, identity, changed, now, note, batch_id)
    changelog.log(obj, ChangeEvent.updated, before_status, now)
    if {"object_number", "title", "status"} & set(changed):
        rerender.refresh_related(obj)
    return True


def replace(identity: Identity, object_id: uuid.UUID, data: dict, if_match) -> Record:
    obj = load_for_write(identity, object_id)
    check_precondition(stored(obj, identity).etag, if_match)
    return save(identity, obj, data)


def patch(identity: Identity, object_id: uuid.UUID, changes, if_match) -> Record:
    obj = load_for_write(identity, object_id)
    check_precondition(stored(obj, identity).etag, if_match)
    if not isinstance(changes, dict):
        raise ValidationFailed({"_schema": ["A merge patch must be a JSON object."]})
    return save(identity, obj, load_input(merge_patch(obj.document, changes)))


def delete(identity: Identity, object_id: uuid.UUID, if_match) -> None:
    obj = load_for_write(identity, object_id)
    check_precondition(stored(obj, identity).etag, if_match)
    _check_deletable(obj)
    now = utcnow()
    db.session.add(
        Tombstone(
            id=obj.id,
            object_number=obj.object_number,
            deleted_at=now,
            deleted_by=identity.email,
            last_status=obj.status,
            last_version=obj.version,
        )
    )
    changelog.log(obj, ChangeEvent.deleted, obj.status, now)
    dependants = rerender.relating_to(obj.id)
    db.session.delete(obj)
    db.session.flush()
    for other in dependants:
        db.session.refresh(other)
        rerender.rerender(other, now)
    commit()


def _check_deletable(obj: CatalogueObject) -> None:
    """An object a procedure concerns stays: its entry, acquisition or exit must stay true,
    and a deaccessioned object is kept with its number and history."""
    if obj.collection_status == CollectionStatus.deaccessioned:
        raise Conflict(
            f"Object {obj.object_number} was deaccessioned; it is kept with its number and "
            "history, never deleted."
        )
    procedures = db.session.execute(
        sa.select(sa.func.count())
        .select_from(ProcedureObject)
        .where(ProcedureObject.object_id == obj.id)
    ).scalar_one()
    if procedures:
        raise Conflict(
            f"Object {obj.object_number} is part of {procedures} procedure(s) (entries, "
            "acquisitions, audits, exits); it is kept so that they stay true."
        )


# ---- keeping denormalised records true ---------------------------------------------------
