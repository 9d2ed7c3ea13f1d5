"""Where an object is and in what state: movements and condition checks (staff only).

The latest movement sets the object's current location, which its staff view shows.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import CatalogueObject, ConditionCheck, Location, Movement
from catalogue.models.base import utcnow
from catalogue.services import uow
from catalogue.services.errors import ValidationFailed
from catalogue.services.identity import Identity
from catalogue.services.objects import read as objects_read
from catalogue.services.objects import rerender
from catalogue.services.objects.documents import iso, ref
from catalogue.services.pagination import Page, paginate


def _staff_object(identity: Identity, object_id: uuid.UUID) -> CatalogueObject:
    """The object for a staff member; others get the 401/404/410 of reading it, then 403."""
    identity.require_authenticated()
    objects_read.get(identity, object_id)
    identity.require_staff()
    return db.session.get(CatalogueObject, object_id)


def _listed(identity: Identity, object_id: uuid.UUID, args: dict, model, when, to_dict) -> Page:
    """A page of an object's records of ``model``, newest first by ``when``."""
    _staff_object(identity, object_id)
    query = (
        sa.select(model)
        .where(model.object_id == object_id)
        .order_by(when.desc(), model.recorded_at.desc())
    )
    page = paginate(query, args.get("page", 1), args.get("per_page", 20))
    page.items = [to_dict(item) for item in page.items]
    return page


def list_movements(identity: Identity, object_id: uuid.UUID, args: dict) -> Page:
    return _listed(identity, object_id, args, Movement, Movement.moved_at, _movement_dict)


def list_condition_checks(identity: Identity, object_id: uuid.UUID, args: dict) -> Page:
    return _listed(
        identity, object_id, args, ConditionCheck, ConditionCheck.checked_at, _check_dict
    )


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


def record_movement(identity: Identity, object_id: uuid.UUID, data: dict) -> dict:
    movement = stage_movement(identity, object_id, data)
    uow.commit()
    return _movement_dict(movement)


def stage_movement(identity: Identity, object_id: uuid.UUID, data: dict) -> Movement:
    """Record a movement in the unit of work without committing (audits record several)."""
    obj = _staff_object(identity, object_id)
    db.session.refresh(obj, with_for_update=True)
    to_location = db.session.get(Location, data["to_location"])
    if to_location is None:
        raise ValidationFailed({"to_location.id": [f"No location with id {data['to_location']}."]})
    now = utcnow()
    moved_at = data.get("moved_at") or now
    if moved_at > now:
        raise ValidationFailed({"moved_at": ["A movement cannot be recorded in the future."]})
    return stage_locked_movement(identity, obj, to_location, moved_at, data.get("reason"), now)


def stage_locked_movement(
    identity: Identity, obj: CatalogueObject, to_location: Location, moved_at, reason, now
) -> Movement:
    """Record a movement of a locked object without committing (batches commit many)."""
    # Movements are in order of date, then of recording: this one comes after those of its
    # date already recorded. It starts where the one before it ended (before the first one,
    # where the object was is unknown), and the one after it now starts where this one ends.
    mine = Movement.object_id == obj.id
    previous = db.session.execute(
        sa.select(Movement.to_location_id)
        .where(mine, Movement.moved_at <= moved_at)
        .order_by(Movement.moved_at.desc(), Movement.recorded_at.desc())
        .limit(1)
    ).scalar_one_or_none()
    following = db.session.execute(
        sa.select(Movement)
        .where(mine, Movement.moved_at > moved_at)
        .order_by(Movement.moved_at, Movement.recorded_at)
        .limit(1)
    ).scalar_one_or_none()
    if following is not None:
        following.from_location_id = to_location.id
    movement = Movement(
        object_id=obj.id,
        from_location_id=previous,
        to_location_id=to_location.id,
        moved_at=moved_at,
        reason=reason,
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
    rerender.keep_updated_at(obj)  # a movement makes no version
    db.session.flush()
    rerender.set_document_field(obj)
    return movement


def _check_dict(check: ConditionCheck) -> dict:
    return {
        "id": str(check.id),
        "checked_at": iso(check.checked_at),
        "condition": str(check.condition),
        "notes": check.notes,
        "checked_by": check.checked_by,
    }


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
