"""Readiness: whether this process can serve, as ``/readyz`` reports it.

Services that depend on something outside the database (the media storage, the search index)
register a check when the app is built; ``report`` runs the database check and every
registered one.
"""

from __future__ import annotations

from collections.abc import Callable

import sqlalchemy as sa
from flask import current_app

from catalogue.extensions import db


def add_check(app, name: str, check: Callable[[], None]) -> None:
    """Register ``check()`` (raises when ``name`` cannot serve) for /readyz."""
    app.extensions.setdefault("readiness_checks", {})[name] = check


def report() -> tuple[bool, dict[str, str]]:
    """Whether every dependency answers, and ``ok`` or ``unavailable`` for each."""
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
    return all(value == "ok" for value in checks.values()), checks
