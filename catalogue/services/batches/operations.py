"""A batch's operation: checked once when the batch is created, then applied to each record.

An operation turns an object's stored document (as curators read it) into the document it
would have; ``outcome`` compares the two in the versions' terms (``changed_fields``) and
validates the result as any save would (``ObjectIn``, references), so the preview says what
the run will do, and why a record would be skipped.
"""

from __future__ import annotations

import copy
import uuid

from catalogue.extensions import db
from catalogue.models import Agent, Collection, Location, Place, Status, Term
from catalogue.schemas.objects import REFERENCE_LISTS, ObjectIn
from catalogue.services.errors import Conflict, ValidationFailed
from catalogue.services.identity import Identity
from catalogue.services.objects.documents import References, changed_fields, ref
from catalogue.services.objects.write import load_input
from catalogue.services.sets import access as set_access

# Fields a "set" operation may change: the record's own scalar fields and texts. Lists are
# changed by "add"/"remove" (references) or one record at a time; the location by "move".
LIST_FIELDS = (*REFERENCE_LISTS, "dimensions", "inscriptions", "related_objects")
NOT_SETTABLE = (
    *LIST_FIELDS,
    "location",
    "id",
    "version",
    "created_at",
    "updated_at",
    "links",
    "media",
    "display",
)
SETTABLE = tuple(name for name in ObjectIn().fields if name not in NOT_SETTABLE)
RECORD_OPS = ("set", "add", "remove", "status")
AUTHORITY_OF = {
    "materials": Term,
    "techniques": Term,
    "subjects": Term,
    "associated_places": Place,
    "associated_agents": Agent,
    "collections": Collection,
}
# A minimal valid record, to check a "set" operation's value once, before any target.
PROBE = {"object_number": "probe", "title": {"en": "probe"}}


def _bad(name: str, message: str) -> ValidationFailed:
    return ValidationFailed({f"operation.{name}": [message]})


def _value_id(operation: dict) -> uuid.UUID:
    value = operation.get("value")
    try:
        return uuid.UUID(str(value["id"]))
    except (TypeError, KeyError, ValueError) as error:
        raise _bad("value", 'Give {"id": ...}.') from error


def check(identity: Identity, operation: dict) -> dict:
    """The operation, normalised (ids as text), or 422 saying what is wrong with it."""
    op = operation["op"]
    if op == "set":
        field = operation.get("field") or ""
        top = field.split(".")[0]
        if top not in SETTABLE:
            raise _bad(
                "field",
                f"{field!r} cannot be set by a batch; one of {', '.join(SETTABLE)} "
                "(a text language by language: title.fr); lists change with add/remove, "
                "the location with move.",
            )
        if "value" not in operation:
            raise _bad("value", "Give the value (null removes it).")
        normalised = {"op": op, "field": field, "value": operation["value"]}
        try:
            if operation["value"] is not None:  # removing a value is never of a wrong type
                load_input(set_path(copy.deepcopy(PROBE), field, operation["value"]))
        except ValidationFailed as error:
            mine = {k: v for k, v in error.errors.items() if k.split(".")[0] == top}
            if mine:
                raise ValidationFailed(
                    {f"operation.value ({k})": v for k, v in mine.items()}
                ) from error
        return normalised
    if op in ("add", "remove"):
        field = operation.get("field")
        if field not in REFERENCE_LISTS:
            raise _bad("field", f"One of {', '.join(REFERENCE_LISTS)}.")
        value_id = _value_id(operation)
        try:
            References().check({field: [value_id]})
        except ValidationFailed as error:
            raise _bad("value.id", next(iter(error.errors.values()))[0]) from error
        return {"op": op, "field": field, "value": {"id": str(value_id)}}
    if op == "status":
        if operation.get("value") not in [str(s) for s in Status]:
            raise _bad("value", f"One of {', '.join(str(s) for s in Status)}.")
        return {"op": op, "value": operation["value"]}
    if op == "move":
        location_id = _value_id(operation)
        if db.session.get(Location, location_id) is None:
            raise _bad("value.id", f"No location with id {location_id}.")
        return {"op": op, "value": {"id": str(location_id)}}
    if op in ("add-to-set", "remove-from-set"):
        set_id = _value_id(operation)
        set_access.check_editable(identity, set_id)
        return {"op": op, "value": {"id": str(set_id)}}
    raise _bad("op", "Unknown operation.")


def set_path(document: dict, field: str, value) -> dict:
    """``document`` with ``field`` (dotted: ``title.fr``) set to ``value``; null removes it,
    and a text or group left empty becomes null."""
    names = field.split(".")
    parents = [document]
    for name in names[:-1]:
        child = parents[-1].get(name)
        if not isinstance(child, dict):
            child = {}
            parents[-1][name] = child
        parents.append(child)
    if value is None:
        parents[-1].pop(names[-1], None)
    else:
        parents[-1][names[-1]] = value
    for depth in range(len(names) - 1, 0, -1):
        if not parents[depth] or all(v is None for v in parents[depth].values()):
            parents[depth - 1][names[depth - 1]] = None
    return document


def _shown(value):
    """A value as the document shows it: a reference given as ``{"id"}`` gets its label."""
    if isinstance(value, dict) and set(value) == {"id"}:
        try:
            found = db.session.get(Term, uuid.UUID(str(value["id"])))
        except ValueError:
            return value
        return ref(found) if found else value
    return value


def after(operation: dict, document: dict) -> dict:
    """The document as ``operation`` would leave it (record operations only)."""
    result = copy.deepcopy(document)
    op = operation["op"]
    if op == "set":
        return set_path(result, operation["field"], _shown(copy.deepcopy(operation["value"])))
    if op == "status":
        result["status"] = operation["value"]
        return result
    field, wanted = operation["field"], operation["value"]["id"]
    present = [item for item in result.get(field) or [] if item and item.get("id") != wanted]
    if op == "add":
        model = AUTHORITY_OF[field]
        existing = [item for item in result.get(field) or [] if item.get("id") == wanted]
        present.append(existing[0] if existing else ref(db.session.get(model, uuid.UUID(wanted))))
    result[field] = present
    return result


def _at(document: dict | None, name: str):
    value = document
    for part in name.split("."):
        value = value.get(part) if isinstance(value, dict) else None
    return value


def differences(before: dict, later: dict) -> list[dict]:
    """The changes from ``before`` to ``later``: the fields a version would name as
    ``changed``, each with its value before and after."""
    return [
        {"field": name, "before": _at(before, name), "after": _at(later, name)}
        for name in changed_fields(before, later)
    ]


def outcome(
    operation: dict, document: dict, check_references: bool = True
) -> tuple[str, list | None, dict | None, dict]:
    """``(outcome, changes, reason, input)`` of a record operation on one stored document:
    ``change`` / ``unchanged``, or ``skip`` with the errors a save would answer."""
    later = after(operation, document)
    changes = differences(document, later)
    if not changes:
        return "unchanged", None, None, {}
    try:
        data = load_input(later)
        if check_references:
            References().check(data)
    except ValidationFailed as error:
        return "skip", changes, error.errors, {}
    except Conflict as error:
        return "skip", changes, {"_schema": [error.detail]}, {}
    return "change", changes, None, data
