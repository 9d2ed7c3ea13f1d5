"""Versions of a procedure: list, read, restore (a restore is a new version), as for objects.

A restore brings back what people wrote (dates, agents, objects, notes...), never a status:
statuses change only by transitions, and what they did to objects stays done.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import ProcedureVersion
from catalogue.services.errors import NotFound
from catalogue.services.identity import Identity
from catalogue.services.objects.documents import iso
from catalogue.services.objects.views import Record
from catalogue.services.pagination import Page, paginate
from catalogue.services.procedures import records


def _version_dict(version: ProcedureVersion, with_record: bool) -> dict:
    data = {
        "number": version.number,
        "created_at": iso(version.created_at),
        "created_by": version.created_by,
        "changed": version.changed,
        "note": version.note,
    }
    if with_record:
        data["record"] = version.record
    return data


def list_versions(identity: Identity, kind_name: str, procedure_id: uuid.UUID, args: dict) -> Page:
    records.get(identity, kind_name, procedure_id)
    query = (
        sa.select(ProcedureVersion)
        .where(ProcedureVersion.procedure_id == procedure_id)
        .order_by(ProcedureVersion.number.desc())
    )
    page = paginate(query, args.get("page", 1), args.get("per_page", 20))
    page.items = [_version_dict(v, with_record=False) for v in page.items]
    return page


def _version(procedure_id: uuid.UUID, number: int) -> ProcedureVersion:
    version = db.session.execute(
        sa.select(ProcedureVersion).where(
            ProcedureVersion.procedure_id == procedure_id, ProcedureVersion.number == number
        )
    ).scalar_one_or_none()
    if version is None:
        raise NotFound(f"Procedure {procedure_id} has no version {number}.")
    return version


def get_version(identity: Identity, kind_name: str, procedure_id: uuid.UUID, number: int) -> dict:
    records.get(identity, kind_name, procedure_id)
    return _version_dict(_version(procedure_id, number), with_record=True)


def restore(
    identity: Identity, kind_name: str, procedure_id: uuid.UUID, number: int, if_match
) -> Record:
    kind, procedure = records.load_for_write(identity, kind_name, procedure_id, if_match)
    version = _version(procedure_id, number)
    data = records.load_input(kind, version.record)
    return records.save(identity, kind, procedure, data, note=f"Restored from version {number}")
