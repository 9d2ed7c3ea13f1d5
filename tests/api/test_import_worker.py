"""Imports committed through the API by ``catalogue worker`` processes, and a worker killed
half-way through one: a second worker finishes it, and nothing is applied twice."""

from __future__ import annotations

import io
import signal

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import CatalogueObject
from tests.background import start_worker, wait_for

ROWS = 1200  # six batches of 200: long enough to stop a worker in the middle


def sheet(rows: int) -> bytes:
    lines = ["object_number;title_fr;status"]
    lines += [f"2031.{n:04d}.001;Plaque {n};public" for n in range(1, rows + 1)]
    return ("\n".join(lines) + "\n").encode()


def check(client, caller, content: bytes) -> dict:
    response = client.post(
        "/api/v1/imports",
        data={"file": (io.BytesIO(content), "plaques.csv")},
        headers=caller.headers,
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def objects(app) -> int:
    with app.app_context():
        count = db.session.execute(sa.select(sa.func.count(CatalogueObject.id))).scalar()
        db.session.remove()
    return count


def stop(process) -> str:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=60)
    return output.decode(errors="replace")


def test_a_worker_commits_an_import_sent_through_the_api(app, client, curator):
    job = check(client, curator, sheet(30))
    path = job["links"]["self"]
    worker = start_worker(app)
    try:
        accepted = client.post(f"{path}/commit", headers=curator.headers)
        assert accepted.status_code == 202
        assert accepted.headers["Location"].endswith(path)

        def done():
            data = client.get(path, headers=curator.headers).get_json()
            over = data["commit_job"]["status"] in ("succeeded", "failed")
            return data if over else None

        committed = wait_for(done, 60)
    finally:
        output = stop(worker)
    assert committed["status"] == "committed", output
    assert committed["report"]["created"] == 30
    assert committed["commit_job"]["status"] == "succeeded"
    assert committed["commit_job"]["progress"]["rows_applied"] == 30
    job_state = client.get(committed["links"]["job"], headers=curator.headers).get_json()
    assert job_state["result"] == {"import_status": "committed"}
    assert objects(app) == 30


def test_a_worker_killed_during_a_commit_leaves_it_to_another(app, client, curator):
    job = check(client, curator, sheet(ROWS))
    path = job["links"]["self"]
    lease = {"BACKGROUND_LEASE_SECONDS": 2}
    first = start_worker(app, **lease)
    second = None
    try:
        assert client.post(f"{path}/commit", headers=curator.headers).status_code == 202

        def half_way():
            # A batch or more committed, not all of them.
            return 0 < objects(app) < ROWS - 400

        wait_for(half_way, 120, step=0.02)
        first.send_signal(signal.SIGKILL)  # no chance to say anything
        first.wait(30)
        seen = client.get(path, headers=curator.headers).get_json()
        assert seen["status"] == "committing"
        assert seen["commit_job"]["status"] == "running"
        assert 0 < objects(app) < ROWS

        second = start_worker(app, **lease)

        def done():
            data = client.get(path, headers=curator.headers).get_json()
            over = data["commit_job"]["status"] in ("succeeded", "failed")
            return data if over else None

        committed = wait_for(done, 180)
    finally:
        for process in (first, second):
            if process is not None:
                stop(process)
    assert committed["status"] == "committed"
    assert committed["commit_job"]["status"] == "succeeded"
    assert committed["commit_job"]["attempts"] == 2
    # The second attempt applied what was missing: every row once, none twice.
    assert objects(app) == ROWS
    report = committed["report"]
    assert report["created"] + report.get("unchanged", 0) == ROWS
