"""Builders for the procedure API tests: each goes through HTTP as a curator would."""

from __future__ import annotations

from tests import helpers


def create(client, caller, path: str, body: dict) -> dict:
    response = client.post(f"/api/v1/{path}", json=body, headers=caller.headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.headers["ETag"]
    return response.get_json()


def read(client, caller, path: str, record: dict) -> tuple[dict, str]:
    response = client.get(f"/api/v1/{path}/{record['id']}", headers=caller.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json(), response.headers["ETag"]


def move(client, caller, path: str, record: dict, to: str, **extra):
    """A transition with the ETag just read; returns the response."""
    _, etag = read(client, caller, path, record)
    return client.post(
        f"/api/v1/{path}/{record['id']}/transitions",
        json={"to": to, **extra},
        headers={**caller.headers, "If-Match": etag},
    )


def moved(client, caller, path: str, record: dict, to: str, **extra) -> dict:
    response = move(client, caller, path, record, to, **extra)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def patch(client, caller, path: str, record: dict, changes: dict):
    _, etag = read(client, caller, path, record)
    return client.patch(
        f"/api/v1/{path}/{record['id']}",
        json=changes,
        headers={**caller.headers, "If-Match": etag},
    )


def world(client, caller) -> dict:
    """Two agents, two locations, an object in the store."""
    family = helpers.agent(client, caller, "Famille Delattre", kind="person")
    seller = helpers.agent(client, caller, "Vente Drouot")
    store = helpers.location(client, caller, "Réserve A")
    hall = helpers.location(client, caller, "Salle 2")
    rocket = helpers.obj(
        client, caller, status="public", title={"fr": "Fusée A4", "en": "A4 rocket"}
    )
    assert helpers.move(client, caller, rocket, store).status_code == 201
    return {"family": family, "seller": seller, "store": store, "hall": hall, "rocket": rocket}
