"""Citing an object: a citation line and the record as CSL-JSON, BibTeX and RIS.

Each takes a record in the caller's view (the public page passes the public view), its
permanent URL and the institution's name; texts are picked in the asked language, falling back
to the catalogue's default. Record text never breaks out of its field: BibTeX braces and
backslashes are escaped, RIS values are kept to one line.
"""

from __future__ import annotations

import datetime as dt
import json
import re

from catalogue.services import labels

FORMATS = {
    "csl": ("application/vnd.citationstyles.csl+json", "json"),
    "bibtex": ("application/x-bibtex", "bib"),
    "ris": ("application/x-research-info-systems", "ris"),
}


def _pick(value, lang: str, default: str) -> str:
    return str(labels.pick(value, lang, default, "") or "") if value else ""


def _makers(record: dict, lang: str, default: str) -> list[str]:
    production = record.get("production") or {}
    return [
        _pick((m.get("agent") or {}).get("label"), lang, default)
        for m in production.get("makers") or []
        if m.get("agent")
    ]


def _year(record: dict) -> str | None:
    date = (record.get("production") or {}).get("date") or {}
    earliest = date.get("earliest") or ""
    match = re.match(r"^-?\d{4}", earliest)
    return match.group(0) if match else None


def _parts(record: dict, lang: str, default: str) -> dict:
    return {
        "title": _pick(record.get("title"), lang, default),
        "makers": [m for m in _makers(record, lang, default) if m],
        "year": _year(record),
        "type": _pick((record.get("object_type") or {}).get("label"), lang, default),
        "description": _pick(record.get("description"), lang, default),
        "number": record.get("object_number") or "",
    }


def csl_json(record: dict, url: str, institution: str, lang: str, default: str) -> str:
    parts = _parts(record, lang, default)
    item = {
        "id": record["id"],
        "type": "graphic" if parts["type"] else "document",
        "title": parts["title"],
        "author": [{"literal": name} for name in parts["makers"]],
        "publisher": institution,
        "archive": institution,
        "archive_location": parts["number"],
        "call-number": parts["number"],
        "URL": url,
        "language": lang,
        "accessed": {"date-parts": [[*map(int, dt.date.today().isoformat().split("-"))]]},
    }
    if parts["year"]:
        item["issued"] = {"date-parts": [[int(parts["year"])]]}
    if parts["type"]:
        item["genre"] = parts["type"]
    if parts["description"]:
        item["abstract"] = parts["description"]
    return json.dumps([item], ensure_ascii=False, indent=2) + "\n"


_BIBTEX_SPECIAL = re.compile(r"[\\{}%&$#_^~]")
_BIBTEX_ESCAPES = {
    "\\": r"\textbackslash{}",
    "{": r"\{",
    "}": r"\}",
    "%": r"\%",
    "&": r"\&",
    "$": r"\$",
    "#": r"\#",
    "_": r"\_",
    "^": r"\textasciicircum{}",
    "~": r"\textasciitilde{}",
}


def _bib(text: str) -> str:
    """One line of text with every character BibTeX reads as markup escaped."""
    one_line = " ".join(str(text).split())
    return _BIBTEX_SPECIAL.sub(lambda m: _BIBTEX_ESCAPES[m.group(0)], one_line)


def bibtex(record: dict, url: str, institution: str, lang: str, default: str) -> str:
    parts = _parts(record, lang, default)
    key = "obj" + re.sub(r"[^A-Za-z0-9]", "", parts["number"] or record["id"])
    fields = [("title", parts["title"])]
    if parts["makers"]:
        fields.append(("author", " and ".join("{" + _bib(m) + "}" for m in parts["makers"])))
    if parts["year"]:
        fields.append(("year", parts["year"]))
    fields += [
        ("howpublished", parts["type"]),
        ("organization", institution),
        ("note", f"{institution}, {parts['number']}"),
        ("url", url),
        ("urldate", dt.date.today().isoformat()),
    ]
    lines = [f"@misc{{{key},"]
    for name, value in fields:
        if not value:
            continue
        text = value if name == "author" else _bib(value)
        if name == "url":
            text = url.replace("{", "%7B").replace("}", "%7D")
        lines.append(f"  {name} = {{{text}}},")
    lines.append("}")
    return "\n".join(lines) + "\n"


def _ris(text: str) -> str:
    return " ".join(str(text).split())


def ris(record: dict, url: str, institution: str, lang: str, default: str) -> str:
    parts = _parts(record, lang, default)
    lines = ["TY  - ART", f"TI  - {_ris(parts['title'])}"]
    lines += [f"AU  - {_ris(name)}" for name in parts["makers"]]
    if parts["year"]:
        lines.append(f"PY  - {parts['year']}")
    if parts["type"]:
        lines.append(f"M3  - {_ris(parts['type'])}")
    if parts["description"]:
        lines.append(f"AB  - {_ris(parts['description'])}")
    lines += [
        f"PB  - {_ris(institution)}",
        f"AN  - {_ris(parts['number'])}",
        f"UR  - {_ris(url)}",
        f"LA  - {lang}",
        f"Y2  - {dt.date.today().isoformat()}",
        "ER  - ",
    ]
    return "\r\n".join(lines) + "\r\n"


RENDERERS = {"csl": csl_json, "bibtex": bibtex, "ris": ris}
