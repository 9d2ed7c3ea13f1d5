"""A procedure list as CSV: one row per procedure, texts in the default language, no cell
that spreadsheet software would run as a formula (the rule of object exports)."""

from __future__ import annotations

from catalogue.extensions import db
from catalogue.models import Procedure
from catalogue.services.exchange.spreadsheets import csv_chunks
from catalogue.services.identity import Identity
from catalogue.services.procedures import base, records


def _cell(value) -> str | None:
    if value is None:
        return None
    if isinstance(value, dict):
        if "amount" in value:
            return f"{value['amount']} {value.get('currency') or ''}".strip()
        if "label" in value:
            return base.label_text(value["label"])
        return base.label_text(value)
    if isinstance(value, list):
        return "; ".join(filter(None, (_cell(v) for v in value)))
    return str(value)


def csv_export(identity: Identity, kind_name: str, args: dict) -> str:
    """The whole filtered list (no paging), as CSV text."""
    records.require_staff(identity)
    kind = records.kind_of(kind_name)
    columns = ["id", "number", "status", *kind.csv_columns, "objects", "notes", "created_at"]
    query = records.filtered(kind, args).order_by(Procedure.created_at, Procedure.id)
    procedures = list(db.session.execute(query).scalars())

    def rows():
        for procedure in procedures:
            record = records.render(kind, procedure)
            row = {name: _cell(record.get(name)) for name in columns if name != "objects"}
            objects = record.get("objects")
            if objects is None:
                objects = record.get("expected") or []
            row["objects"] = "; ".join(o["object_number"] or o["id"] for o in objects)
            yield row

    return "".join(csv_chunks(columns, rows()))
