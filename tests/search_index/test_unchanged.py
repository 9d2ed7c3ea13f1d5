"""Search results are unchanged by the speed work: the same answers as recorded before it.

``unchanged.json`` was recorded with the engine as it stood before the per-hit and
per-request optimisations (stored fragments, one read per page, cached facets, bounded
suggestions), on a fixed corpus of 400 long bilingual records built by the search benchmark's
generator. For each request it holds the total, a fingerprint of every matched id in order
(the whole result as one page), the page's ids, the highlights of its first hits (and a
fingerprint of all of them), every facet and the suggestion. Relevance, sorted orders (with
their ties), filters and statuses are all covered.

Recorded again (only when a change of results is intended) with
``.venv/bin/python -m tests.search_index.test_unchanged``.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from benchmarks import bilingual
from catalogue.services.search.documents import search_document
from search_index.engine import SearchEngine, SearchRequest
from search_index.matching import Evaluator
from search_index.spelling import words_within
from search_index.store import IndexStore
from tests.search_index.documents import load

RECORDED = Path(__file__).with_name("unchanged.json")
FACETS = ("object_type", "material", "collection", "maker", "place", "decade", "has_media")
ALL = ("public", "internal", "draft")
SHOWN = 4


def corpus() -> list[dict]:
    auth = bilingual.authorities()
    return [search_document(row["document"]) for row in bilingual.objects(400, auth)]


def requests() -> list[dict]:
    auth = bilingual.authorities()
    mix = bilingual.query_mix(auth)[:60]
    found: list[dict] = [{"q": q} for q in mix]
    found += [{"q": q} for q in bilingual.no_match_queries()[:3]]
    found += [{"q": q} for q in ("fusee", "bombardemnt", "rokcet casque", "photographi")]
    found += [{"q": q, "statuses": ALL} for q in mix[:10]]
    for sort in ("date", "-date", "object_number", "-object_number", "updated", "-updated"):
        found.append({"q": "", "sort": sort})
        found.append({"q": "fusée OR rocket", "sort": sort, "statuses": ALL})
    found.append({"q": "", "sort": "-relevance"})
    found.append({"q": "bunker", "sort": "-relevance"})
    types = [str(item["id"]) for item in auth["object_type"][:3]]
    found.append({"q": "photographie", "filters": {"object_type": types}})
    found.append({"q": "", "filters": {"has_media": ["false"]}, "date_from": 1940, "date_to": 1944})
    found.append({"q": "title:rocket", "page": 2, "per_page": 7})
    found.append({"q": "bunk* NOT béton"})
    found.append({"q": "casqe~"})
    found.append({"q": '"fusée allemand" OR "rocket kept"'})
    return found


def answer(engine: SearchEngine, options: dict) -> dict:
    options = {"facets": FACETS, **options}
    if "per_page" not in options:
        whole = engine.search(SearchRequest(**{**options, "facets": (), "per_page": 10_000}))
        options["per_page"] = 20
    else:
        whole = None
    result = engine.search(SearchRequest(**options))
    ordered = [hit.id for hit in (whole.hits if whole else result.hits)]
    return {
        "total": result.total,
        "order": _fingerprint("\n".join(ordered)),
        "page": [hit.id for hit in result.hits],
        # The first hits' highlights as they are; every shown hit's in the fingerprint.
        "highlights": [hit.highlights for hit in result.hits[:SHOWN]],
        "all_highlights": _fingerprint(json.dumps([h.highlights for h in result.hits])),
        "facets": {name: _facet(name, pairs) for name, pairs in result.facets.items()},
        "suggestion": result.suggestion,
    }


def _facet(name: str, pairs) -> dict:
    """Small facets as they are; makers and places (thousands of ids): the first ones and a
    fingerprint of all 50 (values, counts and their order)."""
    pairs = [list(pair) for pair in pairs]
    if name not in ("maker", "place"):
        return {"values": pairs}
    return {"values": pairs[:3], "all": _fingerprint(json.dumps(pairs))}


def _fingerprint(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    store = IndexStore(tmp_path_factory.mktemp("index"))
    load(store, corpus())
    return SearchEngine(store)


@pytest.mark.parametrize("position", range(len(requests())))
def test_results_are_as_recorded(engine, position):
    recorded = json.loads(RECORDED.read_text())
    options = requests()[position]
    expected = recorded[position]
    assert expected["request"] == json.loads(json.dumps(options))
    got = answer(engine, options)
    assert got == expected["answer"], options


def test_the_recording_covers_hits_facets_highlights_and_suggestions():
    recorded = json.loads(RECORDED.read_text())
    answers = [item["answer"] for item in recorded]
    assert len(recorded) == len(requests())
    assert sum(1 for a in answers if a["total"] == 0) >= 3
    assert sum(1 for a in answers if a["suggestion"]) >= 2
    assert sum(1 for a in answers if any(a["highlights"])) >= 40
    assert all(a["facets"]["object_type"] for a in answers if a["total"])


def record() -> None:
    import tempfile

    with tempfile.TemporaryDirectory() as directory:
        store = IndexStore(directory)
        load(store, corpus())
        engine = SearchEngine(store)
        items = [{"request": options, "answer": answer(engine, options)} for options in requests()]
        store.close()
    RECORDED.write_text(json.dumps(items, ensure_ascii=False, indent=1) + "\n")


if __name__ == "__main__":
    record()


def test_spelling_finds_the_words_whoosh_finds(engine):
    # Misspellings of words of the corpus (a letter dropped, doubled, changed, two swapped).
    words = "fuse fusé bombardemnt photografie rockte casqe bunkker éperlecqes temoignage"
    words = (words + " resistence zorglub xx deschamp lenglt").split()
    with engine.store.searcher() as searcher:
        evaluator = Evaluator(engine._cache, searcher)
        reader = searcher.reader()
        for word in words:
            for maxdist in (1, 2):
                expected = set(reader.terms_within("spell", word, maxdist))
                assert words_within(evaluator.segments, word, maxdist) == expected, word
