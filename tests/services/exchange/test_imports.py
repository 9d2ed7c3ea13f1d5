"""Importing spreadsheets: French CSV, XLSX, errors, re-runs, dry runs, interruptions."""

from __future__ import annotations

import datetime as dt
import io

import pytest

from catalogue.extensions import db
from catalogue.models import Agent, Term
from catalogue.services.authorities import records as authorities
from catalogue.services.exchange import imports
from catalogue.services.exchange.columns import load_mapping
from catalogue.services.exchange.imports import Options
from tests.services.exchange.exchange_helpers import (
    CURATOR,
    FRENCH_ROWS,
    count,
    counts,
    document,
    make_vocabulary,
    write_csv,
    write_xlsx,
)


@pytest.fixture
def vocab(ctx):
    return make_vocabulary()


def run(path, **options):
    report = imports.import_objects(CURATOR, path, Options(**options))
    db.session.remove()
    return report


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "cp1252"])
def test_french_semicolon_csv_imports_with_accents(vocab, tmp_path, encoding):
    path = write_csv(tmp_path / "inventaire.csv", FRENCH_ROWS, encoding=encoding)
    report = run(path)
    assert (report.created, report.failed, report.errors) == (3, 0, [])
    helmet = document("2001.0001.001")
    assert helmet["title"] == {"fr": "Casque allemand modèle 1935", "en": "German M35 helmet"}
    assert helmet["status"] == "public"
    assert helmet["object_type"]["id"] == vocab["helmet"]
    assert [m["id"] for m in helmet["materials"]] == [vocab["steel"], vocab["leather"]]
    assert helmet["production"]["date"] == {
        "display": "1942",
        "edtf": "1942",
        "earliest": "1942-01-01",
        "latest": "1942-12-31",
    }
    assert helmet["production"]["makers"][0]["agent"]["id"] == vocab["krupp"]
    assert helmet["production"]["makers"][0]["role"] == "fabricant"
    assert helmet["production"]["place"]["id"] == vocab["essen"]
    assert [c["id"] for c in helmet["collections"]] == [vocab["weapons"]]
    assert helmet["dimensions"] == [{"type": "height", "value": 25.5, "unit": "cm"}]
    assert helmet["acquisition"]["date"] == "1998-05-12"
    assert helmet["description"]["fr"].endswith("écaillée\nsur le côté")
    letter = document("2001.0002.001")
    assert letter["production"]["date"]["display"] == "vers 1943"
    assert letter["production"]["date"]["edtf"] is None
    assert letter["title"] == {"fr": "Lettre d’un déporté"}
    assert letter["object_type"]["id"] == vocab["letter"]  # matched by its English label
    shell = document("2001.0003.001")
    assert shell["materials"][0]["id"] == vocab["paper"]  # matched by URI
    assert shell["production"]["date"]["latest"] == "1944-08-31"


def test_xlsx_with_numbers_and_dates_in_cells(vocab, tmp_path):
    rows = [
        ["object_number", "title_fr", "materials", "height_cm", "acquisition_date", "status"],
        ["2002.0001.001", "Casque", "Acier", 25.5, dt.datetime(1998, 5, 12), "public"],
        ["2002.0002.001", "Casque (copie)", "acier|cuir", 30, None, None],
    ]
    report = run(write_xlsx(tmp_path / "objets.xlsx", rows))
    assert (report.created, report.failed) == (2, 0), report.errors
    first = document("2002.0001.001")
    assert first["dimensions"] == [{"type": "height", "value": 25.5, "unit": "cm"}]
    assert first["acquisition"]["date"] == "1998-05-12"
    second = document("2002.0002.001")
    assert second["status"] == "draft"
    assert second["dimensions"][0]["value"] == 30.0
    assert len(second["materials"]) == 2


