"""What the import and export endpoints accept and answer."""

from __future__ import annotations

from flask_smorest.fields import Upload
from marshmallow import EXCLUDE, Schema, fields

from catalogue.models import ImportStatus, Status
from catalogue.schemas.common import Input, UTCDateTime
from catalogue.schemas.jobs import CommitJob


class ImportUpload(Input):
    """The multipart body of an import: the file, an optional mapping, and options."""

    class Meta:
        unknown = EXCLUDE

    file = Upload(
        required=True,
        metadata={
            "description": "The .csv or .xlsx file, or a .zip holding one and the media files "
            "it attaches (named in its `media` column, or after accession numbers)."
        },
    )
    mapping = Upload(metadata={"description": "Optional YAML or JSON column mapping."})
    dry_run = fields.Boolean(
        load_default=True,
        metadata={"description": "Only check (default). False applies a clean file at once."},
    )
    create_authorities = fields.Boolean(load_default=False)
    skip_invalid = fields.Boolean(load_default=False)


class ImportError_(Schema):
    row = fields.Integer()
    object_number = fields.String()
    column = fields.String()
    message = fields.String()


class ImportReport(Schema):
    rows = fields.Integer()
    created = fields.Integer()
    updated = fields.Integer()
    unchanged = fields.Integer()
    failed = fields.Integer()
    authorities_created = fields.Dict(keys=fields.String(), values=fields.Integer())
    dry_run = fields.Boolean()
    applied = fields.Boolean()
    stopped = fields.String()
    errors = fields.List(fields.Nested(ImportError_))


class ImportOut(Schema):
    id = fields.UUID()
    status = fields.Enum(ImportStatus)
    original_filename = fields.String(allow_none=True)
    options = fields.Dict()
    report = fields.Nested(ImportReport)
    created_at = fields.DateTime()
    created_by = fields.String(allow_none=True)
    committed_at = fields.DateTime(allow_none=True)
    committed_by = fields.String(allow_none=True)
    commit_job = fields.Nested(
        CommitJob,
        allow_none=True,
        metadata={"description": "The background job applying the import (links.job)."},
    )
    links = fields.Dict()


class ExportArgs(Input):
    class Meta:
        unknown = EXCLUDE

    status = fields.Enum(Status)
    collection = fields.String(metadata={"description": "Collection id, label or URI."})
    updated_since = UTCDateTime()
