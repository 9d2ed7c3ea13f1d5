"""The migrations build the schema the models describe, on SQLite and PostgreSQL.

Each test gets a database of its own, so going down to an empty schema never touches the
database the rest of the suite uses.
"""

from __future__ import annotations

import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade

from catalogue import create_app
from catalogue.extensions import db
from catalogue.models import Base
from catalogue.models.base import described_by_models
from catalogue.services.authorities import records as authorities
from catalogue.services.objects import write as objects_write
from tests.conftest import make_test_config
from tests.services.exchange.exchange_helpers import CURATOR


@pytest.fixture(params=["sqlite", "postgresql"])
def fresh_app(request, tmp_path_factory):
    """The app on an empty database of the given backend."""
    admin = name = None
    if request.param == "postgresql":
        server = request.getfixturevalue("postgres_server_url")
        name = f"catalogue_migrations_{uuid.uuid4().hex[:10]}"
        admin = sa.create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = server.set(database=name).render_as_string(hide_password=False)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('migrations') / 'fresh.db'}"
    app = create_app(make_test_config(tmp_path_factory, url))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()
    if admin is not None:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def all_tables() -> set[str]:
    return set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}


def tables() -> set[str]:
    """The tables the models describe (procrastinate's are checked on their own)."""
    return {name for name in all_tables() if described_by_models(name, "table", {})}


def differences() -> list:
    with db.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "include_name": described_by_models}
        )
        return compare_metadata(context, Base.metadata)


QUEUE_TABLES = {
    "procrastinate_events",
    "procrastinate_jobs",
    "procrastinate_periodic_defers",
    "procrastinate_workers",
}


def test_the_queue_of_postgresql_comes_with_the_migrations_and_goes_with_them(fresh_app):
    """procrastinate's schema exists on PostgreSQL only, built and removed by the migrations."""
    with fresh_app.app_context():
        on_postgresql = db.engine.dialect.name == "postgresql"
        upgrade()
        assert (all_tables() - tables()) == (QUEUE_TABLES if on_postgresql else set())
        downgrade(revision="0011")
        assert all_tables() - tables() == set()
        assert "background_jobs" not in all_tables()
        if on_postgresql:
            with db.engine.connect() as connection:
                left = connection.execute(
                    sa.text(
                        "SELECT count(*) FROM pg_proc WHERE proname LIKE 'procrastinate%' "
                        "UNION ALL SELECT count(*) FROM pg_type WHERE typname LIKE "
                        "'procrastinate%'"
                    )
                ).scalars()
                assert list(left) == [0, 0]
        upgrade()
        assert (all_tables() - tables()) == (QUEUE_TABLES if on_postgresql else set())


def test_upgrade_from_empty_builds_every_table(fresh_app):
    with fresh_app.app_context():
        assert tables() == set()
        upgrade()
        assert tables() == set(Base.metadata.tables)
        with db.engine.connect() as connection:
            heads = MigrationContext.configure(connection).get_current_heads()
        assert len(heads) == 1


def test_downgrade_to_base_then_upgrade_again(fresh_app):
    with fresh_app.app_context():
        upgrade()
        downgrade(revision="base")
        assert tables() == set()
        upgrade()
        assert tables() == set(Base.metadata.tables)
        assert differences() == []


def test_models_and_migrations_agree(fresh_app):
    with fresh_app.app_context():
        upgrade()
        assert differences() == []


def test_upgrading_builds_the_payloads_of_public_records(fresh_app):
    """An installation upgraded from before payloads were written with records harvests them."""
    with fresh_app.app_context():
        upgrade()
        for number, status in (("2026.0001.001", "public"), ("2026.0002.001", "draft")):
            data = {"object_number": number, "title": {"fr": f"Objet {number}"}, "status": status}
            objects_write.create(CURATOR, objects_write.load_input(data))
        db.session.remove()
        downgrade(revision="0006")
        upgrade()
        stored = db.session.execute(sa.text("SELECT prefix FROM oai_payloads")).scalars().all()
        assert sorted(stored) == ["lido", "oai_dc"]
        db.session.remove()
    client = fresh_app.test_client()
    for prefix in ("lido", "oai_dc"):
        args = {"verb": "ListRecords", "metadataPrefix": prefix}
        response = client.get("/oai", query_string=args)
        assert response.status_code == 200
        assert b"Objet 2026.0001.001" in response.data
        assert b"2026.0002.001" not in response.data


def test_upgrading_derives_what_authority_lists_search_and_sort_by(fresh_app):
    """Authorities saved before lists searched the label texts are found and sorted alike."""
    with fresh_app.app_context():
        upgrade()
        for label in ({"fr": "Épée", "en": "Sword"}, {"en": "Zinc", "fr": "Zinc"}, {"en": "Brass"}):
            authorities.create(CURATOR, "terms", {"vocabulary": "material", "label": label})
            db.session.remove()
        downgrade(revision="0007")
        upgrade()
        assert differences() == []

        def listed(**args) -> list[str]:
            items = authorities.list_items(CURATOR, "terms", args).items
            db.session.remove()
            return [item["label"].get("fr") or item["label"]["en"] for item in items]

        assert listed() == ["Brass", "Épée", "Zinc"]
        assert listed(q="EPEE") == listed(q="sword") == ["Épée"]
        assert listed(q="fr") == listed(q="%") == []
