"""Reading batches back: the batch, its counts, and its items page by page (staff only;
anyone else is told there is no such batch)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import Batch, BatchItem
from catalogue.services.errors import NotFound
from catalogue.services.identity import Identity
from catalogue.services.objects.documents import iso
from catalogue.services.pagination import Page, paginate

RESULTS = ("changed", "unchanged", "skipped", "failed")


def not_found(batch_id) -> NotFound:
    return NotFound(f"No batch with id {batch_id}.")


def load(identity: Identity, batch_id: uuid.UUID, lock: bool = False) -> Batch:
    """The batch for a curator or admin; a 404 for everyone else, as if it did not exist."""
    if not identity.is_staff:
        raise not_found(batch_id)
    batch = db.session.get(Batch, batch_id, with_for_update=lock or None, populate_existing=lock)
    if batch is None:
        raise not_found(batch_id)
    return batch


def counts(batch_id: uuid.UUID) -> dict:
    """``targets``, ``done`` (items the run has dealt with), and each result's count."""
    found = dict(
        db.session.execute(
            sa.select(BatchItem.result, sa.func.count())
            .where(BatchItem.batch_id == batch_id)
            .group_by(BatchItem.result)
        ).all()
    )
    result = {"targets": sum(found.values()), "done": sum(found.get(r, 0) for r in RESULTS)}
    result.update({name: found.get(name, 0) for name in RESULTS})
    return result


def preview_counts(batch_id: uuid.UUID) -> dict:
    return dict(
        db.session.execute(
            sa.select(BatchItem.outcome, sa.func.count())
            .where(BatchItem.batch_id == batch_id)
            .group_by(BatchItem.outcome)
        ).all()
    )


def item_dict(item: BatchItem) -> dict:
    return {
        "id": str(item.object_id),
        "object_number": item.object_number,
        "outcome": item.outcome,
        "changes": item.changes or [],
        "reason": item.reason,
        "result": item.result,
        "result_reason": item.result_reason,
        "version": item.version_after,
    }


def items(identity: Identity, batch_id: uuid.UUID, args: dict) -> Page:
    load(identity, batch_id)
    query = sa.select(BatchItem).where(BatchItem.batch_id == batch_id)
    if args.get("outcome"):
        query = query.where(BatchItem.outcome == args["outcome"])
    if args.get("result"):
        query = query.where(BatchItem.result == args["result"])
    page = paginate(
        query.order_by(BatchItem.position), args.get("page", 1), args.get("per_page", 100)
    )
    page.items = [item_dict(item) for item in page.items]
    return page


def to_dict(batch: Batch, item_page: Page | None = None) -> dict:
    base = f"/api/v1/batches/{batch.id}"
    undone_by = db.session.execute(
        sa.select(Batch.id).where(Batch.undo_of == batch.id)
    ).scalar_one_or_none()
    data = {
        "id": str(batch.id),
        "status": batch.status,
        "operation": batch.operation,
        "targets": batch.targets,
        "counts": {**batch.counts, **counts(batch.id)},
        "preview": preview_counts(batch.id),
        "created_at": iso(batch.created_at),
        "created_by": batch.created_by,
        "started_at": iso(batch.started_at),
        "finished_at": iso(batch.finished_at),
        "error": batch.error,
        "undo_of": str(batch.undo_of) if batch.undo_of else None,
        "undone_by": str(undone_by) if undone_by else None,
        "links": {
            "self": base,
            "items": f"{base}/items",
            "run": f"{base}/run",
            "undo": f"{base}/undo",
            **({"job": f"/api/v1/jobs/{batch.job_id}"} if batch.job_id else {}),
        },
    }
    if item_page is not None:
        data["items"] = item_page.items
        data["items_total"] = item_page.total
        data["items_next"] = f"{base}/items?page=2" if item_page.has_next else None
    return data


def get(identity: Identity, batch_id: uuid.UUID, per_page: int = 100) -> dict:
    batch = load(identity, batch_id)
    return to_dict(batch, items(identity, batch_id, {"per_page": per_page}))


def list_batches(identity: Identity, args: dict) -> Page:
    identity.require_staff()
    query = sa.select(Batch).order_by(Batch.created_at.desc(), Batch.id)
    page = paginate(query, args.get("page", 1), args.get("per_page", 20))
    page.items = [to_dict(batch) for batch in page.items]
    return page
