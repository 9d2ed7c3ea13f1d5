"""Sitemaps of the public object pages: one urlset, or past 50,000 an index of parts."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

import sqlalchemy as sa
from lxml import etree

from catalogue.extensions import db
from catalogue.models import CatalogueObject, Status
from catalogue.services.errors import NotFound
from catalogue.services.objects.documents import iso

# The sitemaps protocol allows at most 50,000 URLs in one file.
URLS_PER_SITEMAP = 50_000
NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


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


def _xml(root) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def _urlset(base: str, part: int) -> bytes:
    root = etree.Element(f"{{{NS}}}urlset", nsmap={None: NS})
    for object_id, updated_at in public_pages(part):
        url = etree.SubElement(root, f"{{{NS}}}url")
        etree.SubElement(url, f"{{{NS}}}loc").text = f"{base}/objects/{object_id}"
        etree.SubElement(url, f"{{{NS}}}lastmod").text = iso(updated_at)
    return _xml(root)


def sitemap(base: str) -> bytes:
    """``/sitemap.xml``: the public object pages, or an index of numbered parts."""
    count = public_page_count()
    if count <= URLS_PER_SITEMAP:
        return _urlset(base, 0)
    root = etree.Element(f"{{{NS}}}sitemapindex", nsmap={None: NS})
    for number in range((count - 1) // URLS_PER_SITEMAP + 1):
        entry = etree.SubElement(root, f"{{{NS}}}sitemap")
        etree.SubElement(entry, f"{{{NS}}}loc").text = f"{base}/sitemaps/{number}.xml"
    return _xml(root)


def part(base: str, number: int) -> bytes:
    """One numbered part of the sitemap index; NotFound past the last."""
    if number * URLS_PER_SITEMAP >= max(public_page_count(), 1):
        raise NotFound(f"There is no sitemap part {number}.")
    return _urlset(base, number)
