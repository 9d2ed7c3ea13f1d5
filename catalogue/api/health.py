"""Liveness and readiness for load balancers and orchestrators."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Blueprint, current_app

from catalogue.api.http import json_response
from catalogue.extensions import db

blp = Blueprint("health", __name__)


def add_readiness_check(app, name: str, check) -> None:
    """Register ``check()`` (raises when ``name`` cannot serve) for /readyz."""
    app.extensions.setdefault("readiness_checks", {})[name] = check


@blp.get("/healthz")
def healthz():
    """The process is up."""
    return json_response({"status": "ok"})


@blp.get("/readyz")
def readyz():
    """The service can answer: its database and every registered dependency respond."""
    checks: dict[str, str] = {}
    try:
        db.session.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:
        db.session.rollback()
        current_app.logger.warning("readiness: database: %s", error)
        checks["database"] = "unavailable"
    for name, check in current_app.extensions.get("readiness_checks", {}).items():
        try:
            check()
            checks[name] = "ok"
        except Exception as error:
            current_app.logger.warning("readiness: %s: %s", name, error)
            checks[name] = "unavailable"
    ready = all(value == "ok" for value in checks.values())
    return json_response(
        {"status": "ok" if ready else "unavailable", "checks": checks}, 200 if ready else 503
    )
