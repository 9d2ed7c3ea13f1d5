"""Fixtures: the app on SQLite and on PostgreSQL, a client, users of every role.

Every database test runs once per backend. The PostgreSQL half runs on the server
``TEST_DATABASE_URL`` names (one where the tests may create and drop databases of their own);
unset, the server at the default address is used if it answers within a second, and
``TEST_DATABASE_URL=none`` turns the PostgreSQL half off. Skipped tests say which of these to do.
"""

from __future__ import annotations

import functools
import os
import uuid
from contextlib import contextmanager
from dataclasses import dataclass

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade
from sqlalchemy.engine import make_url

from catalogue import create_app
from catalogue.extensions import db
from catalogue.models import Base
from catalogue.services.accounts import users as accounts
from catalogue.services.identity import SYSTEM

# Fixtures every test package may use: media storages (a folder, or S3 on SeaweedFS), and
# a second researcher for the sets tests.
pytest_plugins = ["tests.storage_fixtures", "tests.sets_helpers"]

DEFAULT_POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
POSTGRES_OFF = "none"


def pytest_configure(config):
    config.addinivalue_line("markers", "sqlite_only: the test is about SQLite itself")


def pytest_report_header(config):
    url, reason = postgres_server()
    if url is None:
        return f"postgresql: not used: {reason}"
    source = "TEST_DATABASE_URL" if os.environ.get("TEST_DATABASE_URL", "").strip() else "default"
    return f"postgresql: {url.render_as_string(hide_password=True)} ({source})"


@functools.cache
def postgres_server():
    """The PostgreSQL server of this run and, when there is none, why and what to do.

    ``TEST_DATABASE_URL`` names it (``none`` turns the PostgreSQL tests off); unset, the
    default address is tried (2 s at most), so a newcomer's ``make test`` runs both
    halves wherever PostgreSQL is installed as documented.
    """
    setting = os.environ.get("TEST_DATABASE_URL", "").strip()
    if setting.lower() == POSTGRES_OFF:
        return None, (
            f"PostgreSQL tests are off (TEST_DATABASE_URL={POSTGRES_OFF}); unset it to use the "
            f"server at {DEFAULT_POSTGRES_URL}, or set it to another server's URL"
        )
    if setting:
        return make_url(setting.replace("postgresql://", "postgresql+psycopg://", 1)), ""
    url = make_url(DEFAULT_POSTGRES_URL)
    error = _connection_error(url)
    if error:
        return None, (
            f"PostgreSQL tests need a server; connecting to {DEFAULT_POSTGRES_URL} failed "
            f"({error}). Start PostgreSQL there, or set TEST_DATABASE_URL to a server where "
            f"the tests may create databases (TEST_DATABASE_URL={POSTGRES_OFF} skips them "
            "without trying)"
        )
    return url, ""


def _connection_error(url) -> str | None:
    """Why a connection to ``url`` fails, or None when it works.

    A refused connection fails at once; a silent address after 2 s, libpq's shortest timeout.
    """
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool, connect_args={"connect_timeout": 2})
    try:
        with engine.connect():
            return None
    except sa.exc.DBAPIError as error:
        lines = str(error.orig).strip().splitlines() or [type(error.orig).__name__]
        return lines[0]
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def postgres_server_url():
    url, reason = postgres_server()
    if url is None:
        pytest.skip(reason)
    return url


@contextmanager
def _fresh_database(server_url, prefix: str):
    """A new, empty database on the test server, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    try:
        yield server_url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session")
def postgres_database(postgres_server_url):
    """A fresh database on the test server for this run, dropped afterwards."""
    with _fresh_database(postgres_server_url, "catalogue_test") as url:
        yield url


@pytest.fixture
def other_postgres(postgres_server_url):
    """An empty PostgreSQL database of its own for one test (restores, migrations)."""
    with _fresh_database(postgres_server_url, "catalogue_other") as url:
        yield url


def make_test_config(tmp_path_factory, database_url: str) -> dict:
    base = tmp_path_factory.mktemp("instance")
    return {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key",
        "DATABASE_URL": database_url,
        "MEDIA_STORAGE": (base / "media").as_uri(),
        "SEARCH_INDEX_DIR": str(base / "search-index"),
        "IMPORTS_DIR": str(base / "imports"),
        # The suite makes many requests quickly; tests/api/test_rate_limits.py turns them on.
        "RATELIMIT_ENABLED": False,
        # Background jobs run where a test says (tests/background.py), never in a thread the
        # app starts by itself; a failed attempt is tried again quickly.
        "BACKGROUND_RUN": "process",
        "BACKGROUND_RETRY_SECONDS": 0.2,
    }


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def backend(request):
    return request.param


@pytest.fixture(scope="session")
def database_url(backend, request, tmp_path_factory):
    if backend == "postgresql":
        return request.getfixturevalue("postgres_database")
    return f"sqlite:///{tmp_path_factory.mktemp('sqlite') / 'catalogue.db'}"


@pytest.fixture(scope="session")
def app(database_url, tmp_path_factory):
    """The app with its schema built by the migrations, as in production."""
    app = create_app(make_test_config(tmp_path_factory, database_url))
    with app.app_context():
        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture(autouse=True)
def _clean_database(request):
    """Each test starts from empty tables (only for tests that use the app)."""
    yield
    if "app" not in request.fixturenames:
        return
    app = request.getfixturevalue("app")
    with app.app_context():
        db.session.remove()
        empty_tables(db.engine)


def empty_tables(engine) -> None:
    """Delete every row of every table."""
    with engine.begin() as connection:
        for table in Base.metadata.sorted_tables:
            # Rows pointing at rows of their own table (sub-locations) go in any order.
            own = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
            if own:
                connection.execute(table.update().values(dict.fromkeys(own)))
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
        if connection.dialect.name == "postgresql":
            # procrastinate's queue (its tables are the migrations', not the models').
            connection.execute(
                sa.text(
                    "TRUNCATE procrastinate_events, procrastinate_periodic_defers, "
                    "procrastinate_jobs, procrastinate_workers"
                )
            )


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@dataclass
class Caller:
    email: str
    role: str | None
    token: str | None

    @property
    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}


@pytest.fixture
def users(app):
    """One caller of each role, with an API token; ``anonymous`` has none."""
    callers = {"anonymous": Caller("", None, None)}
    with app.app_context():
        for role in ("admin", "curator", "researcher"):
            email = f"{role}@museum.example"
            accounts.create_user(SYSTEM, email, role)
            callers[role] = Caller(email, role, accounts.create_token(SYSTEM, email))
        db.session.remove()
    return callers


@pytest.fixture
def curator(users):
    return users["curator"]


@pytest.fixture
def state(app):
    """A callable counting what a failed request must not have changed."""
    from catalogue.models import CatalogueObject, ChangeLogEntry, ObjectVersion, Tombstone

    def count() -> dict:
        with app.app_context():
            counts = {
                model.__tablename__: db.session.execute(
                    sa.select(sa.func.count()).select_from(model)
                ).scalar_one()
                for model in (CatalogueObject, ObjectVersion, Tombstone, ChangeLogEntry)
            }
            counts["documents"] = sorted(
                str(row)
                for row in db.session.execute(sa.select(CatalogueObject.document)).scalars()
            )
            db.session.remove()
            return counts

    return count
