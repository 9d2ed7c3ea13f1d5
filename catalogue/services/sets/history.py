"""A set's saved versions, and the change-log entries of its published membership.

Every saved change of a set (its texts, visibility, members, their order and notes) is a new
version holding the whole set as saved. While a set is public, each object entering or
leaving it is logged on the object's change-log entry stream (``set_id``, ``set_change``):
the changes feed reports it, and OAI-PMH gives the object a new datestamp, since the sets
its header lists changed.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import (
    CatalogueObject,
    ChangeEvent,
    ChangeLogEntry,
    ObjectSet,
    SetVersion,
    Visibility,
)
from catalogue.services import uow
from catalogue.services.identity import Identity

FIELDS = ("title", "description", "visibility", "members")


def snapshot(object_set: ObjectSet) -> dict:
    """The whole set as a version records it."""
    members = sorted(object_set.members, key=lambda m: (m.position, str(m.object_id)))
    return {
        "title": dict(object_set.title or {}),
        "description": dict(object_set.description) if object_set.description else None,
        "visibility": str(object_set.visibility),
        "members": [{"id": str(m.object_id), "note": m.note} for m in members],
    }


def changed_fields(before: dict | None, after: dict) -> list[str]:
    if before is None:
        return [name for name in FIELDS if after[name]]
    return [name for name in FIELDS if before[name] != after[name]]


def save(
    identity: Identity,
    object_set: ObjectSet,
    before: dict | None,
    now: datetime,
    note: str | None = None,
) -> bool:
    """Record a new version if the set differs from ``before`` (None: just created), and log
    its published membership changes; False when nothing changed."""
    after = snapshot(object_set)
    changed = changed_fields(before, after)
    if before is not None and not changed:
        return False
    if before is not None:
        object_set.updated_at = now
        object_set.updated_by = identity.email
    db.session.flush()  # the UPDATE increments the version (compare-and-set)
    db.session.add(
        SetVersion(
            set_id=object_set.id,
            number=object_set.version,
            created_at=now,
            created_by=identity.email,
            changed=changed,
            record=after,
            note=note,
        )
    )
    published_before = _published(before)
    published_after = _published(after)
    _log(object_set, [i for i in published_after if i not in published_before], "added", now)
    _log(object_set, [i for i in published_before if i not in published_after], "removed", now)
    return True


def log_deleted(object_set: ObjectSet, now: datetime) -> None:
    """A public set being deleted: each of its members leaves it."""
    _log(object_set, _published(snapshot(object_set)), "removed", now)


def _published(state: dict | None) -> list[str]:
    if state is None or state["visibility"] != Visibility.public:
        return []
    return [m["id"] for m in state["members"]]


def _log(object_set: ObjectSet, object_ids: list[str], change: str, now: datetime) -> None:
    if not object_ids:
        return
    rows = {
        str(row.id): row
        for row in db.session.execute(
            sa.select(
                CatalogueObject.id, CatalogueObject.object_number, CatalogueObject.status
            ).where(CatalogueObject.id.in_([uuid.UUID(i) for i in object_ids]))
        )
    }
    for object_id in object_ids:
        row = rows.get(object_id)
        if row is None:
            continue  # deleted since: its deletion is already in the log
        uow.log_change(
            ChangeLogEntry(
                object_id=row.id,
                object_number=row.object_number,
                event=ChangeEvent.updated,
                status_before=row.status,
                status_after=row.status,
                at=now,
                set_id=object_set.id,
                set_change=change,
            )
        )
