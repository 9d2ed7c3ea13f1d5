"""``/api/v1/sets``: creating, reading, changing and deleting sets, and their members."""

from __future__ import annotations

from tests import helpers
from tests.sets_helpers import (
    add,
    add_objects,
    member_ids,
    members,
    new_set,
    read_set,
    write,
)


def test_any_signed_in_user_creates_a_set_they_own(client, users):
    researcher = users["researcher"]
    created = new_set(
        client,
        researcher,
        title={"fr": "Les rampes", "en": "The launch ramps"},
        description="Pour ma thèse",
    )
    assert created["visibility"] == "private"
    assert created["owner"]["email"] == researcher.email
    assert created["member_count"] == 0 and created["version"] == 1
    assert created["description"] == {"fr": "Pour ma thèse"}
    assert created["links"]["members"] == f"/api/v1/sets/{created['id']}/members"
    body, etag = read_set(client, researcher, created)
    assert body == created and etag.startswith('"')
    again = client.get(
        f"/api/v1/sets/{created['id']}", headers={**researcher.headers, "If-None-Match": etag}
    )
    assert again.status_code == 304


def test_anonymous_cannot_create_and_bad_input_is_a_422(client, users, state):
    before = state()
    assert helpers.is_problem(client.post("/api/v1/sets", json={"title": "x"}), 401)
    researcher = users["researcher"]
    for body in ({}, {"title": {}}, {"title": "x", "visibility": "secret"}, {"title": "x", "y": 1}):
        response = client.post("/api/v1/sets", json=body, headers=researcher.headers)
        assert helpers.is_problem(response, 422)["errors"]
    assert client.get("/api/v1/sets", headers=researcher.headers).get_json()["total"] == 0
    assert state() == before


def test_only_curators_and_admins_publish(client, users):
    researcher, curator = users["researcher"], users["curator"]
    response = client.post(
        "/api/v1/sets", json={"title": "x", "visibility": "public"}, headers=researcher.headers
    )
    helpers.is_problem(response, 403)
    mine = new_set(client, researcher, visibility="shared")
    response = write(
        client, researcher, "patch", f"/api/v1/sets/{mine['id']}", {"visibility": "public"}
    )
    helpers.is_problem(response, 403)
    assert read_set(client, researcher, mine)[0]["visibility"] == "shared"
    published = new_set(client, curator, visibility="public")
    assert published["visibility"] == "public"


def test_who_reads_which_set(client, users, other_researcher):
    researcher, curator, admin = users["researcher"], users["curator"], users["admin"]
    anonymous = users["anonymous"]
    private = new_set(client, researcher, title="Privé")
    shared = new_set(client, researcher, title="Partagé", visibility="shared")
    public = new_set(client, curator, title="Public", visibility="public")

    def listed(caller):
        items = client.get("/api/v1/sets", headers=caller.headers).get_json()["items"]
        return {item["title"]["fr"] for item in items}

    assert listed(researcher) == {"Privé", "Partagé", "Public"}
    assert listed(other_researcher) == {"Partagé", "Public"}
    assert listed(curator) == {"Partagé", "Public"}
    assert listed(admin) == {"Privé", "Partagé", "Public"}
    assert listed(anonymous) == {"Public"}
    for caller in (other_researcher, curator, anonymous):
        response = client.get(f"/api/v1/sets/{private['id']}", headers=caller.headers)
        assert "Privé" not in helpers.is_problem(response, 404)["detail"]
    helpers.is_problem(client.get(f"/api/v1/sets/{shared['id']}"), 404)
    assert "email" not in client.get(f"/api/v1/sets/{public['id']}").get_json()["owner"]
    mine = client.get("/api/v1/sets?mine=true", headers=curator.headers).get_json()
    assert [item["id"] for item in mine["items"]] == [public["id"]]
    only_shared = client.get("/api/v1/sets?visibility=shared", headers=admin.headers).get_json()
    assert [item["id"] for item in only_shared["items"]] == [shared["id"]]


def test_only_the_owner_or_an_admin_changes_a_set(client, users, other_researcher):
    researcher, curator, admin = users["researcher"], users["curator"], users["admin"]
    shared = new_set(client, researcher, title="Partagé", visibility="shared")
    path = f"/api/v1/sets/{shared['id']}"
    for caller in (other_researcher, curator):
        helpers.is_problem(write(client, caller, "patch", path, {"title": "Volé"}), 403)
        helpers.is_problem(write(client, caller, "delete", path), 403)
    response = write(client, admin, "patch", path, {"title": {"en": "Shared"}})
    assert response.status_code == 200
    assert response.get_json()["title"] == {"fr": "Partagé", "en": "Shared"}
    helpers.is_problem(client.patch(path, json={"title": "x"}), 401)


