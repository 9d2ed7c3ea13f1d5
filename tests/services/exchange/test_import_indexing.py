"""A long import keeps the search index in step: from a second process while the batches
commit, and in one catch-up at the end however the import ends."""

from __future__ import annotations

import pytest

from catalogue.extensions import db
from catalogue.models import CatalogueObject
from catalogue.services import uow
from catalogue.services.exchange import imports
from catalogue.services.exchange.imports import Options
from catalogue.services.search import follower as index_follower
from catalogue.services.search import sync as search_sync
from search_index.engine import SearchRequest
from tests.services.exchange.exchange_helpers import CURATOR, count, write_csv

ROWS = 24


@pytest.fixture
def empty_index(app, ctx):
    search_sync.engine(app).store.clear()


@pytest.fixture
def listeners_down(app):
    """Commits happen, the index listener does not run: only a follower can index."""
    listeners = uow.hooks(app).committed
    saved = list(listeners)
    listeners.clear()
    yield
    listeners.extend(saved)


def _file(tmp_path, count=ROWS):
    rows = [["object_number", "status", "title_fr"]]
    rows += [[f"2040.{n:04d}.001", "public", f"Périscope numéro {n}"] for n in range(count)]
    return write_csv(tmp_path / "periscopes.csv", rows)


def _found(q: str) -> int:
    """What the index holds now (a search through the API would catch up first)."""
    return search_sync.engine().search(SearchRequest(q=q, per_page=1)).total


def test_a_large_import_is_indexed_by_a_follower_and_complete_at_the_end(
    empty_index, tmp_path, monkeypatch
):
    monkeypatch.setattr(imports, "FOLLOW_FROM", 10)
    report = imports.import_objects(
        CURATOR, _file(tmp_path), Options(batch_size=5, index_alongside=True)
    )
    db.session.remove()
    assert report.created == ROWS
    assert _found("periscope") == ROWS
    assert search_sync.verify() == {"missing": [], "stale": [], "extra": []}


@pytest.mark.skipif(not index_follower.available(), reason="needs fork and a second core")
def test_the_follower_alone_indexes_what_commits_during_the_block(
    empty_index, listeners_down, tmp_path, monkeypatch
):
    monkeypatch.setattr(imports, "FOLLOW_FROM", 10)
    with index_follower.following():
        # With the listener down, an import's own catch-up does nothing: the follower must.
        imports.import_objects(CURATOR, _file(tmp_path), Options(batch_size=5))
    db.session.remove()
    assert _found("periscope") == ROWS == count(CatalogueObject)


def test_an_interrupted_large_import_leaves_the_index_matching_the_committed_batches(
    empty_index, tmp_path, monkeypatch
):
    monkeypatch.setattr(imports, "FOLLOW_FROM", 10)
    seen = {"rows": 0}

    def stop_in_fourth_batch(phase, n):
        if phase == "importing":
            seen["rows"] += n
            if seen["rows"] == 17:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt) as stopped:
        imports.import_objects(
            CURATOR,
            _file(tmp_path),
            Options(batch_size=5, index_alongside=True),
            stop_in_fourth_batch,
        )
    db.session.remove()
    assert stopped.value.import_report.created == 15 == count(CatalogueObject)
    assert _found("periscope") == 15
    assert search_sync.verify() == {"missing": [], "stale": [], "extra": []}
