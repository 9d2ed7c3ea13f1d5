"""One spreadsheet row to the object input the object service validates, with errors by column."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable

from edtf.parser.edtf_exceptions import EDTFParseException
from marshmallow import ValidationError

from catalogue.schemas.common import flatten_messages
from catalogue.schemas.objects import READ_ONLY_FIELDS, REFERENCE_LISTS, ObjectIn, edtf_bounds
from catalogue.services.exchange.authority_matching import AuthorityIndex
from catalogue.services.exchange.columns import (
    DATE_COLUMNS,
    LANGUAGE_COLUMN,
    REF_LISTS,
    SIMPLE,
    TERM_LISTS,
    VALUATION,
    dimension_column,
)

DIMENSION = re.compile(
    r"^(?P<type>[a-z]+)\s*[:=]?\s*(?P<value>\d+(?:[.,]\d+)?)\s*(?P<unit>[a-z]+)$", re.IGNORECASE
)
FRENCH_DATE = re.compile(r"^(\d{1,2})/(\d{1,2})/(\d{4})$")


# One schema instance: building one per row costs more than loading the row.
OBJECT_INPUT = ObjectIn()


def input_of(document: dict) -> dict:
    """A stored record as object input (nested values shared, never changed in place)."""
    data = {k: v for k, v in document.items() if k not in READ_ONLY_FIELDS}
    data["related_objects"] = [
        {"id": r["id"], "relation": r.get("relation", "related")}
        for r in document.get("related_objects") or []
    ]
    return data


REF_FIELDS = ("object_type",)


def _id_of(ref):
    if not isinstance(ref, dict):
        return ref
    return {k: v for k, v in ref.items() if k not in ("label", "uri")}


ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _plain_date(value) -> bool:
    if value is None:
        return True
    if not isinstance(value, str) or not ISO_DATE.match(value):
        return False
    try:
        dt.date.fromisoformat(value)
    except ValueError:
        return False
    return True


def _date_as_loaded(date: dict) -> dict:
    # With an EDTF date the schema replaces earliest and latest by its bounds, so valid
    # dates given there (or none) make no difference to what is loaded.
    edtf = date.get("edtf")
    kept = isinstance(edtf, str) and edtf.strip()  # what the schema keeps of it
    if kept and _plain_date(date.get("earliest")) and _plain_date(date.get("latest")):
        return {**date, "earliest": None, "latest": None}
    return date


def ids_only(payload: dict) -> dict:
    """The input without the parts the input schema reads and then drops: the ``label`` and
    ``uri`` of authority references, and valid bounds beside an EDTF date (replaced by its
    own). Two inputs equal this way load to equal data."""
    data = dict(payload)
    for name in REF_FIELDS:
        if name in data:
            data[name] = _id_of(data[name])
    for name in REFERENCE_LISTS:
        if isinstance(data.get(name), list):
            data[name] = [_id_of(r) for r in data[name]]
    production = data.get("production")
    if isinstance(production, dict):
        production = data["production"] = dict(production)
        if "place" in production:
            production["place"] = _id_of(production["place"])
        if isinstance(production.get("date"), dict):
            production["date"] = _date_as_loaded(production["date"])
        if isinstance(production.get("makers"), list):
            production["makers"] = [
                {**m, "agent": _id_of(m["agent"])} if isinstance(m, dict) and "agent" in m else m
                for m in production["makers"]
            ]
    return data


def cell_text(value) -> str | None:
    """A cell from CSV or XLSX as trimmed text; None when empty."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        value = value.date() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text or None


def is_edtf(text: str) -> bool:
    try:
        edtf_bounds(text)
    except (EDTFParseException, ValueError, TypeError):
        return False
    return True


def _date(text: str) -> str:
    match = FRENCH_DATE.match(text)
    if match:
        day, month, year = match.groups()
        return f"{year}-{int(month):02d}-{int(day):02d}"
    return text


def _number(text: str) -> str:
    return text.replace("\u202f", "").replace("\xa0", "").replace(" ", "").replace(",", ".")


