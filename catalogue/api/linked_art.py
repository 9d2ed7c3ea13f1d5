"""``/linked-art/objects/{id}``: objects as Linked Art JSON-LD."""

from __future__ import annotations

import uuid

from flask import Blueprint, current_app

from catalogue.api.http import conditional, identity
from catalogue.http.urls import base_url
from catalogue.services.feeds import linked_art
from catalogue.services.objects.views import dumps, etag_of_text

blp = Blueprint("linked_art", __name__)

MEDIA_TYPE = f'application/ld+json;profile="{linked_art.PROFILE}"'


@blp.get("/linked-art/objects/<uuid:object_id>")
def linked_art_object(object_id: uuid.UUID):
    """A HumanMadeObject; the same visibility as ``GET /api/v1/objects/{id}``."""
    config = current_app.config
    document, etag = linked_art.get(
        identity(), object_id, base_url(), config["INSTITUTION_NAME"], config["DEFAULT_LANGUAGE"]
    )
    response = conditional(document, etag)
    response.headers["Content-Type"] = MEDIA_TYPE
    return response


@blp.get(linked_art.INSTITUTION_PATH)
def linked_art_institution():
    """The museum as a Linked Art Group (the ``current_owner`` of its objects)."""
    config = current_app.config
    document = linked_art.institution(
        base_url(), config["INSTITUTION_NAME"], config["DEFAULT_LANGUAGE"]
    )
    response = conditional(document, etag_of_text(dumps(document)))
    response.headers["Content-Type"] = MEDIA_TYPE
    return response
