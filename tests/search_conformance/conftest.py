"""The search conformance suite runs every test once per search backend set-up:

- ``whoosh-sqlite`` and ``whoosh-postgresql``: the Whoosh index of the node (the default),
  over each database;
- ``postgresql``: ``SEARCH_BACKEND=postgresql``, full-text search in the database itself.

Each set-up is an app of its own, built by the migrations like the suite's ``app``.
"""

from __future__ import annotations

import pytest
from flask_migrate import upgrade

from catalogue import create_app
from catalogue.extensions import db
from catalogue.services.search import backends
from tests.conftest import make_test_config

SETUPS = ("whoosh-sqlite", "whoosh-postgresql", "postgresql")


@pytest.fixture(scope="session", params=SETUPS)
def search_setup(request):
    return request.param


@pytest.fixture(scope="session")
def backend(search_setup):
    """The database of the set-up (the suite's ``backend`` fixture, narrowed)."""
    return "sqlite" if search_setup == "whoosh-sqlite" else "postgresql"


@pytest.fixture(scope="session")
def app(database_url, search_setup, tmp_path_factory):
    config = make_test_config(tmp_path_factory, database_url)
    config["SEARCH_BACKEND"] = "postgresql" if search_setup == "postgresql" else "whoosh"
    app = create_app(config)
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def empty_search(app):
    """The database is emptied between tests; the backend forgets what it had read."""
    with app.app_context():
        backends.current(app).clear()
        db.session.remove()
