"""Bad input gets a clear problem+json 4xx and changes nothing, whatever is sent."""

from __future__ import annotations

import json
import uuid

import pytest

from catalogue import create_app
from catalogue.extensions import db
from tests import helpers
from tests.conftest import make_test_config

UNKNOWN = str(uuid.uuid4())


@pytest.fixture
def refs(client, curator):
    """One authority of each sort, to refer to (and misuse) in bodies."""
    return {
        "object_type": helpers.term(client, curator, "object_type", "Fusée", "Rocket"),
        "material": helpers.term(client, curator, "material", "acier", "steel"),
        "subject": helpers.term(client, curator, "subject", "Bombardement", "Air raid"),
        "agent": helpers.agent(client, curator, "Mittelwerk GmbH"),
        "place": helpers.place(client, curator, "Wizernes"),
        "collection": helpers.collection(client, curator, "Circuit 1", "Tour 1"),
    }


def base(**fields) -> dict:
    return {"object_number": "1944.0001.001", "title": {"fr": "Fusée"}, **fields}


# (body changes, field path expected in `errors`)
INVALID = [
    ({"colour": "red"}, "colour"),
    ({"production": {"date": {"edtf": "1944", "era": "WWII"}}}, "production.date.era"),
    ({"title": None}, "title"),
    ({"title": {}}, "title"),
    ({"title": 1944}, "title"),
    ({"title": {"français": "Fusée"}}, "title"),
    ({"title": {"fr": ["Fusée"]}}, "title"),
    ({"title": {"fr": "bad\x00text"}}, "title.fr"),
    ({"object_number": ""}, "object_number"),
    ({"object_number": 12}, "object_number"),
    ({"object_number": "/1944"}, "object_number"),
    ({"status": "published"}, "status"),
    ({"materials": "acier"}, "materials"),
    ({"materials": [{"label": "acier"}]}, "materials.0.id"),
    ({"materials": [{"id": "not-a-uuid"}]}, "materials.0.id"),
    ({"materials": [{"id": UNKNOWN}]}, "materials.0.id"),
    ({"production": {"date": {"edtf": "1944-13"}}}, "production.date.edtf"),
    ({"production": {"date": {"edtf": "sometime in 1944"}}}, "production.date.edtf"),
    ({"production": {"date": {"earliest": "1944-02-30"}}}, "production.date.earliest"),
    (
        {"production": {"date": {"earliest": "1945-01-01", "latest": "1944-01-01"}}},
        "production.date.earliest",
    ),
    ({"production": {"place": {"id": UNKNOWN}}}, "production.place.id"),
    ({"production": {"makers": [{"agent": {"id": UNKNOWN}}]}}, "production.makers.0.agent.id"),
    ({"production": {"makers": [{"role": "maker"}]}}, "production.makers.0.agent"),
    ({"acquisition": {"date": "24/11/1997"}}, "acquisition.date"),
    ({"valuation": {"amount": "lots", "currency": "EUR"}}, "valuation.amount"),
    ({"valuation": {"amount": "10.00", "currency": "euro"}}, "valuation.currency"),
    ({"valuation": {"amount": "99999999999999999", "currency": "EUR"}}, "valuation.amount"),
    ({"valuation": {"amount": 1e15, "currency": "EUR"}}, "valuation.amount"),
    ({"valuation": {"amount": "-1", "currency": "EUR"}}, "valuation.amount"),
    ({"dimensions": [{"type": "height", "value": 14, "unit": "kg"}]}, "dimensions.0.unit"),
    ({"dimensions": [{"type": "weight", "value": 4, "unit": "m"}]}, "dimensions.0.unit"),
    ({"dimensions": [{"type": "height", "value": -1, "unit": "m"}]}, "dimensions.0.value"),
    ({"dimensions": [{"type": "height", "value": "tall", "unit": "m"}]}, "dimensions.0.value"),
    ({"dimensions": [{"type": "mood", "value": 1, "unit": "m"}]}, "dimensions.0.type"),
    ({"inscriptions": [{"text": "WA 1944", "language": "not a tag"}]}, "inscriptions.0.language"),
    ({"associated_agents": [{"id": UNKNOWN}]}, "associated_agents.0.id"),
    ({"associated_places": [{"id": UNKNOWN}]}, "associated_places.0.id"),
    ({"collections": [{"id": UNKNOWN}]}, "collections.0.id"),
    ({"related_objects": [{"id": UNKNOWN}]}, "related_objects.0.id"),
    ({"related_objects": [{"id": UNKNOWN, "relation": "sibling"}]}, "related_objects.0.relation"),
    ({"rights": {"uri": "javascript:alert(1)"}}, "rights.uri"),
    ({"internal_notes": ["a", "b"]}, "internal_notes"),
]


