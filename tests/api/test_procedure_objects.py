"""Procedures that change objects: accessioning, audits, exits and deaccession, biography."""

from __future__ import annotations

from datetime import UTC, datetime

from tests import helpers
from tests.api import procedure_helpers as ph

YEAR = datetime.now(UTC).year


def _h(caller) -> dict:
    return {"headers": caller.headers}


def test_accessioning_numbers_the_temporary_objects_and_fills_their_acquisition(client, curator):
    world = ph.world(client, curator)
    entry = ph.create(
        client,
        curator,
        "entries",
        {
            "reason": "acquisition-consideration",
            "depositor": {"id": world["seller"]["id"]},
            "objects": [{"title": {"fr": "Casque"}}, {"title": {"fr": "Gourde"}}],
        },
    )
    temporary = [o["id"] for o in entry["objects"]]
    acquisition = ph.create(
        client,
        curator,
        "acquisitions",
        {
            "method": "purchase",
            "source": {"id": world["seller"]["id"]},
            "offer_date": "2026-01-10",
            "decision_date": "2026-02-01",
            "transfer_date": "2026-02-15",
            "price": {"amount": "1200.50", "currency": "EUR"},
            "funding": "Fonds régional d'acquisition",
            "approval": {"by": "Commission", "date": "2026-02-01", "decision": "Favorable"},
            "objects": [{"id": i} for i in temporary] + [{"id": world["rocket"]["id"]}],
        },
    )
    assert acquisition["price"] == {"amount": "1200.50", "currency": "EUR"}
    ph.moved(client, curator, "acquisitions", acquisition, "approved")
    done = ph.moved(client, curator, "acquisitions", acquisition, "accessioned")
    assert done["status"] == "accessioned"
    numbers = [o["object_number"] for o in done["objects"]]
    assert numbers[0] == f"{YEAR}.0001.001" and numbers[1] == f"{YEAR}.0001.002"
    assert numbers[2] == world["rocket"]["object_number"]  # it had a real number already
    for item in done["objects"]:
        record, _ = helpers.read(client, curator, item)
        assert record["acquisition"]["method"] == "purchase"
        assert record["acquisition"]["date"] == "2026-02-15"
        assert record["acquisition"]["source"] == "Vente Drouot"
        assert record["collection_status"] == "in-collection"
    # The entry shows the objects by their new numbers; the numbers are taken for good.
    entry_now, _ = ph.read(client, curator, "entries", entry)
    assert [o["object_number"] for o in entry_now["objects"]] == numbers[:2]
    versions = client.get(f"/api/v1/objects/{temporary[0]}/versions", **_h(curator)).get_json()
    assert versions["items"][0]["note"] == f"Accessioned with acquisition {done['number']}"
    refused = client.delete(
        f"/api/v1/acquisitions/{done['id']}", headers={**curator.headers, "If-Match": "*"}
    )
    helpers.is_problem(refused, 409)
    # The objects of an accessioned acquisition no longer change.
    changed = ph.patch(client, curator, "acquisitions", done, {"objects": []})
    helpers.is_problem(changed, 409)


