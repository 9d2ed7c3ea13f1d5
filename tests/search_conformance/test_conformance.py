"""What every search backend must do, through ``GET /api/v1/search``: the query language,
French and English analysis, facets over the whole result, highlights, visibility, sorting
and pagination. The same tests, the same records, for each set-up of ``conftest.py``."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from catalogue.extensions import db
from tests.helpers import agent, collection, obj, place, term


def search(client, caller=None, status: int = 200, **params):
    response = client.get(
        "/api/v1/search", query_string=params, headers=caller.headers if caller else {}
    )
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def found(client, q, caller=None, **params) -> set[str]:
    """The titles (French) of every match, all pages read."""
    titles, page = set(), 1
    while True:
        answer = search(client, caller, q=q, per_page=100, page=page, **params)
        titles |= {item["title"]["fr"] for item in answer["items"]}
        if not answer["next"]:
            assert len(titles) == answer["total"], q
            return titles
        page += 1


@pytest.fixture
def shelf(client, curator):
    """A small collection where each query below has one right answer."""
    rocket = term(client, curator, "object_type", "Fusée", "Rocket")
    helmet = term(client, curator, "object_type", "Casque", "Helmet")
    steel = term(client, curator, "material", "Acier", "Steel")
    wood = term(client, curator, "material", "Bois", "Wood")
    maker = agent(client, curator, "Mittelwerk GmbH")
    site = place(client, curator, "Éperlecques")
    group = collection(client, curator, "Armes V", "V-weapons")

    def make(title, description=None, status="public", kind=rocket, materials=(), year=None):
        fields = {
            "status": status,
            "title": title,
            "object_type": {"id": kind["id"]},
            "materials": [{"id": m["id"]} for m in materials],
        }
        if description:
            fields["description"] = description
        if year:
            fields["production"] = {
                "date": {"earliest": f"{year}-01-01", "latest": f"{year}-12-31"},
            }
        return obj(client, curator, **fields)

    records = {
        "a4": make(
            {"fr": "Fusée A4 (V2)", "en": "A4 (V2) rocket"},
            {"fr": "Des bombardements ont visé la base.", "en": "Bombing raids hit the base."},
            materials=[steel],
            year=1944,
        ),
        "v1": make(
            {"fr": "Bombe volante V1", "en": "V1 flying bomb"},
            {"fr": "Tuyère et réservoir.", "en": "Raids of bombing aircraft were feared."},
            materials=[steel, wood],
            year=1943,
        ),
        "casque": make(
            {"fr": "Casque allemand", "en": "German helmet"},
            {"fr": "Trouvé près de la fusée.", "en": "Found near the rocket."},
            kind=helmet,
            materials=[steel],
            year=1940,
        ),
        "caisse": make(
            {"fr": "Caisse de munitions", "en": "Ammunition crate"},
            kind=helmet,
            materials=[wood],
            year=1951,
        ),
        "note": make(
            {"fr": "Rapport interne", "en": "Internal report"},
            {"fr": "Essais de la fusée à Peenemünde."},
            status="internal",
            materials=[wood],
        ),
        "plan": make(
            {"fr": "Plan confidentiel de fusée", "en": "Secret rocket drawing"},
            status="draft",
            materials=[steel],
        ),
    }
    return {
        "records": records,
        "rocket": rocket,
        "helmet": helmet,
        "steel": steel,
        "wood": wood,
        "maker": maker,
        "place": site,
        "collection": group,
    }


TITLES = {
    "a4": "Fusée A4 (V2)",
    "v1": "Bombe volante V1",
    "casque": "Casque allemand",
    "caisse": "Caisse de munitions",
    "note": "Rapport interne",
    "plan": "Plan confidentiel de fusée",
}


def titles(*keys) -> set[str]:
    return {TITLES[key] for key in keys}


@pytest.mark.parametrize(
    ("q", "expected"),
    [
        # Words, in either language, with or without accents, across inflections.
        ("fusée", ("a4", "v1", "casque")),
        ("fusee", ("a4", "v1", "casque")),
        ("FUSÉES", ("a4", "v1", "casque")),
        ("rockets", ("a4", "v1", "casque")),
        ("helmets", ("casque", "caisse")),
        ("allemande", ("casque",)),
        ("bombardement", ("a4",)),
        ("munition", ("caisse",)),
        ("tuyere", ("v1",)),
        # Every word must match, unless OR says otherwise; NOT and - leave out.
        ("fusée casque", ("casque",)),
        ("fusée AND casque", ("casque",)),
        ("casque OR caisse", ("casque", "caisse")),
        ("fusée NOT casque", ("a4", "v1")),
        ("(casque OR caisse) AND munitions", ("caisse",)),
        # Phrases keep their words in order and together.
        ('"bombing raids"', ("a4",)),
        ('"hit raids"', ()),
        ('"flying bomb"', ("v1",)),
        # Fields.
        ("title:fusée", ("a4",)),
        ("description:fusée", ("casque",)),
        ("title:helmet", ("casque",)),
        # Prefixes.
        ("bomb*", ("a4", "v1")),
        ("munit*", ("caisse",)),
        # Linked labels are searched in both languages.
        ("acier", ("a4", "v1", "casque")),
        ("steel", ("a4", "v1", "casque")),
        ("wood", ("v1", "caisse")),
        # Stop words alone find nothing; among other words they are ignored.
        ("de", ()),
        ("le casque allemand", ("casque",)),
    ],
)
def test_query_language_and_analysis(client, shelf, q, expected):
    assert found(client, q) == titles(*expected)


def test_accession_numbers_whole_and_by_prefix(client, shelf):
    number = shelf["records"]["caisse"]["object_number"]
    assert found(client, number) == titles("caisse")
    assert found(client, f"number:{number}") == titles("caisse")
    prefix = number.rsplit(".", 1)[0]
    assert found(client, f"number:{prefix}*") == titles("caisse")


def test_each_caller_sees_only_what_it_may(client, users, shelf):
    expected = {
        "anonymous": titles("a4", "v1", "casque"),
        "researcher": titles("a4", "v1", "casque", "note"),
        "curator": titles("a4", "v1", "casque", "note", "plan"),
        "admin": titles("a4", "v1", "casque", "note", "plan"),
    }
    for role, visible in expected.items():
        assert found(client, "fusée", users[role]) == visible, role
        answer = search(client, users[role], q="fusée")
        assert answer["total"] == len(visible), role
        counted = sum(value["count"] for value in answer["facets"]["has_media"])
        assert counted == len(visible), role
    # Words found only in hidden records find nothing, and are not suggested.
    for q in ("confidentiel", "peenemunde", "secret", "confidentiel~", "confident*"):
        answer = search(client, users["anonymous"], q=q)
        assert (answer["total"], answer["items"], answer["suggestion"]) == (0, [], None), q
    assert found(client, "peenemunde", users["researcher"]) == titles("note")


def test_facets_count_the_whole_result(client, users, shelf):
    steel, wood = shelf["steel"]["id"], shelf["wood"]["id"]
    rocket, helmet = shelf["rocket"]["id"], shelf["helmet"]["id"]
    for per_page in (1, 2, 100):
        answer = search(client, q="", per_page=per_page)
        assert answer["total"] == 4
        facets = answer["facets"]
        assert {f["value"]: f["count"] for f in facets["material"]} == {steel: 3, wood: 2}
        assert {f["value"]: f["count"] for f in facets["object_type"]} == {
            rocket: 2,
            helmet: 2,
        }
        assert [(f["value"], f["count"]) for f in facets["decade"]] == [
            ("1940", 3),
            ("1950", 1),
        ]
    # Largest count first.
    assert [f["value"] for f in search(client, q="")["facets"]["material"]] == [steel, wood]
    staff = search(client, users["curator"], q="")["facets"]
    assert {f["value"]: f["count"] for f in staff["material"]} == {steel: 4, wood: 3}
    # Filters narrow the result and its counts; values of one filter are alternatives.
    answer = search(client, q="", material=[wood])
    assert found(client, "", material=[wood]) == titles("v1", "caisse")
    assert {f["value"]: f["count"] for f in answer["facets"]["material"]} == {steel: 1, wood: 2}
    assert found(client, "", object_type=[rocket, helmet], material=[wood]) == titles(
        "v1", "caisse"
    )
    assert found(client, "", date_from=1941, date_to=1944) == titles("a4", "v1")
    assert found(client, "", date_from=1950) == titles("caisse")
    assert found(client, "", has_media="false") == titles("a4", "v1", "casque", "caisse")
    assert found(client, "", has_media="true") == set()


def test_highlights_mark_the_matched_words_and_escape_the_rest(client, curator, shelf):
    answer = search(client, q="rockets")
    marks = {item["title"]["fr"]: item["highlights"] for item in answer["items"]}
    assert "<mark>rocket</mark>" in marks[TITLES["a4"]]["title"]
    assert "<mark>rocket</mark>" in marks[TITLES["casque"]]["description"]
    assert "title" not in marks[TITLES["casque"]]
    answer = search(client, q="bombardements")
    [item] = answer["items"]
    assert "<mark>bombardements</mark>" in item["highlights"]["description"]
    obj(
        client,
        curator,
        status="public",
        title={"fr": 'Tract <img src=x onerror="alert(1)"> & affiche'},
        description={"fr": "Affiche <b>imprimée</b> à Lille."},
    )
    [item] = search(client, q="affiche")["items"]
    for text in item["highlights"].values():
        assert "<img" not in text and "<b>" not in text
        assert text.replace("<mark>", "").replace("</mark>", "").count("<") == 0
    assert "&lt;img" in item["highlights"]["title"]
    assert "<mark>affiche</mark>" in item["highlights"]["title"]


@pytest.mark.parametrize("sort", ["object_number", "date", "updated"])
def test_sorting_and_pagination(client, users, shelf, sort):
    records = shelf["records"]
    visible = [records[key] for key in ("a4", "v1", "casque", "caisse", "note")]
    keys = {
        "object_number": lambda r: r["object_number"],
        "date": lambda r: r["production"]["date"]["earliest"] if r.get("production") else "9",
        "updated": lambda r: r["updated_at"],
    }
    expected = [r["object_number"] for r in sorted(visible, key=keys[sort])]
    pages = []
    for page in (1, 2, 3):
        answer = search(client, users["researcher"], q="", sort=sort, per_page=2, page=page)
        assert answer["total"] == 5 and answer["page"] == page
        assert bool(answer["next"]) == (page < 3) and bool(answer["prev"]) == (page > 1)
        pages += [item["object_number"] for item in answer["items"]]
    assert pages == expected
    if sort == "object_number":  # (updated: equal to the second, ties by number)
        descending = search(client, users["researcher"], q="", sort=f"-{sort}", per_page=100)
        assert [i["object_number"] for i in descending["items"]] == expected[::-1]
    beyond = search(client, users["researcher"], q="", sort=sort, per_page=2, page=9)
    assert beyond["items"] == [] and beyond["total"] == 5


def test_relevance_puts_title_matches_first(client, shelf):
    answer = search(client, q="fusée")
    assert answer["items"][0]["title"]["fr"] == TITLES["a4"] and answer["total"] == 3


@pytest.mark.parametrize(
    "q", ['"unclosed', "title:", "AND", "((casque", "status:public", "x" * 1001, "casque\x00"]
)
def test_unreadable_queries_are_problems_never_errors(client, shelf, q):
    response = client.get("/api/v1/search", query_string={"q": q})
    assert response.status_code in (200, 400), q
    if response.status_code == 400:
        assert response.mimetype == "application/problem+json"
        assert response.get_json()["detail"]


def test_readiness_reports_the_lag(client, shelf):
    body = client.get("/readyz").get_json()
    assert body["checks"]["search_index"] == "ok"
    assert body["search_index_lag"] == {"changes": 0, "seconds": 0}


def test_deleted_and_hidden_records_leave_the_results(client, curator, shelf):
    from tests.helpers import read

    record = shelf["records"]["caisse"]
    _, etag = read(client, curator, record)
    response = client.patch(
        f"/api/v1/objects/{record['id']}",
        json={"status": "draft"},
        headers={**curator.headers, "If-Match": etag},
    )
    assert response.status_code == 200
    assert found(client, "caisse") == set()
    _, etag = read(client, curator, shelf["records"]["casque"])
    response = client.delete(
        f"/api/v1/objects/{shelf['records']['casque']['id']}",
        headers={**curator.headers, "If-Match": etag},
    )
    assert response.status_code == 204
    assert found(client, "allemand", curator) == set()
    assert found(client, "fusée") == titles("a4", "v1")


def test_where_each_backend_keeps_its_documents(app, client, shelf, search_setup):
    """Whoosh: in the node's index directory. PostgreSQL: rows in the database, written
    with the records, and no index directory on the node."""
    from pathlib import Path

    from catalogue.services.search import sync

    with app.app_context():
        if search_setup == "postgresql":
            assert not Path(app.config["SEARCH_INDEX_DIR"]).exists()
            count = db.session.execute(sa.text("SELECT count(*) FROM search.documents")).scalar()
        else:
            count = len(sync.engine(app).store.stored())
        db.session.remove()
    assert count == 6


def test_what_a_backend_forgot_comes_back_from_the_log_and_a_reindex(app, client, shelf):
    """``catalogue search sync`` after the backend lost everything (a restore, a new node),
    ``verify`` to see it, ``reindex`` to rebuild."""
    from catalogue.services.search import backends

    everything = titles("a4", "v1", "casque", "caisse")
    with app.app_context():
        backend = backends.current(app)
        backend.clear()
        db.session.remove()
    assert found(client, "") == set()
    with app.app_context():
        assert len(backend.verify()["missing"]) == 6
        assert backend.lag()["changes"] > 0
        assert backend.catch_up() == 6
        assert backend.verify() == {"missing": [], "stale": [], "extra": []}
        assert backend.lag() == {"changes": 0, "seconds": 0}
        db.session.remove()
    assert found(client, "") == everything
    with app.app_context():
        assert backend.reindex() == 6
        assert backend.verify() == {"missing": [], "stale": [], "extra": []}
        db.session.remove()
    assert found(client, "") == everything
    assert found(client, "fusee") == titles("a4", "v1", "casque")
