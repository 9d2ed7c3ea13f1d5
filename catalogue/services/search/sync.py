"""Keeping the search index in step with the catalogue through the change log.

The index remembers how far down the change log it has read. With SEARCH_FOLLOW "inline",
after every commit that logged changes the writer applies them (``after_commit``, a hook of
the unit of work); a change committed but not yet indexed (a crash in between, a writer that
lost the lock race) is applied by the next writer or by ``catalogue search sync``. With
"process", the node's follower (``follow``) applies them. Searches never write the index.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterator

import sqlalchemy as sa
from flask import current_app

from catalogue.extensions import db
from catalogue.models import CatalogueObject, ChangeLogEntry
from catalogue.services import readiness
from catalogue.services.search.documents import search_document
from search_index.engine import SearchEngine
from search_index.store import IndexStore, IndexUnavailable, LockTimeout

log = logging.getLogger(__name__)

# How long a request waits for another process to finish writing the index before it
# leaves the work to that process (which catches up from the log) and answers anyway.
REQUEST_LOCK_WAIT = 5.0
BATCH = 500


class CursorAhead(Exception):
    """The index has read further than the change log goes: the database was replaced."""


# ---- the index, per app -----------------------------------------------------------------


def engine(app=None) -> SearchEngine:
    app = app or current_app
    found = app.extensions.get("search")
    if found is None:
        found = SearchEngine(IndexStore(app.config["SEARCH_INDEX_DIR"]))
        app.extensions["search"] = found
    return found


def init_app(app) -> None:
    """Open the index (an empty one where there is none yet) and make /readyz report on it.

    Searches only read it; the writers, ``catalogue search sync`` and ``reindex`` fill it.
    """
    try:
        engine(app).store.ensure()
    except IndexUnavailable as error:
        log.warning("search index: %s", error)  # /readyz says so; searches answer 503
    readiness.add_check(app, "search_index", _ready)


def after_commit() -> None:
    """The unit of work's ``after_commit`` hook: apply what the commit logged."""
    catch_up(REQUEST_LOCK_WAIT)


def _ready() -> None:
    with engine().store.searcher():
        pass


def _last_seq() -> int:
    return db.session.execute(sa.select(sa.func.max(ChangeLogEntry.seq))).scalar() or 0


def _changes(cursor: int) -> tuple[list[dict], list[str], int]:
    """The next batch of changes after ``cursor``, as documents to write and ids to delete."""
    rows = db.session.execute(
        sa.select(ChangeLogEntry.seq, ChangeLogEntry.object_id)
        .where(ChangeLogEntry.seq > cursor)
        .order_by(ChangeLogEntry.seq)
        .limit(BATCH)
    ).all()
    if not rows:
        if cursor > _last_seq():
            raise CursorAhead(f"The index has read up to {cursor}; the log ends before.")
        return [], [], cursor
    ids = list(dict.fromkeys(row.object_id for row in rows))
    found = dict(
        db.session.execute(
            sa.select(CatalogueObject.id, CatalogueObject.document).where(
                CatalogueObject.id.in_(ids)
            )
        ).all()
    )
    upserts = [search_document(found[i]) for i in ids if i in found]
    deletes = [str(i) for i in ids if i not in found]
    return upserts, deletes, rows[-1].seq


def catch_up(wait: float | None = None, idle: Callable[[], bool] | None = None) -> int:
    """Apply every change the index has not seen yet; returns how many documents changed.

    When another process holds the writer lock longer than ``wait`` seconds, gives up
    quietly: that process, or the next caller, applies the rest from the log. ``idle``:
    see ``IndexStore.apply`` (following a bulk write).
    """
    store = engine().store
    try:
        seconds = current_app.config["SEARCH_FOLLOW_COMMIT_SECONDS"]
        return store.apply(_changes, timeout=wait, idle=idle, commit_seconds=seconds)
    except LockTimeout:
        log.warning("search index busy; changes will be applied by the next writer")
        return 0
    except CursorAhead:
        log.warning("search index is ahead of the change log; rebuilding it")
        return reindex()


def sync() -> int:
    """``catalogue search sync``: bring the index up to date with the change log."""
    return catch_up(None)


def _stored_documents() -> Iterator[dict]:
    """Every stored record, streamed. Read as text (the staff view is the document's stored
    text) and decoded here."""
    rows = db.session.execute(
        sa.select(CatalogueObject.staff_json).execution_options(yield_per=BATCH)
    ).scalars()
    loads = json.loads
    for text in rows:
        yield loads(text)


def _all_documents(count: list[int]) -> Iterator[dict]:
    for document in _stored_documents():
        count[0] += 1
        yield search_document(document)


def reindex(procs: int = 1, on_progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the index from the database into a fresh directory and swap it in.

    Searches keep answering from the old index meanwhile; changes committed during the
    build are applied from the change log before the swap. Returns the document count.
    """
    cursor = _last_seq()
    return engine().store.rebuild(_all_documents([0]), cursor, _changes, procs, on_progress)


def object_count() -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(CatalogueObject)).scalar()


def verify() -> dict[str, list[str]]:
    """Objects ``missing`` from the index, ``stale`` in it, and ``extra`` ids it holds."""
    indexed = engine().store.stored()
    expected = {}
    for document in _stored_documents():
        search = search_document(document)
        expected[search["id"]] = search["digest"]
    return {
        "missing": sorted(set(expected) - set(indexed)),
        "stale": sorted(i for i in expected if i in indexed and indexed[i] != expected[i]),
        "extra": sorted(set(indexed) - set(expected)),
    }


# ---- searching ----------------------------------------------------------------------------
