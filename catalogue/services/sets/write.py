"""Changing sets: create, replace, merge-patch, delete, and their members.

Every change follows one order: check permission (``access``), load the set locked, check
the ETag, change it, save a version (``history``), commit. Members are added by id, by
object number or as every result of a search; the caller only ever adds, moves, annotates or
removes members they may see, and members hidden from them keep their places.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from marshmallow import ValidationError

from catalogue.extensions import db
from catalogue.models import CatalogueObject, ObjectSet, SetMember
from catalogue.models.base import utcnow
from catalogue.schemas.common import flatten_messages
from catalogue.schemas.sets import MAX_MEMBERS, SetIn
from catalogue.services import uow
from catalogue.services.errors import NotFound, ValidationFailed
from catalogue.services.etag import check_precondition
from catalogue.services.identity import Identity
from catalogue.services.objects.write import merge_patch
from catalogue.services.sets import access, history, read
from catalogue.services.sets.search_members import objects_of_search


def load_input(payload) -> dict:
    """Validate a whole set (a PATCH result, an old version) with the input schema."""
    if not isinstance(payload, dict):
        raise ValidationFailed({"_schema": ["The body must be a JSON object."]})
    try:
        return SetIn().load(payload)
    except ValidationError as error:
        raise ValidationFailed(flatten_messages(error.messages)) from error


def _checked(identity: Identity, set_id: uuid.UUID, if_match) -> ObjectSet:
    object_set = access.load_for_write(identity, set_id)
    check_precondition(read.record(identity, object_set).etag, if_match)
    return object_set


def create(identity: Identity, data: dict) -> ObjectSet:
    """A new set owned by the caller (any signed-in user)."""
    identity.require_authenticated()
    access.check_visibility(identity, None, data["visibility"])
    now = utcnow()
    object_set = ObjectSet(
        id=uuid.uuid4(),
        owner_id=identity.user_id,
        title=data["title"],
        description=data.get("description"),
        visibility=data["visibility"],
        created_at=now,
        updated_at=now,
        created_by=identity.email,
        updated_by=identity.email,
    )
    db.session.add(object_set)
    db.session.flush()
    history.save(identity, object_set, None, now)
    uow.commit()
    return object_set


def _apply(identity: Identity, object_set: ObjectSet, data: dict) -> None:
    access.check_visibility(identity, object_set.visibility, data["visibility"])
    object_set.title = data["title"]
    object_set.description = data.get("description")
    object_set.visibility = data["visibility"]


def _finish(identity: Identity, object_set: ObjectSet, before: dict, note=None) -> ObjectSet:
    """Save a version if anything changed, and commit; otherwise change nothing."""
    if history.save(identity, object_set, before, utcnow(), note):
        uow.commit()
    else:
        db.session.rollback()
    return object_set


def replace(identity: Identity, set_id: uuid.UUID, data: dict, if_match) -> ObjectSet:
    object_set = _checked(identity, set_id, if_match)
    before = history.snapshot(object_set)
    _apply(identity, object_set, data)
    return _finish(identity, object_set, before)


def patch(identity: Identity, set_id: uuid.UUID, changes, if_match) -> ObjectSet:
    object_set = _checked(identity, set_id, if_match)
    if not isinstance(changes, dict):
        raise ValidationFailed({"_schema": ["A merge patch must be a JSON object."]})
    before = history.snapshot(object_set)
    current = {k: before[k] for k in ("title", "description", "visibility") if before[k]}
    _apply(identity, object_set, load_input(merge_patch(current, changes)))
    return _finish(identity, object_set, before)


def delete(identity: Identity, set_id: uuid.UUID, if_match) -> None:
    """Delete a set; its versions stay readable to no one but the record keepers."""
    object_set = _checked(identity, set_id, if_match)
    history.log_deleted(object_set, utcnow())
    db.session.delete(object_set)
    uow.commit()


# ---- members --------------------------------------------------------------------------------


def _visible_objects(identity: Identity, column, values) -> dict:
    """``{value: object id}`` for the objects ``identity`` may see, found by ``column``."""
    found = {}
    values = list(values)
    for start in range(0, len(values), 500):
        chunk = values[start : start + 500]
        for value, object_id in db.session.execute(
            sa.select(column, CatalogueObject.id).where(
                column.in_(chunk), CatalogueObject.status.in_(identity.visible_statuses)
            )
        ):
            found[value] = object_id
    return found


def _wanted(identity: Identity, body: dict) -> list[tuple[uuid.UUID, str | None]]:
    """The objects a members request names, in its order, with their notes; 422 if any is
    not an object the caller may see (told as if it did not exist)."""
    note = body.get("note")
    if "objects" in body:
        found = _visible_objects(identity, CatalogueObject.id, {o["id"] for o in body["objects"]})
        errors = {
            f"objects.{i}.id": [f"No object with id {o['id']}."]
            for i, o in enumerate(body["objects"])
            if o["id"] not in found
        }
        if errors:
            raise ValidationFailed(errors)
        return [(o["id"], o.get("note", note)) for o in body["objects"]]
    if "object_numbers" in body:
        numbers = body["object_numbers"]
        found = _visible_objects(identity, CatalogueObject.object_number, set(numbers))
        errors = {
            f"object_numbers.{i}": [f"No object numbered {number}."]
            for i, number in enumerate(numbers)
            if number not in found
        }
        if errors:
            raise ValidationFailed(errors)
        return [(found[number], note) for number in numbers]
    return [(object_id, note) for object_id in objects_of_search(identity, body, MAX_MEMBERS)]


def add_members(identity: Identity, set_id: uuid.UUID, body: dict, if_match=None) -> ObjectSet:
    """Add objects at the end of the set; those already in it stay where they are."""
    access.check_editable(identity, set_id)
    # Found before the set is locked: a search of thousands of results holds no lock.
    wanted = _wanted(identity, body)
    object_set = access.load_for_write(identity, set_id)
    if if_match is not None:
        check_precondition(read.record(identity, object_set).etag, if_match)
    before = history.snapshot(object_set)
    present = {m.object_id for m in object_set.members}
    position = max((m.position for m in object_set.members), default=-1) + 1
    now = utcnow()
    for object_id, note in wanted:
        if object_id in present:
            continue
        present.add(object_id)
        object_set.members.append(
            SetMember(
                object_id=object_id,
                position=position,
                note=note,
                added_at=now,
                added_by=identity.email,
            )
        )
        position += 1
    if len(present) > MAX_MEMBERS:
        raise ValidationFailed(
            {
                "_schema": [
                    f"A set holds at most {MAX_MEMBERS} objects; this would make it {len(present)}."
                ]
            }
        )
    return _finish(identity, object_set, before)


def _seen_member(identity: Identity, object_set: ObjectSet, object_id: uuid.UUID) -> SetMember:
    member = next((m for m in object_set.members if m.object_id == object_id), None)
    if member is None or not access.seen_object_ids(identity, [object_id]):
        raise NotFound(f"Object {object_id} is not in set {object_set.id}.")
    return member


def remove_member(identity: Identity, set_id: uuid.UUID, object_id: uuid.UUID, if_match):
    object_set = _checked(identity, set_id, if_match)
    before = history.snapshot(object_set)
    object_set.members.remove(_seen_member(identity, object_set, object_id))
    return _finish(identity, object_set, before)


def remove_members(identity: Identity, set_id: uuid.UUID, object_ids) -> ObjectSet:
    """Remove the given objects (those in the set) at once, as one new version."""
    object_set = access.load_for_write(identity, set_id)
    before = history.snapshot(object_set)
    gone = set(object_ids)
    for member in [m for m in object_set.members if m.object_id in gone]:
        object_set.members.remove(member)
    return _finish(identity, object_set, before)


def set_note(identity: Identity, set_id: uuid.UUID, object_id: uuid.UUID, note, if_match):
    object_set = _checked(identity, set_id, if_match)
    before = history.snapshot(object_set)
    _seen_member(identity, object_set, object_id).note = note or None
    return _finish(identity, object_set, before)


def reorder(identity: Identity, set_id: uuid.UUID, objects: list[dict], if_match) -> ObjectSet:
    """Put the members the caller sees in the order given (all of them, each once); members
    hidden from the caller keep their places. An item's ``note``, when given, replaces it."""
    object_set = _checked(identity, set_id, if_match)
    before = history.snapshot(object_set)
    members = list(object_set.members)
    seen = access.seen_object_ids(identity, [m.object_id for m in members])
    visible = {m.object_id: m for m in members if m.object_id in seen}
    given = [o["id"] for o in objects]
    errors = {
        f"objects.{i}.id": ["Not a member of this set, or given twice."]
        for i, object_id in enumerate(given)
        if object_id not in visible or given.index(object_id) != i
    }
    missing = set(visible) - set(given)
    if missing:
        errors["objects"] = [
            "Give every member of the set, in the new order; missing: "
            + ", ".join(sorted(str(m) for m in missing))
        ]
    if errors:
        raise ValidationFailed(errors)
    slots = [i for i, m in enumerate(members) if m.object_id in seen]
    ordered = list(members)
    for slot, item in zip(slots, objects, strict=True):
        member = visible[item["id"]]
        ordered[slot] = member
        if "note" in item:
            member.note = item["note"] or None
    for position, member in enumerate(ordered):
        member.position = position
    return _finish(identity, object_set, before)
