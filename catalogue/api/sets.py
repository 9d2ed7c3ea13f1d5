"""``/api/v1/sets``: users' sets of objects, their members, versions and CSV export."""

from __future__ import annotations

import uuid

from flask import Response, current_app, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from catalogue.api.errors import documented
from catalogue.api.http import envelope, identity, if_match, json_response, record_response
from catalogue.api.permissions import signed_in
from catalogue.http.urls import base_url
from catalogue.schemas.common import MergePatch, Pagination
from catalogue.schemas.sets import (
    MemberListArgs,
    MemberNote,
    MemberPage,
    MembersAdd,
    MembersOrder,
    SetArgs,
    SetIn,
    SetListArgs,
    SetOut,
    SetPage,
    SetVersionOut,
    SetVersionPage,
)
from catalogue.services import labels
from catalogue.services.exchange.spreadsheets import csv_chunks
from catalogue.services.sets import publish, read, versions, write

blp = Blueprint(
    "sets",
    __name__,
    url_prefix="/api/v1/sets",
    description="Sets of objects: private to their owner, shared with signed-in users, or "
    "public. Each caller sees only the members they may see.",
)

WRITE_ERRORS = (401, 403, 404, 412, 422, 428)


def _set(set_id, lang: str | None = None, status: int = 200, headers=None):
    return record_response(read.get(identity(), set_id), lang, status, headers)


def _display(page, lang):
    if lang:
        default = current_app.config["DEFAULT_LANGUAGE"]
        page.items = [labels.display(item, lang, default) for item in page.items]
    return page


@blp.route("")
class Sets(MethodView):
    @blp.arguments(SetListArgs, location="query")
    @blp.response(200, SetPage)
    @documented(blp, 422)
    def get(self, args):
        """The sets you may read: yours, the shared ones (signed in), the public ones."""
        page = _display(read.list_sets(identity(), args), args.get("lang"))
        return json_response(envelope(page))

    @signed_in
    @blp.arguments(SetIn)
    @blp.response(201, SetOut)
    @documented(blp, 401, 403, 422)
    def post(self, data):
        """Create a set you own (any signed-in user; `public` needs the curator role)."""
        object_set = write.create(identity(), data)
        location = url_for("sets.Set", set_id=object_set.id)
        return _set(object_set.id, status=201, headers={"Location": location})


@blp.route("/<uuid:set_id>")
class Set(MethodView):
    @blp.arguments(SetArgs, location="query")
    @blp.response(200, SetOut)
    @documented(blp, 404, 422)
    def get(self, args, set_id: uuid.UUID):
        """Read one set; `member_count` counts the members you may see."""
        return _set(set_id, args.get("lang"))

    @signed_in
    @blp.arguments(SetIn)
    @blp.response(200, SetOut)
    @documented(blp, *WRITE_ERRORS)
    def put(self, data, set_id: uuid.UUID):
        """Replace the set's title, description and visibility. Needs If-Match."""
        write.replace(identity(), set_id, data, if_match())
        return _set(set_id)

    @signed_in
    @blp.arguments(MergePatch, content_type="application/merge-patch+json")
    @blp.response(200, SetOut)
    @documented(blp, *WRITE_ERRORS)
    def patch(self, changes, set_id: uuid.UUID):
        """Change some of the set's fields (JSON merge patch). Needs If-Match."""
        write.patch(identity(), set_id, changes, if_match())
        return _set(set_id)

    @signed_in
    @blp.response(204)
    @documented(blp, 401, 403, 404, 412, 428)
    def delete(self, set_id: uuid.UUID):
        """Delete the set (its objects stay as they are). Needs If-Match."""
        write.delete(identity(), set_id, if_match())
        return "", 204


@blp.route("/<uuid:set_id>/members")
class Members(MethodView):
    @blp.arguments(MemberListArgs, location="query")
    @blp.response(200, MemberPage)
    @documented(blp, 404, 422)
    def get(self, args, set_id: uuid.UUID):
        """The members you may see, in order: object summaries with the member's `note`."""
        page = _display(read.list_members(identity(), set_id, args), args.get("lang"))
        return json_response(envelope(page))

    @signed_in
    @blp.arguments(MembersAdd)
    @blp.response(200, SetOut)
    @documented(blp, 400, 401, 403, 404, 412, 422)
    def post(self, data, set_id: uuid.UUID):
        """Add objects at the end: by id, by object number, or every result of a search.

        Objects already in the set stay where they are. If-Match is optional here."""
        write.add_members(identity(), set_id, data, if_match())
        return _set(set_id)

    @signed_in
    @blp.arguments(MembersOrder)
    @blp.response(200, SetOut)
    @documented(blp, *WRITE_ERRORS)
    def put(self, data, set_id: uuid.UUID):
        """The whole order of the members you see (members hidden from you keep their
        places); an item's `note`, when given, replaces it. Needs If-Match."""
        write.reorder(identity(), set_id, data["objects"], if_match())
        return _set(set_id)


@blp.route("/<uuid:set_id>/members/<uuid:object_id>")
class Member(MethodView):
    @signed_in
    @blp.arguments(MemberNote)
    @blp.response(200, SetOut)
    @documented(blp, *WRITE_ERRORS)
    def patch(self, data, set_id: uuid.UUID, object_id: uuid.UUID):
        """Change the member's note (`null` removes it). Needs If-Match with the set's ETag."""
        write.set_note(identity(), set_id, object_id, data["note"], if_match())
        return _set(set_id)

    @signed_in
    @blp.response(200, SetOut)
    @documented(blp, *WRITE_ERRORS)
    def delete(self, set_id: uuid.UUID, object_id: uuid.UUID):
        """Take the object out of the set. Needs If-Match with the set's ETag."""
        write.remove_member(identity(), set_id, object_id, if_match())
        return _set(set_id)


@blp.route("/<uuid:set_id>/members.csv", methods=["GET"])
@blp.response(200, description="UTF-8 CSV with a BOM", content_type="text/csv")
@documented(blp, 404)
def members_csv(set_id: uuid.UUID):
    """The members you may see, one row each, in order."""
    columns, rows = publish.csv_rows(identity(), set_id, base_url())
    return Response(
        csv_chunks(columns, rows),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="set-{set_id}.csv"'},
    )


@blp.route("/<uuid:set_id>/versions")
@signed_in
@blp.arguments(Pagination, location="query")
@blp.response(200, SetVersionPage)
@documented(blp, 401, 404)
def set_versions(args, set_id: uuid.UUID):
    """Every saved version you may read, newest first: who, when, which fields changed."""
    return json_response(envelope(versions.list_versions(identity(), set_id, args)))


@blp.route("/<uuid:set_id>/versions/<int:number>")
@signed_in
@blp.response(200, SetVersionOut)
@documented(blp, 401, 404)
def set_version(set_id: uuid.UUID, number: int):
    """One version, with the set as saved (the members you may see)."""
    return json_response(versions.get_version(identity(), set_id, number))


@blp.route("/<uuid:set_id>/versions/<int:number>/restore", methods=["POST"])
@signed_in
@blp.response(200, SetOut)
@documented(blp, *WRITE_ERRORS)
def restore_version(set_id: uuid.UUID, number: int):
    """Save that version (texts, visibility, members, notes) as a new version. Needs If-Match."""
    versions.restore(identity(), set_id, number, if_match())
    return _set(set_id)
