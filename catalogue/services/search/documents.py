"""Records as search documents: only what non-staff callers may read, flattened for the index."""

from __future__ import annotations

import hashlib
import json

from catalogue.schemas import rights as rights_list
from catalogue.services.identity import ANONYMOUS, view_of


def _texts(value) -> list[str]:
    if isinstance(value, dict):
        return [v for v in value.values() if isinstance(v, str) and v]
    return [value] if isinstance(value, str) and value else []


def _labels(references) -> list[str]:
    return [text for ref in references or [] if ref for text in _texts(ref.get("label"))]


def _ids(references) -> list[str]:
    return [ref["id"] for ref in references or [] if ref and ref.get("id")]


def _year(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(value.lstrip("-")[:4]) * (-1 if value.startswith("-") else 1)
    except ValueError:
        return None


def search_document(document: dict) -> dict:
    """The search document of a stored record: only what non-staff callers may read.

    Built from the public view, so staff-only fields (location, valuation, internal notes,
    the acquisition source's contact) and private media never reach the index.
    """
    record = view_of(document, ANONYMOUS)
    production = record.get("production") or {}
    makers = [m.get("agent") for m in production.get("makers") or []]
    places = [production.get("place")] + list(record.get("associated_places") or [])
    date = production.get("date") or {}
    acquisition = record.get("acquisition") or {}
    rights_uri = (record.get("rights") or {}).get("uri")
    other = (
        _labels([record.get("object_type")])
        + _labels(record.get("techniques"))
        + _labels(record.get("subjects"))
        + _labels(record.get("associated_agents"))
        + _labels(record.get("collections"))
        + [m.get("role") for m in production.get("makers") or [] if m.get("role")]
        + [t for i in record.get("inscriptions") or [] for t in _texts(i.get("text"))]
        + _texts(date.get("display"))
        + _texts(record.get("credit_line"))
        + _texts(acquisition.get("source"))
    )
    search = {
        "id": record["id"],
        "number": record["object_number"],
        "status": record["status"],
        "title": "\n".join(_texts(record.get("title"))),
        "description": "\n".join(_texts(record.get("description"))),
        "maker": "\n".join(_labels(makers)),
        "place": "\n".join(_labels(places)),
        "material": "\n".join(_labels(record.get("materials"))),
        "text": "\n".join(other),
        "object_type": _ids([record.get("object_type")]),
        "material_ids": _ids(record.get("materials")),
        "collection": _ids(record.get("collections")),
        "maker_ids": _ids(makers),
        "place_ids": list(dict.fromkeys(_ids(places))),
        "has_media": bool(record.get("media")),
        "has_any_media": bool(document.get("media")),
        "rights": [rights_uri] if rights_list.find(rights_uri) else [],
        "reusable": rights_list.is_reusable(rights_uri),
        "date_from": _year(date.get("earliest")),
        "date_to": _year(date.get("latest")),
        "updated": record.get("updated_at") or "",
    }
    search["digest"] = hashlib.sha256(
        json.dumps(search, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    return search
