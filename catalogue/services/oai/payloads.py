"""Serialized ``<metadata>`` payloads, kept current with each record so a harvest only copies.

Building a LIDO record element by element costs far more than sending it. So whenever an
object's change is logged (created, edited, published, re-rendered after an authority it uses
changed, media added), the same transaction stores its ``oai_dc`` and ``lido`` payloads
(``OaiPayload``) if it is public, and removes them if it is not (``keep_current``). A
payload is thus never older than the record it comes from, and exists only for a public
object; the harvest still checks the object's status itself.

What a payload depends on besides the record (the base URL the harvester used, the
institution, the default language, the datestamp) is stored as a marker and filled in when
the payload is served (``fill``). Markers are processing instructions, which lxml never writes
for record text (``<`` in text is always escaped), so no record can forge one.

``fingerprint`` names the payload format and the public view it was built from. A payload of
another format (built by older code) is rebuilt when it is served, as is a missing one (a
database restored from rows written before payloads were kept).

A payload is stored compressed with the XML preset dictionary (``pack``), so a harvest reads
only the payload and decompresses it with a decompressor made once. (The first version of the
format also put the record's public view in the dictionary: a little smaller, but reading it
meant reading the view too and preparing a dictionary for each payload, which cost more than
the rest of the harvest. Such payloads are read with the view, or rebuilt when served.)
"""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
import zlib
from xml.sax.saxutils import escape

import sqlalchemy as sa
import zstandard
from lxml import etree
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from catalogue.models import (
    CatalogueObject,
    ChangeEvent,
    ChangeLogEntry,
    OaiPayload,
    Status,
    packed,
)
from catalogue.schemas.text import xml_safe_value
from catalogue.services.oai import formats

# Changed whenever a builder's output changes: stored payloads of another format are rebuilt.
FORMAT = "p2"
PREFIXES = tuple(formats.SCHEMAS)
MARK, END = b"<?oai ", b"?>"
BASE_URL, INSTITUTION, LANGUAGE, DATESTAMP = b"base-url", b"institution", b"language", b"datestamp"


def fingerprint(public_json: str) -> str:
    return f"{FORMAT}:{hashlib.sha256(public_json.encode()).hexdigest()[:32]}"


def current(fingerprint_: str | None) -> bool:
    """Whether a stored payload was built by this format (its record keeps it current)."""
    return bool(fingerprint_) and fingerprint_.startswith(FORMAT + ":")


def build(record: dict, prefix: str) -> bytes:
    """One public record's metadata payload, serialized, with markers for the context.

    Never fails on text XML cannot carry (stored before the catalogue refused it): each
    such character is replaced with U+FFFD.
    """
    try:
        return _build(record, prefix)
    except ValueError:  # lxml: "All strings must be XML compatible"
        return _build(xml_safe_value(record), prefix)


def _build(record: dict, prefix: str) -> bytes:
    # Unguessable stand-ins while building: no record text can contain them.
    token = secrets.token_hex(16)
    names = {"b": BASE_URL, "i": INSTITUTION, "l": LANGUAGE, "d": DATESTAMP}
    ctx = formats.Context(f"b{token}", f"i{token}", f"l{token}")
    if prefix == "lido":
        element = formats.lido(record, ctx, f"d{token}")
    else:
        element = formats.oai_dc(record, ctx)
    payload = etree.tostring(element, encoding="UTF-8")
    for key, name in names.items():
        payload = payload.replace(f"{key}{token}".encode(), MARK + name + END)
    return payload


def pack(payload: bytes) -> bytes:
    """A payload as stored: compressed with the XML dictionary."""
    return packed.pack(payload, packed.XML_DICTIONARY)


def unpack(stored: bytes, public_json: str = "") -> bytes | None:
    """A stored payload, or None when it cannot be read (one packed with its record's public
    view by the first version of the format, and ``public_json`` is not that view)."""
    try:
        return packed.unpack(stored, public_json.encode())
    except (zlib.error, zstandard.ZstdError, KeyError, IndexError):
        return None


def rows_for(object_id: uuid.UUID, public_json: str) -> list[dict]:
    """The stored payload rows of one public object, from its public view's JSON text."""
    record = json.loads(public_json)
    mark = fingerprint(public_json)
    return [
        {
            "object_id": object_id,
            "prefix": p,
            "fingerprint": mark,
            "payload": pack(build(record, p)),
        }
        for p in PREFIXES
    ]


