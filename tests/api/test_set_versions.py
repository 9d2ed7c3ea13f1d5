"""Versions of a set: every saved change, readable as saved, restorable as a new version."""

from __future__ import annotations

from tests import helpers
from tests.sets_helpers import add_objects, member_ids, new_set, read_set, write


def versions(client, caller, object_set, status=200):
    response = client.get(f"/api/v1/sets/{object_set['id']}/versions", headers=caller.headers)
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def test_every_change_is_a_version_and_restore_brings_it_back(client, users):
    curator, researcher = users["curator"], users["researcher"]
    a, b = (helpers.obj(client, curator, status="public") for _ in range(2))
    created = new_set(client, researcher, title="Avant")
    add_objects(client, researcher, created, a, b, note="Première note")
    path = f"/api/v1/sets/{created['id']}"
    write(client, researcher, "patch", path, {"title": "Après"})
    write(client, researcher, "delete", f"{path}/members/{a['id']}")
    page = versions(client, researcher, created)
    assert [v["number"] for v in page["items"]] == [4, 3, 2, 1]
    changed = [v["changed"] for v in page["items"]]
    assert changed == [["members"], ["title"], ["members"], ["title", "visibility"]]
    assert page["items"][0]["created_by"] == researcher.email
    second = client.get(f"{path}/versions/2", headers=researcher.headers).get_json()
    assert second["record"]["title"] == {"fr": "Avant"}
    assert second["record"]["members"] == [
        {"id": a["id"], "note": "Première note"},
        {"id": b["id"], "note": "Première note"},
    ]
    helpers.is_problem(client.get(f"{path}/versions/9", headers=researcher.headers), 404)
    # Restore is a write: If-Match with the set's current ETag.
    helpers.is_problem(client.post(f"{path}/versions/2/restore", headers=researcher.headers), 428)
    restored = write(client, researcher, "post", f"{path}/versions/2/restore")
    assert restored.status_code == 200, restored.get_json()
    assert restored.get_json()["title"] == {"fr": "Avant"} and restored.get_json()["version"] == 5
    assert member_ids(client, researcher, created) == [a["id"], b["id"]]
    newest = versions(client, researcher, created)["items"][0]
    assert newest["note"] == "Restored from version 2"
    assert sorted(newest["changed"]) == ["members", "title"]


def test_others_read_only_what_they_may_see_of_a_sets_history(client, users, other_researcher):
    curator, researcher = users["curator"], users["researcher"]
    public, draft = (helpers.obj(client, curator, status=s) for s in ("public", "draft"))
    created = new_set(client, curator, title="Brouillon de sélection")
    add_objects(client, curator, created, public, draft)
    path = f"/api/v1/sets/{created['id']}"
    # Private so far: nobody else reads the set or its history.
    versions(client, researcher, created, status=404)
    write(client, curator, "patch", path, {"visibility": "shared"})
    page = versions(client, other_researcher, created)
    assert [v["number"] for v in page["items"]] == [3]
    shown = client.get(f"{path}/versions/3", headers=other_researcher.headers).get_json()
    assert shown["record"]["members"] == [{"id": public["id"], "note": None}]
    helpers.is_problem(client.get(f"{path}/versions/2", headers=other_researcher.headers), 404)
    helpers.is_problem(client.get(f"{path}/versions"), 401)
    for number in (2, 3):
        restore = f"{path}/versions/{number}/restore"
        helpers.is_problem(write(client, other_researcher, "post", restore), 403)


def test_a_researcher_cannot_publish_by_restoring(client, users):
    researcher, admin = users["researcher"], users["admin"]
    created = new_set(client, researcher, visibility="shared")
    path = f"/api/v1/sets/{created['id']}"
    assert write(client, admin, "patch", path, {"visibility": "public"}).status_code == 200
    assert write(client, researcher, "patch", path, {"visibility": "private"}).status_code == 200
    helpers.is_problem(write(client, researcher, "post", f"{path}/versions/2/restore"), 403)
    assert read_set(client, researcher, created)[0]["visibility"] == "private"
