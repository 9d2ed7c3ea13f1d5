"""The unit of work: one commit per request or command, and the follow-up work it carries.

Services change data through the session and tell the unit of work what else must happen:

- ``log_change(entry)``: a change-log entry, appended at commit time under a lock so that the
  log's ``seq`` follows commit order even when PostgreSQL transactions overlap;
- ``after_commit(callback)``: one-off work for this unit only, run once the data is durable
  (removing stored files);
- ``load_for_update(model, key)``: the row a write will change, locked until the commit and
  read after the lock, so the ETag a writer checks is the state it overwrites;
- ``commit()``: the one commit path for requests, commands, imports, backups and restores.
  A write that lost a race to another writer is answered here, for every record kind:
  ``StaleDataError`` (its UPDATE found the row at another version) becomes 412, a lock or
  serialisation failure of the database 503 with ``Retry-After`` (``concurrency_failure``);
- ``separately()``: bookkeeping outside the unit, in a transaction of its own (request counts).

Work that must follow *every* change is registered once, when the app is built, at three
named hook points (``Hooks``); ``catalogue.services.follow_up.register`` lists them all:

- ``on_change(entry)``: in the transaction, as a service logs each change (a deleted
  object's media rows are dropped with it);
- ``before_commit(session, entries)``: in the transaction, once, with every change of the
  unit (OAI-PMH payloads are rebuilt for the objects that changed);
- ``after_commit()``: after each commit that logged changes (the search index follows the
  log, when the writer indexes: SEARCH_FOLLOW "inline"). A failure there is logged, never
  raised: the data is committed, and each such task catches up from the change log.

On PostgreSQL, a commit that appends to the log also sends ``NOTIFY catalogue_changes``
(delivered on commit only), which wakes each node's index follower.

A rollback drops the unit's entries and callbacks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import event, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from catalogue.extensions import db
from catalogue.models import ChangeLogEntry
from catalogue.models.base import utcnow
from catalogue.services.errors import PreconditionFailed, ServiceError, Unavailable

log = logging.getLogger(__name__)

# Key of the PostgreSQL advisory lock that serialises appends to the change log.
CHANGE_LOG_LOCK = 7_301_944
# PostgreSQL: serialization_failure, deadlock_detected, lock_not_available.
RETRYABLE_SQLSTATES = {"40001", "40P01", "55P03"}
# SQLite: SQLITE_BUSY and SQLITE_LOCKED (with their extended codes).
RETRYABLE_SQLITE_CODES = {5, 6}
# PostgreSQL channel notified by every commit that appends to the change log.
CHANGES_CHANNEL = "catalogue_changes"


@dataclass
class Hooks:
    """The follow-up work registered for every unit of work of one app."""

    changes: list[Callable[[ChangeLogEntry], None]] = field(default_factory=list)
    commits: list[Callable[[Session, list[ChangeLogEntry]], None]] = field(default_factory=list)
    committed: list[Callable[[], None]] = field(default_factory=list)

    def on_change(self, hook: Callable[[ChangeLogEntry], None]) -> None:
        self.changes.append(hook)

    def before_commit(self, hook: Callable[[Session, list[ChangeLogEntry]], None]) -> None:
        self.commits.append(hook)

    def after_commit(self, hook: Callable[[], None]) -> None:
        self.committed.append(hook)


def hooks(app=None) -> Hooks:
    """The app's hook points (an app without any registered gets empty ones)."""
    if app is None:
        if not has_app_context():
            return Hooks()
        app = current_app
    return app.extensions.setdefault("uow_hooks", Hooks())


def _pending(key: str) -> list:
    """The unit's queue ``key``; the unit begins here, so a rollback always drops it."""
    session = db.session()
    if not session.in_transaction():
        session.begin()
    return session.info.setdefault(key, [])


def log_change(entry: ChangeLogEntry) -> None:
    _pending("change_log").append(entry)
    for hook in hooks().changes:
        hook(entry)


def after_commit(callback: Callable[[], None]) -> None:
    """Run ``callback`` once this unit of work has committed (dropped on rollback)."""
    _pending("after_commit").append(callback)


