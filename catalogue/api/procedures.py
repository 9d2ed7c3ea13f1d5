"""``/api/v1/entries``, ``/acquisitions``, ``/audits``, ``/exits``: collections-management
procedures, one blueprint per kind built the same way (loans will be one more).

Staff only, and invisible to everyone else: anonymous callers and researchers get 404 from
every endpoint here, before anything reads their request.
"""

from __future__ import annotations

import uuid

from flask import Response, url_for
from flask.views import MethodView
from flask_smorest import Blueprint

from catalogue.api.errors import documented
from catalogue.api.http import envelope, identity, if_match, json_response, record_response
from catalogue.api.permissions import staff_unseen
from catalogue.schemas.common import MergePatch, Pagination
from catalogue.schemas.procedures import (
    AuditItemIn,
    Biography,
    ChangesArgs,
    ProcedureListArgs,
    ProcedureOut,
    ProcedurePage,
    ProcedureVersionOut,
    ProcedureVersionPage,
    TransitionIn,
)
from catalogue.services.procedures import (
    biography,
    changes,
    exports,
    paperwork,
    records,
    transitions,
    versions,
)
from catalogue.services.procedures.registry import KINDS

WRITE_ERRORS = (404, 409, 412, 422, 428)


def kind_blueprint(kind) -> Blueprint:
    """The endpoints of one kind of procedure."""
    blp = Blueprint(
        f"procedures_{kind.path}",
        __name__,
        url_prefix=f"/api/v1/{kind.path}",
        description=f"Procedures: {kind.path} (staff only; 404 for anyone else).",
    )
    name = kind.name

    def errors(*codes):
        return documented(blp, *codes)

    @blp.route("")
    class Collection(MethodView):
        @staff_unseen
        @blp.arguments(ProcedureListArgs, location="query")
        @blp.response(200, ProcedurePage)
        @blp.alt_response(200, description="With ?format=csv: UTF-8 CSV", content_type="text/csv")
        @errors(404, 422)
        def get(self, args):
            """List, newest first; filters ``status``, ``object``, ``date_from``, ``date_to``;
            ``?format=csv`` for a spreadsheet of the whole filtered list."""
            if args.get("format") == "csv":
                text = exports.csv_export(identity(), name, args)
                return Response(
                    text,
                    mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{kind.path}.csv"'},
                )
            return json_response(envelope(records.list_procedures(identity(), name, args)))

        @staff_unseen
        @blp.arguments(kind.schema)
        @blp.response(201, ProcedureOut)
        @errors(404, 409, 422)
        def post(self, data):
            """Create one; its number is generated from the kind's pattern unless given."""
            record = records.create(identity(), name, data)
            location = url_for(f"{blp.name}.Item", procedure_id=record.data["id"])
            return record_response(record, status=201, headers={"Location": location})

    @blp.route("/<uuid:procedure_id>")
    class Item(MethodView):
        @staff_unseen
        @blp.response(200, ProcedureOut)
        @errors(404)
        def get(self, procedure_id: uuid.UUID):
            """Read one, with its ETag."""
            return record_response(records.get(identity(), name, procedure_id))

        @staff_unseen
        @blp.arguments(kind.schema)
        @blp.response(200, ProcedureOut)
        @errors(*WRITE_ERRORS)
        def put(self, data, procedure_id: uuid.UUID):
            """Replace what people write (never the status). Needs If-Match."""
            record = records.replace(identity(), name, procedure_id, data, if_match())
            return record_response(record)

        @staff_unseen
        @blp.arguments(MergePatch, content_type="application/merge-patch+json")
        @blp.response(200, ProcedureOut)
        @errors(*WRITE_ERRORS)
        def patch(self, changes_, procedure_id: uuid.UUID):
            """Change some fields (JSON merge patch). Needs If-Match."""
            record = records.patch(identity(), name, procedure_id, changes_, if_match())
            return record_response(record)

        @staff_unseen
        @blp.response(204)
        @errors(404, 409, 412, 428)
        def delete(self, procedure_id: uuid.UUID):
            """Delete one that changed no object (409 otherwise). Needs If-Match."""
            records.delete(identity(), name, procedure_id, if_match())
            return "", 204

    @blp.route("/<uuid:procedure_id>/transitions", methods=["POST"])
    @staff_unseen
    @blp.arguments(TransitionIn)
    @blp.response(200, ProcedureOut)
    @errors(*WRITE_ERRORS)
    def transition(args, procedure_id: uuid.UUID):
        """Change the status (``{"to": ...}``). Needs If-Match; 409 with ``allowed``."""
        record = transitions.transition(identity(), name, procedure_id, args, if_match())
        return record_response(record)

    @blp.route("/<uuid:procedure_id>/versions")
    @staff_unseen
    @blp.arguments(Pagination, location="query")
    @blp.response(200, ProcedureVersionPage)
    @errors(404, 422)
    def version_list(args, procedure_id: uuid.UUID):
        """Every saved version, newest first: who, when, which fields changed."""
        page = versions.list_versions(identity(), name, procedure_id, args)
        return json_response(envelope(page))

    @blp.route("/<uuid:procedure_id>/versions/<int:number>")
    @staff_unseen
    @blp.response(200, ProcedureVersionOut)
    @errors(404)
    def version(procedure_id: uuid.UUID, number: int):
        """One version, with the record as it was saved."""
        return json_response(versions.get_version(identity(), name, procedure_id, number))

    @blp.route("/<uuid:procedure_id>/versions/<int:number>/restore", methods=["POST"])
    @staff_unseen
    @blp.response(200, ProcedureOut)
    @errors(*WRITE_ERRORS)
    def restore(procedure_id: uuid.UUID, number: int):
        """Save what that version's record said as a new version (never its status)."""
        record = versions.restore(identity(), name, procedure_id, number, if_match())
        return record_response(record)

    if name == "audit":

        @blp.route("/<uuid:procedure_id>/items", methods=["POST"])
        @staff_unseen
        @blp.arguments(AuditItemIn)
        @blp.response(200, ProcedureOut)
        @errors(404, 409, 412, 422)
        def items(data, procedure_id: uuid.UUID):
            """Record an object as found, missing or found elsewhere (If-Match optional)."""
            record = transitions.record_audit_item(identity(), procedure_id, data, if_match())
            return record_response(record)

    if name == "entry":

        @blp.route("/<uuid:procedure_id>/receipt.pdf")
        @staff_unseen
        @blp.response(
            200, description="A bilingual deposit receipt", content_type="application/pdf"
        )
        @errors(404)
        def receipt(procedure_id: uuid.UUID):
            """The deposit receipt (French and English) as PDF."""
            pdf = paperwork.entry_receipt(identity(), procedure_id)
            return Response(
                pdf,
                mimetype="application/pdf",
                headers={"Content-Disposition": f'inline; filename="receipt-{procedure_id}.pdf"'},
            )

    return blp


BLUEPRINTS = [kind_blueprint(kind) for kind in KINDS.values()]

related = Blueprint(
    "procedures_related",
    __name__,
    url_prefix="/api/v1",
    description="An object's biography and the procedures' change log (staff only).",
)


@related.route("/objects/<uuid:object_id>/procedures")
@staff_unseen
@related.response(200, Biography)
@documented(related, 404)
def object_biography(object_id: uuid.UUID):
    """Every procedure, movement and condition check of the object, oldest first."""
    return json_response(biography.biography(identity(), object_id))


@related.route("/procedure-changes")
@staff_unseen
@related.arguments(ChangesArgs, location="query")
@related.response(200, description="Changes to procedures after ``since``, in order")
@documented(related, 404, 422)
def procedure_changes(args):
    """The procedures' change log for staff consumers (``since``: the last ``cursor``)."""
    return json_response(changes.changes(identity(), args["since"], args["limit"]))


BLUEPRINTS.append(related)
