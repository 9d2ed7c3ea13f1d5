"""What the OAI-PMH repository holds, and the list requests that page through it.

Items come from the change log: an object's latest entry that touched the public view says
whether it is in the repository (public now) or a deleted record (public once), and its
time is the record's datestamp. Lists are ordered by that entry's ``seq``; a resumption token
says "after seq N", so a record changed during a harvest moves to the end and is never
skipped.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from catalogue.extensions import db
from catalogue.models import CatalogueObject, ChangeLogEntry, ObjectCollection, Status
from catalogue.services import oai_metadata as formats

VERBS = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), set()),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set"}),
}
SET_ROOT = "collection"


class OaiError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


PUBLIC = Status.public


def _touches_public(entry):
    return sa.or_(entry.status_before == PUBLIC, entry.status_after == PUBLIC)


def items_query():
    later = aliased(ChangeLogEntry)
    newer = (
        sa.select(later.seq)
        .where(later.object_id == ChangeLogEntry.object_id, later.seq > ChangeLogEntry.seq)
        .where(_touches_public(later))
        .exists()
    )
    return sa.select(
        ChangeLogEntry.seq, ChangeLogEntry.object_id, ChangeLogEntry.status_after, ChangeLogEntry.at
    ).where(_touches_public(ChangeLogEntry), ~newer)


@dataclass
class Item:
    seq: int
    object_id: uuid.UUID
    public: bool
    at: datetime
    text: str | None = None
    sets: tuple[str, ...] = ()

    @property
    def record(self) -> dict:
        """The public view of a public item (parsed from its stored JSON text)."""
        return json.loads(self.text)


def _set_condition(spec: str):
    members = sa.select(ObjectCollection.object_id)
    if spec != SET_ROOT:
        members = members.where(ObjectCollection.collection_id == _collection_id(spec))
    return ChangeLogEntry.object_id.in_(members)


def _collection_id(spec: str) -> uuid.UUID:
    prefix, _, value = spec.partition(":")
    try:
        if prefix != SET_ROOT:
            raise ValueError(spec)
        return uuid.UUID(value)
    except ValueError as error:
        raise OaiError("noRecordsMatch", f"There is no set {spec!r}.") from error


def load(items: list[Item]) -> list[Item]:
    """Attach the public view as stored (or, for deleted items, the sets they still belong to)."""
    ids = [item.object_id for item in items]
    rows = db.session.execute(
        sa.select(CatalogueObject.id, CatalogueObject.status, CatalogueObject.public_json).where(
            CatalogueObject.id.in_(ids)
        )
    )
    views = {row.id: row.public_json for row in rows if row.status == PUBLIC}
    memberships: dict[uuid.UUID, list[str]] = {}
    for object_id, collection_id in db.session.execute(
        sa.select(ObjectCollection.object_id, ObjectCollection.collection_id)
        .where(ObjectCollection.object_id.in_(ids))
        .order_by(ObjectCollection.position)
    ):
        memberships.setdefault(object_id, []).append(f"{SET_ROOT}:{collection_id}")
    for item in items:
        # Unpublished between the two reads: the next harvest sees the newer entry.
        item.public = item.public and item.object_id in views
        if item.public:
            item.text = views[item.object_id]
        item.sets = tuple(memberships.get(item.object_id, ()))
    return items


def item_for(object_id: uuid.UUID) -> Item | None:
    row = db.session.execute(
        items_query().where(ChangeLogEntry.object_id == object_id).limit(1)
    ).first()
    if row is None:
        return None
    return load([Item(row.seq, row.object_id, row.status_after == PUBLIC, row.at)])[0]


# ---- arguments, tokens ------------------------------------------------------------------------


def _parse_time(value: str, name: str) -> tuple[datetime, str]:
    for fmt, granularity in (("%Y-%m-%dT%H:%M:%SZ", "seconds"), ("%Y-%m-%d", "day")):
        try:
            return datetime.strptime(value, fmt).replace(tzinfo=UTC), granularity
        except ValueError:
            continue
    raise OaiError("badArgument", f"'{name}' must be YYYY-MM-DD or YYYY-MM-DDThh:mm:ssZ.")


@dataclass
class ListRequest:
    prefix: str
    start: str | None = None
    until: str | None = None
    set_spec: str | None = None
    after: int = 0
    cursor: int = 0
    total: int | None = None

    def token(self, verb: str) -> str:
        fields = [verb, self.prefix, self.start, self.until, self.set_spec]
        raw = json.dumps([*fields, self.after, self.cursor, self.total], separators=(",", ":"))
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def from_token(cls, verb: str, token: str) -> ListRequest:
        try:
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            values = json.loads(raw)
            kind, prefix, start, until, set_spec, after, cursor, total = values
            assert kind == verb and prefix in formats.SCHEMAS
            for value in (start, until, set_spec):
                assert value is None or isinstance(value, str)
            for value in (after, cursor, total):
                assert isinstance(value, int) and not isinstance(value, bool) and value >= 0
            request = cls(prefix, start, until, set_spec, after, cursor, total)
            request.conditions()
            return request
        except (binascii.Error, ValueError, TypeError, AssertionError, OaiError) as error:
            raise OaiError("badResumptionToken", "The resumption token is invalid.") from error

    def conditions(self) -> list:
        found = []
        bounds = {}
        for name, value in (("from", self.start), ("until", self.until)):
            if value:
                bounds[name] = _parse_time(value, name)
        if len({granularity for _, granularity in bounds.values()}) > 1:
            raise OaiError("badArgument", "'from' and 'until' must have the same granularity.")
        if "from" in bounds:
            found.append(ChangeLogEntry.at >= bounds["from"][0])
        if "until" in bounds:
            moment, granularity = bounds["until"]
            step = timedelta(days=1) if granularity == "day" else timedelta(seconds=1)
            found.append(ChangeLogEntry.at < moment + step)
        if len(bounds) == 2 and bounds["from"][0] > bounds["until"][0]:
            raise OaiError("badArgument", "'from' is later than 'until'.")
        if self.set_spec:
            found.append(_set_condition(self.set_spec))
        return found


def check_arguments(args: dict[str, list[str]]) -> str:
    verbs = args.get("verb") or []
    if len(verbs) != 1 or verbs[0] not in VERBS:
        raise OaiError("badVerb", "The verb is missing, repeated or not an OAI-PMH verb.")
    verb = verbs[0]
    required, optional = VERBS[verb]
    given = set(args) - {"verb"}
    repeated = [name for name, values in args.items() if len(values) > 1]
    if repeated:
        raise OaiError("badArgument", f"Repeated argument: {', '.join(sorted(repeated))}.")
    if "resumptionToken" in given and verb in ("ListIdentifiers", "ListRecords", "ListSets"):
        if given != {"resumptionToken"}:
            raise OaiError("badArgument", "resumptionToken is an exclusive argument.")
        return verb
    unknown = given - required - optional
    if unknown:
        raise OaiError("badArgument", f"Illegal argument: {', '.join(sorted(unknown))}.")
    missing = required - given
    if missing:
        raise OaiError("badArgument", f"Missing argument: {', '.join(sorted(missing))}.")
    return verb
