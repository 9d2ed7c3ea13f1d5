"""``/api/v1/batches``: preview, run in the background, concurrency, undo, and who may see."""

from __future__ import annotations

from tests import helpers
from tests.background import work_off
from tests.sets_helpers import add_objects, member_ids, new_set

BASE = "/api/v1/batches"


def create(client, caller, targets: dict, operation: dict, status: int = 201) -> dict:
    response = client.post(
        BASE, json={"targets": targets, "operation": operation}, headers=caller.headers
    )
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def run(client, app, caller, batch: dict) -> dict:
    response = client.post(f"{BASE}/{batch['id']}/run", headers=caller.headers)
    assert response.status_code == 202, response.get_data(as_text=True)
    assert response.get_json()["status"] == "running"
    work_off(app)
    return get(client, caller, batch)


def get(client, caller, batch: dict) -> dict:
    response = client.get(f"{BASE}/{batch['id']}", headers=caller.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def versions(client, caller, record: dict) -> list[dict]:
    response = client.get(f"/api/v1/objects/{record['id']}/versions", headers=caller.headers)
    return response.get_json()["items"]


def by_id(batch: dict) -> dict:
    return {item["id"]: item for item in batch["items"]}


def test_set_a_text_language_by_language_preview_then_run(app, client, curator, state):
    one = helpers.obj(client, curator, title={"fr": "Vase", "en": "Vase"})
    two = helpers.obj(client, curator, title={"fr": "Cruche", "en": "Jug"})
    before = state()
    batch = create(
        client,
        curator,
        {"ids": [one["id"], two["id"]]},
        {"op": "set", "field": "title.en", "value": "Pot"},
    )
    assert batch["status"] == "preview"
    assert batch["counts"]["targets"] == 2 and batch["counts"]["done"] == 0
    items = by_id(batch)
    assert items[one["id"]]["outcome"] == "change"
    assert items[one["id"]]["changes"] == [
        {
            "field": "title",
            "before": {"fr": "Vase", "en": "Vase"},
            "after": {"fr": "Vase", "en": "Pot"},
        }
    ]
    assert state() == before  # a preview changes nothing

    done = run(client, app, curator, batch)
    assert done["status"] == "done"
    assert done["counts"] == {**done["counts"], "targets": 2, "done": 2, "changed": 2}
    record, _ = helpers.read(client, curator, two)
    assert record["title"] == {"fr": "Cruche", "en": "Pot"}
    latest = versions(client, curator, two)[0]
    assert latest["batch"] == batch["id"] and latest["changed"] == ["title"]
    # One version per changed object; the change log has each as a single edit.
    changes = client.get("/api/v1/changes", headers=curator.headers).get_json()
    assert sum(1 for c in changes["items"] if c["id"] == two["id"]) >= 1
    found = client.get(
        "/api/v1/search", query_string={"q": "Pot", "lang": "en"}, headers=curator.headers
    ).get_json()
    assert {i["id"] for i in found["items"]} >= {one["id"], two["id"]}


def test_add_and_remove_a_subject_status_and_skips_with_reasons(app, client, curator):
    subject = helpers.term(client, curator, "subject", "Marine", "Seascape")
    has = helpers.obj(client, curator, subjects=[{"id": subject["id"]}])
    plain = helpers.obj(client, curator)
    batch = create(
        client,
        curator,
        {"ids": [has["id"], plain["id"]]},
        {"op": "add", "field": "subjects", "value": {"id": subject["id"]}},
    )
    items = by_id(batch)
    assert items[has["id"]]["outcome"] == "unchanged"
    assert items[plain["id"]]["outcome"] == "change"
    assert items[plain["id"]]["changes"][0]["after"][0]["id"] == subject["id"]
    done = run(client, app, curator, batch)
    assert done["counts"]["changed"] == 1
    record, _ = helpers.read(client, curator, plain)
    assert [s["id"] for s in record["subjects"]] == [subject["id"]]

    removed = run(
        client,
        app,
        curator,
        create(
            client,
            curator,
            {"ids": [has["id"], plain["id"]]},
            {"op": "remove", "field": "subjects", "value": {"id": subject["id"]}},
        ),
    )
    assert removed["counts"]["changed"] == 2
    assert helpers.read(client, curator, has)[0]["subjects"] == []

    status = run(
        client,
        app,
        curator,
        create(client, curator, {"ids": [plain["id"]]}, {"op": "status", "value": "public"}),
    )
    assert status["counts"]["changed"] == 1
    assert helpers.read(client, curator, plain)[0]["status"] == "public"

    # Removing the only title language would make records invalid: skipped, with why.
    skip = create(
        client, curator, {"ids": [plain["id"]]}, {"op": "set", "field": "title.fr", "value": None}
    )
    skip2 = create(
        client, curator, {"ids": [plain["id"]]}, {"op": "set", "field": "title.en", "value": None}
    )
    assert by_id(skip)[plain["id"]]["outcome"] == "change"  # English remains
    done = run(client, app, curator, skip)
    assert done["counts"]["changed"] == 1
    refused = by_id(get(client, curator, skip2))[plain["id"]]
    assert refused["outcome"] == "change"  # previewed while French was still there...
    again = create(
        client, curator, {"ids": [plain["id"]]}, {"op": "set", "field": "title.en", "value": None}
    )
    item = by_id(again)[plain["id"]]
    assert item["outcome"] == "skip" and "title" in item["reason"]
    # ...and the run of the older preview does not overwrite the newer version.
    stale = run(client, app, curator, skip2)
    assert stale["counts"]["skipped"] == 1 and stale["counts"]["changed"] == 0
    assert "version" in by_id(stale)[plain["id"]]["result_reason"]
    assert helpers.read(client, curator, plain)[0]["title"] == {"en": "Object"}


def test_an_object_edited_after_the_preview_is_skipped_never_overwritten(app, client, curator):
    one = helpers.obj(client, curator, credit_line={"fr": "Don"})
    two = helpers.obj(client, curator)
    batch = create(
        client,
        curator,
        {"ids": [one["id"], two["id"]]},
        {"op": "set", "field": "credit_line.fr", "value": "Legs"},
    )
    helpers.edit(client, curator, one, {"credit_line": {"fr": "Achat"}})
    done = run(client, app, curator, batch)
    assert done["counts"]["skipped"] == 1 and done["counts"]["changed"] == 1
    assert helpers.read(client, curator, one)[0]["credit_line"] == {"fr": "Achat"}
    assert helpers.read(client, curator, two)[0]["credit_line"] == {"fr": "Legs"}


def test_undo_restores_each_object_except_those_edited_since(app, client, curator):
    one = helpers.obj(client, curator, internal_notes="a")
    two = helpers.obj(client, curator, internal_notes="b")
    batch = run(
        client,
        app,
        curator,
        create(
            client,
            curator,
            {"ids": [one["id"], two["id"]]},
            {"op": "set", "field": "internal_notes", "value": "checked"},
        ),
    )
    helpers.edit(client, curator, two, {"internal_notes": "mine"})
    response = client.post(f"{BASE}/{batch['id']}/undo", headers=curator.headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    undo = response.get_json()
    assert undo["undo_of"] == batch["id"] and undo["id"] != batch["id"]
    work_off(app)
    undone = get(client, curator, undo)
    assert undone["status"] == "done"
    assert undone["counts"]["changed"] == 1 and undone["counts"]["skipped"] == 1
    assert "version" in by_id(undone)[two["id"]]["result_reason"]
    assert helpers.read(client, curator, one)[0]["internal_notes"] == "a"
    assert helpers.read(client, curator, two)[0]["internal_notes"] == "mine"
    assert versions(client, curator, one)[0]["batch"] == undo["id"]
    again = client.post(f"{BASE}/{batch['id']}/undo", headers=curator.headers)
    assert again.status_code == 409


def test_move_and_its_undo(app, client, curator):
    store = helpers.location(client, curator, "Réserve A")
    room = helpers.location(client, curator, "Salle 1")
    one = helpers.obj(client, curator)
    client.post(
        f"/api/v1/objects/{one['id']}/movements",
        json={"to_location": {"id": store["id"]}},
        headers=curator.headers,
    )
    batch = create(
        client, curator, {"ids": [one["id"]]}, {"op": "move", "value": {"id": room["id"]}}
    )
    assert by_id(batch)[one["id"]]["changes"][0]["after"]["id"] == room["id"]
    run(client, app, curator, batch)
    assert helpers.read(client, curator, one)[0]["location"]["id"] == room["id"]
    movements = client.get(
        f"/api/v1/objects/{one['id']}/movements", headers=curator.headers
    ).get_json()["items"]
    assert movements[0]["reason"] == f"Batch {batch['id']}"
    client.post(f"{BASE}/{batch['id']}/undo", headers=curator.headers)
    work_off(app)
    assert helpers.read(client, curator, one)[0]["location"]["id"] == store["id"]


def test_add_to_and_remove_from_a_set_from_a_search(app, client, curator):
    one = helpers.obj(client, curator, title={"fr": "Astrolabe"})
    two = helpers.obj(client, curator, title={"fr": "Astrolabe marin"})
    helpers.obj(client, curator, title={"fr": "Horloge"})
    target = new_set(client, curator, "Instruments")
    add_objects(client, curator, target, one)
    batch = create(
        client,
        curator,
        {"query": "astrolabe", "filters": {}},
        {"op": "add-to-set", "value": {"id": target["id"]}},
    )
    assert batch["counts"]["targets"] == 2
    assert by_id(batch)[one["id"]]["outcome"] == "unchanged"
    run(client, app, curator, batch)
    assert member_ids(client, curator, target) == [one["id"], two["id"]]
    client.post(f"{BASE}/{batch['id']}/undo", headers=curator.headers)
    work_off(app)
    assert member_ids(client, curator, target) == [one["id"]]
    source = new_set(client, curator, "Source")
    add_objects(client, curator, source, one, two)
    run(
        client,
        app,
        curator,
        create(
            client,
            curator,
            {"set": {"id": source["id"]}},
            {"op": "remove-from-set", "value": {"id": target["id"]}},
        ),
    )
    assert member_ids(client, curator, target) == []


def test_bad_batches_are_422_and_change_nothing(client, curator, state):
    one = helpers.obj(client, curator)
    before = state()
    for operation in (
        {"op": "set", "field": "location", "value": "x"},
        {"op": "set", "field": "subjects", "value": []},
        {"op": "set", "field": "status", "value": "lost"},
        {"op": "add", "field": "subjects", "value": {"id": one["id"]}},
        {"op": "status", "value": "gone"},
        {"op": "move", "value": {"id": one["id"]}},
        {"op": "explode"},
    ):
        response = client.post(
            BASE,
            json={"targets": {"ids": [one["id"]]}, "operation": operation},
            headers=curator.headers,
        )
        assert response.status_code == 422, (operation, response.get_data(as_text=True))
        assert response.mimetype == "application/problem+json"
    for targets in (
        {},
        {"ids": [one["id"]], "query": "x"},
        {"ids": [curator.email]},
        {"ids": ["00000000-0000-0000-0000-000000000000"]},
    ):
        response = client.post(
            BASE,
            json={"targets": targets, "operation": {"op": "status", "value": "draft"}},
            headers=curator.headers,
        )
        assert response.status_code == 422, (targets, response.get_data(as_text=True))
    assert state() == before


def test_batches_are_for_staff_only(client, users):
    curator = users["curator"]
    one = helpers.obj(client, curator)
    batch = create(client, curator, {"ids": [one["id"]]}, {"op": "status", "value": "public"})
    body = {"targets": {"ids": [one["id"]]}, "operation": {"op": "status", "value": "public"}}
    for role, listed in (("anonymous", 401), ("researcher", 403)):
        caller = users[role]
        assert client.get(BASE, headers=caller.headers).status_code == listed
        assert client.post(BASE, json=body, headers=caller.headers).status_code == listed
        for path in ("", "/items"):
            response = client.get(f"{BASE}/{batch['id']}{path}", headers=caller.headers)
            assert response.status_code == 404
        for action in ("run", "undo"):
            response = client.post(f"{BASE}/{batch['id']}/{action}", headers=caller.headers)
            assert response.status_code == listed
    assert get(client, curator, batch)["status"] == "preview"
    assert client.get(BASE, headers=users["admin"].headers).get_json()["total"] == 1
    run_twice = client.post(f"{BASE}/{batch['id']}/run", headers=curator.headers)
    assert run_twice.status_code == 202
    assert client.post(f"{BASE}/{batch['id']}/run", headers=curator.headers).status_code == 409
