"""Declarative base and column types shared by every model."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from sqlalchemy import MetaData
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import DeclarativeBase, Mapped, declared_attr, mapped_column
from sqlalchemy.types import TypeDecorator

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC timestamp on every database (SQLite stores no zone)."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use timezone-aware UTC")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


# JSON documents: JSONB on PostgreSQL, JSON text elsewhere.
JSONDoc = sa.JSON().with_variant(postgresql.JSONB(), "postgresql")
# Integer primary keys that autoincrement on SQLite as well as PostgreSQL.
BigIntKey = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), dict: JSONDoc, list: JSONDoc}


class UUIDKey:
    """Records identified by a UUID that never changes."""

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True, default=uuid.uuid4)


class Timestamps:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Versioned:
    """Records written under optimistic concurrency (compare-and-set).

    Each UPDATE of the row says ``WHERE version = <the version this session read>`` and
    increments it, so a writer that read the record before another writer committed changes
    nothing and fails (``StaleDataError``, answered 412 by the unit of work) instead of
    overwriting that change.
    """

    version: Mapped[int] = mapped_column(default=1, server_default="1")

    @declared_attr.directive
    def __mapper_args__(cls) -> dict:
        return {"version_id_col": cls.__table__.c.version}


# Tables the models do not describe: procrastinate's queue on PostgreSQL, created by the
# migrations from the SQL its package ships. Autogenerate and the schema checks leave them out.
FOREIGN_TABLE_PREFIXES = ("procrastinate_",)


def described_by_models(name, type_, parent_names) -> bool:
    """Alembic's ``include_name``: False for the tables (and their parts) of other owners."""
    if type_ == "table":
        return not (name or "").startswith(FOREIGN_TABLE_PREFIXES)
    return True
