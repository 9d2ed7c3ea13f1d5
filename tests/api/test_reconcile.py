"""``/reconcile``: the reconciliation service, driven as OpenRefine drives it."""

from __future__ import annotations

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import helpers
from tests.api.test_exchange import csv_bytes, upload
from tests.background import commit_import


def reconcile(client, queries, caller=None, method="post"):
    """A batch as OpenRefine sends it: the form field ``queries`` holding JSON."""
    headers = caller.headers if caller else {}
    raw = queries if isinstance(queries, str) else json.dumps(queries)
    if method == "post":
        response = client.post("/reconcile", data={"queries": raw}, headers=headers)
    else:
        response = client.get("/reconcile", query_string={"queries": raw}, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    return response.get_json()


@pytest.fixture
def authorities(client, curator):
    return {
        "todt": helpers.agent(client, curator, "Organisation Todt"),
        "braun": helpers.agent(client, curator, "Wernher von Braun", kind="person"),
        "steel": helpers.term(client, curator, "material", "Acier", "Steel"),
        "steel_subject": helpers.term(client, curator, "subject", "Acier", "Steel industry"),
        "wizernes": helpers.place(
            client, curator, "Wizernes", uri="https://www.wikidata.org/wiki/Q1066219"
        ),
        "tour": helpers.collection(client, curator, "Circuit 1", "Tour 1"),
    }


def test_manifest_as_openrefine_reads_it(client):
    response = client.get("/reconcile")
    assert response.status_code == 200 and response.mimetype == "application/json"
    manifest = response.get_json()
    assert "0.2" in manifest["versions"] and manifest["name"]
    assert manifest["identifierSpace"].startswith("http") and manifest["schemaSpace"]
    assert [t["id"] for t in manifest["defaultTypes"]] == [
        "agent",
        "place",
        "term",
        "collection",
        "object",
    ]
    assert manifest["preview"]["url"].endswith("/reconcile/preview?id={{id}}")
    assert manifest["view"]["url"].endswith("/reconcile/view/{{id}}")
    for kind in ("entity", "type", "property"):
        suggest = manifest["suggest"][kind]
        assert suggest["service_url"].endswith("/reconcile")
        assert suggest["service_path"] == f"/suggest/{kind}"

    assert manifest["batchSize"] >= 10
    jsonp = client.get("/reconcile", query_string={"callback": "jQuery123_456"})
    assert jsonp.mimetype == "application/javascript"
    text = jsonp.get_data(as_text=True)
    assert text.startswith("/**/jQuery123_456(") and text.endswith(");")
    assert json.loads(text[len("/**/jQuery123_456(") : -2]) == manifest
    helpers.is_problem(client.get("/reconcile", query_string={"callback": "alert(1)//"}), 400)


def test_queries_with_types_scores_and_match(client, authorities):
    todt, braun = authorities["todt"], authorities["braun"]
    # The spec's example: a query with a type and a limit, another with a property filter.
    answer = reconcile(
        client,
        {
            "q0": {"query": "organisation  TODT", "type": "agent", "limit": 3},
            "q1": {"query": "Todt", "type": "agent"},
            "q2": {
                "query": "Organisation Todt",
                "type": "agent",
                "properties": [{"pid": "kind", "v": "person"}],
            },
            "q3": {"query": "Wernher von Brown", "type": "agent", "type_strict": "should"},
        },
    )
    assert set(answer) == {"q0", "q1", "q2", "q3"}
    best = answer["q0"]["result"][0]
    assert best["id"] == todt["id"] and best["name"] == "Organisation Todt"
    assert best["score"] == 100 and best["match"] is True
    assert best["type"] == [{"id": "agent", "name": "Agent"}]
    # A part of the name finds the agent, but is not a match.
    assert [(r["id"], r["match"]) for r in answer["q1"]["result"]] == [(todt["id"], False)]
    assert 0 < answer["q1"]["result"][0]["score"] < 100
    assert answer["q2"]["result"] == []  # Todt is an organisation, not a person
    near = answer["q3"]["result"][0]
    assert near["id"] == braun["id"] and 80 <= near["score"] < 100 and near["match"] is False


def test_single_queries_of_version_0_1(client, authorities):
    todt = authorities["todt"]
    for args in (
        {"query": "Organisation Todt"},
        {"query": json.dumps({"query": "organisation todt", "type": "agent"})},
    ):
        response = client.get("/reconcile", query_string=args)
        assert response.status_code == 200, response.get_data(as_text=True)
        best = response.get_json()["result"][0]
        assert best["id"] == todt["id"] and best["match"] is True
    posted = client.post("/reconcile", data={"query": "Todt"})
    assert posted.get_json()["result"][0]["id"] == todt["id"]
    assert posted.headers["Access-Control-Allow-Origin"] == "*"
    bad = client.get("/reconcile", query_string={"query": '{"query": "x", "type": "nope"}'})
    assert "unknown type" in helpers.is_problem(bad, 400)["detail"]


def test_terms_by_vocabulary_places_by_uri_and_collections(client, authorities):
    steel = authorities["steel"]
    answer = reconcile(
        client,
        {
            "any": {"query": "acier", "type": "term"},
            "material": {
                "query": "acier",
                "type": "term",
                "properties": [{"pid": "vocabulary", "v": "material"}],
            },
            "uri": {"query": "https://www.wikidata.org/wiki/Q1066219", "type": "place"},
            "english": {"query": "tour 1", "type": "collection"},
        },
    )
    # Two terms labelled Acier: the importer could not choose either, so neither matches.
    both = answer["any"]["result"]
    assert len(both) == 2 and all(r["score"] == 100 and not r["match"] for r in both)
    [only] = answer["material"]["result"]
    assert only["id"] == steel["id"] and only["match"] and only["description"] == "material"
    assert answer["uri"]["result"][0]["id"] == authorities["wizernes"]["id"]
    assert answer["uri"]["result"][0]["match"] is True
    assert answer["english"]["result"][0]["id"] == authorities["tour"]["id"]
    assert answer["english"]["result"][0]["name"] == "Circuit 1"  # in the default language


def test_a_batch_of_ten_by_post_and_by_get(client, authorities, curator):
    objects = [
        helpers.obj(client, curator, status="public", title={"fr": f"Casque {i}"}) for i in range(4)
    ]
    queries = {
        f"q{i}": {"query": o["object_number"], "type": "object"} for i, o in enumerate(objects)
    }
    queries |= {
        "q4": {"query": "Casque 2", "type": "object"},
        "q5": {"query": "Organisation Todt"},  # no type: every type is searched
        "q6": {"query": "Wizernes", "type": "place"},
        "q7": {"query": "Steel", "type": "term"},
        "q8": {"query": "nothing like it", "type": "agent"},
        "q9": {"query": "Circuit", "type": "collection", "limit": 1},
    }
    assert len(queries) == 10
    for method in ("post", "get"):
        answer = reconcile(client, queries, method=method)
        assert sorted(answer) == sorted(queries)
        for i, o in enumerate(objects):
            [found] = [r for r in answer[f"q{i}"]["result"] if r["match"]]
            assert found["id"] == o["id"] and found["description"] == o["object_number"]
        assert answer["q4"]["result"][0]["id"] == objects[2]["id"]
        assert answer["q4"]["result"][0]["match"] is True
        assert answer["q5"]["result"][0]["id"] == authorities["todt"]["id"]
        assert answer["q6"]["result"][0]["match"] is True
        assert {r["id"] for r in answer["q7"]["result"]} == {
            authorities["steel"]["id"],
            authorities["steel_subject"]["id"],
        }
        assert answer["q8"]["result"] == []
        assert len(answer["q9"]["result"]) == 1 and answer["q9"]["result"][0]["match"] is False


def test_callers_see_only_what_they_may(client, users, curator):
    public = helpers.obj(client, curator, status="public", title={"fr": "Affiche publique"})
    draft = helpers.obj(client, curator, status="draft", title={"fr": "Affiche brouillon"})
    internal = helpers.obj(client, curator, status="internal", title={"fr": "Affiche interne"})
    queries = {"q0": {"query": "affiche", "type": "object", "limit": 10}}
    seen = {
        role: {r["id"] for r in reconcile(client, queries, users[role])["q0"]["result"]}
        for role in ("anonymous", "researcher", "curator")
    }
    assert seen["anonymous"] == {public["id"]}
    assert seen["researcher"] == {public["id"], internal["id"]}
    assert seen["curator"] == {public["id"], internal["id"], draft["id"]}
    number = {"q0": {"query": draft["object_number"], "type": "object"}}
    assert reconcile(client, number)["q0"]["result"] == []
    assert reconcile(client, number, curator)["q0"]["result"][0]["match"] is True

    suggest = client.get("/reconcile/suggest/entity", query_string={"prefix": "affiche"})
    assert [r["id"] for r in suggest.get_json()["result"]] == [public["id"]]
    staff = client.get(
        "/reconcile/suggest/entity",
        query_string={"prefix": "affiche", "type": "object"},
        headers=curator.headers,
    )
    assert len(staff.get_json()["result"]) == 3
    helpers.is_problem(client.get("/reconcile/preview", query_string={"id": draft["id"]}), 404)
    helpers.is_problem(client.get(f"/reconcile/view/{draft['id']}"), 404)
    shown = client.get(
        "/reconcile/preview", query_string={"id": draft["id"]}, headers=curator.headers
    )
    assert shown.status_code == 200 and "Affiche brouillon" in shown.get_data(as_text=True)


def test_preview_is_small_escaped_html(client, curator):
    agent = helpers.agent(client, curator, '<script>alert("x")</script> & Cie')
    response = client.get("/reconcile/preview", query_string={"id": agent["id"]})
    assert response.status_code == 200 and response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert "<script>" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; &amp; Cie" in html
    assert "organisation" in html
    view = client.get(f"/reconcile/view/{agent['id']}")
    assert view.status_code == 303 and view.headers["Location"].endswith(
        f"/api/v1/agents/{agent['id']}"
    )
    record = helpers.obj(client, curator, status="public", title={"fr": "Fusée <b>A4</b>"})
    page = client.get("/reconcile/preview", query_string={"id": record["id"]})
    assert "Fusée &lt;b&gt;A4&lt;/b&gt;" in page.get_data(as_text=True)
    assert record["object_number"] in page.get_data(as_text=True)
    assert (
        client.get(f"/reconcile/view/{record['id']}")
        .headers["Location"]
        .endswith(f"/objects/{record['id']}")
    )


def test_suggest_entity_type_and_property(client, authorities):
    def suggest(kind, **args):
        response = client.get(f"/reconcile/suggest/{kind}", query_string=args)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response.get_json()["result"]

    [todt] = suggest("entity", prefix="organ")
    assert todt["id"] == authorities["todt"]["id"] and todt["name"] == "Organisation Todt"
    assert todt["notable"] == [{"id": "agent", "name": "Agent"}]
    ids = {r["id"] for r in suggest("entity", prefix="ACIER", type="term")}
    assert ids == {authorities["steel"]["id"], authorities["steel_subject"]["id"]}
    assert suggest("entity", prefix="acier", type="agent") == []
    first = suggest("entity", prefix="")
    assert len(first) == 6  # every authority (fewer than a page)
    assert suggest("entity", prefix="", cursor="5") == first[5:]
    assert [t["id"] for t in suggest("type", prefix="ag")] == ["agent"]
    assert [p["id"] for p in suggest("property", prefix="voc")] == ["vocabulary"]
    assert {p["id"] for p in suggest("property", prefix="", type="agent")} == {"kind", "uri"}


def test_same_matching_as_the_importer_and_the_lists(client, app, curator, authorities):
    todt = authorities["todt"]
    cell = "ORGANISATION   todt"
    [match] = reconcile(client, {"q": {"query": cell, "type": "agent"}})["q"]["result"]
    assert match["match"] is True

    # `catalogue import` (here through the API) resolves the same cell to the same agent.
    rows = [
        ["object_number", "status", "title_fr", "maker"],
        ["2011.0001.001", "public", "X", cell],
    ]
    job = upload(client, curator, csv_bytes(rows)).get_json()
    assert job["status"] == "validated", job
    commit_import(client, app, f"/api/v1/imports/{job['id']}", curator.headers)
    record = client.get("/api/v1/objects/by-number/2011.0001.001", headers=curator.headers)
    maker = record.get_json()["production"]["makers"][0]["agent"]
    assert maker["id"] == match["id"] == todt["id"]

    # The lists' filter (the workspace's authority pages use it) finds it by the same name.
    listed = client.get("/api/v1/agents", query_string={"q": cell}).get_json()["items"]
    assert [a["id"] for a in listed] == [todt["id"]]

    # A name the importer finds ambiguous is no match in OpenRefine either.
    helpers.agent(client, curator, "Organisation  TODT")
    answer = reconcile(client, {"q": {"query": cell, "type": "agent"}})["q"]["result"]
    assert len(answer) == 2 and not any(r["match"] for r in answer)
    rows[1][0] = "2011.0002.001"
    refused = upload(client, curator, csv_bytes(rows)).get_json()
    assert refused["status"] != "validated"
    assert "Several agents" in json.dumps(refused)


@pytest.mark.parametrize(
    ("queries", "said"),
    [
        ('{"q0": {"query": "Todt"', "not valid JSON"),
        ('["Todt"]', "JSON object"),
        ("{}", "JSON object"),
        ('{"q0": {"query": "Todt", "type": "person"}}', "unknown type"),
        ('{"q0": {"query": "Todt", "type": ["agent", "place"]}}', "one type"),
        ('{"q0": {"query": ""}}', "non-empty"),
        ('{"q0": {"query": 12}}', "non-empty"),
        ('{"q0": {"query": "Todt", "limit": "3"}}', "limit"),
        ('{"q0": {"query": "Todt", "limit": -1}}', "limit"),
        (
            '{"q0": {"query": "Todt", "type": "agent", '
            '"properties": [{"pid": "vocabulary", "v": "x"}]}}',
            "unknown property",
        ),
        (
            '{"q0": {"query": "a", "type": "term", '
            '"properties": [{"pid": "vocabulary", "v": "x"}]}}',
            "vocabulary is one of",
        ),
        ('{"q0": {"query": "a", "properties": {"pid": "uri"}}}', "list"),
        ('{"q0": {"query": "a", "properties": [{"pid": "uri", "v": [[1]]}]}}', "value of uri"),
        ('{"q0": ' * 5000 + "1" + "}" * 5000, "nested too deeply"),
        (json.dumps({f"q{i}": {"query": "x"} for i in range(51)}), "At most 50"),
    ],
)
def test_bad_queries_are_clear_problems(client, authorities, queries, said):
    for response in (
        client.post("/reconcile", data={"queries": queries}),
        client.get("/reconcile", query_string={"queries": queries}),
    ):
        body = helpers.is_problem(response, 400)
        assert said in body["detail"], body


def test_other_bad_requests_are_clear_problems(client, authorities):
    helpers.is_problem(client.post("/reconcile", data={}), 400)
    helpers.is_problem(client.get("/reconcile/preview"), 400)
    helpers.is_problem(client.get("/reconcile/preview", query_string={"id": "nope"}), 400)
    unknown = "00000000-0000-0000-0000-000000000000"
    helpers.is_problem(client.get("/reconcile/preview", query_string={"id": unknown}), 404)
    helpers.is_problem(client.get("/reconcile/suggest/entity", query_string={"cursor": "-1"}), 400)
    helpers.is_problem(client.get("/reconcile/suggest/entity", query_string={"type": "x"}), 400)
    helpers.is_problem(client.get("/reconcile/suggest/property", query_string={"type": "x"}), 400)
    # NUL and other control characters are dropped, not sent to the database.
    answer = reconcile(client, {"q0": {"query": "Organisation\x00 Todt", "type": "agent"}})
    assert answer["q0"]["result"][0]["id"] == authorities["todt"]["id"]
    found = client.get("/reconcile/suggest/entity", query_string={"prefix": "Organ\x00"})
    assert found.status_code == 200


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
QUERY = st.fixed_dictionaries(
    {"query": st.text(max_size=30) | JSON},
    optional={
        "type": st.sampled_from(["agent", "place", "term", "collection", "object", "x"]) | JSON,
        "limit": st.integers(-2, 200) | JSON,
        "properties": st.lists(
            st.fixed_dictionaries(
                {"pid": st.sampled_from(["kind", "vocabulary", "uri", "object_number"]) | JSON},
                optional={"v": JSON},
            ),
            max_size=3,
        )
        | JSON,
    },
)


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(queries=st.dictionaries(st.text(min_size=1, max_size=5), QUERY | JSON, max_size=3) | JSON)
def test_any_queries_answer_results_or_a_problem(client, authorities, queries):
    """Whatever a client sends as ``queries``: results, or a 400 problem; never a 500."""
    response = client.post("/reconcile", data={"queries": json.dumps(queries)})
    assert response.status_code in (200, 400), response.get_data(as_text=True)
    if response.status_code == 400:
        helpers.is_problem(response, 400)
    else:
        assert set(response.get_json()) == set(queries)
