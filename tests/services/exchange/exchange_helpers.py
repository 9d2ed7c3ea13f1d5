"""Shared builders for the import, export and backup tests: vocabulary and spreadsheets."""

from __future__ import annotations

import csv
from pathlib import Path

import sqlalchemy as sa
from openpyxl import Workbook

from catalogue.extensions import db
from catalogue.models import CatalogueObject, ChangeLogEntry, ObjectVersion, Role
from catalogue.services.authorities import records as authorities
from catalogue.services.identity import SYSTEM, Identity

CURATOR = Identity(email="curator@museum.example", role=Role.curator)


def make_vocabulary() -> dict[str, str]:
    """A few authorities a La Coupole spreadsheet names; returns their ids by short name."""
    made = {}
    for key, kind, data in [
        (
            "helmet",
            "terms",
            {"vocabulary": "object_type", "label": {"fr": "Casque", "en": "Helmet"}},
        ),
        (
            "letter",
            "terms",
            {"vocabulary": "object_type", "label": {"fr": "Lettre", "en": "Letter"}},
        ),
        ("steel", "terms", {"vocabulary": "material", "label": {"fr": "Acier", "en": "Steel"}}),
        ("leather", "terms", {"vocabulary": "material", "label": {"fr": "Cuir", "en": "Leather"}}),
        (
            "paper",
            "terms",
            {
                "vocabulary": "material",
                "label": {"fr": "Papier", "en": "Paper"},
                "uri": "http://vocab.getty.edu/aat/300014109",
            },
        ),
        ("krupp", "agents", {"kind": "organisation", "label": {"fr": "Krupp"}}),
        ("essen", "places", {"label": {"fr": "Essen"}}),
        (
            "weapons",
            "collections",
            {"label": {"fr": "Les armes secrètes d’Hitler", "en": "Hitler's secret weapons"}},
        ),
    ]:
        made[key] = authorities.create(SYSTEM, kind, dict(data)).data["id"]
    db.session.remove()
    return made


def write_csv(path: Path, rows: list[list], encoding: str = "utf-8-sig", delimiter=";") -> Path:
    with path.open("w", encoding=encoding, newline="") as stream:
        csv.writer(stream, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list]) -> Path:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    book.save(path)
    return path


def count(model) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def counts() -> tuple[int, int, int]:
    """(objects, versions, change-log entries)."""
    return count(CatalogueObject), count(ObjectVersion), count(ChangeLogEntry)


def document(number: str) -> dict:
    return db.session.execute(
        sa.select(CatalogueObject.document).where(CatalogueObject.object_number == number)
    ).scalar_one()


HEADER = [
    "object_number",
    "status",
    "title_fr",
    "title_en",
    "object_type",
    "materials",
    "date",
    "maker",
    "maker_role",
    "place",
    "collection",
    "height_cm",
    "acquisition_date",
    "description_fr",
]
FRENCH_ROWS = [
    HEADER,
    [
        "2001.0001.001",
        "public",
        "Casque allemand modèle 1935",
        "German M35 helmet",
        "casque",
        "ACIER | cuir",
        "1942",
        "krupp",
        "fabricant",
        "Essen",
        "les armes secretes d'hitler",
        "25,5",
        "12/05/1998",
        "Casque trouvé à Wizernes; peinture écaillée\nsur le côté",
    ],
    [
        "2001.0002.001",
        "internal",
        "Lettre d’un déporté",
        "",
        "Letter",
        "papier",
        "vers 1943",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ],
    [
        "2001.0003.001",
        "draft",
        "Éclat d’obus",
        "Shell fragment",
        "Casque",
        "http://vocab.getty.edu/aat/300014109",
        "1944-06/1944-08",
        "",
        "",
        "",
        "",
        "",
        "",
        "",
    ],
]
