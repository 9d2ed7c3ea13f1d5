"""Acquisition: proposed, approved by the committee, then accessioned (or rejected).

Accessioning gives each object that only had a temporary number an accession number from
the museum's pattern (``ACCESSION_NUMBER_PATTERN``), and fills each object's ``acquisition``
(method, date, source) from the procedure, so the object record says how it came.
"""

from __future__ import annotations

import uuid

from catalogue.extensions import db
from catalogue.models import CatalogueObject, CollectionStatus, Procedure
from catalogue.models.base import utcnow
from catalogue.schemas.procedures import AcquisitionProcedureIn
from catalogue.services.errors import Conflict
from catalogue.services.identity import Identity
from catalogue.services.procedures import base


def accession(identity: Identity, procedure: Procedure, args: dict) -> bool:
    doc = procedure.document
    object_ids = doc.get("objects") or []
    if not object_ids:
        raise Conflict(
            f"Acquisition {procedure.number} has no objects to accession; add them first.",
            allowed=["approved", "rejected"],
        )
    for object_id in object_ids:
        obj = db.session.get(CatalogueObject, uuid.UUID(object_id))
        if obj.collection_status in (CollectionStatus.exited, CollectionStatus.deaccessioned):
            raise Conflict(
                f"Object {obj.object_number} left the collection ({obj.collection_status}).",
                object={"id": object_id, "object_number": obj.object_number},
            )
    today = utcnow().date()
    when = doc.get("transfer_date") or doc.get("decision_date") or today.isoformat()
    source = base.agent_ref(doc.get("source"))
    temporary = [
        object_id
        for object_id in object_ids
        if base.is_temporary(db.session.get(CatalogueObject, uuid.UUID(object_id)).object_number)
    ]
    numbers: dict[str, str] = {}
    if temporary:
        seq = base.next_accession_series(today.year)
        for item, object_id in enumerate(temporary, start=1):
            numbers[object_id] = base.accession_number(item, today.year, seq)
    for object_id in object_ids:
        obj = db.session.get(CatalogueObject, uuid.UUID(object_id))
        changes = {
            "acquisition": {
                "method": doc["method"],
                "date": when,
                "source": base.label_text(source["label"]) if source else None,
            }
        }
        if object_id in numbers:
            changes["object_number"] = numbers[object_id]
        base.change_object(
            identity,
            obj.id,
            f"Accessioned with acquisition {procedure.number}",
            changes,
            collection_status=CollectionStatus.in_collection,
        )
    procedure.document = {
        **doc,
        "accession_numbers": [
            {"object": object_id, "object_number": number} for object_id, number in numbers.items()
        ],
    }
    return True


def on_transition(identity: Identity, procedure: Procedure, to: str, args: dict) -> bool:
    if to == "accessioned":
        return accession(identity, procedure, args)
    return False


KIND = base.Kind(
    name="acquisition",
    path="acquisitions",
    schema=AcquisitionProcedureIn,
    initial="proposed",
    transitions={
        "proposed": ("approved", "rejected"),
        "approved": ("accessioned", "rejected"),
        "accessioned": (),
        "rejected": (),
    },
    number_setting="ACQUISITION_NUMBER_PATTERN",
    date_fields=("transfer_date", "decision_date", "offer_date"),
    agent_fields=("source",),
    open_statuses=("proposed", "approved"),
    on_transition=on_transition,
    read_only=("accession_numbers",),
    csv_columns=(
        "method",
        "source",
        "offer_date",
        "decision_date",
        "transfer_date",
        "price",
        "funding",
    ),
)
