"""Reading catalogue objects: one record (by id or number) and filtered lists.

A record is read as stored: the caller's view (public, research or staff) is JSON text kept
on the object row (``objects.views``), so a read never re-renders anything.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import CatalogueObject, ChangeLogEntry, Media, ObjectCollection, Tombstone
from catalogue.services.errors import Gone, NotFound
from catalogue.services.identity import Identity
from catalogue.services.lookups import Lookup
from catalogue.services.objects.documents import iso
from catalogue.services.objects.views import COLUMNS, Record
from catalogue.services.pagination import Page, paginate


def missing(object_id: uuid.UUID, identity: Identity) -> Exception:
    tombstone = db.session.get(Tombstone, object_id)
    if tombstone is not None and identity.can_see(tombstone.last_status):
        return Gone(
            f"Object {tombstone.object_number} was deleted.",
            id=str(tombstone.id),
            object_number=tombstone.object_number,
            deleted_at=iso(tombstone.deleted_at),
        )
    return NotFound(f"No object with id {object_id}.")


# When the object last changed (Last-Modified), read with it: the log stamps ``at`` in commit
# order, re-renders after an authority changed included.
_LAST_CHANGED = (
    sa.select(sa.func.max(ChangeLogEntry.at))
    .where(ChangeLogEntry.object_id == CatalogueObject.id)
    .scalar_subquery()
)
_BY_ID = {
    view: Lookup([column, CatalogueObject.status, _LAST_CHANGED], CatalogueObject.id)
    for view, column in COLUMNS.items()
}
_BY_NUMBER = {
    view: Lookup([column, CatalogueObject.status], CatalogueObject.object_number)
    for view, column in COLUMNS.items()
}


def get(identity: Identity, object_id: uuid.UUID) -> Record:
    row = _BY_ID[identity.view](object_id)
    if row is None:
        raise missing(object_id, identity)
    if not identity.can_see(row[1]):
        raise NotFound(f"No object with id {object_id}.")
    return Record(row[0], last_modified=row[2])


def get_by_number(identity: Identity, object_number: str) -> Record:
    if "\x00" in object_number:
        # No number holds one, and PostgreSQL refuses it in a query (a 500).
        raise NotFound(f"No object numbered {object_number!r}.")
    # Accession numbers never hold control characters (and PostgreSQL text cannot hold NUL).
    row = None if "\x00" in object_number else _BY_NUMBER[identity.view](object_number)
    if row is None or not identity.can_see(row[1]):
        tombstone = (
            row is None
            and "\x00" not in object_number
            and db.session.execute(
                sa.select(Tombstone).where(Tombstone.object_number == object_number)
            ).scalar_one_or_none()
        )
        if tombstone:
            raise missing(tombstone.id, identity)
        raise NotFound(f"No object numbered {object_number}.")
    return Record(row[0])


SORTS = {
    "object_number": CatalogueObject.object_number,
    "updated": CatalogueObject.updated_at,
    "created": CatalogueObject.created_at,
}


def list_objects(identity: Identity, args: dict) -> Page:
    query = sa.select(COLUMNS[identity.view]).where(
        CatalogueObject.status.in_(identity.visible_statuses)
    )
    if args.get("status"):
        query = query.where(CatalogueObject.status == args["status"])
    if args.get("object_type"):
        query = query.where(CatalogueObject.object_type_id == args["object_type"])
    if args.get("collection"):
        query = query.where(
            CatalogueObject.id.in_(
                sa.select(ObjectCollection.object_id).where(
                    ObjectCollection.collection_id == args["collection"]
                )
            )
        )
    if args.get("updated_since"):
        query = query.where(CatalogueObject.updated_at >= args["updated_since"])
    if args.get("has_media") is not None:
        query = query.where(_has_media(identity) == args["has_media"])
    sort = args.get("sort", "object_number")
    column = SORTS[sort.lstrip("-")]
    order = column.desc() if sort.startswith("-") else column.asc()
    query = query.order_by(order, CatalogueObject.id)
    page = paginate(query, args.get("page", 1), args.get("per_page", 20))
    page.items = [Record(text) for text in page.items]
    return page


def _has_media(identity: Identity):
    media = sa.select(Media.id).where(Media.object_id == CatalogueObject.id)
    if not identity.is_staff:
        media = media.where(Media.public.is_(True))
    return media.exists()
