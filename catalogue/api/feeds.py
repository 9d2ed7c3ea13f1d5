"""Feeds for mirrors and crawlers: the changes feed, IIIF Change Discovery, the sitemap."""

from __future__ import annotations

from urllib.parse import urlencode

from flask import Blueprint as FlaskBlueprint
from flask import Response
from flask_smorest import Blueprint

from catalogue.api.http import identity, json_response
from catalogue.http.urls import base_url, request_url
from catalogue.schemas.changes import ChangesArgs, ChangesOut
from catalogue.schemas.common import Problem
from catalogue.services.feeds import changes, discovery, sitemap

blp = Blueprint(
    "changes",
    __name__,
    url_prefix="/api/v1/changes",
    description="Ordered feed of changes to the objects you may see, for keeping a copy in sync.",
)
pages = FlaskBlueprint("feeds", __name__)


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
            "next": f"{request_url()}?{query}",
            "has_more": page.has_more,
        }
    )


# ---- IIIF Change Discovery API 1.0 and the sitemap ----------------------------------------


@pages.get("/iiif/discovery/collection.json")
def discovery_collection():
    """The public stream of manifest changes as an Activity Streams OrderedCollection."""
    body = discovery.collection(base_url())
    return json_response(body, headers={"Content-Type": "application/ld+json"})


@pages.get("/iiif/discovery/pages/<int:index>.json")
def discovery_page(index: int):
    """One page of activities, oldest first; the last page holds the newest."""
    body = discovery.page(base_url(), index)
    return json_response(body, headers={"Content-Type": "application/ld+json"})


@pages.get("/sitemap.xml")
def sitemap_xml():
    """The public object pages; past 50,000 a sitemap index of numbered parts."""
    return Response(sitemap.sitemap(base_url()), mimetype="application/xml")


@pages.get("/sitemaps/<int:part>.xml")
def sitemap_part(part: int):
    return Response(sitemap.part(base_url(), part), mimetype="application/xml")
