"""Workers: take jobs from the queue and run their tasks, one at a time.

``run`` is what ``catalogue worker`` runs in the foreground (any number of them, on any
node); with ``BACKGROUND_RUN=thread`` the serving process runs the same loop in a thread of
its own (``start_thread``), so the embedded default needs nothing else started. While a job
runs, a heartbeat thread tells the database the worker is alive and writes the task's
progress; a worker killed half-way stops beating, and after ``BACKGROUND_LEASE_SECONDS``
another worker runs the job again (tasks are safe to run again).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid

from flask import Flask, current_app

from catalogue.extensions import db
from catalogue.models import BackgroundJob
from catalogue.services.background import jobs, local, tasks

log = logging.getLogger(__name__)

_threads: dict[int, tuple[threading.Thread, int, threading.Event]] = {}
_threads_lock = threading.Lock()


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}"


# ---- running one job ------------------------------------------------------------------------


class _Heartbeat:
    """Beats for a running job every ``interval`` seconds, with its latest progress."""

    def __init__(self, app: Flask, job_id: uuid.UUID, worker: str, interval: float) -> None:
        self.app, self.job_id, self.worker, self.interval = app, job_id, worker, interval
        self.latest: dict | None = None
        self.done = threading.Event()
        self.thread = threading.Thread(target=self._beat, name="job-heartbeat", daemon=True)

    def progress(self, data: dict) -> None:
        self.latest = dict(data)

    def _beat(self) -> None:
        with self.app.app_context():
            while not self.done.wait(self.interval):
                try:
                    jobs.beat(self.job_id, self.worker, self.latest)
                except Exception as error:  # a busy database: the next beat tries again
                    log.warning("background: heartbeat of job %s: %s", self.job_id, error)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.done.set()
        self.thread.join()


def execute(job_id: uuid.UUID, worker: str) -> None:
    """Run a job this worker holds (``running``), and record what came of it."""
    app = current_app._get_current_object()
    job = db.session.get(BackgroundJob, job_id, populate_existing=True)
    if job is None:
        return
    name, args, attempt, most = job.task, dict(job.args), job.attempts, job.max_attempts
    db.session.rollback()
    try:
        task = tasks.lookup(name)
    except tasks.UnknownTask as error:
        jobs.fail(job_id, worker, str(error))
        return
    if attempt > most:  # every attempt ended with its worker stopped
        _give_up(task, job_id, worker, "The workers running this job stopped each time.", args)
        return
    interval = max(0.1, min(1.0, app.config["BACKGROUND_LEASE_SECONDS"] / 6))
    log.info("background: job %s (%s), attempt %d", job_id, name, attempt)
    try:
        with _Heartbeat(app, job_id, worker, interval) as heartbeat:
            context = tasks.Context(job_id, attempt, heartbeat.progress)
            result = task.run(context, **args)
    except Exception as error:
        db.session.rollback()
        message = f"{type(error).__name__}: {error}"
        log.warning("background: job %s (%s) failed: %s", job_id, name, message, exc_info=True)
        _give_up(task, job_id, worker, message, args)
        return
    finally:
        db.session.remove()
    jobs.succeed(job_id, worker, result, heartbeat.latest)
    log.info("background: job %s (%s) done", job_id, name)


def _give_up(task: tasks.Task, job_id: uuid.UUID, worker: str, message: str, args: dict):
    """Record a failed attempt; after the last one, the task's ``on_failure`` runs."""
    again = jobs.fail(job_id, worker, message)
    if again is None and task.on_failure is not None and _failed(job_id):
        task.on_failure(message, **args)


def _failed(job_id: uuid.UUID) -> bool:
    data = jobs.read(job_id)
    db.session.rollback()
    return data is not None and data["status"] == "failed"


# ---- the loop -------------------------------------------------------------------------------


def run(stop: threading.Event | None = None, until_empty: bool = False) -> int:
    """Run jobs until ``stop`` is set (or, with ``until_empty``, until none is due).
    Returns how many jobs this worker ran (SQLite; None counted on PostgreSQL)."""
    stop = stop or threading.Event()
    app = current_app._get_current_object()
    if jobs.on_postgresql():
        from catalogue.services.background import postgres

        def run_one(job_id: str) -> None:
            with app.app_context():
                try:
                    name = worker_name()
                    if jobs.start(uuid.UUID(job_id), name):
                        execute(uuid.UUID(job_id), name)
                finally:
                    db.session.remove()

        postgres.work(app, run_one, stop, until_empty)
        return 0
    return _run_local(app, stop, until_empty)


def _run_local(app: Flask, stop: threading.Event, until_empty: bool) -> int:
    ran = 0
    name = worker_name()
    poll = app.config["BACKGROUND_POLL_SECONDS"]
    while not stop.is_set():
        try:
            job_id = local.claim(name)
        except Exception as error:  # the database is away or busy: look again later
            db.session.rollback()
            log.warning("background: cannot look for jobs: %s", error)
            job_id = None
        if job_id is not None:
            execute(job_id, name)
            ran += 1
            continue
        db.session.remove()
        if until_empty:
            break
        local.WAKE.wait(poll)
        local.WAKE.clear()
    return ran


def start_thread(app: Flask) -> None:
    """With ``BACKGROUND_RUN=thread``: run this process's worker thread (once per process)."""
    if app.config["BACKGROUND_RUN"] != "thread":
        return
    running = _threads.get(id(app))
    if running is not None and running[1] == os.getpid() and running[0].is_alive():
        return
    with _threads_lock:
        running = _threads.get(id(app))
        # A forked process (a server's worker) has no copy of its parent's threads.
        if running is not None and running[1] == os.getpid() and running[0].is_alive():
            return
        stop = threading.Event()

        def loop() -> None:
            with app.app_context():
                while not stop.is_set():
                    try:
                        run(stop)
                    except Exception:
                        log.exception("background: the worker thread stopped; restarting")
                        stop.wait(1)

        thread = threading.Thread(target=loop, name="background-worker", daemon=True)
        _threads[id(app)] = (thread, os.getpid(), stop)
        thread.start()


def stop_thread(app: Flask, seconds: float = 30) -> None:
    """Stop this process's worker thread of ``app`` once its current job is done."""
    running = _threads.pop(id(app), None)
    if running is not None:
        running[2].set()
        local.wake()
        running[0].join(seconds)
