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


class NotReady(Exception):
    """A dependency that answers but cannot serve yet (an index far behind the change log):
    ``state`` is what /readyz says of it, ``members`` what it adds to the answer."""

    def __init__(self, state: str, members: dict | None = None) -> None:
        super().__init__(state)
        self.state = state
        self.members = members or {}


def add_check(app, name: str, check: Callable[[], dict | None]) -> None:
    """Register ``check()`` for /readyz: it raises when ``name`` cannot serve (``NotReady``
    to say how), and may return members to add to the answer."""
    app.extensions.setdefault("readiness_checks", {})[name] = check


def check(app, name: str) -> Callable[[], dict | None] | None:
    """The check registered as ``name`` (to build on it)."""
    return app.extensions.get("readiness_checks", {}).get(name)


def report() -> tuple[bool, dict[str, str], dict]:
    """Whether every dependency answers, ``ok`` or what is wrong for each, and the members
    the checks add to the answer."""
    checks: dict[str, str] = {}
    members: dict = {}
    try:
        db.session.execute(sa.text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as error:
        db.session.rollback()
        current_app.logger.warning("readiness: database: %s", error)
        checks["database"] = "unavailable"
    for name, run in current_app.extensions.get("readiness_checks", {}).items():
        try:
            members.update(run() or {})
            checks[name] = "ok"
        except NotReady as error:
            members.update(error.members)
            checks[name] = error.state
        except Exception as error:
            current_app.logger.warning("readiness: %s: %s", name, error)
            checks[name] = "unavailable"
    return all(value == "ok" for value in checks.values()), checks, members
