"""Extensions, created unbound and bound to the app in ``create_app``."""

from __future__ import annotations

from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import event
from sqlalchemy.engine import Engine

from catalogue.models.base import Base

# Models derive from catalogue.models.base.Base; the extension only provides engine and session.
db = SQLAlchemy(metadata=Base.metadata)
migrate = Migrate()
# Checked by the page blueprints only: the API uses bearer tokens, which no browser sends.
csrf = CSRFProtect()


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record) -> None:
    """SQLite: enforce foreign keys, let readers and one writer work at once, wait on locks."""
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


@event.listens_for(Engine, "before_execute")
def _sqlite_locking_read(connection, statement, *_args) -> None:
    """SQLite: a locking read (``SELECT ... FOR UPDATE``) takes the database's write lock.

    PostgreSQL locks the rows read; SQLite ignores ``FOR UPDATE``, and its driver begins a
    transaction only at the first write, so two writers could read the same state and the
    second overwrite the first. Beginning ``IMMEDIATE`` here makes the read wait for any
    other writer to commit, then see its change. Plain reads take no lock.
    """
    if getattr(statement, "_for_update_arg", None) is None:
        return
    if connection.dialect.name != "sqlite":
        return
    if not connection.connection.dbapi_connection.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
