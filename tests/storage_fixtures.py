"""Media storage for tests: a folder, or S3 on a SeaweedFS server started once per run.

Registered for the whole suite (``pytest_plugins`` in tests/conftest.py), so the media tests
of the API and of the services share one server.
"""

from __future__ import annotations

import os
import uuid

import pytest

from media.storage import LocalStorage, S3Storage
from tests import seaweed

BUCKET = "catalogue-media"


@pytest.fixture(scope="session")
def seaweedfs(tmp_path_factory):
    server = seaweed.start(tmp_path_factory.mktemp("seaweedfs"))
    saved = {k: os.environ.get(k) for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")}
    os.environ.update(
        AWS_ACCESS_KEY_ID=seaweed.ACCESS_KEY, AWS_SECRET_ACCESS_KEY=seaweed.SECRET_KEY
    )
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    try:
        seaweed.create_bucket(server, BUCKET)
        yield server
    finally:
        server.stop()
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(params=["local", "s3"])
def storage_kind(request):
    return request.param


@pytest.fixture
def store(app, storage_kind, request, tmp_path):
    """A fresh, empty storage of the parametrised kind, installed in the app for one test."""
    if storage_kind == "s3":
        server = request.getfixturevalue("seaweedfs")
        backend = S3Storage(BUCKET, f"test-{uuid.uuid4().hex[:8]}", server.endpoint)
    else:
        backend = LocalStorage(tmp_path / "media")
    previous = app.extensions["media_storage"]
    app.extensions["media_storage"] = backend
    cache = app.config["MEDIA_CACHE_DIR"]
    app.config["MEDIA_CACHE_DIR"] = str(tmp_path / "cache")
    yield backend
    app.extensions["media_storage"] = previous
    app.config["MEDIA_CACHE_DIR"] = cache
