"""``/api/v1/imports`` (upload, check, commit) and ``/api/v1/exports`` (visibility)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from catalogue.services.media import files as media_files
from tests.background import commit_import, work_off
from tests.helpers import obj, term
from tests.services.exchange.exchange_helpers import FRENCH_ROWS, write_csv


def csv_bytes(rows, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";").writerows(rows)
    return buffer.getvalue().encode(encoding)


def upload(client, caller, content: bytes, name="inventaire.csv", **form):
    data = {"file": (io.BytesIO(content), name), **{k: str(v).lower() for k, v in form.items()}}
    return client.post(
        "/api/v1/imports", data=data, headers=caller.headers, content_type="multipart/form-data"
    )


def import_keys(app) -> list[str]:
    with app.app_context():
        return list(media_files.storage().list_keys("imports/"))


ROWS = [
    ["object_number", "status", "title_fr", "materials"],
    ["2010.0001.001", "public", "Casque allemand", "acier"],
    ["2010.0002.001", "draft", "Lettre", ""],
]


@pytest.fixture
def steel(client, users):
    return term(client, users["curator"], "material", "Acier", "Steel")


def test_check_then_commit(client, users, steel, app):
    curator = users["curator"]
    response = upload(client, curator, csv_bytes(ROWS))
    assert response.status_code == 201, response.get_data(as_text=True)
    job = response.get_json()
    assert job["status"] == "validated" and job["report"]["created"] == 2
    assert response.headers["Location"].endswith(f"/api/v1/imports/{job['id']}")
    missing = client.get("/api/v1/objects/by-number/2010.0001.001", headers=curator.headers)
    assert missing.status_code == 404  # a dry run writes nothing
    # Kept in the media storage under the import's id; the client's file name is never part
    # of a key, and no copy stays on the node's own disk.
    assert import_keys(app) == [f"imports/{job['id']}/upload.csv"]
    assert list(Path(app.config["IMPORTS_DIR"]).iterdir()) == []

    committed = commit_import(client, app, f"/api/v1/imports/{job['id']}", curator.headers)
    assert committed.get_json()["status"] == "committed"
    assert committed.get_json()["report"]["created"] == 2
    assert committed.get_json()["commit_job"]["status"] == "succeeded"
    record = client.get("/api/v1/objects/by-number/2010.0001.001", headers=curator.headers)
    assert record.get_json()["materials"][0]["id"] == steel["id"]
    assert record.get_json()["version"] == 1

    read = client.get(f"/api/v1/imports/{job['id']}", headers=curator.headers)
    assert read.get_json()["committed_by"] == curator.email
    assert import_keys(app) == []  # committed: the file is not kept any more
    again = client.post(f"/api/v1/imports/{job['id']}/commit", headers=curator.headers)
    assert again.status_code == 409
    assert again.mimetype == "application/problem+json"


def test_file_with_errors_cannot_be_committed(client, users, steel):
    curator = users["curator"]
    rows = ROWS + [["2010.0003.001", "publié", "", "plastique"]]
    job = upload(client, curator, csv_bytes(rows)).get_json()
    assert job["status"] == "invalid"
    assert {(e["row"], e["column"]) for e in job["report"]["errors"]} == {
        (4, "status"),
        (4, "title_fr"),
        (4, "materials"),
    }
    refused = client.post(f"/api/v1/imports/{job['id']}/commit", headers=curator.headers)
    assert refused.status_code == 409
    errors = client.get(f"/api/v1/imports/{job['id']}/errors.csv", headers=curator.headers)
    lines = errors.get_data(as_text=True).splitlines()
    assert lines[0] == "row,object_number,column,message" and len(lines) == 4


def test_skip_invalid_and_apply_at_once(client, users, steel, app):
    curator = users["curator"]
    rows = ROWS + [["2010.0003.001", "public", "", ""]]
    job = upload(client, curator, csv_bytes(rows), skip_invalid=True, dry_run=False).get_json()
    assert job["status"] == "committing"  # checked; a worker applies it
    work_off(app)
    job = client.get(job["links"]["self"], headers=curator.headers).get_json()
    assert job["status"] == "committed"
    assert (job["report"]["created"], job["report"]["failed"]) == (2, 1)


def test_only_staff_import(client, users, steel):
    assert upload(client, users["anonymous"], csv_bytes(ROWS)).status_code == 401
    assert upload(client, users["researcher"], csv_bytes(ROWS)).status_code == 403
    job = upload(client, users["curator"], csv_bytes(ROWS)).get_json()
    path = f"/api/v1/imports/{job['id']}"
    assert client.get(path, headers=users["researcher"].headers).status_code == 403
    assert client.get(path).status_code == 401
    assert client.post(f"{path}/commit", headers=users["researcher"].headers).status_code == 403
    unknown = "/api/v1/imports/00000000-0000-0000-0000-000000000000"
    assert client.get(unknown, headers=users["curator"].headers).status_code == 404


def test_bad_uploads_are_clear_problems(client, users, steel):
    curator = users["curator"]
    wrong = upload(client, curator, b"MZ\x90\x00", name="../../etc/passwd.exe")
    assert wrong.status_code == 422 and "file" in wrong.get_json()["errors"]
    broken = upload(client, curator, b"not a zip", name="objets.xlsx")
    assert broken.status_code == 422
    missing = client.post("/api/v1/imports", data={}, headers=curator.headers)
    assert missing.status_code == 422
    bad_mapping = client.post(
        "/api/v1/imports",
        data={
            "file": (io.BytesIO(csv_bytes(ROWS)), "a.csv"),
            "mapping": (io.BytesIO(b"columns: [1, 2"), "m.yaml"),
        },
        headers=curator.headers,
        content_type="multipart/form-data",
    )
    assert bad_mapping.status_code == 422 and "mapping" in bad_mapping.get_json()["errors"]


def test_french_file_through_the_api(client, users, tmp_path, app):
    curator = users["curator"]
    content = write_csv(tmp_path / "f.csv", FRENCH_ROWS[:3], encoding="cp1252").read_bytes()
    job = upload(client, curator, content, create_authorities=True, dry_run=False).get_json()
    work_off(app)
    job = client.get(job["links"]["self"], headers=curator.headers).get_json()
    assert job["status"] == "committed", job["report"]["errors"]
    record = client.get("/api/v1/objects/by-number/2001.0002.001", headers=curator.headers)
    assert record.get_json()["title"] == {"fr": "Lettre d’un déporté"}


@pytest.fixture
def mixed(client, users):
    curator = users["curator"]
    made = {}
    for status in ("public", "internal", "draft"):
        made[status] = obj(
            client,
            curator,
            status=status,
            internal_notes="Coffre 3",
            title={"fr": f"Objet {status}"},
        )
    return made


@pytest.mark.parametrize(
    "role, visible, staff",
    [
        ("anonymous", {"public"}, False),
        ("researcher", {"public", "internal"}, False),
        ("curator", {"public", "internal", "draft"}, True),
    ],
)
def test_exports_follow_the_callers_view(client, users, mixed, role, visible, staff):
    caller = users[role]
    response = client.get("/api/v1/exports/objects.csv", headers=caller.headers)
    assert response.status_code == 200 and response.mimetype == "text/csv"
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True).lstrip("\ufeff"))))
    assert {r["status"] for r in rows} == visible
    assert ("internal_notes" in rows[0]) is staff
    lines = client.get("/api/v1/exports/objects.jsonl", headers=caller.headers)
    records = [json.loads(line) for line in lines.get_data(as_text=True).splitlines()]
    assert {r["status"] for r in records} == visible
    assert all(("internal_notes" in r) is staff for r in records)
    assert all("Coffre" not in json.dumps(r) for r in records if not staff)


def test_export_filters_and_bad_arguments(client, users, mixed):
    curator = users["curator"]
    only = client.get("/api/v1/exports/objects.jsonl?status=internal", headers=curator.headers)
    assert [json.loads(x)["status"] for x in only.get_data(as_text=True).splitlines()] == [
        "internal"
    ]
    bad = client.get("/api/v1/exports/objects.csv?status=secret")
    assert bad.status_code == 422 and bad.mimetype == "application/problem+json"
    unknown = client.get("/api/v1/exports/objects.csv?collection=Nulle%20part")
    assert unknown.status_code == 422
