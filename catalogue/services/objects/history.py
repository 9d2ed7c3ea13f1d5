"""Versions of an object: list, read, restore; movements and condition checks."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import (
    CatalogueObject,
    ConditionCheck,
    Location,
    Movement,
    ObjectVersion,
)
from catalogue.models.base import utcnow
from catalogue.services import uow
from catalogue.services.errors import NotFound, ValidationFailed
from catalogue.services.etag import check_precondition
from catalogue.services.identity import (
    STAFF_ONLY_ACQUISITION_FIELDS,
    STAFF_ONLY_FIELDS,
    SYSTEM,
    Identity,
    view_of,
)
from catalogue.services.objects import read as objects_read
from catalogue.services.objects import rerender
from catalogue.services.objects import write as objects_write
from catalogue.services.objects.documents import iso, ref
from catalogue.services.objects.views import Record, stored
from catalogue.services.pagination import Page, paginate


def _visible_object(identity: Identity, object_id: uuid.UUID) -> CatalogueObject:
    """The object if the caller may see it; otherwise the same 404/410 as reading it."""
    objects_read.get(identity, object_id)
    return db.session.get(CatalogueObject, object_id)


def _changed_for(identity: Identity, changed: list[str]) -> list[str]:
    if identity.is_staff:
        return changed
    hidden = set(STAFF_ONLY_FIELDS) | {f"acquisition.{f}" for f in STAFF_ONLY_ACQUISITION_FIELDS}
    return [name for name in changed if name not in hidden]


def _version_dict(identity: Identity, version: ObjectVersion, with_record: bool) -> dict:
    data = {
        "number": version.number,
        "created_at": iso(version.created_at),
        "created_by": version.created_by,
        "changed": _changed_for(identity, version.changed),
        "note": version.note,
    }
    if with_record:
        data["record"] = view_of(version.record, identity)
    return data


def _versions_seen_by(identity: Identity):
    """Versions saved while the record had a status the caller may see (no draft leaks)."""
    if identity.is_staff:
        return sa.true()
    statuses = [str(status) for status in identity.visible_statuses]
    return ObjectVersion.record["status"].as_string().in_(statuses)


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


# ---- movements and condition checks (staff only) ------------------------------------------


def _movement_dict(movement: Movement) -> dict:
    return {
        "id": str(movement.id),
        "from_location": ref(db.session.get(Location, movement.from_location_id))
        if movement.from_location_id
        else None,
        "to_location": ref(db.session.get(Location, movement.to_location_id)),
        "moved_at": iso(movement.moved_at),
        "reason": movement.reason,
        "moved_by": movement.moved_by,
    }


def _staff_object(identity: Identity, object_id: uuid.UUID) -> CatalogueObject:
    identity.require_authenticated()
    obj = _visible_object(identity, object_id)
    identity.require_staff()
    return obj


def list_movements(identity: Identity, object_id: uuid.UUID, args: dict) -> Page:
    _staff_object(identity, object_id)
    query = (
        sa.select(Movement)
        .where(Movement.object_id == object_id)
        .order_by(Movement.moved_at.desc(), Movement.recorded_at.desc())
    )
    page = paginate(query, args.get("page", 1), args.get("per_page", 20))
    page.items = [_movement_dict(m) for m in page.items]
    return page


def record_movement(identity: Identity, object_id: uuid.UUID, data: dict) -> dict:
    obj = _staff_object(identity, object_id)
    db.session.refresh(obj, with_for_update=True)
    to_location = db.session.get(Location, data["to_location"])
    if to_location is None:
        raise ValidationFailed({"to_location.id": [f"No location with id {data['to_location']}."]})
    now = utcnow()
    moved_at = data.get("moved_at") or now
    if moved_at > now:
        raise ValidationFailed({"moved_at": ["A movement cannot be recorded in the future."]})
    previous = db.session.execute(
        sa.select(Movement)
        .where(Movement.object_id == obj.id, Movement.moved_at <= moved_at)
        .order_by(Movement.moved_at.desc(), Movement.recorded_at.desc())
        .limit(1)
    ).scalar_one_or_none()
    movement = Movement(
        object_id=obj.id,
        from_location_id=previous.to_location_id if previous else obj.location_id,
        to_location_id=to_location.id,
        moved_at=moved_at,
        reason=data.get("reason"),
        moved_by=identity.email,
        recorded_at=now,
    )
    db.session.add(movement)
    db.session.flush()
    latest = db.session.execute(
        sa.select(Movement.to_location_id)
        .where(Movement.object_id == obj.id)
        .order_by(Movement.moved_at.desc(), Movement.recorded_at.desc())
        .limit(1)
    ).scalar_one()
    obj.location_id = latest
    db.session.flush()
    rerender.set_document_field(obj)
    uow.commit()
    return _movement_dict(movement)


def _check_dict(check: ConditionCheck) -> dict:
    return {
        "id": str(check.id),
        "checked_at": iso(check.checked_at),
        "condition": str(check.condition),
        "notes": check.notes,
        "checked_by": check.checked_by,
    }


def list_condition_checks(identity: Identity, object_id: uuid.UUID, args: dict) -> Page:
    _staff_object(identity, object_id)
    query = (
        sa.select(ConditionCheck)
        .where(ConditionCheck.object_id == object_id)
        .order_by(ConditionCheck.checked_at.desc(), ConditionCheck.recorded_at.desc())
    )
    page = paginate(query, args.get("page", 1), args.get("per_page", 20))
    page.items = [_check_dict(c) for c in page.items]
    return page


def record_condition_check(identity: Identity, object_id: uuid.UUID, data: dict) -> dict:
    obj = _staff_object(identity, object_id)
    now = utcnow()
    checked_at = data.get("checked_at") or now
    if checked_at > now:
        raise ValidationFailed({"checked_at": ["A condition check cannot be in the future."]})
    check = ConditionCheck(
        object_id=obj.id,
        checked_at=checked_at,
        condition=data["condition"],
        notes=data.get("notes"),
        checked_by=identity.email,
        recorded_at=now,
    )
    db.session.add(check)
    uow.commit()
    return _check_dict(check)
