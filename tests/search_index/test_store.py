"""The index on disk: several processes writing, rebuilds, the writer lock."""

from __future__ import annotations

import multiprocessing
import threading
import time

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
    assert len(list(tmp_path.glob("gen-*"))) == 1  # the previous one is removed at once


def test_replaced_generations_are_removed_while_searchers_still_hold_them(tmp_path):
    store = IndexStore(tmp_path)
    load(store, list(_documents(50)))
    engine = SearchEngine(store)
    assert engine.search(SearchRequest(q="fusee", per_page=5)).total == 50
    # Another process's searcher, still open on the first generation (and not asked again).
    other = IndexStore(tmp_path)
    with other.searcher() as held:
        first = store.generation()
        store.rebuild(_documents(80), 0, lambda c: ([], [], c), procs=1)
        assert held.doc_count() == 50  # its open files stay readable
        assert held.stored_fields(3)["id"] == "3"
    store.rebuild(_documents(120), 0, lambda c: ([], [], c), procs=2)
    store.clear()
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == sorted(["current", "write.lock", store.generation()])
    assert first not in names
    # Searchers that read a removed generation move to the current one at their next search.
    assert engine.search(SearchRequest(q="fusee")).total == 0
    assert SearchEngine(other).search(SearchRequest(q="")).total == 0
    load(store, list(_documents(7)))
    assert engine.search(SearchRequest(q="fusee")).total == 7


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


def _log(entries: list[tuple[list[dict], list[str]]]):
    """A change log as ``fetch``: entry n (from 1) is ``entries[n - 1]``, one per call."""

    def fetch(cursor):
        if cursor >= len(entries):
            return [], [], cursor
        upserts, deletes = entries[cursor]
        return upserts, deletes, cursor + 1

    return fetch


def test_one_catch_up_over_many_batches_replaces_and_deletes_without_duplicates(tmp_path):
    store = IndexStore(tmp_path)
    engine = SearchEngine(store)
    log = _log(
        [
            ([document("1", title="casque"), document("2", title="lettre")], []),
            ([document("3", title="affiche")], []),
            # The same documents again, later in the same catch-up: replaced, not doubled.
            ([document("1", title="casque allemand")], []),
            ([], ["2"]),
        ]
    )
    assert store.apply(log) == 5
    assert sorted(store.stored()) == ["1", "3"]
    assert store.cursor() == 4
    assert engine.search(SearchRequest(q="casque")).total == 1
    assert engine.search(SearchRequest(q="allemand")).total == 1
    assert engine.search(SearchRequest(q="lettre")).total == 0


def test_a_catch_up_that_fails_half_way_keeps_its_cursor_and_the_next_one_repairs(tmp_path):
    store = IndexStore(tmp_path)
    good = _log([([document(str(n), title="fusée")], []) for n in range(1, 4)])

    def failing(cursor):
        if cursor == 2:
            raise RuntimeError("the database went away")
        return good(cursor)

    with pytest.raises(RuntimeError):
        store.apply(failing)
    # Nothing of the failed writer is committed, and the lock is free again.
    assert store.stored() == {} and store.cursor() == 0
    assert store.apply(good, timeout=1) == 3
    assert len(store.stored()) == 3 and store.cursor() == 3


def test_following_a_bulk_write_keeps_one_writer_until_it_is_over(tmp_path):
    store = IndexStore(tmp_path)
    entries: list[tuple[list[dict], list[str]]] = []
    rounds = iter(range(3))
    generations = []

    def idle():
        # Called each time the log is exhausted: the "bulk writer" appends more, twice.
        with store.searcher() as searcher:
            generations.append(searcher.reader().generation())
        round_ = next(rounds, None)
        if round_ is None:
            return False
        if round_ < 2:
            entries.append(([document(str(10 + round_), title="photographie")], []))
            return True
        return False

    assert store.apply(_log(entries), idle=idle) == 2
    # Nothing was committed while following; everything at the end.
    assert len(set(generations)) == 1
    assert sorted(store.stored()) == ["10", "11"] and store.cursor() == 2


def test_requests_do_not_wait_for_a_follower_which_applies_their_changes(tmp_path):
    store = IndexStore(tmp_path)
    entries: list[tuple[list[dict], list[str]]] = []
    following, finish = threading.Event(), threading.Event()

    last_look = []

    def idle():
        following.set()
        if last_look:
            return False
        if finish.wait(0.01):
            last_look.append(True)  # one more look after being told to finish
        return True

    follower = threading.Thread(target=store.apply, args=(_log(entries),), kwargs={"idle": idle})
    follower.start()
    assert following.wait(10)
    assert store.followed()
    # A request commits a change and wants it indexed: it leaves that to the follower.
    entries.append(([document("7", title="boussole")], []))
    started = time.monotonic()
    assert store.apply(_log(entries), timeout=2) == 0
    assert time.monotonic() - started < 1
    finish.set()
    follower.join(10)
    assert not store.followed()
    assert list(store.stored()) == ["7"] and store.cursor() == 1
    # Without a follower, the same request waits for the lock and applies the change itself.
    entries.append(([document("8", title="boussole")], []))
    assert store.apply(_log(entries), timeout=2) == 1


def test_writing_a_segment_does_not_ask_the_disk_about_each_posting(tmp_path, monkeypatch):
    """Whoosh asks whether a length column exists once per posting of an unscored field
    unless ``search_index.internals`` fixes it: a third of a large catch-up's time."""
    from whoosh.filedb.filestore import FileStorage

    store = IndexStore(tmp_path)
    store.ensure()
    asked = []
    original = FileStorage.file_exists

    def file_exists(self, name):
        asked.append(name)
        return original(self, name)

    monkeypatch.setattr(FileStorage, "file_exists", file_exists)
    load(store, [document(str(n), title=f"objet {n}", object_type=["t1"]) for n in range(300)])
    assert len(store.stored()) == 300
    assert len(asked) < 100


def test_a_forked_process_and_its_parent_search_the_same_store_at_once(tmp_path):
    """Segment files are read through descriptors: a forked child (the follower of a bulk
    write) must not share its parent's, whose read position the two would move under each
    other."""
    store = IndexStore(tmp_path)
    load(store, [document(str(n), title=f"fusée {n}", object_type=["t1"]) for n in range(400)])
    engine = SearchEngine(store)
    request = SearchRequest(q="fusee", facets=("object_type",), per_page=5)
    assert engine.search(request).total == 400  # the parent holds a warm searcher

    def child(results):
        results.put([engine.search(request).total for _ in range(40)])

    context = multiprocessing.get_context("fork")
    results = context.Queue()
    process = context.Process(target=child, args=(results,))
    process.start()
    mine = [engine.search(request).total for _ in range(40)]
    theirs = results.get(timeout=300)
    process.join(60)
    assert process.exitcode == 0
    assert mine == theirs == [400] * 40
    store.close()
