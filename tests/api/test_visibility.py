"""Who sees what: statuses, staff-only fields, roles, tokens, staff-only sub-resources."""

from __future__ import annotations

import json
import uuid

import pytest

from catalogue.extensions import db
from catalogue.services.accounts import users as accounts
from catalogue.services.identity import SYSTEM
from tests import helpers

STAFF_ONLY = ("location", "valuation", "internal_notes")


def staff_fields(record: dict) -> dict:
    return {
        "location": record["location"],
        "valuation": record["valuation"],
        "internal_notes": record["internal_notes"],
        "source_contact": record["acquisition"]["source_contact"],
    }


@pytest.fixture
def catalogue(client, curator):
    """One object of each status, every staff-only field filled in, kept in a store."""
    store = helpers.location(client, curator, "Réserve A", kind="room")
    records = {}
    for status in ("public", "internal", "draft"):
        record = helpers.obj(
            client,
            curator,
            status=status,
            object_number=f"1997.{status}.001",
            acquisition={"method": "don", "source": "Famille X", "source_contact": "06 12"},
            valuation={"amount": "1250.00", "currency": "EUR", "date": "2024-05-01"},
            internal_notes="Fragile: deux personnes pour le déplacer.",
        )
        assert helpers.move(client, curator, record, store).status_code == 201
        records[status] = record
    return records


def assert_no_staff_fields(record: dict) -> None:
    for name in STAFF_ONLY:
        assert name not in record
    if record.get("acquisition"):
        assert "source_contact" not in record["acquisition"]
        assert record["acquisition"]["source"] == "Famille X"


def test_anonymous_sees_public_objects_only(client, catalogue):
    listed = client.get("/api/v1/objects").get_json()
    assert [item["status"] for item in listed["items"]] == ["public"]
    assert listed["total"] == 1
    assert client.get(f"/api/v1/objects/{catalogue['public']['id']}").status_code == 200
    for status in ("internal", "draft"):
        helpers.is_problem(client.get(f"/api/v1/objects/{catalogue[status]['id']}"), 404)
        helpers.is_problem(client.get(f"/api/v1/objects/by-number/1997.{status}.001"), 404)
    # Asking for a status the caller may not see finds nothing rather than an error.
    assert client.get("/api/v1/objects?status=draft").get_json()["items"] == []


def test_researcher_sees_internal_but_not_drafts(client, catalogue, users):
    researcher = users["researcher"].headers
    listed = client.get("/api/v1/objects", headers=researcher).get_json()
    assert sorted(item["status"] for item in listed["items"]) == ["internal", "public"]
    assert (
        client.get(f"/api/v1/objects/{catalogue['internal']['id']}", headers=researcher).status_code
        == 200
    )
    helpers.is_problem(
        client.get(f"/api/v1/objects/{catalogue['draft']['id']}", headers=researcher), 404
    )
    helpers.is_problem(
        client.get("/api/v1/objects/by-number/1997.draft.001", headers=researcher), 404
    )


@pytest.mark.parametrize("role", ["anonymous", "researcher"])
def test_staff_only_fields_are_absent_in_every_read(client, catalogue, users, role):
    headers = users[role].headers
    record = catalogue["public"]
    reads = [
        client.get(f"/api/v1/objects/{record['id']}", headers=headers),
        client.get(f"/api/v1/objects/{record['id']}?lang=en", headers=headers),
        client.get("/api/v1/objects/by-number/1997.public.001", headers=headers),
    ]
    for response in reads:
        assert response.status_code == 200
        assert_no_staff_fields(response.get_json())
    assert "location" not in reads[1].get_json()["display"]
    for item in client.get("/api/v1/objects?lang=fr", headers=headers).get_json()["items"]:
        assert_no_staff_fields(item)
        assert "location" not in item["display"]


def test_researchers_read_versions_without_staff_only_fields(client, catalogue, users):
    researcher = users["researcher"].headers
    base = f"/api/v1/objects/{catalogue['internal']['id']}/versions"
    assert client.get(base, headers=researcher).get_json()["total"] == 1
    assert_no_staff_fields(client.get(f"{base}/1", headers=researcher).get_json()["record"])


def test_anonymous_callers_cannot_read_versions(client, catalogue):
    # Versions name the staff who saved them; they are for signed-in users.
    helpers.is_problem(client.get(f"/api/v1/objects/{catalogue['public']['id']}/versions"), 401)
    helpers.is_problem(client.get(f"/api/v1/objects/{catalogue['public']['id']}/versions/1"), 401)


