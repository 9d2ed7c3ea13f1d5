"""The one way to defer work: ``defer(task, **args)``, and the job's state read back.

Callers never know which queue runs the job. Every job has a row in ``background_jobs``
(status, attempts, progress, error, result), written in the caller's transaction: a job
deferred by a unit of work that rolls back never runs, and one that commits is durable.

- SQLite (the embedded default): the row is the queue; the local worker takes it
  (``local``), in a thread of the serving process or in ``catalogue worker``.
- PostgreSQL: procrastinate queues the job too (``postgres``), in the same transaction, and
  its workers (``catalogue worker``) fetch it with ``SKIP LOCKED``, woken by ``LISTEN/NOTIFY``.

Statuses: ``queued`` (waiting, or waiting for a retry) -> ``running`` -> ``succeeded``, or
after the last failed attempt ``failed``.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from flask import current_app

from catalogue.extensions import db
from catalogue.models import BackgroundJob, JobStatus
from catalogue.models.base import utcnow
from catalogue.services import uow
from catalogue.services.errors import NotFound
from catalogue.services.identity import Identity

# The longest error text kept on a job (the end of a traceback is not kept: the log has it).
ERROR_CHARS = 2000


def on_postgresql() -> bool:
    return db.engine.dialect.name == "postgresql"


def defer(task: str, *, created_by: str | None = None, **args) -> uuid.UUID:
    """Queue ``task`` with ``args`` (JSON values) in the current transaction; it runs once
    the caller's unit of work commits. Returns the job's id."""
    from catalogue.services.background import tasks

    definition = tasks.lookup(task)
    job = BackgroundJob(
        id=uuid.uuid4(),
        task=task,
        args=args,
        status=JobStatus.queued,
        attempts=0,
        max_attempts=definition.max_attempts or current_app.config["BACKGROUND_MAX_ATTEMPTS"],
        run_after=utcnow(),
        created_by=created_by,
    )
    db.session.add(job)
    db.session.flush()
    if on_postgresql():
        from catalogue.services.background import postgres

        postgres.enqueue(job.id)
    else:
        from catalogue.services.background import local

        uow.after_commit(local.wake)
    return job.id


def to_dict(job: BackgroundJob) -> dict:
    from catalogue.services.objects.documents import iso

    return {
        "id": str(job.id),
        "task": job.task,
        "status": str(job.status),
        "attempts": job.attempts,
        "max_attempts": job.max_attempts,
        "progress": job.progress,
        "error": job.error,
        "result": job.result,
        "created_at": iso(job.created_at),
        "created_by": job.created_by,
        "started_at": iso(job.started_at),
        "finished_at": iso(job.finished_at),
        "next_attempt_at": iso(job.run_after) if job.status == JobStatus.queued else None,
        "links": {"self": f"/api/v1/jobs/{job.id}"},
    }


def read(job_id: uuid.UUID) -> dict | None:
    """The job as the API shows it (None if there is no such job)."""
    job = db.session.get(BackgroundJob, job_id, populate_existing=True)
    return None if job is None else to_dict(job)


def get(identity: Identity, job_id: uuid.UUID) -> dict:
    """A job and its state, for staff."""
    identity.require_staff()
    data = read(job_id)
    if data is None:
        raise NotFound(f"No job with id {job_id}.")
    return data


# ---- the state a worker writes --------------------------------------------------------------


def retry_at(attempts: int) -> datetime:
    base = current_app.config["BACKGROUND_RETRY_SECONDS"]
    return utcnow() + timedelta(seconds=base * 2 ** max(0, attempts - 1))


def _owned(job_id: uuid.UUID, worker: str):
    return sa.and_(
        BackgroundJob.id == job_id,
        BackgroundJob.status == JobStatus.running,
        BackgroundJob.worker == worker,
    )


def start(job_id: uuid.UUID, worker: str) -> bool:
    """Take a job a queue handed to this worker (PostgreSQL): ``running``, one more attempt.
    False if it is finished already (run twice by a queue: nothing to do)."""
    now = utcnow()
    taken = db.session.execute(
        sa.update(BackgroundJob)
        .where(
            BackgroundJob.id == job_id,
            BackgroundJob.status.in_((JobStatus.queued, JobStatus.running)),
        )
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
    return bool(taken)


def beat(job_id: uuid.UUID, worker: str, progress: dict | None = None) -> None:
    """Say the worker still runs the job (on a connection of its own)."""
    values: dict = {"heartbeat_at": utcnow()}
    if progress is not None:
        values["progress"] = progress
    with db.engine.begin() as connection:
        connection.execute(sa.update(BackgroundJob).where(_owned(job_id, worker)).values(**values))


def succeed(
    job_id: uuid.UUID, worker: str, result: dict | None, progress: dict | None = None
) -> None:
    db.session.rollback()
    values = {"status": JobStatus.succeeded, "result": result, "finished_at": utcnow()}
    if progress is not None:
        values["progress"] = progress
    db.session.execute(
        sa.update(BackgroundJob)
        .where(_owned(job_id, worker))
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    uow.commit()


def fail(job_id: uuid.UUID, worker: str, error: str) -> datetime | None:
    """Record a failed attempt: queued again after a wait, or ``failed`` after the last one.
    Returns when it runs again (None: it does not)."""
    db.session.rollback()
    job = db.session.get(BackgroundJob, job_id, populate_existing=True)
    if job is None or job.status != JobStatus.running or job.worker != worker:
        return None  # another worker took it over
    job.error = error[:ERROR_CHARS]
    if job.attempts >= job.max_attempts:
        job.status, job.finished_at, again = JobStatus.failed, utcnow(), None
    else:
        job.status, again = JobStatus.queued, retry_at(job.attempts)
        job.run_after, job.worker = again, None
    db.session.flush()
    if again is not None and on_postgresql():
        from catalogue.services.background import postgres

        postgres.enqueue(job_id, again)
    uow.commit()
    return again
