"""Paperwork of procedures as PDF: the same Jinja templates and translations as the pages,
laid out by WeasyPrint. Every text of a record is escaped by the template (autoescape), so
what a curator typed is printed as typed, never read as markup."""

from __future__ import annotations

import uuid

from flask import current_app, render_template
from flask_babel import force_locale, gettext

from catalogue.models.base import utcnow
from catalogue.services.identity import Identity
from catalogue.services.procedures import records

LANGUAGES = ("fr", "en")


def both(text: str) -> dict[str, str]:
    """A text of the template in each language of the paperwork."""
    translated = {}
    for language in LANGUAGES:
        with force_locale(language):
            translated[language] = gettext(text)
    return translated


def _pick(value: dict | None, language: str) -> str:
    if not value:
        return ""
    return value.get(language) or next(iter(value.values()), "")


def entry_receipt(identity: Identity, procedure_id: uuid.UUID) -> bytes:
    """The bilingual deposit receipt of an entry."""
    from weasyprint import HTML  # loads Pango; only the paperwork needs it

    record = records.get(identity, "entry", procedure_id).data
    html = render_template(
        "paperwork/receipt.html",
        entry=record,
        institution=current_app.config["INSTITUTION_NAME"],
        t=both,
        pick=_pick,
        languages=LANGUAGES,
        printed=utcnow().date().isoformat(),
    )
    return HTML(string=html).write_pdf()
