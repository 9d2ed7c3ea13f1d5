"""Creating a batch: its targets resolved and frozen, the preview of every target computed
and kept (``batch_items``), nothing else changed. Starting its run, and its undo.

The preview reads each object's stored document and version; the run changes an object only
if it is still at that version (``run``), so what a curator previewed is what is applied.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import Batch, BatchItem, CatalogueObject, Location, ObjectVersion, SetMember
from catalogue.models.base import utcnow
from catalogue.services import uow
from catalogue.services.background import jobs
from catalogue.services.batches import operations
from catalogue.services.batches.read import load
from catalogue.services.errors import Conflict, ValidationFailed
from catalogue.services.identity import Identity
from catalogue.services.objects.documents import ref
from catalogue.services.sets import access as set_access
from catalogue.services.sets.search_members import objects_of_search

# The most objects one batch changes.
MAX_TARGETS = 20_000
# Objects read at once while previewing.
CHUNK = 500
RUN_TASK = "batches.run"
SET_OPS = ("add-to-set", "remove-from-set")


def _targets(identity: Identity, targets: dict) -> tuple[dict, list[uuid.UUID]]:
    """The frozen description of the targets, and their ids in order (each once)."""
    if "set" in targets:
        object_set = set_access.get_readable(identity, targets["set"]["id"])
        ids = [m.object_id for m in object_set.members]
        frozen = {"set": {"id": str(object_set.id)}}
    elif "ids" in targets:
        ids = list(dict.fromkeys(targets["ids"]))
        found = set()
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            found.update(
                db.session.execute(
                    sa.select(CatalogueObject.id).where(CatalogueObject.id.in_(chunk))
                ).scalars()
            )
        errors = {
            f"targets.ids.{i}": [f"No object with id {object_id}."]
            for i, object_id in enumerate(targets["ids"])
            if object_id not in found
        }
        if errors:
            raise ValidationFailed(errors)
        frozen = {"ids": len(ids)}
    else:
        body = {"query": targets.get("query") or "", "filters": targets.get("filters") or {}}
        ids = objects_of_search(identity, body, MAX_TARGETS)
        frozen = body
    if len(ids) > MAX_TARGETS:
        raise ValidationFailed({"targets": [f"A batch changes at most {MAX_TARGETS} objects."]})
    return frozen, ids


def _rows(ids: list[uuid.UUID]):
    """``(id, number, version, document, location_id)`` of each object, in chunks."""
    columns = (
        CatalogueObject.id,
        CatalogueObject.object_number,
        CatalogueObject.version,
        CatalogueObject.document,
        CatalogueObject.location_id,
    )
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start : start + CHUNK]
        found = {
            row.id: row
            for row in db.session.execute(sa.select(*columns).where(CatalogueObject.id.in_(chunk)))
        }
        yield from ((object_id, found.get(object_id)) for object_id in chunk)


GONE = {"_schema": ["The object no longer exists."]}


def _preview_one(operation: dict, row, members: set) -> dict:
    if row is None:
        return {"outcome": "skip", "reason": GONE}
    op = operation["op"]
    item = {"object_number": row.object_number, "version_before": row.version}
    if op == "move":
        location_id = uuid.UUID(operation["value"]["id"])
        if row.location_id == location_id:
            return {**item, "outcome": "unchanged"}
        after = ref(db.session.get(Location, location_id))
        changes = [{"field": "location", "before": row.document.get("location"), "after": after}]
        return {**item, "outcome": "change", "changes": changes}
    if op in SET_OPS:
        inside = row.id in members
        if inside == (op == "add-to-set"):
            return {**item, "outcome": "unchanged"}
        value = {"id": operation["value"]["id"]}
        change = {"field": "sets", "before": None if not inside else value, "after": None}
        if not inside:
            change["after"] = value
        return {**item, "outcome": "change", "changes": [change]}
    outcome, changes, reason, _ = operations.outcome(operation, row.document)
    return {**item, "outcome": outcome, "changes": changes, "reason": reason}


def _members(operation: dict) -> set:
    if operation["op"] not in SET_OPS:
        return set()
    set_id = uuid.UUID(operation["value"]["id"])
    return set(
        db.session.execute(
            sa.select(SetMember.object_id).where(SetMember.set_id == set_id)
        ).scalars()
    )


def _new_batch(identity: Identity, targets: dict, operation: dict, **extra) -> Batch:
    batch = Batch(
        id=uuid.uuid4(),
        status="preview",
        targets=targets,
        operation=operation,
        counts={},
        created_at=utcnow(),
        created_by=identity.email,
        role=str(identity.role),
        **extra,
    )
    db.session.add(batch)
    db.session.flush()
    return batch


def _store_items(batch: Batch, items: list[dict]) -> None:
    rows = [
        {
            "batch_id": batch.id,
            "position": position,
            "object_id": item["object_id"],
            "object_number": item.get("object_number"),
            "outcome": item["outcome"],
            "changes": item.get("changes"),
            "reason": item.get("reason"),
            "version_before": item.get("version_before"),
            "undo_data": item.get("undo_data"),
        }
        for position, item in enumerate(items)
    ]
    for start in range(0, len(rows), 1000):
        db.session.execute(sa.insert(BatchItem), rows[start : start + 1000])


def create(identity: Identity, body: dict) -> uuid.UUID:
    """A batch in ``preview`` state: every target's outcome, nothing changed."""
    identity.require_staff()
    operation = operations.check(identity, body["operation"])
    frozen, ids = _targets(identity, body["targets"])
    members = _members(operation)
    items = [
        {"object_id": object_id, **_preview_one(operation, row, members)}
        for object_id, row in _rows(ids)
    ]
    batch = _new_batch(identity, frozen, operation)
    _store_items(batch, items)
    batch_id = batch.id
    uow.commit()
    return batch_id


