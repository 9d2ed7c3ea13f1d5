"""The background queue through its one interface: deferring, running, retrying, failing.

The same tests run on SQLite (the local queue) and PostgreSQL (procrastinate); the worker is
the real loop (``catalogue worker --until-empty``) run in the test's process.
"""

from __future__ import annotations

import threading
import time
import uuid
from datetime import datetime

import pytest

from catalogue.extensions import db
from catalogue.services import uow
from catalogue.services.background import jobs, tasks
from tests.background import wait_for, work_off

FAILURES: list[tuple[str, dict]] = []


def echo(context, value):
    context.progress({"seen": value})
    return {"value": value, "attempt": context.attempt}


def flaky(context, fails):
    if context.attempt <= fails:
        raise OSError(f"attempt {context.attempt} failed")
    return {"attempt": context.attempt}


def broken(context, name):
    raise ValueError(f"{name} cannot be done")


@pytest.fixture
def test_tasks(app):
    registry = app.extensions["background_tasks"]
    before = dict(registry)
    tasks.register(app, "test.echo", echo)
    tasks.register(app, "test.flaky", flaky, max_attempts=5)
    tasks.register(
        app, "test.broken", broken, on_failure=lambda error, name: FAILURES.append((error, name)),
        max_attempts=2,
    )  # fmt: skip
    FAILURES.clear()
    yield
    registry.clear()
    registry.update(before)


def defer(app, task, **args) -> uuid.UUID:
    with app.app_context():
        job_id = jobs.defer(task, created_by="curator@museum.example", **args)
        uow.commit()
        db.session.remove()
    return job_id


def state(app, job_id) -> dict:
    with app.app_context():
        data = jobs.read(job_id)
        db.session.remove()
    return data


