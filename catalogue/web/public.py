"""The public collection: home, search results, object pages. No sign-in; public view only."""

from __future__ import annotations

import uuid

from flask import render_template, request

from catalogue.http.urls import absolute
from catalogue.services.authorities import records as authorities
from catalogue.services.identity import ANONYMOUS
from catalogue.services.objects import read as objects_read
from catalogue.web import finder
from catalogue.web.common import page_blueprint

bp = page_blueprint("public", __name__)


@bp.get("/")
def home():
    collections = authorities.list_items(ANONYMOUS, "collections", {"per_page": 100}).items
    return render_template("web/home.html", collections=collections)


@bp.get("/search")
def search():
    args = finder.parse_args(request.args)
    results = finder.find(ANONYMOUS, args)
    page = render_template("web/search.html", results=results, args=args, link="public.object_page")
    return page, 400 if results["error"] else 200


@bp.get("/objects/<uuid:object_id>")
def object_page(object_id: uuid.UUID):
    record = objects_read.get(ANONYMOUS, object_id).data
    permanent = absolute(f"/objects/{object_id}")
    return render_template("web/object.html", record=record, permanent=permanent)
