"""Summaries for the workspace dashboard, and a plain catalogue search.

``find_objects`` matches words in titles and accession numbers; the full-text search
service replaces it for the search pages once that is in place.
"""

from __future__ import annotations

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import CatalogueObject, ObjectCollection, Status
from catalogue.services.identity import Identity
from catalogue.services.objects.views import COLUMNS, Record
from catalogue.services.pagination import Page, paginate


def counts_by_status(identity: Identity) -> dict[str, int]:
    """How many objects of each status the caller may see (zero included)."""
    identity.require_authenticated()
    rows = db.session.execute(
        sa.select(CatalogueObject.status, sa.func.count())
        .where(CatalogueObject.status.in_(identity.visible_statuses))
        .group_by(CatalogueObject.status)
    ).all()
    counts = {str(status): 0 for status in identity.visible_statuses}
    counts.update({str(status): count for status, count in rows})
    return counts


def find_objects(identity: Identity, args: dict) -> Page:
    """Objects the caller may see whose title or number contains every word of ``q``,
    optionally in one collection, of one type or status; newest changes first without ``q``."""
    query = sa.select(COLUMNS[identity.view]).where(
        CatalogueObject.status.in_(identity.visible_statuses)
    )
    text = sa.func.lower(
        sa.cast(CatalogueObject.title, sa.String) + " " + CatalogueObject.object_number
    )
    for word in (args.get("q") or "").lower().split()[:10]:
        query = query.where(text.contains(word, autoescape=True))
    if args.get("status"):
        query = query.where(CatalogueObject.status == Status(args["status"]))
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
    if args.get("q"):
        query = query.order_by(CatalogueObject.object_number, CatalogueObject.id)
    else:
        query = query.order_by(CatalogueObject.updated_at.desc(), CatalogueObject.id)
    page = paginate(query, args.get("page", 1), args.get("per_page", 20))
    page.items = [Record(text).data for text in page.items]
    return page
