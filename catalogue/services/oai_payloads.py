"""Serialized ``<metadata>`` payloads, built once per record state and reused by harvests.

Building a LIDO record element by element costs far more than sending it, and a harvester
reads the same unchanged records again and again. A payload is stored (``OaiPayload``) with a
fingerprint of everything it was built from: the public view's ETag, the datestamp and the
context (base URL, institution, language). A payload is reused only while its fingerprint
matches, so an edited, republished or re-hosted record is always rebuilt; only public items
ever get a payload.
"""

from __future__ import annotations

import hashlib
import uuid

import sqlalchemy as sa
from lxml import etree
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, OperationalError

from catalogue.extensions import db
from catalogue.models import OaiPayload
from catalogue.services import oai_metadata as formats
from catalogue.services.oai_repository import Item
from catalogue.services.views import etag_of_text


def _fingerprint(item: Item, prefix: str, ctx: formats.Context, datestamp: str) -> str:
    parts = (prefix, etag_of_text(item.text), datestamp, *ctx.__dict__.values())
    return hashlib.sha256("\n".join(map(str, parts)).encode()).hexdigest()


def build(item: Item, prefix: str, ctx: formats.Context, datestamp: str) -> str:
    """One public item's metadata payload, serialized."""
    if prefix == "lido":
        element = formats.lido(item.record, ctx, datestamp)
    else:
        element = formats.oai_dc(item.record, ctx)
    return etree.tostring(element, encoding="unicode")


def payloads(items: list[Item], prefix: str, ctx: formats.Context, stamp) -> dict[uuid.UUID, str]:
    """The serialized payload of every public item, from the store or built (and stored)."""
    wanted = {
        item.object_id: (item, _fingerprint(item, prefix, ctx, stamp(item.at)))
        for item in items
        if item.public
    }
    if not wanted:
        return {}
    found = {
        row.object_id: row.payload
        for row in db.session.execute(
            sa.select(OaiPayload.object_id, OaiPayload.fingerprint, OaiPayload.payload).where(
                OaiPayload.prefix == prefix, OaiPayload.object_id.in_(list(wanted))
            )
        )
        if row.fingerprint == wanted[row.object_id][1]
    }
    fresh = []
    for object_id, (item, fingerprint) in wanted.items():
        if object_id not in found:
            found[object_id] = build(item, prefix, ctx, stamp(item.at))
            fresh.append(
                {
                    "object_id": object_id,
                    "prefix": prefix,
                    "fingerprint": fingerprint,
                    "payload": found[object_id],
                }
            )
    if fresh:
        _store(sorted(fresh, key=lambda row: row["object_id"]))
    return found


def _store(rows: list[dict]) -> None:
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(OaiPayload)
    statement = statement.on_conflict_do_update(
        index_elements=["object_id", "prefix"],
        set_={
            "fingerprint": statement.excluded.fingerprint,
            "payload": statement.excluded.payload,
        },
    )
    try:
        db.session.execute(statement, rows)
        db.session.commit()
    except (IntegrityError, OperationalError):
        # An object deleted since the page was read: the answer stands, the store can wait.
        db.session.rollback()
