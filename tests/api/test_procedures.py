"""Procedures through the API: numbers, transitions, rules, versions, lists, staff only."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime

import pytest

from tests import helpers
from tests.api import procedure_helpers as ph

YEAR = datetime.now(UTC).year
PROCEDURE_PATHS = ("entries", "acquisitions", "audits", "exits")


def procedure_rules(app) -> list[tuple[str, str]]:
    return sorted(
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("procedures_")
        for method in rule.methods - {"HEAD", "OPTIONS"}
    )


def test_every_procedure_endpoint_is_a_404_for_anonymous_callers_and_researchers(
    app, client, users, state
):
    curator = users["curator"]
    world = ph.world(client, curator)
    entry = ph.create(client, curator, "entries", {"reason": "enquiry", "objects": []})
    before = state()
    rules = procedure_rules(app)
    assert len(rules) > 30
    for role in ("anonymous", "researcher"):
        for method, rule in rules:
            path = re.sub(r"<uuid:procedure_id>", entry["id"], rule)
            path = path.replace("<uuid:object_id>", world["rocket"]["id"])
            path = re.sub(r"<int:\w+>", "1", path)
            response = client.open(
                path,
                method=method,
                json={"to": "closed", "reason": "enquiry"},
                headers={**users[role].headers, "If-Match": "*"},
            )
            body = helpers.is_problem(response, 404)
            assert entry["number"] not in str(body), (role, method, rule)
    assert state() == before
    assert ph.read(client, curator, "entries", entry)[0]["status"] == "open"


def test_numbers_follow_the_pattern_are_unique_per_kind_and_never_reused(client, curator):
    first = ph.create(client, curator, "entries", {"reason": "enquiry"})
    second = ph.create(client, curator, "entries", {"reason": "enquiry"})
    exit_ = ph.create(client, curator, "exits", {"reason": "loss"})
    assert first["number"] == f"EN{YEAR}.001"
    assert second["number"] == f"EN{YEAR}.002"
    assert exit_["number"] == f"EX{YEAR}.001"
    # The same number in another kind is another series; in the same kind, a 409.
    ph.create(client, curator, "acquisitions", {"method": "gift", "number": first["number"]})
    taken = client.post(
        "/api/v1/entries", json={"reason": "loan-in", "number": first["number"]}, **_h(curator)
    )
    helpers.is_problem(taken, 409)
    # A deleted procedure's number is not given again, by the pattern or by hand.
    _, etag = ph.read(client, curator, "entries", second)
    response = client.delete(
        f"/api/v1/entries/{second['id']}", headers={**curator.headers, "If-Match": etag}
    )
    assert response.status_code == 204
    third = ph.create(client, curator, "entries", {"reason": "enquiry"})
    assert third["number"] == f"EN{YEAR}.003"
    again = client.post(
        "/api/v1/entries", json={"reason": "enquiry", "number": second["number"]}, **_h(curator)
    )
    helpers.is_problem(again, 409)


def _h(caller) -> dict:
    return {"headers": caller.headers}


def test_an_entry_names_its_depositor_and_creates_drafts_with_temporary_numbers(client, curator):
    world = ph.world(client, curator)
    entry = ph.create(
        client,
        curator,
        "entries",
        {
            "reason": "acquisition-consideration",
            "depositor": {"id": world["family"]["id"]},
            "owner": {"id": world["family"]["id"]},
            "entry_date": "2026-03-02",
            "return_date": "2026-06-30",
            "condition": "Bon état, coins cornés",
            "notes": {"fr": "Déposé à l'accueil", "en": "Left at the desk"},
            "objects": [
                {"id": world["rocket"]["id"]},
                {"title": {"fr": "Photographie du chantier", "en": "Site photograph"}},
            ],
        },
    )
    assert entry["kind"] == "entry" and entry["status"] == "open"
    assert entry["depositor"] == {"id": world["family"]["id"], "label": world["family"]["label"]}
    assert [o["object_number"] for o in entry["objects"]][0] == world["rocket"]["object_number"]
    new = entry["objects"][1]
    assert new["object_number"] == f"TMP-{entry['number']}-2"
    assert new["title"] == {"fr": "Photographie du chantier", "en": "Site photograph"}
    created, _ = helpers.read(client, curator, new)
    assert created["status"] == "draft" and created["collection_status"] == "in-collection"
    assert entry["transitions"] == [] and entry["version"] == 1
    # Objects created by the entry: deleting it would leave them unexplained.
    _, etag = ph.read(client, curator, "entries", entry)
    refused = client.delete(
        f"/api/v1/entries/{entry['id']}", headers={**curator.headers, "If-Match": etag}
    )
    assert helpers.is_problem(refused, 409)["allowed"] == ["closed"]


def test_bad_input_is_a_clear_problem_and_changes_nothing(client, curator, state):
    world = ph.world(client, curator)
    before = state()
    cases = [
        ("entries", {"reason": "holiday"}, "reason"),
        ("entries", {"reason": "enquiry", "depositor": {"id": str(uuid.uuid4())}}, "depositor.id"),
        ("entries", {"reason": "enquiry", "objects": [{"id": str(uuid.uuid4())}]}, "objects.0.id"),
        ("entries", {"reason": "enquiry", "objects": [{}]}, "objects.0"),
        (
            "entries",
            {"reason": "enquiry", "entry_date": "2026-05-01", "return_date": "2026-04-01"},
            "return_date",
        ),
        ("acquisitions", {"method": "gift", "price": {"amount": "-3", "currency": "EUR"}}, None),
        ("audits", {"locations": []}, "locations"),
        ("audits", {"locations": [{"id": str(uuid.uuid4())}]}, "locations.0.id"),
        ("exits", {"reason": "because"}, "reason"),
    ]
    for path, body, field in cases:
        response = client.post(f"/api/v1/{path}", json=body, headers=curator.headers)
        problem = helpers.is_problem(response, 422)
        if field:
            assert field in problem["errors"], (path, problem)
    helpers.is_problem(client.post("/api/v1/exits", json=[1], headers=curator.headers), 422)
    assert state() == before
    assert world


def test_transitions_need_if_match_and_answer_what_is_allowed(client, curator):
    acquisition = ph.create(client, curator, "acquisitions", {"method": "purchase"})
    path = f"/api/v1/acquisitions/{acquisition['id']}/transitions"
    helpers.is_problem(client.post(path, json={"to": "approved"}, **_h(curator)), 428)
    stale = client.post(
        path, json={"to": "approved"}, headers={**curator.headers, "If-Match": '"stale"'}
    )
    helpers.is_problem(stale, 412)
    refused = ph.move(client, curator, "acquisitions", acquisition, "accessioned")
    problem = helpers.is_problem(refused, 409)
    assert problem["allowed"] == ["approved", "rejected"]
    approved = ph.moved(client, curator, "acquisitions", acquisition, "approved", note="CA 12/03")
    assert approved["status"] == "approved"
    [step] = approved["transitions"]
    assert step["from"] == "proposed" and step["to"] == "approved"
    assert step["by"] == curator.email and step["at"] and step["note"] == "CA 12/03"
    rejected = ph.moved(client, curator, "acquisitions", acquisition, "rejected")
    final = helpers.is_problem(ph.move(client, curator, "acquisitions", rejected, "approved"), 409)
    assert final["allowed"] == []


def test_versions_history_and_restore(client, curator):
    entry = ph.create(client, curator, "entries", {"reason": "enquiry", "condition": "Bon"})
    changed = ph.patch(client, curator, "entries", entry, {"condition": "Rayé", "notes": "Vu"})
    assert changed.status_code == 200
    versions = client.get(f"/api/v1/entries/{entry['id']}/versions", **_h(curator)).get_json()
    assert [v["number"] for v in versions["items"]] == [2, 1]
    assert set(versions["items"][0]["changed"]) == {"condition", "notes"}
    first = client.get(f"/api/v1/entries/{entry['id']}/versions/1", **_h(curator)).get_json()
    assert first["record"]["condition"] == "Bon"
    closed = ph.moved(client, curator, "entries", entry, "closed")
    _, etag = ph.read(client, curator, "entries", closed)
    restored = client.post(
        f"/api/v1/entries/{entry['id']}/versions/1/restore",
        headers={**curator.headers, "If-Match": etag},
    )
    assert restored.status_code == 200, restored.get_data(as_text=True)
    body = restored.get_json()
    # What people wrote comes back; the status stays what the transitions made it.
    assert body["condition"] == "Bon" and "notes" not in body and body["status"] == "closed"
    assert body["version"] == 4
    stale = client.post(
        f"/api/v1/entries/{entry['id']}/versions/1/restore",
        headers={**curator.headers, "If-Match": etag},
    )
    helpers.is_problem(stale, 412)


def test_lists_filter_and_export_csv_without_formulas(client, curator):
    world = ph.world(client, curator)
    ph.create(
        client,
        curator,
        "entries",
        {
            "reason": "enquiry",
            "entry_date": "2026-01-05",
            "condition": '=HYPERLINK("http://evil.example")',
            "objects": [{"id": world["rocket"]["id"]}],
        },
    )
    later = ph.create(client, curator, "entries", {"reason": "loan-in", "entry_date": "2026-04-01"})
    ph.moved(client, curator, "entries", later, "closed")
    listed = client.get("/api/v1/entries", **_h(curator)).get_json()
    assert listed["total"] == 2 and {"next", "prev", "page", "per_page"} <= set(listed)

    def numbers(**args):
        response = client.get("/api/v1/entries", query_string=args, **_h(curator))
        return [i["number"] for i in response.get_json()["items"]]

    assert numbers(status="closed") == [later["number"]]
    assert numbers(object=world["rocket"]["id"]) == [f"EN{YEAR}.001"]
    assert numbers(date_from="2026-03-01") == [later["number"]]
    assert numbers(date_to="2026-03-01") == [f"EN{YEAR}.001"]
    helpers.is_problem(
        client.get("/api/v1/entries", query_string={"date_from": "soon"}, **_h(curator)), 422
    )
    response = client.get("/api/v1/entries", query_string={"format": "csv"}, **_h(curator))
    assert response.mimetype == "text/csv"
    text = response.get_data(as_text=True)
    assert text.splitlines()[0].lstrip("\ufeff").startswith("id,number,status,reason")
    assert "'=HYPERLINK" in text and ",=HYPERLINK" not in text
    assert world["rocket"]["object_number"] in text


def test_the_staff_change_log_of_procedures(client, users, curator):
    entry = ph.create(client, curator, "entries", {"reason": "enquiry"})
    ph.moved(client, curator, "entries", entry, "closed")
    log = client.get("/api/v1/procedure-changes", **_h(curator)).get_json()
    assert [(i["number"], i["event"], i["status"]) for i in log["items"]] == [
        (entry["number"], "created", "open"),
        (entry["number"], "transition", "closed"),
    ]
    after = client.get(
        "/api/v1/procedure-changes", query_string={"since": log["cursor"]}, **_h(curator)
    ).get_json()
    assert after["items"] == [] and after["has_more"] is False
    for role in ("anonymous", "researcher"):
        helpers.is_problem(
            client.get("/api/v1/procedure-changes", headers=users[role].headers), 404
        )
    # Public and research feeds say nothing of procedures.
    for role in ("anonymous", "researcher"):
        feed = client.get("/api/v1/changes", headers=users[role].headers).get_data(as_text=True)
        assert entry["id"] not in feed and entry["number"] not in feed


@pytest.mark.parametrize("path", PROCEDURE_PATHS)
def test_each_kind_reads_back_with_an_etag_and_a_304(client, curator, path):
    body = {
        "entries": {"reason": "enquiry"},
        "acquisitions": {"method": "gift"},
        "audits": {"locations": [{"id": helpers.location(client, curator, "R")["id"]}]},
        "exits": {"reason": "loss"},
    }[path]
    record = ph.create(client, curator, path, body)
    data, etag = ph.read(client, curator, path, record)
    assert data == record
    again = client.get(
        f"/api/v1/{path}/{record['id']}", headers={**curator.headers, "If-None-Match": etag}
    )
    assert again.status_code == 304
    # PUT back what was read: nothing changed, no new version.
    put = client.put(
        f"/api/v1/{path}/{record['id']}", json=data, headers={**curator.headers, "If-Match": etag}
    )
    assert put.status_code == 200, put.get_data(as_text=True)
    assert put.get_json()["version"] == 1
