"""OAI-PMH 2.0: the public collection for harvesters (Europeana, national portals).

The repository holds every object that is public now, plus every object that was public
once and is not any more (deleted or unpublished), reported as ``deleted`` forever (see
``oai_repository``). This module answers the six verbs with lxml-built documents; the
records of ``ListRecords`` and ``GetRecord`` go in as bytes, around the payloads stored with
each record (``oai_payloads``).

OAI-PMH always answers with the public view, whoever asks: harvesters republish.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from xml.sax.saxutils import escape

import sqlalchemy as sa
from lxml import etree

from catalogue.extensions import db
from catalogue.models import ChangeLogEntry, Collection, ObjectSet, Visibility
from catalogue.schemas.text import xml_safe
from catalogue.services import labels
from catalogue.services.oai import formats
from catalogue.services.oai import payloads as oai_payloads
from catalogue.services.oai.repository import (
    SET_ROOT,
    SETS_ROOT,
    Item,
    ListRequest,
    OaiError,
    check_arguments,
    item_for,
    items_query,
    page,
)

OAI = "http://www.openarchives.org/OAI/2.0/"
OAI_SCHEMA = "http://www.openarchives.org/OAI/2.0/OAI-PMH.xsd"
OAI_ID = "http://www.openarchives.org/OAI/2.0/oai-identifier"
OAI_ID_SCHEMA = "http://www.openarchives.org/OAI/2.0/oai-identifier.xsd"
XSI = formats.XSI
GRANULARITY = "YYYY-MM-DDThh:mm:ssZ"


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


@dataclass
class Slots:
    """Serialized records waiting for their place in a response.

    An element that is to hold records gets a random marker as its text while the envelope
    is built; the serialized envelope is then split at the markers and the records go in
    between, so a stored payload is never parsed again and all its text stays as lxml
    escaped it.
    """

    marker: str = field(default_factory=lambda: f"oai-records-{secrets.token_hex(16)}")
    held: list[list[bytes]] = field(default_factory=list)

    def hold(self, element: etree._Element, chunks: list[bytes]) -> None:
        element.text = self.marker
        self.held.append(chunks)

    def fill(self, document: bytes) -> bytes:
        parts = document.split(self.marker.encode())
        if len(parts) != len(self.held) + 1:
            raise RuntimeError("record markers do not match the records held")
        out = [parts[0]]
        for chunks, part in zip(self.held, parts[1:], strict=True):
            out += chunks
            out.append(part)
        return b"".join(out)


def _stamp(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _element(parent, name: str, text: str | None = None, **attrs) -> etree._Element:
    element = etree.SubElement(parent, f"{{{OAI}}}{name}", {k: v for k, v in attrs.items()})
    if text is not None:
        element.text = text
    return element


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


def _records(parent, settings: Settings, items: list[Item], slots: Slots) -> None:
    """``<record>`` elements of loaded items, written as bytes around their stored payloads.

    The same markup lxml would write for ``_header`` and ``<metadata>`` (every text is
    escaped), without building an element per field of every record.
    """
    filler = oai_payloads.Filler(settings.context)
    prefix = escape(f"oai:{settings.repository_identifier}:")
    chunks = []
    for item in items:
        stamp = _stamp(item.at)
        header = "<record><header>" if item.public else '<record><header status="deleted">'
        header += f"<identifier>{prefix}{item.object_id}</identifier><datestamp>{stamp}</datestamp>"
        header += "".join(f"<setSpec>{escape(spec)}</setSpec>" for spec in item.sets)
        if item.public:
            chunks.append(f"{header}</header><metadata>".encode())
            chunks += filler.chunks(item.payload, stamp)
            chunks.append(b"</metadata></record>")
        else:
            chunks.append(f"{header}</header></record>".encode())
    slots.hold(parent, chunks)


def _identify(body, settings: Settings, args: dict, slots: Slots) -> None:
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


def _list_metadata_formats(body, settings: Settings, args: dict, slots: Slots) -> None:
    if "identifier" in args and item_for(_object_id(settings, args["identifier"][0])) is None:
        raise OaiError("idDoesNotExist", "No such record in this repository.")
    formats_element = _element(body, "ListMetadataFormats")
    for prefix, (schema, namespace) in formats.SCHEMAS.items():
        entry = _element(formats_element, "metadataFormat")
        _element(entry, "metadataPrefix", prefix)
        _element(entry, "schema", schema)
        _element(entry, "metadataNamespace", namespace)


def _list_sets(body, settings: Settings, args: dict, slots: Slots) -> None:
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
        name = labels.pick(collection.label, lang, fallback=str(collection.id))
        _element(entry, "setName", xml_safe(name))
    public_sets = sa.select(ObjectSet).where(ObjectSet.visibility == Visibility.public)
    published = list(db.session.execute(public_sets.order_by(ObjectSet.id)).scalars())
    if published:  # the root of the public sets, listed once there is one
        root = _element(sets, "set")
        _element(root, "setSpec", SETS_ROOT)
        _element(root, "setName", "Sets")
    for object_set in published:
        entry = _element(sets, "set")
        _element(entry, "setSpec", f"{SETS_ROOT}:{object_set.id}")
        name = labels.pick(object_set.title, lang, fallback=str(object_set.id))
        _element(entry, "setName", xml_safe(name))


def _get_record(body, settings: Settings, args: dict, slots: Slots) -> None:
    prefix = _prefix(args)
    item = item_for(_object_id(settings, args["identifier"][0]), prefix)
    if item is None:
        raise OaiError("idDoesNotExist", "No such record in this repository.")
    _records(_element(body, "GetRecord"), settings, [item], slots)


def _list(verb: str):
    def answer(body, settings: Settings, args: dict, slots: Slots) -> None:
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
        query = items_query().where(*conditions)
        if request.total is None:
            count = sa.select(sa.func.count()).select_from(query.subquery())
            request.total = db.session.execute(count).scalar_one()
        prefix = request.prefix if verb == "ListRecords" else None
        items = page(conditions, request.after, settings.page_size + 1, prefix)
        if not items and request.cursor == 0:
            raise OaiError("noRecordsMatch", "No records match these arguments.")
        more = len(items) > settings.page_size
        items = items[: settings.page_size]
        listing = _element(body, verb)
        if verb == "ListRecords":
            _records(listing, settings, items, slots)
        else:
            for item in items:
                _header(listing, settings, item)
        cursor = request.cursor
        request.cursor += len(items)
        request.after = items[-1].seq if items else request.after
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
    slots = Slots()
    try:
        verb = check_arguments(args)
    except OaiError as error:
        _element(root, "error", error.message, code=error.code)
    else:
        for name in ("verb", *sorted(set(args) - {"verb"})):
            request.set(name, args[name][0])
        try:
            HANDLERS[verb](root, settings, args, slots)
        except OaiError as error:
            slots = Slots()
            for child in list(root)[2:]:
                root.remove(child)
            if error.code == "badArgument":
                # The protocol echoes the arguments only when they were legal.
                request.attrib.clear()
            _element(root, "error", error.message, code=error.code)
    return slots.fill(etree.tostring(root, xml_declaration=True, encoding="UTF-8"))
