"""Imports through the API on several nodes: checked on one, committed on another.

The uploaded file is kept in the media storage (a folder, or S3) that every node reads, not
on the disk of the node that received it.
"""

from __future__ import annotations

import io
import time
import uuid
import zipfile
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import CatalogueObject, ImportJob, ImportStatus, Media
from catalogue.models.base import utcnow
from media.storage import LocalStorage
from tests.background import commit_import, work_off
from tests.media import samples
from tests.nodes import node

SHEET = b"object_number;title_fr;media\n2028.0001.001;Casque;casque.jpg\n2028.0002.001;Lettre;\n"


def archive(tmp_path: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zipped:
        zipped.writestr("envoi/inventaire.csv", SHEET)
        zipped.write(samples.jpeg_with_gps(tmp_path / "casque.jpg"), "envoi/photos/casque.jpg")
    return buffer.getvalue()


def send(client, caller, content: bytes, name: str = "envoi.zip", **form):
    data = {"file": (io.BytesIO(content), name), **{k: str(v).lower() for k, v in form.items()}}
    return client.post(
        "/api/v1/imports", data=data, headers=caller.headers, content_type="multipart/form-data"
    )


def import_keys(store) -> list[str]:
    return [key for key in store.list_keys() if key.startswith("imports/")]


def counts(app) -> tuple[int, int]:
    with app.app_context():
        objects = db.session.execute(sa.select(sa.func.count(CatalogueObject.id))).scalar()
        media = db.session.execute(sa.select(sa.func.count(Media.id))).scalar()
        db.session.remove()
    return objects, media


def test_an_import_checked_on_one_node_commits_on_another(app, client, curator, store, tmp_path):
    checked = send(client, curator, archive(tmp_path))
    assert checked.status_code == 201, checked.get_data(as_text=True)
    job = checked.get_json()
    assert job["status"] == "validated"
    assert import_keys(store) == [f"imports/{job['id']}/upload.zip"]

    with node(app, tmp_path) as other:
        committed = commit_import(
            other.test_client(), other, f"/api/v1/imports/{job['id']}", curator.headers
        )
        assert committed.get_json()["status"] == "committed"
        assert committed.get_json()["report"]["media_attached"] == 1
        # The other node's working folder is emptied once the commit is done.
        assert list(Path(other.config["IMPORTS_DIR"]).iterdir()) == []
    assert counts(app) == (2, 1)
    assert import_keys(store) == []
    record = client.get("/api/v1/objects/by-number/2028.0001.001", headers=curator.headers)
    assert record.status_code == 200 and len(record.get_json()["media"]) == 1


def test_a_restarted_node_with_empty_disks_commits_what_was_checked_before(
    app, curator, store, tmp_path
):
    with node(app, tmp_path) as before:
        job = send(before.test_client(), curator, archive(tmp_path)).get_json()
    assert job["status"] == "validated"
    with node(app, tmp_path) as after:  # the same node after a restart on a new disk
        client = after.test_client()
        committed = commit_import(client, after, f"/api/v1/imports/{job['id']}", curator.headers)
        assert committed.get_json()["status"] == "committed"
        again = client.post(f"/api/v1/imports/{job['id']}/commit", headers=curator.headers)
        assert again.status_code == 409
    assert counts(app) == (2, 1) and import_keys(store) == []


def test_an_import_applied_at_once_keeps_no_file(app, client, curator, store, tmp_path):
    job = send(client, curator, archive(tmp_path), dry_run=False).get_json()
    assert job["status"] == "committing", job["report"]
    work_off(app)
    job = client.get(job["links"]["self"], headers=curator.headers).get_json()
    assert job["status"] == "committed", job["report"]
    assert import_keys(store) == []


def test_an_invalid_import_keeps_no_file(client, curator, store):
    job = send(client, curator, b"object_number;title_fr\n2028.0009.001;\n", "a.csv").get_json()
    assert job["status"] == "invalid"
    assert import_keys(store) == []


def test_storage_down_during_the_check_records_nothing(app, client, curator, store, tmp_path):
    broken = tmp_path / "not-a-folder"
    broken.write_text("")
    app.extensions["media_storage"] = LocalStorage(broken)
    response = send(client, curator, archive(tmp_path))
    assert response.status_code == 503
    assert response.mimetype == "application/problem+json"
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(ImportJob.id))).scalar() == 0
        db.session.remove()
    assert counts(app) == (0, 0)


