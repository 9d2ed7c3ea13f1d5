"""Exports re-import to the same records, and follow filters."""

from __future__ import annotations

import datetime as dt
import json

import pytest
import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import (
    CatalogueObject,
    ChangeLogEntry,
    ObjectVersion,
    Status,
)
from catalogue.services.errors import ValidationFailed
from catalogue.services.exchange import exports, imports
from catalogue.services.exchange.imports import Options
from catalogue.services.exchange.spreadsheets import csv_chunks, jsonl_chunks, write_xlsx
from catalogue.services.objects import write as objects_write
from tests.services.exchange.exchange_helpers import CURATOR, counts, make_vocabulary


@pytest.fixture
def catalogue(ctx):
    """Records using every column kind, including ones exported as JSON cells."""
    v = make_vocabulary()
    ref = lambda key: {"id": v[key]}  # noqa: E731
    whole = objects_write.create(
        CURATOR,
        objects_write.load_input(
            {
                "object_number": "1997.0010.001",
                "status": "public",
                "title": {"fr": "Album de photographies", "en": "Photograph album"},
                "object_type": ref("letter"),
                "materials": [ref("paper"), ref("leather")],
                "production": {
                    "date": {"edtf": "1943-10/1944-07", "display": "automne 1943 - été 1944"},
                    "place": ref("essen"),
                    "makers": [{"agent": ref("krupp"), "role": "éditeur"}],
                },
                "dimensions": [
                    {"type": "height", "value": 32.5, "unit": "cm"},
                    {"type": "width", "value": 24, "unit": "cm", "note": "fermé"},
                ],
                "inscriptions": [{"text": "Souvenir | 1944", "type": "stamp", "position": "dos"}],
                "collections": [ref("weapons")],
                "credit_line": {"fr": "Don de la famille Martin"},
                "rights": {
                    "statement": "Domaine public",
                    "uri": "http://rightsstatements.org/vocab/NoC-US/1.0/",
                },
                "acquisition": {
                    "method": "don",
                    "date": "1997-03-01",
                    "source": "Famille Martin",
                    "source_contact": "03 21 00 00 00",
                },
                "valuation": {"amount": "1500.00", "currency": "EUR", "date": "2020-01-01"},
                "internal_notes": "Vérifier la reliure.",
            }
        ),
    ).data
    part = objects_write.create(
        CURATOR,
        objects_write.load_input(
            {
                "object_number": "1997.0010.002",
                "status": "internal",
                "title": {"fr": "Photographie du chantier"},
                "production": {
                    "date": {
                        "display": "vers 1944",
                        "earliest": "1943-01-01",
                        "latest": "1945-12-31",
                    }
                },
                "inscriptions": [{"text": "Wizernes"}],
                "related_objects": [{"id": whole["id"], "relation": "part_of"}],
            }
        ),
    ).data
    draft = objects_write.create(
        CURATOR,
        objects_write.load_input(
            {"object_number": "1997.0011.001", "title": {"fr": "Brouillon"}, "status": "draft"}
        ),
    ).data
    db.session.remove()
    return {"whole": whole, "part": part, "draft": draft, "vocab": v}


def export_csv(path, identity=CURATOR, **filters):
    columns, rows = exports.rows(identity, exports.Filters(**filters))
    path.write_text("".join(csv_chunks(columns, rows)), encoding="utf-8")
    return path


def comparable(document: dict) -> dict:
    ignored = ("id", "version", "created_at", "updated_at", "links")
    record = {k: v for k, v in document.items() if k not in ignored}
    record["related_objects"] = [
        (r["object_number"], r["relation"]) for r in record["related_objects"]
    ]
    return record


def documents() -> dict[str, dict]:
    rows = db.session.execute(sa.select(CatalogueObject.document)).scalars()
    return {d["object_number"]: comparable(d) for d in rows}


def test_export_reimports_unchanged(catalogue, tmp_path):
    before = counts()
    report = imports.import_objects(CURATOR, export_csv(tmp_path / "all.csv"), Options())
    assert (report.unchanged, report.updated, report.failed) == (3, 0, 0), report.errors
    db.session.remove()
    assert counts() == before


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_export_into_an_empty_catalogue_gives_the_same_records(catalogue, tmp_path, fmt):
    original = documents()
    columns, rows = exports.rows(CURATOR, exports.Filters())
    path = tmp_path / f"all.{fmt}"
    if fmt == "csv":
        path.write_text("".join(csv_chunks(columns, rows)), encoding="utf-8")
    else:
        with path.open("wb") as stream:
            write_xlsx(columns, rows, stream)
    db.session.remove()
    for table in ("object_relations", "object_terms", "object_makers", "object_collections"):
        db.session.execute(sa.text(f"DELETE FROM {table}"))
    for model in (CatalogueObject, ObjectVersion, ChangeLogEntry):
        db.session.execute(sa.delete(model))
    db.session.commit()
    report = imports.import_objects(CURATOR, path, Options())
    assert (report.created, report.failed) == (3, 0), report.errors
    db.session.remove()
    assert documents() == original


def test_filters_and_json_lines(catalogue, tmp_path):
    def numbers(**filters):
        _, rows = exports.rows(CURATOR, exports.Filters(**filters))
        return [json.loads(line)["object_number"] for line in jsonl_chunks(rows)]

    assert numbers() == ["1997.0010.001", "1997.0010.002", "1997.0011.001"]
    assert numbers(status=Status.internal) == ["1997.0010.002"]
    assert numbers(collection="hitler's secret weapons") == ["1997.0010.001"]
    assert numbers(collection=catalogue["vocab"]["weapons"]) == ["1997.0010.001"]
    future = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    assert numbers(updated_since=future) == []
    with pytest.raises(ValidationFailed) as unknown:
        numbers(collection="Collection inconnue")
    assert "collection" in unknown.value.errors
