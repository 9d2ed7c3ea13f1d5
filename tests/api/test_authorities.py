"""Authorities and vocabularies: CRUD with entity tags, filters, the location hierarchy."""

from __future__ import annotations

import pytest

from tests import helpers

BODIES = {
    "terms": (
        {"vocabulary": "material", "label": {"fr": "acier", "en": "steel"}},
        {"label": {"en": "Steel"}, "uri": "http://vocab.getty.edu/aat/300011914"},
    ),
    "agents": (
        {"kind": "person", "label": "Wernher von Braun", "dates": "1912-1977"},
        {"dates": "1912–1977", "biography": {"en": "Engineer"}},
    ),
    "places": (
        {"label": {"fr": "Wizernes"}, "latitude": 50.7125, "longitude": 2.2353},
        {"uri": "https://www.wikidata.org/wiki/Q1066219"},
    ),
    "collections": (
        {"label": {"fr": "Circuit 1", "en": "Tour 1"}},
        {"description": {"fr": "Les armes secrètes"}},
    ),
    "locations": ({"label": "Réserve", "kind": "room"}, {"kind": "unit"}),
}


@pytest.mark.parametrize("kind", sorted(BODIES))
def test_crud_with_etags(client, curator, kind):
    body, changes = BODIES[kind]
    created = client.post(f"/api/v1/{kind}", json=body, headers=curator.headers)
    assert created.status_code == 201, created.get_json()
    item = created.get_json()
    path = f"/api/v1/{kind}/{item['id']}"
    assert created.headers["Location"].endswith(path)
    assert item["links"]["self"] == path
    read = client.get(path, headers=curator.headers)
    assert read.get_json() == item and read.headers["ETag"] == created.headers["ETag"]
    etag = read.headers["ETag"]
    assert client.get(path, headers={**curator.headers, "If-None-Match": etag}).status_code == 304

    # What was read can be sent back as it is.
    same = helpers.write(client, curator, "put", path, item, etag)
    assert same.status_code == 200, same.get_json()
    assert same.get_json() == item

    patched = helpers.write(client, curator, "patch", path, changes, etag)
    assert patched.status_code == 200, patched.get_json()
    for name, value in changes.items():
        shown = patched.get_json()[name]
        assert shown == ({**item["label"], **value} if name == "label" else value)
    assert patched.headers["ETag"] != etag

    replaced = helpers.write(client, curator, "put", path, body, patched.headers["ETag"])
    assert replaced.status_code == 200, replaced.get_json()
    for name in changes:
        if name != "label":
            assert replaced.get_json()[name] in (None, body.get(name)), name

    stale = patched.headers["ETag"]
    helpers.is_problem(helpers.write(client, curator, "delete", path, etag=stale), 412)
    gone = helpers.write(client, curator, "delete", path, etag=replaced.headers["ETag"])
    assert gone.status_code == 204
    helpers.is_problem(client.get(path, headers=curator.headers), 404)


@pytest.mark.parametrize(
    ("kind", "body", "path"),
    [
        ("terms", {"vocabulary": "colour", "label": "rouge"}, "vocabulary"),
        ("terms", {"vocabulary": "material"}, "label"),
        ("terms", {"vocabulary": "material", "label": {}}, "label"),
        ("terms", {"vocabulary": "material", "label": "x", "uri": "not a uri"}, "uri"),
        ("terms", {"vocabulary": "material", "label": "x", "colour": "red"}, "colour"),
        ("agents", {"kind": "robot", "label": "R2"}, "kind"),
        ("places", {"label": "Nord", "latitude": 95, "longitude": 0}, "latitude"),
        ("places", {"label": "Nord", "latitude": 50}, "latitude"),
        ("places", {"label": "Nord", "latitude": "north", "longitude": 2}, "latitude"),
        ("locations", {"label": "Étagère", "kind": "cupboard"}, "kind"),
        (
            "locations",
            {
                "label": "Étagère",
                "kind": "shelf",
                "parent": {"id": "0b6f3c1e-5d2a-4c1f-9a57-3f1e2d4c5b6a"},
            },
            "parent.id",
        ),
    ],
)
def test_invalid_authorities_are_422(client, curator, kind, body, path):
    problem = helpers.is_problem(
        client.post(f"/api/v1/{kind}", json=body, headers=curator.headers), 422
    )
    assert path in problem["errors"]
    assert client.get(f"/api/v1/{kind}", headers=curator.headers).get_json()["total"] == 0


def test_anyone_reads_terms_but_only_staff_write_them(client, curator, users):
    term = helpers.term(client, curator, "material", "acier", "steel")
    for role in ("anonymous", "researcher"):
        assert (
            client.get(f"/api/v1/terms/{term['id']}", headers=users[role].headers).status_code
            == 200
        )
    helpers.is_problem(
        helpers.write(
            client, users["researcher"], "patch", f"/api/v1/terms/{term['id']}", {"label": "fer"}
        ),
        403,
    )
    helpers.is_problem(
        helpers.write(client, users["anonymous"], "delete", f"/api/v1/terms/{term['id']}"), 401
    )


