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
    """The service can answer: its database and every registered dependency respond."""
    ready, checks = readiness.report()
    return json_response(
        {"status": "ok" if ready else "unavailable", "checks": checks}, 200 if ready else 503
    )
