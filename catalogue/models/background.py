"""Background jobs: work deferred to the node's workers, with its state for everyone to read.

One row per deferred job on every database. On SQLite the row is the queue itself (the local
worker claims it); on PostgreSQL procrastinate queues and dispatches the work and the row
keeps what callers read back (status, attempts, progress, error, result).
"""

from __future__ import annotations

import enum
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from catalogue.models.authorities import _enum
from catalogue.models.base import Base, UUIDKey, utcnow


class JobStatus(enum.StrEnum):
    queued = "queued"  # waiting for a worker (a retry waits until ``run_after``)
    running = "running"  # a worker has it (and keeps ``heartbeat_at`` fresh)
    succeeded = "succeeded"
    failed = "failed"  # every attempt failed: ``error`` says why; nothing retries it


class BackgroundJob(UUIDKey, Base):
    __tablename__ = "background_jobs"
    __table_args__ = (sa.Index("ix_background_jobs_status_run_after", "status", "run_after"),)

    task: Mapped[str] = mapped_column(sa.String(100))
    args: Mapped[dict] = mapped_column(default=dict)
    status: Mapped[JobStatus] = mapped_column(_enum(JobStatus, "job_status"))
    attempts: Mapped[int] = mapped_column(default=0)
    max_attempts: Mapped[int] = mapped_column()
    run_after: Mapped[datetime] = mapped_column(default=utcnow)
    # The worker holding a running job, and when it last said it was alive.
    worker: Mapped[str | None] = mapped_column(sa.String(200))
    heartbeat_at: Mapped[datetime | None] = mapped_column()
    progress: Mapped[dict | None] = mapped_column()
    error: Mapped[str | None] = mapped_column(sa.Text)
    result: Mapped[dict | None] = mapped_column()
    created_by: Mapped[str | None] = mapped_column(sa.String(320))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column()
    finished_at: Mapped[datetime | None] = mapped_column()