BAD_ROWS = [
    ["object_number", "status", "title_fr", "materials", "height_cm", "date", "maker"],
    ["2003.0001.001", "public", "Bon objet", "acier", "12", "1944", "Krupp"],
    ["2003.0002.001", "published", "Statut inconnu", "acier", "", "", ""],
    ["2003.0003.001", "public", "", "plastique", "", "", ""],
    ["2003.0001.001", "public", "Numéro en double", "", "", "", ""],
    ["2003.0005.001", "public", "Hauteur illisible", "", "douze", "", "Inconnu SA"],
    ["", "public", "Sans numéro", "", "", "", ""],
]


def test_every_error_reported_by_row_and_column_and_nothing_written(vocab, tmp_path):
    path = write_csv(tmp_path / "erreurs.csv", BAD_ROWS, delimiter=",")
    report = run(path)
    found = {(e["row"], e["column"]) for e in report.errors}
    assert found == {
        (3, "status"),
        (4, "title_fr"),
        (4, "materials"),
        (5, "object_number"),
        (6, "height_cm"),
        (6, "maker"),
        (7, "object_number"),
    }
    assert "plastique" in next(e["message"] for e in report.errors if e["column"] == "materials")
    assert report.failed == 5 and not report.applied
    assert counts() == (0, 0, 0)
    out = io.StringIO()
    report.write_errors_csv(out)
    lines = out.getvalue().splitlines()
    assert lines[0] == "row,object_number,column,message"
    assert len(lines) == 1 + len(report.errors)


def test_skip_invalid_imports_the_good_rows(vocab, tmp_path):
    report = run(write_csv(tmp_path / "erreurs.csv", BAD_ROWS), skip_invalid=True)
    assert (report.created, report.failed) == (1, 5)
    assert count(Term) == 5  # no authority made for the invalid rows
    assert document("2003.0001.001")["title"] == {"fr": "Bon objet"}


def test_unknown_authorities_created_only_when_asked(vocab, tmp_path):
    rows = [
        ["object_number", "title_fr", "materials", "maker"],
        ["2004.0001.001", "Plaque", "Laiton", "Atelier Dupont"],
        ["2004.0002.001", "Plaque 2", "LAITON", "atelier dupont"],
    ]
    path = write_csv(tmp_path / "nouveaux.csv", rows)
    refused = run(path)
    assert {e["column"] for e in refused.errors} == {"materials", "maker"}
    dry = run(path, create_authorities=True, dry_run=True)
    assert dry.errors == [] and dry.authorities_created == {"terms": 1, "agents": 1}
    assert count(Term) == 5 and count(Agent) == 1
    report = run(path, create_authorities=True)
    assert report.created == 2 and report.authorities_created == {"terms": 1, "agents": 1}
    assert count(Term) == 6 and count(Agent) == 2
    numbers = ("2004.0001.001", "2004.0002.001")
    assert len({document(n)["materials"][0]["id"] for n in numbers}) == 1
    assert len({document(n)["production"]["makers"][0]["agent"]["id"] for n in numbers}) == 1
    # Lists find and sort what the import created as they do what the API created.
    found = authorities.list_items(CURATOR, "agents", {"q": "DUPONT"}).items
    assert [item["label"] for item in found] == [{"fr": "Atelier Dupont"}]
    listed = authorities.list_items(CURATOR, "terms", {"vocabulary": "material"}).items
    assert [item["label"]["fr"] for item in listed] == ["Acier", "Cuir", "Laiton", "Papier"]


def test_rerun_changes_nothing_and_an_edit_makes_one_version(vocab, tmp_path):
    path = write_csv(tmp_path / "inventaire.csv", FRENCH_ROWS)
    run(path)
    before = counts()
    again = run(path)
    assert (again.created, again.updated, again.unchanged) == (0, 0, 3)
    assert counts() == before
    edited = [list(r) for r in FRENCH_ROWS]
    edited[1][2] = "Casque allemand M35"
    report = run(write_csv(tmp_path / "corrigé.csv", edited))
    assert (report.updated, report.unchanged) == (1, 2)
    helmet = document("2001.0001.001")
    assert helmet["version"] == 2 and helmet["title"]["fr"] == "Casque allemand M35"
    assert counts() == (before[0], before[1] + 1, before[2] + 1)


