"""``/api/v1/objects``: catalogue records, their versions, movements and condition checks."""

from __future__ import annotations

import uuid

from flask import url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from catalogue.api.errors import documented
from catalogue.api.http import (
    envelope,
    identity,
    if_match,
    json_response,
    lang_arg,
    page_response,
    record_response,
)
from catalogue.api.permissions import signed_in, staff_only
from catalogue.schemas.common import LANGUAGE_TAG, MergePatch, Pagination
from catalogue.schemas.objects import (
    ConditionCheckIn,
    ConditionCheckOut,
    ConditionCheckPage,
    MovementIn,
    MovementOut,
    MovementPage,
    ObjectIn,
    ObjectListArgs,
    ObjectOut,
    ObjectPage,
    VersionOut,
    VersionPage,
)
from catalogue.services.objects import locations
from catalogue.services.objects import read as objects_read
from catalogue.services.objects import versions as object_versions
from catalogue.services.objects import write as objects_write

blp = Blueprint(
    "objects",
    __name__,
    url_prefix="/api/v1/objects",
    description="Catalogue records. Anonymous callers see public records only.",
)

WRITE_ERRORS = (401, 403, 404, 409, 412, 422, 428)


LANG = {
    "in": "query",
    "name": "lang",
    "required": False,
    "schema": {"type": "string", "pattern": LANGUAGE_TAG.pattern},
    "description": "Adds `display`: every text resolved to this language (BCP 47 tag).",
}


def _document_errors(*codes):
    return documented(blp, *codes)


@blp.route("")
class Objects(MethodView):
    @blp.arguments(ObjectListArgs, location="query")
    @blp.response(200, ObjectPage)
    @_document_errors(422)
    def get(self, args):
        """List the objects you may see, with filters."""
        return page_response(objects_read.list_objects(identity(), args), args.get("lang"))

    @staff_only
    @blp.arguments(ObjectIn)
    @blp.response(201, ObjectOut)
    @_document_errors(401, 403, 409, 422)
    def post(self, data):
        """Create an object (curators and admins)."""
        record = objects_write.create(identity(), data)
        location = url_for("objects.Object", object_id=record.data["id"])
        return record_response(record, status=201, headers={"Location": location})


@blp.route("/<uuid:object_id>")
class Object(MethodView):
    # ``lang`` is read by hand on this hot path (webargs would double its cost); see LANG.
    @blp.doc(parameters=[LANG])
    @blp.response(200, ObjectOut)
    @_document_errors(404, 410, 422)
    def get(self, object_id: uuid.UUID):
        """Read one object; ``?lang=`` adds ``display`` texts in that language."""
        return record_response(objects_read.get(identity(), object_id), lang_arg())

    @staff_only
    @blp.arguments(ObjectIn)
    @blp.response(200, ObjectOut)
    @_document_errors(*WRITE_ERRORS)
    def put(self, data, object_id: uuid.UUID):
        """Replace an object. Needs If-Match with the ETag you read."""
        record = objects_write.replace(identity(), object_id, data, if_match())
        return record_response(record)

    @staff_only
    @blp.arguments(MergePatch, content_type="application/merge-patch+json")
    @blp.response(200, ObjectOut)
    @_document_errors(*WRITE_ERRORS)
    def patch(self, changes, object_id: uuid.UUID):
        """Change some fields (JSON merge patch). Needs If-Match."""
        record = objects_write.patch(identity(), object_id, changes, if_match())
        return record_response(record)

    @staff_only
    @blp.response(204)
    @_document_errors(401, 403, 404, 412, 428)
    def delete(self, object_id: uuid.UUID):
        """Delete an object; a tombstone remains. Needs If-Match."""
        objects_write.delete(identity(), object_id, if_match())
        return "", 204


@blp.route("/by-number/<path:object_number>")
@blp.doc(parameters=[LANG])
@blp.response(200, ObjectOut)
@_document_errors(404, 410, 422)
def by_number(object_number: str):
    """Look an object up by its accession number."""
    return record_response(objects_read.get_by_number(identity(), object_number), lang_arg())


@blp.route("/<uuid:object_id>/versions")
@signed_in
@blp.arguments(Pagination, location="query")
@blp.response(200, VersionPage)
@_document_errors(401, 404)
def versions(args, object_id: uuid.UUID):
    """Every saved version, newest first: who, when, which fields changed."""
    return json_response(envelope(object_versions.list_versions(identity(), object_id, args)))


@blp.route("/<uuid:object_id>/versions/<int:number>")
@signed_in
@blp.response(200, VersionOut)
@_document_errors(401, 404)
def version(object_id: uuid.UUID, number: int):
    """One version, with the record as it was saved."""
    return json_response(object_versions.get_version(identity(), object_id, number))


@blp.route("/<uuid:object_id>/versions/<int:number>/restore", methods=["POST"])
@staff_only
@blp.response(200, ObjectOut)
@_document_errors(*WRITE_ERRORS)
def restore(object_id: uuid.UUID, number: int):
    """Save that version's record as a new version. Needs If-Match with the current ETag."""
    record = object_versions.restore(identity(), object_id, number, if_match())
    return record_response(record)


@blp.route("/<uuid:object_id>/movements")
class Movements(MethodView):
    @staff_only
    @blp.arguments(Pagination, location="query")
    @blp.response(200, MovementPage)
    @_document_errors(401, 403, 404)
    def get(self, args, object_id: uuid.UUID):
        """Where the object has been (staff only)."""
        return json_response(envelope(locations.list_movements(identity(), object_id, args)))

    @staff_only
    @blp.arguments(MovementIn)
    @blp.response(201, MovementOut)
    @_document_errors(401, 403, 404, 422)
    def post(self, data, object_id: uuid.UUID):
        """Record a movement; the latest movement sets the current location."""
        return json_response(locations.record_movement(identity(), object_id, data), 201)


@blp.route("/<uuid:object_id>/condition-checks")
class ConditionChecks(MethodView):
    @staff_only
    @blp.arguments(Pagination, location="query")
    @blp.response(200, ConditionCheckPage)
    @_document_errors(401, 403, 404)
    def get(self, args, object_id: uuid.UUID):
        """Condition reports, newest first (staff only)."""
        return json_response(envelope(locations.list_condition_checks(identity(), object_id, args)))

    @staff_only
    @blp.arguments(ConditionCheckIn)
    @blp.response(201, ConditionCheckOut)
    @_document_errors(401, 403, 404, 422)
    def post(self, data, object_id: uuid.UUID):
        """Record a condition check."""
        return json_response(locations.record_condition_check(identity(), object_id, data), 201)
