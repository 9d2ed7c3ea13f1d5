"""Each node's copies of IIIF pyramids (media in S3): bounded, never stale, swept.

Two app instances share the database and the S3 storage, each with its own cache folder,
as two nodes behind a load balancer do.
"""

from __future__ import annotations

import os
import time
import uuid
from pathlib import Path

import pytest

from catalogue.extensions import db
from catalogue.models import Media
from catalogue.services.media import pyramids
from tests.media.conftest import uploaded
from tests.nodes import node

pytestmark = pytest.mark.parametrize("storage_kind", ["s3"])


def copies(app) -> list[str]:
    """The names of the pyramid copies in a node's cache folder."""
    folder = Path(app.config["MEDIA_CACHE_DIR"])
    if not folder.is_dir():
        return []
    return sorted(path.name for path in folder.iterdir() if not path.name.startswith("."))


def tile(media: dict) -> str:
    return f"/iiif/3/{media['id']}/full/max/0/default.jpg"


def age(app, prefix: str, seconds_ago: float) -> None:
    when = time.time() - seconds_ago
    for name in copies(app):
        if name.startswith(prefix):
            os.utime(Path(app.config["MEDIA_CACHE_DIR"]) / name, (when, when))


def test_media_deleted_on_one_node_are_gone_from_the_others_and_their_copies_swept(
    app, client, curator, store, files, public_object, tmp_path
):
    media = uploaded(client, curator, public_object["id"], files["jpeg_gps"])
    kept = uploaded(client, curator, public_object["id"], files["png_alpha"])
    with node(app, tmp_path, MEDIA_CACHE_SWEEP_SECONDS=0) as other:
        browser = other.test_client()
        assert browser.get(tile(media)).status_code == 200
        assert browser.get(tile(kept)).status_code == 200
        assert [name.split(".")[0] for name in copies(other)] == sorted([media["id"], kept["id"]])

        path = f"/api/v1/media/{media['id']}"
        etag = client.get(path, headers=curator.headers).headers["ETag"]
        deleted = client.delete(path, headers={**curator.headers, "If-Match": etag})
        assert deleted.status_code == 204

        # At once, from the database row: no copy is looked at.
        assert browser.get(tile(media)).status_code == 404
        assert browser.get(f"/iiif/3/{media['id']}/info.json").status_code == 404
        assert browser.get(tile(media), headers=curator.headers).status_code == 404
        # That request, like any IIIF request of the node, ran the sweep.
        assert [name.split(".")[0] for name in copies(other)] == [kept["id"]]
        assert browser.get(tile(kept)).status_code == 200


def test_a_copy_of_a_changed_pyramid_is_never_served(
    app, client, curator, store, files, public_object, tmp_path
):
    media = uploaded(client, curator, public_object["id"], files["jpeg_gps"])
    other_image = uploaded(client, curator, public_object["id"], files["png_alpha"])
    with node(app, tmp_path, MEDIA_CACHE_SWEEP_SECONDS=3600) as other:
        browser = other.test_client()
        before = browser.get(tile(media)).get_data()
        old_copy = copies(other)
        with other.app_context():
            pyramids.sweep_if_due()  # the first sweep: the next is not due for an hour
        # The media is replaced (another file, its own pyramid) by a node with no cache.
        with app.app_context():
            row = db.session.get(Media, uuid.UUID(media["id"]))
            new = db.session.get(Media, uuid.UUID(other_image["id"]))
            row.sha256, row.derivatives = new.sha256, dict(new.derivatives)
            row.width, row.height = new.width, new.height
            db.session.commit()
        after = browser.get(tile(media)).get_data()
        assert after != before
        assert after == client.get(tile(other_image)).get_data()
        # The old copy stays until a sweep (not due for an hour), but is never read again.
        assert set(old_copy) < set(copies(other))
        with other.app_context():
            assert pyramids.sweep() == old_copy


def test_the_cache_keeps_to_its_bound_least_recently_used_first(
    app, client, curator, store, files, public_object, tmp_path
):
    first, second, third = (
        uploaded(client, curator, public_object["id"], files[name])
        for name in ("jpeg_gps", "png_alpha", "tiff_16")
    )
    with node(app, tmp_path, MEDIA_CACHE_MAX_BYTES=1) as other:
        browser = other.test_client()
        for media in (first, second):
            assert browser.get(tile(media)).status_code == 200
        age(other, first["id"], 600)  # not used for ten minutes
        age(other, second["id"], 60)  # used a minute ago: a reader may still be opening it
        assert browser.get(tile(third)).status_code == 200
        assert [name.split(".")[0] for name in copies(other)] == sorted([second["id"], third["id"]])
        age(other, second["id"], 600)
        assert browser.get(tile(first)).status_code == 200  # fetched again
        assert [name.split(".")[0] for name in copies(other)] == sorted([first["id"], third["id"]])
