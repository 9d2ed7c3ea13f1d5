"""Batches: one change applied to many objects, previewed first, run in the background."""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from catalogue.models.base import Base, UUIDKey


class Batch(UUIDKey, Base):
    """A batch: its frozen targets (the items), the operation, its state and counts.

    ``status``: ``preview`` (created, nothing changed) -> ``running`` -> ``done`` or
    ``failed``. ``undo_of`` names the batch an undo reverses.
    """

    __tablename__ = "batches"

    status: Mapped[str] = mapped_column(sa.String(16), default="preview", index=True)
    targets: Mapped[dict] = mapped_column()
    operation: Mapped[dict] = mapped_column()
    counts: Mapped[dict] = mapped_column()
    created_at: Mapped[datetime] = mapped_column()
    created_by: Mapped[str | None] = mapped_column(sa.String(320))
    role: Mapped[str] = mapped_column(sa.String(16))
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
    job_id: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid)
    undo_of: Mapped[uuid.UUID | None] = mapped_column(sa.Uuid, index=True)
    error: Mapped[str | None] = mapped_column(sa.String(2000))


class BatchItem(Base):
    """One target of a batch: what the preview found, and what the run did.

    ``outcome`` (preview): ``change``, ``unchanged`` or ``skip`` (with ``reason``);
    ``version_before`` is the object's version the preview read. ``result`` (run):
    ``changed``, ``unchanged``, ``skipped`` or ``failed`` (with ``result_reason``), and
    ``version_after`` the version the batch wrote.
    """

    __tablename__ = "batch_items"

    batch_id: Mapped[uuid.UUID] = mapped_column(
        sa.ForeignKey("batches.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    object_id: Mapped[uuid.UUID] = mapped_column(sa.Uuid, index=True)
    object_number: Mapped[str | None] = mapped_column(sa.String(100))
    outcome: Mapped[str] = mapped_column(sa.String(16))
    changes: Mapped[list | None] = mapped_column()
    reason: Mapped[dict | None] = mapped_column()
    version_before: Mapped[int | None] = mapped_column()
    result: Mapped[str | None] = mapped_column(sa.String(16))
    result_reason: Mapped[dict | None] = mapped_column()
    version_after: Mapped[int | None] = mapped_column()
    # What the object was before the run, for an undo of changes outside its record
    # (the location it moved from).
    undo_data: Mapped[dict | None] = mapped_column()