@pytest.mark.parametrize(("changes", "path"), INVALID)
def test_invalid_objects_are_422_with_the_field_path(client, curator, state, changes, path):
    before = state()
    response = client.post("/api/v1/objects", json=base(**changes), headers=curator.headers)
    problem = helpers.is_problem(response, 422)
    assert path in problem["errors"], problem["errors"]
    assert all(isinstance(m, str) for m in problem["errors"][path])
    assert state() == before


# Terms from the wrong vocabulary: (field, which ref to use, path)
WRONG_VOCABULARY = [
    ("object_type", "material", "object_type.id"),
    ("materials", "object_type", "materials.0.id"),
    ("techniques", "material", "techniques.0.id"),
    ("subjects", "material", "subjects.0.id"),
    ("materials", "agent", "materials.0.id"),
    ("associated_places", "agent", "associated_places.0.id"),
    ("collections", "place", "collections.0.id"),
    ("associated_agents", "collection", "associated_agents.0.id"),
]


@pytest.mark.parametrize(("field", "ref", "path"), WRONG_VOCABULARY)
def test_references_of_the_wrong_sort_are_422(client, curator, refs, state, field, ref, path):
    before = state()
    value = {"id": refs[ref]["id"]}
    body = base(**{field: value if field == "object_type" else [value]})
    problem = helpers.is_problem(
        client.post("/api/v1/objects", json=body, headers=curator.headers), 422
    )
    assert path in problem["errors"]
    assert state() == before


def test_every_bad_reference_is_reported_at_once(client, curator, refs):
    body = base(
        materials=[{"id": refs["material"]["id"]}, {"id": UNKNOWN}],
        subjects=[{"id": refs["subject"]["id"]}, {"id": refs["subject"]["id"]}],
        production={"place": {"id": refs["agent"]["id"]}},
    )
    problem = helpers.is_problem(
        client.post("/api/v1/objects", json=body, headers=curator.headers), 422
    )
    assert {"materials.1.id", "subjects", "production.place.id"} <= set(problem["errors"])


def test_a_valid_body_with_the_same_references_is_accepted(client, curator, refs):
    body = base(
        object_type={"id": refs["object_type"]["id"]},
        materials=[{"id": refs["material"]["id"], "label": {"fr": "ignored"}, "uri": None}],
        subjects=[{"id": refs["subject"]["id"]}],
        production={
            "place": {"id": refs["place"]["id"]},
            "makers": [{"agent": {"id": refs["agent"]["id"]}, "role": "manufacturer"}],
            "date": {"edtf": "1944~"},
        },
        collections=[{"id": refs["collection"]["id"]}],
        dimensions=[{"type": "weight", "value": 2150, "unit": "kg"}],
        inscriptions=[{"text": "WA", "language": "de"}],
    )
    response = client.post("/api/v1/objects", json=body, headers=curator.headers)
    assert response.status_code == 201, response.get_json()["errors"]
    assert response.get_json()["materials"][0]["label"] == {"fr": "acier", "en": "steel"}


