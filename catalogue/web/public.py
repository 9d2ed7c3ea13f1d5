"""The public collection: home, search results, object, agent and place pages, citations.

No sign-in; public view only.
"""

from __future__ import annotations

import re
import uuid

from flask import Response, abort, current_app, redirect, render_template, request, url_for
from flask_babel import get_locale

from catalogue.http.urls import absolute
from catalogue.services.authorities import records as authorities
from catalogue.services.identity import ANONYMOUS
from catalogue.services.objects import citations
from catalogue.services.objects import read as objects_read
from catalogue.web import display, finder
from catalogue.web.common import page_blueprint

bp = page_blueprint("public", __name__)
OBJECTS_SHOWN = 20


@bp.get("/")
def home():
    collections = authorities.list_items(ANONYMOUS, "collections", {"per_page": 100}).items
    return render_template("web/home.html", collections=collections)


@bp.get("/favicon.ico")
def favicon():
    return redirect(url_for("static", filename="favicon.svg"), 301)


@bp.get("/search")
def search():
    fresh = finder.fresh_query(request.args)
    if fresh is not None:
        return redirect(url_for("public.search", **fresh))
    args = finder.parse_args(request.args)
    results = finder.find(ANONYMOUS, args)
    chips = finder.chips(args, results["facets"])
    page = render_template(
        "web/search.html", results=results, args=args, chips=chips, link="public.object_page"
    )
    return page, 400 if results["error"] else 200


def _images(record: dict) -> list[dict]:
    """The record's images, each with the rights that govern it: its own rights URI, else the
    object's. Only an image free to reuse offers its original for download."""
    object_uri = (record.get("rights") or {}).get("uri")
    images = []
    for media in record.get("media") or []:
        if media.get("iiif"):
            rights = display.rights(media.get("rights_uri") or object_uri)
            images.append({**media, "rights_info": rights})
    return images


@bp.get("/objects/<uuid:object_id>")
def object_page(object_id: uuid.UUID):
    record = objects_read.get(ANONYMOUS, object_id).data
    permanent = absolute(f"/objects/{object_id}")
    images = _images(record)
    try:
        shown = max(1, min(int(request.args.get("image", 1)), max(len(images), 1)))
    except ValueError:
        shown = 1
    rights = display.rights((record.get("rights") or {}).get("uri"))
    return render_template(
        "web/object.html",
        record=record,
        permanent=permanent,
        images=images,
        shown=shown,
        rights=rights,
        date=display.date_text((record.get("production") or {}).get("date")),
    )


@bp.get("/objects/<uuid:object_id>/cite.<string:extension>")
def cite(object_id: uuid.UUID, extension: str):
    """The record as CSL-JSON (``cite.json``), BibTeX (``cite.bib``) or RIS (``cite.ris``)."""
    chosen = next((k for k, (_, ext) in citations.FORMATS.items() if ext == extension), None)
    if chosen is None:
        abort(404)
    record = objects_read.get(ANONYMOUS, object_id).data
    text = citations.RENDERERS[chosen](
        record,
        absolute(f"/objects/{object_id}"),
        current_app.config["INSTITUTION_NAME"],
        str(get_locale()),
        current_app.config["DEFAULT_LANGUAGE"],
    )
    content_type, ext = citations.FORMATS[chosen]
    # The accession number names the file, kept to characters every header can carry.
    name = re.sub(r"[^A-Za-z0-9._-]", "_", record["object_number"]) + f".{ext}"
    return Response(
        text,
        content_type=f"{content_type}; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _objects_with(name: str, item_id: uuid.UUID) -> dict:
    args = finder.parse_args({name: str(item_id)})
    args["per_page"] = OBJECTS_SHOWN
    return finder.find(ANONYMOUS, args)


@bp.get("/agents/<uuid:agent_id>")
def agent_page(agent_id: uuid.UUID):
    agent = authorities.get(ANONYMOUS, "agents", agent_id).data
    return render_template(
        "web/authority.html",
        kind="agents",
        item=agent,
        objects=_objects_with("maker", agent_id),
        more=f"maker={agent_id}",
    )


@bp.get("/places/<uuid:place_id>")
def place_page(place_id: uuid.UUID):
    place = authorities.get(ANONYMOUS, "places", place_id).data
    return render_template(
        "web/authority.html",
        kind="places",
        item=place,
        objects=_objects_with("place", place_id),
        more=f"place={place_id}",
    )
