"""Malformed and malicious files sent to ``POST /api/v1/imports``: a clear 422, nothing kept.

Every file is built here (tests/services/bad_spreadsheets.py), none is a stored fixture.
"""

from __future__ import annotations

import codecs
import io
import time
import zipfile
from pathlib import Path

import pytest
import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import ImportJob
from tests.api.test_exchange import upload
from tests.helpers import is_problem
from tests.services.exchange import bad_spreadsheets as bad

REFUSED = {
    "random bytes": (
        "objets.csv",
        bad.random_bytes,
        "The file is not UTF-8 or Windows-1252 text",
    ),
    "NUL byte": (
        "objets.csv",
        lambda: bad.csv_text([bad.HEADER, ["2040.0001.001", "public", "Cas\x00que"]]),
        "NUL byte",
    ),
    "UTF-16": (
        "objets.csv",
        lambda: "\r\n".join(";".join(r) for r in [bad.HEADER, bad.ROW]).encode("utf-16"),
        "UTF-16",
    ),
    "UTF-8 BOM, then not UTF-8": (
        "objets.csv",
        lambda: (
            codecs.BOM_UTF8
            + bad.csv_text([bad.HEADER, ["2040.0001.001", "public", "é"]])
            + "è".encode("cp1252")
        ),
        "starts as UTF-8",
    ),
    "empty CSV": ("objets.csv", lambda: b"", "The file is empty."),
    "BOM only": ("objets.csv", lambda: codecs.BOM_UTF8, "The file is empty."),
    "row without end": (
        "objets.csv",
        lambda: bad.csv_text([bad.HEADER]) + b'2040.0001.001;public;"' + b"x" * (9 << 20),
        "Row 2 is longer than",
    ),
    "empty XLSX": ("objets.xlsx", lambda: b"", "The file is empty."),
    "XLSX not a zip": ("objets.xlsx", lambda: b"object_number;title_fr\r\n", "zip package"),
    "XLSX with entities": ("objets.xlsx", bad.xlsx_with_entities, "entities"),
    "XLSX zip bomb": ("objets.xlsx", bad.xlsx_with_huge_shared_strings, "zip bomb"),
    "XLSX without sheet": ("objets.xlsx", bad.xlsx_without_sheet, "no worksheet"),
    "XLSX missing text": ("objets.xlsx", bad.xlsx_missing_shared_string, "shared text"),
    "XLSX row past the sheet": ("objets.xlsx", bad.xlsx_row_beyond_the_sheet, "rows"),
    "XLSX too wide": ("objets.xlsx", bad.xlsx_wide_header, "columns"),
}


def _kept(app) -> tuple:
    """The import jobs and the stored files, to compare before and after a request."""
    with app.app_context():
        jobs = db.session.execute(sa.select(sa.func.count(ImportJob.id))).scalar_one()
        db.session.remove()
    folder = Path(app.config["IMPORTS_DIR"])
    return jobs, sorted(p.name for p in folder.iterdir()) if folder.exists() else []


@pytest.mark.parametrize("case", REFUSED)
def test_bad_files_are_a_clear_problem_and_change_nothing(app, client, users, state, case):
    name, build, message = REFUSED[case]
    before, kept = state(), _kept(app)
    started = time.monotonic()
    response = upload(client, users["curator"], build(), name=name)
    assert time.monotonic() - started < 30  # never the minutes a reader would take
    response.request.environ["wsgi.input"].close()  # the test client spools large bodies
    body = is_problem(response, 422)
    assert message in body["detail"] and body["errors"]["file"] == [body["detail"]]
    assert app.config["IMPORTS_DIR"] not in body["detail"]
    assert (state(), _kept(app)) == (before, kept)


def test_the_same_files_in_a_zip_are_refused_alike(app, client, users, state):
    before, kept = state(), _kept(app)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("inventaire/objets.xlsx", bad.xlsx_with_entities())
    response = upload(client, users["curator"], buffer.getvalue(), name="envoi.zip")
    assert "entities" in is_problem(response, 422)["detail"]
    assert (state(), _kept(app)) == (before, kept)


def test_a_far_cell_under_a_whole_sheet_dimension_is_read_quickly(client, users):
    started = time.monotonic()
    response = upload(client, users["curator"], bad.xlsx_far_cell(), name="objets.xlsx")
    assert time.monotonic() - started < 30
    assert response.status_code == 201, response.get_data(as_text=True)
    job = response.get_json()
    assert (job["status"], job["report"]["rows"]) == ("validated", 0)


def test_a_header_only_file_checks_to_nothing(client, users):
    response = upload(client, users["curator"], bad.csv_text([bad.HEADER]))
    assert response.status_code == 201
    job = response.get_json()
    assert (job["status"], job["report"]["rows"], job["report"]["errors"]) == ("validated", 0, [])


def test_duplicated_headers_are_reported(client, users):
    rows = [[*bad.HEADER, "Title FR"], [*bad.ROW, "Casque"]]
    job = upload(client, users["curator"], bad.csv_text(rows)).get_json()
    assert job["status"] == "invalid"
    assert [e["message"] for e in job["report"]["errors"]] == [
        "Column 'title_fr' appears more than once."
    ]


@pytest.mark.parametrize(
    "content",
    [
        codecs.BOM_UTF8 + bad.csv_text([bad.HEADER, bad.ROW]),
        bad.csv_text([bad.HEADER, bad.ROW], encoding="cp1252"),
        bad.xlsx(),
    ],
    ids=["BOM", "Windows-1252", "XLSX"],
)
def test_well_formed_files_still_import(client, users, content):
    name = "objets.xlsx" if content.startswith(b"PK") else "objets.csv"
    response = upload(client, users["curator"], content, name=name, dry_run=False)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["report"]["created"] == 1


def test_long_cells_are_a_row_error_not_a_file_error(client, users):
    rows = [bad.HEADER, ["2040.0001.001", "public", "x" * 200_000]]
    job = upload(client, users["curator"], bad.csv_text(rows)).get_json()
    assert job["status"] == "invalid"
    assert [(e["row"], e["column"]) for e in job["report"]["errors"]] == [(2, "title_fr")]


BAD_CELLS = {
    "deeply nested JSON": ("dimensions", "[" * 100_000, "nests too deep"),
    "JSON number of 5,000 digits": ("inscriptions", "[1" + "0" * 5000 + "]", "number is too long"),
    "control character in a new term": ("materials", "ac\x0bier", "control character"),
    "control character in a new agent": ("maker", "Kr\x1fupp", "control character"),
}


@pytest.mark.parametrize("case", BAD_CELLS)
def test_bad_cells_are_row_errors_and_create_nothing(client, users, state, case):
    column, text, message = BAD_CELLS[case]
    curator = users["curator"]
    before = state()
    rows = [[*bad.HEADER, column], [*bad.ROW, text]]
    response = upload(client, curator, bad.csv_text(rows), dry_run=False, create_authorities=True)
    assert response.status_code == 201, response.get_data(as_text=True)
    job = response.get_json()
    assert job["status"] == "invalid"
    assert [(e["row"], e["column"]) for e in job["report"]["errors"]] == [(2, column)]
    assert message in job["report"]["errors"][0]["message"]
    assert state() == before
    for kind in ("terms", "agents"):
        listed = client.get(f"/api/v1/{kind}", headers=curator.headers).get_json()
        assert listed["total"] == 0
