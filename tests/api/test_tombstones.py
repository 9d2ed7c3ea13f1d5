"""Deleted objects leave tombstones; records that point at other records stay true."""

from __future__ import annotations

import pytest

from tests import helpers


def delete(client, caller, record):
    path = f"/api/v1/objects/{record['id']}"
    response = helpers.write(
        client, caller, "delete", path, etag=helpers.read(client, caller, record)[1]
    )
    assert response.status_code == 204, response.get_data(as_text=True)


@pytest.mark.parametrize(
    ("status", "gone_for", "missing_for"),
    [
        ("public", ["anonymous", "researcher", "curator", "admin"], []),
        ("internal", ["researcher", "curator", "admin"], ["anonymous"]),
        ("draft", ["curator", "admin"], ["anonymous", "researcher"]),
    ],
)
def test_deleted_objects_answer_410_to_those_who_could_see_them(
    client, curator, users, status, gone_for, missing_for
):
    record = helpers.obj(client, curator, status=status)
    delete(client, curator, record)
    for role in gone_for:
        for path in (
            f"/api/v1/objects/{record['id']}",
            f"/api/v1/objects/by-number/{record['object_number']}",
        ):
            problem = helpers.is_problem(client.get(path, headers=users[role].headers), 410)
            assert problem["id"] == record["id"]
            assert problem["object_number"] == record["object_number"]
            assert problem["deleted_at"]
            assert "deleted_by" not in problem
    for role in missing_for:
        for path in (
            f"/api/v1/objects/{record['id']}",
            f"/api/v1/objects/by-number/{record['object_number']}",
        ):
            problem = helpers.is_problem(client.get(path, headers=users[role].headers), 404)
            assert record["object_number"] not in problem.get("detail", "")


def test_a_deleted_object_is_gone_from_lists_and_writes(client, curator, state):
    record = helpers.obj(client, curator, status="public")
    delete(client, curator, record)
    assert client.get("/api/v1/objects", headers=curator.headers).get_json()["total"] == 0
    before = state()
    path = f"/api/v1/objects/{record['id']}"
    for method, body in (("delete", None), ("patch", {"title": "x"})):
        helpers.is_problem(helpers.write(client, curator, method, path, body), 410)
    helpers.is_problem(client.get(f"{path}/versions", headers=curator.headers), 410)
    assert state() == before


def test_a_deleted_number_cannot_be_taken_by_renaming(client, curator, state):
    record = helpers.obj(client, curator, object_number="1997.0400.001")
    other = helpers.obj(client, curator, object_number="1997.0400.002")
    delete(client, curator, record)
    before = state()
    path = f"/api/v1/objects/{other['id']}"
    renamed = helpers.write(client, curator, "patch", path, {"object_number": "1997.0400.001"})
    assert "deleted" in helpers.is_problem(renamed, 409)["detail"]
    current, etag = helpers.read(client, curator, other)
    current["object_number"] = "1997.0400.001"
    helpers.is_problem(helpers.write(client, curator, "put", path, current, etag), 409)
    assert state() == before


def test_related_records_follow_a_renamed_or_deleted_target(client, curator):
    target = helpers.obj(client, curator, status="public", title={"fr": "Fusée"})
    record = helpers.obj(
        client,
        curator,
        status="public",
        related_objects=[{"id": target["id"], "relation": "part_of"}],
    )
    _, etag = helpers.read(client, curator, record)
    helpers.write(
        client,
        curator,
        "patch",
        f"/api/v1/objects/{target['id']}",
        {"object_number": "1997.9000.001", "title": {"fr": "Fusée A4"}},
    )
    shown, renamed_etag = helpers.read(client, curator, record)
    assert shown["related_objects"] == [
        {
            "id": target["id"],
            "object_number": "1997.9000.001",
            "title": {"fr": "Fusée A4"},
            "status": "public",
            "relation": "part_of",
        }
    ]
    assert renamed_etag != etag
    # Unpublishing the target hides it from the public view of the record that points at it.
    helpers.write(client, curator, "patch", f"/api/v1/objects/{target['id']}", {"status": "draft"})
    public_view = client.get(f"/api/v1/objects/{record['id']}").get_json()
    assert public_view["related_objects"] == []
    delete(client, curator, target)
    shown, deleted_etag = helpers.read(client, curator, record)
    assert shown["related_objects"] == []
    assert deleted_etag != renamed_etag


