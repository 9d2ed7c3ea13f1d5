"""Imports hold cells to the catalogue's text rule: the row error names the column."""

from __future__ import annotations

import io
import json
import zipfile

from PIL import Image

from catalogue.extensions import db
from catalogue.models import Agent, ImportJob, Term
from catalogue.services.exchange import imports
from catalogue.services.exchange.imports import Options
from tests.services.exchange.exchange_helpers import (
    CURATOR,
    count,
    counts,
    make_vocabulary,
    write_csv,
)


def run(path, **options):
    report = imports.import_objects(CURATOR, path, Options(**options))
    db.session.remove()
    return report


ROWS = [
    ["object_number", "status", "title_fr", "title_en", "materials", "maker", "inscriptions"],
    ["2020.0001.001", "public", "Casque\uffff", "Helmet", "Acier", "", ""],
    ["2020.0002.001", "public", "Casque", "Helmet\ufdd0", "Acier", "", ""],
    ["2020.0003.001", "draft", "Lettre", "", "Papier\x02", "", ""],
    ["2020.0004.001", "draft", "Lettre", "", "", "Atelier\x01Dupont", ""],
    ["2020.0005.001", "draft", "Plaque", "", "", "", "WA\ufffe"],
    ["2020.0006.001\x03", "draft", "Plaque", "", "", "", ""],
    ["2020.0007.001", "draft", "Bon objet", "", "Acier", "", ""],
]


def test_refused_text_in_cells_is_a_row_error_naming_the_column(ctx, tmp_path):
    make_vocabulary()
    path = write_csv(tmp_path / "inventaire.csv", ROWS)
    terms = count(Term)
    report = run(path, create_authorities=True)
    found = {(e["row"], e["column"]) for e in report.errors}
    assert found == {
        (2, "title_fr"),
        (3, "title_en"),
        (4, "materials"),
        (5, "maker"),
        (6, "inscriptions"),
        (7, "object_number"),
    }
    assert all("may not contain U+" in e["message"] for e in report.errors)
    # The report is stored as JSON by the API: it quotes no refused character.
    assert "\\u0002" not in json.dumps(report.as_dict())
    assert report.failed == 6 and not report.applied
    assert counts() == (0, 0, 0)
    assert count(Term) == terms and count(Agent) == 1  # no authority made from refused text
    applied = run(path, create_authorities=True, skip_invalid=True)
    assert (applied.created, applied.failed) == (1, 6)


def test_a_header_with_refused_text_is_a_header_error(ctx, tmp_path):
    make_vocabulary()
    path = write_csv(tmp_path / "entete.csv", [["object_number", "titre\x02"], ["1", "x"]])
    report = run(path)
    assert [(e["row"], e["column"]) for e in report.errors] == [(1, "")]
    assert "titre\ufffd" in report.errors[0]["message"]
    assert counts() == (0, 0, 0)


def test_a_media_cell_naming_a_file_with_refused_text_is_a_row_error(ctx, tmp_path):
    make_vocabulary()
    folder = tmp_path / "photos"
    folder.mkdir()
    Image.new("RGB", (64, 48), (90, 120, 150)).save(folder / "casque\uffff.png")
    path = write_csv(
        tmp_path / "media.csv",
        [["object_number", "title_fr", "media"], ["2020.0001.001", "Casque", "casque\uffff.png"]],
    )
    report = run(path, media_dir=folder)
    assert [(e["row"], e["column"]) for e in report.errors] == [(2, "media")]
    assert "U+FFFF" in report.errors[0]["message"]
    assert counts() == (0, 0, 0)


def test_through_the_api_the_report_is_stored_and_the_file_name_checked(client, users, app):
    from tests.api.test_exchange import csv_bytes, upload

    curator = users["curator"]
    rows = [["object_number", "title_fr", "maker"], ["2020.0001.001", "Casque", "Krupp\x02AG"]]
    response = upload(client, curator, csv_bytes(rows), create_authorities=True)
    assert response.status_code == 201, response.get_data(as_text=True)
    errors = response.get_json()["report"]["errors"]
    assert [(e["row"], e["column"]) for e in errors] == [(2, "maker")]
    named = upload(client, curator, csv_bytes(rows[:1]), name="inventaire\x00.csv")
    assert named.status_code == 422 and "file" in named.get_json()["errors"]
    mapping = client.post(
        "/api/v1/imports",
        data={
            "file": (io.BytesIO(csv_bytes(rows)), "a.csv"),
            "mapping": (io.BytesIO(b'columns: {"N\\0": object_number}'), "m.yaml"),
        },
        headers=curator.headers,
        content_type="multipart/form-data",
    )
    assert mapping.status_code == 422 and "mapping.columns" in mapping.get_json()["errors"]
    with app.app_context():
        assert count(ImportJob) == 1
        db.session.remove()


def test_an_archive_holding_a_file_named_with_refused_text_is_refused(client, users, tmp_path):
    from tests.api.test_exchange import csv_bytes

    sheet = csv_bytes([["object_number", "title_fr"], ["2020.0001.001", "Casque"]])
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("inventaire.csv", sheet)
        archive.writestr("photo\uffff.png", b"not read")
    response = client.post(
        "/api/v1/imports",
        data={"file": (io.BytesIO(buffer.getvalue()), "envoi.zip")},
        headers=users["curator"].headers,
        content_type="multipart/form-data",
    )
    assert response.status_code == 422 and "file" in response.get_json()["errors"]
