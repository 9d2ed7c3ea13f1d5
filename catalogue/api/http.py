"""Response helpers: JSON with entity tags, conditional GET, the list envelope, If-Match."""

from __future__ import annotations

import json
from urllib.parse import urlencode

from flask import Response, current_app, g, request

from catalogue.api.errors import problem
from catalogue.http.urls import request_url
from catalogue.schemas.common import LANGUAGE_TAG
from catalogue.services import labels
from catalogue.services.errors import ValidationFailed
from catalogue.services.identity import ANONYMOUS, Identity
from catalogue.services.objects.views import Record, dumps
from catalogue.services.pagination import Page

# Request bodies the API reads; uploads come as multipart/form-data.
BODY_TYPES = {"application/json", "application/merge-patch+json", "multipart/form-data"}
# No record nests deeper than a few levels; deeper bodies would only exhaust the stack.
MAX_JSON_DEPTH = 32


def identity() -> Identity:
    return g.get("identity", ANONYMOUS)


def json_response(
    data,
    status: int = 200,
    etag: str | None = None,
    headers: dict | None = None,
    text: str | None = None,
) -> Response:
    """A JSON answer; ``text`` is JSON already encoded (stored record views)."""
    response = Response(
        text if text is not None else dumps(data),
        status=status,
        mimetype="application/json",
    )
    if etag:
        response.headers["ETag"] = etag
    if headers:
        response.headers.update(headers)
    return response


def lang_arg() -> str | None:
    """``?lang=``, checked by hand for hot paths (a bad tag is a 422 like any bad argument)."""
    lang = request.args.get("lang")
    if lang is not None and not LANGUAGE_TAG.match(lang):
        raise ValidationFailed({"lang": ["Give a language tag such as 'fr' or 'en'."]})
    return lang or None


def not_modified(etag: str) -> bool:
    if "HTTP_IF_NONE_MATCH" not in request.environ:
        return False  # most reads; asking werkzeug would parse (and raise) for nothing
    return etag.strip('"') in request.if_none_match or request.if_none_match.star_tag


def conditional(data, etag: str, headers: dict | None = None, text: str | None = None) -> Response:
    """A 200 with the ETag, or a 304 when the caller's If-None-Match already has it."""
    if not_modified(etag):
        response = Response(status=304)
        response.headers["ETag"] = etag
        if headers:
            response.headers.update(headers)
        return response
    return json_response(data, etag=etag, headers=headers, text=text)


def record_response(
    record: Record, lang: str | None = None, status: int = 200, headers: dict | None = None
) -> Response:
    """One stored record, sent as stored unless ``lang`` asks for ``display`` texts."""
    if lang:
        data = labels.display(record.data, lang, current_app.config["DEFAULT_LANGUAGE"])
        response = conditional(data, record.etag, headers)
    elif status != 200:
        response = json_response(None, status, record.etag, headers, text=record.text)
    else:
        response = conditional(None, record.etag, headers, text=record.text)
    if record.last_modified is not None:
        response.last_modified = record.last_modified.replace(microsecond=0)
    return response


def if_match():
    """The tags of If-Match, ``"*"``, or None when the header is absent."""
    header = request.headers.get("If-Match")
    if header is None:
        return None
    if request.if_match.star_tag:
        return "*"
    return {f'"{tag}"' for tag in request.if_match.as_set()} or {header}


def _page_url(number: int) -> str:
    args = request.args.to_dict(flat=False)
    args["page"] = [str(number)]
    return f"{request_url()}?{urlencode(args, doseq=True)}"


def page_response(page: Page, lang: str | None = None) -> Response:
    """The list envelope around stored records, spliced in without re-encoding them."""
    if lang:
        default = current_app.config["DEFAULT_LANGUAGE"]
        page.items = [labels.display(record.data, lang, default) for record in page.items]
        return json_response(envelope(page))
    texts = [record.text for record in page.items]
    page.items = []
    rest = dumps(envelope(page))
    return json_response(
        None, text='{"items":[' + ",".join(texts) + "]," + rest[len('{"items":[],') :]
    )


def envelope(page: Page, **extra) -> dict:
    return {
        "items": page.items,
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "next": _page_url(page.page + 1) if page.has_next else None,
        "prev": _page_url(page.page - 1) if page.has_prev else None,
        **extra,
    }


def _depth(value) -> int:
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            children = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        deepest = max(deepest, depth)
        stack.extend((child, depth + 1) for child in children)
    return deepest


def overlong_url() -> Response | None:
    """A 414 problem for a URL longer than ``MAX_URL_BYTES`` as sent (path and query), else None.

    The limit stays below the request line gunicorn reads, so the app answers first."""
    environ = request.environ
    sent = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    length = len(sent) if sent is not None else len(request.full_path)
    limit = current_app.config["MAX_URL_BYTES"]
    if length <= limit:
        return None
    return problem(
        414, "URI Too Long", f"The URL has {length} bytes; this server accepts {limit} at most."
    )


def unreadable_body() -> Response | None:
    """A problem for an API request body that cannot be read as JSON, else None.

    Without it a body of another type was read as empty (a text/plain PATCH answered 200
    having changed nothing), and a deeply nested one overflowed the stack (a 500).
    Malformed JSON is left to the argument parser, which answers 400.
    """
    if request.method not in ("POST", "PUT", "PATCH") or not request.path.startswith("/api/"):
        return None
    if not (request.content_length or request.mimetype):
        return None
    if request.mimetype not in BODY_TYPES:
        return problem(
            415,
            "Unsupported media type",
            "Send the body as application/json (or application/merge-patch+json for PATCH).",
        )
    if request.mimetype == "multipart/form-data":
        return None
    too_deep = problem(400, "Bad Request", "The JSON body is nested too deeply.")
    try:
        data = json.loads(request.get_data(cache=True))
    except RecursionError:
        return too_deep
    except ValueError:
        return None
    return too_deep if _depth(data) > MAX_JSON_DEPTH else None
