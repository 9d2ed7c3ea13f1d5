"""``/api/v1/media`` and uploads to ``/api/v1/objects/{id}/media``."""

from __future__ import annotations

import uuid
from pathlib import Path

from flask import request, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from catalogue.api.errors import documented
from catalogue.api.http import conditional, identity, if_match, json_response
from catalogue.api.permissions import staff_only
from catalogue.http.files import send
from catalogue.http.uploads import HashingFile
from catalogue.schemas.common import MergePatch
from catalogue.schemas.media import MediaOut, MediaUpload
from catalogue.services.errors import ValidationFailed
from catalogue.services.media import delivery, uploads
from catalogue.services.media import records as service

blp = Blueprint("media", __name__, description="Photographs, scans and documents of objects.")


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
@staff_only
@blp.response(201, MediaOut)
@documented(blp, 401, 403, 404, 413, 415, 422, 503)
# Documented only: the file is read from the body after the permission check, as it streams in.
@blp.doc(
    requestBody={"required": True, "content": {"multipart/form-data": {"schema": MediaUpload}}}
)
def upload(object_id: uuid.UUID):
    """Upload a file (multipart: ``file``, ``caption``, ``rights``, ``public``, ``primary``)."""
    uploads.check_upload(identity(), object_id)
    record = uploads.upload(identity(), object_id, _received(), request.form)
    location = url_for("media.Media", media_id=record.data["id"])
    return json_response(record.data, 201, record.etag, {"Location": location})


@blp.route("/api/v1/media/<uuid:media_id>")
class Media(MethodView):
    @blp.response(200, MediaOut)
    @documented(blp, 404)
    def get(self, media_id: uuid.UUID):
        """Media metadata: sha256, content_type, size, width, height, caption, rights..."""
        record = service.get(identity(), media_id)
        return conditional(record.data, record.etag)

    @staff_only
    @blp.arguments(MergePatch, content_type="application/merge-patch+json")
    @blp.response(200, MediaOut)
    @documented(blp, 401, 403, 404, 412, 422, 428)
    def patch(self, changes, media_id: uuid.UUID):
        """Change caption, rights, public, primary or position. Needs If-Match."""
        record = service.patch(identity(), media_id, changes, if_match())
        return json_response(record.data, etag=record.etag)

    @staff_only
    @blp.response(204)
    @documented(blp, 401, 403, 404, 412, 428)
    def delete(self, media_id: uuid.UUID):
        """Delete the media and its stored files. Needs If-Match."""
        service.delete(identity(), media_id, if_match())
        return "", 204


def _sends_file(content_type: str, description: str):
    """Document a view that answers with a file (or a redirect to it in S3)."""

    def decorate(view):
        view = documented(blp, 404, 503)(view)
        view = blp.alt_response(302, description="A short-lived URL of the file in S3.")(view)
        binary = {"type": "string", "format": "binary"}
        return blp.response(200, binary, content_type=content_type, description=description)(view)

    return decorate


@blp.route("/api/v1/media/<uuid:media_id>/content")
@_sends_file("application/octet-stream", "The original file, as uploaded (its own content type).")
def content(media_id: uuid.UUID):
    """The original file; a redirect to a short-lived URL when media live in S3."""
    return send(delivery.content(identity(), media_id))


@blp.route("/api/v1/media/<uuid:media_id>/thumbnail")
@_sends_file("image/jpeg", "A small JPEG of the image (or of a document's first page).")
def thumbnail(media_id: uuid.UUID):
    """A small JPEG (256 px) without embedded metadata."""
    return send(delivery.derivative(identity(), media_id, "thumbnail"))


@blp.route("/api/v1/media/<uuid:media_id>/preview")
@_sends_file("image/jpeg", "A screen-sized JPEG of the image (or of a document's first page).")
def preview(media_id: uuid.UUID):
    """A web preview JPEG (1600 px) without embedded metadata."""
    return send(delivery.derivative(identity(), media_id, "preview"))
