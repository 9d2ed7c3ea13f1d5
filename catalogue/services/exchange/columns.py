"""The spreadsheet columns of an object, shared by import and export.

One row is one object. The default column names (header cells are matched case-insensitively,
spaces and hyphens count as underscores):

====================================  ==========================================================
``object_number``                     accession number; matches rows to records (required)
``status``                            ``draft``, ``internal`` or ``public`` (new rows: draft)
``title_fr``, ``title_en``, ...       title in each language (``title_<lang>``)
``description_<lang>``                description in each language
``object_type``                       one term of the ``object_type`` vocabulary
``materials``, ``techniques``,        terms, several separated by ``|``
``subjects``
``date``                              EDTF (``1944``, ``1943-10/1944-07``, ``1944~``) or free text
``date_display``                      how the date reads, when it differs from the EDTF
``date_earliest``, ``date_latest``    ISO dates, for a free-text date only
``maker``, ``maker_role``             agents separated by ``|``; roles in the same order (or one
                                      role for all)
``place``                             place of production
``associated_places``,                places and agents, separated by ``|``
``associated_agents``
``collections`` (or ``collection``)   collections, separated by ``|``
``related_objects``                   accession numbers separated by ``|``, ``part_of:`` in front
                                      of the whole an object is part of
``dimensions``                        ``height 14 m | width 1.65 m`` (a cell starting with ``[``
                                      holds the JSON list, as exports write it when a note is set)
``<type>_<unit>``                     one dimension per column: ``height_cm``, ``weight_kg``...
``inscriptions`` (or ``inscription``) texts separated by ``|``, or a JSON list
``credit_line_<lang>``                credit line in each language
``rights_statement``, ``rights_uri``  rights
``acquisition_method``, ``_date``,    acquisition (``acquisition_source_contact`` is staff-only)
``_source``, ``_source_contact``
``valuation_amount``, ``_currency``,  valuation (staff-only)
``_date``
``internal_notes``                    staff-only notes
``media``                             file names in the media folder, separated by ``|`` (read with
                                      ``--media-dir``; files named after the accession number,
                                      ``1997.0001.001.jpg`` or ``1997.0001.001_2.tif``, are
                                      attached too)
``id``, ``version``, ``created_at``,  written by exports, ignored by imports
``updated_at``, ``location``
====================================  ==========================================================

Terms, agents, places and collections are named by a label in any language (case and accents
do not matter) or by their URI. On update, only the columns present in the file change the
record; an empty cell in a present column clears that field. A cell starting with a single
quote followed by ``=``, ``+``, ``-``, ``@``, a tab, a carriage return or another quote is read
without that first quote: exports put it there so that no cell runs as a formula.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from catalogue.schemas.objects import DIMENSION_UNITS
from catalogue.schemas.text import shown
from catalogue.services import labels

LIST_SEPARATOR = "|"
LANGUAGE_FIELDS = ("title", "description", "credit_line")
TERM_LISTS = {"materials": "material", "techniques": "technique", "subjects": "subject"}
REF_LISTS = {"associated_places": "places", "associated_agents": "agents"}
SIMPLE = {
    "rights_statement": ("rights", "statement"),
    "rights_uri": ("rights", "uri"),
    "acquisition_method": ("acquisition", "method"),
    "acquisition_date": ("acquisition", "date"),
    "acquisition_source": ("acquisition", "source"),
    "acquisition_source_contact": ("acquisition", "source_contact"),
}
VALUATION = ("valuation_amount", "valuation_currency", "valuation_date")
DATE_COLUMNS = ("date", "date_display", "date_earliest", "date_latest")
# Columns an export writes and an import reads past (the record keeps its own).
READ_ONLY_COLUMNS = ("id", "version", "created_at", "updated_at", "location")
ALIASES = {"collection": "collections", "inscription": "inscriptions", "maker_roles": "maker_role"}
# What an object is, who made it, where and when, and what it relates to, in file order.
DESCRIPTIVE = (
    "object_type",
    *TERM_LISTS,
    *DATE_COLUMNS,
    "maker",
    "maker_role",
    "place",
    *REF_LISTS,
    "collections",
    "related_objects",
    "dimensions",
    "inscriptions",
)
FIXED = (
    "object_number",
    "status",
    *DESCRIPTIVE,
    *SIMPLE,
    *VALUATION,
    "internal_notes",
    "media",
)
LANGUAGE_COLUMN = re.compile(r"^(title|description|credit_line)_([a-z]{2,3})$")
STAFF_ONLY_COLUMNS = ("acquisition_source_contact", *VALUATION, "internal_notes", "location")


def dimension_column(name: str) -> tuple[str, str] | None:
    """``height_cm`` -> ("height", "cm"), for known dimension types and units."""
    kind, _, unit = name.rpartition("_")
    if kind in DIMENSION_UNITS and unit in DIMENSION_UNITS[kind]:
        return kind, unit
    return None


def canonical(header: str) -> str:
    name = re.sub(r"[\s\-]+", "_", str(header).strip().lower())
    return ALIASES.get(name, name)


def is_known(name: str) -> bool:
    return (
        name in FIXED
        or name in READ_ONLY_COLUMNS
        or bool(LANGUAGE_COLUMN.match(name))
        or dimension_column(name) is not None
    )


@dataclass
class Mapping:
    """How a file's headers name catalogue columns.

    Without a mapping file, headers are the default names above and an unknown header is an
    error. A mapping file (YAML or JSON) renames headers; headers it does not list are ignored::

        columns:
          "N° d'inventaire": object_number
          "Désignation": title_fr
          "Matériaux": materials
        list_separator: ";"   # optional, between several values in one cell
    """

    columns: dict[str, str] = field(default_factory=dict)
    list_separator: str = LIST_SEPARATOR
    explicit: bool = False

    def resolve_headers(self, headers: list[str]) -> tuple[list[str | None], list[str]]:
        """For each header, the catalogue column it feeds (None: ignored), and header errors."""
        names: list[str | None] = []
        errors: list[str] = []
        renames = {str(k).strip(): canonical(v) for k, v in self.columns.items()}
        for header in headers:
            header = "" if header is None else str(header).strip()
            if self.explicit:
                names.append(renames.get(header))
                continue
            name = canonical(header) if header else None
            if name is not None and not is_known(name):
                errors.append(
                    f"Unknown column '{shown(header)}' (see the documented column names)."
                )
                name = None
            names.append(name)
        seen = [n for n in names if n]
        for name in {n for n in seen if seen.count(n) > 1}:
            errors.append(f"Column '{name}' appears more than once.")
        if "object_number" not in seen:
            errors.append("The file has no object_number column.")
        return names, errors


def load_mapping(path: str | Path) -> Mapping:
    """Read a mapping file; raises ValueError with a readable reason."""
    text = Path(path).read_text(encoding="utf-8-sig")
    try:
        data = json.loads(text) if str(path).endswith(".json") else yaml.safe_load(text)
    except (json.JSONDecodeError, yaml.YAMLError) as error:
        raise ValueError(f"The mapping file cannot be read: {error}") from error
    return mapping_from_dict(data)


def mapping_from_dict(data) -> Mapping:
    if not isinstance(data, dict) or not isinstance(data.get("columns"), dict):
        raise ValueError("A mapping file needs a 'columns' table: header -> catalogue column.")
    unknown = [v for v in data["columns"].values() if not is_known(canonical(str(v)))]
    if unknown:
        raise ValueError(f"The mapping names unknown catalogue columns: {', '.join(unknown)}.")
    separator = data.get("list_separator", LIST_SEPARATOR)
    if not isinstance(separator, str) or not separator.strip():
        raise ValueError("list_separator must be a non-blank string.")
    return Mapping(
        columns={str(k): str(v) for k, v in data["columns"].items()},
        list_separator=separator.strip(),
        explicit=True,
    )


# ---- export: a record as one row ----------------------------------------------------------


def export_columns(languages: tuple[str, ...], staff: bool) -> list[str]:
    """The header of an export; staff-only columns only for staff."""
    language_columns = [f"{name}_{lang}" for name in LANGUAGE_FIELDS for lang in languages]
    columns = [
        "id",
        "object_number",
        "status",
        *language_columns[: 2 * len(languages)],
        *DESCRIPTIVE,
        *language_columns[2 * len(languages) :],
        *SIMPLE,
        *VALUATION,
        "internal_notes",
        "location",
        "version",
        "created_at",
        "updated_at",
    ]
    return [c for c in columns if staff or c not in STAFF_ONLY_COLUMNS]


def number_text(value) -> str:
    """A number as a spreadsheet shows it and ``float()`` reads it back exactly."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return repr(value) if isinstance(value, float) else str(value)


