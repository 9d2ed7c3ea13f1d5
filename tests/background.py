"""Background jobs in tests: a worker run in the test's process, or in processes of its own."""

from __future__ import annotations

import os
import subprocess
import sys
import time

from flask import Flask

from catalogue.extensions import db
from catalogue.services.background import worker
from tests.nodes import storage_url


def work_off(app: Flask) -> None:
    """Run every job that is due, as ``catalogue worker --until-empty`` does, in this process."""
    with app.app_context():
        try:
            worker.run(until_empty=True)
        finally:
            db.session.remove()


def commit_import(client, app: Flask, path: str, headers: dict):
    """POST ``{path}/commit`` (202, Location: the import), let a worker apply it; the import."""
    accepted = client.post(f"{path}/commit", headers=headers)
    assert accepted.status_code == 202, accepted.get_data(as_text=True)
    assert accepted.get_json()["status"] == "committing"
    assert accepted.headers["Location"].endswith(path)
    work_off(app)
    return client.get(path, headers=headers)


def start_worker(app: Flask, **env) -> subprocess.Popen:
    """``catalogue worker`` in a process of its own, on the app's database and storage."""
    config = app.config
    media_storage, endpoint = storage_url(app.extensions["media_storage"])
    environment = {
        **os.environ,
        "DATABASE_URL": config["DATABASE_URL"],
        "MEDIA_STORAGE": media_storage,
        "S3_ENDPOINT_URL": endpoint or "",
        "SECRET_KEY": config["SECRET_KEY"],
        "SEARCH_INDEX_DIR": config["SEARCH_INDEX_DIR"],
        "IMPORTS_DIR": config["IMPORTS_DIR"],
        "BACKGROUND_RUN": "process",
        **{key: str(value) for key, value in env.items()},
    }
    return subprocess.Popen(
        [sys.executable, "-c", "from catalogue import main; main()", "worker"],
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )


def wait_for(condition, seconds: float = 30.0, step: float = 0.05):
    """Poll ``condition`` until it returns something true; that value."""
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s")
        time.sleep(step)