def test_rerun_notices_a_changed_date_or_material_and_hand_bounds_beside_edtf(vocab, tmp_path):
    run(write_csv(tmp_path / "inventaire.csv", FRENCH_ROWS))
    edited = [list(r) for r in FRENCH_ROWS]
    edited[1][6] = "1943"  # the EDTF date of the helmet
    edited[3][5] = "cuir"  # the material of the shell fragment (was paper)
    report = run(write_csv(tmp_path / "corrigé.csv", edited))
    assert (report.updated, report.unchanged) == (2, 1)
    date = document("2001.0001.001")["production"]["date"]
    assert (date["edtf"], date["earliest"], date["latest"]) == ("1943", "1943-01-01", "1943-12-31")
    assert [m["label"]["fr"] for m in document("2001.0003.001")["materials"]] == ["Cuir"]
    # Bounds given by hand beside an EDTF date are replaced by its own, so nothing changes.
    rows = [["object_number", "date", "date_earliest"], ["2001.0001.001", "1943", "1900-01-01"]]
    assert run(write_csv(tmp_path / "bornes.csv", rows)).unchanged == 1
    assert document("2001.0001.001")["version"] == 2


def test_columns_absent_from_the_file_are_kept(vocab, tmp_path):
    run(write_csv(tmp_path / "inventaire.csv", FRENCH_ROWS))
    rows = [["object_number", "title_en"], ["2001.0001.001", "German helmet"]]
    report = run(write_csv(tmp_path / "anglais.csv", rows))
    assert report.updated == 1
    helmet = document("2001.0001.001")
    assert helmet["title"] == {"fr": "Casque allemand modèle 1935", "en": "German helmet"}
    assert helmet["dimensions"] and helmet["materials"]


def test_dry_run_writes_nothing(vocab, tmp_path):
    report = run(write_csv(tmp_path / "inventaire.csv", FRENCH_ROWS), dry_run=True)
    assert report.created == 3 and not report.applied
    assert counts() == (0, 0, 0)


def test_interrupted_import_keeps_whole_batches_only(vocab, tmp_path):
    rows = [["object_number", "title_fr"]] + [[f"2005.{n:04d}.001", f"Objet {n}"] for n in range(5)]
    path = write_csv(tmp_path / "long.csv", rows)
    seen = {"importing": 0}

    def stop_in_second_batch(phase, n):
        if phase == "importing":
            seen["importing"] += n
            if seen["importing"] == 3:
                raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt) as stopped:
        imports.import_objects(CURATOR, path, Options(batch_size=2), stop_in_second_batch)
    assert stopped.value.import_report.created == 2
    db.session.remove()
    assert counts() == (2, 2, 2)
    resumed = run(path, batch_size=2)
    assert (resumed.created, resumed.unchanged) == (3, 2)


def test_header_problems_stop_before_any_row(vocab, tmp_path):
    rows = [["object_number", "titre"], ["2006.0001.001", "x"]]
    report = run(write_csv(tmp_path / "entete.csv", rows), skip_invalid=True)
    assert report.errors[0]["row"] == 1 and "titre" in report.errors[0]["message"]
    assert counts() == (0, 0, 0)


def test_mapping_file_for_another_layout(vocab, tmp_path):
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text(
        "columns:\n"
        '  "N° d\'inventaire": object_number\n'
        "  Désignation: title_fr\n"
        "  Matières: materials\n"
        "list_separator: ','\n",
        encoding="utf-8",
    )
    rows = [
        ["N° d'inventaire", "Désignation", "Matières", "Remarque"],
        ["2007.0001.001", "Gourde", "acier, cuir", "ignorée"],
    ]
    report = run(write_csv(tmp_path / "autre.csv", rows), mapping=load_mapping(mapping))
    assert report.created == 1, report.errors
    assert len(document("2007.0001.001")["materials"]) == 2
