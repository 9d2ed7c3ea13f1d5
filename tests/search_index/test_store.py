"""The index on disk: several processes writing, rebuilds, the writer lock."""

from __future__ import annotations

import multiprocessing
import threading

import pytest

from search_index.engine import SearchEngine, SearchRequest
from search_index.store import IndexStore, LockTimeout, RebuildFailed
from tests.search_index.documents import document, load

WRITERS = 2
PER_WRITER = 40


def _write_many(root: str, worker: int, start) -> None:
    """One process: many small commits, each through the cross-process writer lock."""
    store = IndexStore(root)
    start.wait()
    for i in range(PER_WRITER):
        doc_id = str(worker * 1000 + i)
        done = {"yes": False}

        def fetch(cursor, doc_id=doc_id, done=done):
            if done["yes"]:
                return [], [], cursor
            done["yes"] = True
            return [document(doc_id, title=f"objet {doc_id} fusée")], [], cursor + 1

        store.apply(fetch)


def test_two_processes_writing_at_once_lose_nothing(tmp_path):
    store = IndexStore(tmp_path)
    store.ensure()
    context = multiprocessing.get_context("fork")
    start = context.Event()
    workers = [
        context.Process(target=_write_many, args=(str(tmp_path), n, start)) for n in range(WRITERS)
    ]
    for worker in workers:
        worker.start()
    start.set()
    for worker in workers:
        worker.join(120)
        assert worker.exitcode == 0
    assert len(store.stored()) == WRITERS * PER_WRITER
    assert store.cursor() == WRITERS * PER_WRITER
    result = SearchEngine(store).search(SearchRequest(q="fusee", per_page=1))
    assert result.total == WRITERS * PER_WRITER


def test_a_busy_lock_times_out_instead_of_failing_at_once(tmp_path):
    store = IndexStore(tmp_path)
    store.ensure()
    other = IndexStore(tmp_path)
    with store.locked(), pytest.raises(LockTimeout):
        other.apply(lambda cursor: ([], [], cursor), timeout=0.05)


def test_searchers_see_new_commits_without_reopening(tmp_path):
    store = IndexStore(tmp_path)
    engine = SearchEngine(store)
    load(store, [document("1", title="casque")])
    assert engine.search(SearchRequest(q="casque")).total == 1
    with store.searcher() as first:
        pass
    load(store, [document("2", title="casque")])
    assert engine.search(SearchRequest(q="casque")).total == 2
    with store.searcher() as second:
        assert second.reader().generation() > first.reader().generation() >= 0
    store.apply(lambda cursor: ([], ["1"], cursor + 1) if cursor < 3 else ([], [], cursor))
    assert engine.search(SearchRequest(q="casque")).total == 1


def _documents(count: int, bad: int | None = None):
    for i in range(count):
        # A status Whoosh cannot index makes the writer process handling it die.
        status = 5 if i == bad else "public"
        yield document(str(i), title=f"objet {i} fusée", status=status)


def test_rebuild_swaps_in_a_fresh_index_and_catches_up(tmp_path):
    store = IndexStore(tmp_path)
    load(store, [document("9999", title="ancien")])

    def catch_up(cursor):
        if cursor >= 100:
            return [], [], cursor
        return [document("5000", title="pendant la reconstruction")], ["3"], 100

    assert store.rebuild(_documents(300), 50, catch_up, procs=2) == 300
    stored = store.stored()
    assert "9999" not in stored and "3" not in stored and "5000" in stored
    assert store.cursor() == 100
    assert len(list(tmp_path.glob("gen-*"))) == 2  # the new one and the previous one


def test_rebuild_that_loses_documents_fails_and_keeps_the_old_index(tmp_path, capfd):
    store = IndexStore(tmp_path)
    load(store, [document("1", title="ancien")])
    with pytest.raises(RebuildFailed):
        store.rebuild(_documents(400, bad=150), 0, lambda c: ([], [], c), procs=2)
    assert set(store.stored()) == {"1"}
    assert len(list(tmp_path.glob("gen-*"))) == 1
    capfd.readouterr()  # the dead writer process printed its traceback


def test_search_keeps_answering_during_a_rebuild(tmp_path):
    store = IndexStore(tmp_path)
    load(store, list(_documents(200)))
    engine = SearchEngine(store)
    totals: list[int] = []
    errors: list[BaseException] = []
    done = threading.Event()

    def search_loop():
        reader = SearchEngine(store)
        while not done.is_set():
            try:
                totals.append(reader.search(SearchRequest(q="fusee", per_page=5)).total)
            except BaseException as error:  # noqa: BLE001 - any failure fails the test
                errors.append(error)
                return

    thread = threading.Thread(target=search_loop)
    thread.start()
    try:
        for _ in range(3):
            store.rebuild(_documents(200), 0, lambda c: ([], [], c), procs=2)
    finally:
        done.set()
        thread.join(30)
    assert not errors
    assert totals and set(totals) == {200}
    assert engine.search(SearchRequest(q="fusee")).total == 200
