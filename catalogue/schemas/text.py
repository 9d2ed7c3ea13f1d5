"""What the catalogue accepts as text, and how stored text is made safe for XML.

Refused wherever text comes in (the JSON API, the pages, imports, account names), because
XML 1.0 cannot carry them and the catalogue publishes every record as XML (OAI-PMH), or
because they are for a program's internal use and never for interchange:

- C0 control characters other than tab, line feed and carriage return, and DEL;
- lone surrogates (U+D800..U+DFFF, sent as JSON ``"\\ud800"``);
- U+FFFE and U+FFFF, and every other Unicode noncharacter: U+FDD0..U+FDEF and the last two
  code points of each plane (U+1FFFE, U+1FFFF ... U+10FFFE, U+10FFFF).

C1 controls (U+0080..U+009F) and private-use characters are accepted: XML carries them.
Text stored before this rule may still hold such characters; the XML channels replace the
ones XML cannot carry with U+FFFD (``xml_safe``) rather than fail.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

_PLANE_ENDS = "".join(f"\\U{plane:04x}fffe\\U{plane:04x}ffff" for plane in range(1, 17))
# What XML 1.0 cannot carry (lxml refuses it).
NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
# What the catalogue refuses in any text.
REFUSED = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufdd0-\ufdef\ufffe\uffff" + _PLANE_ENDS + "]"
)
REPLACEMENT = "\ufffd"


def _kind(char: str) -> str:
    code = ord(char)
    if code < 0x20 or code == 0x7F:
        return "a control character"
    if 0xD800 <= code <= 0xDFFF:
        return "a lone surrogate"
    return "a noncharacter"


def refusal(text: str, what: str = "Text") -> str | None:
    """Why the catalogue refuses ``text``, naming the first character it refuses; else None."""
    found = REFUSED.search(text)
    if found is None:
        return None
    char = found.group()
    return (
        f"{what} may not contain U+{ord(char):04X} ({_kind(char)}); "
        f"found at character {found.start() + 1}."
    )


def text_errors(value, path: str = "") -> dict[str, list[str]]:
    """Every refused text in a JSON-like value, field names included, by field path.

    ``{"title": {"fr": "a\\uffff"}}`` gives ``{"title.fr": [...]}``; a refused field name is
    reported at the path of the object holding it.
    """
    errors: dict[str, list[str]] = {}
    stack = [(value, path)]
    while stack:
        node, where = stack.pop()
        if isinstance(node, str):
            reason = refusal(node)
            if reason:
                errors.setdefault(where or "_schema", []).append(reason)
        elif isinstance(node, Mapping):
            for key, child in node.items():
                key = str(key)
                reason = refusal(key, "A field name")
                if reason:
                    errors.setdefault(where or "_schema", []).append(reason)
                    continue
                stack.append((child, f"{where}.{key}" if where else key))
        elif isinstance(node, list | tuple):
            for i, child in enumerate(node):
                stack.append((child, f"{where}.{i}" if where else str(i)))
    return errors


def shown(text: str) -> str:
    """``text`` with each refused character replaced by U+FFFD, to quote it in a message."""
    return REFUSED.sub(REPLACEMENT, text)


def xml_safe(text: str) -> str:
    """``text`` with each character XML cannot carry replaced by U+FFFD."""
    return NOT_XML.sub(REPLACEMENT, text)


def xml_safe_value(value):
    """A JSON-like value with every text, and every field name, made ``xml_safe``."""
    return _replaced(value, NOT_XML)


def cleaned_value(value):
    """A JSON-like value with every refused character replaced by U+FFFD: for text the
    catalogue keeps but no one typed (metadata embedded in files, backups of older data)."""
    return _replaced(value, REFUSED)


def _replaced(value, pattern: re.Pattern):
    if isinstance(value, str):
        return pattern.sub(REPLACEMENT, value)
    if isinstance(value, dict):
        return {_replaced(str(k), pattern): _replaced(v, pattern) for k, v in value.items()}
    if isinstance(value, list):
        return [_replaced(v, pattern) for v in value]
    return value
