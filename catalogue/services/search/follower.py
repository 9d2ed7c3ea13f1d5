"""Bringing the search index up to date from a second process during a long bulk write.

An import spends about as long indexing its records as writing them. Both are Python work,
so on a machine with more than one core the index follows the change log from a forked
process while the batches commit, and the import's own catch-up at the end finds almost
nothing left. Nothing depends on the follower: it only reads committed changes, takes the
index writer lock like any other writer, and whatever it has not applied when it stops (or
if it dies) is applied from the log by the next catch-up.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager

from flask import current_app

from catalogue.extensions import db

log = logging.getLogger(__name__)

# How often the follower looks for new committed changes.
POLL_SECONDS = 0.25
# How long the bulk writer waits, once done, for the follower to finish what it started.
STOP_WAIT_SECONDS = 600


def available() -> bool:
    """A second core to run on, and ``fork`` to start the follower with the app as it is."""
    return (os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods()


@contextmanager
def following(enabled: bool = True) -> Iterator[None]:
    """Run the block while a forked process keeps the search index up with the change log."""
    if (
        not enabled
        or not available()
        or current_app.config["SEARCH_FOLLOW"] != "inline"
        or current_app.config["SEARCH_BACKEND"] != "whoosh"
    ):
        # With SEARCH_BACKEND "postgresql", each batch's commit updates the search table.
        # With SEARCH_FOLLOW "process", the node's own follower applies the log anyway.
        yield
        return
    app = current_app._get_current_object()
    context = multiprocessing.get_context("fork")
    stop = context.Event()
    follower = context.Process(
        target=_follow, args=(app, stop, os.getpid()), name="index-follower", daemon=True
    )
    follower.start()
    try:
        yield
    finally:
        stop.set()
        follower.join(STOP_WAIT_SECONDS)
        if follower.is_alive():
            follower.terminate()
            follower.join()
        if follower.exitcode:
            log.warning("the index follower stopped with code %s", follower.exitcode)


def _follow(app, stop, parent: int) -> None:

    from catalogue.services.search import sync as search_sync

    # Ctrl-C reaches the whole process group: the parent decides when the follower stops,
    # after it has applied what was committed.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    with app.app_context():
        # The parent's pooled connections must not be used (nor closed) here: a new pool.
        db.engine.dispose(close=False)

        stopping = False

        def idle() -> bool:
            nonlocal stopping
            # End the read transaction, so the next look sees what committed since.
            db.session.rollback()
            if stopping:
                return False  # the last look, after the parent said stop, found nothing
            stopping = stop.wait(POLL_SECONDS) or os.getppid() != parent
            return True

        # One writer for the whole follow: it commits when the bulk write is over (or every
        # so many documents), not after each batch.
        search_sync.catch_up(None, idle)
