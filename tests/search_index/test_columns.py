"""The per-segment arrays the writers keep next to the index, which every searching process of a
node maps instead of building its own copy."""

from __future__ import annotations

import random
import shutil

import numpy as np
import pytest

from search_index import columns
from search_index.engine import SearchEngine, SearchRequest
from search_index.store import IndexStore
from tests.search_index.documents import document, load

FACETS = ("object_type", "material", "collection", "maker", "decade", "has_media")
REQUESTS = [
    SearchRequest(q="", facets=FACETS, per_page=50),
    SearchRequest(q="fusee OR casque", facets=FACETS, per_page=50),
    SearchRequest(q="fus*", facets=FACETS, sort="date", per_page=30),
    SearchRequest(q="", sort="-date", per_page=40),
    SearchRequest(q="", sort="object_number", page=2, per_page=25),
    SearchRequest(q="", sort="-updated", per_page=25),
    SearchRequest(q="casque", filters={"material": ["m2"]}, facets=FACETS),
    SearchRequest(q="lettre", statuses=("public", "internal"), facets=FACETS, sort="-date"),
]


def _documents(start: int, count: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    words = ["fusée", "casque", "lettre", "tunnel", "béton", "affiche"]
    found = []
    for n in range(start, start + count):
        year = rng.choice([None, 1890, 1917, 1943, 1944, 1945, 1990])
        found.append(
            document(
                str(n),
                status=rng.choice(["public", "public", "internal", "draft"]),
                title=" ".join(rng.sample(words, 2)),
                description=" ".join(rng.choices(words, k=rng.randint(0, 12))),
                object_type=[f"t{rng.randint(1, 4)}"],
                # some documents with more values than the dense layers hold
                material_ids=[f"m{k}" for k in rng.sample(range(1, 9), rng.randint(0, 7))],
                collection=[f"c{rng.randint(1, 3)}"],
                maker_ids=[f"a{rng.randint(1, 30)}"],
                has_media=rng.random() < 0.3,
                date_from=year,
                date_to=year + rng.randint(0, 40) if year else None,
                updated=f"2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}T00:00:00Z",
            )
        )
    return found


def _delete(store: IndexStore, ids: list[str]) -> None:
    last = store.cursor()

    def fetch(cursor):
        return ([], [], cursor) if cursor > last else ([], ids, last + 1)

    store.apply(fetch)


def _answers(engine: SearchEngine) -> list:
    answers = []
    for request in REQUESTS:
        result = engine.search(request)
        hits = [(hit.id, None if hit.score is None else round(hit.score, 4)) for hit in result.hits]
        answers.append((result.total, hits, result.facets))
    return answers


@pytest.fixture()
def store(tmp_path):
    store = IndexStore(tmp_path / "index")
    for batch in range(4):  # several segments, with deletions
        load(store, _documents(batch * 150, 150, seed=batch))
    _delete(store, [str(n) for n in range(0, 600, 9)])
    yield store
    store.close()


def test_the_shared_arrays_give_the_answers_of_arrays_built_in_memory(store, tmp_path):
    shared = SearchEngine(store)
    answers = _answers(shared)
    assert shared.shared.counts["in_memory"] == 0 and shared.shared.counts["shared"] > 0
    store.close()
    # The same index without its arrays: each process builds its own, as before.
    copy = tmp_path / "copy"
    shutil.copytree(store.root, copy, symlinks=True)
    for folder in copy.glob(f"gen-*/{columns.COLUMNS}"):
        shutil.rmtree(folder)
    alone = IndexStore(copy)
    built = SearchEngine(alone)
    assert _answers(built) == answers
    assert built.shared.counts["shared"] == 0 and built.shared.counts["in_memory"] > 0
    alone.close()
    # Not a comparison of empty answers: they hold hits, facet counts and sorted pages.
    assert all(total and hits for total, hits, _ in answers)
    assert answers[1][2]["material"] and answers[0][2]["decade"]


def test_a_new_commit_is_seen_with_its_own_arrays(store):
    engine = SearchEngine(store)
    before = engine.search(SearchRequest(q="", facets=("object_type",), statuses=("public",)))
    load(store, [document("9000", title="nouvelle fusée", object_type=["t-new"])])
    after = engine.search(SearchRequest(q="", facets=("object_type",), statuses=("public",)))
    assert after.total == before.total + 1
    assert ("t-new", 1) in after.facets["object_type"]
    assert engine.search(SearchRequest(q="", sort="-date", per_page=1000)).total == after.total
    # Every segment of the index has its arrays, mapped rather than copied.
    generation = store.root / store._generation()
    with store.open().reader() as reader:
        segments = {leaf.segment().segment_id() for leaf, _ in reader.leaf_readers()}
    written = {p.name for p in (generation / columns.COLUMNS).iterdir()}
    assert segments <= written
    assert engine.shared.counts["in_memory"] == 0
    segment = next(iter(segments))
    layers = engine.shared.facet(store._generation(), segment, "f_object_type")[0]
    assert isinstance(layers, np.memmap)


def test_arrays_of_merged_segments_go_after_a_while(store, monkeypatch):
    generation = store.root / store._generation()
    folder = generation / columns.COLUMNS
    before = {p.name for p in folder.iterdir()}
    monkeypatch.setattr(columns, "KEEP_GONE_SECONDS", 0.0)
    _delete(store, ["1"])
    ix = store.open()
    writer = ix.writer(compound=False)
    writer.commit(optimize=True)  # one segment left
    columns.write_missing(generation)
    with ix.reader() as reader:
        (segment,) = [leaf.segment().segment_id() for leaf, _ in reader.leaf_readers()]
    assert {p.name for p in folder.iterdir()} == {segment}
    assert segment not in before
