"""The French catalogue covers every text of the pages."""

from __future__ import annotations

from pathlib import Path

from babel.messages.pofile import read_po

import catalogue

PO = Path(catalogue.__file__).parent / "translations" / "fr" / "LC_MESSAGES" / "messages.po"


def test_every_page_text_has_a_french_translation():
    with PO.open("rb") as source:
        messages = read_po(source)
    missing = [
        m.id
        for m in messages
        if m.id and (m.fuzzy or not (all(m.string) if isinstance(m.string, tuple) else m.string))
    ]
    assert missing == []
