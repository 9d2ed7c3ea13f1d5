"""Object exit and deaccession: objects leaving the collection, with their approval trail.

An object is in one open exit at most. Completing an exit marks each object ``exited``, or
``deaccessioned`` for a deaccession, which also makes it a draft: it leaves every public and
research channel through the visibility every channel already follows (its feeds say
``unpublished``, OAI-PMH ``deleted``), and stays readable to staff with its history. A
deaccessioned object is never deleted, so its number is never given again.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import CatalogueObject, CollectionStatus, Procedure, ProcedureObject
from catalogue.schemas.procedures import ExitIn
from catalogue.services.errors import Conflict
from catalogue.services.identity import Identity
from catalogue.services.procedures import base

OPEN = ("proposed", "approved")
GONE = (CollectionStatus.exited, CollectionStatus.deaccessioned)


def _check_objects(procedure: Procedure, object_ids: list[str]) -> None:
    for object_id in object_ids:
        obj = db.session.get(CatalogueObject, uuid.UUID(object_id))
        if obj.collection_status in GONE:
            raise Conflict(
                f"Object {obj.object_number} already left the collection "
                f"({obj.collection_status}).",
                object={"id": object_id, "object_number": obj.object_number},
            )
        other = db.session.execute(
            sa.select(Procedure.id, Procedure.number)
            .join(ProcedureObject, ProcedureObject.procedure_id == Procedure.id)
            .where(
                ProcedureObject.object_id == obj.id,
                Procedure.kind == "exit",
                Procedure.status.in_(OPEN),
                Procedure.id != procedure.id,
            )
            .limit(1)
        ).first()
        if other is not None:
            raise Conflict(
                f"Object {obj.object_number} is already in exit {other.number}, which is "
                "still open; an object is in one open exit at most.",
                object={"id": object_id, "object_number": obj.object_number},
                exit={"id": str(other.id), "number": other.number},
            )


def prepare(identity: Identity, procedure: Procedure, data: dict) -> dict:
    stored = base.jsonable(data)
    stored["objects"] = [str(i) for i in data.get("objects") or []]
    if procedure.status in OPEN:
        _check_objects(procedure, stored["objects"])
    return stored


def allowed(identity: Identity, procedure: Procedure) -> tuple[str, ...]:
    if procedure.status == "proposed":
        if procedure.document.get("reason") == "deaccession":
            return ("approved", "cancelled")  # a deaccession completes only once approved
        return ("approved", "completed", "cancelled")
    return {"approved": ("completed", "cancelled")}.get(procedure.status, ())


def on_transition(identity: Identity, procedure: Procedure, to: str, args: dict) -> bool:
    if to != "completed":
        return False
    doc = procedure.document
    object_ids = doc.get("objects") or []
    if not object_ids:
        raise Conflict(
            f"Exit {procedure.number} has no objects; add them first.",
            allowed=list(allowed(identity, procedure)),
        )
    _check_objects(procedure, object_ids)
    deaccession = doc.get("reason") == "deaccession"
    status = CollectionStatus.deaccessioned if deaccession else CollectionStatus.exited
    for object_id in object_ids:
        base.change_object(
            identity,
            uuid.UUID(object_id),
            f"{'Deaccessioned' if deaccession else 'Exited'} with exit {procedure.number}",
            {"status": "draft"} if deaccession else {},
            collection_status=status,
        )
    return True


KIND = base.Kind(
    name="exit",
    path="exits",
    schema=ExitIn,
    initial="proposed",
    transitions={
        "proposed": ("approved", "completed", "cancelled"),
        "approved": ("completed", "cancelled"),
        "completed": (),
        "cancelled": (),
    },
    number_setting="EXIT_NUMBER_PATTERN",
    date_fields=("exit_date",),
    agent_fields=("recipient",),
    open_statuses=OPEN,
    prepare=prepare,
    on_transition=on_transition,
    allowed=allowed,
    csv_columns=("reason", "method", "recipient", "exit_date"),
)
