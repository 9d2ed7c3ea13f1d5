"""``/reconcile``: the reconciliation service (W3C Entity Reconciliation API 0.2, OpenRefine).

GET without ``queries`` answers the service manifest; GET with ``queries`` or POST with the
form field ``queries`` answers a batch; ``/reconcile/preview``, ``/reconcile/suggest/*`` and
``/reconcile/view/<id>`` are what the manifest declares. The caller is who the bearer token
says (anonymous: public objects only). GET answers may be JSONP (``callback``).
"""

from __future__ import annotations

import json
import re

from flask import Blueprint, Response, current_app, redirect, request
from markupsafe import escape

from catalogue.api.http import identity
from catalogue.http.urls import base_url
from catalogue.services.errors import BadRequest
from catalogue.services.reconcile import suggest
from catalogue.services.reconcile.matching import Reconciler
from catalogue.services.reconcile.queries import (
    MAX_QUERIES,
    load_json,
    parse_batch,
    parse_query,
)
from catalogue.services.reconcile.types import (
    DESCRIPTIONS,
    TYPES,
    suggest_properties,
    suggest_types,
)

blp = Blueprint("reconcile", __name__)

CALLBACK = re.compile(r"^[A-Za-z_$][\w$]*(\.[A-Za-z_$][\w$]*)*$")
PREVIEW_WIDTH, PREVIEW_HEIGHT = 400, 120


def _language() -> str:
    return current_app.config["DEFAULT_LANGUAGE"]


def _answer(data) -> Response:
    """JSON, or JSONP when a GET names a ``callback``."""
    text = json.dumps(data, ensure_ascii=False)
    callback = request.args.get("callback") if request.method == "GET" else None
    if callback is None:
        return Response(text, mimetype="application/json")
    if len(callback) > 100 or not CALLBACK.match(callback):
        raise BadRequest("'callback' is a JavaScript function name (letters, digits, _ $ .).")
    # U+2028/2029 are line ends in older JavaScript, not in JSON.
    text = text.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
    return Response(f"/**/{callback}({text});", mimetype="application/javascript")


def manifest() -> dict:
    root = base_url()
    service = f"{root}/reconcile"
    return {
        "versions": ["0.1", "0.2"],
        "name": f"{current_app.config['INSTITUTION_NAME']} catalogue",
        "identifierSpace": f"{root}/api/v1/",
        "schemaSpace": f"{root}/reconcile/types/",
        "defaultTypes": [
            {"id": t, "name": name, "description": DESCRIPTIONS[t]} for t, name in TYPES.items()
        ],
        "view": {"url": f"{service}/view/{{{{id}}}}"},
        "preview": {
            "url": f"{service}/preview?id={{{{id}}}}",
            "width": PREVIEW_WIDTH,
            "height": PREVIEW_HEIGHT,
        },
        "suggest": {
            "entity": {"service_url": service, "service_path": "/suggest/entity"},
            "type": {"service_url": service, "service_path": "/suggest/type"},
            "property": {"service_url": service, "service_path": "/suggest/property"},
        },
        # The most queries a request may hold (OpenRefine sends 10).
        "batchSize": MAX_QUERIES,
    }


@blp.route("/reconcile", methods=["GET", "POST"])
def endpoint():
    """The manifest, or the answers to a batch of queries."""
    raw = request.form.get("queries") if request.method == "POST" else None
    if raw is None:
        raw = request.args.get("queries")
    if raw is None:
        single = request.values.get("query")
        if single is not None:  # version 0.1: one query, a text or a JSON object
            query = parse_query("query", _single(single))
            return _answer(Reconciler(identity(), _language()).answer({"q": query})["q"])
        if request.method == "POST":
            raise BadRequest("Send the queries as the form field 'queries' (JSON).")
        return _answer(manifest())
    batch = parse_batch(raw)
    return _answer(Reconciler(identity(), _language()).answer(batch))


def _single(raw: str):
    return load_json(raw, "query") if raw.lstrip().startswith("{") else raw


@blp.get("/reconcile/suggest/entity")
def suggest_entity():
    prefix = suggest.prefix_of(request.args.get("prefix"))
    cursor = suggest.cursor_of(request.args.get("cursor"))
    found = suggest.entities(identity(), prefix, request.args.get("type"), cursor, _language())
    return _answer({"result": found})


@blp.get("/reconcile/suggest/type")
def suggest_type():
    prefix = suggest.prefix_of(request.args.get("prefix"))
    return _answer({"result": suggest_types(prefix)})


@blp.get("/reconcile/suggest/property")
def suggest_property():
    prefix = suggest.prefix_of(request.args.get("prefix"))
    type_id = request.args.get("type") or None
    if type_id is not None and type_id not in TYPES:
        raise BadRequest(f"Unknown type {type_id!r}; the types are {', '.join(TYPES)}.")
    return _answer({"result": suggest_properties(prefix, type_id)})


@blp.get("/reconcile/preview")
def preview():
    """A small HTML page: what the entity is (every text escaped)."""
    shown = suggest.preview(identity(), request.args.get("id"), _language())
    lines = [f"<strong>{escape(shown['name'])}</strong> <small>{escape(shown['type'])}</small>"]
    for key in ("number", "description", "uri"):
        if shown.get(key):
            lines.append(f'<div class="{key}">{escape(shown[key])}</div>')
    page = shown.get("page") or shown["path"]
    html = (
        '<!DOCTYPE html><html><head><meta charset="utf-8"><title>'
        f"{escape(shown['name'])}</title></head>"
        f'<body style="margin:0;font:13px sans-serif;width:{PREVIEW_WIDTH}px;'
        f'height:{PREVIEW_HEIGHT}px;overflow:hidden">'
        + "".join(lines)
        + f'<div><a href="{escape(base_url() + page)}" target="_blank">{escape(shown["id"])}'
        "</a></div></body></html>"
    )
    return Response(html, mimetype="text/html")


@blp.get("/reconcile/view/<item_id>")
def view(item_id: str):
    """Where an entity lives: an object's page, an authority in the JSON API."""
    shown = suggest.preview(identity(), item_id, _language())
    return redirect(base_url() + (shown.get("page") or shown["path"]), code=303)


@blp.after_request
def _cors_for_posts(response: Response) -> Response:
    # Browser clients post the queries as a form (no preflight); the answer is never made
    # for cookies, only for the bearer token the request carries.
    if request.method == "POST":
        response.headers["Access-Control-Allow-Origin"] = "*"
    return response