class RowReader:
    """Builds object input from rows of one file; collects errors as ``{column: [reasons]}``."""

    def __init__(
        self,
        authorities: AuthorityIndex,
        object_id_for: Callable[[str], str | None],
        separator: str = "|",
    ) -> None:
        self.authorities = authorities
        self.object_id_for = object_id_for
        self.separator = separator

    def split(self, text: str | None) -> list[str]:
        if not text:
            return []
        return [part.strip() for part in text.split(self.separator) if part.strip()]

    def read(self, row: dict[str, str | None], existing: dict | None):
        """(payload, errors): the whole input for the object, the existing record overlaid
        with the columns present in the row."""
        self.errors: dict[str, list[str]] = {}
        payload = input_of(existing) if existing else {}
        payload["object_number"] = row.get("object_number")
        if "status" in row and row["status"]:
            payload["status"] = row["status"].lower()
        for column, text in row.items():
            match = LANGUAGE_COLUMN.match(column)
            if match:
                texts = dict(payload.get(match.group(1)) or {})
                texts.pop(match.group(2), None)
                if text:
                    texts[match.group(2)] = text
                payload[match.group(1)] = texts or None
        if "object_type" in row:
            payload["object_type"] = self._ref("object_type", row["object_type"], "terms")
        for column, vocabulary in TERM_LISTS.items():
            if column in row:
                payload[column] = self._refs(column, row[column], "terms", vocabulary)
        for column, kind in REF_LISTS.items():
            if column in row:
                payload[column] = self._refs(column, row[column], kind)
        if "collections" in row:
            payload["collections"] = self._refs("collections", row["collections"], "collections")
        self._production(row, payload)
        self._dimensions(row, payload)
        if "inscriptions" in row:
            payload["inscriptions"] = self._inscriptions(row["inscriptions"])
        if "related_objects" in row:
            payload["related_objects"] = self._related(row["related_objects"])
        for column, (group, key) in SIMPLE.items():
            if column in row:
                part = dict(payload.get(group) or {})
                value = row[column]
                part[key] = _date(value) if value and column.endswith("_date") else value
                payload[group] = part if any(v for v in part.values()) else None
        self._valuation(row, payload)
        if "internal_notes" in row:
            payload["internal_notes"] = row["internal_notes"]
        return payload, self.errors

    def fail(self, column: str, message: str) -> None:
        self.errors.setdefault(column, []).append(message)

    def _ref(self, column, text, kind, vocabulary=None) -> dict | None:
        if not text:
            return None
        try:
            vocabulary = (vocabulary or column) if kind == "terms" else None
            return {"id": self.authorities.resolve(kind, text, vocabulary)}
        except LookupError as error:
            self.fail(column, str(error))
            return None

    def _refs(self, column, text, kind, vocabulary=None) -> list[dict]:
        refs = [self._ref(column, part, kind, vocabulary) for part in self.split(text)]
        return [r for r in refs if r]

    def _production(self, row: dict, payload: dict) -> None:
        present = [c for c in (*DATE_COLUMNS, "maker", "maker_role", "place") if c in row]
        if not present:
            return
        production = dict(payload.get("production") or {})
        if any(c in row for c in DATE_COLUMNS):
            production["date"] = self._date(row, production.get("date") or {})
        if "place" in row:
            production["place"] = self._ref("place", row["place"], "places")
        if "maker" in row or "maker_role" in row:
            production["makers"] = self._makers(row, production.get("makers") or [])
        if not any(production.get(k) for k in ("date", "place", "makers")):
            production = None
        payload["production"] = production

    def _date(self, row: dict, date: dict) -> dict | None:
        date = {k: date.get(k) for k in ("display", "edtf", "earliest", "latest")}
        if "date" in row:
            text = row["date"]
            date["edtf"] = text if text and is_edtf(text) else None
            date["display"] = text
        if "date_display" in row and (row["date_display"] or date.get("edtf")):
            date["display"] = row["date_display"] or date.get("edtf")
        for column in ("date_earliest", "date_latest"):
            if column in row:
                date[column.removeprefix("date_")] = _date(row[column]) if row[column] else None
        if date.get("edtf"):
            date["earliest"] = date["latest"] = None
        return date if any(date.values()) else None

    def _makers(self, row: dict, existing: list[dict]) -> list[dict]:
        if "maker" in row:
            agents = [self._ref("maker", n, "agents") for n in self.split(row["maker"])]
        else:
            agents = [m.get("agent") for m in existing]
        if "maker_role" in row:
            roles = [r.strip() or None for r in (row["maker_role"] or "").split(self.separator)]
            roles = [] if roles == [None] else roles
        else:
            roles = [m.get("role") for m in existing]
        if len(roles) == 1 and len(agents) > 1:
            roles = roles * len(agents)
        if roles and len(roles) != len(agents):
            self.fail("maker_role", f"{len(roles)} roles for {len(agents)} makers.")
            return []
        return [
            {"agent": agent, "role": roles[i] if roles else None}
            for i, agent in enumerate(agents)
            if agent
        ]

    def _json_list(self, column: str, text: str) -> list:
        try:
            value = json.loads(text)
        except json.JSONDecodeError as error:
            self.fail(column, f"A cell starting with '[' must be a JSON list: {error.msg}.")
            return []
        except RecursionError:
            self.fail(column, "A cell starting with '[' must be a JSON list: it nests too deep.")
            return []
        except ValueError:  # a number of more digits than Python converts
            self.fail(column, "A cell starting with '[' must be a JSON list: a number is too long.")
            return []
        if not isinstance(value, list):
            self.fail(column, "A cell starting with '[' must be a JSON list.")
            return []
        return value

    def _dimensions(self, row: dict, payload: dict) -> None:
        columns = [c for c in row if dimension_column(c)]
        if "dimensions" not in row and not columns:
            return
        dimensions: list = []
        text = row.get("dimensions")
        if text and text.startswith("["):
            dimensions = self._json_list("dimensions", text)
        else:
            for part in self.split(text):
                match = DIMENSION.match(part)
                if not match:
                    self.fail("dimensions", f"'{part}' is not like 'height 14 m'.")
                    continue
                value = float(_number(match["value"]))
                dimensions.append(
                    {"type": match["type"].lower(), "value": value, "unit": match["unit"].lower()}
                )
        for column in columns:
            if row[column]:
                kind, unit = dimension_column(column)
                try:
                    value = float(_number(row[column]))
                except ValueError:
                    self.fail(column, f"'{row[column]}' is not a number.")
                    continue
                dimensions.append({"type": kind, "value": value, "unit": unit})
        payload["dimensions"] = dimensions

    def _inscriptions(self, text: str | None) -> list:
        if text and text.startswith("["):
            return self._json_list("inscriptions", text)
        return [{"text": part, "type": "inscription"} for part in self.split(text)]

    def _related(self, text: str | None) -> list[dict]:
        related = []
        for part in self.split(text):
            relation = "related"
            for name in ("part_of", "related"):
                if part.startswith(f"{name}:"):
                    relation, part = name, part.removeprefix(f"{name}:").strip()
            object_id = self.object_id_for(part)
            if object_id is None:
                self.fail(
                    "related_objects",
                    f"No object numbered {part} in the catalogue or earlier in the file.",
                )
                continue
            related.append({"id": object_id, "relation": relation})
        return related

    def _valuation(self, row: dict, payload: dict) -> None:
        if not any(c in row for c in VALUATION):
            return
        valuation = dict(payload.get("valuation") or {})
        for column in VALUATION:
            if column in row:
                key = column.removeprefix("valuation_")
                value = row[column]
                if value and key == "amount":
                    value = _number(value)
                elif value and key == "date":
                    value = _date(value)
                valuation[key] = value
        payload["valuation"] = valuation if valuation.get("amount") else None
        if not valuation.get("amount") and valuation.get("currency"):
            self.fail("valuation_amount", "A valuation needs an amount.")


