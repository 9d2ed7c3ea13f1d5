"""Record values shown in the interface's language: dates, maker roles, rights, lists."""

from __future__ import annotations

import datetime as dt
import re

from babel.dates import format_date
from flask import current_app
from flask_babel import get_locale
from flask_babel import gettext as _
from markupsafe import Markup, escape

from catalogue.schemas import rights as rights_list
from catalogue.services import labels

# Maker roles are free text in the records; the usual ones are shown in either language.
ROLES = {
    "photographe": {"en": "photographer", "fr": "photographe"},
    "photographer": {"en": "photographer", "fr": "photographe"},
    "photographe (prise de vue aérienne)": {
        "en": "photographer (aerial photograph)",
        "fr": "photographe (prise de vue aérienne)",
    },
    "fabricant": {"en": "manufacturer", "fr": "fabricant"},
    "manufacturer": {"en": "manufacturer", "fr": "fabricant"},
    "concepteur": {"en": "designer", "fr": "concepteur"},
    "designer": {"en": "designer", "fr": "concepteur"},
    "architecte": {"en": "architect", "fr": "architecte"},
    "architect": {"en": "architect", "fr": "architecte"},
    "auteur": {"en": "author", "fr": "auteur"},
    "author": {"en": "author", "fr": "auteur"},
    "dessinateur": {"en": "draughtsman", "fr": "dessinateur"},
    "éditeur": {"en": "publisher", "fr": "éditeur"},
    "publisher": {"en": "publisher", "fr": "éditeur"},
    "constructeur": {"en": "builder", "fr": "constructeur"},
    "builder": {"en": "builder", "fr": "constructeur"},
}

_DAY = re.compile(r"^(-?\d{4})(?:-(\d{2}))?(?:-(\d{2}))?$")
_DECADE = re.compile(r"^(\d{3})X$")
_CENTURY = re.compile(r"^(\d{2})XX$")


def lang() -> str:
    return str(get_locale())


def role(text: str | None) -> str:
    if not text:
        return ""
    known = ROLES.get(" ".join(text.lower().split()))
    return known.get(lang(), text) if known else text


def _point(text: str) -> str | None:
    """One EDTF date (year, month or day, possibly approximate) in the interface language."""
    text = text.rstrip("?~%")
    decade = _DECADE.match(text)
    if decade:
        return _("%(decade)ss", decade=decade[1] + "0")
    century = _CENTURY.match(text)
    if century:
        return _("%(century)sth century", century=int(century[1]) + 1)
    found = _DAY.match(text)
    if not found:
        return None
    year, month, day = found.groups()
    try:
        if day:
            return format_date(dt.date(int(year), int(month), int(day)), "long", locale=lang())
        if month:
            return format_date(dt.date(int(year), int(month), 1), "LLLL y", locale=lang())
    except ValueError:
        return None
    return year


def date_text(date: dict | None) -> tuple[str, str | None]:
    """A production date as text, and the language of that text when it is not the page's.

    The record's own ``display`` is kept on pages in the language it was written in; on other
    pages the EDTF date is spelled out in the page's language, or ``display`` is shown marked
    as written in the catalogue's language when the EDTF form is one this cannot spell.
    """
    if not date:
        return "", None
    display, edtf = date.get("display"), date.get("edtf") or ""
    written_in = current_app.config["DEFAULT_LANGUAGE"]
    if display and lang() == written_in:
        return display, None
    spelled = _spell(edtf)
    if spelled:
        return spelled, None
    if display:
        return display, written_in
    return edtf, None


def _spell(edtf: str) -> str | None:
    if not edtf:
        return None
    if "/" not in edtf:
        return _point(edtf)
    start, end = edtf.split("/", 1)
    if start in ("", "..") and end not in ("", ".."):
        point = _point(end)
        return _("before %(date)s", date=point) if point else None
    if end in ("", "..") and start not in ("", ".."):
        point = _point(start)
        return _("after %(date)s", date=point) if point else None
    first, last = _point(start), _point(end)
    return f"{first} – {last}" if first and last else None


def in_language(value) -> Markup:
    """A text of a language map in the interface's language; when the record lacks that
    language, the text it has, marked with its language and a visible note."""
    if not isinstance(value, dict):
        return escape(value or "")
    if value.get(lang()):
        return escape(value[lang()])
    default = current_app.config["DEFAULT_LANGUAGE"]
    text = labels.pick(value, lang(), default, "")
    found = next((k for k, v in value.items() if v == text), default)
    note = {"fr": _("in French"), "en": _("in English")}.get(found, found)
    return Markup('<span lang="{}">{}</span> <span class="fallback">({})</span>').format(
        found, text, note
    )


def rights(uri: str | None) -> dict | None:
    """The controlled entry of a rights URI, labelled in the interface's language."""
    right = rights_list.find(uri)
    if right is None:
        return None
    return {
        "uri": right.uri,
        "code": right.code,
        "label": right.label.get(lang()) or right.label["en"],
        "reusable": right.reusable,
        "family": right.family,
    }


def joined(*parts) -> str:
    """The non-empty parts, separated by commas."""
    return ", ".join(str(part) for part in parts if part)


_SOURCES = (
    (re.compile(r"^https?://(www\.)?wikidata\.org/(entity|wiki)/(Q\d+)$"), "Wikidata {}"),
    (re.compile(r"^https?://vocab\.getty\.edu/(page/)?ulan/(\d+)$"), "Getty ULAN {}"),
    (re.compile(r"^https?://vocab\.getty\.edu/(page/)?tgn/(\d+)$"), "Getty TGN {}"),
    (re.compile(r"^https?://vocab\.getty\.edu/(page/)?aat/(\d+)$"), "Getty AAT {}"),
)


def authority_source(uri: str | None) -> str:
    """An outside authority's URI named by its source (``Wikidata Q352``, ``Getty TGN 7011781``)."""
    for pattern, name in _SOURCES:
        found = pattern.match(uri or "")
        if found:
            return name.format(found.groups()[-1])
    return uri or ""


def today() -> str:
    return format_date(dt.date.today(), "long", locale=lang())


def rights_options(current: str | None = None) -> list[tuple[str, str]]:
    """The controlled rights list as select options in the interface's language; a value off
    the list (saved before the list) is kept as an option so that saving never drops it."""
    options = [
        (right.uri, f"{right.code} — {right.label.get(lang()) or right.label['en']}")
        for right in rights_list.RIGHTS
    ]
    if current and current not in dict(options):
        options.append((current, current))
    return options