def test_duplicate_object_number_is_409(client, curator, state):
    helpers.obj(client, curator, object_number="1997.0001.001")
    before = state()
    response = client.post(
        "/api/v1/objects", json=base(object_number="1997.0001.001"), headers=curator.headers
    )
    assert "1997.0001.001" in helpers.is_problem(response, 409)["detail"]
    other = helpers.obj(client, curator)
    before = state()
    rename = helpers.write(
        client,
        curator,
        "patch",
        f"/api/v1/objects/{other['id']}",
        {"object_number": "1997.0001.001"},
    )
    helpers.is_problem(rename, 409)
    assert state() == before


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        ("{not json", "application/json", 400),
        ('{"object_number": "1", "title": "x"', "application/json", 400),
        ("", "application/json", 422),
        ("[1, 2]", "application/json", 422),
        ('"a string"', "application/json", 422),
        ("null", "application/json", 422),
        ('{"object_number": "1", "title": "x"}', "text/plain", 415),
        ("object_number=1&title=x", "application/x-www-form-urlencoded", 415),
        ('{"object_number": "1", "title": "x"}', "application/xml", 415),
    ],
)
def test_unreadable_bodies(client, curator, state, data, content_type, status):
    before = state()
    response = client.post(
        "/api/v1/objects", data=data, content_type=content_type, headers=curator.headers
    )
    helpers.is_problem(response, status)
    assert state() == before


@pytest.mark.parametrize(
    ("data", "content_type", "status"),
    [
        ("[]", "application/merge-patch+json", 422),
        ('"title"', "application/merge-patch+json", 422),
        ("42", "application/json", 422),
        ("{oops", "application/merge-patch+json", 400),
        ('{"title": "x"}', "text/plain", 415),
        ('{"title": null}', "application/merge-patch+json", 422),
        ('{"object_number": null}', "application/merge-patch+json", 422),
        (json.dumps({"materials": [{"id": UNKNOWN}]}), "application/json", 422),
    ],
)
def test_bad_patches_change_nothing(client, curator, state, data, content_type, status):
    record = helpers.obj(client, curator)
    _, etag = helpers.read(client, curator, record)
    before = state()
    response = client.patch(
        f"/api/v1/objects/{record['id']}",
        data=data,
        content_type=content_type,
        headers={**curator.headers, "If-Match": etag},
    )
    helpers.is_problem(response, status)
    assert state() == before
    assert helpers.read(client, curator, record)[1] == etag


def test_bodies_over_the_limit_are_413(client, curator, state):
    before = state()
    padding = "x" * (1024**2 + 1)
    response = client.post(
        "/api/v1/objects", json=base(internal_notes=padding), headers=curator.headers
    )
    helpers.is_problem(response, 413)
    assert state() == before


def test_the_body_limit_is_a_setting(tmp_path_factory, database_url, curator, state):
    before = state()
    app = create_app({**make_test_config(tmp_path_factory, database_url), "MAX_JSON_BYTES": 100})
    client = app.test_client()
    for size in (200, 2_000):
        body = json.dumps(base(description="d" * size))
        response = client.post(
            "/api/v1/objects", data=body, content_type="application/json", headers=curator.headers
        )
        helpers.is_problem(response, 413)
    with app.app_context():
        db.engine.dispose()
    assert state() == before


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/objects/{unknown}",
        "/api/v1/objects/not-a-uuid",
        "/api/v1/objects/12345",
        "/api/v1/objects/{unknown}/versions",
        "/api/v1/objects/{id}/versions/99",
        "/api/v1/objects/{id}/versions/one",
        "/api/v1/objects/by-number/no-such-number",
        "/api/v1/terms/{unknown}",
        "/api/v1/agents/not-a-uuid",
        "/api/v1/nothing-here",
    ],
)
def test_missing_or_malformed_ids_are_404(client, curator, path):
    record = helpers.obj(client, curator)
    url = path.format(unknown=UNKNOWN, id=record["id"])
    helpers.is_problem(client.get(url, headers=curator.headers), 404)


