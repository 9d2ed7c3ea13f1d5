"""Another app node: its own local folders, the same database and the same media storage.

Production runs several nodes behind a load balancer; what one node writes to its own disk
the others never see. A test builds a second (or a restarted) node with ``node`` and sends
the requests of one user to either.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask

from catalogue import create_app
from catalogue.extensions import db
from media.storage import LocalStorage, S3Storage


def storage_url(backend) -> tuple[str, str | None]:
    """``MEDIA_STORAGE`` and ``S3_ENDPOINT_URL`` naming the storage ``backend`` uses."""
    if isinstance(backend, LocalStorage):
        return backend.root.as_uri(), None
    assert isinstance(backend, S3Storage)
    return f"s3://{backend.bucket}/{backend.prefix}", backend.client.meta.endpoint_url


@contextmanager
def node(app: Flask, folder: Path, **config) -> Iterator[Flask]:
    """A node beside ``app``: the same database and media storage, empty local folders
    (its search index, import working folders and IIIF cache) under ``folder``."""
    local = folder / f"node-{uuid.uuid4().hex[:8]}"
    media_storage, endpoint = storage_url(app.extensions["media_storage"])
    other = create_app(
        {
            "TESTING": True,
            "SECRET_KEY": app.config["SECRET_KEY"],
            "DATABASE_URL": app.config["DATABASE_URL"],
            "MEDIA_STORAGE": media_storage,
            "S3_ENDPOINT_URL": endpoint,
            "SEARCH_INDEX_DIR": str(local / "search-index"),
            "IMPORTS_DIR": str(local / "imports"),
            "MEDIA_CACHE_DIR": str(local / "media-cache"),
            "BACKGROUND_RUN": "process",
            "BACKGROUND_RETRY_SECONDS": 0.2,
            **config,
        }
    )
    try:
        yield other
    finally:
        with other.app_context():
            db.session.remove()
            db.engine.dispose()
