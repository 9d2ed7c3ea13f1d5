"""The tasks a worker can run, registered by name when the app is built (``catalogue.tasks``).

A task is a function ``run(context, **args)``: ``args`` are the JSON values given to
``jobs.defer``; it returns a JSON object (the job's ``result``) or None. Raising makes the
attempt fail: the job is tried again after a wait (``BACKGROUND_RETRY_SECONDS``, doubling),
and after its last attempt it is ``failed`` and the task's ``on_failure(error, **args)`` runs.
A job may run more than once (a worker killed half-way leaves it to another), so a task
must be safe to run again.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask, current_app


@dataclass
class Context:
    """What a running task knows of its job."""

    job_id: uuid.UUID
    attempt: int
    report_progress: Callable[[dict], None] = field(repr=False)

    def progress(self, data: dict) -> None:
        """Show ``data`` as the job's ``progress`` (written at most every second)."""
        self.report_progress(data)


@dataclass(frozen=True)
class Task:
    name: str
    run: Callable[..., dict | None]
    on_failure: Callable[..., None] | None = None
    max_attempts: int | None = None  # else BACKGROUND_MAX_ATTEMPTS


class UnknownTask(LookupError):
    pass


def register(
    app: Flask,
    name: str,
    run: Callable[..., dict | None],
    on_failure: Callable[..., None] | None = None,
    max_attempts: int | None = None,
) -> None:
    app.extensions.setdefault("background_tasks", {})[name] = Task(
        name, run, on_failure, max_attempts
    )


def lookup(name: str) -> Task:
    task = current_app.extensions.get("background_tasks", {}).get(name)
    if task is None:
        raise UnknownTask(f"No background task named {name!r}.")
    return task