def test_storage_down_during_a_commit_leaves_the_import_to_commit_later(
    app, client, curator, store, tmp_path
):
    job = send(client, curator, archive(tmp_path)).get_json()
    broken = tmp_path / "not-a-folder"
    broken.write_text("")
    app.extensions["media_storage"] = LocalStorage(broken)
    path = f"/api/v1/imports/{job['id']}"
    # The commit is accepted; its worker cannot fetch the file and tries again later.
    waiting = commit_import(client, app, path, curator.headers).get_json()
    assert waiting["status"] == "committing"
    assert waiting["commit_job"]["status"] == "queued"
    assert waiting["commit_job"]["attempts"] == 1
    assert "storage" in waiting["commit_job"]["error"].lower()
    app.extensions["media_storage"] = store
    time.sleep(0.5)  # past the wait before the second attempt
    work_off(app)
    committed = client.get(path, headers=curator.headers).get_json()
    assert committed["status"] == "committed"
    assert committed["commit_job"]["status"] == "succeeded"
    assert committed["commit_job"]["attempts"] == 2
    assert counts(app) == (2, 1)


def test_a_deleted_import_takes_its_file_with_it(app, client, curator, store, tmp_path):
    job = send(client, curator, archive(tmp_path)).get_json()
    path = f"/api/v1/imports/{job['id']}"
    assert client.delete(path, headers=curator.headers).status_code == 428
    stale = {**curator.headers, "If-Match": '"stale"'}
    assert client.delete(path, headers=stale).status_code == 412
    etag = client.get(path, headers=curator.headers).headers["ETag"]
    gone = client.delete(path, headers={**curator.headers, "If-Match": etag})
    assert gone.status_code == 204
    assert client.get(path, headers=curator.headers).status_code == 404
    assert client.post(f"{path}/commit", headers=curator.headers).status_code == 404
    assert import_keys(store) == []


def test_an_import_being_committed_cannot_be_deleted(app, client, curator, store, tmp_path):
    job = send(client, curator, archive(tmp_path)).get_json()
    path = f"/api/v1/imports/{job['id']}"
    with app.app_context():
        db.session.get(ImportJob, uuid.UUID(job["id"])).status = ImportStatus.committing
        db.session.commit()
    etag = client.get(path, headers=curator.headers).headers["ETag"]
    refused = client.delete(path, headers={**curator.headers, "If-Match": etag})
    assert refused.status_code == 409
    assert client.post(f"{path}/commit", headers=curator.headers).status_code == 409
    assert import_keys(store) == [f"imports/{job['id']}/upload.zip"]


def test_checked_imports_expire_and_stray_files_are_swept(
    app, client, curator, store, tmp_path, monkeypatch
):
    old = send(client, curator, archive(tmp_path)).get_json()
    stray = f"imports/{uuid.uuid4()}/upload.csv"
    store.put_bytes(stray, SHEET, "text/csv")
    monkeypatch.setitem(app.config, "IMPORT_KEEP_SECONDS", 0)
    fresh = send(client, curator, archive(tmp_path)).get_json()  # sweeps before its own check
    assert import_keys(store) == [f"imports/{fresh['id']}/upload.zip"]
    path = f"/api/v1/imports/{old['id']}"
    assert client.get(path, headers=curator.headers).get_json()["status"] == "expired"
    refused = client.post(f"{path}/commit", headers=curator.headers)
    assert refused.status_code == 409 and "expired" in refused.get_json()["detail"]
    assert counts(app) == (0, 0)


def test_a_checked_import_whose_file_is_lost_says_to_upload_again(
    app, client, curator, store, tmp_path
):
    job = send(client, curator, archive(tmp_path)).get_json()
    store.delete(f"imports/{job['id']}/upload.zip")
    path = f"/api/v1/imports/{job['id']}"
    ended = commit_import(client, app, path, curator.headers).get_json()
    assert ended["status"] == "expired"
    assert "upload it again" in ended["report"]["stopped"]
    assert client.post(f"{path}/commit", headers=curator.headers).status_code == 409
    assert counts(app) == (0, 0)


