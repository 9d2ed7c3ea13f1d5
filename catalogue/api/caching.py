"""HTTP for a website and its CDN: cache headers, conditional requests, CORS for public reads.

- ``Cache-Control``: public answers to anonymous callers are shared-cacheable, briefly for
  lists and feeds, longer for single records; an answer to a signed-in caller is private.
- ``ETag`` on every JSON list (records already carry one) and ``Last-Modified`` on records, so
  a revalidation costs a 304.
- ``Vary: Authorization`` wherever the answer depends on who asks; HTML pages (session cookie,
  interface language) are private and vary on ``Cookie`` and ``Accept-Language``.
- CORS: GET and HEAD from any origin, without credentials; nothing else is allowed.
"""

from __future__ import annotations

from flask import Flask, Response, request

from catalogue.services.feeds import changes
from catalogue.services.objects.views import etag_of_text

RECORD_MAX_AGE = 300
LIST_MAX_AGE = 60
# Endpoints that answer one record; their time of last change is in the change log.
RECORD_ENDPOINTS = {"objects.Object", "linked_art.linked_art_object"}
NEVER_CACHED = {"health.healthz", "health.readyz"}
# Endpoints whose answer is the public view whoever asks.
PUBLIC_ONLY = {"oai.endpoint", "feeds.discovery_collection", "feeds.discovery_page"}
PUBLIC_ONLY |= {"feeds.sitemap_xml", "feeds.sitemap_part"}
CORS_METHODS = {"GET", "HEAD"}
# A response is checked against the request's validators only when it sent some.
CONDITIONAL_HEADERS = ("IF_NONE_MATCH", "IF_MODIFIED_SINCE", "IF_MATCH", "IF_UNMODIFIED_SINCE")
CONDITIONAL_ENVIRON = tuple(f"HTTP_{name}" for name in (*CONDITIONAL_HEADERS, "IF_RANGE", "RANGE"))
CORS_REQUEST_HEADERS = {"accept", "accept-language", "if-none-match", "if-modified-since"}
CORS_EXPOSED = "ETag, Last-Modified, Location, Link"


def _vary(response: Response, present: set[str], *names: str) -> None:
    if "vary" not in present:
        response.headers["Vary"] = ", ".join(names)
        return
    for name in names:
        response.vary.add(name)


def _cache_headers(response: Response) -> None:
    # Header names are looked up in a set: a missing name in werkzeug's Headers costs an
    # exception, and this runs on every read.
    endpoint = request.endpoint or ""
    if endpoint in NEVER_CACHED:
        response.headers["Cache-Control"] = "no-store"
        return
    present = {name.lower() for name, _ in response.headers.items()}
    if response.status_code not in (200, 304) or "cache-control" in present:
        return
    if response.mimetype == "text/html" or "set-cookie" in present:
        # Pages follow the session cookie and the interface language: never shared-cached.
        _vary(response, present, "Cookie", "Accept-Language")
        response.headers["Cache-Control"] = "private, no-cache"
        return
    record = endpoint in RECORD_ENDPOINTS
    if endpoint not in PUBLIC_ONLY:
        _vary(response, present, "Authorization")
    if "HTTP_AUTHORIZATION" in request.environ and endpoint not in PUBLIC_ONLY:
        response.headers["Cache-Control"] = "private, no-cache"
    else:
        max_age = RECORD_MAX_AGE if record else LIST_MAX_AGE
        response.headers["Cache-Control"] = f"public, max-age={max_age}"
    if response.status_code != 200:
        return
    if record and "last-modified" not in present and "object_id" in (request.view_args or {}):
        last = changes.last_changed_at(request.view_args["object_id"])
        if last is not None:
            response.last_modified = last.replace(microsecond=0)
    if "etag" not in present and response.mimetype == "application/json":
        response.set_etag(etag_of_text(response.get_data(as_text=True)).strip('"'))
    if any(key in request.environ for key in CONDITIONAL_ENVIRON):
        response.make_conditional(request)


def _cors(response: Response) -> None:
    if request.method == "OPTIONS" and "HTTP_ORIGIN" in request.environ:
        wanted = request.headers.get("Access-Control-Request-Method", "").upper()
        asked = request.headers.get("Access-Control-Request-Headers", "")
        headers = {h.strip().lower() for h in asked.split(",") if h.strip()}
        if wanted not in CORS_METHODS or not headers <= CORS_REQUEST_HEADERS:
            return
        response.headers["Access-Control-Allow-Methods"] = "GET, HEAD"
        if headers:
            response.headers["Access-Control-Allow-Headers"] = ", ".join(sorted(headers))
        response.headers["Access-Control-Max-Age"] = "86400"
    elif request.method not in CORS_METHODS:
        return
    else:
        response.headers["Access-Control-Expose-Headers"] = CORS_EXPOSED
    # Always sent on reads (not only when Origin is), so a cached copy serves every origin.
    response.headers["Access-Control-Allow-Origin"] = "*"


def register(app: Flask) -> None:
    @app.after_request
    def _http_for_websites(response: Response) -> Response:
        if request.method in ("GET", "HEAD"):
            _cache_headers(response)
        _cors(response)
        return response
