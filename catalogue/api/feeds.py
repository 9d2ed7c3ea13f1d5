"""Feeds for mirrors and crawlers: the changes feed, IIIF Change Discovery, the sitemap."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint as FlaskBlueprint
from flask import Response, request
from flask_smorest import Blueprint
from lxml import etree

from catalogue.api.http import identity, json_response
from catalogue.api.urls import absolute
from catalogue.schemas.changes import ChangesArgs, ChangesOut
from catalogue.schemas.common import Problem
from catalogue.services.errors import NotFound
from catalogue.services.feeds import changes, sitemap
from catalogue.services.objects.documents import iso

blp = Blueprint(
    "changes",
    __name__,
    url_prefix="/api/v1/changes",
    description="Ordered feed of changes to the objects you may see, for keeping a copy in sync.",
)
pages = FlaskBlueprint("feeds", __name__)

DISCOVERY_CONTEXT = "http://iiif.io/api/discovery/1/context.json"
DISCOVERY_PAGE_SIZE = 100
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"


@blp.route("")
@blp.arguments(ChangesArgs, location="query")
@blp.response(200, ChangesOut)
@blp.alt_response(400, schema=Problem, description="The cursor is not one this feed gave out.")
@blp.alt_response(422, schema=Problem, description="A limit out of range.")
def changes_feed(args):
    """Events since ``since`` (oldest first): created, updated, deleted, published, unpublished.

    Apply them in order to a copy and it holds what ``GET /api/v1/objects`` lists for you.
    """
    page = changes.read(identity(), args["since"], args["limit"])
    query = urlencode({"since": page.cursor, "limit": args["limit"]})
    return json_response(
        {
            "items": [event.as_item() for event in page.items],
            "cursor": page.cursor,
            "next": f"{request.base_url}?{query}",
            "has_more": page.has_more,
        }
    )


# ---- IIIF Change Discovery API 1.0 -------------------------------------------------------


def _page_ref(index: int) -> dict:
    return {"id": absolute(f"/iiif/discovery/pages/{index}.json"), "type": "OrderedCollectionPage"}


def _activity(event: changes.Event) -> dict:
    return {
        "id": absolute(f"/iiif/discovery/activities/{event.seq}"),
        "type": changes.ACTIVITY_TYPES[event.event],
        "object": {"id": absolute(f"/iiif/3/objects/{event.id}/manifest"), "type": "Manifest"},
        "endTime": event.at,
    }


@pages.get("/iiif/discovery/collection.json")
def discovery_collection():
    """The public stream of manifest changes as an Activity Streams OrderedCollection."""
    total = changes.public_count()
    last = max((total - 1) // DISCOVERY_PAGE_SIZE, 0)
    body = {
        "@context": DISCOVERY_CONTEXT,
        "id": absolute("/iiif/discovery/collection.json"),
        "type": "OrderedCollection",
        "totalItems": total,
        "first": _page_ref(0),
        "last": _page_ref(last),
    }
    return json_response(body, headers={"Content-Type": "application/ld+json"})


@pages.get("/iiif/discovery/pages/<int:index>.json")
def discovery_page(index: int):
    """One page of activities, oldest first; the last page holds the newest."""
    total = changes.public_count()
    last = max((total - 1) // DISCOVERY_PAGE_SIZE, 0)
    if index > last:
        raise NotFound(f"There is no page {index}; the last page is {last}.")
    events = changes.public_slice(index * DISCOVERY_PAGE_SIZE, DISCOVERY_PAGE_SIZE)
    body = {
        "@context": DISCOVERY_CONTEXT,
        "id": _page_ref(index)["id"],
        "type": "OrderedCollectionPage",
        "startIndex": index * DISCOVERY_PAGE_SIZE,
        "partOf": {"id": absolute("/iiif/discovery/collection.json"), "type": "OrderedCollection"},
        "orderedItems": [_activity(event) for event in events],
    }
    if index > 0:
        body["prev"] = _page_ref(index - 1)
    if index < last:
        body["next"] = _page_ref(index + 1)
    return json_response(body, headers={"Content-Type": "application/ld+json"})


# ---- sitemap -----------------------------------------------------------------------------


def _xml(root) -> Response:
    return Response(
        etree.tostring(root, xml_declaration=True, encoding="UTF-8"), mimetype="application/xml"
    )


def _urlset(part: int) -> Response:
    root = etree.Element(f"{{{SITEMAP_NS}}}urlset", nsmap={None: SITEMAP_NS})
    for object_id, updated_at in sitemap.public_pages(part):
        url = etree.SubElement(root, f"{{{SITEMAP_NS}}}url")
        etree.SubElement(url, f"{{{SITEMAP_NS}}}loc").text = absolute(f"/objects/{object_id}")
        etree.SubElement(url, f"{{{SITEMAP_NS}}}lastmod").text = iso(updated_at)
    return _xml(root)


@pages.get("/sitemap.xml")
def sitemap_xml():
    """The public object pages; past 50,000 a sitemap index of numbered parts."""
    count = sitemap.public_page_count()
    if count <= sitemap.URLS_PER_SITEMAP:
        return _urlset(0)
    root = etree.Element(f"{{{SITEMAP_NS}}}sitemapindex", nsmap={None: SITEMAP_NS})
    for part in range((count - 1) // sitemap.URLS_PER_SITEMAP + 1):
        entry = etree.SubElement(root, f"{{{SITEMAP_NS}}}sitemap")
        etree.SubElement(entry, f"{{{SITEMAP_NS}}}loc").text = absolute(f"/sitemaps/{part}.xml")
    return _xml(root)


@pages.get("/sitemaps/<int:part>.xml")
def sitemap_part(part: int):
    if part * sitemap.URLS_PER_SITEMAP >= max(sitemap.public_page_count(), 1):
        raise NotFound(f"There is no sitemap part {part}.")
    return _urlset(part)
