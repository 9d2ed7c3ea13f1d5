"""``/api/v1/media`` and uploads to ``/api/v1/objects/{id}/media``."""

from __future__ import annotations

import uuid
from pathlib import Path

from flask import Response, request, send_file, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from catalogue.api.http import conditional, identity, if_match, json_response
from catalogue.api.uploads import HashingFile
from catalogue.schemas.common import MergePatch
from catalogue.services.errors import ValidationFailed
from catalogue.services.media import delivery, uploads
from catalogue.services.media import records as service

blp = Blueprint("media", __name__, description="Photographs, scans and documents of objects.")

LONG_CACHE = "public, max-age=31536000"
PRIVATE_CACHE = "private, max-age=3600"


def _received():
    """The uploaded file part (read from the body only now) as a service Upload."""
    part = request.files.get("file")
    if part is None or not isinstance(part.stream, HashingFile):
        raise ValidationFailed({"file": ["Send the file as the multipart/form-data field 'file'."]})
    part.stream.flush()
    return uploads.Upload(
        Path(part.stream.name), part.stream.sha256, part.stream.size, part.filename
    )


@blp.route("/api/v1/objects/<uuid:object_id>/media", methods=["POST"])
@blp.response(201)
def upload(object_id: uuid.UUID):
    """Upload a file (multipart: ``file``, ``caption``, ``rights``, ``public``, ``primary``)."""
    uploads.check_upload(identity(), object_id)
    record = uploads.upload(identity(), object_id, _received(), request.form)
    location = url_for("media.Media", media_id=record.data["id"])
    return json_response(record.data, 201, record.etag, {"Location": location})


@blp.route("/api/v1/media/<uuid:media_id>")
class Media(MethodView):
    @blp.response(200)
    def get(self, media_id: uuid.UUID):
        """Media metadata: sha256, content_type, size, width, height, caption, rights..."""
        record = service.get(identity(), media_id)
        return conditional(record.data, record.etag)

    @blp.arguments(MergePatch, content_type="application/merge-patch+json")
    @blp.response(200)
    def patch(self, changes, media_id: uuid.UUID):
        """Change caption, rights, public, primary or position. Needs If-Match."""
        record = service.patch(identity(), media_id, changes, if_match())
        return json_response(record.data, etag=record.etag)

    @blp.response(204)
    def delete(self, media_id: uuid.UUID):
        """Delete the media and its stored files. Needs If-Match."""
        service.delete(identity(), media_id, if_match())
        return "", 204


def send(item: delivery.Delivery, cache: str | None = None) -> Response:
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


@blp.route("/api/v1/media/<uuid:media_id>/content")
@blp.response(200)
def content(media_id: uuid.UUID):
    """The original file; a redirect to a short-lived URL when media live in S3."""
    return send(delivery.content(identity(), media_id))


@blp.route("/api/v1/media/<uuid:media_id>/thumbnail")
@blp.response(200)
def thumbnail(media_id: uuid.UUID):
    """A small JPEG (256 px) without embedded metadata."""
    return send(delivery.derivative(identity(), media_id, "thumbnail"))


@blp.route("/api/v1/media/<uuid:media_id>/preview")
@blp.response(200)
def preview(media_id: uuid.UUID):
    """A web preview JPEG (1600 px) without embedded metadata."""
    return send(delivery.derivative(identity(), media_id, "preview"))
