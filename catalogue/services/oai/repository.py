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
import functools
import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import aliased

from catalogue.extensions import db
from catalogue.models import (
    CatalogueObject,
    ChangeLogEntry,
    OaiPayload,
    ObjectCollection,
    ObjectSet,
    SetMember,
    Status,
    Visibility,
)
from catalogue.schemas.text import REFUSED
from catalogue.services.oai import formats
from catalogue.services.oai import payloads as oai_payloads

VERBS = {
    "Identify": (set(), set()),
    "ListMetadataFormats": (set(), {"identifier"}),
    "ListSets": (set(), set()),
    "GetRecord": ({"identifier", "metadataPrefix"}, set()),
    "ListIdentifiers": ({"metadataPrefix"}, {"from", "until", "set"}),
    "ListRecords": ({"metadataPrefix"}, {"from", "until", "set"}),
}
SET_ROOT = "collection"
# Public sets of objects (``set:{id}``), beside the collections.
SETS_ROOT = "set"
# The syntax OAI-PMH.xsd gives these arguments, which the <request> element echoes.
PREFIX_SYNTAX = re.compile(r"[A-Za-z0-9\-_.!~*'()]+\Z")
SET_SYNTAX = re.compile(r"[A-Za-z0-9\-_.!~*'()]+(:[A-Za-z0-9\-_.!~*'()]+)*\Z")
TOKEN_SYNTAX = re.compile(r"[A-Za-z0-9_-]+\Z")
DATE_SYNTAX = {
    "day": re.compile(r"\d{4}-\d{2}-\d{2}\Z", re.ASCII),
    "seconds": re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z\Z", re.ASCII),
}
# Positions in a token are compared with the change log's BIGINT sequence.
MAX_SEQ = 2**63 - 1


class OaiError(Exception):
    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code, self.message = code, message


PUBLIC = Status.public


def _touches_public(entry):
    return sa.or_(entry.status_before == PUBLIC, entry.status_after == PUBLIC)


@functools.cache
def items_query() -> sa.Select:
    """Every item of the repository: each object's latest entry that touched the public view.

    Built once: a statement is immutable, and ``where`` makes a new one.
    """
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


@functools.cache
def _with_state(prefix: str | None) -> sa.Select:
    """Items with their object's status now and, for ``prefix``, its stored payload."""
    query = items_query().add_columns(CatalogueObject.status)
    query = query.outerjoin(CatalogueObject, CatalogueObject.id == ChangeLogEntry.object_id)
    if prefix:
        payload = sa.and_(
            OaiPayload.object_id == ChangeLogEntry.object_id, OaiPayload.prefix == prefix
        )
        query = query.add_columns(OaiPayload.fingerprint, OaiPayload.payload)
        query = query.outerjoin(OaiPayload, payload)
    return query


@dataclass
class Item:
    seq: int
    object_id: uuid.UUID
    public: bool
    at: datetime
    payload: str | None = None
    sets: tuple[str, ...] = ()


def _set_condition(spec: str):
    if spec.partition(":")[0] == SETS_ROOT:
        members = (
            sa.select(SetMember.object_id)
            .join(ObjectSet, ObjectSet.id == SetMember.set_id)
            .where(ObjectSet.visibility == Visibility.public)
        )
        if spec != SETS_ROOT:
            members = members.where(SetMember.set_id == _set_id(spec, SETS_ROOT))
        return ChangeLogEntry.object_id.in_(members)
    members = sa.select(ObjectCollection.object_id)
    if spec != SET_ROOT:
        members = members.where(ObjectCollection.collection_id == _collection_id(spec))
    return ChangeLogEntry.object_id.in_(members)


def _set_id(spec: str, root: str) -> uuid.UUID:
    prefix, _, value = spec.partition(":")
    try:
        if prefix != root:
            raise ValueError(spec)
        return uuid.UUID(value)
    except ValueError as error:
        raise OaiError("noRecordsMatch", f"There is no set {spec!r}.") from error


def _collection_id(spec: str) -> uuid.UUID:
    return _set_id(spec, SET_ROOT)


def page(conditions: list, after: int, limit: int, prefix: str | None = None) -> list[Item]:
    """Up to ``limit`` items after ``seq``, in order, with payloads for ``prefix`` and sets.

    One query reads the items with their object's status and payload, so the status and the
    payload come from the same snapshot: an item is public only while its object is public
    now. A public item whose payload is missing or of an older format gets it built here.
    """
    query = _with_state(prefix).where(*conditions, ChangeLogEntry.seq > after)
    rows = db.session.execute(query.order_by(ChangeLogEntry.seq).limit(limit)).all()
    return _items(rows, prefix)


def _items(rows, prefix: str | None) -> list[Item]:
    items = [
        Item(r.seq, r.object_id, r.status_after == PUBLIC and r.status == PUBLIC, r.at)
        for r in rows
    ]
    if prefix:
        missing = set()
        for item, row in zip(items, rows, strict=True):
            if item.public and oai_payloads.current(row.fingerprint):
                item.payload = oai_payloads.unpack(row.payload)
            if item.public and item.payload is None:
                missing.add(item.object_id)
        if missing:
            built = _build_missing(missing, prefix)
            for item in items:
                if item.object_id in missing:
                    item.payload = built.get(item.object_id)
                    item.public = item.payload is not None
    memberships: dict[uuid.UUID, list[str]] = {}
    if items:
        for object_id, collection_id in db.session.execute(
            sa.select(ObjectCollection.object_id, ObjectCollection.collection_id)
            .where(_among(ObjectCollection.object_id, [item.object_id for item in items]))
            .order_by(ObjectCollection.position)
        ):
            memberships.setdefault(object_id, []).append(f"{SET_ROOT}:{collection_id}")
        for object_id, set_id in db.session.execute(
            sa.select(SetMember.object_id, SetMember.set_id)
            .join(ObjectSet, ObjectSet.id == SetMember.set_id)
            .where(
                _among(SetMember.object_id, [item.object_id for item in items]),
                ObjectSet.visibility == Visibility.public,
            )
            .order_by(SetMember.set_id)
        ):
            memberships.setdefault(object_id, []).append(f"{SETS_ROOT}:{set_id}")
    for item in items:
        item.sets = tuple(memberships.get(item.object_id, ()))
    return items


