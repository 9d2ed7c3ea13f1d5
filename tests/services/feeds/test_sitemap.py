"""Sitemaps: the public object pages only, split into parts past the protocol's limit."""

from __future__ import annotations

import pytest
from lxml import etree

from catalogue.extensions import db
from catalogue.services.errors import NotFound
from catalogue.services.feeds import sitemap
from tests.services.builders import get, new_object, patch, refused

BASE = "https://collections.museum.example"
NS = {"s": "http://www.sitemaps.org/schemas/sitemap/0.9"}


def parsed(body: bytes):
    db.session.remove()
    assert body.startswith(b"<?xml version='1.0' encoding='UTF-8'?>")
    return etree.fromstring(body)


def urls(doc) -> list[str]:
    assert doc.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}urlset"
    return [loc.text for loc in doc.iterfind("s:url/s:loc", NS)]


def page_of(record: dict) -> str:
    return f"{BASE}/objects/{record['id']}"


def pages_of(records: list[dict]) -> list[str]:
    """Their pages in the sitemap's order: by object number."""
    return [page_of(r) for r in sorted(records, key=lambda r: r["object_number"])]


def test_only_public_objects_are_listed_with_their_last_change(ctx):
    second = new_object(status="public", object_number="2001.0002.001")
    first = new_object(status="public", object_number="2001.0001.001")
    new_object(status="internal", object_number="2001.0003.001")
    new_object(status="draft", object_number="2001.0004.001")
    withdrawn = new_object(status="public", object_number="2001.0005.001")
    patch(withdrawn, {"status": "internal"})
    published = new_object(status="draft", object_number="2001.0006.001")
    patch(published, {"status": "public"})
    doc = parsed(sitemap.sitemap(BASE))
    assert urls(doc) == [page_of(first), page_of(second), page_of(published)]
    lastmods = [e.text for e in doc.iterfind("s:url/s:lastmod", NS)]
    assert lastmods == [get(r)["updated_at"] for r in (first, second, published)]


def test_an_empty_catalogue_has_an_empty_sitemap(ctx):
    new_object(status="draft")
    assert urls(parsed(sitemap.sitemap(BASE))) == []
    assert urls(parsed(sitemap.part(BASE, 0))) == []
    with refused(NotFound):
        sitemap.part(BASE, 1)


def test_at_the_limit_the_sitemap_is_still_one_file(ctx, monkeypatch):
    monkeypatch.setattr(sitemap, "URLS_PER_SITEMAP", 2)
    made = [new_object(status="public") for _ in range(2)]
    assert urls(parsed(sitemap.sitemap(BASE))) == pages_of(made)
    with refused(NotFound):
        sitemap.part(BASE, 1)


def test_past_the_limit_it_is_an_index_of_parts(ctx, monkeypatch):
    monkeypatch.setattr(sitemap, "URLS_PER_SITEMAP", 2)
    made = [new_object(status="public") for _ in range(5)]
    new_object(status="draft")
    index = parsed(sitemap.sitemap(BASE))
    assert index.tag == "{http://www.sitemaps.org/schemas/sitemap/0.9}sitemapindex"
    parts = [loc.text for loc in index.iterfind("s:sitemap/s:loc", NS)]
    assert parts == [f"{BASE}/sitemaps/{n}.xml" for n in range(3)]
    listed = [urls(parsed(sitemap.part(BASE, n))) for n in range(3)]
    assert [len(found) for found in listed] == [2, 2, 1]
    assert sum(listed, []) == pages_of(made)
    with refused(NotFound):
        sitemap.part(BASE, 3)


@pytest.mark.parametrize("status", ["internal", "draft"])
def test_a_part_never_lists_a_hidden_object(ctx, monkeypatch, status):
    monkeypatch.setattr(sitemap, "URLS_PER_SITEMAP", 1)
    shown = [new_object(status="public") for _ in range(2)]
    hidden = new_object(status=status)
    index = parsed(sitemap.sitemap(BASE))
    assert len(index.findall("s:sitemap", NS)) == 2
    listed = [urls(parsed(sitemap.part(BASE, n))) for n in range(2)]
    assert sum(listed, []) == pages_of(shown)
    assert page_of(hidden) not in sum(listed, [])
    with refused(NotFound):
        sitemap.part(BASE, 2)
