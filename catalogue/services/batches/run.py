"""Running a batch: the background task ``batches.run``.

Items are applied in order, a chunk at a time, each chunk one unit of work: the objects'
new versions (each naming the batch), their change-log entries (so the search index, feeds
and OAI-PMH follow as for single edits) and the items' results commit together. A job run
again after a killed worker takes up the items without a result, so nothing is applied
twice. An object whose version is not the one previewed was changed by someone else: it is
skipped and reported, never overwritten.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from sqlalchemy.orm import selectinload

from catalogue.extensions import db
from catalogue.models import (
    Agent,
    Batch,
    BatchItem,
    CatalogueObject,
    Collection,
    Location,
    ObjectVersion,
    Place,
    Role,
    Term,
)
from catalogue.models.base import utcnow
from catalogue.services import uow
from catalogue.services.batches import operations
from catalogue.services.batches.create import set_action
from catalogue.services.batches.read import counts
from catalogue.services.errors import Conflict, NotFound, ValidationFailed
from catalogue.services.identity import Identity
from catalogue.services.objects import locations
from catalogue.services.objects import write as objects_write
from catalogue.services.search import follower as index_follower
from catalogue.services.sets import write as sets_write

# The links of an object a save rewrites.
LINKS = ("makers", "terms", "agents", "places", "collections", "relations")
# Items applied per unit of work.
CHUNK = 200
# Batches of this many items are indexed by a second process while they run.
FOLLOW_FROM = 1000
CHANGED_SINCE = (
    "Changed by someone else since the preview (version {now}; the preview read {then}); "
    "not overwritten."
)


def _skip(item: BatchItem, reason: dict) -> None:
    item.result, item.result_reason = "skipped", reason


def _is_move(operation: dict) -> bool:
    return operation["op"] == "move" or operation.get("of") == "move"


def _lock_chunk(items: list[BatchItem]) -> dict:
    """The chunk's objects, locked and read after the lock (as ``uow.load_for_update``
    does one), with their links loaded at once rather than object by object."""
    ids = [item.object_id for item in items if item.outcome == "change"]
    if not ids:
        return {}
    query = (
        sa.select(CatalogueObject)
        .where(CatalogueObject.id.in_(ids))
        .options(*(selectinload(getattr(CatalogueObject, name)) for name in LINKS))
        .with_for_update(of=CatalogueObject)
        .execution_options(populate_existing=True)
    )
    locked = {obj.id: obj for obj in db.session.execute(query).scalars()}
    _load_authorities(locked.values())
    return locked


def _load_authorities(objects) -> None:
    """Read every authority the chunk's records name in one query per kind, so that checking
    and rendering each record finds them in the session."""
    wanted: dict = {Term: set(), Agent: set(), Place: set(), Collection: set()}
    for obj in objects:
        wanted[Term].update(link.term_id for link in obj.terms)
        if obj.object_type_id:
            wanted[Term].add(obj.object_type_id)
        wanted[Agent].update(link.agent_id for link in obj.agents)
        wanted[Agent].update(link.agent_id for link in obj.makers)
        wanted[Place].update(link.place_id for link in obj.places)
        if obj.production_place_id:
            wanted[Place].add(obj.production_place_id)
        wanted[Collection].update(link.collection_id for link in obj.collections)
    for model, ids in wanted.items():
        if ids:
            db.session.execute(sa.select(model).where(model.id.in_(ids))).scalars().all()


def _apply(identity: Identity, batch: Batch, item: BatchItem, locked: dict) -> None:
    """Apply the batch to one previewed item (locked, checked against its version)."""
    obj = locked.get(item.object_id)
    if obj is None:
        return _skip(item, {"_schema": ["The object was deleted since the preview."]})
    if obj.version != item.version_before:
        now, then = obj.version, item.version_before
        return _skip(item, {"version": [CHANGED_SINCE.format(now=now, then=then)]})
    operation = batch.operation
    # The version names its batch in ``batch`` (shown to staff only), not in its note.
    note = None
    if _is_move(operation):
        target = (item.undo_data or {}).get("location") or operation.get("value", {}).get("id")
        location = db.session.get(Location, uuid.UUID(target))
        if location is None:
            return _skip(item, {"location": ["The location no longer exists."]})
        before = str(obj.location_id) if obj.location_id else None
        now = utcnow()
        reason = f"Batch {batch.id}"  # movements are staff-only
        locations.stage_locked_movement(identity, obj, location, now, reason, now)
        item.undo_data = {"location": before, "moved_to": target}
        item.result, item.version_after = "changed", obj.version
        return None
    try:
        if operation["op"] == "undo":
            record = db.session.execute(
                sa.select(ObjectVersion.record).where(
                    ObjectVersion.object_id == obj.id,
                    ObjectVersion.number == item.undo_data["restore"],
                )
            ).scalar_one()
            data = objects_write.load_input(record)
            note = "Undo of a batch"
        else:
            # The references are checked by the save itself (a failure is a skip too).
            outcome, _, reason, data = operations.outcome(
                operation, obj.document, check_references=False
            )
            if outcome == "skip":
                return _skip(item, reason)
            if outcome == "unchanged":
                item.result = "unchanged"
                return None
        changed = objects_write.stage_save(identity, obj, data, note=note, batch_id=batch.id)
    except ValidationFailed as error:
        return _skip(item, error.errors)
    except Conflict as error:
        return _skip(item, {"_schema": [error.detail]})
    item.result = "changed" if changed else "unchanged"
    item.version_after = obj.version if changed else None
    return None


def _settle(item: BatchItem) -> bool:
    """Items the preview found nothing to do for are done at once; True if so."""
    if item.outcome == "change":
        return False
    item.result = "unchanged" if item.outcome == "unchanged" else "skipped"
    item.result_reason = item.reason
    return True


def _pending(batch_id: uuid.UUID, limit: int) -> list[BatchItem]:
    return list(
        db.session.execute(
            sa.select(BatchItem)
            .where(BatchItem.batch_id == batch_id, BatchItem.result.is_(None))
            .order_by(BatchItem.position)
            .limit(limit)
        ).scalars()
    )


def _run_records(identity: Identity, batch_id: uuid.UUID, context) -> None:
    """Apply the items chunk by chunk. As in an import, the search index catches up once at
    the end, and on a large batch a second process follows the log meanwhile."""
    remaining = db.session.execute(
        sa.select(sa.func.count())
        .select_from(BatchItem)
        .where(BatchItem.batch_id == batch_id, BatchItem.result.is_(None))
    ).scalar_one()
    with uow.listeners_held(), index_follower.following(remaining >= FOLLOW_FROM):
        _apply_chunks(identity, batch_id, context)


def _apply_chunks(identity: Identity, batch_id: uuid.UUID, context) -> None:
    while True:
        items = _pending(batch_id, CHUNK)
        if not items:
            return
        batch = db.session.get(Batch, batch_id)
        locked = _lock_chunk(items)
        for item in items:
            if not _settle(item):
                _apply(identity, batch, item, locked)
        db.session.flush()
        uow.commit()
        if context is not None:
            context.progress(counts(batch_id))


def _run_set(identity: Identity, batch_id: uuid.UUID) -> None:
    """Add or remove every target at once: one new version of the set."""
    batch = db.session.get(Batch, batch_id)
    action = set_action(batch.operation)
    set_id = uuid.UUID(batch.operation["value"]["id"])
    items = _pending(batch_id, 10**9)
    wanted = [item for item in items if not _settle(item)]
    existing = set(
        db.session.execute(
            sa.select(CatalogueObject.id).where(
                CatalogueObject.id.in_([item.object_id for item in wanted])
            )
        ).scalars()
    )
    ids = [item.object_id for item in wanted if item.object_id in existing]
    db.session.flush()
    uow.commit()
    try:
        if action == "add-to-set":
            sets_write.add_members(identity, set_id, {"objects": [{"id": i} for i in ids]})
        else:
            sets_write.remove_members(identity, set_id, ids)
    except (NotFound, ValidationFailed) as error:
        db.session.rollback()
        for item in _pending(batch_id, 10**9):
            _skip(item, {"set": [getattr(error, "detail", str(error))]})
        uow.commit()
        return
    for item in _pending(batch_id, 10**9):
        if item.object_id in existing:
            item.result = "changed"
        else:
            _skip(item, {"_schema": ["The object was deleted since the preview."]})
    uow.commit()


def _finish(batch_id: uuid.UUID, status: str, error: str | None = None) -> None:
    db.session.rollback()
    batch = db.session.get(Batch, batch_id, populate_existing=True)
    batch.status, batch.finished_at, batch.error = status, utcnow(), error
    batch.counts = counts(batch_id)
    uow.commit()


def run(context, batch_id: str, email: str, role: str, user_id: str | None = None) -> dict:
    """The task ``batches.run``: apply a batch whose run was asked for."""
    key = uuid.UUID(batch_id)
    batch = db.session.get(Batch, key, populate_existing=True)
    if batch is None or batch.status != "running":
        return {"batch_status": batch.status if batch else None}
    user = uuid.UUID(user_id) if user_id else None
    identity = Identity(user_id=user, email=email, role=Role(role))
    if set_action(batch.operation):
        _run_set(identity, key)
    else:
        _run_records(identity, key, context)
    _finish(key, "done")
    return {"batch_status": "done", "counts": counts(key)}


def run_failed(error: str, batch_id: str, email: str, role: str, user_id=None) -> None:
    """After the run's last failed attempt: the batch is ``failed``, saying why; what was
    applied stays applied (each item says so)."""
    key = uuid.UUID(batch_id)
    db.session.rollback()
    batch = db.session.get(Batch, key, populate_existing=True)
    if batch is not None and batch.status == "running":
        _finish(key, "failed", error[:2000])
