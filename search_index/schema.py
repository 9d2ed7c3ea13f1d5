"""The index schema and the plain-dict search document it stores.

A search document is a dict built by the caller (the catalogue) with these keys; every value
in it may be matched or shown to anyone allowed to see the document's ``status``, so callers
must leave out whatever only staff may read.

- ``id`` (str), ``number`` (accession number), ``status``;
- texts, each any string (both languages side by side): ``title``, ``description``,
  ``maker``, ``place``, ``material``, ``text`` (everything else worth finding);
- facet values, lists of str: ``object_type``, ``material_ids``, ``collection``,
  ``maker_ids``, ``place_ids``, ``rights`` (rights statement URIs); booleans ``has_media``
  (media everyone may see), ``has_any_media`` and ``reusable`` (free to reuse);
- ``date_from``/``date_to`` (years or None), ``updated`` (ISO timestamp), ``digest`` (a
  fingerprint of the source record, for ``verify``).
"""

from __future__ import annotations

from whoosh.fields import ID, KEYWORD, NUMERIC, STORED, TEXT, Schema

from search_index.analysis import number_analyzer, spelling_analyzer, text_analyzer

# Fields a query may name (``title:fusée``), and the ones searched when it names none.
QUERY_FIELDS = ("title", "description", "maker", "place", "material", "number")
DEFAULT_FIELDS = ("title", "description", "maker", "place", "material", "text", "number")
FIELD_BOOSTS = {"number": 8.0, "title": 4.0, "maker": 2.0, "material": 1.5, "place": 1.5}

# Facet name -> index field holding the values.
FACETS = {
    "object_type": "f_object_type",
    "material": "f_material",
    "collection": "f_collection",
    "maker": "f_maker",
    "place": "f_place",
    "decade": "f_decade",
    "has_media": "f_has_media",
    "has_any_media": "f_has_any_media",
    "rights": "f_rights",
    "reusable": "f_reusable",
}
_SOURCES = {
    "f_object_type": "object_type",
    "f_material": "material_ids",
    "f_collection": "collection",
    "f_maker": "maker_ids",
    "f_place": "place_ids",
    "f_rights": "rights",
}
NO_DATE_LOW, NO_DATE_HIGH = -100_000, 100_000
MAX_DECADES = 30


def build_schema() -> Schema:
    analyzer = text_analyzer()

    def text(stored: bool = False) -> TEXT:
        return TEXT(analyzer=analyzer, stored=stored, phrase=True)

    facets = {name: KEYWORD(commas=True, scorable=False) for name in FACETS.values()}
    return Schema(
        id=ID(stored=True, unique=True),
        number=TEXT(analyzer=number_analyzer(), stored=True, phrase=False),
        status=ID(stored=True),
        title=text(stored=True),
        description=text(stored=True),
        maker=text(),
        place=text(),
        material=text(),
        text=text(),
        spell=TEXT(analyzer=spelling_analyzer(), phrase=False),
        date_from=NUMERIC(int, bits=32, signed=True),
        date_to=NUMERIC(int, bits=32, signed=True),
        s_number=ID(sortable=True),
        s_date_asc=NUMERIC(int, bits=32, signed=True, sortable=True),
        s_date_desc=NUMERIC(int, bits=32, signed=True, sortable=True),
        s_updated=ID(sortable=True),
        digest=STORED(),
        **facets,
    )


def _decades(start: int | None, end: int | None) -> list[str]:
    if start is None and end is None:
        return []
    start = end if start is None else start
    end = start if end is None else end
    first, last = start // 10 * 10, end // 10 * 10
    if last - first > MAX_DECADES * 10:
        return []
    return [str(decade) for decade in range(first, last + 1, 10)]


def _keywords(values) -> str:
    return ",".join(str(v).replace(",", " ") for v in values or [])


def to_fields(document: dict) -> dict:
    """The Whoosh fields of a search document (see the module docstring)."""
    start, end = document.get("date_from"), document.get("date_to")
    texts = [document.get(k) or "" for k in DEFAULT_FIELDS if k != "number"]
    fields = {
        "id": document["id"],
        "number": document["number"],
        "status": document["status"],
        "title": document.get("title") or "",
        "description": document.get("description") or "",
        "maker": document.get("maker") or "",
        "place": document.get("place") or "",
        "material": document.get("material") or "",
        "text": document.get("text") or "",
        "spell": "\n".join(texts),
        "s_number": document["number"].lower(),
        "s_date_asc": start if start is not None else (end if end is not None else NO_DATE_HIGH),
        "s_date_desc": end if end is not None else (start if start is not None else NO_DATE_LOW),
        "s_updated": document.get("updated") or "",
        "digest": document.get("digest") or "",
        "f_decade": _keywords(_decades(start, end)),
        "f_has_media": "true" if document.get("has_media") else "false",
        "f_has_any_media": "true" if document.get("has_any_media") else "false",
        "f_reusable": "true" if document.get("reusable") else "false",
    }
    if start is not None or end is not None:
        fields["date_from"] = start if start is not None else end
        fields["date_to"] = end if end is not None else start
    for field, key in _SOURCES.items():
        fields[field] = _keywords(document.get(key))
    return fields