def test_writes_to_missing_objects_are_404(client, curator, state):
    before = state()
    for method, body in (("put", base()), ("patch", {"title": "x"}), ("delete", None)):
        helpers.is_problem(
            helpers.write(client, curator, method, f"/api/v1/objects/{UNKNOWN}", body), 404
        )
        helpers.is_problem(
            helpers.write(client, curator, method, "/api/v1/objects/not-a-uuid", body), 404
        )
    assert state() == before


@pytest.mark.parametrize(
    "query",
    [
        "per_page=101",
        "per_page=0",
        "per_page=ten",
        "page=0",
        "status=lost",
        "object_type=rocket",
        "updated_since=yesterday",
        "has_media=perhaps",
        "sort=colour",
        "lang=not a tag",
    ],
)
def test_bad_list_arguments_are_422(client, query):
    problem = helpers.is_problem(client.get(f"/api/v1/objects?{query}"), 422)
    assert query.split("=")[0] in problem["errors"]


def test_per_page_100_is_the_maximum_allowed(client):
    assert client.get("/api/v1/objects?per_page=100").get_json()["per_page"] == 100
    helpers.is_problem(client.get("/api/v1/terms?per_page=500"), 422)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("delete", "/api/v1/objects"),
        ("put", "/api/v1/objects"),
        ("post", "/api/v1/objects/{id}"),
        ("get", "/api/v1/objects/{id}/versions/1/restore"),
        ("delete", "/api/v1/objects/{id}/movements"),
        ("patch", "/api/v1/terms"),
    ],
)
def test_wrong_methods_are_405(client, curator, method, path):
    record = helpers.obj(client, curator)
    response = getattr(client, method)(path.format(id=record["id"]), headers=curator.headers)
    helpers.is_problem(response, 405)
    assert response.headers["Allow"]


def test_an_object_cannot_be_related_to_itself(client, curator, state):
    record = helpers.obj(client, curator)
    before = state()
    path = f"/api/v1/objects/{record['id']}"
    response = helpers.write(
        client, curator, "patch", path, {"related_objects": [{"id": record["id"]}]}
    )
    assert "related_objects" in helpers.is_problem(response, 422)["errors"]
    assert state() == before


@pytest.mark.parametrize(
    "data",
    [
        "[" * 100_000 + "]" * 100_000,
        '{"title": ' * 5_000 + '"x"' + "}" * 5_000,
        '{"description": ' * 200 + '"x"' + "}" * 200,
    ],
)
@pytest.mark.parametrize("method", ["post", "patch"])
def test_deeply_nested_bodies_are_400(client, curator, state, data, method):
    record = helpers.obj(client, curator)
    before = state()
    path = "/api/v1/objects" if method == "post" else f"/api/v1/objects/{record['id']}"
    response = getattr(client, method)(
        path,
        data=data,
        content_type="application/json",
        headers={**curator.headers, "If-Match": "*"},
    )
    assert "nested" in helpers.is_problem(response, 400)["detail"]
    assert state() == before


@pytest.mark.parametrize(
    "body",
    [
        '{"object_number": "S.1", "title": {"fr": "x\\ud800"}}',
        '{"object_number": "S\\udfff", "title": "x"}',
        '{"object_number": "S.1", "title": "x", "\\ud800": 1}',
    ],
)
def test_lone_surrogates_are_refused(client, curator, state, body):
    before = state()
    response = client.post(
        "/api/v1/objects", data=body, content_type="application/json", headers=curator.headers
    )
    helpers.is_problem(response, 422)
    assert state() == before


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/objects/by-number/A%00B",
        "/api/v1/terms?q=%00",
        "/api/v1/terms?uri=http://x%00",
        "/api/v1/agents?kind=room",
        "/api/v1/agents?kind=%00",
        "/api/v1/objects?lang=%00",
    ],
)
def test_nul_bytes_and_wrong_kinds_in_urls_are_4xx(client, curator, path):
    response = client.get(path, headers=curator.headers)
    assert response.status_code in (404, 422), response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json"
