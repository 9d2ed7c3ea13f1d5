"""What every kind of procedure shares: its description (``Kind``), numbers, references.

A kind (entry, acquisition, audit, exit, and loans to come) is described once by a ``Kind``:
its input schema, statuses and the transitions between them, which fields name agents,
locations and objects, and the work its rules add (``prepare`` on every save,
``on_transition`` when its status changes, ``extra`` for read-only parts of the record).
``records`` and ``transitions`` do the rest the same way for every kind.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import sqlalchemy as sa
from flask import current_app

from catalogue.extensions import db
from catalogue.models import (
    Agent,
    CatalogueObject,
    Location,
    NumberCounter,
    Procedure,
    ProcedureChange,
    ProcedureNumber,
)
from catalogue.models.base import utcnow
from catalogue.services import uow
from catalogue.services.errors import Conflict, NotFound, ValidationFailed
from catalogue.services.identity import Identity
from catalogue.services.objects import write as objects_write


@dataclass(frozen=True)
class Kind:
    name: str  # entry
    path: str  # entries (the API collection)
    schema: type
    initial: str
    transitions: dict[str, tuple[str, ...]]
    number_setting: str
    date_fields: tuple[str, ...] = ()
    agent_fields: tuple[str, ...] = ()
    location_lists: tuple[str, ...] = ()
    # Statuses in which the list of objects may still change.
    open_statuses: tuple[str, ...] = ()
    # (identity, procedure or None, data) -> data to store; may create objects; raises on rules.
    prepare: Callable | None = None
    # (identity, procedure, target status, arguments) -> True when objects were changed.
    on_transition: Callable | None = None
    # (identity, procedure) -> statuses reachable now (default: ``transitions``).
    allowed: Callable | None = None
    # Read-only parts of the stored document shown in the record (audit items...).
    read_only: tuple[str, ...] = ()
    csv_columns: tuple[str, ...] = field(default=())

    def reachable(self, identity: Identity, procedure: Procedure) -> tuple[str, ...]:
        if self.allowed is not None:
            return self.allowed(identity, procedure)
        return self.transitions.get(procedure.status, ())


def jsonable(value):
    """Validated input as stored in a JSON document."""
    if isinstance(value, dict):
        return {k: jsonable(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [jsonable(v) for v in value]
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return f"{value:.2f}"
    return value


def parse_date(value: str | None) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


# ---- numbers ------------------------------------------------------------------------------


def _next_in_series(series: str) -> int:
    counter = uow.load_for_update(NumberCounter, series)
    if counter is None:
        counter = NumberCounter(series=series, last=0)
        db.session.add(counter)
    counter.last += 1
    db.session.flush()
    return counter.last


def number_taken(kind: str, number: str) -> bool:
    return (
        db.session.get(ProcedureNumber, (kind, number)) is not None
        or db.session.execute(
            sa.select(Procedure.id).where(Procedure.kind == kind, Procedure.number == number)
        ).first()
        is not None
    )


def new_number(kind: Kind) -> str:
    """The next number of the kind's pattern that was never given."""
    year = utcnow().year
    pattern = current_app.config[kind.number_setting]
    while True:
        number = pattern.format(year=year, seq=_next_in_series(f"{kind.name}:{year}"))
        if not number_taken(kind.name, number):
            return number


def reserve_number(kind: Kind, number: str, path: str = "number") -> None:
    """Keep ``number`` as the kind's for good, or refuse it when it was ever given."""
    if number_taken(kind.name, number):
        raise Conflict(
            f"The {kind.name} number {number} is used or was used before; numbers are never "
            "reused.",
            field=path,
        )
    db.session.add(ProcedureNumber(kind=kind.name, number=number))


def accession_number(item: int, year: int, seq: int) -> str:
    pattern = current_app.config["ACCESSION_NUMBER_PATTERN"]
    return pattern.format(year=year, seq=seq, item=item)


def next_accession_series(year: int) -> int:
    return _next_in_series(f"accession:{year}")


def is_temporary(object_number: str) -> bool:
    return object_number.startswith(current_app.config["TEMPORARY_NUMBER_PREFIX"])


# ---- references ---------------------------------------------------------------------------


def agent_ref(agent_id: str | None) -> dict | None:
    if not agent_id:
        return None
    agent = db.session.get(Agent, uuid.UUID(agent_id))
    return {"id": agent_id, "label": agent.label if agent else None}


def location_ref(location_id: str | None) -> dict | None:
    if not location_id:
        return None
    location = db.session.get(Location, uuid.UUID(location_id))
    return {"id": location_id, "label": location.label if location else None}


def object_ref(object_id: str) -> dict:
    obj = db.session.get(CatalogueObject, uuid.UUID(object_id))
    if obj is None:
        return {"id": object_id, "object_number": None, "title": None}
    return {
        "id": object_id,
        "object_number": obj.object_number,
        "title": obj.title,
        "status": str(obj.status),
        "collection_status": str(obj.collection_status),
    }


def label_text(label: dict | None) -> str | None:
    """A language map as one text: the default language's, else the first."""
    if not label:
        return None
    default = current_app.config["DEFAULT_LANGUAGE"]
    return label.get(default) or next(iter(label.values()), None)


def check_references(kind: Kind, data: dict) -> None:
    """Every agent, location and object the input names exists (422 naming each that does not)."""
    errors: dict[str, list[str]] = {}
    for name in kind.agent_fields:
        if data.get(name) and db.session.get(Agent, data[name]) is None:
            errors[f"{name}.id"] = [f"No agent with id {data[name]}."]
    for name in kind.location_lists:
        for i, location_id in enumerate(data.get(name) or []):
            if db.session.get(Location, location_id) is None:
                errors[f"{name}.{i}.id"] = [f"No location with id {location_id}."]
        if len(set(data.get(name) or [])) != len(data.get(name) or []):
            errors[name] = ["The same location is listed twice."]
    ids = [i if isinstance(i, uuid.UUID) else i.get("id") for i in data.get("objects") or []]
    for i, object_id in enumerate(ids):
        if object_id is not None and db.session.get(CatalogueObject, object_id) is None:
            errors[f"objects.{i}.id"] = [f"No object with id {object_id}."]
    present = [i for i in ids if i is not None]
    if len(set(present)) != len(present):
        errors["objects"] = ["The same object is listed twice."]
    if errors:
        raise ValidationFailed(errors)


# ---- objects changed by procedures ---------------------------------------------------------


def change_object(
    identity: Identity, object_id: uuid.UUID, note: str, changes: dict, collection_status=None
) -> CatalogueObject:
    """Change an object as a curator's save would (version, change log, every channel
    following), with ``changes`` merged into its record and its collection status set."""
    obj = uow.load_for_update(CatalogueObject, object_id)
    if obj is None:
        raise NotFound(f"No object with id {object_id}.")
    if collection_status is not None:
        obj.collection_status = str(collection_status)
    data = objects_write.load_input(objects_write.merge_patch(obj.document, changes))
    if not objects_write.stage_save(identity, obj, data, note):
        # Only the collection status changed (it is rendered, so this is rare): still saved.
        db.session.flush()
    return obj


def log_change(procedure: Procedure, event: str, identity: Identity) -> None:
    db.session.add(
        ProcedureChange(
            procedure_id=procedure.id,
            kind=procedure.kind,
            number=procedure.number,
            event=event,
            status=procedure.status,
            at=utcnow(),
            by=identity.email,
        )
    )
