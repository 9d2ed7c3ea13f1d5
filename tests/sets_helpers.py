"""Builders for the sets tests: a second researcher, sets, members."""

from __future__ import annotations

import pytest

from catalogue.extensions import db
from catalogue.services.accounts import users as accounts
from catalogue.services.identity import SYSTEM
from tests.conftest import Caller


@pytest.fixture
def other_researcher(app, users):
    """A researcher who owns nothing of the others'."""
    with app.app_context():
        email = "other.researcher@museum.example"
        accounts.create_user(SYSTEM, email, "researcher")
        caller = Caller(email, "researcher", accounts.create_token(SYSTEM, email))
        db.session.remove()
    return caller


def new_set(client, caller, title="Ma sélection", visibility="private", **fields) -> dict:
    body = {"title": title, "visibility": visibility, **fields}
    response = client.post("/api/v1/sets", json=body, headers=caller.headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(f"/api/v1/sets/{response.get_json()['id']}")
    return response.get_json()


def read_set(client, caller, object_set: dict):
    response = client.get(f"/api/v1/sets/{object_set['id']}", headers=caller.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json(), response.headers["ETag"]


def add(client, caller, object_set: dict, body: dict, status: int = 200):
    response = client.post(
        f"/api/v1/sets/{object_set['id']}/members", json=body, headers=caller.headers
    )
    assert response.status_code == status, response.get_data(as_text=True)
    return response.get_json()


def add_objects(client, caller, object_set: dict, *records, note=None) -> dict:
    items = [{"id": r["id"], **({"note": note} if note else {})} for r in records]
    return add(client, caller, object_set, {"objects": items})


def members(client, caller, object_set: dict, **query) -> dict:
    response = client.get(
        f"/api/v1/sets/{object_set['id']}/members",
        query_string={"per_page": 100, **query},
        headers=caller.headers,
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def member_ids(client, caller, object_set: dict) -> list[str]:
    return [item["id"] for item in members(client, caller, object_set)["items"]]


def write(client, caller, method: str, path: str, body=None):
    """A write with the set's current ETag, as ``caller`` reads it."""
    set_id = path.split("/")[4]
    _, etag = read_set(client, caller, {"id": set_id})
    return getattr(client, method)(path, json=body, headers={**caller.headers, "If-Match": etag})
