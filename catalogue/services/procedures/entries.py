"""Object entry: objects arriving at the museum (a deposit at the door, a loan in, a return).

Objects already catalogued are named by id; objects that are not are created as drafts with
a temporary number (``TEMPORARY_NUMBER_PREFIX`` + the entry's number + their place), which
accessioning later replaces. An object that left the collection (exited or deaccessioned)
comes back only with an entry whose reason is ``return``, which puts it back in the collection.
"""

from __future__ import annotations

import uuid

from flask import current_app

from catalogue.extensions import db
from catalogue.models import CatalogueObject, CollectionStatus, Procedure
from catalogue.schemas.procedures import EntryIn
from catalogue.services.errors import Conflict
from catalogue.services.identity import Identity
from catalogue.services.objects import write as objects_write
from catalogue.services.procedures import base

GONE = (CollectionStatus.exited, CollectionStatus.deaccessioned)


def _temporary_number(procedure: Procedure, position: int) -> str:
    prefix = current_app.config["TEMPORARY_NUMBER_PREFIX"]
    return f"{prefix}{procedure.number}-{position}"


def prepare(identity: Identity, procedure: Procedure, data: dict) -> dict:
    reason = data["reason"]
    before = set(procedure.document.get("objects") or [])
    ids: list[str] = []
    created = False
    for position, item in enumerate(data.get("objects") or [], start=1):
        if item.get("id"):
            obj = db.session.get(CatalogueObject, item["id"])
            if str(obj.id) not in before and obj.collection_status in GONE and reason != "return":
                raise Conflict(
                    f"Object {obj.object_number} left the collection "
                    f"({obj.collection_status}); it can come back only with an entry whose "
                    "reason is 'return'.",
                    object={"id": str(obj.id), "object_number": obj.object_number},
                )
            if reason == "return" and obj.collection_status in (
                CollectionStatus.exited,
                CollectionStatus.on_loan_out,
            ):
                base.change_object(
                    identity,
                    obj.id,
                    f"Returned with entry {procedure.number}",
                    {},
                    collection_status=CollectionStatus.in_collection,
                )
                created = True
            ids.append(str(obj.id))
            continue
        number = _temporary_number(procedure, position)
        while db.session.query(
            db.session.query(CatalogueObject).filter_by(object_number=number).exists()
        ).scalar():
            number += "b"
        obj = objects_write.stage_create(
            identity,
            objects_write.load_input(
                {
                    "object_number": number,
                    "status": "draft",
                    "title": item["title"],
                    "description": item.get("description"),
                }
            ),
            uuid.uuid4(),
        )
        ids.append(str(obj.id))
        created = True
    if created:
        procedure.changed_objects = True
    stored = base.jsonable({k: v for k, v in data.items() if k != "objects"})
    stored["objects"] = ids
    return stored


KIND = base.Kind(
    name="entry",
    path="entries",
    schema=EntryIn,
    initial="open",
    transitions={"open": ("closed",), "closed": ()},
    number_setting="ENTRY_NUMBER_PATTERN",
    date_fields=("entry_date",),
    agent_fields=("depositor", "owner"),
    open_statuses=("open",),
    prepare=prepare,
    csv_columns=("reason", "depositor", "owner", "entry_date", "return_date", "condition"),
)
