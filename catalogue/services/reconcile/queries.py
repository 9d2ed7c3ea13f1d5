"""Reading a batch of reconciliation queries: anything malformed is a ``BadRequest``."""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass, field

from catalogue.services.errors import BadRequest
from catalogue.services.reconcile.types import PROPERTIES, TYPES

# OpenRefine sends 10 queries a request; other clients may send more, up to this.
MAX_QUERIES = 50
DEFAULT_LIMIT = 5
MAX_LIMIT = 100
MAX_TEXT = 500


@dataclass
class Query:
    text: str
    type: str | None = None
    limit: int = DEFAULT_LIMIT
    # property id -> the values asked for (any of them)
    filters: dict[str, list[str]] = field(default_factory=dict)


def clean(text: str) -> str:
    """Control characters (a NUL that PostgreSQL refuses, say) are dropped."""
    return "".join(c for c in text if unicodedata.category(c) != "Cc" or c in "\t\n")


def load_json(raw: str, what: str):
    try:
        return json.loads(raw)
    except RecursionError as error:
        raise BadRequest(f"The {what} are nested too deeply.") from error
    except ValueError as error:
        raise BadRequest(f"The {what} are not valid JSON: {error}.") from error


def parse_batch(raw: str | None) -> dict[str, Query]:
    """``{"q0": {"query": ...}, ...}``, as the form field ``queries`` holds it."""
    if raw is None:
        raise BadRequest("Send the queries as the form field (or parameter) 'queries'.")
    data = load_json(raw, "queries")
    if not isinstance(data, dict) or not data:
        raise BadRequest('The queries are a JSON object: {"q0": {"query": "..."}, ...}.')
    if len(data) > MAX_QUERIES:
        raise BadRequest(f"At most {MAX_QUERIES} queries a request (this one has {len(data)}).")
    return {key: parse_query(key, value) for key, value in data.items()}


def parse_query(key: str, data) -> Query:
    where = f"Query '{key}'"
    if isinstance(data, str):  # version 0.1 allowed a bare string
        data = {"query": data}
    if not isinstance(data, dict):
        raise BadRequest(f"{where} is not an object with a 'query'.")
    text = data.get("query")
    if not isinstance(text, str) or not text.strip():
        raise BadRequest(f"{where}: 'query' is a non-empty text.")
    if len(text) > MAX_TEXT:
        raise BadRequest(f"{where}: 'query' is longer than {MAX_TEXT} characters.")
    query = Query(text=clean(text).strip())
    query.type = parse_type(where, data.get("type"))
    limit = data.get("limit", DEFAULT_LIMIT)
    if limit is not None:
        if isinstance(limit, bool) or not isinstance(limit, int) or limit < 1:
            raise BadRequest(f"{where}: 'limit' is a positive whole number.")
        query.limit = min(limit, MAX_LIMIT)
    query.filters = parse_properties(where, data.get("properties"), query.type)
    return query


def parse_type(where: str, value) -> str | None:
    if isinstance(value, list):
        if len(value) > 1:
            raise BadRequest(f"{where}: name one type.")
        value = value[0] if value else None
    if value is None:
        return None
    if not isinstance(value, str) or value not in TYPES:
        raise BadRequest(f"{where}: unknown type {value!r}; the types are {', '.join(TYPES)}.")
    return value


def parse_properties(where: str, value, type_id: str | None) -> dict[str, list[str]]:
    if value is None:
        return {}
    if not isinstance(value, list):
        raise BadRequest(f'{where}: \'properties\' is a list of {{"pid", "v"}}.')
    known = PROPERTIES[type_id] if type_id else {}
    if not type_id:
        for properties in PROPERTIES.values():
            known = {**known, **properties}
    filters: dict[str, list[str]] = {}
    for item in value:
        if not isinstance(item, dict):
            raise BadRequest(f'{where}: each property is an object {{"pid", "v"}}.')
        pid = item.get("pid", item.get("p"))
        if not isinstance(pid, str) or pid not in known:
            names = ", ".join(sorted(known)) or "none"
            raise BadRequest(f"{where}: unknown property {pid!r}; the properties are {names}.")
        values = [_value(where, pid, v) for v in _listed(item.get("v"))]
        allowed = known[pid].values
        for v in values:
            if allowed and v not in allowed:
                raise BadRequest(f"{where}: {pid} is one of {', '.join(allowed)} (not {v!r}).")
        filters.setdefault(pid, []).extend(values)
    return filters


def _listed(value) -> list:
    return value if isinstance(value, list) else [value]


def _value(where: str, pid: str, value) -> str:
    if isinstance(value, dict):
        value = value.get("id")
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        raise BadRequest(f'{where}: the value of {pid} is a text, a number or {{"id": ...}}.')
    text = clean(str(value)).strip()
    if not text or len(text) > MAX_TEXT:
        raise BadRequest(f"{where}: the value of {pid} is empty or too long.")
    return text