def _among(column, ids: list[uuid.UUID]):
    """``column IN ids``; on PostgreSQL one array parameter rather than one per id."""
    if db.session.get_bind().dialect.name == "postgresql":
        return column == sa.any_(sa.bindparam("ids", ids, type_=postgresql.ARRAY(sa.Uuid)))
    return column.in_(ids)


def _build_missing(ids: set[uuid.UUID], prefix: str) -> dict[uuid.UUID, bytes]:
    """Build, for this answer only, the payloads of public objects that have none of the
    current format (a harvest never writes: ``catalogue oai rebuild`` stores them)."""
    built = {}
    for object_id, public_json in db.session.execute(
        sa.select(CatalogueObject.id, CatalogueObject.public_json).where(
            CatalogueObject.id.in_(ids), CatalogueObject.status == PUBLIC
        )
    ):
        built[object_id] = oai_payloads.build(json.loads(public_json), prefix)
    return built


def item_for(object_id: uuid.UUID, prefix: str | None = None) -> Item | None:
    query = _with_state(prefix).where(ChangeLogEntry.object_id == object_id).limit(1)
    rows = db.session.execute(query).all()
    return _items(rows, prefix)[0] if rows else None


# ---- arguments, tokens ------------------------------------------------------------------------


def _parse_time(value: str, name: str) -> tuple[datetime, str]:
    for fmt, granularity in (("%Y-%m-%dT%H:%M:%SZ", "seconds"), ("%Y-%m-%d", "day")):
        if not DATE_SYNTAX[granularity].match(value):
            continue  # strptime would also take 2024-1-1, which the schema of <request> refuses
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
            assert TOKEN_SYNTAX.match(token)
            raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
            values = json.loads(raw)
            kind, prefix, start, until, set_spec, after, cursor, total = values
            assert kind == verb and prefix in formats.SCHEMAS
            for value in (start, until, set_spec):
                assert value is None or isinstance(value, str)
            for value in (after, cursor, total):
                assert isinstance(value, int) and not isinstance(value, bool)
                assert 0 <= value <= MAX_SEQ
            request = cls(prefix, start, until, set_spec, after, cursor, total)
            request.conditions()
            return request
        except (binascii.Error, ValueError, TypeError, AssertionError, OaiError) as error:
            raise OaiError("badResumptionToken", "The resumption token is invalid.") from error

    def conditions(self) -> list:
        found = []
        bounds = _bounds(self.start, self.until)
        if "from" in bounds:
            found.append(ChangeLogEntry.at >= bounds["from"][0])
        if "until" in bounds:
            moment, granularity = bounds["until"]
            step = timedelta(days=1) if granularity == "day" else timedelta(seconds=1)
            if moment < datetime.max.replace(tzinfo=UTC) - step:  # else: until the end of time
                found.append(ChangeLogEntry.at < moment + step)
        if self.set_spec:
            found.append(_set_condition(self.set_spec))
        return found


def _bounds(start: str | None, until: str | None) -> dict[str, tuple[datetime, str]]:
    """``from`` and ``until`` as (moment, granularity); OaiError badArgument if malformed."""
    bounds = {}
    for name, value in (("from", start), ("until", until)):
        if value is not None:
            bounds[name] = _parse_time(value, name)
    if len({granularity for _, granularity in bounds.values()}) > 1:
        raise OaiError("badArgument", "'from' and 'until' must have the same granularity.")
    if len(bounds) == 2 and bounds["from"][0] > bounds["until"][0]:
        raise OaiError("badArgument", "'from' is later than 'until'.")
    return bounds


def check_arguments(args: dict[str, list[str]]) -> str:
    """The verb of a request whose arguments are legal; else OaiError badVerb or badArgument.

    Checked before anything is done, so that every argument a response echoes (in its
    ``<request>`` element) is text XML carries, in the syntax the protocol gives it.
    """
    verbs = args.get("verb") or []
    if len(verbs) != 1 or verbs[0] not in VERBS:
        raise OaiError("badVerb", "The verb is missing, repeated or not an OAI-PMH verb.")
    verb = verbs[0]
    if any(REFUSED.search(text) for name, values in args.items() for text in (name, *values)):
        raise OaiError("badArgument", "An argument holds a control character or a noncharacter.")
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
    _check_syntax({name: values[0] for name, values in args.items()})
    return verb


def _check_syntax(args: dict[str, str]) -> None:
    if "metadataPrefix" in args and not PREFIX_SYNTAX.match(args["metadataPrefix"]):
        raise OaiError("badArgument", "A metadataPrefix is letters, digits and -_.!~*'().")
    if "set" in args and not SET_SYNTAX.match(args["set"]):
        raise OaiError("badArgument", "A setSpec is such as 'collection' or 'collection:{id}'.")
    if "identifier" in args and not args["identifier"]:
        raise OaiError("badArgument", "The identifier is empty.")
    _bounds(args.get("from"), args.get("until"))