def changed() -> None:
    """Say that this unit changed the log without ``log_change`` (a restore loads it whole):
    the after-commit hooks run as for any logged change."""
    db.session.info["logged"] = True


@contextmanager
def listeners_held() -> Iterator[None]:
    """Run the after-commit hooks once, on leaving the block, instead of after every commit.

    For bulk work committed in many batches (an import): the search index then catches up
    in one pass over the change log. They run however the block ends, an interruption too,
    so the batches committed before it are in the index when the command stops.
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
                _run(hooks().committed)


def load_for_update(model, key):
    """The row of ``model`` with primary key ``key`` (None if there is none), locked for
    this unit of work and read after the lock was granted.

    PostgreSQL locks the row; SQLite takes its write lock (``catalogue.extensions``). A copy
    already in the session is read again, never trusted: the state checked against If-Match
    must be the state the write replaces.
    """
    return db.session.get(model, key, with_for_update=True, populate_existing=True)


def concurrency_failure(error: BaseException) -> ServiceError | None:
    """The answer to a write that lost a race with another writer; None for other errors."""
    if isinstance(error, StaleDataError):
        return PreconditionFailed(
            "Someone saved this record at the same time. Read it again, re-apply your change "
            "and retry."
        )
    if isinstance(error, DBAPIError):
        driver_error = error.orig
        sqlstate = getattr(driver_error, "sqlstate", None)
        sqlite_code = getattr(driver_error, "sqlite_errorcode", None)
        if sqlstate in RETRYABLE_SQLSTATES or (
            sqlite_code is not None and sqlite_code & 0xFF in RETRYABLE_SQLITE_CODES
        ):
            return Unavailable(
                "Other changes to the same records are being saved; nothing was saved. "
                "Try again in a moment.",
                retry_after=1,
            )
    return None


def commit() -> None:
    """Commit the unit of work, then run its after-commit work outside the transaction.

    A commit that lost a race with another writer is rolled back and raised as the
    ``concurrency_failure`` it is. After-commit work may use the session again (it starts a
    new transaction).
    """
    session = db.session()
    try:
        session.commit()
    except (StaleDataError, DBAPIError) as error:
        failure = concurrency_failure(error)
        if failure is None:
            raise
        session.rollback()
        raise failure from error
    callbacks = session.info.pop("after_commit", None) or []
    if session.info.pop("logged", False) and has_app_context():
        if session.info.get("listeners_held"):
            session.info["held_logged"] = True
        else:
            callbacks += hooks().committed
    _run(callbacks)


@contextmanager
def separately() -> Iterator[Any]:
    """A short transaction on a driver (DB-API) connection of its own, out of the engine's
    pool, committed on leaving the block and rolled back if it raises.

    For bookkeeping that must stand whatever the current unit does, must never commit part
    of it, and runs on every request (the API's request counts): it logs no change and runs
    no hook, and skips SQLAlchemy's per-statement work, as ``lookups`` does for hot reads.
    """
    connection = db.engine.raw_connection()
    try:
        yield connection
        connection.commit()
    except BaseException:
        connection.rollback()
        raise
    finally:
        connection.close()


def _run(callbacks: list[Callable[[], None]]) -> None:
    for callback in callbacks:
        try:
            callback()
        except Exception:
            log.exception("after-commit task %r failed", callback)


@event.listens_for(Session, "before_commit")
def _before_commit(session: Session) -> None:
    entries = session.info.pop("change_log", None)
    if not entries:
        return
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        # Held until commit: the next writer gets its seq only after this one is visible.
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHANGE_LOG_LOCK})
        # Delivered on commit only (dropped with a rollback): wakes each node's index follower.
        session.execute(text(f"NOTIFY {CHANGES_CHANNEL}"))
    # Stamped under the lock, so ``at`` never goes back along ``seq``: a harvester asking for
    # changes from time T (OAI-PMH ``from``) cannot miss one committed after it asked.
    stamp = utcnow()
    for entry in entries:
        entry.at = max(entry.at, stamp) if entry.at else stamp
    session.add_all(entries)
    session.flush()
    session.info["logged"] = True
    for hook in hooks().commits:
        hook(session, entries)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, _previous_transaction) -> None:
    for key in ("change_log", "after_commit", "logged"):
        session.info.pop(key, None)