@pytest.mark.parametrize("role", ["curator", "admin"])
def test_staff_see_everything(client, catalogue, users, role):
    headers = users[role].headers
    listed = client.get("/api/v1/objects", headers=headers).get_json()
    assert listed["total"] == 3
    for status, record in catalogue.items():
        read = client.get(f"/api/v1/objects/{record['id']}", headers=headers).get_json()
        assert read["status"] == status
        assert staff_fields(read) == {
            "location": {"id": read["location"]["id"], "label": {"fr": "Réserve A"}, "uri": None},
            "valuation": {"amount": "1250.00", "currency": "EUR", "date": "2024-05-01"},
            "internal_notes": "Fragile: deux personnes pour le déplacer.",
            "source_contact": "06 12",
        }
    for item in listed["items"]:
        assert item["internal_notes"]


def test_related_objects_hide_what_the_caller_may_not_see(client, curator, users):
    draft = helpers.obj(client, curator, status="draft", title="Brouillon secret")
    shown = helpers.obj(client, curator, status="internal", title="Interne")
    record = helpers.obj(
        client,
        curator,
        status="public",
        related_objects=[{"id": draft["id"]}, {"id": shown["id"], "relation": "part_of"}],
    )

    def related(caller):
        read = client.get(f"/api/v1/objects/{record['id']}", headers=caller.headers)
        return [r["id"] for r in read.get_json()["related_objects"]]

    assert related(users["anonymous"]) == []
    assert related(users["researcher"]) == [shown["id"]]
    assert related(curator) == [draft["id"], shown["id"]]


WRITES = [
    ("post", "/api/v1/objects", {"object_number": "X.1", "title": "x"}),
    ("put", "/api/v1/objects/{id}", {"object_number": "X.1", "title": "x"}),
    ("patch", "/api/v1/objects/{id}", {"title": "x"}),
    ("delete", "/api/v1/objects/{id}", None),
    ("post", "/api/v1/objects/{id}/versions/1/restore", None),
    ("post", "/api/v1/terms", {"vocabulary": "material", "label": "acier"}),
]


@pytest.mark.parametrize(("method", "path", "body"), WRITES)
@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("researcher", 403)])
def test_writes_need_the_curator_role(
    client, catalogue, users, state, method, path, body, role, status
):
    before = state()
    url = path.format(id=catalogue["public"]["id"])
    response = helpers.write(client, users[role], method, url, body)
    problem = helpers.is_problem(response, status)
    if status == 401:
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert problem["detail"]
    assert state() == before


def test_unknown_malformed_and_revoked_tokens_are_401(app, client, catalogue, users):
    public = f"/api/v1/objects/{catalogue['public']['id']}"
    for header in ("Bearer not-a-token", "Bearer ", "Basic dXNlcjpwYXNz", "Token abc"):
        helpers.is_problem(client.get(public, headers={"Authorization": header}), 401)
    researcher = users["researcher"]
    assert client.get(public, headers=researcher.headers).status_code == 200
    with app.app_context():
        assert accounts.revoke_tokens(SYSTEM, researcher.email) == 1
        db.session.remove()
    helpers.is_problem(client.get(public, headers=researcher.headers), 401)


@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("researcher", 403)])
def test_locations_are_staff_only(client, curator, users, role, status):
    room = helpers.location(client, curator, "Salle du dôme")
    headers = users[role].headers
    helpers.is_problem(client.get("/api/v1/locations", headers=headers), status)
    helpers.is_problem(client.get(f"/api/v1/locations/{room['id']}", headers=headers), status)
    body = {"label": "Tunnel", "kind": "room"}
    helpers.is_problem(client.post("/api/v1/locations", json=body, headers=headers), status)
    assert client.get("/api/v1/locations", headers=curator.headers).get_json()["total"] == 1


@pytest.mark.parametrize("resource", ["movements", "condition-checks"])
@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("researcher", 403)])
def test_movements_and_condition_checks_are_staff_only(
    client, catalogue, users, state, resource, role, status
):
    before = state()
    headers = users[role].headers
    path = f"/api/v1/objects/{catalogue['public']['id']}/{resource}"
    body = (
        {"to_location": {"id": catalogue["public"]["id"]}}
        if resource == "movements"
        else {"condition": "good"}
    )
    helpers.is_problem(client.get(path, headers=headers), status)
    helpers.is_problem(client.post(path, json=body, headers=headers), status)
    assert state() == before


