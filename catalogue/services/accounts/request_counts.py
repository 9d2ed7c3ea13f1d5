"""A storage of the ``limits`` library in the catalogue database: ``database://``.

Every worker of a node, and every host, counts against the same budgets with no service
beyond the database the catalogue already has (``redis://`` is the other choice for busy
installations). Counts are written in a transaction of their own (``uow.separately``): a
request that fails still counted, and counting never commits the request's own work. On
PostgreSQL that transaction does not wait for its commit to reach the disk: a crash may
forget the last counts, which only lets a few requests more through.
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from limits.storage import Storage
from sqlalchemy.exc import SQLAlchemyError

from catalogue.models import RequestCount
from catalogue.services import uow

# One statement on SQLite and PostgreSQL: count the hit, or start a new window.
_INCREMENT = sa.text(
    "INSERT INTO request_counts (key, hits, expires_at) VALUES (:key, :amount, :expires) "
    "ON CONFLICT (key) DO UPDATE SET "
    "hits = CASE WHEN request_counts.expires_at <= :now THEN excluded.hits "
    "ELSE request_counts.hits + excluded.hits END, "
    "expires_at = CASE WHEN request_counts.expires_at <= :now THEN excluded.expires_at "
    "ELSE request_counts.expires_at END "
    "RETURNING hits"
)
# Windows that ended are deleted this often (seconds), by whichever process counts then.
SWEEP_SECONDS = 60.0


class DatabaseStorage(Storage):
    """Fixed-window counters in the ``request_counts`` table of the catalogue database."""

    STORAGE_SCHEME = ["database"]

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self._next_sweep = 0.0

    @property
    def base_exceptions(self) -> type[Exception]:
        return SQLAlchemyError

    def incr(self, key: str, expiry: int, amount: int = 1) -> int:
        now = time.time()
        with uow.separately() as connection:
            if connection.dialect.name == "postgresql":
                connection.execute(sa.text("SET LOCAL synchronous_commit TO OFF"))
            if now >= self._next_sweep:
                self._next_sweep = now + SWEEP_SECONDS
                connection.execute(sa.delete(RequestCount).where(RequestCount.expires_at < now))
            params = {"key": key, "amount": amount, "expires": now + expiry, "now": now}
            return connection.execute(_INCREMENT, params).scalar_one()

    def _current(self, column, key: str):
        with uow.separately() as connection:
            return connection.execute(
                sa.select(column).where(
                    RequestCount.key == key, RequestCount.expires_at > time.time()
                )
            ).scalar_one_or_none()

    def get(self, key: str) -> int:
        return self._current(RequestCount.hits, key) or 0

    def get_expiry(self, key: str) -> float:
        return self._current(RequestCount.expires_at, key) or time.time()

    def check(self) -> bool:
        try:
            with uow.separately() as connection:
                connection.execute(sa.text("SELECT 1"))
        except SQLAlchemyError:
            return False
        return True

    def reset(self) -> int | None:
        with uow.separately() as connection:
            return connection.execute(sa.delete(RequestCount)).rowcount

    def clear(self, key: str) -> None:
        with uow.separately() as connection:
            connection.execute(sa.delete(RequestCount).where(RequestCount.key == key))
