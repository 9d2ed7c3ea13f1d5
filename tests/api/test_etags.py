"""Entity tags: If-Match on every write (428, 412, ``*``), If-None-Match on reads (304)."""

from __future__ import annotations

import pytest

from catalogue.extensions import db
from catalogue.services.accounts import users as accounts
from catalogue.services.identity import SYSTEM
from tests import helpers
from tests.conftest import Caller


@pytest.fixture
def record(client, curator):
    return helpers.obj(client, curator, status="public", internal_notes="staff only")


WRITES = [
    ("put", "", {"object_number": "1944.0002.001", "title": "Changé"}),
    ("patch", "", {"title": {"en": "Changed"}}),
    ("delete", "", None),
    ("post", "/versions/1/restore", None),
]


@pytest.mark.parametrize(("method", "suffix", "body"), WRITES)
def test_writes_without_if_match_are_428(client, curator, record, state, method, suffix, body):
    before = state()
    path = f"/api/v1/objects/{record['id']}{suffix}"
    response = helpers.write(client, curator, method, path, body, etag=None)
    assert "If-Match" in helpers.is_problem(response, 428)["detail"]
    assert state() == before


@pytest.mark.parametrize(("method", "suffix", "body"), WRITES)
def test_writes_with_a_stale_etag_are_412(client, curator, record, state, method, suffix, body):
    _, stale = helpers.read(client, curator, record)
    patched = helpers.write(
        client, curator, "patch", f"/api/v1/objects/{record['id']}", {"description": "Vu"}, stale
    )
    assert patched.status_code == 200
    before = state()
    path = f"/api/v1/objects/{record['id']}{suffix}"
    response = helpers.write(client, curator, method, path, body, etag=stale)
    helpers.is_problem(response, 412)
    assert state() == before


def test_two_curators_editing_the_same_record(app, client, curator, record, state):
    with app.app_context():
        accounts.create_user(SYSTEM, "second@museum.example", "curator")
        second = Caller(
            "second@museum.example",
            "curator",
            accounts.create_token(SYSTEM, "second@museum.example"),
        )
        db.session.remove()
    path = f"/api/v1/objects/{record['id']}"
    _, first_etag = helpers.read(client, curator, record)
    _, second_etag = helpers.read(client, second, record)
    assert first_etag == second_etag
    first = helpers.write(client, curator, "patch", path, {"description": "Première"}, first_etag)
    assert first.status_code == 200
    before = state()
    late = helpers.write(client, second, "patch", path, {"description": "Seconde"}, second_etag)
    problem = helpers.is_problem(late, 412)
    assert problem["current_etag"] == first.headers["ETag"]
    assert state() == before
    assert helpers.read(client, curator, record)[0]["description"] == {"fr": "Première"}
    again = helpers.write(
        client, second, "patch", path, {"description": "Seconde"}, problem["current_etag"]
    )
    assert again.status_code == 200


def test_star_matches_any_current_version(client, curator, record):
    path = f"/api/v1/objects/{record['id']}"
    response = helpers.write(client, curator, "patch", path, {"description": "x"}, etag="*")
    assert response.status_code == 200
    assert response.get_json()["version"] == 2


def test_one_of_several_tags_may_match(client, curator, record):
    _, etag = helpers.read(client, curator, record)
    path = f"/api/v1/objects/{record['id']}"
    response = helpers.write(
        client, curator, "patch", path, {"description": "x"}, etag=f'"0000", {etag}'
    )
    assert response.status_code == 200


def test_the_etag_changes_with_every_saved_change(client, curator, record):
    _, etag = helpers.read(client, curator, record)
    path = f"/api/v1/objects/{record['id']}"
    response = helpers.write(client, curator, "patch", path, {"description": "x"}, etag)
    assert response.headers["ETag"] not in (None, etag)
    assert helpers.read(client, curator, record)[1] == response.headers["ETag"]


@pytest.mark.parametrize("role", ["anonymous", "researcher", "curator"])
def test_if_none_match_answers_304(client, users, record, role):
    headers = users[role].headers
    for path in (
        f"/api/v1/objects/{record['id']}",
        f"/api/v1/objects/by-number/{record['object_number']}",
    ):
        etag = client.get(path, headers=headers).headers["ETag"]
        cached = client.get(path, headers={**headers, "If-None-Match": etag})
        assert cached.status_code == 304
        assert cached.headers["ETag"] == etag and cached.get_data() == b""
        other = client.get(path, headers={**headers, "If-None-Match": '"something-else"'})
        assert other.status_code == 200


def test_curators_and_the_public_get_different_etags(client, users, record):
    path = f"/api/v1/objects/{record['id']}"
    public = client.get(path).headers["ETag"]
    staff = client.get(path, headers=users["curator"].headers).headers["ETag"]
    research = client.get(path, headers=users["researcher"].headers).headers["ETag"]
    assert public != staff
    # A public cache holding the anonymous view must not satisfy a curator's revalidation.
    assert (
        client.get(path, headers={**users["curator"].headers, "If-None-Match": public}).status_code
        == 200
    )
    # Researchers see what anonymous callers see of a public object (no staff-only fields).
    assert research == public


def test_an_etag_read_by_a_researcher_cannot_be_used_to_write(client, users, record):
    # A curator must have read the staff view, with its staff-only fields, before writing.
    public_etag = client.get(f"/api/v1/objects/{record['id']}").headers["ETag"]
    response = helpers.write(
        client,
        users["curator"],
        "patch",
        f"/api/v1/objects/{record['id']}",
        {"description": "x"},
        public_etag,
    )
    helpers.is_problem(response, 412)


@pytest.mark.parametrize("method", ["put", "patch", "delete"])
def test_authority_writes_need_if_match(client, curator, method):
    term = helpers.term(client, curator, "material", "acier", "steel")
    path = f"/api/v1/terms/{term['id']}"
    body = {"vocabulary": "material", "label": "fer"} if method != "delete" else None
    helpers.is_problem(helpers.write(client, curator, method, path, body, etag=None), 428)
    helpers.is_problem(helpers.write(client, curator, method, path, body, etag='"stale"'), 412)
    etag = client.get(path).headers["ETag"]
    assert client.get(path, headers={"If-None-Match": etag}).status_code == 304
    assert helpers.write(client, curator, method, path, body, etag=etag).status_code in (200, 204)


def test_a_weak_etag_never_matches_for_a_write(client, curator, record):
    _, etag = helpers.read(client, curator, record)
    path = f"/api/v1/objects/{record['id']}"
    response = helpers.write(client, curator, "patch", path, {"description": "x"}, f"W/{etag}")
    helpers.is_problem(response, 412)
