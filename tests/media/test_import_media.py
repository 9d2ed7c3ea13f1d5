"""``catalogue import objects --media-dir``: files attached through the upload path."""

from __future__ import annotations

import hashlib
import io
import os
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import CatalogueObject, Media
from catalogue.services.exchange import imports
from catalogue.services.identity import SYSTEM
from tests.background import commit_import, work_off
from tests.media import samples
from tests.services.exchange.exchange_helpers import write_csv

HEADER = ["object_number", "title_fr", "media"]


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def folder(tmp_path):
    """A media folder: a JPEG named in the spreadsheet, a PNG named after its object."""
    photos = tmp_path / "photos"
    photos.mkdir()
    samples.jpeg_with_gps(photos / "casque face.jpg")
    samples.png_with_alpha(photos / "2026.0002.001_1.png")
    return photos


def attached(app) -> dict[str, list[tuple]]:
    """Media per accession number: (sha256, content type, width, height, file name, key)."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(
                CatalogueObject.object_number,
                Media.sha256,
                Media.content_type,
                Media.width,
                Media.height,
                Media.original_filename,
                Media.storage_key,
            )
            .join(Media, Media.object_id == CatalogueObject.id)
            .order_by(CatalogueObject.object_number, Media.position)
        ).all()
        db.session.remove()
    found: dict[str, list[tuple]] = {}
    for number, *rest in rows:
        found.setdefault(number, []).append(tuple(rest))
    return found


def test_media_folder_attaches_named_and_numbered_files_once(app, store, folder, tmp_path):
    sheet = write_csv(
        tmp_path / "inventaire.csv",
        [
            HEADER,
            ["2026.0001.001", "Casque allemand", "casque face.jpg"],
            ["2026.0002.001", "Lettre de déporté", ""],
            ["2026.0003.001", "Sans photo", ""],
        ],
    )
    command = ["import", "objects", str(sheet), "--media-dir", str(folder)]

    def invoke(*args):
        # The exchange commands run in the app context the console script pushes.
        with app.app_context():
            result = app.test_cli_runner().invoke(args=[*command, *args])
            db.session.remove()
        return result

    # Named files without a media folder are an error, not silently left out.
    with app.app_context():
        report = imports.import_objects(SYSTEM, sheet, imports.Options(dry_run=True))
        db.session.remove()
    assert [(e["row"], e["column"]) for e in report.errors] == [(2, "media")]
    assert "--media-dir" in report.errors[0]["message"]

    dry = invoke("--dry-run")
    assert dry.exit_code == 0, dry.output
    assert "3 created" in dry.output and "2 media files to attach" in dry.output
    assert list(store.list_keys()) == [] and attached(app) == {}

    done = invoke()
    assert done.exit_code == 0, done.output
    assert "2 media files attached" in done.output
    media = attached(app)
    jpeg, png = folder / "casque face.jpg", folder / "2026.0002.001_1.png"
    assert [m[:5] for m in media["2026.0001.001"]] == [
        (sha(jpeg), "image/jpeg", 640, 480, "casque face.jpg")
    ]
    assert [m[:5] for m in media["2026.0002.001"]] == [
        (sha(png), "image/png", 400, 300, "2026.0002.001_1.png")
    ]
    assert "2026.0003.001" not in media
    # The original is stored as uploaded, with the derivatives the upload path makes.
    key = media["2026.0001.001"][0][5]
    assert hashlib.sha256(store.read(key)).hexdigest() == sha(jpeg)
    keys = list(store.list_keys())
    assert sum(k.endswith("thumbnail.jpg") for k in keys) == 2
    with app.app_context():
        obj = db.session.execute(
            sa.select(CatalogueObject).where(CatalogueObject.object_number == "2026.0001.001")
        ).scalar_one()
        assert obj.has_media and obj.document["media"][0]["content_type"] == "image/jpeg"
        db.session.remove()

    again = invoke()
    assert again.exit_code == 0, again.output
    assert "3 unchanged" in again.output and "media files" not in again.output
    assert attached(app) == media and sorted(store.list_keys()) == sorted(keys)


def test_bad_media_names_and_files_are_row_errors_of_the_first_pass(app, store, folder, tmp_path):
    (tmp_path / "secret.jpg").write_bytes((folder / "casque face.jpg").read_bytes())
    os.symlink(tmp_path / "secret.jpg", folder / "lien.jpg")
    samples.text_named_jpg(folder / "inventaire.jpg")
    samples.truncated_jpeg(folder / "2026.0005.001.jpg")
    sheet = write_csv(
        tmp_path / "inventaire.csv",
        [
            HEADER,
            ["2026.0001.001", "Sortie", "../secret.jpg"],
            ["2026.0002.001", "Chemin absolu", str(tmp_path / "secret.jpg")],
            ["2026.0003.001", "Lien", "lien.jpg"],
            ["2026.0004.001", "Absent | texte", "absent.jpg|inventaire.jpg"],
            ["2026.0005.001", "Tronqué", ""],
        ],
    )
    for dry_run in (True, False):
        options = imports.Options(dry_run=dry_run, media_dir=folder)
        with app.app_context():
            report = imports.import_objects(SYSTEM, sheet, options)
            db.session.remove()
        errors = [(e["row"], e["column"], e["message"]) for e in report.errors]
        assert [(row, column) for row, column, _ in errors] == [
            (2, "media"),
            (3, "media"),
            (4, "media"),
            (5, "media"),
            (5, "media"),
            (6, "media"),
        ]
        assert "only names inside the media folder" in errors[0][2]
        assert "only names inside the media folder" in errors[1][2]
        assert "outside the media folder" in errors[2][2]
        assert "no such file" in errors[3][2] and "not a JPEG" in errors[4][2]
        assert "truncated" in errors[5][2]
        assert not report.applied and report.failed == 5
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(CatalogueObject.id))).scalar() == 0
        db.session.remove()
    assert list(store.list_keys()) == []


def _zip(path, members: dict[str, bytes]):
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in members.items():
            archive.writestr(name, content)
    return path


def _post_import(client, caller, path, **form):
    data = {"file": (io.BytesIO(path.read_bytes()), path.name)}
    data.update({k: str(v).lower() for k, v in form.items()})
    return client.post(
        "/api/v1/imports", data=data, headers=caller.headers, content_type="multipart/form-data"
    )


def test_a_zip_sent_to_the_api_attaches_its_files(app, client, curator, store, folder, tmp_path):
    sheet = write_csv(
        tmp_path / "inventaire.csv",
        [
            HEADER,
            ["2027.0001.001", "Casque allemand", "casque face.jpg"],
            ["2027.0002.001", "Lettre de déporté", ""],
        ],
    )
    jpeg = (folder / "casque face.jpg").read_bytes()
    png = (folder / "2026.0002.001_1.png").read_bytes()
    archive = _zip(
        tmp_path / "envoi.zip",
        {
            "envoi/inventaire.csv": sheet.read_bytes(),
            "envoi/photos/casque face.jpg": jpeg,
            "envoi/photos/2027.0002.001_1.png": png,
            "__MACOSX/envoi/._inventaire.csv": b"\x00\x05",
            "envoi/.DS_Store": b"junk",
        },
    )
    checked = _post_import(client, curator, archive)
    assert checked.status_code == 201, checked.get_data(as_text=True)
    job = checked.get_json()
    assert job["status"] == "validated", job["report"]["errors"]
    assert (job["report"]["created"], job["report"]["media_attached"]) == (2, 2)
    # Nothing attached by the check; the archive is kept, whole, for the commit.
    assert attached(app) == {}
    assert list(store.list_keys()) == [f"imports/{job['id']}/upload.zip"]

    committed = commit_import(client, app, f"/api/v1/imports/{job['id']}", curator.headers)
    assert committed.status_code == 200 and committed.get_json()["status"] == "committed"
    assert not any(key.startswith("imports/") for key in store.list_keys())
    media = attached(app)
    assert [m[:5] for m in media["2027.0001.001"]] == [
        (hashlib.sha256(jpeg).hexdigest(), "image/jpeg", 640, 480, "casque face.jpg")
    ]
    assert [m[0] for m in media["2027.0002.001"]] == [hashlib.sha256(png).hexdigest()]
    # The files are the service's own: stored under generated keys, not the archive's names.
    assert not any("casque" in key for key in store.list_keys())


@pytest.mark.parametrize(
    ("members", "says"),
    [
        ({"photo.jpg": b"x"}, "exactly one .csv or .xlsx"),
        ({"a.csv": b"object_number\n", "b/a.csv": b"object_number\n"}, "exactly one"),
        (
            {"a.csv": b"object_number\n", "x/p.jpg": b"1", "y/p.jpg": b"2"},
            "must be unique",
        ),
    ],
)
def test_unusable_archives_are_clear_problems_and_leave_nothing(
    app, client, curator, store, tmp_path, members, says
):
    folder = Path(app.config["IMPORTS_DIR"])
    before = set(folder.glob("*"))
    response = _post_import(client, curator, _zip(tmp_path / "envoi.zip", members))
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert says in " ".join(response.get_json()["errors"]["file"])
    assert set(folder.glob("*")) == before


def test_archive_names_cannot_lead_outside_and_bombs_are_refused(
    app, client, curator, store, tmp_path, monkeypatch
):
    sheet = b"object_number;title_fr;media\n2027.0009.001;Affiche;evil.png\n"
    png = samples.png_with_alpha(tmp_path / "p.png").read_bytes()
    archive = _zip(
        tmp_path / "envoi.zip", {"a.csv": sheet, "../../../evil.png": png, "/etc/x.jpg": png}
    )
    job = _post_import(client, curator, archive, dry_run=False).get_json()
    work_off(app)
    job = client.get(job["links"]["self"], headers=curator.headers).get_json()
    assert job["status"] == "committed", job["report"]
    # Only the file name counts: nothing was written outside the import's own folder.
    assert not (tmp_path / "evil.png").exists()
    assert not Path(app.config["IMPORTS_DIR"]).parent.joinpath("evil.png").exists()
    assert [m[4] for m in attached(app)["2027.0009.001"]] == ["evil.png"]

    monkeypatch.setitem(app.config, "MAX_IMPORT_UNPACKED_BYTES", 10_000)
    bomb = _zip(tmp_path / "bombe.zip", {"a.csv": sheet, "b.png": b"\x00" * 50_000})
    refused = _post_import(client, curator, bomb)
    assert refused.status_code == 422 and "unpacks to more than" in refused.get_data(as_text=True)
