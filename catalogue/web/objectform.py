"""The object form: a record as flat HTML field names, and form fields back to API input.

Field names are the record's field paths (``title.fr``, ``production.date.edtf``,
``dimensions.0.unit``), so validation errors, which use the same paths, land next to their
field. Repeated rows (makers, dimensions, inscriptions, related objects) are numbered; empty
rows are dropped and error paths are renumbered back to the rows the curator typed in.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from werkzeug.datastructures import MultiDict

from catalogue.schemas.objects import REFERENCE_LISTS

TEXT_MAPS = ("title", "description", "credit_line")
MULTI_REFS = REFERENCE_LISTS
SCALARS = (
    "object_number",
    "status",
    "production.date.display",
    "production.date.edtf",
    "production.date.earliest",
    "production.date.latest",
    "rights.statement",
    "rights.uri",
    "acquisition.method",
    "acquisition.date",
    "acquisition.source",
    "acquisition.source_contact",
    "valuation.amount",
    "valuation.currency",
    "valuation.date",
    "internal_notes",
)
ROWS = {
    "production.makers": ("agent", "role"),
    "dimensions": ("type", "value", "unit", "note"),
    "inscriptions": ("text", "type", "position", "language", "translation.fr", "translation.en"),
    "related_objects": ("object_number", "relation"),
}
BLANK_ROWS = 1


def _get(record: dict, path: str):
    value = record
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def to_form(record: dict) -> MultiDict:
    """The form fields showing a record as read from the service."""
    form = MultiDict()
    for name in TEXT_MAPS:
        for tag, text in (record.get(name) or {}).items():
            form[f"{name}.{tag}"] = text
    for name in SCALARS:
        value = _get(record, name)
        if value is not None:
            form[name] = str(value)
    for name in ("object_type", "production.place"):
        reference = _get(record, name)
        if reference:
            form[name] = reference["id"]
    for name in MULTI_REFS:
        form.setlist(name, [r["id"] for r in record.get(name) or []])
    for prefix, columns in ROWS.items():
        for i, row in enumerate(_get(record, prefix) or []):
            for column in columns:
                if column == "agent":
                    value = (row.get("agent") or {}).get("id")
                else:
                    value = _get(row, column)
                if value is not None:
                    form[f"{prefix}.{i}.{column}"] = str(value)
    return form


# Columns whose select list has no blank choice, so a browser always sends a value.
DEFAULTED = {"relation": "related"}


def row_count(form, prefix: str) -> int:
    """How many rows to show: up to the last one filled in, plus blank ones to add to."""
    pattern = re.compile(re.escape(prefix) + r"\.(\d+)\.(.+)$")
    indexes = [
        int(m.group(1))
        for key in form
        for m in [pattern.match(key)]
        if m and form.get(key, "").strip() and m.group(2) not in DEFAULTED
    ]
    return (max(indexes) + 1 if indexes else 0) + BLANK_ROWS


def text_languages(form, name: str) -> list[str]:
    """French and English always, then any other language the record holds."""
    extra = sorted(
        key.split(".", 1)[1]
        for key in form
        if key.startswith(name + ".") and key.split(".", 1)[1] not in ("fr", "en")
    )
    return ["fr", "en", *extra]


def _set(payload: dict, path: str, value) -> None:
    parts = path.split(".")
    for part in parts[:-1]:
        payload = payload.setdefault(part, {})
    payload[parts[-1]] = value


def from_form(
    form, find_object: Callable[[str], str | None]
) -> tuple[dict, dict[str, list[int]], dict[str, list[str]]]:
    """API input from the form, the form row behind each input row, and errors found here.

    ``find_object`` turns an accession number into an object id (None if unknown).
    """
    payload: dict = {}
    errors: dict[str, list[str]] = {}
    for name in TEXT_MAPS:
        texts = {
            key.split(".", 1)[1]: form.get(key, "")
            for key in form
            if key.startswith(name + ".") and form.get(key, "").strip()
        }
        if texts:
            payload[name] = texts
    for name in SCALARS:
        value = form.get(name, "").strip()
        if value:
            _set(payload, name, value)
    for name in ("object_type", "production.place"):
        if form.get(name):
            _set(payload, name, {"id": form[name]})
    for name in MULTI_REFS:
        payload[name] = [{"id": value} for value in form.getlist(name) if value]
    rows_map: dict[str, list[int]] = {}
    for prefix, columns in ROWS.items():
        rows, kept = [], []
        for i in range(row_count(form, prefix)):
            row = {c: form.get(f"{prefix}.{i}.{c}", "").strip() for c in columns}
            typed = [value for column, value in row.items() if column not in DEFAULTED]
            if not any(typed) or (prefix == "inscriptions" and not row["text"]):
                if any(typed):
                    errors.setdefault(f"{prefix}.{i}", []).append("Give the inscribed text.")
                continue
            converted = _row(prefix, row, i, find_object, errors)
            if converted is not None:
                rows.append(converted)
                kept.append(i)
        if rows:
            _set(payload, prefix, rows)
        rows_map[prefix] = kept
    return payload, rows_map, errors


def _row(prefix, row, i, find_object, errors) -> dict | None:
    if prefix == "production.makers":
        return {
            "agent": {"id": row["agent"]} if row["agent"] else None,
            "role": row["role"] or None,
        }
    if prefix == "related_objects":
        found = find_object(row["object_number"]) if row["object_number"] else None
        if found is None:
            errors.setdefault(f"{prefix}.{i}", []).append(
                f"No object numbered {row['object_number'] or '(empty)'}."
            )
            return None
        return {"id": found, "relation": row["relation"] or "related"}
    data: dict = {}
    for column, value in row.items():
        if value:
            _set(data, column, value)
    return data


def form_errors(errors: dict[str, list[str]], rows_map: dict[str, list[int]]) -> dict:
    """Error paths of the input renumbered to the form's rows."""
    result: dict[str, list[str]] = {}
    for path, messages in errors.items():
        for prefix, kept in rows_map.items():
            match = re.match(re.escape(prefix) + r"\.(\d+)(.*)$", path)
            if match and int(match.group(1)) < len(kept):
                path = f"{prefix}.{kept[int(match.group(1))]}{match.group(2)}"
                break
        result.setdefault(path, []).extend(messages)
    return result


def differences(mine, saved) -> list[str]:
    """Field names whose values differ between two forms (what someone else changed)."""
    names = set(mine.keys()) | set(saved.keys())
    names.discard("etag")
    names.discard("csrf_token")

    def values(form, name):
        found = [v for v in form.getlist(name) if v.strip()]
        default = DEFAULTED.get(name.rsplit(".", 1)[-1])
        return [] if found == [default] else found

    return sorted(name for name in names if values(mine, name) != values(saved, name))
