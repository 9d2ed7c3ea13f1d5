"""IIIF Image API 3.0 (``/iiif/3/{media_id}/...``) and Presentation 3.0 manifests."""

from __future__ import annotations

import uuid

from flask import Blueprint, redirect, request

from catalogue.api.http import identity, json_response
from catalogue.http.files import send
from catalogue.http.urls import base_url
from catalogue.services.media import delivery
from catalogue.services.sets import publish as sets_publish

blp = Blueprint("iiif", __name__, url_prefix="/iiif/3")

IMAGE_CONTEXT = "http://iiif.io/api/image/3/context.json"
PRESENTATION_CONTEXT = "http://iiif.io/api/presentation/3/context.json"


def _json_ld(data: dict, context: str, public: bool = True) -> object:
    wants_ld = request.accept_mimetypes.best_match(["application/json", "application/ld+json"])
    response = json_response(data)
    if wants_ld == "application/ld+json":
        response.mimetype = "application/ld+json"
        response.headers["Content-Type"] = f'application/ld+json;profile="{context}"'
    response.headers["Cache-Control"] = "public, max-age=3600" if public else "private"
    return response


@blp.after_request
def _cors(response):
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@blp.get("/<uuid:media_id>")
def base_uri(media_id: uuid.UUID):
    """The image's base URI redirects to its info.json."""
    delivery.require_image(identity(), media_id)
    return redirect(f"{base_url()}/iiif/3/{media_id}/info.json", 303)


@blp.get("/<uuid:media_id>/info.json")
def info(media_id: uuid.UUID):
    """IIIF Image API 3.0 image information."""
    document, public = delivery.image_info(identity(), media_id, f"{base_url()}/iiif/3/{media_id}")
    return _json_ld(document, IMAGE_CONTEXT, public)


@blp.get("/<uuid:media_id>/<region>/<size>/<rotation>/<quality_format>")
def image(media_id: uuid.UUID, region: str, size: str, rotation: str, quality_format: str):
    """An image request: {region}/{size}/{rotation}/{quality}.{format}."""
    item = delivery.image(identity(), media_id, (region, size, rotation, quality_format))
    response = send(item)
    canonical = f"{base_url()}/iiif/3/{media_id}/{region}/{size}/{rotation}/{quality_format}"
    response.headers["Link"] = f'<{canonical}>;rel="canonical"'
    return response


@blp.get("/objects/<uuid:object_id>/manifest")
def manifest(object_id: uuid.UUID):
    """IIIF Presentation 3.0 manifest: one canvas per public image of the object."""
    return _json_ld(delivery.manifest(identity(), object_id, base_url()), PRESENTATION_CONTEXT)


@blp.get("/sets/<uuid:set_id>/collection")
def set_collection(set_id: uuid.UUID):
    """IIIF Presentation 3.0 Collection of a set: one manifest per member you may see."""
    caller = identity()
    document = sets_publish.iiif_collection(caller, set_id, base_url())
    response = _json_ld(document, PRESENTATION_CONTEXT, public=not caller.authenticated)
    # Its members change more often than a manifest's images, and follow the caller.
    if not caller.authenticated:
        response.headers["Cache-Control"] = "public, max-age=60"
    response.vary.add("Authorization")
    return response
