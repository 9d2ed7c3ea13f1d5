"""The changes feed: the change log as each caller may see it.

One ordered log (``ChangeLogEntry``, appended in commit order by ``services.uow``) serves the
website's sync feed, IIIF Change Discovery and OAI-PMH. An entry concerns a caller when the
object was visible to it before or after the change; what the caller is told depends on both:

=================  ================  ==========================
visible before     visible after     event
=================  ================  ==========================
no (created)       yes               ``created``
yes                yes               ``updated``
no                 yes               ``published``
yes                no                ``unpublished``
yes                no (deleted)      ``deleted``
=================  ================  ==========================

An entry that records an object entering or leaving a public set (``set_id``) is an
``updated`` event of the object that also carries ``set``: ``{"id", "change"}``, with
``change`` ``added`` or ``removed``.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import ChangeEvent, ChangeLogEntry
from catalogue.schemas.changes import DEFAULT_LIMIT, MAX_LIMIT
from catalogue.services.errors import BadRequest, ValidationFailed
from catalogue.services.identity import ANONYMOUS, Identity
from catalogue.services.lookups import Lookup
from catalogue.services.objects.documents import iso

_CURSOR_PREFIX = "c1."


def encode_cursor(seq: int) -> str:
    """An opaque cursor that resumes after log entry ``seq``."""
    return _CURSOR_PREFIX + base64.urlsafe_b64encode(str(seq).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None) -> int:
    if not cursor:
        return 0
    if not cursor.startswith(_CURSOR_PREFIX) or len(cursor) > 40:
        raise BadRequest("The cursor is not one this feed gave out; pass back 'cursor' as 'since'.")
    body = cursor.removeprefix(_CURSOR_PREFIX)
    try:
        text = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4)).decode("ascii")
    except (binascii.Error, UnicodeDecodeError, ValueError):
        text = ""
    if not text.isdigit() or encode_cursor(int(text)) != cursor:
        raise BadRequest("The cursor is not one this feed gave out; pass back 'cursor' as 'since'.")
    return int(text)


def visible_to(identity: Identity):
    """SQL condition: the entry changed something inside ``identity``'s view."""
    statuses = identity.visible_statuses
    return sa.or_(
        ChangeLogEntry.status_before.in_(statuses), ChangeLogEntry.status_after.in_(statuses)
    )


def event_for(entry: ChangeLogEntry, identity: Identity) -> str | None:
    """What ``entry`` means to ``identity`` (see the module table), None if nothing."""
    before = entry.status_before is not None and identity.can_see(entry.status_before)
    after = entry.status_after is not None and identity.can_see(entry.status_after)
    if entry.event == ChangeEvent.deleted:
        return "deleted" if before else None
    if entry.event == ChangeEvent.created:
        return "created" if after else None
    if before and after:
        return "updated"
    if after:
        return "published"
    return "unpublished" if before else None


@dataclass
class Event:
    seq: int
    event: str
    id: str
    object_number: str
    at: str
    set: dict | None = None

    def as_item(self) -> dict:
        item = {
            "event": self.event,
            "id": self.id,
            "object_number": self.object_number,
            "at": self.at,
        }
        if self.set:
            item["set"] = self.set
        return item


def event_of(entry: ChangeLogEntry, identity: Identity) -> Event:
    """The feed's event for ``entry`` as ``identity`` sees it."""
    in_set = {"id": str(entry.set_id), "change": entry.set_change} if entry.set_id else None
    return Event(
        entry.seq,
        event_for(entry, identity),
        str(entry.object_id),
        entry.object_number,
        iso(entry.at),
        in_set,
    )


@dataclass
class ChangesPage:
    items: list[Event]
    cursor: str
    has_more: bool


def read(identity: Identity, since: str | None = None, limit: int = DEFAULT_LIMIT) -> ChangesPage:
    """The next ``limit`` events after ``since`` that ``identity`` may see, oldest first.

    The returned cursor resumes exactly after the last event given: the log is appended in
    commit order, so nothing committed later can take a place before it.
    """
    if not 1 <= limit <= MAX_LIMIT:
        raise ValidationFailed({"limit": [f"Must be between 1 and {MAX_LIMIT}."]})
    after = decode_cursor(since)
    entries = list(
        db.session.execute(
            sa.select(ChangeLogEntry)
            .where(ChangeLogEntry.seq > after, visible_to(identity))
            .order_by(ChangeLogEntry.seq)
            .limit(limit + 1)
        ).scalars()
    )
    has_more = len(entries) > limit
    entries = entries[:limit]
    events = [event_of(e, identity) for e in entries]
    last = entries[-1].seq if entries else after
    return ChangesPage(events, encode_cursor(last), has_more)


# ---- IIIF Change Discovery ---------------------------------------------------------------

ACTIVITY_TYPES = {
    "created": "Create",
    "published": "Create",
    "updated": "Update",
    "deleted": "Delete",
    "unpublished": "Delete",
}


def public_count() -> int:
    """How many log entries the public view has (each one is one Change Discovery activity)."""
    return db.session.execute(
        sa.select(sa.func.count()).select_from(ChangeLogEntry).where(visible_to(ANONYMOUS))
    ).scalar_one()


def public_slice(offset: int, count: int) -> list[Event]:
    """Public events ``offset`` to ``offset + count`` in log order.

    The public filter never changes, and the log only grows at its end, so a slice, once
    full, stays the same forever (Change Discovery pages are cacheable).
    """
    entries = db.session.execute(
        sa.select(ChangeLogEntry)
        .where(visible_to(ANONYMOUS))
        .order_by(ChangeLogEntry.seq)
        .offset(offset)
        .limit(count)
    ).scalars()
    return [event_of(e, ANONYMOUS) for e in entries]


# Every record read asks this for Last-Modified: a compiled one-row read, no ORM session.
# The log stamps ``at`` in commit order, so the latest time is the latest entry's.
_LAST_AT = Lookup([sa.func.max(ChangeLogEntry.at)], ChangeLogEntry.object_id)


def last_changed_at(object_id) -> datetime | None:
    """When one object last changed (its true last-modified time, re-renders included)."""
    row = _LAST_AT(object_id)
    return row[0] if row else None
