"""OAI-PMH 2.0: the public collection for harvesters (Europeana, national portals).

The repository holds every object that is public now, plus every object that was public
once and is not any more (deleted or unpublished), reported as ``deleted`` forever. Both
come from the change log: an object's latest entry that touched the public view says
whether it is in or out, and its time is the record's datestamp. Lists are ordered by that
entry's ``seq``, so a resumption token is just "after seq N": a record changed during a
harvest moves to the end of the list and is never skipped.

OAI-PMH always answers with the public view, whoever asks: harvesters republish.
"""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import sqlalchemy as sa
from lxml import etree
from sqlalchemy.orm import aliased

from catalogue.extensions import db
from catalogue.models import CatalogueObject, ChangeLogEntry, Collection, ObjectCollection, Status
from catalogue.services import oai_metadata as formats
from catalogue.services.identity import ANONYMOUS, view_of

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_ID = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OAI_ID_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
XSI = formats.XSI
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"
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


@dataclass(frozen=True)
class Settings:
    repository_identifier: str
    repository_name: str
    admin_email: str
    page_size: int
    context: formats.Context

    @property
    def base_url(self) -> str:
        return self.context.base_url + "/oai"


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _element(parent, name: str, text: str | None = None, **attrs) -> etree._Element:
    element = etree.SubElement(parent, f"{{{OAI}}}{name}", {k: v for k, v in attrs.items()})
    if text is not None:
        element.text = text
    return element


# ---- the repository's items ----------------------------------------------------------------

_PUBLIC = Status.public


def _touches_public(entry):
    return sa.or_(entry.status_before == _PUBLIC, entry.status_after == _PUBLIC)


def _items_query():
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
    record: dict | None = None
    sets: tuple[str, ...] = ()


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


def _load(items: list[Item]) -> list[Item]:
    """Attach the public record (or, for deleted items, the sets they still belong to)."""
    ids = [item.object_id for item in items]
    rows = db.session.execute(
        sa.select(CatalogueObject.id, CatalogueObject.status, CatalogueObject.document).where(
            CatalogueObject.id.in_(ids)
        )
    )
    documents = {row.id: row.document for row in rows if row.status == _PUBLIC}
    memberships: dict[uuid.UUID, list[str]] = {}
    for object_id, collection_id in db.session.execute(
        sa.select(ObjectCollection.object_id, ObjectCollection.collection_id)
        .where(ObjectCollection.object_id.in_(ids))
        .order_by(ObjectCollection.position)
    ):
        memberships.setdefault(object_id, []).append(f"{SET_ROOT}:{collection_id}")
    for item in items:
        # Unpublished between the two reads: the next harvest sees the newer entry.
        item.public = item.public and item.object_id in documents
        if item.public:
            item.record = view_of(documents[item.object_id], ANONYMOUS)
        item.sets = tuple(memberships.get(item.object_id, ()))
    return items


def _item_for(object_id: uuid.UUID) -> Item | None:
    row = db.session.execute(
        _items_query().where(ChangeLogEntry.object_id == object_id).limit(1)
    ).first()
    if row is None:
        return None
    return _load([Item(row.seq, row.object_id, row.status_after == _PUBLIC, row.at)])[0]


# ---- arguments, tokens ----------------------------------------------------------------------


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


def _check_arguments(args: dict[str, list[str]]) -> str:
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


# ---- verbs ----------------------------------------------------------------------------------


def _oai_identifier(settings: Settings, object_id) -> str:
    return f"oai:{settings.repository_identifier}:{object_id}"


def _object_id(settings: Settings, identifier: str) -> uuid.UUID:
    prefix = f"oai:{settings.repository_identifier}:"
    try:
        if not identifier.startswith(prefix):
            raise ValueError(identifier)
        return uuid.UUID(identifier.removeprefix(prefix))
    except ValueError as error:
        raise OaiError("idDoesNotExist", f"No record {identifier!r} in this repository.") from error


def _prefix(args: dict) -> str:
    prefix = args["metadataPrefix"][0]
    if prefix not in formats.SCHEMAS:
        raise OaiError("cannotDisseminateFormat", f"Formats offered: {', '.join(formats.SCHEMAS)}.")
    return prefix


def _header(parent, settings: Settings, item: Item) -> None:
    header = _element(parent, "header", **({} if item.public else {"status": "deleted"}))
    _element(header, "identifier", _oai_identifier(settings, item.object_id))
    _element(header, "datestamp", _stamp(item.at))
    for spec in item.sets:
        _element(header, "setSpec", spec)


def _record(parent, settings: Settings, item: Item, prefix: str) -> None:
    record = _element(parent, "record")
    _header(record, settings, item)
    if item.public:
        if prefix == "lido":
            payload = formats.lido(item.record, settings.context, _stamp(item.at))
        else:
            payload = formats.oai_dc(item.record, settings.context)
        _element(record, "metadata").append(payload)


