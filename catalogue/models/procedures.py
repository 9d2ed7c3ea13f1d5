"""Collections-management procedures: entries, acquisitions, audits, exits (and, later, loans).

Every kind shares one table: the columns hold what is filtered, constrained and joined (kind,
number, status, the main date), ``document`` the whole record as staff read it. The objects a
procedure concerns are also rows of ``procedure_objects``, so "every procedure of this object"
and "is this object in another open exit" are indexed queries.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from catalogue.models.base import Base, BigIntKey, Timestamps, UUIDKey, Versioned


class ProcedureKind(enum.StrEnum):
    entry = "entry"
    acquisition = "acquisition"
    audit = "audit"
    exit = "exit"


class Procedure(UUIDKey, Timestamps, Versioned, Base):
    __tablename__ = "procedures"
    __table_args__ = (
        sa.UniqueConstraint("kind", "number", name="uq_procedures_kind_number"),
        sa.Index("ix_procedures_kind_status", "kind", "status"),
    )

    kind: Mapped[str] = mapped_column(sa.String(20))
    number: Mapped[str] = mapped_column(sa.String(100))
    status: Mapped[str] = mapped_column(sa.String(20))
    # The date the kind says is its own (entry date, decision date, exit date...), for
    # filters and the object biography.
    date: Mapped[date | None] = mapped_column(sa.Date)
    # True once a transition changed objects (accession numbers, collection status): such a
    # procedure is cancelled, never deleted.
    changed_objects: Mapped[bool] = mapped_column(default=False)
    created_by: Mapped[str | None] = mapped_column(sa.String(320))
    updated_by: Mapped[str | None] = mapped_column(sa.String(320))
    document: Mapped[dict] = mapped_column(default=dict)


class ProcedureObject(Base):
    """An object a procedure concerns (for audits: the objects expected or recorded)."""

    __tablename__ = "procedure_objects"

    procedure_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("procedures.id", ondelete="CASCADE"), primary_key=True
    )
    object_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("objects.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    position: Mapped[int] = mapped_column(default=0)


class ProcedureVersion(Base):
    """A saved state of a procedure, as ``ObjectVersion`` is of an object (no foreign key:
    the history of a deleted procedure stays readable)."""

    __tablename__ = "procedure_versions"
    __table_args__ = (
        sa.UniqueConstraint("procedure_id", "number", name="uq_procedure_versions_number"),
    )

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=True)
    procedure_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)
    number: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()
    created_by: Mapped[str | None] = mapped_column(sa.String(320))
    changed: Mapped[list] = mapped_column(default=list)
    record: Mapped[dict] = mapped_column()
    note: Mapped[str | None] = mapped_column(sa.String(500))


class ProcedureNumber(Base):
    """Every number a procedure ever had, kept when it is deleted: never given again."""

    __tablename__ = "procedure_numbers"

    kind: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    number: Mapped[str] = mapped_column(sa.String(100), primary_key=True)


class NumberCounter(Base):
    """The last sequence number given per series (a kind and a year; accessions per year)."""

    __tablename__ = "number_counters"

    series: Mapped[str] = mapped_column(sa.String(40), primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


class ProcedureChange(Base):
    """The change log of procedures, read by staff only (never by a public feed)."""

    __tablename__ = "procedure_changes"

    seq: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=True)
    procedure_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)
    kind: Mapped[str] = mapped_column(sa.String(20))
    number: Mapped[str] = mapped_column(sa.String(100))
    event: Mapped[str] = mapped_column(sa.String(20))
    status: Mapped[str | None] = mapped_column(sa.String(20))
    at: Mapped[datetime] = mapped_column(index=True)
    by: Mapped[str | None] = mapped_column(sa.String(320))