def when(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_a_deferred_job_runs_once_the_unit_that_deferred_it_commits(app, test_tasks):
    with app.app_context():
        dropped = jobs.defer("test.echo", value="never")
        db.session.rollback()  # the caller's unit failed: its job goes with it
        db.session.remove()
    job_id = defer(app, "test.echo", value="vitrine 3")
    assert state(app, job_id)["status"] == "queued"
    work_off(app)
    assert state(app, dropped) is None
    done = state(app, job_id)
    assert done["status"] == "succeeded"
    assert done["result"] == {"value": "vitrine 3", "attempt": 1}
    assert done["progress"] == {"seen": "vitrine 3"}
    assert done["attempts"] == 1 and done["error"] is None
    assert done["started_at"] and done["finished_at"] and done["next_attempt_at"] is None
    work_off(app)  # nothing runs twice
    assert state(app, job_id)["attempts"] == 1


def test_a_failing_job_is_tried_again_after_a_growing_wait(app, test_tasks, monkeypatch):
    monkeypatch.setitem(app.config, "BACKGROUND_RETRY_SECONDS", 1.0)
    job_id = defer(app, "test.flaky", fails=2)
    work_off(app)
    first = state(app, job_id)
    assert (first["status"], first["attempts"]) == ("queued", 1)
    assert first["error"] == "OSError: attempt 1 failed"
    work_off(app)  # not due yet: nothing runs
    assert state(app, job_id)["attempts"] == 1
    time.sleep(1.1)
    work_off(app)
    second = state(app, job_id)
    assert (second["status"], second["attempts"]) == ("queued", 2)
    # The wait doubles: 1 s after the first failure, 2 s after the second.
    waits = [when(s["next_attempt_at"]) - when(s["started_at"]) for s in (first, second)]
    assert waits[0].total_seconds() >= 1.0 and waits[1].total_seconds() >= 3.0
    time.sleep(2.1)
    work_off(app)
    done = state(app, job_id)
    assert (done["status"], done["attempts"], done["result"]) == ("succeeded", 3, {"attempt": 3})


def test_a_job_failing_every_attempt_is_failed_and_says_why(app, test_tasks):
    job_id = defer(app, "test.broken", name="le constat")
    for _ in range(2):
        work_off(app)
        time.sleep(0.3)
    work_off(app)
    failed = state(app, job_id)
    assert failed["status"] == "failed"
    assert failed["attempts"] == 2 == failed["max_attempts"]
    assert failed["error"] == "ValueError: le constat cannot be done"
    assert failed["finished_at"] and failed["next_attempt_at"] is None
    # The task learns it once, after the last attempt.
    assert FAILURES == [("ValueError: le constat cannot be done", "le constat")]


def test_the_api_shows_a_job_to_staff_only(app, client, users, test_tasks):
    job_id = defer(app, "test.broken", name="le constat")
    path = f"/api/v1/jobs/{job_id}"
    queued = client.get(path, headers=users["curator"].headers)
    assert queued.status_code == 200
    assert queued.get_json()["status"] == "queued" and queued.get_json()["task"] == "test.broken"
    for _ in range(3):
        work_off(app)
        time.sleep(0.3)
    failed = client.get(path, headers=users["admin"].headers).get_json()
    assert failed["status"] == "failed" and "le constat" in failed["error"]
    for caller, status in (("anonymous", 401), ("researcher", 403)):
        refused = client.get(path, headers=users[caller].headers)
        assert refused.status_code == status
        assert refused.mimetype == "application/problem+json"
        assert "le constat" not in refused.get_data(as_text=True)
    unknown = client.get(f"/api/v1/jobs/{uuid.uuid4()}", headers=users["curator"].headers)
    assert unknown.status_code == 404 and unknown.mimetype == "application/problem+json"
    malformed = client.get("/api/v1/jobs/not-a-job", headers=users["curator"].headers)
    assert malformed.status_code == 404 and malformed.mimetype == "application/problem+json"


def test_an_unknown_task_is_refused_when_deferred(app, test_tasks):
    with app.app_context(), pytest.raises(tasks.UnknownTask):
        jobs.defer("test.nothing")


def test_the_serving_process_runs_jobs_itself_by_default(app, curator, tmp_path):
    """``BACKGROUND_RUN=thread`` (``catalogue run``): nothing else to start."""
    from catalogue.services.background import worker
    from tests.nodes import node

    with node(app, tmp_path, BACKGROUND_RUN="thread") as served:
        tasks.register(served, "test.echo", echo)
        client = served.test_client()
        try:
            client.get("/healthz")  # the first request starts the worker thread
            job_id = defer(served, "test.echo", value="réserve B")
            finished = wait_for(lambda: state(served, job_id)["status"] == "succeeded", 30)
        finally:
            worker.stop_thread(served)
    assert finished
    assert state(app, job_id)["result"]["value"] == "réserve B"


def test_an_unknown_way_of_running_jobs_stops_the_app_at_start(tmp_path_factory):
    from catalogue import create_app
    from tests.conftest import make_test_config

    config = make_test_config(tmp_path_factory, "sqlite://")
    config["BACKGROUND_RUN"] = "cron"
    with pytest.raises(ValueError, match="BACKGROUND_RUN is 'thread' or 'process'"):
        create_app(config)


def test_a_worker_runs_where_an_event_loop_already_runs(app, test_tasks):
    """A host that runs asyncio in the worker's thread (a test runner, a browser driver)."""
    import asyncio

    job_id = defer(app, "test.echo", value="boucle")

    async def host() -> None:
        work_off(app)

    # The host runs in a thread of its own: the test's own thread may already have a loop
    # running (a browser driver of an earlier test), where asyncio.run() cannot start one.
    failures = []

    def hosting() -> None:
        try:
            asyncio.run(host())
        except BaseException as error:  # reported below, in the test's thread
            failures.append(error)

    thread = threading.Thread(target=hosting)
    thread.start()
    thread.join(timeout=120)
    assert not thread.is_alive() and failures == []
    assert state(app, job_id)["status"] == "succeeded"