def _escaped(value: str) -> bytes:
    """Text made safe for element content and double-quoted attribute values alike."""
    entities = {'"': "&quot;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;"}
    return escape(value, entities).encode()


class Filler:
    """Fills in the markers of stored payloads for one response's context."""

    def __init__(self, ctx: formats.Context) -> None:
        self.values = {
            BASE_URL: _escaped(ctx.base_url),
            INSTITUTION: _escaped(ctx.institution),
            LANGUAGE: _escaped(ctx.default_language),
        }

    def chunks(self, payload: bytes, datestamp: str) -> list[bytes]:
        """The payload as pieces to concatenate, markers replaced (one pass over the bytes)."""
        values = self.values | {DATESTAMP: datestamp.encode()}
        parts = payload.split(MARK)
        out = [parts[0]]
        for part in parts[1:]:
            name, _, rest = part.partition(END)
            out += (values[name], rest)
        return out

    def fill(self, payload: bytes, datestamp: str) -> bytes:
        return b"".join(self.chunks(payload, datestamp))


# ---- keeping payloads current ------------------------------------------------------------


def _statement(session, rows: list[dict]):
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(OaiPayload)
    return statement.on_conflict_do_update(
        index_elements=["object_id", "prefix"],
        set_={
            "fingerprint": statement.excluded.fingerprint,
            "payload": statement.excluded.payload,
        },
    )


def store(session, rows: list[dict]) -> None:
    """Insert or replace payload rows (in the caller's transaction)."""
    if rows:
        rows = sorted(rows, key=lambda row: (str(row["object_id"]), row["prefix"]))
        session.connection().execute(_statement(session, rows), rows)


def keep_current(session: Session, entries: list[ChangeLogEntry]) -> None:
    """Store or remove the payloads of every object this unit of work changed.

    The unit of work's ``before_commit`` hook (registered in ``services.follow_up``): it runs
    in the transaction of the change, so a payload is never older than its record. An
    object whose stored payloads were built from the same public view keeps them.
    """
    ids = {entry.object_id for entry in entries if entry.event != ChangeEvent.deleted}
    if not ids:
        return
    objects = [session.get(CatalogueObject, object_id) for object_id in ids]
    objects = [obj for obj in objects if obj is not None and obj not in session.deleted]
    stored = {
        (row.object_id, row.prefix): row.fingerprint
        for row in session.execute(
            sa.select(OaiPayload.object_id, OaiPayload.prefix, OaiPayload.fingerprint).where(
                OaiPayload.object_id.in_([obj.id for obj in objects])
            )
        )
    }
    rows, withdrawn = [], []
    for obj in objects:
        if obj.status == Status.public:
            mark = fingerprint(obj.public_json)
            if any(stored.get((obj.id, prefix)) != mark for prefix in PREFIXES):
                rows += rows_for(obj.id, obj.public_json)
        elif any((obj.id, prefix) in stored for prefix in PREFIXES):
            withdrawn.append(obj.id)
    store(session, rows)
    if withdrawn:
        session.execute(sa.delete(OaiPayload).where(OaiPayload.object_id.in_(withdrawn)))


REBUILD_CHUNK = 1000


def rebuild(session, stale_only: bool = False) -> int:
    """Store the payloads of every public object (or of those whose payloads are missing or
    of another format), in the caller's transaction; returns how many objects were built.

    For a restore, and for ``catalogue oai rebuild`` after an upgrade changed a format
    (until then a harvest builds such payloads for its answer only).
    """
    public = sa.select(CatalogueObject.id).where(CatalogueObject.status == Status.public)
    if stale_only:
        current_ = sa.select(OaiPayload.object_id).where(
            OaiPayload.fingerprint.startswith(FORMAT + ":")
        )
        public = public.where(CatalogueObject.id.not_in(current_))
    ids = session.execute(public.order_by(CatalogueObject.id)).scalars().all()
    for start in range(0, len(ids), REBUILD_CHUNK):
        views = session.execute(
            sa.select(CatalogueObject.id, CatalogueObject.public_json).where(
                CatalogueObject.id.in_(ids[start : start + REBUILD_CHUNK])
            )
        )
        store(session, [row for view in views for row in rows_for(*view)])
    return len(ids)