def _start(identity: Identity, batch: Batch) -> None:
    batch.status = "running"
    batch.started_at = utcnow()
    batch.job_id = jobs.defer(
        RUN_TASK,
        created_by=identity.email,
        batch_id=str(batch.id),
        email=identity.email,
        role=str(identity.role),
        user_id=str(identity.user_id) if identity.user_id else None,
    )


def run(identity: Identity, batch_id: uuid.UUID) -> uuid.UUID:
    """Queue the run of a previewed batch (a worker applies it)."""
    batch = load(identity, batch_id, lock=True)  # staff only: a 404 for anyone else
    if batch.status != "preview":
        raise Conflict(f"This batch is {batch.status}; only a batch in preview can be run.")
    _start(identity, batch)
    uow.commit()
    return batch_id


# ---- undo -----------------------------------------------------------------------------------


EDITED = "Changed since the batch (version {now}, the batch wrote {wrote}); not overwritten."


def set_action(operation: dict) -> str | None:
    """What a batch does to a set: ``add-to-set``, ``remove-from-set``, or None."""
    if operation["op"] in SET_OPS:
        return operation["op"]
    return operation.get("set_op")


def _undo_one(original: Batch, item: BatchItem, row) -> dict:
    if row is None:
        return {"outcome": "skip", "reason": GONE}
    op = original.operation["op"]
    base = {"object_number": row.object_number, "version_before": row.version}
    if set_action(original.operation):
        value = {"id": original.operation["value"]["id"]}
        added = set_action(original.operation) == "add-to-set"
        change = {"field": "sets", "before": value if added else None}
        change["after"] = None if added else value
        return {**base, "outcome": "change", "changes": [change]}
    if row.version != item.version_after:
        reason = EDITED.format(now=row.version, wrote=item.version_after)
        return {**base, "outcome": "skip", "reason": {"version": [reason]}}
    if op == "move" or (op == "undo" and original.operation.get("of") == "move"):
        back = (item.undo_data or {}).get("location")
        if row.location_id != uuid.UUID(str((item.undo_data or {}).get("moved_to"))):
            return {**base, "outcome": "skip", "reason": {"location": ["Moved since the batch."]}}
        if back is None:
            reason = {"location": ["Where it was before the batch is not known."]}
            return {**base, "outcome": "skip", "reason": reason}
        after = ref(db.session.get(Location, uuid.UUID(back)))
        changes = [{"field": "location", "before": row.document.get("location"), "after": after}]
        return {**base, "outcome": "change", "changes": changes, "undo_data": {"location": back}}
    restore = item.version_after - 1
    record = db.session.execute(
        sa.select(ObjectVersion.record).where(
            ObjectVersion.object_id == row.id, ObjectVersion.number == restore
        )
    ).scalar_one()
    changes = operations.differences(row.document, record)
    return {**base, "outcome": "change", "changes": changes, "undo_data": {"restore": restore}}


def undo(identity: Identity, batch_id: uuid.UUID) -> uuid.UUID:
    """A new batch that puts back what ``batch_id`` changed, and is run at once."""
    original = load(identity, batch_id, lock=True)  # staff only: a 404 for anyone else
    if original.status != "done":
        raise Conflict(f"This batch is {original.status}; only a batch that ran can be undone.")
    earlier = db.session.execute(
        sa.select(Batch.id).where(Batch.undo_of == original.id)
    ).scalar_one_or_none()
    if earlier is not None:
        raise Conflict(f"This batch was undone already, by batch {earlier}.")
    changed = list(
        db.session.execute(
            sa.select(BatchItem)
            .where(BatchItem.batch_id == original.id, BatchItem.result == "changed")
            .order_by(BatchItem.position)
        ).scalars()
    )
    rows = dict(_rows([item.object_id for item in changed]))
    items = [
        {"object_id": item.object_id, **_undo_one(original, item, rows.get(item.object_id))}
        for item in changed
    ]
    operation = {"op": "undo", "batch": str(original.id), "of": original.operation["op"]}
    if original.operation["op"] == "undo":
        operation["of"] = original.operation.get("of")
    action = set_action(original.operation)
    if action:
        operation["value"] = original.operation["value"]
        operation["set_op"] = SET_OPS[1 - SET_OPS.index(action)]
    batch = _new_batch(
        identity, {"batch": {"id": str(original.id)}}, operation, undo_of=original.id
    )
    _store_items(batch, items)
    _start(identity, batch)
    new_id = batch.id
    uow.commit()
    return new_id
