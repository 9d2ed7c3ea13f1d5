"""Exporting objects as rows with the import's column names, streamed in constant memory."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

import sqlalchemy as sa
from flask import current_app

from catalogue.extensions import db
from catalogue.models import CatalogueObject, Collection, ObjectCollection, Status
from catalogue.services.errors import ValidationFailed
from catalogue.services.exchange.columns import export_columns, to_row
from catalogue.services.identity import Identity
from catalogue.services.labels import normalise
from catalogue.services.objects.views import COLUMNS

# Rows fetched per round trip; PostgreSQL streams them through a server-side cursor.
YIELD_PER = 500
FORMATS = ("csv", "jsonl", "xlsx")


@dataclass
class Filters:
    status: Status | None = None
    collection: str | None = None  # id, label (any language) or URI
    updated_since: datetime | None = None


def languages() -> tuple[str, ...]:
    default = current_app.config["DEFAULT_LANGUAGE"]
    return tuple(dict.fromkeys((default, "fr", "en")))


def _collection_id(value: str) -> uuid.UUID:
    try:
        return uuid.UUID(value)
    except ValueError:
        pass
    wanted = normalise(value)
    for item in db.session.execute(sa.select(Collection)).scalars():
        labels = {normalise(t) for t in (item.label or {}).values() if isinstance(t, str)}
        if wanted in labels or value == item.uri:
            return item.id
    raise ValidationFailed({"collection": [f"No collection named '{value}'."]})


def _query(identity: Identity, filters: Filters):
    # The caller's view as stored, the same text the API sends for each record.
    query = sa.select(COLUMNS[identity.view]).where(
        CatalogueObject.status.in_(identity.visible_statuses)
    )
    if filters.status:
        query = query.where(CatalogueObject.status == filters.status)
    if filters.collection:
        collection_id = _collection_id(filters.collection)
        query = query.where(
            CatalogueObject.id.in_(
                sa.select(ObjectCollection.object_id).where(
                    ObjectCollection.collection_id == collection_id
                )
            )
        )
    if filters.updated_since:
        query = query.where(CatalogueObject.updated_at >= filters.updated_since)
    return query.order_by(CatalogueObject.object_number).execution_options(yield_per=YIELD_PER)


def records(identity: Identity, filters: Filters) -> Iterator[dict]:
    """Every record the caller may see that matches ``filters``, as that caller sees it."""
    query = _query(identity, filters)  # filters are checked before the first row is asked for

    def stream() -> Iterator[dict]:
        for text in db.session.execute(query).scalars():
            yield json.loads(text)

    return stream()


def rows(identity: Identity, filters: Filters) -> tuple[list[str], Iterator[dict]]:
    """The header and the rows of an export (staff-only columns for staff only)."""
    columns = export_columns(languages(), identity.is_staff)
    default = current_app.config["DEFAULT_LANGUAGE"]
    found = records(identity, filters)
    return columns, (to_row(record, columns, default) for record in found)
