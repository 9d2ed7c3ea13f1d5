"""Every background task, registered by name when the app is built: the one place to read.

``services.background.jobs.defer(name, **args)`` queues one; workers (``catalogue worker``,
or a thread of the serving process with ``BACKGROUND_RUN=thread``) run them.
"""

from __future__ import annotations

from catalogue.services.background import tasks, worker
from catalogue.services.batches import create as batches_create
from catalogue.services.batches import run as batches_run
from catalogue.services.exchange import jobs as import_jobs


def register(app) -> None:
    # A commit of an import sent through the API (POST /api/v1/imports/{id}/commit).
    tasks.register(
        app, import_jobs.COMMIT_TASK, import_jobs.run_commit, on_failure=import_jobs.commit_failed
    )
    # The run of a batch, and of an undo (POST /api/v1/batches/{id}/run, .../undo).
    tasks.register(app, batches_create.RUN_TASK, batches_run.run, on_failure=batches_run.run_failed)
    if app.config["BACKGROUND_RUN"] == "thread":
        # The serving process runs the jobs itself: its worker thread starts with the first
        # request (again in each process a server forks).
        app.before_request(lambda: worker.start_thread(app))
