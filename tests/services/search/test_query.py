"""Searching: each caller finds what they may see, facets count the whole result, texts in
the language asked for, and a search never writes the index."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from catalogue.extensions import db
from catalogue.schemas.search import SearchArgs
from catalogue.services.errors import BadRequest, ValidationFailed
from catalogue.services.identity import ANONYMOUS
from catalogue.services.search import query
from catalogue.services.search import sync as search_sync
from tests import helpers
from tests.services.builders import (
    CALLERS,
    CURATOR,
    RESEARCHER,
    hooks_added,
    new_authority,
    new_object,
    patch,
    refused,
)


@pytest.fixture(autouse=True)
def empty_index(app):
    """The database is emptied between tests, so the index must be too."""
    with app.app_context():
        search_sync.engine(app).store.clear()


def search(identity=ANONYMOUS, status: str | None = None, **given):
    """The page and facets of a search with arguments as the API validates them."""
    args = SearchArgs().load(given)
    if status:
        args["status"] = status  # the workspace's finder narrows by status
    page, facets, _ = query.search(identity, args)
    db.session.remove()
    return page, facets


def ids(page) -> set[str]:
    return {item["id"] for item in page.items}


def counts(facets, name: str) -> dict[str, int]:
    return {value["label"]: value["count"] for value in facets[name]}


@pytest.fixture
def steel(ctx):
    return new_authority("terms", vocabulary="material", label={"fr": "acier", "en": "steel"})


def test_each_caller_finds_the_statuses_it_may_see(steel):
    made = {
        status: new_object(
            status=status, title={"fr": f"Casque {status}"}, materials=[{"id": steel["id"]}]
        )["id"]
        for status in ("public", "internal", "draft")
    }
    for role, caller in CALLERS.items():
        expected = {made[s] for s in made if caller.can_see(s)}
        page, facets = search(caller, q="casque")
        assert ids(page) == expected and page.total == len(expected), role
        assert counts(facets, "material") == {"acier": len(expected)}, role
    # A status narrows what the caller may see; it never widens it.
    page, facets = search(ANONYMOUS, status="draft", q="casque")
    assert (page.items, page.total, facets["material"]) == ([], 0, [])
    assert ids(search(CURATOR, status="draft")[0]) == {made["draft"]}


def test_results_show_the_callers_view_of_each_record(app, ctx):
    record = new_object(status="public", title={"fr": "Masque à gaz"}, internal_notes="Fragile")
    helpers.media(app, record, public=True, caption="Face")
    helpers.media(app, record, public=False, caption="Réserve")
    [shown] = search(ANONYMOUS, q="masque")[0].items
    assert [m["caption"] for m in shown["media"]] == [{"fr": "Face"}]
    assert "internal_notes" not in shown and shown["highlights"]
    [staff] = search(CURATOR, q="masque")[0].items
    assert len(staff["media"]) == 2
    # Staff-only text is never searched, not even by staff.
    assert search(CURATOR, q="fragile")[0].total == 0


def test_facets_count_the_whole_result_not_the_page(steel):
    wood = new_authority("terms", vocabulary="material", label={"fr": "bois", "en": "wood"})
    for material in (steel, steel, steel, wood, wood):
        new_object(status="public", title={"fr": "Caisse"}, materials=[{"id": material["id"]}])
    new_object(status="draft", title={"fr": "Caisse"}, materials=[{"id": wood["id"]}])
    seen = set()
    for number in (1, 2, 3):
        page, facets = search(q="caisse", per_page=2, page=number)
        assert page.total == 5 and len(page.items) == (2 if number < 3 else 1)
        assert counts(facets, "material") == {"acier": 3, "bois": 2}
        seen |= ids(page)
    assert len(seen) == 5
    page, facets = search(q="caisse", material=[wood["id"]])
    assert page.total == 2 and counts(facets, "material") == {"bois": 2}


@pytest.mark.parametrize(
    "q",
    ["casque\x00", "internal_notes:fragile", "valuation:98765", "status:draft", "x" * 1001],
)
def test_an_unreadable_query_is_a_bad_request(ctx, q):
    new_object(status="public", title={"fr": "Casque"})
    with refused(BadRequest):
        search(q=q)


def test_an_inverted_date_range_is_refused(ctx):
    new_object(status="public", production={"date": {"earliest": "1944-01-01"}})
    with refused(ValidationFailed) as caught:
        search(date_from=1945, date_to=1944)
    assert list(caught.value.errors) == ["date_from"]
    assert search(date_from=1944, date_to=1944)[0].total == 1
    assert search(date_from=1945)[0].total == 0


@pytest.fixture
def rocket(steel):
    kind = new_authority("terms", vocabulary="object_type", label={"fr": "Fusée", "en": "Rocket"})
    return new_object(
        status="public",
        title={"fr": "Fusée A4", "en": "A4 rocket"},
        object_type={"id": kind["id"]},
        materials=[{"id": steel["id"]}],
        production={"date": {"earliest": "1944-01-01", "latest": "1944-12-31"}},
    )


def test_lang_adds_display_texts_and_labels_facets_in_that_language(rocket):
    page, facets = search(q="fusée", lang="en")
    [item] = page.items
    assert item["display"]["title"] == "A4 rocket"
    assert item["display"]["object_type"] == "Rocket"
    assert item["display"]["materials"] == ["steel"]
    assert counts(facets, "object_type") == {"Rocket": 1}
    assert counts(facets, "material") == {"steel": 1}
    assert counts(facets, "decade") == {"1940s": 1}
    assert counts(facets, "has_media") == {"without media": 1}


def test_without_lang_facets_are_labelled_in_the_default_language(rocket):
    page, facets = search(q="fusée")
    assert "display" not in page.items[0]
    assert counts(facets, "object_type") == {"Fusée": 1}
    assert counts(facets, "decade") == {"années 1940": 1}
    assert counts(facets, "has_media") == {"sans média": 1}
    # A language the record lacks falls back to the default.
    page, facets = search(q="fusée", lang="de")
    assert page.items[0]["display"]["title"] == "Fusée A4"
    assert counts(facets, "material") == {"acier": 1}


def index_state(app) -> tuple:
    """The index's cursor, its current generation and every file in it (size, mtime)."""
    store = search_sync.engine(app).store
    files = sorted(
        (str(path.relative_to(store.root)), path.stat().st_size, path.stat().st_mtime_ns)
        for path in Path(store.root).rglob("*")
        if path.is_file()
    )
    return store.cursor(), os.readlink(store.root / "current"), files