@pytest.mark.parametrize("kind", ["terms", "agents", "places", "collections", "locations"])
def test_an_authority_in_use_cannot_be_deleted(client, curator, state, kind):
    if kind == "terms":
        item = helpers.term(client, curator, "material", "acier", "steel")
        record = helpers.obj(client, curator, materials=[{"id": item["id"]}])
    elif kind == "agents":
        item = helpers.agent(client, curator, "Mittelwerk GmbH")
        record = helpers.obj(
            client, curator, production={"makers": [{"agent": {"id": item["id"]}}]}
        )
    elif kind == "places":
        item = helpers.place(client, curator, "Wizernes")
        record = helpers.obj(client, curator, associated_places=[{"id": item["id"]}])
    elif kind == "collections":
        item = helpers.collection(client, curator, "Circuit 1", "Tour 1")
        record = helpers.obj(client, curator, collections=[{"id": item["id"]}])
    else:
        item = helpers.location(client, curator, "Réserve")
        record = helpers.obj(client, curator)
        assert helpers.move(client, curator, record, item).status_code == 201
    path = f"/api/v1/{kind}/{item['id']}"
    etag = client.get(path, headers=curator.headers).headers["ETag"]
    before = state()
    helpers.is_problem(helpers.write(client, curator, "delete", path, etag=etag), 409)
    assert state() == before
    assert client.get(path, headers=curator.headers).status_code == 200
    if kind != "locations":
        delete(client, curator, record)
        assert helpers.write(client, curator, "delete", path, etag=etag).status_code == 204
        helpers.is_problem(client.get(path, headers=curator.headers), 404)


def test_a_location_with_sub_locations_cannot_be_deleted(client, curator):
    site = helpers.location(client, curator, "La Coupole", kind="site")
    helpers.location(client, curator, "Dôme", kind="building", parent=site)
    path = f"/api/v1/locations/{site['id']}"
    helpers.is_problem(helpers.write(client, curator, "delete", path), 409)


@pytest.mark.parametrize("field", ["object_type", "materials", "production.place", "makers"])
def test_relabelling_an_authority_updates_the_records_using_it(client, curator, users, field):
    if field == "object_type":
        item = helpers.term(client, curator, "object_type", "Fusée", "Rocket")
        kind, fields = "terms", {"object_type": {"id": item["id"]}}
    elif field == "materials":
        item = helpers.term(client, curator, "material", "acier", "steel")
        kind, fields = "terms", {"materials": [{"id": item["id"]}]}
    elif field == "production.place":
        item = helpers.place(client, curator, "Wizernes")
        kind, fields = "places", {"production": {"place": {"id": item["id"]}}}
    else:
        item = helpers.agent(client, curator, "Mittelwerk")
        kind, fields = "agents", {"production": {"makers": [{"agent": {"id": item["id"]}}]}}
    record = helpers.obj(client, curator, status="public", **fields)
    anonymous_etag = client.get(f"/api/v1/objects/{record['id']}").headers["ETag"]
    _, etag = helpers.read(client, curator, record)
    response = helpers.write(
        client, curator, "patch", f"/api/v1/{kind}/{item['id']}", {"label": {"en": "Relabelled"}}
    )
    assert response.status_code == 200, response.get_json()
    shown, new_etag = helpers.read(client, curator, record)
    labels = {
        "object_type": lambda r: r["object_type"]["label"],
        "materials": lambda r: r["materials"][0]["label"],
        "production.place": lambda r: r["production"]["place"]["label"],
        "makers": lambda r: r["production"]["makers"][0]["agent"]["label"],
    }
    assert labels[field](shown)["en"] == "Relabelled"
    assert new_etag != etag
    public = client.get(f"/api/v1/objects/{record['id']}")
    assert labels[field](public.get_json())["en"] == "Relabelled"
    assert public.headers["ETag"] != anonymous_etag
    # The label is not a change a curator made to the record: no new version.
    assert shown["version"] == 1
    listed = client.get("/api/v1/objects?lang=en").get_json()["items"][0]
    assert "Relabelled" in str(listed["display"])
