"""Search backends: the Whoosh index of each node, or PostgreSQL full-text search.

``SEARCH_BACKEND`` chooses (``whoosh``, the default, or ``postgresql``); ``current()`` is
the app's backend. See ``base`` for what a backend does and ``docs/scaling.md`` for how to
choose one.
"""

from __future__ import annotations

from flask import current_app

from catalogue.services.search.backends.base import SearchBackend


def _make(app) -> SearchBackend:
    name = app.config.get("SEARCH_BACKEND") or "whoosh"
    if name == "postgresql":
        from catalogue.services.search.backends.postgresql import PostgresBackend

        return PostgresBackend(app)
    from catalogue.services.search.backends.whoosh import WhooshBackend

    return WhooshBackend(app)


def current(app=None) -> SearchBackend:
    """The backend of ``app`` (the current app by default)."""
    app = app or current_app._get_current_object()
    found = app.extensions.get("search_backend")
    if found is None:
        found = app.extensions["search_backend"] = _make(app)
    return found


def init_app(app) -> SearchBackend:
    """Open the app's backend and make /readyz report on it."""
    backend = current(app)
    backend.open()
    return backend
