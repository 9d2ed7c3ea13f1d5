"""The node's follower: this node's search index follows the change log on its own.

``catalogue search follow`` runs ``run`` in the foreground (``gunicorn.conf.py`` starts one
per node, next to the web workers). It applies what the log holds, then waits until it is
woken: on PostgreSQL by ``NOTIFY catalogue_changes``, which every commit that appends to the
log sends (``services.uow``), or else after ``SEARCH_FOLLOW_POLL_SECONDS`` (SQLite; a safety
net on PostgreSQL). Applying commits to the index at least every second
(``IndexStore.apply`` as a follower), so a follower killed half-way keeps what it committed
and the next one applies the rest from the log. It never runs inside a request. One follower
per index directory (a file lock): a second one waits until the first stops. A node whose
index has read nothing while the log holds changes builds it whole first (``reindex``).

``lag`` says how far the index is behind the log; /readyz reports it and answers 503 past
``SEARCH_MAX_LAG_CHANGES`` changes or ``SEARCH_MAX_LAG_SECONDS`` seconds.
"""

from __future__ import annotations

import fcntl
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from catalogue.extensions import db
from catalogue.models import ChangeLogEntry
from catalogue.services import readiness, uow
from catalogue.services.search import sync

log = logging.getLogger(__name__)

# The file whose lock makes a follower the only one of its index directory.
LOCK = "follow.lock"
# The longest a follower waits (for the lock, a notification, the poll) without looking
# whether it was told to stop.
SLICE_SECONDS = 0.5


# ---- how far behind -----------------------------------------------------------------------


def lag() -> dict:
    """``changes``: log entries the index has not applied; ``seconds``: since the oldest of
    them was committed (both 0 when the index is up to date)."""
    cursor = sync.engine().store.cursor()
    last, oldest = db.session.execute(
        sa.select(sa.func.max(ChangeLogEntry.seq), sa.func.min(ChangeLogEntry.at)).where(
            ChangeLogEntry.seq > cursor
        )
    ).one()
    if last is None:
        return {"changes": 0, "seconds": 0}
    if oldest.tzinfo is None:
        oldest = oldest.replace(tzinfo=UTC)
    seconds = max(0.0, (datetime.now(UTC) - oldest).total_seconds())
    return {"changes": last - cursor, "seconds": round(seconds, 1)}


def init_app(app) -> None:
    """Make /readyz's ``search_index`` check also require the index to be within its lag."""
    opens = readiness.check(app, "search_index")

    def ready() -> dict:
        if opens is not None:
            opens()
        behind = lag()
        members = {"search_index_lag": behind}
        config = current_app.config
        if (
            behind["changes"] > config["SEARCH_MAX_LAG_CHANGES"]
            or behind["seconds"] > config["SEARCH_MAX_LAG_SECONDS"]
        ):
            raise readiness.NotReady("behind", members)
        return members

    readiness.add_check(app, "search_index", ready)


# ---- following ----------------------------------------------------------------------------


def run(stop: threading.Event | None = None, poll_seconds: float | None = None, procs=1) -> None:
    """Follow the change log into this node's index until ``stop`` is set (or the process is
    interrupted). ``procs``: indexing processes when the index must be built whole."""
    stop = stop or threading.Event()
    poll = (
        current_app.config["SEARCH_FOLLOW_POLL_SECONDS"] if poll_seconds is None else poll_seconds
    )
    store = sync.engine().store
    store.ensure()
    with _only_follower(store.root, stop) as held:
        if not held:
            return
        listener = _Listener(db.engine.url) if db.engine.dialect.name == "postgresql" else None
        try:
            if listener is not None:
                listener.connect()  # before looking: a commit after the look wakes the wait
            _build_if_new(procs)
            while not stop.is_set():
                applied = sync.catch_up(None, _no_more)
                db.session.rollback()  # the next look sees what committed since
                if applied:
                    log.info("search index: applied %d change(s)", applied)
                if listener is not None:
                    listener.wait(poll, stop)
                else:
                    _sleep(poll, stop)
        finally:
            if listener is not None:
                listener.close()
            db.session.remove()


def _no_more() -> bool:
    """Catch-up as a follower (committing every second), ending once it has nothing new."""
    return False


def _build_if_new(procs: int) -> None:
    store = sync.engine().store
    if store.cursor() == 0 and lag()["changes"]:
        log.info("search index: empty, building it from the catalogue")
        count = sync.reindex(procs=procs)
        log.info("search index: built with %d object(s)", count)
    db.session.rollback()


def _sleep(seconds: float, stop: threading.Event) -> None:
    stop.wait(seconds)


@contextmanager
def _only_follower(root: Path, stop: threading.Event) -> Iterator[bool]:
    """Hold the follower lock of ``root``, waiting for it; yields False if stopped first."""
    root.mkdir(parents=True, exist_ok=True)
    with open(root / LOCK, "a+b") as handle:
        told = False
        while True:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not told:
                    log.warning("search index: another follower runs on %s; waiting", root)
                    told = True
                if stop.wait(SLICE_SECONDS):
                    yield False
                    return
        try:
            yield True
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class _Listener:
    """A connection of its own that LISTENs on the change log's channel (PostgreSQL)."""

    def __init__(self, url: sa.URL) -> None:
        self.conninfo = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self.connection = None

    def connect(self) -> None:
        import psycopg

        try:
            self.connection = psycopg.connect(self.conninfo, autocommit=True)
            self.connection.execute(f"LISTEN {uow.CHANGES_CHANNEL}")
        except psycopg.Error as error:
            log.warning("search index: cannot listen for changes (%s); polling", error)
            self.close()

    def wait(self, seconds: float, stop: threading.Event) -> None:
        """Until a change is committed, ``seconds`` pass, or ``stop`` is set."""
        import psycopg

        deadline = time.monotonic() + seconds
        while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
            if self.connection is None:
                stop.wait(min(left, SLICE_SECONDS))
                self.connect()
                if self.connection is not None:
                    return  # what committed while it was away is applied now
                continue
            try:
                for _ in self.connection.notifies(timeout=min(left, SLICE_SECONDS), stop_after=1):
                    return
            except psycopg.Error as error:
                log.warning("search index: lost the change notifications (%s)", error)
                self.close()

    def close(self) -> None:
        if self.connection is not None:
            try:
                self.connection.close()
            finally:
                self.connection = None
