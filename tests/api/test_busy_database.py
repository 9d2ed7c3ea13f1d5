"""A write that cannot lock its record in time is answered 503 with Retry-After, saves nothing,
and succeeds when tried again."""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from sqlalchemy import event

from catalogue import create_app
from catalogue.extensions import db
from catalogue.models import Agent
from tests import helpers
from tests.conftest import make_test_config


@pytest.fixture
def impatient(app, backend, database_url, tmp_path_factory):
    """A second server process on the same database, waiting 0.2 s at most for a lock."""
    options = dict(app.config["SQLALCHEMY_ENGINE_OPTIONS"])
    if backend == "postgresql":
        options["connect_args"] = {"options": "-c lock_timeout=200"}
    config = make_test_config(tmp_path_factory, database_url)
    other = create_app({**config, "SQLALCHEMY_ENGINE_OPTIONS": options})
    with other.app_context():
        engine = db.engine
        if backend == "sqlite":
            # Runs after the app's own settings (busy_timeout=30000) on each new connection.
            event.listen(
                engine, "connect", lambda driver, _: driver.execute("PRAGMA busy_timeout=200")
            )
    yield other
    engine.dispose()


def test_a_write_waiting_too_long_for_a_lock_is_503(app, client, curator, impatient):
    agent = helpers.agent(client, curator, "Organisation Todt")
    path = f"/api/v1/agents/{agent['id']}"
    etag = client.get(path, headers=curator.headers).headers["ETag"]
    body = {"label": {"en": "Todt Organisation"}}
    with app.app_context(), db.engine.connect() as holder:
        # Another writer holds the record: the row on PostgreSQL, the database on SQLite.
        holder.execute(
            sa.select(Agent.id).where(Agent.id == uuid.UUID(agent["id"])).with_for_update()
        )
        response = helpers.write(impatient.test_client(), curator, "patch", path, body, etag)
        holder.rollback()
    problem = helpers.is_problem(response, 503)
    assert "nothing was saved" in problem["detail"]
    assert response.headers["Retry-After"] == "1"
    unchanged = client.get(path, headers=curator.headers)
    assert unchanged.headers["ETag"] == etag
    again = helpers.write(impatient.test_client(), curator, "patch", path, body, etag)
    assert again.status_code == 200, again.get_data(as_text=True)
    assert again.get_json()["label"]["en"] == "Todt Organisation"
