"""GET /api/v1/search through HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.extensions import db
from catalogue.models import CatalogueObject, ObjectTerm, Status
from catalogue.services.search import sync as search_sync
from search_index.engine import SearchEngine
from search_index.store import IndexStore
from tests.helpers import agent, collection, obj, place, read, term


@pytest.fixture(autouse=True)
def empty_index(app):
    """Each test starts from an empty index (the database is emptied between tests)."""
    with app.app_context():
        search_sync.engine(app).store.clear()


def search(client, caller=None, status: int = 200, **params):
    response = client.get(
        "/api/v1/search", query_string=params, headers=caller.headers if caller else {}
    )
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def numbers(answer) -> set[str]:
    return {item["object_number"] for item in answer["items"]}


def patch(client, caller, record, changes, path="/api/v1/objects"):
    _, etag = read(client, caller, record) if path == "/api/v1/objects" else (None, None)
    if etag is None:
        etag = client.get(f"{path}/{record['id']}", headers=caller.headers).headers["ETag"]
    response = client.patch(
        f"{path}/{record['id']}",
        json=changes,
        headers={**caller.headers, "If-Match": etag},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


@pytest.fixture
def rocket(client, curator):
    """A public rocket with linked authorities in French and English."""
    kind = term(client, curator, "object_type", "Fusée", "Rocket")
    steel = term(client, curator, "material", "Acier", "Steel")
    maker = agent(client, curator, "Mittelwerk GmbH")
    site = place(client, curator, "Éperlecques")
    group = collection(client, curator, "Armes V", "V-weapons")
    record = obj(
        client,
        curator,
        status="public",
        title={"fr": "Fusée A4 (V2)", "en": "A4 (V2) rocket"},
        description={"fr": "Des bombardements ont visé la base.", "en": "Bombing raids."},
        object_type={"id": kind["id"]},
        materials=[{"id": steel["id"]}],
        collections=[{"id": group["id"]}],
        production={
            "makers": [{"agent": {"id": maker["id"]}, "role": "fabricant"}],
            "place": {"id": site["id"]},
            "date": {"display": "1944", "earliest": "1944-01-01", "latest": "1944-12-31"},
        },
    )
    return {
        "record": record,
        "type": kind,
        "steel": steel,
        "maker": maker,
        "place": site,
        "collection": group,
    }


@pytest.mark.parametrize(
    "query",
    [
        "fusee",
        "fusées",
        "rockets",
        "bombardement",
        "steel",
        "acier",
        "title:fusée",
        "maker:mittelwerk",
        "place:eperlecques",
        "material:steel",
        "number:2026.*",
        "v-weapons",
        "fabricant",
    ],
)
def test_finds_french_and_english_text_and_linked_labels(client, curator, rocket, query):
    answer = search(client, q=query)
    assert numbers(answer) == {rocket["record"]["object_number"]}


def test_exact_accession_number(client, curator, rocket):
    number = rocket["record"]["object_number"]
    assert numbers(search(client, q=number)) == {number}
    assert numbers(search(client, q=f"number:{number}")) == {number}


def test_envelope_items_facets_and_labels(client, curator, rocket):
    answer = search(client, q="fusée", lang="en")
    assert set(answer) >= {"items", "total", "page", "per_page", "next", "prev", "facets"}
    assert answer["total"] == 1 and answer["next"] is None and answer["prev"] is None
    assert answer["suggestion"] is None
    item = answer["items"][0]
    assert item["id"] == rocket["record"]["id"]
    assert "<mark>Fusée</mark> A4 (V2)" in item["highlights"]["title"]
    assert item["display"]["title"] == "A4 (V2) rocket"
    facets = answer["facets"]
    assert set(facets) == {
        "object_type",
        "material",
        "collection",
        "maker",
        "place",
        "decade",
        "has_media",
        "rights",
    }
    assert facets["object_type"] == [{"value": rocket["type"]["id"], "label": "Rocket", "count": 1}]
    assert facets["collection"][0]["label"] == "V-weapons"
    assert facets["decade"] == [{"value": "1940", "label": "1940s", "count": 1}]
    assert facets["has_media"] == [{"value": "false", "label": "without media", "count": 1}]
    french = search(client, q="fusée", lang="fr")["facets"]
    assert french["object_type"][0]["label"] == "Fusée"


def test_filters(client, curator, rocket):
    other = obj(client, curator, status="public", title={"fr": "Fusée factice"})
    both = {rocket["record"]["object_number"], other["object_number"]}
    assert numbers(search(client, q="fusée")) == both
    only = {rocket["record"]["object_number"]}
    for name in ("object_type", "material", "maker", "place", "collection"):
        key = {"object_type": "type", "material": "steel"}.get(name, name)
        assert numbers(search(client, q="fusée", **{name: rocket[key]["id"]})) == only
    assert numbers(search(client, q="fusée", date_from=1940, date_to=1944)) == only
    assert numbers(search(client, q="fusée", date_from=1945)) == set()
    assert numbers(search(client, q="fusée", has_media="false")) == both
    assert numbers(search(client, q="fusée", has_media="true")) == set()


def test_a_save_is_searchable_when_the_request_returns(client, curator, rocket):
    record = rocket["record"]
    patch(client, curator, record, {"title": {"fr": "Tuyère de propulsion", "en": None}})
    assert numbers(search(client, q="tuyère")) == {record["object_number"]}
    assert numbers(search(client, q="A4")) == set()
    response = client.delete(
        f"/api/v1/objects/{record['id']}",
        headers={**curator.headers, "If-Match": read(client, curator, record)[1]},
    )
    assert response.status_code == 204
    assert search(client, q="tuyère")["total"] == 0


def test_renaming_a_linked_authority_reaches_the_index(client, curator, rocket):
    label = {"label": {"fr": "Usine Dora", "en": "Dora factory"}}
    patch(client, curator, rocket["maker"], label, "/api/v1/agents")
    assert numbers(search(client, q="maker:dora")) == {rocket["record"]["object_number"]}
    assert search(client, q="mittelwerk")["total"] == 0


def test_facet_labels_follow_a_renamed_authority(client, curator, rocket):
    # Facet labels are kept per state of the index; a new label must show at once.
    for lang in ("en", "fr", "en"):
        search(client, q="rocket", lang=lang)
    patch(
        client,
        curator,
        rocket["maker"],
        {"label": {"fr": "Usine Dora", "en": "Dora"}},
        "/api/v1/agents",
    )
    for lang, expected in (("en", "Dora"), ("fr", "Usine Dora")):
        makers = search(client, q="rocket", lang=lang)["facets"]["maker"]
        assert makers == [{"value": rocket["maker"]["id"], "label": expected, "count": 1}]


def test_visibility_of_results_totals_and_facets(client, users, curator):
    kind = term(client, curator, "object_type", "Casque", "Helmet")
    for status in ("public", "internal", "draft"):
        obj(
            client,
            curator,
            status=status,
            title={"fr": f"Casque {status}"},
            object_type={"id": kind["id"]},
        )
    expected = {"anonymous": 1, "researcher": 2, "curator": 3, "admin": 3}
    for role, count in expected.items():
        answer = search(client, users[role], q="casque")
        assert answer["total"] == count, role
        assert len(answer["items"]) == count
        assert answer["facets"]["object_type"][0]["count"] == count
    anonymous = search(client, users["anonymous"], q="casque draft")
    assert anonymous["total"] == 0 and anonymous["facets"]["object_type"] == []
    # A word only in a draft is not even suggested to those who cannot see it.
    obj(client, curator, status="draft", title={"fr": "Prototype confidentiel"})
    assert search(client, users["anonymous"], q="confidantiel")["suggestion"] is None
    assert search(client, users["curator"], q="confidantiel")["suggestion"] == "confidentiel"


def test_staff_only_fields_are_never_matched(client, users, curator):
    record = obj(
        client,
        curator,
        status="public",
        title={"fr": "Maquette"},
        internal_notes="motsecretinterne",
        valuation={"amount": "999.00", "currency": "EUR"},
        acquisition={"source": "Famille Martin", "source_contact": "contactprive@example.org"},
    )
    for role in ("anonymous", "researcher", "curator"):
        for word in ("motsecretinterne", "contactprive", "contactprive@example.org", "999.00"):
            assert search(client, users[role], q=word)["total"] == 0, (role, word)
    answer = search(client, users["researcher"], q="martin")
    assert numbers(answer) == {record["object_number"]}
    item = answer["items"][0]
    assert "internal_notes" not in item and "valuation" not in item


def test_script_in_a_record_comes_back_inert(client, curator):
    obj(
        client,
        curator,
        status="public",
        title={"fr": "Affiche <script>alert(1)</script> de guerre"},
    )
    item = search(client, q="affiche")["items"][0]
    highlight = item["highlights"]["title"]
    assert "<script>" not in highlight
    assert highlight == "<mark>Affiche</mark> &lt;script&gt;alert(1)&lt;/script&gt; de guerre"


def test_facet_counts_match_a_count_in_the_database(app, client, users, curator):
    types = [term(client, curator, "object_type", f"Type {i}", f"Kind {i}") for i in range(3)]
    materials = [term(client, curator, "material", f"Matière {i}", f"Stuff {i}") for i in range(3)]
    statuses = ("public", "internal", "draft")
    for i in range(18):
        obj(
            client,
            curator,
            status=statuses[i % 3],
            title={"fr": f"Objet de guerre {i}"},
            object_type={"id": types[i % 3]["id"]},
            materials=[
                {"id": m["id"]} for m in materials[: 1 + i % 3] if i % 2 or m is materials[0]
            ],
        )
    for role, visible in (("anonymous", ("public",)), ("researcher", ("public", "internal"))):
        answer = search(client, users[role], q="guerre", per_page=5)
        facets = {f["value"]: f["count"] for f in answer["facets"]["material"]}
        with app.app_context():
            rows = db.session.execute(
                sa.select(ObjectTerm.term_id, sa.func.count())
                .join(CatalogueObject, CatalogueObject.id == ObjectTerm.object_id)
                .where(ObjectTerm.field == "material")
                .where(CatalogueObject.status.in_([Status(s) for s in visible]))
                .group_by(ObjectTerm.term_id)
            ).all()
            total = db.session.execute(
                sa.select(sa.func.count())
                .select_from(CatalogueObject)
                .where(CatalogueObject.status.in_([Status(s) for s in visible]))
            ).scalar()
        assert facets == {str(term_id): count for term_id, count in rows}
        assert answer["total"] == total
        assert len(answer["items"]) == 5 and answer["next"]


def test_sorting_and_paging(client, curator):
    made = [obj(client, curator, status="public", title={"fr": f"Obus {i}"}) for i in range(3)]
    order = [r["object_number"] for r in made]
    listed = search(client, q="obus", sort="object_number")["items"]
    assert [i["object_number"] for i in listed] == sorted(order)
    listed = search(client, q="obus", sort="-object_number")["items"]
    assert [i["object_number"] for i in listed] == sorted(order, reverse=True)
    first = search(client, q="obus", sort="updated", per_page=2)
    assert first["next"] and "page=2" in first["next"]
    second = search(client, q="obus", sort="updated", per_page=2, page=2)
    assert [i["object_number"] for i in first["items"] + second["items"]] == order


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"per_page": 101}, 422),
        ({"date_from": 1950, "date_to": 1940}, 422),
        ({"sort": "title"}, 422),
        ({"object_type": "not-a-uuid"}, 422),
        ({"q": "status:draft"}, 400),
        ({"q": "internal_notes:secret"}, 400),
        ({"q": "x" * 1001}, 400),
    ],
)
def test_bad_input_is_a_problem(client, params, status):
    response = client.get("/api/v1/search", query_string=params)
    assert response.status_code == status
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"]


def test_readiness_fails_when_the_index_cannot_be_opened(app, client, tmp_path, monkeypatch):
    assert client.get("/readyz").get_json()["checks"]["search_index"] == "ok"
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    broken = SearchEngine(IndexStore(blocker / "index"))
    monkeypatch.setitem(app.extensions, "search", broken)
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["search_index"] == "unavailable"
    assert client.get("/api/v1/search", query_string={"q": "x"}).status_code == 503


queries = st.one_of(
    st.text(max_size=80),
    st.lists(
        st.sampled_from(
            [
                '"',
                "(",
                ")",
                "AND",
                "OR",
                "NOT",
                "*",
                "~",
                "title:",
                "number:",
                "foo:",
                "fusée",
                "<script>",
                "\\",
                "[",
                "TO",
                "]",
                "^",
                "%00",
                "é",
                "'",
                "{",
                "}",
                "-",
                "?",
            ]
        ),
        max_size=15,
    ).map(" ".join),
)


@settings(
    max_examples=300,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    q=queries,
    page=st.integers(min_value=-2, max_value=5),
    sort=st.sampled_from(["relevance", "-date", "x"]),
)
def test_random_and_hostile_queries_never_fail(client, rocket, q, page, sort):
    response = client.get("/api/v1/search", query_string={"q": q, "page": page, "sort": sort})
    assert response.status_code in (200, 400, 422), response.get_data(as_text=True)
    if response.status_code != 200:
        assert response.mimetype == "application/problem+json"
