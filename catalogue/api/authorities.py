"""``/api/v1/{agents,places,terms,collections,locations}``: authorities and vocabularies."""

from __future__ import annotations

import uuid

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from catalogue.api.errors import documented
from catalogue.api.http import conditional, envelope, identity, if_match, json_response
from catalogue.api.permissions import staff_only
from catalogue.schemas.authorities import (
    AUTHORITY_INPUT,
    AuthorityListArgs,
    AuthorityOut,
    AuthorityPage,
)
from catalogue.schemas.common import MergePatch
from catalogue.services.authorities import records as service

DESCRIPTIONS = {
    "terms": "Terms in named vocabularies: object types, materials, techniques, subjects.",
    "agents": "People and organisations.",
    "places": "Places, with optional coordinates.",
    "collections": "Curated sets of objects, such as the museum's visit circuits.",
    "locations": "Where objects are kept: site, building, room, unit, shelf (staff only).",
}


def make_blueprint(kind: str) -> Blueprint:
    blp = Blueprint(kind, __name__, url_prefix=f"/api/v1/{kind}", description=DESCRIPTIONS[kind])
    schema = AUTHORITY_INPUT[kind]
    # Anyone reads terms, agents, places and collections; locations are for staff.
    readers = staff_only if kind in service.STAFF_ONLY_KINDS else (lambda view: view)

    def errors(*codes):
        return documented(blp, *codes)

    class Items(MethodView):
        @readers
        @blp.arguments(AuthorityListArgs, location="query")
        @blp.response(200, AuthorityPage)
        @errors(401, 403, 422)
        def get(self, args):
            return json_response(envelope(service.list_items(identity(), kind, args)))

        @staff_only
        @blp.arguments(schema)
        @blp.response(201, AuthorityOut)
        @errors(401, 403, 422)
        def post(self, data):
            record = service.create(identity(), kind, data)
            location = url_for(f"{kind}.Item", item_id=record.data["id"])
            return json_response(record.data, 201, record.etag, {"Location": location})

    class Item(MethodView):
        @readers
        @blp.response(200, AuthorityOut)
        @errors(401, 403, 404)
        def get(self, item_id: uuid.UUID):
            record = service.get(identity(), kind, item_id)
            return conditional(record.data, record.etag)

        @staff_only
        @blp.arguments(schema)
        @blp.response(200, AuthorityOut)
        @errors(401, 403, 404, 412, 422, 428)
        def put(self, data, item_id: uuid.UUID):
            record = service.replace(identity(), kind, item_id, data, if_match())
            return json_response(record.data, etag=record.etag)

        @staff_only
        @blp.arguments(MergePatch, content_type="application/merge-patch+json")
        @blp.response(200, AuthorityOut)
        @errors(401, 403, 404, 412, 422, 428)
        def patch(self, data, item_id: uuid.UUID):
            record = service.patch(identity(), kind, item_id, data, if_match())
            return json_response(record.data, etag=record.etag)

        @staff_only
        @blp.response(204)
        @errors(401, 403, 404, 409, 412, 428)
        def delete(self, item_id: uuid.UUID):
            service.delete(identity(), kind, item_id, if_match())
            return "", 204

    Items.__doc__ = DESCRIPTIONS[kind]
    blp.route("")(Items)
    blp.route("/<uuid:item_id>")(Item)
    return blp


blueprints = [make_blueprint(kind) for kind in service.KINDS]