def _identify(body, settings: Settings, args: dict) -> None:
    identify = _element(body, "Identify")
    earliest = db.session.execute(sa.select(sa.func.min(ChangeLogEntry.at))).scalar_one()
    _element(identify, "repositoryName", settings.repository_name)
    _element(identify, "baseURL", settings.base_url)
    _element(identify, "protocolVersion", "2.0")
    _element(identify, "adminEmail", settings.admin_email)
    _element(identify, "earliestDatestamp", _stamp(earliest or datetime(2000, 1, 1, tzinfo=UTC)))
    _element(identify, "deletedRecord", "persistent")
    _element(identify, "granularity", GRANULARITY)
    description = _element(identify, "description")
    ident = etree.SubElement(description, f"{{{OAI_ID}}}oai-identifier", nsmap={None: OAI_ID})
    ident.set(f"{{{XSI}}}schemaLocation", f"{OAI_ID} {OAI_ID_SCHEMA}")
    for name, text in (
        ("scheme", "oai"),
        ("repositoryIdentifier", settings.repository_identifier),
        ("delimiter", ":"),
        ("sampleIdentifier", _oai_identifier(settings, uuid.UUID(int=0))),
    ):
        etree.SubElement(ident, f"{{{OAI_ID}}}{name}").text = text


def _list_metadata_formats(body, settings: Settings, args: dict) -> None:
    if "identifier" in args and _item_for(_object_id(settings, args["identifier"][0])) is None:
        raise OaiError("idDoesNotExist", "No such record in this repository.")
    formats_element = _element(body, "ListMetadataFormats")
    for prefix, (schema, namespace) in formats.SCHEMAS.items():
        entry = _element(formats_element, "metadataFormat")
        _element(entry, "metadataPrefix", prefix)
        _element(entry, "schema", schema)
        _element(entry, "metadataNamespace", namespace)


def _list_sets(body, settings: Settings, args: dict) -> None:
    if "resumptionToken" in args:
        raise OaiError("badResumptionToken", "ListSets is answered in one response.")
    sets = _element(body, "ListSets")
    root = _element(sets, "set")
    _element(root, "setSpec", SET_ROOT)
    _element(root, "setName", "Collections")
    lang = settings.context.default_language
    for collection in db.session.execute(sa.select(Collection).order_by(Collection.id)).scalars():
        entry = _element(sets, "set")
        _element(entry, "setSpec", f"{SET_ROOT}:{collection.id}")
        label = collection.label or {}
        _element(
            entry, "setName", label.get(lang) or next(iter(label.values()), str(collection.id))
        )


def _get_record(body, settings: Settings, args: dict) -> None:
    prefix = _prefix(args)
    item = _item_for(_object_id(settings, args["identifier"][0]))
    if item is None:
        raise OaiError("idDoesNotExist", "No such record in this repository.")
    _record(_element(body, "GetRecord"), settings, item, prefix)


def _list(verb: str):
    def answer(body, settings: Settings, args: dict) -> None:
        if "resumptionToken" in args:
            request = ListRequest.from_token(verb, args["resumptionToken"][0])
        else:
            request = ListRequest(
                _prefix(args),
                (args.get("from") or [None])[0],
                (args.get("until") or [None])[0],
                (args.get("set") or [None])[0],
            )
        conditions = request.conditions()
        query = _items_query().where(*conditions)
        if request.total is None:
            count = sa.select(sa.func.count()).select_from(query.subquery())
            request.total = db.session.execute(count).scalar_one()
        rows = db.session.execute(
            query.where(ChangeLogEntry.seq > request.after)
            .order_by(ChangeLogEntry.seq)
            .limit(settings.page_size + 1)
        ).all()
        if not rows and request.cursor == 0:
            raise OaiError("noRecordsMatch", "No records match these arguments.")
        more = len(rows) > settings.page_size
        rows = rows[: settings.page_size]
        items = _load([Item(r.seq, r.object_id, r.status_after == _PUBLIC, r.at) for r in rows])
        listing = _element(body, verb)
        for item in items:
            if verb == "ListRecords":
                _record(listing, settings, item, request.prefix)
            else:
                _header(listing, settings, item)
        cursor = request.cursor
        request.cursor += len(items)
        request.after = rows[-1].seq if rows else request.after
        # Records changed during the harvest come again at the end, so the size can grow.
        total = str(max(request.total, request.cursor + (1 if more else 0)))
        token = _element(listing, "resumptionToken", completeListSize=total, cursor=str(cursor))
        if more:
            token.text = request.token(verb)
        elif cursor == 0:
            listing.remove(token)

    return answer


HANDLERS = {
    "Identify": _identify,
    "ListMetadataFormats": _list_metadata_formats,
    "ListSets": _list_sets,
    "GetRecord": _get_record,
    "ListIdentifiers": _list("ListIdentifiers"),
    "ListRecords": _list("ListRecords"),
}


def respond(settings: Settings, args: dict[str, list[str]]) -> bytes:
    """The complete OAI-PMH response document to a request's arguments (name -> values)."""
    root = etree.Element(f"{{{OAI}}}OAI-PMH", nsmap={None: OAI, "xsi": XSI})
    root.set(f"{{{XSI}}}schemaLocation", f"{OAI} {OAI_SCHEMA}")
    _element(root, "responseDate", _stamp(datetime.now(UTC)))
    request = _element(root, "request", settings.base_url)
    try:
        verb = _check_arguments(args)
    except OaiError as error:
        _element(root, "error", error.message, code=error.code)
    else:
        for name in ("verb", *sorted(set(args) - {"verb"})):
            request.set(name, args[name][0])
        try:
            HANDLERS[verb](root, settings, args)
        except OaiError as error:
            for child in list(root)[2:]:
                root.remove(child)
            if error.code == "badArgument":
                # The protocol echoes the arguments only when they were legal.
                request.attrib.clear()
            _element(root, "error", error.message, code=error.code)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")
