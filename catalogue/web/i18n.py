"""The interface language: French or English, chosen by the switch or by Accept-Language.

Translations live as ``.po`` files in ``catalogue/translations``; they are compiled to
``.mo`` under the instance folder when the app starts, so a fresh clone needs no build step.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask import Flask, current_app, request, session

SOURCE = Path(__file__).resolve().parent.parent / "translations"


def compile_catalogues(app: Flask) -> Path:
    """Compile every ``.po`` newer than its ``.mo``; returns the folder Flask-Babel reads."""
    target = Path(app.instance_path) / "translations"
    for po in SOURCE.glob("*/LC_MESSAGES/*.po"):
        mo = target / po.relative_to(SOURCE).with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        mo.parent.mkdir(parents=True, exist_ok=True)
        with po.open("rb") as source:
            catalogue = read_po(source)
        # Written aside then renamed, so server processes starting together never read half.
        handle, temporary = tempfile.mkstemp(dir=mo.parent, suffix=".tmp")
        with os.fdopen(handle, "wb") as out:
            write_mo(out, catalogue)
        os.replace(temporary, mo)
    return target


def languages() -> list[str]:
    return current_app.config["WEB_LANGUAGES"]


def select_locale() -> str:
    chosen = session.get("lang")
    if chosen in languages():
        return chosen
    return request.accept_languages.best_match(languages()) or languages()[0]
