"""A storage of the ``limits`` library in the catalogue database: ``database://``.

Every worker of a node, and every host, counts against the same budgets with no service
beyond the database the catalogue already has (``redis://`` is the other choice for busy
installations). Counts are written in a transaction of their own (``uow.separately``): a
request that fails still counted, and counting never commits the request's own work. On
PostgreSQL that transaction does not wait for its commit to reach the disk: a crash may
forget the last counts, which only lets a few requests more through.
"""

from __future__ import annotations

import sqlite3
import time

import psycopg
import sqlalchemy as sa
from limits.storage import Storage
from sqlalchemy.exc import SQLAlchemyError

from catalogue.extensions import db
from catalogue.services import uow

# Windows that ended are deleted this often (seconds), by whichever process counts then.
SWEEP_SECONDS = 60.0


class _Statement:
    """SQL compiled once per dialect and run on a driver cursor with named values."""

    def __init__(self, sql: str) -> None:
        self.clause = sa.text(sql)
        self._compiled: dict[str, tuple[str, list[str] | None]] = {}

    def run(self, connection, **values):
        dialect = db.engine.dialect
        prepared = self._compiled.get(dialect.name)
        if prepared is None:
            compiled = self.clause.compile(dialect=dialect)
            order = list(compiled.positiontup) if dialect.positional else None
            prepared = self._compiled[dialect.name] = (compiled.string, order)
        sql, order = prepared
        cursor = connection.cursor()
        cursor.execute(sql, tuple(values[n] for n in order) if order is not None else values)
        return cursor


# One statement on SQLite and PostgreSQL: count the hit, or start a new window.
_INCREMENT = _Statement(
    "INSERT INTO request_counts (key, hits, expires_at) VALUES (:key, :amount, :expires) "
    "ON CONFLICT (key) DO UPDATE SET "
    "hits = CASE WHEN request_counts.expires_at <= :now THEN excluded.hits "
    "ELSE request_counts.hits + excluded.hits END, "
    "expires_at = CASE WHEN request_counts.expires_at <= :now THEN excluded.expires_at "
    "ELSE request_counts.expires_at END "
    "RETURNING hits"
)
_CURRENT = _Statement(
    "SELECT hits, expires_at FROM request_counts WHERE key = :key AND expires_at > :now"
)
_SWEEP = _Statement("DELETE FROM request_counts WHERE expires_at < :now")
_CLEAR = _Statement("DELETE FROM request_counts WHERE key = :key")
_RESET = _Statement("DELETE FROM request_counts")
_NO_WAIT = _Statement("SET LOCAL synchronous_commit TO OFF")


class DatabaseStorage(Storage):
    """Fixed-window counters in the ``request_counts`` table of the catalogue database."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_sweep = 0.0

    @property
    def base_exceptions(self) -> tuple[type[Exception], ...]:
        # The pool raises SQLAlchemy's errors, the driver cursors their own.
        return (SQLAlchemyError, sqlite3.Error, psycopg.Error)

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with uow.separately() as connection:
            if db.engine.dialect.name == "postgresql":
                _NO_WAIT.run(connection)
            if now >= self._next_sweep:
                self._next_sweep = now + SWEEP_SECONDS
                _SWEEP.run(connection, now=now)
            cursor = _INCREMENT.run(
                connection, key=key, amount=amount, expires=now + expiry, now=now
            )
            return cursor.fetchone()[0]

    def _current(self, key: str) -> tuple[int, float] | None:
        with uow.separately() as connection:
            return _CURRENT.run(connection, key=key, now=time.time()).fetchone()

    def get(self, key: str) -> int:
        row = self._current(key)
        return row[0] if row else 0

    def get_expiry(self, key: str) -> float:
        row = self._current(key)
        return row[1] if row else time.time()

    def check(self) -> bool:
        try:
            self._current("")
        except self.base_exceptions:
            return False
        return True

    def reset(self) -> int | None:
        with uow.separately() as connection:
            return _RESET.run(connection).rowcount

    def clear(self, key: str) -> None:
        with uow.separately() as connection:
            _CLEAR.run(connection, key=key)