def test_a_researcher_learns_nothing_of_a_draft_from_its_movements(client, catalogue, users):
    """Refused before the object is looked up: a draft and an unknown id answer alike."""
    headers = users["researcher"].headers
    for object_id in (catalogue["draft"]["id"], uuid.uuid4()):
        path = f"/api/v1/objects/{object_id}/movements"
        body = helpers.is_problem(client.get(path, headers=headers), 403)
        assert "curator" in body["detail"] and "Réserve" not in json.dumps(body)


def test_the_latest_movement_sets_the_current_location(client, curator):
    record = helpers.obj(client, curator)
    hall = helpers.location(client, curator, "Hall")
    store = helpers.location(client, curator, "Réserve")
    lab = helpers.location(client, curator, "Atelier")

    def current():
        return helpers.read(client, curator, record)[0]["location"]

    first = helpers.move(client, curator, record, hall, "2025-01-10T09:00:00Z", "arrivée")
    assert first.status_code == 201
    moved = first.get_json()
    assert moved["from_location"] is None
    assert moved["to_location"]["id"] == hall["id"]
    assert moved["moved_by"] == curator.email and moved["reason"] == "arrivée"
    assert current()["id"] == hall["id"]

    second = helpers.move(client, curator, record, store, "2025-03-01T09:00:00Z").get_json()
    assert second["from_location"]["id"] == hall["id"]
    assert current()["id"] == store["id"]
    _, etag = helpers.read(client, curator, record)

    # Recorded late, but it happened before the move to the store: the object stays there.
    late = helpers.move(client, curator, record, lab, "2025-02-01T09:00:00Z").get_json()
    assert late["from_location"]["id"] == hall["id"]
    assert current()["id"] == store["id"]
    assert helpers.read(client, curator, record)[1] == etag

    listed = client.get(f"/api/v1/objects/{record['id']}/movements", headers=curator.headers)
    assert [m["to_location"]["id"] for m in listed.get_json()["items"]] == [
        store["id"],
        lab["id"],
        hall["id"],
    ]


def test_a_movement_needs_a_known_location_and_a_past_date(client, curator, state):
    record = helpers.obj(client, curator)
    hall = helpers.location(client, curator, "Hall")
    before = state()
    path = f"/api/v1/objects/{record['id']}/movements"
    unknown = client.post(path, json={"to_location": {"id": record["id"]}}, headers=curator.headers)
    assert "to_location.id" in helpers.is_problem(unknown, 422)["errors"]
    future = helpers.move(client, curator, record, hall, "2999-01-01T00:00:00Z")
    assert "moved_at" in helpers.is_problem(future, 422)["errors"]
    missing = client.post(path, json={"reason": "x"}, headers=curator.headers)
    assert "to_location" in helpers.is_problem(missing, 422)["errors"]
    assert state() == before


def test_condition_checks(client, curator, state):
    record = helpers.obj(client, curator)
    path = f"/api/v1/objects/{record['id']}/condition-checks"
    for i, condition in enumerate(("good", "fair", "poor", "unacceptable")):
        body = {"condition": condition, "checked_at": f"2025-0{i + 1}-01T10:00:00Z", "notes": "vu"}
        response = client.post(path, json=body, headers=curator.headers)
        assert response.status_code == 201, response.get_json()
        check = response.get_json()
        assert check["condition"] == condition and check["checked_by"] == curator.email
    listed = client.get(path, headers=curator.headers).get_json()
    assert [c["condition"] for c in listed["items"]] == ["unacceptable", "poor", "fair", "good"]
    before = state()
    for body in (
        {"condition": "excellent"},
        {"condition": "good", "checked_at": "2999-01-01T00:00:00Z"},
        {"condition": "good", "checked_at": "yesterday"},
        {},
    ):
        problem = helpers.is_problem(client.post(path, json=body, headers=curator.headers), 422)
        assert set(problem["errors"]) & {"condition", "checked_at"}
    assert state() == before
    assert client.get(path, headers=curator.headers).get_json()["total"] == 4


def test_anonymous_writes_are_401_whatever_the_body(client, catalogue, state):
    before = state()
    record = f"/api/v1/objects/{catalogue['draft']['id']}"
    for response in (
        client.post("/api/v1/objects", json={"colour": "red"}),
        client.post("/api/v1/objects", data="{broken", content_type="application/json"),
        client.post("/api/v1/objects", data="x", content_type="text/plain"),
        client.patch(record, json=[1, 2]),
        client.put("/api/v1/objects/0b6f3c1e-5d2a-4c1f-9a57-3f1e2d4c5b6a", json={}),
        client.delete(record),
    ):
        helpers.is_problem(response, 401)
    assert state() == before
