"""Who may call an endpoint is checked before what they send: a researcher gets 403 and an
anonymous caller 401 from every staff-only endpoint, whatever the body or the arguments
(never the 422 field errors, 415 or 413 that the same request gets from a curator)."""

from __future__ import annotations

import re
import uuid

import pytest

from catalogue.api import permissions
from tests import helpers

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# The staff-only endpoints the issue names, to be sure the enumeration below sees them.
NAMED = {
    ("POST", "/api/v1/objects"),
    ("PUT", "/api/v1/objects/<uuid:object_id>"),
    ("PATCH", "/api/v1/objects/<uuid:object_id>"),
    ("DELETE", "/api/v1/objects/<uuid:object_id>"),
    ("POST", "/api/v1/objects/<uuid:object_id>/movements"),
    ("POST", "/api/v1/objects/<uuid:object_id>/condition-checks"),
    ("POST", "/api/v1/objects/<uuid:object_id>/media"),
    ("PATCH", "/api/v1/media/<uuid:media_id>"),
    ("POST", "/api/v1/imports"),
    *((method, "/api/v1/terms") for method in ("POST",)),
    *((method, "/api/v1/agents/<uuid:item_id>") for method in ("PUT", "PATCH", "DELETE")),
}
# Staff-only reads whose query arguments are validated: a bad argument is no excuse either.
STAFF_READS = [
    "/api/v1/objects/{id}/movements?per_page=1000",
    "/api/v1/objects/{id}/condition-checks?per_page=nine",
    "/api/v1/locations?per_page=1000",
    "/api/v1/locations/{other}",
    "/api/v1/imports/{other}",
    "/api/v1/imports/{other}/errors.csv",
]
SIGNED_IN_READS = [
    "/api/v1/objects/{id}/versions?per_page=1000",
    "/api/v1/objects/{id}/versions/1",
    "/api/v1/sets/{other}/versions?per_page=1000",
    "/api/v1/sets/{other}/versions/1",
]


# Writes open to every signed-in user (each set's owner): anonymous callers get 401 first.
SIGNED_IN_WRITES = "/api/v1/sets"


def api_writes(app, staff_only: bool = True, unseen: bool = False) -> list[tuple[str, str]]:
    """Every (method, rule) of the JSON API that writes; all but the sets are for staff. Those
    that do not exist for anyone else (procedures: 404) with ``unseen``, else the others."""
    return sorted(
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/")
        and not (staff_only and rule.rule.startswith(SIGNED_IN_WRITES))
        for method in rule.methods & WRITES
        if permissions.unseen(app, rule.endpoint, method) == unseen
    )


def concrete(rule: str, object_id: str) -> str:
    path = rule.replace("<uuid:object_id>", object_id)
    path = re.sub(r"<uuid:\w+>", str(uuid.uuid4()), path)
    return re.sub(r"<int:\w+>", "1", path)


def test_every_write_named_in_the_issue_is_enumerated(app):
    assert set(api_writes(app)) >= NAMED


@pytest.fixture
def record(client, curator):
    return helpers.obj(client, curator, status="public")


INVALID_BODIES = {
    "json": {"json": {"title": 1944, "to_location": "nowhere", "condition": "ruined"}},
    "a list": {"json": ["not", "an", "object"]},
    "malformed JSON": {"data": b'{"title": ', "content_type": "application/json"},
    "plain text": {"data": b"move it", "content_type": "text/plain"},
    "too deep": {"data": b"[" * 5000 + b"]" * 5000, "content_type": "application/json"},
    "too large": {"data": b'{"a": "' + b"x" * (2 * 1024**2) + b'"}', "headers": {}},
    "multipart without a file": {"data": {"caption": "x"}, "content_type": "multipart/form-data"},
}


@pytest.mark.parametrize("body", INVALID_BODIES)
def test_a_researcher_gets_403_before_the_body_is_looked_at(
    app, client, users, state, record, body
):
    before = state()
    for method, rule in api_writes(app):
        kwargs = dict(INVALID_BODIES[body])
        if body == "too large":
            kwargs["content_type"] = "application/json"
        headers = {**users["researcher"].headers, "If-Match": "*", **kwargs.pop("headers", {})}
        path = concrete(rule, record["id"])
        response = client.open(path, method=method, headers=headers, **kwargs)
        assert response.status_code == 403, (method, rule, response.get_data(as_text=True))
        helpers.is_problem(response, 403)
    assert state() == before


@pytest.mark.parametrize("body", ["json", "plain text", "too large"])
def test_an_anonymous_caller_gets_401_whatever_the_body(app, client, state, record, body):
    before = state()
    writes = api_writes(app, staff_only=False)
    assert ("PUT", "/api/v1/sets/<uuid:set_id>/members") in writes
    for method, rule in writes:
        kwargs = dict(INVALID_BODIES[body])
        kwargs.pop("headers", None)
        response = client.open(concrete(rule, record["id"]), method=method, **kwargs)
        helpers.is_problem(response, 401)
    assert state() == before


@pytest.mark.parametrize("body", ["json", "plain text", "too large", "too deep"])
@pytest.mark.parametrize("role", ["anonymous", "researcher"])
def test_procedure_writes_are_a_404_whatever_the_body(
    app, client, users, state, record, body, role
):
    writes = api_writes(app, unseen=True)
    assert ("POST", "/api/v1/exits/<uuid:procedure_id>/transitions") in writes
    before = state()
    for method, rule in writes:
        kwargs = dict(INVALID_BODIES[body])
        if body == "too large":
            kwargs["content_type"] = "application/json"
        headers = {**users[role].headers, "If-Match": "*", **kwargs.pop("headers", {})}
        response = client.open(
            concrete(rule, record["id"]), method=method, headers=headers, **kwargs
        )
        helpers.is_problem(response, 404)
    assert state() == before


@pytest.mark.parametrize("path", STAFF_READS)
@pytest.mark.parametrize(("role", "status"), [("anonymous", 401), ("researcher", 403)])
def test_staff_only_reads_refuse_before_checking_arguments(
    client, users, record, path, role, status
):
    path = path.format(id=record["id"], other=uuid.uuid4())
    helpers.is_problem(client.get(path, headers=users[role].headers), status)


@pytest.mark.parametrize("path", SIGNED_IN_READS)
def test_version_history_asks_anonymous_callers_to_sign_in_first(client, record, path):
    helpers.is_problem(client.get(path.format(id=record["id"], other=uuid.uuid4())), 401)


def test_staff_still_get_the_field_errors(client, curator, record):
    """The order changes nothing for those who may write: they learn what is wrong."""
    path = f"/api/v1/objects/{record['id']}/movements"
    body = helpers.is_problem(client.post(path, json={"reason": 3}, headers=curator.headers), 422)
    assert "to_location" in body["errors"] and "reason" in body["errors"]
    locations = client.get("/api/v1/locations?per_page=1000", headers=curator.headers)
    helpers.is_problem(locations, 422)


def test_public_authorities_stay_readable_by_anyone(client, curator):
    helpers.term(client, curator, "material", "acier", "steel")
    assert client.get("/api/v1/terms").status_code == 200
    helpers.is_problem(client.get("/api/v1/terms?per_page=1000"), 422)
