"""Background jobs as the API shows them (``GET /api/v1/jobs/{id}``)."""

from __future__ import annotations

from marshmallow import Schema, fields

from catalogue.models import JobStatus


class JobOut(Schema):
    id = fields.UUID()
    task = fields.String(metadata={"description": "What the job does (imports.commit...)."})
    status = fields.Enum(
        JobStatus,
        metadata={
            "description": "queued (waiting, or waiting to be tried again), running, "
            "succeeded, failed (every attempt failed; error says why)."
        },
    )
    attempts = fields.Integer(metadata={"description": "Attempts started so far."})
    max_attempts = fields.Integer()
    progress = fields.Dict(allow_none=True, metadata={"description": "What the task has done."})
    error = fields.String(allow_none=True, metadata={"description": "Of the latest failure."})
    result = fields.Dict(allow_none=True, metadata={"description": "Once it succeeded."})
    created_at = fields.DateTime()
    created_by = fields.String(allow_none=True)
    started_at = fields.DateTime(allow_none=True)
    finished_at = fields.DateTime(allow_none=True)
    next_attempt_at = fields.DateTime(allow_none=True)
    links = fields.Dict()


class CommitJob(Schema):
    """The background job committing an import, in short."""

    id = fields.UUID()
    status = fields.Enum(JobStatus)
    attempts = fields.Integer()
    max_attempts = fields.Integer()
    progress = fields.Dict(allow_none=True)
    error = fields.String(allow_none=True)