def test_put_patch_delete_need_a_current_etag(client, users):
    researcher = users["researcher"]
    created = new_set(client, researcher)
    path = f"/api/v1/sets/{created['id']}"
    _, etag = read_set(client, researcher, created)
    helpers.is_problem(client.put(path, json={"title": "Autre"}, headers=researcher.headers), 428)
    response = client.put(
        path,
        json={**created, "title": "Autre", "description": "Texte"},
        headers={**researcher.headers, "If-Match": etag},
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["title"] == {"fr": "Autre"} and response.get_json()["version"] == 2
    assert response.headers["ETag"] != etag
    stale = client.patch(
        path, json={"title": "x"}, headers={**researcher.headers, "If-Match": etag}
    )
    helpers.is_problem(stale, 412)
    patched = client.patch(
        path,
        json={"description": None},
        headers={**researcher.headers, "If-Match": response.headers["ETag"]},
    )
    assert patched.status_code == 200 and patched.get_json()["description"] is None
    helpers.is_problem(client.delete(path, headers=researcher.headers), 428)
    deleted = client.delete(
        path, headers={**researcher.headers, "If-Match": patched.headers["ETag"]}
    )
    assert deleted.status_code == 204
    helpers.is_problem(client.get(path, headers=researcher.headers), 404)


def test_members_by_id_by_number_and_their_order(client, users):
    curator, researcher = users["curator"], users["researcher"]
    a, b, c = (helpers.obj(client, curator, status="public") for _ in range(3))
    created = new_set(client, researcher)
    answer = add_objects(client, researcher, created, b, note="Vue de la rampe")
    assert answer["member_count"] == 1 and answer["version"] == 2
    add(client, researcher, created, {"object_numbers": [a["object_number"], c["object_number"]]})
    # Already a member: stays where it is, nothing is added twice.
    add(client, researcher, created, {"objects": [{"id": b["id"]}]})
    page = members(client, researcher, created)
    assert [item["id"] for item in page["items"]] == [b["id"], a["id"], c["id"]]
    first = page["items"][0]
    assert first["note"] == "Vue de la rampe" and first["object_number"] == b["object_number"]
    assert first["title"] == b["title"] and page["total"] == 3
    order = {"objects": [{"id": c["id"]}, {"id": b["id"], "note": None}, {"id": a["id"]}]}
    path = f"/api/v1/sets/{created['id']}/members"
    helpers.is_problem(client.put(path, json=order, headers=researcher.headers), 428)
    assert write(client, researcher, "put", path, order).status_code == 200
    page = members(client, researcher, created)
    assert [item["id"] for item in page["items"]] == [c["id"], b["id"], a["id"]]
    assert page["items"][1]["note"] is None
    note = write(client, researcher, "patch", f"{path}/{a['id']}", {"note": "Au fond"})
    assert note.status_code == 200
    assert members(client, researcher, created)["items"][2]["note"] == "Au fond"
    removed = write(client, researcher, "delete", f"{path}/{b['id']}")
    assert removed.status_code == 200 and removed.get_json()["member_count"] == 2
    assert member_ids(client, researcher, created) == [c["id"], a["id"]]
    helpers.is_problem(write(client, researcher, "delete", f"{path}/{b['id']}"), 404)


def test_bad_member_requests_change_nothing(client, users, other_researcher):
    curator, researcher = users["curator"], users["researcher"]
    public = helpers.obj(client, curator, status="public")
    draft = helpers.obj(client, curator, status="draft")
    created = new_set(client, researcher)
    add_objects(client, researcher, created, public)
    path = f"/api/v1/sets/{created['id']}/members"
    before = read_set(client, researcher, created)
    for body in (
        {},
        {"objects": []},
        {"objects": [{"id": "not-a-uuid"}]},
        {"objects": [{"id": public["id"]}], "object_numbers": ["x"]},
        {"object_numbers": ["no-such-number"]},
        {"objects": [{"id": draft["id"]}]},  # a draft a researcher may not see: as unknown
        {"object_numbers": [draft["object_number"]]},
        {"query": "x", "filters": {"colour": ["red"]}},
        {"query": "x", "filters": {"collection": ["nope"]}},
    ):
        body_text = helpers.is_problem(
            client.post(path, json=body, headers=researcher.headers), 422
        )
        assert draft["title"]["fr"] not in str(body_text) or body == {}
    for order in (
        {"objects": []},
        {"objects": [{"id": public["id"]}, {"id": public["id"]}]},
        {"objects": [{"id": draft["id"]}]},
    ):
        helpers.is_problem(write(client, researcher, "put", path, order), 422)
    helpers.is_problem(
        client.post(
            path, json={"objects": [{"id": public["id"]}]}, headers=other_researcher.headers
        ),
        404,
    )
    assert read_set(client, researcher, created) == before


def test_every_result_of_a_search(client, users):
    curator, researcher = users["curator"], users["researcher"]
    rockets = [
        helpers.obj(client, curator, status="public", title={"fr": f"Fusée {i}"}) for i in range(3)
    ]
    helpers.obj(client, curator, status="draft", title={"fr": "Fusée brouillon"})
    helpers.obj(client, curator, status="public", title={"fr": "Casque"})
    created = new_set(client, researcher)
    answer = add(client, researcher, created, {"query": "fusée", "filters": {}})
    assert answer["member_count"] == 3
    assert sorted(member_ids(client, researcher, created)) == sorted(r["id"] for r in rockets)
    collection = helpers.collection(client, curator, "Armes", "Weapons")
    helpers.edit(client, curator, rockets[0], {"collections": [{"id": collection["id"]}]})
    other = new_set(client, researcher)
    add(client, researcher, other, {"query": "", "filters": {"collection": collection["id"]}})
    assert member_ids(client, researcher, other) == [rockets[0]["id"]]
    helpers.is_problem(
        client.post(
            f"/api/v1/sets/{other['id']}/members",
            json={"query": "couleur:rouge"},
            headers=researcher.headers,
        ),
        400,
    )


def test_members_are_shown_member_by_member(client, users, other_researcher):
    curator, researcher, admin = users["curator"], users["researcher"], users["admin"]
    public = helpers.obj(client, curator, status="public")
    internal = helpers.obj(client, curator, status="internal")
    draft = helpers.obj(client, curator, status="draft")
    published = new_set(client, curator, visibility="public")
    add_objects(client, curator, published, draft, internal, public, note="Note")
    counts = {
        name: client.get(f"/api/v1/sets/{published['id']}", headers=caller.headers).get_json()[
            "member_count"
        ]
        for name, caller in (
            ("anonymous", users["anonymous"]),
            ("researcher", other_researcher),
            ("curator", curator),
            ("admin", admin),
        )
    }
    assert counts == {"anonymous": 1, "researcher": 2, "curator": 3, "admin": 3}
    assert member_ids(client, users["anonymous"], published) == [public["id"]]
    assert member_ids(client, researcher, published) == [internal["id"], public["id"]]
    assert member_ids(client, curator, published) == [draft["id"], internal["id"], public["id"]]
    anonymous_page = members(client, users["anonymous"], published)
    assert anonymous_page["total"] == 1 and draft["id"] not in str(anonymous_page)
    by_object = client.get(f"/api/v1/sets?object={draft['id']}").get_json()
    assert by_object["total"] == 0
    assert client.get(f"/api/v1/sets?object={public['id']}").get_json()["total"] == 1


def test_hidden_members_keep_their_places_and_are_never_lost(client, users):
    curator = users["curator"]
    researcher = users["researcher"]
    a, b, c = (helpers.obj(client, curator, status="public") for _ in range(3))
    mine = new_set(client, researcher, visibility="shared")
    add_objects(client, researcher, mine, a, b, c)
    # b becomes a draft: the researcher owner no longer sees it, but it stays in the set.
    helpers.edit(client, curator, b, {"status": "draft"})
    assert member_ids(client, researcher, mine) == [a["id"], c["id"]]
    path = f"/api/v1/sets/{mine['id']}/members"
    order = {"objects": [{"id": c["id"]}, {"id": a["id"]}]}
    assert write(client, researcher, "put", path, order).status_code == 200
    assert member_ids(client, researcher, mine) == [c["id"], a["id"]]
    assert member_ids(client, curator, mine) == [c["id"], b["id"], a["id"]]
    helpers.is_problem(write(client, researcher, "delete", f"{path}/{b['id']}"), 404)
    assert member_ids(client, curator, mine) == [c["id"], b["id"], a["id"]]


def test_lang_adds_display_texts(client, users):
    researcher = users["researcher"]
    created = new_set(client, researcher, title={"fr": "Rampes", "en": "Ramps"})
    body = client.get(f"/api/v1/sets/{created['id']}?lang=en", headers=researcher.headers)
    assert body.get_json()["display"]["title"] == "Ramps"
    listed = client.get("/api/v1/sets?lang=en", headers=researcher.headers).get_json()
    assert listed["items"][0]["display"]["title"] == "Ramps"
