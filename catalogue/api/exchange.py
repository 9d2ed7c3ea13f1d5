"""``/api/v1/imports`` (curators) and ``/api/v1/exports`` (anyone, their visible records)."""

from __future__ import annotations

import uuid

from flask import Response, stream_with_context, url_for
from flask.views import MethodView
from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser
from werkzeug.datastructures import CombinedMultiDict

from catalogue.api.errors import documented
from catalogue.api.http import identity, if_match, json_response
from catalogue.api.permissions import staff_only
from catalogue.schemas.exchange import ExportArgs, ImportOut, ImportUpload
from catalogue.services.exchange import exports
from catalogue.services.exchange import jobs as import_jobs
from catalogue.services.exchange.spreadsheets import csv_chunks, jsonl_chunks


class _MultipartParser(FlaskParser):
    """Reads a multipart body's files and fields together, as one documented schema."""

    def load_files(self, req, schema):
        return self._makeproxy(CombinedMultiDict([req.files, req.form]), schema)


class _UploadBlueprint(Blueprint):
    ARGUMENTS_PARSER = _MultipartParser()


imports_blp = _UploadBlueprint(
    "imports",
    __name__,
    url_prefix="/api/v1/imports",
    description="Spreadsheet imports (curators and admins): upload and check, then commit.",
)
exports_blp = Blueprint(
    "exports",
    __name__,
    url_prefix="/api/v1/exports",
    description="Every record you may see, as CSV or JSON Lines with the import's columns.",
)


@imports_blp.route("", methods=["POST"])
@staff_only
@imports_blp.arguments(ImportUpload, location="files")
@imports_blp.response(201, ImportOut)
@documented(imports_blp, 401, 403, 413, 422, 503)
def create_import(form):
    """Upload a spreadsheet and check it (a dry run); the report lists every error.
    With dry_run false, a file that checked is then committed in the background."""
    upload, mapping = form.pop("file"), form.pop("mapping", None)
    job = import_jobs.create(
        identity(), upload.stream, upload.filename, form, mapping.read() if mapping else None
    )
    location = url_for("imports.Import", import_id=job.data["id"])
    return json_response(job.data, 201, etag=job.etag, headers={"Location": location})


@imports_blp.route("/<uuid:import_id>")
class Import(MethodView):
    @staff_only
    @imports_blp.response(200, ImportOut)
    @documented(imports_blp, 401, 403, 404)
    def get(self, import_id: uuid.UUID):
        """An import: its status and report."""
        job = import_jobs.get(identity(), import_id)
        return json_response(job.data, etag=job.etag)

    @staff_only
    @imports_blp.response(204)
    @documented(imports_blp, 401, 403, 404, 409, 412, 428)
    def delete(self, import_id: uuid.UUID):
        """Forget an import and remove its file. Needs If-Match (not while it is committed)."""
        import_jobs.delete(identity(), import_id, if_match())
        return "", 204


@imports_blp.route("/<uuid:import_id>/commit", methods=["POST"])
@staff_only
@imports_blp.response(202, ImportOut)
@documented(imports_blp, 401, 403, 404, 409, 503)
def commit_import(import_id: uuid.UUID):
    """Apply a checked import, in the background: the answer is the import, `committing`;
    Location (the import) shows the job's progress and, once done, the result."""
    job = import_jobs.commit(identity(), import_id)
    location = url_for("imports.Import", import_id=job.data["id"])
    return json_response(job.data, 202, etag=job.etag, headers={"Location": location})


@imports_blp.route("/<uuid:import_id>/errors.csv", methods=["GET"])
@staff_only
@imports_blp.response(
    200, description="row, object_number, column, message", content_type="text/csv"
)
@documented(imports_blp, 401, 403, 404)
def import_errors(import_id: uuid.UUID):
    """The errors of an import as CSV."""
    return Response(import_jobs.errors_csv(identity(), import_id), mimetype="text/csv")


def _export(args: dict, fmt: str) -> Response:
    filters = exports.Filters(
        status=args.get("status"),
        collection=args.get("collection"),
        updated_since=args.get("updated_since"),
    )
    columns, rows = exports.rows(identity(), filters)
    chunks = csv_chunks(columns, rows) if fmt == "csv" else jsonl_chunks(rows)
    mimetype = "text/csv" if fmt == "csv" else "application/x-ndjson"
    return Response(
        stream_with_context(chunks),
        mimetype=mimetype,
        headers={"Content-Disposition": f'attachment; filename="objects.{fmt}"'},
    )


@exports_blp.route("/objects.csv", methods=["GET"])
@exports_blp.arguments(ExportArgs, location="query")
@exports_blp.response(200, description="UTF-8 CSV with a BOM", content_type="text/csv")
@documented(exports_blp, 422)
def export_csv(args):
    """Every record you may see, one row each (staff-only columns for staff only)."""
    return _export(args, "csv")


@exports_blp.route("/objects.jsonl", methods=["GET"])
@exports_blp.arguments(ExportArgs, location="query")
@exports_blp.response(
    200, description="One JSON object per line", content_type="application/x-ndjson"
)
@documented(exports_blp, 422)
def export_jsonl(args):
    """The same rows as JSON Lines."""
    return _export(args, "jsonl")
