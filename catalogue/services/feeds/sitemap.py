"""The public object pages, for sitemaps."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import CatalogueObject, Status

# The sitemaps protocol allows at most 50,000 URLs in one file.
URLS_PER_SITEMAP = 50_000


def public_page_count() -> int:
    return db.session.execute(
        sa.select(sa.func.count())
        .select_from(CatalogueObject)
        .where(CatalogueObject.status == Status.public)
    ).scalar_one()


def public_pages(part: int = 0) -> Iterator[tuple[str, datetime]]:
    """``(object id, updated_at)`` of public objects in part ``part`` of the sitemap."""
    rows = db.session.execute(
        sa.select(CatalogueObject.id, CatalogueObject.updated_at)
        .where(CatalogueObject.status == Status.public)
        .order_by(CatalogueObject.object_number, CatalogueObject.id)
        .offset(part * URLS_PER_SITEMAP)
        .limit(URLS_PER_SITEMAP)
    )
    for object_id, updated_at in rows:
        yield str(object_id), updated_at