def label_of(reference: dict | None, default_language: str) -> str:
    return labels.label(reference, default_language, fallback="")


def _joined(values) -> str:
    return f" {LIST_SEPARATOR} ".join(values)


def dimensions_text(dimensions: list[dict]) -> str:
    if any(d.get("note") for d in dimensions):
        return json.dumps(dimensions, ensure_ascii=False)
    return _joined(f"{d['type']} {number_text(d['value'])} {d['unit']}" for d in dimensions)


def inscriptions_text(inscriptions: list[dict]) -> str:
    plain = all(
        set(i) <= {"text", "type"}
        and i.get("type", "inscription") == "inscription"
        and LIST_SEPARATOR not in i["text"]
        for i in inscriptions
    )
    if plain:
        return _joined(i["text"] for i in inscriptions)
    return json.dumps(inscriptions, ensure_ascii=False)


def to_row(record: dict, columns: list[str], default_language: str) -> dict[str, str]:
    """One record (as the caller may see it) as the cells of ``columns``."""
    production = record.get("production") or {}
    date = production.get("date") or {}
    acquisition = record.get("acquisition") or {}
    rights = record.get("rights") or {}
    valuation = record.get("valuation") or {}
    makers = production.get("makers") or []

    def labels(name: str) -> str:
        return _joined(label_of(r, default_language) for r in record.get(name) or [])

    cells = {
        "id": record.get("id"),
        "object_number": record.get("object_number"),
        "status": record.get("status"),
        "object_type": label_of(record.get("object_type"), default_language),
        **{name: labels(name) for name in (*TERM_LISTS, *REF_LISTS, "collections")},
        "date": date.get("edtf") or date.get("display"),
        "date_display": date.get("display")
        if date.get("edtf") and date.get("display") != date.get("edtf")
        else None,
        "date_earliest": None if date.get("edtf") else date.get("earliest"),
        "date_latest": None if date.get("edtf") else date.get("latest"),
        "maker": _joined(label_of(m.get("agent"), default_language) for m in makers),
        "maker_role": _joined(m.get("role") or "" for m in makers)
        if any(m.get("role") for m in makers)
        else None,
        "place": label_of(production.get("place"), default_language),
        "related_objects": _joined(
            ("part_of:" if r.get("relation") == "part_of" else "") + r["object_number"]
            for r in record.get("related_objects") or []
        ),
        "dimensions": dimensions_text(record.get("dimensions") or []),
        "inscriptions": inscriptions_text(record.get("inscriptions") or []),
        "valuation_amount": valuation.get("amount"),
        "valuation_currency": valuation.get("currency"),
        "valuation_date": valuation.get("date"),
        "internal_notes": record.get("internal_notes"),
        "location": label_of(record.get("location"), default_language),
        "version": record.get("version"),
        "created_at": record.get("created_at"),
        "updated_at": record.get("updated_at"),
    }
    for column, (group, key) in SIMPLE.items():
        cells[column] = (acquisition if group == "acquisition" else rights).get(key)
    for column in columns:
        match = LANGUAGE_COLUMN.match(column)
        if match:
            cells[column] = (record.get(match.group(1)) or {}).get(match.group(2))
    return {c: "" if cells.get(c) is None else str(cells[c]) for c in columns}
