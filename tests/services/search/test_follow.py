"""Each node's index follows the change log on its own (``catalogue search follow``).

The suite's app writes (its index follows inline); a second app on the same database, with an
index directory of its own and SEARCH_FOLLOW "process", is the node whose follower is tested.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from catalogue import create_app
from catalogue.extensions import db
from catalogue.models import CatalogueObject, ChangeEvent, ChangeLogEntry
from catalogue.models.base import utcnow
from catalogue.services.search import follow
from catalogue.services.search import sync as search_sync
from tests.conftest import make_test_config
from tests.helpers import obj

WAIT_SECONDS = 30
# Enough changes that a follower commits some (every second) well before it is done.
COPIES = 4000


def wait_until(condition, timeout: float = WAIT_SECONDS, step: float = 0.02):
    """Wait for ``condition()`` to be true, at most ``timeout`` seconds; returns it."""
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value or time.monotonic() >= deadline:
            return value
        time.sleep(step)


@pytest.fixture
def node(database_url, tmp_path_factory):
    """Another node of the same catalogue: its own index, its follower applies the log."""
    config = make_test_config(tmp_path_factory, database_url)
    config["SEARCH_FOLLOW"] = "process"
    app = create_app(config)
    yield app
    with app.app_context():
        search_sync.engine(app).store.close()
        db.engine.dispose()


@contextmanager
def following(app, poll_seconds: float = 0.2):
    """The node's follower, in a thread, for the block."""
    stop = threading.Event()

    def run():
        with app.app_context():
            follow.run(stop, poll_seconds=poll_seconds)

    thread = threading.Thread(target=run, name="test-follower")
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(WAIT_SECONDS)
        assert not thread.is_alive()


def found(app, q: str) -> int:
    response = app.test_client().get("/api/v1/search", query_string={"q": q})
    assert response.status_code == 200
    return response.get_json()["total"]


def cursor(app) -> int:
    with app.app_context():
        return search_sync.engine(app).store.cursor()


def last_seq(app) -> int:
    with app.app_context():
        return db.session.execute(sa.select(sa.func.max(ChangeLogEntry.seq))).scalar() or 0


def logged_copies(app, record: dict, count: int) -> None:
    """``count`` copies of ``record`` written straight to the database, each with its
    change-log entry (as a bulk write leaves them)."""
    table = CatalogueObject.__table__
    with app.app_context():
        row = dict(
            db.session.execute(sa.select(table).where(table.c.id == uuid.UUID(record["id"])))
            .mappings()
            .one()
        )
        rows, entries = [], []
        for n in range(count):
            new_id, number = uuid.uuid4(), f"COPIE.{n:06d}"
            document = {**row["document"], "id": str(new_id), "object_number": number}
            rows.append({**row, "id": new_id, "object_number": number, "document": document})
            entries.append(
                {
                    "object_id": new_id,
                    "object_number": number,
                    "event": ChangeEvent.created,
                    "status_before": None,
                    "status_after": row["status"],
                    "at": utcnow(),
                }
            )
        db.session.execute(sa.insert(CatalogueObject), rows)
        db.session.execute(sa.insert(ChangeLogEntry), entries)
        db.session.commit()


def test_the_follower_applies_what_another_node_commits(client, curator, node):
    obj(client, curator, status="public", title={"fr": "Casque allemand"})
    with following(node):
        # A new node builds its index before anything else...
        assert wait_until(lambda: found(node, "casque") == 1)
        # ... then follows what the other node writes, with no write of its own.
        obj(client, curator, status="public", title={"fr": "Casque anglais"})
        assert wait_until(lambda: found(node, "casque") == 2)
    assert cursor(node) == last_seq(node)


def test_a_write_on_a_process_node_does_no_index_work(node, curator):
    caller = node.test_client()
    record = obj(caller, curator, status="public", title={"fr": "Périscope"})
    assert cursor(node) == 0 and found(node, "périscope") == 0
    with following(node):
        assert wait_until(lambda: found(node, "périscope") == 1)
    assert record["id"]


# LISTEN/NOTIFY is PostgreSQL's: this test runs on that backend only.
@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_notify_wakes_the_follower_on_postgresql(backend, client, curator, node):
    obj(client, curator, status="public", title={"fr": "Fusée"})
    with following(node, poll_seconds=600):
        assert wait_until(lambda: found(node, "fusée") == 1)
        obj(client, curator, status="public", title={"fr": "Fusée éclairante"})
        written = time.monotonic()
        assert wait_until(lambda: found(node, "fusée") == 2, timeout=2)
        assert time.monotonic() - written < 2