def test_an_audit_compares_a_location_with_the_catalogue(client, curator):
    world = ph.world(client, curator)
    helmet = helpers.obj(client, curator, title={"fr": "Casque"})
    stray = helpers.obj(client, curator, title={"fr": "Boussole"})
    helpers.move(client, curator, helmet, world["store"])
    helpers.move(client, curator, stray, world["hall"])
    audit = ph.create(client, curator, "audits", {"locations": [{"id": world["store"]["id"]}]})
    assert audit["status"] == "open"
    assert audit["locations"][0]["label"] == world["store"]["label"]
    expected = {o["id"] for o in audit["expected"]}
    assert expected == {world["rocket"]["id"], helmet["id"]}
    items = f"/api/v1/audits/{audit['id']}/items"
    no_place = client.post(
        items, json={"object": {"id": helmet["id"]}, "result": "found-elsewhere"}, **_h(curator)
    )
    assert "location" in helpers.is_problem(no_place, 422)["errors"]
    for body in (
        {"object": {"id": world["rocket"]["id"]}, "result": "missing"},
        {"object": {"id": world["rocket"]["id"]}, "result": "found"},  # found after all
        {
            "object": {"id": helmet["id"]},
            "result": "found-elsewhere",
            "location": {"id": world["hall"]["id"]},
        },
        {"object": {"id": stray["id"]}, "result": "found"},
    ):
        response = client.post(items, json=body, **_h(curator))
        assert response.status_code == 200, response.get_data(as_text=True)
    recorded = response.get_json()["items"]
    assert [(i["object"]["id"], i["result"]) for i in recorded] == [
        (world["rocket"]["id"], "found"),
        (helmet["id"], "found-elsewhere"),
        (stray["id"], "found"),
    ]
    assert recorded[2]["expected"] is False
    done = ph.moved(client, curator, "audits", audit, "completed", record_movements=True)
    issues = {(d["object"]["id"], d["issue"]) for d in done["discrepancies"]}
    assert issues == {(helmet["id"], "found-elsewhere"), (stray["id"], "unexpected")}
    moved_helmet, _ = helpers.read(client, curator, helmet)
    assert moved_helmet["location"]["id"] == world["hall"]["id"]
    late = client.post(
        items, json={"object": {"id": helmet["id"]}, "result": "found"}, **_h(curator)
    )
    helpers.is_problem(late, 409)
    # The locations of an audit are those it opened with.
    changed = ph.patch(
        client, curator, "audits", done, {"locations": [{"id": world["hall"]["id"]}]}
    )
    helpers.is_problem(changed, 409)


def test_a_deaccession_needs_its_approval_and_takes_the_object_out_of_public_view(
    client, users, curator
):
    world = ph.world(client, curator)
    rocket = world["rocket"]
    found = client.get("/api/v1/search", query_string={"q": "A4"}).get_json()["items"]
    assert rocket["id"] in {item["id"] for item in found}
    exit_ = ph.create(
        client,
        curator,
        "exits",
        {
            "reason": "deaccession",
            "method": "transfer to another museum",
            "recipient": {"id": world["seller"]["id"]},
            "exit_date": "2026-09-01",
            "objects": [{"id": rocket["id"]}],
        },
    )
    # In one open exit at most.
    other = client.post(
        "/api/v1/exits",
        json={"reason": "loss", "objects": [{"id": rocket["id"]}]},
        **_h(curator),
    )
    assert helpers.is_problem(other, 409)["exit"]["id"] == exit_["id"]
    early = helpers.is_problem(ph.move(client, curator, "exits", exit_, "completed"), 409)
    assert early["allowed"] == ["approved", "cancelled"]
    ph.moved(client, curator, "exits", exit_, "approved", note="Commission du 3 septembre")
    done = ph.moved(client, curator, "exits", exit_, "completed")
    assert [t["to"] for t in done["transitions"]] == ["approved", "completed"]
    record, _ = helpers.read(client, curator, rocket)
    assert record["collection_status"] == "deaccessioned" and record["status"] == "draft"
    for role in ("anonymous", "researcher"):
        response = client.get(f"/api/v1/objects/{rocket['id']}", headers=users[role].headers)
        helpers.is_problem(response, 404)
    feed = client.get("/api/v1/changes").get_json()["items"]
    assert [e["event"] for e in feed if e["id"] == rocket["id"]][-1] == "unpublished"
    oai = client.get(
        "/oai",
        query_string={
            "verb": "GetRecord",
            "metadataPrefix": "oai_dc",
            "identifier": f"oai:catalogue.example.org:{rocket['id']}",
        },
    ).get_data(as_text=True)
    assert 'status="deleted"' in oai
    for path in (f"/iiif/3/objects/{rocket['id']}/manifest", f"/objects/{rocket['id']}"):
        assert client.get(path).status_code == 404, path
    found = client.get("/api/v1/search", query_string={"q": "A4"}).get_json()["items"]
    assert rocket["id"] not in {item["id"] for item in found}
    # It stays a draft, is never deleted, and its number is not given again.
    public_again = helpers.write(
        client, curator, "PATCH", f"/api/v1/objects/{rocket['id']}", {"status": "public"}
    )
    assert "status" in helpers.is_problem(public_again, 422)["errors"]
    gone = helpers.write(client, curator, "DELETE", f"/api/v1/objects/{rocket['id']}")
    helpers.is_problem(gone, 409)
    copy = client.post(
        "/api/v1/objects",
        json={"object_number": rocket["object_number"], "title": {"fr": "Copie"}},
        **_h(curator),
    )
    helpers.is_problem(copy, 409)
    deleted = helpers.write(client, curator, "DELETE", f"/api/v1/exits/{exit_['id']}")
    helpers.is_problem(deleted, 409)
    history = client.get(f"/api/v1/objects/{rocket['id']}/versions", **_h(curator)).get_json()
    assert history["items"][0]["changed"] == ["status", "collection_status"]


