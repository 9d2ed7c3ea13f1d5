"""The ``catalogue import``, ``export``, ``backup`` and ``restore`` commands."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from openpyxl import load_workbook

from catalogue.extensions import db
from tests.conftest import empty_tables
from tests.services.exchange import bad_spreadsheets as bad
from tests.services.exchange.exchange_helpers import FRENCH_ROWS, counts, make_vocabulary, write_csv


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def vocab(app):
    with app.app_context():
        yield make_vocabulary()


def test_import_with_errors_writes_the_report_and_fails(app, runner, vocab, tmp_path):
    rows = [list(r) for r in FRENCH_ROWS]
    rows[2][5] = "plastique"
    path = write_csv(tmp_path / "inventaire.csv", rows)
    report = tmp_path / "erreurs.csv"
    result = runner.invoke(args=["import", "objects", str(path), "--errors-csv", str(report)])
    assert result.exit_code == 1
    assert "Nothing imported" in result.output and "1 failed" in result.output
    errors = list(csv.DictReader(io.StringIO(report.read_text(encoding="utf-8"))))
    assert [(e["row"], e["column"]) for e in errors] == [("3", "materials")]
    with app.app_context():
        assert counts() == (0, 0, 0)


def test_import_dry_run_then_for_real(app, runner, vocab, tmp_path):
    path = write_csv(tmp_path / "inventaire.csv", FRENCH_ROWS)
    dry = runner.invoke(args=["import", "objects", str(path), "--dry-run"])
    assert dry.exit_code == 0 and "Dry run" in dry.output and "3 created" in dry.output
    real = runner.invoke(args=["import", "objects", str(path)])
    assert real.exit_code == 0 and "3 created" in real.output
    again = runner.invoke(args=["import", "objects", str(path)])
    assert "3 unchanged" in again.output
    with app.app_context():
        assert counts() == (3, 3, 3)


def test_export_to_stdout_and_file(app, runner, vocab, tmp_path):
    runner.invoke(args=["import", "objects", str(write_csv(tmp_path / "i.csv", FRENCH_ROWS))])
    out = runner.invoke(args=["export", "objects", "--format", "csv", "--status", "public"])
    rows = list(csv.DictReader(io.StringIO(out.output.lstrip("\ufeff"))))
    assert [r["object_number"] for r in rows] == ["2001.0001.001"]
    assert rows[0]["materials"] == "Acier | Cuir"
    assert rows[0]["dimensions"] == "height 25.5 cm"
    target = tmp_path / "tout.jsonl"
    runner.invoke(args=["export", "objects", "--format", "jsonl", "--output", str(target)])
    lines = [json.loads(x) for x in target.read_text(encoding="utf-8").splitlines()]
    assert [x["object_number"] for x in lines] == [
        "2001.0001.001",
        "2001.0002.001",
        "2001.0003.001",
    ]


def test_backup_and_restore_commands(app, runner, vocab, tmp_path):
    runner.invoke(args=["import", "objects", str(write_csv(tmp_path / "i.csv", FRENCH_ROWS))])
    result = runner.invoke(args=["backup", str(tmp_path / "sauvegarde")])
    assert result.exit_code == 0 and "3 objects" in result.output
    refused = runner.invoke(args=["restore", str(tmp_path / "sauvegarde")])
    assert refused.exit_code != 0 and "empty" in refused.output
    with app.app_context():
        db.session.remove()
        empty_tables(db.engine)
    restored = runner.invoke(args=["restore", str(tmp_path / "sauvegarde")])
    assert restored.exit_code == 0, restored.output
    with app.app_context():
        assert counts() == (3, 3, 3)


def test_xlsx_export_stores_formulas_as_text(app, runner, vocab, tmp_path):
    rows = [list(r) for r in FRENCH_ROWS]
    rows[1][2] = "=cmd|' /C calc'!A0"
    runner.invoke(args=["import", "objects", str(write_csv(tmp_path / "i.csv", rows))])
    target = tmp_path / "objets.xlsx"
    result = runner.invoke(args=["export", "objects", "--format", "xlsx", "--output", str(target)])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(target) as book:
        sheet = book.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in sheet and b"<f " not in sheet
    cells = [c for row in load_workbook(target).active.iter_rows() for c in row if c.value]
    assert {c.data_type for c in cells} == {"s"}
    assert "'=cmd|' /C calc'!A0" in [c.value for c in cells]


@pytest.mark.parametrize(
    "name, build, message",
    [
        ("objets.csv", bad.random_bytes, "not UTF-8 or Windows-1252"),
        ("objets.csv", lambda: b"", "The file is empty."),
        ("objets.xlsx", bad.xlsx_with_entities, "entities"),
        ("objets.xlsx", bad.xlsx_with_huge_shared_strings, "zip bomb"),
        ("objets.xlsx", bad.xlsx_missing_shared_string, "shared text"),
    ],
)
def test_import_of_an_unreadable_file_is_a_clear_error(
    app, runner, vocab, tmp_path, name, build, message
):
    path = tmp_path / name
    path.write_bytes(build())
    result = runner.invoke(args=["import", "objects", str(path)])
    assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result.exception
    assert result.output.startswith("Error: ") and message in result.output
    assert "Traceback" not in result.output
    with app.app_context():
        assert counts() == (0, 0, 0)
