"""The queue of the embedded default (SQLite): the ``background_jobs`` rows themselves.

A worker claims the oldest job that is due (``queued`` and past ``run_after``), or one whose
worker stopped saying it is alive (``running``, no heartbeat for ``BACKGROUND_LEASE_SECONDS``:
it was killed), with one UPDATE that only one claimer can win (SQLite has one writer).
"""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import sqlalchemy as sa
from flask import current_app

from catalogue.extensions import db
from catalogue.models import BackgroundJob, JobStatus
from catalogue.models.base import utcnow
from catalogue.services import uow

# Wakes the worker thread of this process when a job deferred here commits.
WAKE = threading.Event()


def wake() -> None:
    WAKE.set()


def _claimable(now):
    lease = timedelta(seconds=current_app.config["BACKGROUND_LEASE_SECONDS"])
    return sa.or_(
        sa.and_(BackgroundJob.status == JobStatus.queued, BackgroundJob.run_after <= now),
        sa.and_(
            BackgroundJob.status == JobStatus.running, BackgroundJob.heartbeat_at < now - lease
        ),
    )


def claim(worker: str) -> uuid.UUID | None:
    """Take the next job for ``worker`` (``running``, one more attempt), or None."""
    now = utcnow()
    job_id = db.session.execute(
        sa.select(BackgroundJob.id)
        .where(_claimable(now))
        .order_by(BackgroundJob.run_after, BackgroundJob.created_at)
        .limit(1)
    ).scalar()
    if job_id is None:
        db.session.rollback()
        return None
    taken = db.session.execute(
        sa.update(BackgroundJob)
        .where(BackgroundJob.id == job_id, _claimable(now))
        .values(
            status=JobStatus.running,
            attempts=BackgroundJob.attempts + 1,
            worker=worker,
            heartbeat_at=now,
            started_at=sa.func.coalesce(BackgroundJob.started_at, now),
        )
        .execution_options(synchronize_session=False)
    ).rowcount
    uow.commit()
    return job_id if taken else None