def test_an_exited_object_comes_back_only_as_a_return(client, curator):
    world = ph.world(client, curator)
    rocket = world["rocket"]
    exit_ = ph.create(
        client, curator, "exits", {"reason": "return-to-owner", "objects": [{"id": rocket["id"]}]}
    )
    ph.moved(client, curator, "exits", exit_, "completed")  # no approval needed for a return
    assert helpers.read(client, curator, rocket)[0]["collection_status"] == "exited"
    refused = client.post(
        "/api/v1/entries",
        json={"reason": "loan-in", "objects": [{"id": rocket["id"]}]},
        **_h(curator),
    )
    helpers.is_problem(refused, 409)
    again = client.post(
        "/api/v1/exits", json={"reason": "loss", "objects": [{"id": rocket["id"]}]}, **_h(curator)
    )
    helpers.is_problem(again, 409)
    ph.create(client, curator, "entries", {"reason": "return", "objects": [{"id": rocket["id"]}]})
    assert helpers.read(client, curator, rocket)[0]["collection_status"] == "in-collection"


def test_cancelled_exits_free_their_objects(client, curator):
    world = ph.world(client, curator)
    first = ph.create(
        client, curator, "exits", {"reason": "theft", "objects": [{"id": world["rocket"]["id"]}]}
    )
    ph.moved(client, curator, "exits", first, "cancelled")
    second = ph.create(
        client, curator, "exits", {"reason": "loss", "objects": [{"id": world["rocket"]["id"]}]}
    )
    assert second["status"] == "proposed"
    # A cancelled exit changed nothing: it may be deleted.
    assert (
        helpers.write(client, curator, "DELETE", f"/api/v1/exits/{first['id']}").status_code == 204
    )


def test_the_biography_lists_every_step_oldest_first(client, curator):
    world = ph.world(client, curator)
    rocket = world["rocket"]
    entry = ph.create(
        client,
        curator,
        "entries",
        {"reason": "loan-in", "entry_date": "1997-03-01", "objects": [{"id": rocket["id"]}]},
    )
    acquisition = ph.create(
        client,
        curator,
        "acquisitions",
        {"method": "transfer", "transfer_date": "1997-06-12", "objects": [{"id": rocket["id"]}]},
    )
    check = client.post(
        f"/api/v1/objects/{rocket['id']}/condition-checks",
        json={"condition": "fair", "checked_at": "2001-05-05T10:00:00Z"},
        **_h(curator),
    )
    assert check.status_code == 201
    audit = ph.create(client, curator, "audits", {"locations": [{"id": world["store"]["id"]}]})
    response = client.get(f"/api/v1/objects/{rocket['id']}/procedures", **_h(curator))
    assert response.status_code == 200
    items = response.get_json()["items"]
    assert [i["kind"] for i in items] == [
        "entry",
        "acquisition",
        "condition-check",
        "movement",
        "audit",
    ]
    assert items[0] == {
        "kind": "entry",
        "id": entry["id"],
        "number": entry["number"],
        "status": "open",
        "date": "1997-03-01",
    }
    assert items[1]["id"] == acquisition["id"] and items[1]["date"] == "1997-06-12"
    assert items[4]["id"] == audit["id"]