@pytest.mark.parametrize("suffix", [".csv", ".zip"])
def test_an_import_checked_before_files_were_shared_still_commits(
    app, client, curator, store, tmp_path, suffix
):
    """A job checked by the previous release has its file on the node's own disk only."""
    content = SHEET.replace(b"casque.jpg", b"") if suffix == ".csv" else archive(tmp_path)
    job = send(client, curator, content, f"envoi{suffix}").get_json()
    key = f"imports/{job['id']}/upload{suffix}"
    legacy = Path(app.config["IMPORTS_DIR"]) / f"{job['id']}{suffix}"
    legacy.write_bytes(content)
    store.delete(key)
    committed = commit_import(client, app, f"/api/v1/imports/{job['id']}", curator.headers)
    assert committed.get_json()["status"] == "committed"
    assert not legacy.exists()


def test_the_expire_command_sweeps_without_waiting_for_an_upload(
    app, client, curator, store, tmp_path, monkeypatch
):
    def expire():
        # The exchange commands run in the app context the console script pushes.
        with app.app_context():
            result = app.test_cli_runner().invoke(args=["import", "expire"])
            db.session.remove()
        return result

    job = send(client, curator, archive(tmp_path)).get_json()
    kept = expire()
    assert kept.exit_code == 0 and "0 imports expired" in kept.output
    assert import_keys(store) == [f"imports/{job['id']}/upload.zip"]
    monkeypatch.setitem(app.config, "IMPORT_KEEP_SECONDS", 0)
    result = expire()
    assert result.exit_code == 0 and "1 imports expired" in result.output
    assert import_keys(store) == []


def test_a_commit_cut_off_long_ago_gives_its_import_back(app, client, curator, store, tmp_path):
    """A worker killed during a commit cannot release its claim; the sweep does, later."""
    job = send(client, curator, archive(tmp_path)).get_json()
    path = f"/api/v1/imports/{job['id']}"
    with app.app_context():
        row = db.session.get(ImportJob, uuid.UUID(job["id"]))
        row.status, row.committed_at = ImportStatus.committing, utcnow() - timedelta(minutes=30)
        db.session.commit()
    send(client, curator, SHEET, "other.csv")  # sweeps: half an hour is not cut off yet
    assert client.get(path, headers=curator.headers).get_json()["status"] == "committing"
    assert client.post(f"{path}/commit", headers=curator.headers).status_code == 409
    with app.app_context():
        db.session.get(ImportJob, uuid.UUID(job["id"])).committed_at -= timedelta(hours=1)
        db.session.commit()
    send(client, curator, SHEET, "other.csv")
    again = client.get(path, headers=curator.headers).get_json()
    assert again["status"] == "validated" and again["committed_by"] is None
    committed = commit_import(client, app, path, curator.headers)
    assert committed.get_json()["status"] == "committed"
    assert counts(app) == (2, 1)


def test_files_left_on_a_node_by_earlier_releases_are_removed_once_not_needed(
    app, client, curator, store, tmp_path
):
    waiting = send(client, curator, archive(tmp_path)).get_json()
    done = send(client, curator, SHEET.replace(b"casque.jpg", b""), "a.csv", dry_run=False)
    work_off(app)
    done = client.get(done.get_json()["links"]["self"], headers=curator.headers).get_json()
    assert done["status"] == "committed"
    folder = Path(app.config["IMPORTS_DIR"])
    kept = folder / f"{waiting['id']}.zip"
    kept.write_bytes(b"zip")
    left = [folder / f"{done['id']}.csv", folder / f"{uuid.uuid4()}.xlsx", folder / done["id"]]
    left[0].write_bytes(b"csv")
    left[1].write_bytes(b"xlsx")
    left[2].mkdir()
    (left[2] / "sheet.csv").write_bytes(b"csv")
    send(client, curator, SHEET, "other.csv")
    assert kept.exists() and not any(path.exists() for path in left)
