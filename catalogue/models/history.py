"""What happened to objects: saved versions, tombstones, and the ordered change log."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column, validates

from catalogue.models.authorities import _enum
from catalogue.models.base import Base, BigIntKey
from catalogue.models.objects import Status
from catalogue.models.packed import PackedJSON


class ObjectVersion(Base):
    """A saved state of an object: who saved it, when, the full record, which fields changed.

    Versions outlive the object (no foreign key) so a deleted record's history stays readable
    in backups and audits.
    """

    __tablename__ = "object_versions"
    __table_args__ = (sa.UniqueConstraint("object_id", "number", name="uq_object_versions_number"),)

    id: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=True)
    object_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)
    number: Mapped[int] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()
    created_by: Mapped[str | None] = mapped_column(sa.String(320))
    changed: Mapped[list] = mapped_column(default=list)
    record: Mapped[dict] = mapped_column(PackedJSON)
    # The record's status in this version (what decides who may read it), taken from it.
    status: Mapped[Status] = mapped_column(_enum(Status, "object_status"))
    note: Mapped[str | None] = mapped_column(sa.String(500))
    # The batch that saved this version (``batches``), if one did.
    batch_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, index=True)

    @validates("record")
    def _record_status(self, key: str, record: dict) -> dict:
        self.status = Status(record["status"])
        return record


class Tombstone(Base):
    """What remains of a deleted object, so feeds and harvesters learn of the deletion."""

    __tablename__ = "tombstones"

    id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, primary_key=True)
    object_number: Mapped[str] = mapped_column(sa.String(100), unique=True)
    deleted_at: Mapped[datetime] = mapped_column()
    deleted_by: Mapped[str | None] = mapped_column(sa.String(320))
    last_status: Mapped[Status] = mapped_column(_enum(Status, "object_status"))
    last_version: Mapped[int] = mapped_column()


class ChangeEvent(enum.StrEnum):
    created = "created"
    updated = "updated"
    deleted = "deleted"


class ChangeLogEntry(Base):
    """One change to one object, written in the transaction that made it.

    ``seq`` orders entries in commit order: writers take a lock before appending (see
    ``services.uow``), so a reader that has seen ``seq`` N never later finds a smaller one.
    ``status_before``/``status_after`` let each consumer decide what entered or left its view.
    """

    __tablename__ = "change_log"
    __table_args__ = (sa.Index("ix_change_log_object_id_seq", "object_id", "seq"),)

    seq: Mapped[int] = mapped_column(BigIntKey, primary_key=True, autoincrement=True)
    object_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid)
    object_number: Mapped[str] = mapped_column(sa.String(100))
    event: Mapped[ChangeEvent] = mapped_column(_enum(ChangeEvent, "change_event"))
    status_before: Mapped[Status | None] = mapped_column(_enum(Status, "object_status"))
    status_after: Mapped[Status | None] = mapped_column(_enum(Status, "object_status"))
    at: Mapped[datetime] = mapped_column(index=True)
    # A change of the object's place in a public set (``added`` or ``removed``): the object
    # itself is unchanged, but its OAI-PMH sets and the set's published membership are not.
    set_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    set_change: Mapped[str | None] = mapped_column(sa.String(16))
