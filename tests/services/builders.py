"""Callers and builders for tests that call the services directly, as a request would.

Each builder commits through the service and ends the unit of work (``db.session.remove``),
so the next call starts afresh, as the next request would.
"""

from __future__ import annotations

import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import ChangeLogEntry, ObjectVersion, Role
from catalogue.services import uow
from catalogue.services.authorities import records as authorities
from catalogue.services.identity import ANONYMOUS, Identity
from catalogue.services.objects import read, write
from tests.helpers import next_number

ADMIN = Identity(user_id=uuid.uuid4(), email="admin@museum.example", role=Role.admin)
CURATOR = Identity(user_id=uuid.uuid4(), email="curator@museum.example", role=Role.curator)
RESEARCHER = Identity(user_id=uuid.uuid4(), email="researcher@museum.example", role=Role.researcher)
CALLERS = {"anonymous": ANONYMOUS, "researcher": RESEARCHER, "curator": CURATOR, "admin": ADMIN}


def new_object(identity: Identity = CURATOR, **fields) -> dict:
    """Create an object (a draft titled "Objet" unless told); returns the record as saved."""
    body = {"object_number": next_number(), "title": {"fr": "Objet"}, **fields}
    record = write.create(identity, write.load_input(body)).data
    db.session.remove()
    return record


def new_authority(kind: str, /, **data) -> dict:
    record = authorities.create(CURATOR, kind, data).data
    db.session.remove()
    return record


def etag(record: dict, identity: Identity = CURATOR) -> str:
    """The ETag the caller reads now for an object."""
    current = read.get(identity, uuid.UUID(record["id"])).etag
    db.session.remove()
    return current


def patch(record: dict, changes: dict, identity: Identity = CURATOR) -> dict:
    """Merge-patch an object with the ETag just read; returns the record as saved."""
    object_id = uuid.UUID(record["id"])
    saved = write.patch(identity, object_id, changes, etag(record, identity)).data
    db.session.remove()
    return saved


def get(record: dict, identity: Identity = CURATOR) -> dict:
    found = read.get(identity, uuid.UUID(record["id"])).data
    db.session.remove()
    return found


@contextmanager
def hooks_added(app):
    """The app's hook points, with whatever the block adds to them removed afterwards."""
    points = uow.hooks(app)
    saved = {name: list(getattr(points, name)) for name in ("changes", "commits", "committed")}
    try:
        yield points
    finally:
        for name, hooks in saved.items():
            getattr(points, name)[:] = hooks


@contextmanager
def refused(error):
    """The call in the block raises ``error``; the unit of work then ends, as a request's."""
    with pytest.raises(error) as caught:
        yield caught
    db.session.remove()


def versions_of(record: dict) -> list[int]:
    numbers = db.session.execute(
        sa.select(ObjectVersion.number)
        .where(ObjectVersion.object_id == uuid.UUID(record["id"]))
        .order_by(ObjectVersion.number)
    ).scalars()
    found = list(numbers)
    db.session.remove()
    return found


def changes_of(record: dict) -> list[str]:
    """The change-log events of one object, oldest first."""
    events = db.session.execute(
        sa.select(ChangeLogEntry.event)
        .where(ChangeLogEntry.object_id == uuid.UUID(record["id"]))
        .order_by(ChangeLogEntry.seq)
    ).scalars()
    found = [str(event) for event in events]
    db.session.remove()
    return found
