"""The index follows the change log: crashes between commit and indexing are repaired."""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from catalogue.services import uow
from catalogue.services.search import sync as search_sync
from tests.helpers import obj, read


@pytest.fixture(autouse=True)
def empty_index(app):
    with app.app_context():
        search_sync.engine(app).store.clear()


@contextmanager
def index_listener_down(app):
    """Commits happen, indexing does not: as if the process died right after the commit."""
    listeners = uow.hooks(app).committed
    saved = list(listeners)
    listeners.clear()
    try:
        yield
    finally:
        listeners.extend(saved)


def total(client, q: str, caller=None) -> int:
    response = client.get(
        "/api/v1/search", query_string={"q": q}, headers=caller.headers if caller else {}
    )
    assert response.status_code == 200
    return response.get_json()["total"]


def verify(app) -> dict:
    with app.app_context():
        return search_sync.verify()


def run(app, *args):
    with app.app_context():
        return app.test_cli_runner().invoke(args=["search", *args])


def set_cursor(app, cursor: int | None) -> None:
    """Start a new empty index generation that claims to have read the log up to ``cursor``
    (None: to its end)."""
    with app.app_context():
        store = search_sync.engine(app).store
        store.clear()
        last = search_sync._last_seq() if cursor is None else cursor
        store.apply(lambda seen: ([], [], last) if seen != last else ([], [], seen))


def test_crash_between_commit_and_index_is_repaired_by_sync(app, client, curator):
    kept = obj(client, curator, status="public", title={"fr": "Baïonnette"})
    gone = obj(client, curator, status="public", title={"fr": "Gamelle"})
    with index_listener_down(app):
        new = obj(client, curator, status="public", title={"fr": "Périscope"})
        record, etag = read(client, curator, kept)
        response = client.patch(
            f"/api/v1/objects/{kept['id']}",
            json={"title": {"fr": "Baïonnette rouillée"}},
            headers={**curator.headers, "If-Match": etag},
        )
        assert response.status_code == 200
        response = client.delete(
            f"/api/v1/objects/{gone['id']}",
            headers={**curator.headers, "If-Match": read(client, curator, gone)[1]},
        )
        assert response.status_code == 204
    report = verify(app)
    assert report == {"missing": [new["id"]], "stale": [kept["id"]], "extra": [gone["id"]]}
    result = run(app, "verify")
    assert result.exit_code == 1 and "1 missing, 1 stale, 1 extra" in result.output
    result = run(app, "sync")
    assert result.exit_code == 0, result.output
    assert "Applied 3 change(s)" in result.output
    assert verify(app) == {"missing": [], "stale": [], "extra": []}
    assert run(app, "verify").exit_code == 0
    assert total(client, "périscope") == 1
    assert total(client, "rouillée") == 1
    assert total(client, "gamelle") == 0


def test_a_search_never_writes_the_index_the_next_write_catches_up(app, client, curator):
    with index_listener_down(app):
        obj(client, curator, status="public", title={"fr": "Masque à gaz"})
    assert verify(app)["missing"]
    # A search answers from the index as it stands and leaves the catch-up to writers.
    assert total(client, "masque") == 0
    assert verify(app)["missing"]
    # The next commit's index work reads the log from the index's cursor: both are in.
    obj(client, curator, status="public", title={"fr": "Casque Adrian"})
    assert total(client, "masque") == 1 and total(client, "casque") == 1
    assert verify(app) == {"missing": [], "stale": [], "extra": []}


def test_reindex_rebuilds_everything_and_keeps_answering(app, client, curator):
    for i in range(5):
        obj(client, curator, status="public", title={"fr": f"Douille {i}"})
    set_cursor(app, None)  # an index that lost its documents yet believes it is current
    assert len(verify(app)["missing"]) == 5 and total(client, "douille") == 0
    result = run(app, "reindex", "--procs", "2")
    assert result.exit_code == 0, result.output
    assert "Indexed 5 objects" in result.output
    assert total(client, "douille") == 5
    assert verify(app) == {"missing": [], "stale": [], "extra": []}


def test_an_index_ahead_of_the_log_is_rebuilt(app, client, curator):
    obj(client, curator, status="public", title={"fr": "Jumelles"})
    # As after restoring an older database: the index has read further than the log.
    set_cursor(app, 999_999_999)
    obj(client, curator, status="public", title={"fr": "Boussole"})
    assert total(client, "jumelles") == 1 and total(client, "boussole") == 1
    assert verify(app) == {"missing": [], "stale": [], "extra": []}
