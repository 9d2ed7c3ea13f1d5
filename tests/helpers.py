"""Small builders used across the API tests."""

from __future__ import annotations

import itertools

_numbers = itertools.count(1)


def next_number() -> str:
    return f"2026.{next(_numbers):04d}.001"


def post(client, caller, path: str, body: dict):
    response = client.post(path, json=body, headers=caller.headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def term(client, caller, vocabulary: str, fr: str, en: str, uri: str | None = None) -> dict:
    return post(
        client,
        caller,
        "/api/v1/terms",
        {"vocabulary": vocabulary, "label": {"fr": fr, "en": en}, "uri": uri},
    )


def agent(client, caller, fr: str, en: str | None = None, kind: str = "organisation") -> dict:
    return post(
        client, caller, "/api/v1/agents", {"kind": kind, "label": {"fr": fr, "en": en or fr}}
    )


def place(client, caller, fr: str, en: str | None = None, **extra) -> dict:
    return post(client, caller, "/api/v1/places", {"label": {"fr": fr, "en": en or fr}, **extra})


def collection(client, caller, fr: str, en: str) -> dict:
    return post(client, caller, "/api/v1/collections", {"label": {"fr": fr, "en": en}})


def location(client, caller, label: str, kind: str = "room", parent: dict | None = None) -> dict:
    body = {"label": {"fr": label}, "kind": kind}
    if parent:
        body["parent"] = {"id": parent["id"]}
    return post(client, caller, "/api/v1/locations", body)


def obj(client, caller, **fields) -> dict:
    body = {"object_number": next_number(), "title": {"fr": "Objet", "en": "Object"}, **fields}
    return post(client, caller, "/api/v1/objects", body)


def read(client, caller, record: dict):
    """GET an object; returns (json, etag)."""
    response = client.get(f"/api/v1/objects/{record['id']}", headers=caller.headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json(), response.headers["ETag"]


def edit(client, caller, record: dict, changes: dict) -> dict:
    """PATCH an object with the ETag just read; returns the saved record."""
    _, etag = read(client, caller, record)
    response = client.patch(
        f"/api/v1/objects/{record['id']}",
        json=changes,
        headers={**caller.headers, "If-Match": etag},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def write(client, caller, method: str, path: str, body=None, etag: str | None = "*"):
    """A write with If-Match (``etag=None`` sends none); returns the response."""
    headers = dict(caller.headers)
    if etag is not None:
        headers["If-Match"] = etag
    return getattr(client, method.lower())(path, json=body, headers=headers)


def move(client, caller, record: dict, to: dict, moved_at: str | None = None, reason=None):
    body = {"to_location": {"id": to["id"]}, "reason": reason}
    if moved_at:
        body["moved_at"] = moved_at
    return client.post(
        f"/api/v1/objects/{record['id']}/movements", json=body, headers=caller.headers
    )


def is_problem(response, status: int) -> dict:
    """Assert a problem+json answer with ``status``; returns its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/problem+json", response.mimetype
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["type"]
    return body


def media(app, record: dict, public: bool = True, caption: str = "Vue de face") -> str:
    """Attach an image row to an object directly (uploads belong to the media API)."""
    import uuid

    from catalogue.extensions import db
    from catalogue.models import CatalogueObject, Media
    from catalogue.services import uow
    from catalogue.services.objects import rerender

    with app.app_context():
        media_id = uuid.uuid4()
        db.session.add(
            Media(
                id=media_id,
                object_id=uuid.UUID(record["id"]),
                public=public,
                primary=public,
                caption={"fr": caption},
                storage_key=f"objects/{record['id']}/{media_id}.jpg",
                content_type="image/jpeg",
                size=1000,
                sha256="0" * 64,
                width=800,
                height=600,
            )
        )
        db.session.flush()
        rerender.set_document_field(db.session.get(CatalogueObject, uuid.UUID(record["id"])))
        uow.commit()
        db.session.remove()
    return str(media_id)


def write_unchecked(app, record: dict, **fields) -> None:
    """Change an object's record straight in its row, as text saved before the catalogue
    refused some characters was: no validation, no version, nothing logged, no OAI payload."""
    import uuid

    import sqlalchemy as sa

    from catalogue.extensions import db
    from catalogue.models import CatalogueObject, OaiPayload
    from catalogue.services.objects import views

    with app.app_context():
        obj = db.session.get(CatalogueObject, uuid.UUID(record["id"]))
        for name, value in fields.items():
            if name in CatalogueObject.__table__.columns:  # title, description...
                setattr(obj, name, value)
        views.store(obj, {**obj.document, **fields})
        db.session.execute(sa.delete(OaiPayload).where(OaiPayload.object_id == obj.id))
        db.session.commit()
        db.session.remove()
