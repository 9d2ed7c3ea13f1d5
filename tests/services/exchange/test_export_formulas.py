"""Exported cells never run as spreadsheet formulas, and still import back to the same records."""

from __future__ import annotations

import csv
import io
import zipfile

import pytest
import sqlalchemy as sa
from openpyxl import load_workbook

from catalogue.extensions import db
from catalogue.models import CatalogueObject, ChangeLogEntry, ObjectVersion
from catalogue.services.authorities import records as authorities
from catalogue.services.exchange import exports, imports
from catalogue.services.exchange.imports import Options
from catalogue.services.exchange.spreadsheets import csv_chunks, read_rows, write_xlsx
from catalogue.services.identity import SYSTEM
from catalogue.services.objects import write as objects_write
from tests.services.exchange.exchange_helpers import CURATOR

# What a spreadsheet runs as a formula when a cell starts with it (OWASP's list).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
PAYLOAD = "=cmd|' /C calc'!A0"
TITLES = {
    "2030.0001.001": PAYLOAD,
    "2030.0002.001": "+33 3 21 12 27 27",
    "2030.0003.001": "-40 °C dans la galerie",
    "2030.0004.001": "@SUM(1+9)*cmd|' /C calc'!A0",
    "2030.0005.001": "'Tis a drawing",  # a quote the export did not add
    "2030.0006.001": "'=already escaped by hand",
    "2030.0007.001": "''two quotes",
    "2030.0008.001": "'",
    "2030.0009.001": "Rapport\t=1+1\r\n-suite",
}


def _create(number: str, title: str, **fields) -> None:
    data = {"object_number": number, "status": "public", "title": {"fr": title}, **fields}
    objects_write.create(CURATOR, objects_write.load_input(data))


@pytest.fixture
def hostile(ctx):
    """Public records whose texts start as formulas do, in every kind of column."""
    maker = authorities.create(
        SYSTEM, "agents", {"kind": "person", "label": {"fr": '=HYPERLINK("http://x")'}}
    ).data["id"]
    material = authorities.create(
        SYSTEM, "terms", {"vocabulary": "material", "label": {"fr": "-acier"}}
    ).data["id"]
    for number, title in TITLES.items():
        _create(number, title)
    _create(
        "2030.0010.001",
        "Fragment",
        description={"fr": "+ description", "en": "@ description"},
        materials=[{"id": material}],
        production={
            "date": {"edtf": "-0044", "display": "44 av. J.-C."},
            "makers": [{"agent": {"id": maker}, "role": "=fabricant"}],
        },
        credit_line={"fr": "=Don"},
        acquisition={"method": "-don", "source": "@famille"},
        internal_notes="=1+1",
    )
    db.session.remove()


def _exported(fmt: str, tmp_path):
    columns, rows = exports.rows(CURATOR, exports.Filters())
    path = tmp_path / f"objets.{fmt}"
    if fmt == "csv":
        path.write_text("".join(csv_chunks(columns, rows)), encoding="utf-8")
    else:
        with path.open("wb") as stream:
            write_xlsx(columns, rows, stream)
    return path


def _cells(path) -> list[str]:
    if path.suffix == ".csv":
        text = path.read_text(encoding="utf-8").lstrip("\ufeff")
        return [cell for row in csv.reader(io.StringIO(text)) for cell in row]
    book = load_workbook(path)
    cells = [cell for row in book.active.iter_rows() for cell in row if cell.value is not None]
    assert {cell.data_type for cell in cells} == {"s"}  # every cell a string, none a formula
    return [cell.value for cell in cells]


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_no_exported_cell_starts_as_a_formula(hostile, tmp_path, fmt):
    cells = _cells(_exported(fmt, tmp_path))
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    assert f"'{PAYLOAD}" in cells
    for text in ("'+ description", "'@ description", "'-acier", "'=fabricant", "'=1+1", "'-0044"):
        assert text in cells
    assert '\'=HYPERLINK("http://x")' in cells
    assert "'Tis a drawing" in cells  # left as it is: nothing to escape
    assert "''=already escaped by hand" in cells and "'''two quotes" in cells


def test_the_xlsx_sheet_holds_no_formula(hostile, tmp_path):
    with zipfile.ZipFile(_exported("xlsx", tmp_path)) as book:
        xml = b"".join(book.read(n) for n in book.namelist() if n.startswith("xl/worksheets/"))
    assert b"<f>" not in xml and b"<f " not in xml


def _documents() -> dict[str, dict]:
    ignored = ("id", "version", "created_at", "updated_at", "links")
    rows = db.session.execute(sa.select(CatalogueObject.document)).scalars()
    return {d["object_number"]: {k: v for k, v in d.items() if k not in ignored} for d in rows}


def _empty_objects() -> None:
    for table in ("object_relations", "object_terms", "object_makers", "object_collections"):
        db.session.execute(sa.text(f"DELETE FROM {table}"))
    for model in (CatalogueObject, ObjectVersion, ChangeLogEntry):
        db.session.execute(sa.delete(model))
    db.session.commit()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_neutralised_export_imports_back_to_the_same_records(hostile, tmp_path, fmt):
    original = _documents()
    assert {original[n]["title"]["fr"] for n in TITLES} == {t.strip() for t in TITLES.values()}
    path = _exported(fmt, tmp_path)
    again = imports.import_objects(CURATOR, path, Options())
    assert (again.unchanged, again.updated, again.failed) == (10, 0, 0), again.errors
    db.session.remove()
    _empty_objects()
    report = imports.import_objects(CURATOR, path, Options())
    assert (report.created, report.failed) == (10, 0), report.errors
    db.session.remove()
    assert _documents() == original


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_cells_starting_with_white_space_or_quotes_read_back_exactly(tmp_path, fmt):
    # Records never start with white space (texts are trimmed) but cells may; the end of a
    # cell is trimmed on import, so these end with something else.
    texts = [*(f"{c}x" for c in FORMULA_STARTS), "'", "''", "'\tx", "'=", "'x", "x'"]
    columns = [f"c{i}" for i in range(len(texts))]
    row = dict(zip(columns, texts, strict=True))
    path = tmp_path / f"cells.{fmt}"
    if fmt == "csv":
        path.write_text("".join(csv_chunks(columns, [row])), encoding="utf-8")
    else:
        with path.open("wb") as stream:
            write_xlsx(columns, [row], stream)
    assert not [c for c in _cells(path) if c.startswith(FORMULA_STARTS)]
    header, cells = list(read_rows(path))
    assert header == (1, columns)
    assert cells == (2, texts)
