"""The unit of work: one commit per request or command, with work that runs after it.

Services change data and register two kinds of follow-up on the session:

- change-log entries (``log_change``), appended at commit time under a lock so that the
  log's ``seq`` follows commit order even when PostgreSQL transactions overlap;
- callbacks (``after_commit``), run only once the data is durable: index updates, removal
  of stored files. A rollback drops both.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from flask import current_app, has_app_context
from sqlalchemy import event, text
from sqlalchemy.orm import Session

from catalogue.extensions import db
from catalogue.models import ChangeLogEntry
from catalogue.models.base import utcnow

log = logging.getLogger(__name__)

# Key of the PostgreSQL advisory lock that serialises appends to the change log.
CHANGE_LOG_LOCK = 7_301_944


def log_change(entry: ChangeLogEntry) -> None:
    db.session.info.setdefault("change_log", []).append(entry)


def after_commit(callback: Callable[[], None]) -> None:
    db.session.info.setdefault("after_commit", []).append(callback)


def add_change_listener(app, listener: Callable[[], None]) -> None:
    """Call ``listener()`` after every commit that appended to the change log.

    Listeners follow the log from their own cursor (the search index does), so one that
    fails or misses a call catches up on the next one.
    """
    app.extensions.setdefault("change_listeners", []).append(listener)


@contextmanager
def listeners_held() -> Iterator[None]:
    """Run the change listeners once, on leaving the block, instead of after every commit.

    For bulk work committed in many batches (an import): the search index then catches up
    in one pass over the change log. It runs however the block ends, an interruption too, so
    the batches committed before it are in the index when the command stops.
    """
    session = db.session()
    outer = session.info.get("listeners_held")
    session.info["listeners_held"] = True
    try:
        yield
    finally:
        if not outer:
            session.info.pop("listeners_held", None)
            if session.info.pop("held_logged", False):
                _run(current_app.extensions.get("change_listeners", []))


def commit() -> None:
    """Commit the unit of work, then run its after-commit work outside the transaction.

    After-commit work may use the session again (it starts a new transaction); a failure
    there is logged, never raised: the data is committed, and each task has its own repair
    path (the search index catches up from the change log, orphaned files are swept).
    """
    session = db.session()
    session.commit()
    callbacks = session.info.pop("after_commit", None) or []
    if session.info.pop("logged", False) and has_app_context():
        if session.info.get("listeners_held"):
            session.info["held_logged"] = True
        else:
            callbacks += current_app.extensions.get("change_listeners", [])
    _run(callbacks)


def _run(callbacks: list[Callable[[], None]]) -> None:
    for callback in callbacks:
        try:
            callback()
        except Exception:
            log.exception("after-commit task %r failed", callback)


@event.listens_for(Session, "before_commit")
def _append_change_log(session: Session) -> None:
    entries = session.info.pop("change_log", None)
    if not entries:
        return
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        # Held until commit: the next writer gets its seq only after this one is visible.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHANGE_LOG_LOCK})
    # Stamped under the lock, so ``at`` never goes back along ``seq``: a harvester asking for
    # changes from time T (OAI-PMH ``from``) cannot miss one committed after it asked.
    stamp = utcnow()
    for entry in entries:
        entry.at = max(entry.at, stamp) if entry.at else stamp
    session.add_all(entries)
    session.flush()
    session.info["logged"] = True


@event.listens_for(Session, "after_rollback")
def _drop_pending(session: Session) -> None:
    for key in ("change_log", "after_commit", "logged"):
        session.info.pop(key, None)