def column_for(path: str, columns: list[str]) -> str:
    """The spreadsheet column a validation error path points at."""
    head, _, rest = path.partition(".")
    if head in ("title", "description", "credit_line"):
        if rest:  # one language's text: title.en -> title_en
            return f"{head}_{rest.partition('.')[0]}"
        present = [c for c in columns if c.startswith(f"{head}_")]
        return present[0] if present else f"{head}_fr"
    if head == "production":
        sub = rest.partition(".")[0]
        if sub == "date":
            return "date"
        return "maker" if sub == "makers" else "place"
    if head in ("rights", "acquisition", "valuation"):
        key = rest.partition(".")[0]
        return f"{head}_{key}" if key and not key.isdigit() else f"{head}_amount"
    if head == "dimensions" and "dimensions" not in columns:
        present = [c for c in columns if dimension_column(c)]
        return present[0] if present else head
    return head


def validate(payload: dict, columns: list[str]) -> tuple[dict | None, dict[str, list[str]]]:
    """The payload loaded by the object input schema, or errors keyed by column."""
    try:
        return OBJECT_INPUT.load(payload), {}
    except ValidationError as error:
        errors: dict[str, list[str]] = {}
        for path, messages in flatten_messages(error.messages).items():
            errors.setdefault(column_for(path, columns), []).extend(messages)
        return None, errors
