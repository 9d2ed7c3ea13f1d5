"""PostgreSQL search reads a replica when told (``SEARCH_DATABASE_URL``), and /readyz says
how far the replica's search table is behind the primary's change log.

The "replica" is a copy of the primary made at one moment (``CREATE DATABASE ... TEMPLATE``):
a replica that has applied everything up to then and nothing since.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask_migrate import upgrade

from catalogue import create_app
from catalogue.extensions import db
from tests.conftest import make_test_config
from tests.helpers import obj


def _app(tmp_path_factory, primary: str, replica: str | None = None):
    config = make_test_config(tmp_path_factory, primary)
    config["SEARCH_BACKEND"] = "postgresql"
    if replica:
        config["SEARCH_DATABASE_URL"] = replica
    return create_app(config)


def test_searches_read_the_replica_and_readiness_reports_its_lag(
    other_postgres, postgres_server_url, tmp_path_factory
):
    from catalogue.services.accounts import users as accounts
    from catalogue.services.identity import SYSTEM
    from tests.conftest import Caller

    primary = _app(tmp_path_factory, other_postgres)
    with primary.app_context():
        upgrade()
        accounts.create_user(SYSTEM, "curator@museum.example", "curator")
        token = accounts.create_token(SYSTEM, "curator@museum.example")
        db.session.remove()
    curator = Caller("curator@museum.example", "curator", token)
    client = primary.test_client()
    first = obj(client, curator, status="public", title={"fr": "Casque allemand"})
    with primary.app_context():
        db.engine.dispose()

    # The replica: everything committed so far, nothing after.
    name = f"catalogue_replica_{uuid.uuid4().hex[:10]}"
    source = sa.engine.make_url(other_postgres).database
    admin = sa.create_engine(postgres_server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}" TEMPLATE "{source}"'))
    replica = postgres_server_url.set(database=name).render_as_string(hide_password=False)
    try:
        obj(client, curator, status="public", title={"fr": "Casque de pompier"})
        assert client.get("/api/v1/search", query_string={"q": "casque"}).get_json()["total"] == 2

        reader = _app(tmp_path_factory, other_postgres, replica)
        reading = reader.test_client()
        answer = reading.get("/api/v1/search", query_string={"q": "casque"}).get_json()
        assert answer["total"] == 1
        assert [item["id"] for item in answer["items"]] == [first["id"]]
        ready = reading.get("/readyz")
        assert ready.status_code == 200
        assert ready.get_json()["search_index_lag"]["changes"] == 1
        assert client.get("/readyz").get_json()["search_index_lag"]["changes"] == 0
        with reader.app_context():
            db.engine.dispose()
            from catalogue.services.search import backends

            backends.current(reader).close()
    finally:
        with primary.app_context():
            db.engine.dispose()
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()
