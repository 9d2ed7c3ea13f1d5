"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

from flask import Blueprint

from catalogue.api.http import json_response
from catalogue.services import readiness

blp = Blueprint("health", __name__)


@blp.get("/healthz")
def healthz():
    """The process is up."""
    return json_response({"status": "ok"})


@blp.get("/readyz")
def readyz():
    """The service can answer: its database and every registered dependency respond (the
    search index within its allowed lag, which the answer gives as ``search_index_lag``)."""
    ready, checks, members = readiness.report()
    body = {"status": "ok" if ready else "unavailable", "checks": checks, **members}
    return json_response(body, 200 if ready else 503)
