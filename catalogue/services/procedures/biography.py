"""An object's biography: every procedure it was part of, its movements and condition
checks, oldest first. What a registrar reads first about an object."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import CatalogueObject, ConditionCheck, Movement, Procedure, ProcedureObject
from catalogue.services.errors import NotFound
from catalogue.services.identity import Identity
from catalogue.services.procedures import records


def biography(identity: Identity, object_id: uuid.UUID) -> dict:
    records.require_staff(identity, "object")
    if db.session.get(CatalogueObject, object_id) is None:
        raise NotFound(f"No object with id {object_id}.")
    steps = []
    procedures = db.session.execute(
        sa.select(Procedure)
        .join(ProcedureObject, ProcedureObject.procedure_id == Procedure.id)
        .where(ProcedureObject.object_id == object_id)
    ).scalars()
    for procedure in procedures:
        when = procedure.date or procedure.created_at.date()
        steps.append(
            (
                when.isoformat(),
                procedure.created_at,
                {
                    "kind": procedure.kind.replace("_", "-"),
                    "id": str(procedure.id),
                    "number": procedure.number,
                    "status": procedure.status,
                    "date": when.isoformat(),
                },
            )
        )
    for movement in db.session.execute(
        sa.select(Movement).where(Movement.object_id == object_id)
    ).scalars():
        steps.append(
            (
                movement.moved_at.date().isoformat(),
                movement.moved_at,
                {
                    "kind": "movement",
                    "id": str(movement.id),
                    "number": None,
                    "status": None,
                    "date": movement.moved_at.date().isoformat(),
                },
            )
        )
    for check in db.session.execute(
        sa.select(ConditionCheck).where(ConditionCheck.object_id == object_id)
    ).scalars():
        steps.append(
            (
                check.checked_at.date().isoformat(),
                check.checked_at,
                {
                    "kind": "condition-check",
                    "id": str(check.id),
                    "number": None,
                    "status": str(check.condition),
                    "date": check.checked_at.date().isoformat(),
                },
            )
        )
    steps.sort(key=lambda step: (step[0], step[1]))
    return {"items": [step[2] for step in steps]}
