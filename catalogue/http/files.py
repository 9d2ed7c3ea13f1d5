"""Sending media files: a redirect to storage, a local file with Range support, or bytes."""

from __future__ import annotations

from flask import Response, request, send_file

from catalogue.services.media.delivery import Delivery

LONG_CACHE = "public, max-age=31536000"
PRIVATE_CACHE = "private, max-age=3600"


def send(item: Delivery, cache: str | None = None) -> Response:
    """Answer a Delivery: redirect, a local file with Range support, or bytes; with ETag."""
    cache = cache or (LONG_CACHE if item.public else PRIVATE_CACHE)
    if item.redirect:
        response = Response(status=302, headers={"Location": item.redirect})
        response.headers["Cache-Control"] = "private, no-store"
        return response
    if item.path is not None:
        response = send_file(
            item.path,
            mimetype=item.content_type,
            etag=item.etag.strip('"'),
            conditional=True,
            max_age=None,
        )
    elif item.etag.strip('"') in request.if_none_match:
        response = Response(status=304)
    else:
        response = Response(item.data, mimetype=item.content_type)
    response.set_etag(item.etag.strip('"'))
    response.headers["Cache-Control"] = cache
    return response
