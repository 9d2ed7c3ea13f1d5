"""``/api/v1/jobs/{id}``: the state of a background job (staff)."""

from __future__ import annotations

import uuid

from flask_smorest import Blueprint

from catalogue.api.errors import documented
from catalogue.api.http import identity, json_response
from catalogue.api.permissions import staff_only
from catalogue.schemas.jobs import JobOut
from catalogue.services.background import jobs

blp = Blueprint(
    "jobs",
    __name__,
    url_prefix="/api/v1/jobs",
    description="Background jobs (curators and admins): status, attempts, progress, result.",
)


@blp.route("/<uuid:job_id>", methods=["GET"])
@staff_only
@blp.response(200, JobOut)
@documented(blp, 401, 403, 404)
def get_job(job_id: uuid.UUID):
    """A background job: queued, running, succeeded or failed, with its progress."""
    return json_response(jobs.get(identity(), job_id), headers={"Cache-Control": "no-store"})
