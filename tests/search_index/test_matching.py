"""The numpy matcher against Whoosh itself: the same documents match every kind of query, over
several segments with deletions, and facets count exactly what matched."""

from __future__ import annotations

import random
from collections import Counter

import pytest
from whoosh import query as wq

from search_index.engine import SearchEngine, SearchRequest
from search_index.store import IndexStore
from tests.search_index.documents import document

WORDS_FR = [
    "fusée",
    "casque",
    "bombardement",
    "lettre",
    "affiche",
    "uniforme",
    "médaille",
    "tunnel",
    "coupole",
    "déporté",
    "photographie",
    "carte",
    "béton",
    "ouvrier",
]
WORDS_EN = [
    "rocket",
    "helmet",
    "bombing",
    "letter",
    "poster",
    "uniform",
    "medal",
    "tunnel",
    "dome",
    "deportee",
    "photograph",
    "map",
    "concrete",
    "worker",
]
PLACES = ["Wizernes", "Éperlecques", "Peenemünde", "Londres", "Saint-Omer"]
MATERIALS = ["steel", "paper", "wool", "brass", "glass"]
STATUSES = ("public", "internal", "draft")

QUERIES = [
    "fusee",
    "rockets",
    "casque OR helmet",
    "tunnel AND béton",
    "lettre NOT deporte",
    "lettre -deporte",
    '"fusée casque"',
    '"rocket helmet"~3',
    "fus*",
    "bomb*",
    "hel?et",
    "casqe~",
    "rocekt~2",
    "title:fusée",
    "description:tunnel",
    "place:eperlecques",
    "material:steel",
    "number:2040.00*",
    "number:2040.0001.001",
    "Wizernes OR Londres",
    "(fusee OR casque) AND NOT tunnel",
    "coupole dome",
    "médailles",
    "",
    "zzzz",
]


def _collection(rng: random.Random, count: int) -> list[dict]:
    docs = []
    for n in range(count):
        fr = " ".join(rng.choices(WORDS_FR, k=rng.randint(2, 6)))
        en = " ".join(rng.choices(WORDS_EN, k=rng.randint(2, 6)))
        start = rng.randint(1930, 1950)
        docs.append(
            document(
                str(n),
                number=f"2040.{n // 100:04d}.{n % 100:03d}",
                status=rng.choice(STATUSES),
                title=f"{fr}\n{en}",
                description=" ".join(rng.choices(WORDS_FR + WORDS_EN, k=rng.randint(0, 12))),
                place=rng.choice(PLACES),
                material=" ".join(rng.sample(MATERIALS, rng.randint(0, 2))),
                object_type=[rng.choice(["t1", "t2", "t3"])],
                material_ids=rng.sample(MATERIALS, rng.randint(0, 2)),
                place_ids=[rng.choice(["p1", "p2"])],
                has_media=rng.random() < 0.3,
                date_from=start,
                date_to=start + rng.randint(0, 3),
            )
        )
    return docs


@pytest.fixture(scope="module")
def indexed(tmp_path_factory):
    """Four segments, with documents deleted and replaced in the later ones."""
    store = IndexStore(tmp_path_factory.mktemp("matching"))
    docs = _collection(random.Random(1944), 400)
    batches = [(docs[i : i + 100], []) for i in range(0, 400, 100)]
    batches.append(([{**docs[5], "title": "fusée remplacée\nreplaced rocket"}], ["7", "150"]))
    for n, (upserts, deletes) in enumerate(batches):
        # One apply per batch: each commits a segment of its own.
        store.apply(
            lambda cursor, n=n, u=upserts, d=deletes: (
                (u, d, n + 1) if cursor == n else ([], [], cursor)
            )
        )
    live = {d["id"]: d for d in docs if d["id"] not in ("7", "150")}
    live["5"] = {**docs[5], "title": "fusée remplacée\nreplaced rocket"}
    return SearchEngine(store), live


def _whoosh_ids(engine: SearchEngine, q: str, statuses) -> set[str]:
    parsed = engine.parse(q)
    allowed = wq.Or([wq.Term("status", s) for s in statuses])
    combined = allowed if isinstance(parsed, wq.Every) else wq.And([parsed, allowed])
    with engine.store.searcher() as searcher:
        return {hit["id"] for hit in searcher.search(combined, limit=None)}


def _engine_ids(engine: SearchEngine, q: str, statuses, **options) -> tuple[set[str], int]:
    found, page, total = set(), 1, 0
    while True:
        result = engine.search(
            SearchRequest(q=q, statuses=statuses, page=page, per_page=100, **options)
        )
        total = result.total
        found |= {hit.id for hit in result.hits}
        if page * 100 >= total:
            return found, total
        page += 1


@pytest.mark.parametrize("q", QUERIES)
@pytest.mark.parametrize("statuses", [("public",), STATUSES])
def test_the_same_documents_match_as_in_whoosh(indexed, q, statuses):
    engine, _ = indexed
    expected = _whoosh_ids(engine, q, statuses)
    found, total = _engine_ids(engine, q, statuses)
    assert found == expected and total == len(expected)


@pytest.mark.parametrize("q", ["", "fusee OR rocket", "tunnel", "casque -helmet"])
def test_facets_count_exactly_what_matched(indexed, q):
    engine, live = indexed
    statuses = ("public", "internal")
    expected_ids = _whoosh_ids(engine, q, statuses)
    result = engine.search(
        SearchRequest(
            q=q, statuses=statuses, facets=("material", "place", "object_type"), facet_limit=100
        )
    )
    for facet, source in (
        ("material", "material_ids"),
        ("place", "place_ids"),
        ("object_type", "object_type"),
    ):
        counted = Counter(value for i in expected_ids for value in live[i][source])
        assert dict(result.facets[facet]) == dict(counted), facet


@pytest.mark.parametrize("sort", ["object_number", "-object_number", "date", "-date"])
def test_sorted_pages_follow_the_stored_values(indexed, sort):
    engine, live = indexed
    statuses = ("public",)
    matched = _whoosh_ids(engine, "fusee OR casque", statuses)
    hits = engine.search(
        SearchRequest(q="fusee OR casque", statuses=statuses, sort=sort, per_page=100)
    ).hits
    assert {hit.id for hit in hits} <= matched and len(hits) == min(100, len(matched))
    # By date: earliest start first, or latest end first.
    key = "number" if "number" in sort else ("date_to" if sort == "-date" else "date_from")
    values = [live[hit.id][key] for hit in hits]
    assert values == sorted(values, reverse=sort.startswith("-"))