def test_list_filters(client, curator):
    helpers.term(
        client, curator, "material", "acier", "steel", uri="http://vocab.getty.edu/aat/300011914"
    )
    helpers.term(client, curator, "material", "aluminium", "aluminum")
    helpers.term(client, curator, "object_type", "Fusée", "Rocket")
    helpers.agent(client, curator, "Wernher von Braun", kind="person")
    helpers.agent(client, curator, "Mittelwerk GmbH", kind="organisation")

    def labels(query, kind="terms"):
        response = client.get(f"/api/v1/{kind}?{query}")
        assert response.status_code == 200, response.get_json()
        return sorted(item["label"]["fr"] for item in response.get_json()["items"])

    assert labels("vocabulary=material") == ["acier", "aluminium"]
    assert labels("vocabulary=object_type") == ["Fusée"]
    assert labels("q=ALU") == ["aluminium"]
    assert labels("q=rocket") == ["Fusée"]
    assert labels("uri=http://vocab.getty.edu/aat/300011914") == ["acier"]
    assert labels("q=nothing-like-it") == []
    assert labels("kind=person", "agents") == ["Wernher von Braun"]
    assert labels("kind=organisation", "agents") == ["Mittelwerk GmbH"]
    page = client.get("/api/v1/terms?per_page=2").get_json()
    assert page["total"] == 3 and len(page["items"]) == 2 and page["next"]
    helpers.is_problem(client.get("/api/v1/terms?vocabulary=colour"), 422)


def listed(client, query: str) -> list[str]:
    response = client.get(f"/api/v1/terms?{query}")
    assert response.status_code == 200, response.get_json()
    return [item["label"].get("fr") or item["label"]["en"] for item in response.get_json()["items"]]


@pytest.mark.parametrize(
    ("q", "found"),
    [
        ("fr", []),
        ("en", []),
        ("%22", []),  # "
        ("%3A", []),  # :
        ("%25", ["Coton 100 %"]),  # %
        ("_", []),
        ("a_i", []),
        ("%C3%A9p%C3%A9e", ["Épée"]),  # épée
        ("%C3%89p%C3%A9e", ["Épée"]),  # Épée
        ("epee", ["Épée"]),
        ("EPEE", ["Épée"]),
        ("steel", ["acier"]),
    ],
)
def test_q_matches_the_label_texts_whatever_the_case_and_accents(client, curator, q, found):
    helpers.term(client, curator, "material", "acier", "steel")
    helpers.post(client, curator, "/api/v1/terms", {"vocabulary": "object_type", "label": "Épée"})
    helpers.post(
        client, curator, "/api/v1/terms", {"vocabulary": "material", "label": "Coton 100 %"}
    )
    assert listed(client, f"q={q}") == found


def test_lists_sort_by_the_default_language_label(client, curator):
    for body in ({"en": "Zinc", "fr": "Zinc"}, {"fr": "Acier"}, {"fr": "étain"}, {"en": "Copper"}):
        helpers.post(client, curator, "/api/v1/terms", {"vocabulary": "material", "label": body})
    assert listed(client, "vocabulary=material") == ["Acier", "Copper", "étain", "Zinc"]
    assert listed(client, "per_page=2&page=2") == ["étain", "Zinc"]


def test_locations_form_a_hierarchy_without_cycles(client, curator, state):
    site = helpers.location(client, curator, "La Coupole", kind="site")
    dome = helpers.location(client, curator, "Dôme", kind="building", parent=site)
    room = helpers.location(client, curator, "Salle 1", kind="room", parent=dome)
    read = client.get(f"/api/v1/locations/{room['id']}", headers=curator.headers).get_json()
    assert read["parent"]["id"] == dome["id"]
    assert [p["label"]["fr"] for p in read["path"]] == ["La Coupole", "Dôme", "Salle 1"]
    assert (
        client.get("/api/v1/locations?kind=site", headers=curator.headers).get_json()["total"] == 1
    )
    for target, parent in ((site, room), (site, site), (dome, room)):
        path = f"/api/v1/locations/{target['id']}"
        response = helpers.write(client, curator, "patch", path, {"parent": {"id": parent["id"]}})
        assert "parent.id" in helpers.is_problem(response, 422)["errors"]
    read = client.get(f"/api/v1/locations/{site['id']}", headers=curator.headers).get_json()
    assert read["parent"] is None
    moved = helpers.write(
        client, curator, "patch", f"/api/v1/locations/{room['id']}", {"parent": {"id": site["id"]}}
    )
    assert moved.status_code == 200
    assert [p["label"]["fr"] for p in moved.get_json()["path"]] == ["La Coupole", "Salle 1"]


def test_a_term_in_use_keeps_its_vocabulary(client, curator, state):
    steel = helpers.term(client, curator, "material", "acier", "steel")
    record = helpers.obj(client, curator, materials=[{"id": steel["id"]}])
    before = state()
    path = f"/api/v1/terms/{steel['id']}"
    moved = helpers.write(client, curator, "patch", path, {"vocabulary": "object_type"})
    assert "vocabulary" in helpers.is_problem(moved, 409)["detail"]
    assert state() == before
    assert client.get(path).get_json()["vocabulary"] == "material"
    # Once no record uses it, it may move.
    helpers.write(client, curator, "patch", f"/api/v1/objects/{record['id']}", {"materials": []})
    assert (
        helpers.write(client, curator, "patch", path, {"vocabulary": "technique"}).status_code
        == 200
    )