def test_readyz_reports_the_lag_and_refuses_beyond_the_limit(client, curator, node):
    obj(client, curator, status="public", title={"fr": "Gamelle"})
    with node.app_context():
        search_sync.sync()
    ready = node.test_client().get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["search_index_lag"] == {"changes": 0, "seconds": 0}
    obj(client, curator, status="public", title={"fr": "Gourde"})
    obj(client, curator, status="public", title={"fr": "Quart"})
    node.config["SEARCH_MAX_LAG_CHANGES"] = 1
    try:
        behind = node.test_client().get("/readyz")
        assert behind.status_code == 503
        body = behind.get_json()
        assert body["checks"]["search_index"] == "behind"
        assert body["search_index_lag"]["changes"] == 2
        node.config["SEARCH_MAX_LAG_CHANGES"] = 1000
        node.config["SEARCH_MAX_LAG_SECONDS"] = 0
        assert wait_until(lambda: node.test_client().get("/readyz").status_code == 503)
        with following(node):
            assert wait_until(lambda: node.test_client().get("/readyz").status_code == 200)
        assert node.test_client().get("/readyz").get_json()["search_index_lag"]["changes"] == 0
    finally:
        node.config["SEARCH_MAX_LAG_CHANGES"] = 1000
        node.config["SEARCH_MAX_LAG_SECONDS"] = 60


def test_a_second_follower_of_the_same_index_waits(client, curator, node):
    obj(client, curator, status="public", title={"fr": "Baïonnette"})
    with following(node):
        assert wait_until(lambda: found(node, "baïonnette") == 1)
        stop = threading.Event()

        def run_second():
            with node.app_context():
                follow.run(stop, poll_seconds=0.1)

        second = threading.Thread(target=run_second)
        second.start()
        obj(client, curator, status="public", title={"fr": "Baïonnette de fusil"})
        assert wait_until(lambda: found(node, "baïonnette") == 2)
        stop.set()
        second.join(WAIT_SECONDS)
        assert not second.is_alive()


def _follower_process(app, log) -> subprocess.Popen:
    config = app.config
    env = {
        **os.environ,
        "DATABASE_URL": config["DATABASE_URL"],
        "SEARCH_INDEX_DIR": config["SEARCH_INDEX_DIR"],
        "SECRET_KEY": config["SECRET_KEY"],
        "MEDIA_STORAGE": config["MEDIA_STORAGE"],
        "IMPORTS_DIR": config["IMPORTS_DIR"],
        "SEARCH_FOLLOW": "process",
        # A commit after every batch read from the log, so that a kill lands half-way.
        "SEARCH_FOLLOW_COMMIT_SECONDS": "0",
    }
    command = [sys.executable, "-c", "from catalogue import main; main()", "search", "follow"]
    return subprocess.Popen(command, env=env, stdout=log, stderr=log)


def test_a_killed_follower_keeps_what_it_committed_and_the_next_applies_the_rest(
    client, curator, node, tmp_path
):
    with (tmp_path / "follower.log").open("ab") as log:
        _kill_and_restart(client, curator, node, log)


def _kill_and_restart(client, curator, node, log) -> None:
    record = obj(client, curator, status="public", title={"fr": "Obus de mortier"})
    with node.app_context():
        search_sync.sync()  # the node is up to date: what follows is applied change by change
    start = cursor(node)
    logged_copies(node, record, COPIES)
    last = last_seq(node)
    process = _follower_process(node, log)
    try:
        # Killed without warning once it has committed part of the work.
        assert wait_until(lambda: cursor(node) > start or process.poll() is not None, timeout=120)
        process.send_signal(signal.SIGKILL)
        process.wait(WAIT_SECONDS)
    finally:
        if process.poll() is None:
            process.kill()
    kept = cursor(node)
    assert start < kept < last, "the follower finished before it could be interrupted"
    assert found(node, "mortier") == 1 + kept - start  # what it committed is searchable
    process = _follower_process(node, log)
    try:
        assert wait_until(lambda: cursor(node) == last, timeout=120)
        assert found(node, "mortier") == 1 + COPIES
        process.send_signal(signal.SIGTERM)
        assert process.wait(WAIT_SECONDS) == 0
    finally:
        if process.poll() is None:
            process.kill()
    with node.app_context():
        assert search_sync.verify() == {"missing": [], "stale": [], "extra": []}


def test_an_unknown_follow_mode_stops_the_app_at_start(tmp_path_factory):
    config = make_test_config(tmp_path_factory, "sqlite://")
    config["SEARCH_FOLLOW"] = "sometimes"
    with pytest.raises(ValueError, match="SEARCH_FOLLOW"):
        create_app(config)
