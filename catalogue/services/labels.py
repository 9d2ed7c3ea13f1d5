"""Texts in one language, a record's ``display`` texts, and how a name is compared.

Records keep texts as language maps (``{"fr": "Fusée A4", "en": "A4 rocket"}``). Every
channel that shows one text (pages, OAI-PMH, Linked Art, spreadsheets, facet labels, the
API's ``?lang=``) picks it the same way: the language asked for, else the catalogue's
default language, else the first text there is.

Every place that finds an authority by a name (the lists' ``q``, the importer's matching,
export filters) compares ``normalise``d texts, so they all resolve a name the same way.
"""

from __future__ import annotations

import unicodedata

from catalogue.schemas.objects import REFERENCE_LISTS

# Between the texts of a search text: never inside a normalised text (whitespace is collapsed),
# so a needle cannot match across two languages.
SEARCH_TEXT_SEPARATOR = "\n"
# Sort keys are cut to this many characters (they are indexed).
SORT_KEY_LENGTH = 200


def pick(value, lang: str | None, default: str | None = None, fallback=None):
    """One text of a language map; a value that is not a map is returned as it is."""
    if not isinstance(value, dict):
        return fallback if value is None else value
    for key in (lang, default):
        if key and value.get(key):
            return value[key]
    return next((text for text in value.values() if text), fallback)


def label(reference: dict | None, lang: str | None, default: str | None = None, fallback=None):
    """The label of a reference (``{"id", "label"}``) in one language."""
    if not reference:
        return fallback
    return pick(reference.get("label"), lang, default, fallback)


def display(record: dict, lang: str, default: str) -> dict:
    """The record with ``display``: every language map it holds resolved to one language."""

    def text(value):
        return pick(value, lang, default) if isinstance(value, dict) else None

    production = record.get("production") or {}
    shown = {
        "title": text(record.get("title")),
        "description": text(record.get("description")),
        "credit_line": text(record.get("credit_line")),
        "object_type": label(record.get("object_type"), lang, default),
        "production_place": label(production.get("place"), lang, default),
        "makers": [label(m.get("agent"), lang, default) for m in production.get("makers") or []],
    }
    for name in REFERENCE_LISTS:
        shown[name] = [label(r, lang, default) for r in record.get(name) or []]
    if "location" in record:
        shown["location"] = label(record.get("location"), lang, default)
    return {**record, "display": shown}


def normalise(text: str) -> str:
    """Case, accents, typographic apostrophes and repeated spaces do not matter."""
    text = unicodedata.normalize("NFKD", text.replace("\u2019", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c))
    return " ".join(text.casefold().split())


def search_text(label) -> str:
    """Every text of a language map, normalised, one per line: what lists search with ``q``."""
    texts = (normalise(t) for t in (label or {}).values() if isinstance(t, str))
    return SEARCH_TEXT_SEPARATOR.join(dict.fromkeys(t for t in texts if t))


def sort_key(label, default: str) -> str:
    """What lists sort by: the text in the default language, else in the first language tag
    in alphabetical order (the same on every database, whatever order the map is stored in),
    normalised."""
    texts = {k: v for k, v in (label or {}).items() if isinstance(v, str) and v.strip()}
    if not texts:
        return ""
    text = texts.get(default) or texts[min(texts)]
    return normalise(text)[:SORT_KEY_LENGTH]


def label_keys(label, default: str) -> dict[str, str]:
    """The stored columns derived from an authority's label (``search_text``, ``sort_key``)."""
    return {"search_text": search_text(label), "sort_key": sort_key(label, default)}
