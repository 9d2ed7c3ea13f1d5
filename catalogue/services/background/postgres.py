"""The queue on PostgreSQL: procrastinate (psycopg 3, ``SKIP LOCKED``, ``LISTEN/NOTIFY``).

Its schema is created by the migrations (``0012``). Each catalogue job is one procrastinate
job of the task ``catalogue.run_job`` carrying the job's id, deferred on the caller's own
connection, so it is queued with the caller's transaction and procrastinate's trigger
notifies the workers when that commits. A retry is a new procrastinate job scheduled for
the retry's time. A worker killed half-way stops sending procrastinate heartbeats; after
``BACKGROUND_LEASE_SECONDS`` any worker puts its job back in the queue (``retry_stalled``).
"""

from __future__ import annotations

import asyncio
import logging
import threading
import uuid
from collections.abc import Callable
from datetime import datetime

from flask import Flask, current_app

from catalogue.extensions import db

log = logging.getLogger(__name__)

TASK = "catalogue.run_job"
# How many heartbeats a worker sends within one lease.
BEATS_PER_LEASE = 6


def _conninfo(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def queue_app(run: Callable[[str], None] | None = None):
    """A procrastinate app on the catalogue's database; ``run(job_id)`` runs a job (workers)."""
    import procrastinate

    app = procrastinate.App(
        connector=procrastinate.PsycopgConnector(conninfo=_conninfo(db.engine.url))
    )

    @app.task(name=TASK)
    def run_job(job_id: str) -> None:
        if run is None:
            raise RuntimeError("This procrastinate app only defers jobs.")
        run(job_id)

    return app


def _deferrer() -> object:
    app = current_app.extensions.get("background_deferrer")
    if app is None:
        app = current_app.extensions["background_deferrer"] = queue_app()
    return app


def enqueue(job_id: uuid.UUID, at: datetime | None = None) -> None:
    """Queue ``job_id`` in the session's transaction (at ``at``, or now)."""
    connection = db.session.connection().connection.driver_connection
    options: dict = {"connection": connection}
    if at is not None:
        options["schedule_at"] = at
    _deferrer().configure_task(TASK, **options).defer(job_id=str(job_id))


async def _retry_stalled(app, lease: float) -> int:
    """Put back in the queue the jobs of workers silent for longer than ``lease``."""
    from procrastinate import exceptions

    retried = 0
    for job in await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=lease):
        try:
            await app.job_manager.retry_job(job)
            retried += 1
            log.warning("background: job %s of a stopped worker queued again", job.id)
        except exceptions.ProcrastinateException:
            pass  # another worker did it first
    return retried


def work(flask_app: Flask, run: Callable[[str], None], stop: threading.Event, until_empty: bool):
    """Run a procrastinate worker (one job at a time) until ``stop`` is set, or, with
    ``until_empty``, until no job is due."""
    with flask_app.app_context():
        config = flask_app.config
        lease = config["BACKGROUND_LEASE_SECONDS"]
        poll = config["BACKGROUND_POLL_SECONDS"]
        app = queue_app(run)

    async def main() -> None:
        async with app.open_async():
            await _retry_stalled(app, lease)
            worker = asyncio.create_task(
                app.run_worker_async(
                    concurrency=1,
                    wait=not until_empty,
                    install_signal_handlers=False,
                    listen_notify=not until_empty,
                    fetch_job_polling_interval=poll,
                    update_heartbeat_interval=lease / BEATS_PER_LEASE,
                    stalled_worker_timeout=lease,
                    delete_jobs="successful",
                )
            )
            next_look = asyncio.get_running_loop().time() + lease / 2
            while not worker.done() and not stop.is_set():
                await asyncio.sleep(0.1)
                if asyncio.get_running_loop().time() >= next_look:
                    next_look += lease / 2
                    await _retry_stalled(app, lease)
            if not worker.done():
                worker.cancel()
            await asyncio.gather(worker, return_exceptions=True)

    _run(main)


def _run(coroutine: Callable) -> None:
    """``asyncio.run`` in this thread, or in a thread of its own when this one already runs
    an event loop (a host application's)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(coroutine())
        return
    errors: list[BaseException] = []

    def target() -> None:
        try:
            asyncio.run(coroutine())
        except BaseException as error:  # raised again in the caller's thread
            errors.append(error)

    thread = threading.Thread(target=target, name="background-queue")
    thread.start()
    while thread.is_alive():
        thread.join(0.2)
    if errors:
        raise errors[0]
