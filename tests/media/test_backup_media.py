"""Backup and restore with media: originals by checksum, derivatives made again.

The round trip goes from SQLite with files on disk to PostgreSQL with S3 (SeaweedFS), and
back, and compares every table and every stored original.
"""

from __future__ import annotations

import hashlib
import json
import uuid

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from catalogue import create_app
from catalogue.extensions import db
from catalogue.models import Media
from catalogue.services.backup import database as backup
from catalogue.services.errors import ValidationFailed
from catalogue.services.exchange import imports
from catalogue.services.identity import SYSTEM
from catalogue.services.media import files as media_files
from catalogue.services.media import records as media_service
from tests.media import samples
from tests.services.backup.test_backup import fill, snapshot
from tests.services.exchange.exchange_helpers import write_csv
from tests.storage_fixtures import BUCKET

ANSWERED = ("id", "object_id", "sha256", "size", "content_type", "width", "height", "embedded")


def _app(url: str, folder, storage: str, endpoint: str | None = None):
    return create_app(
        {
            "TESTING": True,
            "SECRET_KEY": "test",
            "DATABASE_URL": url,
            "MEDIA_STORAGE": storage,
            "S3_ENDPOINT_URL": endpoint,
            "MEDIA_CACHE_DIR": str(folder / "cache"),
            "SEARCH_INDEX_DIR": str(folder / "index"),
            "IMPORTS_DIR": str(folder / "imports"),
        }
    )


def add_media(tmp_path) -> None:
    """Files attached by an import: a JPEG, a PNG, a PDF, and one JPEG on two objects."""
    folder = tmp_path / "photos"
    folder.mkdir()
    samples.jpeg_with_gps(folder / "casque.jpg")
    samples.png_with_alpha(folder / "2026.0001.001.png")
    samples.pdf(folder / "lettre.pdf")
    sheet = write_csv(
        tmp_path / "media.csv",
        [
            ["object_number", "title_fr", "media"],
            ["2026.0001.001", "Casque", "casque.jpg|lettre.pdf"],
            ["2026.0002.001", "Même photo", "casque.jpg"],
        ],
    )
    report = imports.import_objects(SYSTEM, sheet, imports.Options(media_dir=folder))
    assert report.applied and report.media_attached == 4, report.errors
    db.session.remove()


def answers() -> dict[str, dict]:
    """What the API answers for each media (the fields a backup must keep)."""
    ids = db.session.execute(sa.select(Media.id)).scalars().all()
    found = {}
    for media_id in ids:
        data = media_service.get(SYSTEM, media_id).data
        found[data["id"]] = {name: data[name] for name in ANSWERED}
    db.session.remove()
    return found


def stored_checksums() -> dict[str, str]:
    """Each media's original as read back from storage, hashed."""
    rows = db.session.execute(sa.select(Media.id, Media.storage_key)).all()
    storage = media_files.storage()
    return {str(i): hashlib.sha256(storage.read(key)).hexdigest() for i, key in rows}


def test_round_trip_sqlite_local_to_postgresql_s3_and_back(tmp_path, other_postgres, seaweedfs):
    source = _app(
        f"sqlite:///{tmp_path / 'source.db'}", tmp_path / "a", (tmp_path / "files").as_uri()
    )
    with source.app_context():
        upgrade()
        fill()
        demo_media = len(answers())  # the demo collection's illustrative images
        add_media(tmp_path)
        original, served = snapshot(), answers()
        distinct = len({item["sha256"] for item in served.values()})
        manifest = backup.backup(SYSTEM, tmp_path / "from-sqlite")
        db.session.remove()
        db.engine.dispose()
    # One file per distinct original; the JPEG shared by two objects is written once.
    files = manifest["media"]["files"]
    assert len(served) == demo_media + 4
    assert len(files) == distinct and sum(len(f["media"]) for f in files) == len(served)
    assert sorted(len(f["media"]) for f in files)[-1] == 2
    for entry in files:
        data = (tmp_path / "from-sqlite" / entry["path"]).read_bytes()
        assert entry["path"] == f"media/{entry['sha256'][:2]}/{entry['sha256']}"
        assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["size"]
    assert not list((tmp_path / "from-sqlite" / "media").rglob("*thumbnail*"))

    prefix = f"restore-{uuid.uuid4().hex[:8]}"
    target = _app(other_postgres, tmp_path / "b", f"s3://{BUCKET}/{prefix}", seaweedfs.endpoint)
    with target.app_context():
        upgrade()
        backup.restore(SYSTEM, tmp_path / "from-sqlite")
        assert snapshot() == original
        assert answers() == served
        checksums = stored_checksums()
        assert checksums == {i: served[i]["sha256"] for i in served}
        # Derivatives were made again in S3: pyramid, preview and thumbnail of each image.
        keys = set(media_files.storage().list_keys())
        images = [i for i in served if served[i]["content_type"].startswith("image/")]
        for media_id in images:
            assert f"derivatives/{media_id}/thumbnail.jpg" in keys
        backup.backup(SYSTEM, tmp_path / "from-postgresql")
        db.session.remove()
        db.engine.dispose()

    back = _app(f"sqlite:///{tmp_path / 'again.db'}", tmp_path / "c", (tmp_path / "again").as_uri())
    with back.app_context():
        upgrade()
        backup.restore(SYSTEM, tmp_path / "from-postgresql")
        assert snapshot() == original
        assert answers() == served
        assert stored_checksums() == checksums
        db.session.remove()
        db.engine.dispose()


def test_damaged_media_file_is_refused_before_anything_is_written(tmp_path):
    source = _app(
        f"sqlite:///{tmp_path / 'source.db'}", tmp_path / "a", (tmp_path / "files").as_uri()
    )
    with source.app_context():
        upgrade()
        add_media(tmp_path)
        manifest = backup.backup(SYSTEM, tmp_path / "backup")
        db.session.remove()
        db.engine.dispose()
    damaged = tmp_path / "backup" / manifest["media"]["files"][0]["path"]
    damaged.write_bytes(damaged.read_bytes()[:-10])
    target = _app(
        f"sqlite:///{tmp_path / 'target.db'}", tmp_path / "b", (tmp_path / "restored").as_uri()
    )
    with target.app_context():
        upgrade()
        with pytest.raises(ValidationFailed) as refused:
            backup.restore(SYSTEM, tmp_path / "backup")
        assert manifest["media"]["files"][0]["path"] in refused.value.errors
        assert snapshot()["media"] == [] and snapshot()["objects"] == []
        assert list(media_files.storage().list_keys()) == []
        db.session.remove()
        db.engine.dispose()
    listed = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert listed["media"]["files"] == manifest["media"]["files"]
