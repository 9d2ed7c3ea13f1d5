"""``catalogue media verify``: checksums re-read from storage, missing files, orphans."""

from __future__ import annotations

import io

from tests.background import commit_import
from tests.media.conftest import stored, uploaded


def verify(app, *args):
    return app.test_cli_runner().invoke(args=["media", "verify", *args])


def test_verify_reports_missing_corrupt_and_orphans(
    app, client, curator, store, files, public_object
):
    intact = uploaded(client, curator, public_object["id"], files["pdf"])
    damaged = uploaded(client, curator, public_object["id"], files["jpeg_gps"])
    lost = uploaded(client, curator, public_object["id"], files["png_alpha"])
    clean = verify(app)
    assert clean.exit_code == 0, clean.output
    assert "Checked 3 media: 0 missing, 0 corrupt, 0 orphan" in clean.output

    store.put_bytes(f"originals/{damaged['id'][:2]}/{damaged['id']}", b"bit rot", "image/jpeg")
    store.delete(f"originals/{lost['id'][:2]}/{lost['id']}")
    store.put_bytes("originals/zz/left-behind", b"no record", "application/pdf")
    result = verify(app)
    assert result.exit_code == 1
    assert f"corrupt: {damaged['id']}" in result.output
    assert f"missing: {lost['id']}" in result.output
    assert "orphan: originals/zz/left-behind" in result.output
    assert intact["id"] not in result.output
    assert "originals/zz/left-behind" in stored(store)

    removed = verify(app, "--remove-orphans")
    assert "removed: originals/zz/left-behind" in removed.output
    assert "originals/zz/left-behind" not in stored(store)


def test_removing_orphans_spares_import_files_waiting_for_their_commit(app, client, curator, store):
    sheet = b"object_number;title_fr\n2028.0100.001;Casque\n"
    job = client.post(
        "/api/v1/imports",
        data={"file": (io.BytesIO(sheet), "inventaire.csv")},
        headers=curator.headers,
        content_type="multipart/form-data",
    ).get_json()
    assert job["status"] == "validated"
    result = verify(app, "--remove-orphans")
    assert result.exit_code == 0, result.output
    assert f"imports/{job['id']}/upload.csv" in stored(store)
    committed = commit_import(client, app, f"/api/v1/imports/{job['id']}", curator.headers)
    assert committed.get_json()["status"] == "committed"