def test_a_search_never_writes_the_index(app, rocket):
    patch(rocket, {"description": {"fr": "Tronçon de la tuyère."}})
    before = index_state(app)
    assert before[0] > 0
    with hooks_added(app) as points:
        points.committed.clear()  # a commit the index has not followed yet
        late = new_object(status="public", title={"fr": "Fusée V1"})
    for caller in CALLERS.values():
        search(caller, q="fusée", lang="en", per_page=1)
        search(caller, material=[rocket["materials"][0]["id"]], sort="-date")
    with refused(BadRequest):
        search(q="status:draft")
    assert index_state(app) == before
    assert late["id"] not in ids(search(q="fusée")[0])
    # The next writer catches up from the log.
    new_object(status="draft")
    assert late["id"] in ids(search(q="fusée")[0])
    assert index_state(app)[0] > before[0]


def test_a_record_hidden_since_it_was_indexed_is_not_shown(app, ctx):
    record = new_object(status="public", title={"fr": "Périscope"})
    with hooks_added(app) as points:
        points.committed.clear()
        patch(record, {"status": "draft"})
    assert search(ANONYMOUS, q="périscope")[0].items == []
    assert search(RESEARCHER, q="périscope")[0].items == []
    assert ids(search(CURATOR, q="périscope")[0]) == {record["id"]}
