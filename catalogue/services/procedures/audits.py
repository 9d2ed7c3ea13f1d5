"""Inventory audit: check locations against what the catalogue says is there.

Opening an audit takes the objects whose current location is one of its locations as
``expected``. Each object is then recorded as ``found``, ``missing`` or ``found-elsewhere``
(with where), and objects found that were not expected are recorded too. Completing the audit
reports the ``discrepancies`` and, when asked, records a movement of each object found
elsewhere to where it was found.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import CatalogueObject, CollectionStatus, Procedure
from catalogue.models.base import utcnow
from catalogue.schemas.procedures import AuditIn
from catalogue.services.errors import Conflict, ValidationFailed
from catalogue.services.identity import Identity
from catalogue.services.objects import locations as object_locations
from catalogue.services.objects.documents import iso
from catalogue.services.procedures import base

GONE = (CollectionStatus.exited, CollectionStatus.deaccessioned)


def prepare(identity: Identity, procedure: Procedure, data: dict) -> dict:
    stored = base.jsonable(data)
    before = procedure.document.get("locations")
    if before is not None and before != stored["locations"]:
        raise Conflict(
            "The locations of an audit are set when it opens; open another audit for others.",
            field="locations",
        )
    if before is None:
        expected = db.session.execute(
            sa.select(CatalogueObject.id)
            .where(
                CatalogueObject.location_id.in_([uuid.UUID(i) for i in stored["locations"]]),
                CatalogueObject.collection_status.not_in([str(s) for s in GONE]),
            )
            .order_by(CatalogueObject.object_number)
        ).scalars()
        procedure.document = {
            **procedure.document,
            "expected": [str(i) for i in expected],
            "items": [],
        }
    return stored


def record_item(identity: Identity, procedure: Procedure, data: dict) -> None:
    """Record what was seen of one object (again: the later record replaces the earlier)."""
    if procedure.status != "open":
        raise Conflict(
            f"Audit {procedure.number} is {procedure.status}; items are recorded while it is open.",
            allowed=[],
        )
    errors = {}
    if db.session.get(CatalogueObject, data["object"]) is None:
        errors["object.id"] = [f"No object with id {data['object']}."]
    if data.get("location") and base.location_ref(str(data["location"]))["label"] is None:
        errors["location.id"] = [f"No location with id {data['location']}."]
    if errors:
        raise ValidationFailed(errors)
    object_id = str(data["object"])
    doc = procedure.document
    items = [i for i in doc.get("items") or [] if i["object"] != object_id]
    items.append(
        base.jsonable(
            {
                "object": object_id,
                "result": data["result"],
                "location": data.get("location"),
                "note": data.get("note"),
                "expected": object_id in (doc.get("expected") or []),
                "recorded_at": iso(utcnow()),
                "recorded_by": identity.email,
            }
        )
    )
    procedure.document = {**doc, "items": items}


def discrepancies(doc: dict) -> list[dict]:
    recorded = {item["object"]: item for item in doc.get("items") or []}
    expected = doc.get("expected") or []
    found = []
    for object_id in expected:
        item = recorded.get(object_id)
        if item is None:
            found.append({"object": object_id, "issue": "not-recorded"})
        elif item["result"] == "missing":
            found.append({"object": object_id, "issue": "missing"})
        elif item["result"] == "found-elsewhere":
            found.append(
                {"object": object_id, "issue": "found-elsewhere", "location": item["location"]}
            )
    for object_id, item in recorded.items():
        if object_id not in expected and item["result"] != "missing":
            entry = {"object": object_id, "issue": "unexpected"}
            if item.get("location"):
                entry["location"] = item["location"]
            found.append(entry)
    return found


def on_transition(identity: Identity, procedure: Procedure, to: str, args: dict) -> bool:
    if to != "completed":
        return False
    doc = procedure.document
    report = discrepancies(doc)
    moved = False
    if args.get("record_movements"):
        for entry in report:
            if entry["issue"] == "found-elsewhere" or (
                entry["issue"] == "unexpected" and entry.get("location")
            ):
                object_locations.stage_movement(
                    identity,
                    uuid.UUID(entry["object"]),
                    {
                        "to_location": uuid.UUID(entry["location"]),
                        "reason": f"Found there by audit {procedure.number}",
                    },
                )
                entry["movement_recorded"] = True
                moved = True
    procedure.document = {**doc, "discrepancies": report}
    return moved


KIND = base.Kind(
    name="audit",
    path="audits",
    schema=AuditIn,
    initial="open",
    transitions={"open": ("completed",), "completed": ()},
    number_setting="AUDIT_NUMBER_PATTERN",
    location_lists=("locations",),
    prepare=prepare,
    on_transition=on_transition,
    read_only=("expected", "items", "discrepancies"),
    csv_columns=("locations",),
)
