"""Version history: every saved change is a version; any version can be restored."""

from __future__ import annotations

import re

from tests import helpers

ISO_UTC = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
META = ("version", "created_at", "updated_at")


def versions(client, caller, record):
    response = client.get(f"/api/v1/objects/{record['id']}/versions", headers=caller.headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def patch(client, caller, record, changes):
    response = helpers.write(client, caller, "patch", f"/api/v1/objects/{record['id']}", changes)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def without_meta(record: dict) -> dict:
    return {k: v for k, v in record.items() if k not in META}


def test_every_saved_change_is_a_version(client, curator, users):
    record = helpers.obj(client, curator, title={"fr": "Casque"})
    patch(client, curator, record, {"description": "Casque allemand"})
    patch(client, users["admin"], record, {"status": "internal", "title": {"en": "Helmet"}})
    page = versions(client, curator, record)
    assert page["total"] == 3 and page["page"] == 1 and page["next"] is None
    assert [v["number"] for v in page["items"]] == [3, 2, 1]
    newest, middle, first = page["items"]
    assert newest["created_by"] == "admin@museum.example"
    assert middle["created_by"] == curator.email
    assert sorted(newest["changed"]) == ["status", "title"]
    assert middle["changed"] == ["description"]
    assert {"object_number", "title", "status"} <= set(first["changed"])
    assert all(ISO_UTC.match(v["created_at"]) for v in page["items"])
    assert "record" not in newest
    # A save that changes nothing is not a version.
    patch(client, curator, record, {"description": "Casque allemand"})
    assert versions(client, curator, record)["total"] == 3


def test_version_list_pages(client, curator):
    record = helpers.obj(client, curator)
    for i in range(4):
        patch(client, curator, record, {"description": f"v{i}"})
    path = f"/api/v1/objects/{record['id']}/versions?per_page=2&page=2"
    page = client.get(path, headers=curator.headers).get_json()
    assert [v["number"] for v in page["items"]] == [3, 2]
    assert page["total"] == 5 and page["next"] and page["prev"]


def test_one_version_carries_the_record_as_saved(client, curator):
    record = helpers.obj(client, curator, description="Avant")
    saved = patch(client, curator, record, {"description": "Après"})
    first = client.get(f"/api/v1/objects/{record['id']}/versions/1", headers=curator.headers)
    body = first.get_json()
    assert body["number"] == 1 and body["created_by"] == curator.email
    assert body["record"]["description"] == {"fr": "Avant"}
    assert body["record"]["version"] == 1
    second = client.get(f"/api/v1/objects/{record['id']}/versions/2", headers=curator.headers)
    assert second.get_json()["record"] == saved


def test_restore_saves_the_old_record_as_a_new_version(client, curator, state):
    rocket = helpers.term(client, curator, "object_type", "Fusée", "Rocket")
    record = helpers.obj(
        client,
        curator,
        title={"fr": "Fusée A4", "en": "A4 rocket"},
        object_type={"id": rocket["id"]},
        production={"date": {"edtf": "1944"}},
        valuation={"amount": "100.00", "currency": "EUR"},
        acquisition={"method": "don", "source_contact": "tél."},
    )
    original = helpers.read(client, curator, record)[0]
    patch(
        client,
        curator,
        record,
        {"title": {"en": "V2"}, "object_type": None, "production": None, "valuation": None},
    )
    _, etag = helpers.read(client, curator, record)
    path = f"/api/v1/objects/{record['id']}/versions/1/restore"
    response = helpers.write(client, curator, "post", path, etag=etag)
    assert response.status_code == 200, response.get_json()
    restored = response.get_json()
    assert restored["version"] == 3
    assert response.headers["ETag"] != etag
    assert without_meta(restored) == without_meta(original)
    newest = versions(client, curator, record)["items"][0]
    assert newest["number"] == 3 and newest["note"] == "Restored from version 1"
    assert {"title", "object_type", "production", "valuation"} <= set(newest["changed"])
    # Restoring the version that is already current changes nothing.
    before = state()
    again = helpers.write(client, curator, "post", path, etag=response.headers["ETag"])
    assert again.status_code == 200 and again.get_json()["version"] == 3
    assert state() == before


def test_restore_of_a_missing_version_is_404(client, curator, state):
    record = helpers.obj(client, curator)
    before = state()
    path = f"/api/v1/objects/{record['id']}/versions/7/restore"
    helpers.is_problem(helpers.write(client, curator, "post", path), 404)
    assert state() == before


def test_restore_refuses_references_deleted_since(client, curator, state):
    steel = helpers.term(client, curator, "material", "acier", "steel")
    record = helpers.obj(client, curator, materials=[{"id": steel["id"]}])
    patch(client, curator, record, {"materials": []})
    term_etag = client.get(f"/api/v1/terms/{steel['id']}").headers["ETag"]
    deleted = helpers.write(
        client, curator, "delete", f"/api/v1/terms/{steel['id']}", etag=term_etag
    )
    assert deleted.status_code == 204
    before = state()
    path = f"/api/v1/objects/{record['id']}/versions/1/restore"
    problem = helpers.is_problem(helpers.write(client, curator, "post", path), 422)
    assert "materials.0.id" in problem["errors"]
    assert state() == before


def test_restore_refuses_a_number_taken_since(client, curator, state):
    record = helpers.obj(client, curator, object_number="1997.0300.001")
    patch(client, curator, record, {"object_number": "1997.0300.002"})
    helpers.obj(client, curator, object_number="1997.0300.001")
    before = state()
    path = f"/api/v1/objects/{record['id']}/versions/1/restore"
    helpers.is_problem(helpers.write(client, curator, "post", path), 409)
    assert state() == before


def test_researchers_see_no_staff_only_changes(client, curator, users):
    record = helpers.obj(client, curator, status="internal", acquisition={"source": "Famille X"})
    patch(
        client,
        curator,
        record,
        {"internal_notes": "note", "valuation": {"amount": "1.00", "currency": "EUR"}},
    )
    patch(client, curator, record, {"acquisition": {"source_contact": "06 12 34 56 78"}})
    patch(client, curator, record, {"acquisition": {"source": "Famille Y"}, "description": "d"})
    staff = versions(client, curator, record)["items"]
    assert staff[1]["changed"] == ["acquisition.source_contact"]
    assert sorted(staff[2]["changed"]) == ["internal_notes", "valuation"]
    researcher = users["researcher"]
    seen = versions(client, researcher, record)["items"]
    assert [v["number"] for v in seen] == [4, 3, 2, 1]
    assert sorted(seen[0]["changed"]) == ["acquisition", "description"]
    assert seen[1]["changed"] == [] and seen[2]["changed"] == []
    for number in (1, 2, 3, 4):
        path = f"/api/v1/objects/{record['id']}/versions/{number}"
        body = client.get(path, headers=researcher.headers).get_json()
        for name in ("location", "valuation", "internal_notes"):
            assert name not in body["record"]
            assert name not in body["changed"]
        assert "source_contact" not in (body["record"]["acquisition"] or {})


def test_versions_of_hidden_objects_are_404(client, curator, users):
    record = helpers.obj(client, curator, status="draft")
    for suffix in ("/versions", "/versions/1"):
        path = f"/api/v1/objects/{record['id']}{suffix}"
        helpers.is_problem(client.get(path, headers=users["researcher"].headers), 404)


def test_researchers_never_see_versions_saved_as_drafts(client, curator, users):
    record = helpers.obj(client, curator, status="draft", title="Brouillon")
    patch(client, curator, record, {"status": "internal", "title": "Publié en interne"})
    patch(client, curator, record, {"status": "draft", "title": "Retiré"})
    patch(client, curator, record, {"status": "internal", "title": "Revu"})
    researcher = users["researcher"].headers
    seen = versions(client, users["researcher"], record)
    assert [v["number"] for v in seen["items"]] == [4, 2] and seen["total"] == 2
    base = f"/api/v1/objects/{record['id']}/versions"
    for number in (1, 3):
        helpers.is_problem(client.get(f"{base}/{number}", headers=researcher), 404)
    assert client.get(f"{base}/2", headers=researcher).get_json()["record"]["title"] == {
        "fr": "Publié en interne"
    }
    assert versions(client, curator, record)["total"] == 4
