"""The rights statements and licences a record or a media file may carry: a controlled list.

An object's ``rights.uri`` and a media file's ``rights_uri`` are one of these URIs
(RightsStatements.org and Creative Commons); any other wording goes into the free-text note
(``rights.statement``, a media file's ``rights``). ``reusable`` marks what anyone may reuse
without asking, as Europeana's "open" reusability and the Met's ``isPublicDomain`` do: public
domain marks, CC0, CC BY and CC BY-SA.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Right:
    uri: str
    code: str
    label: dict[str, str]
    reusable: bool
    family: str  # "rightsstatements" or "creativecommons"


def _rs(code: str, en: str, fr: str) -> Right:
    return Right(
        f"http://rightsstatements.org/vocab/{code}/1.0/",
        code,
        {"en": en, "fr": fr},
        False,
        "rightsstatements",
    )


def _cc(path: str, code: str, en: str, fr: str, reusable: bool) -> Right:
    return Right(
        f"http://creativecommons.org/{path}/",
        code,
        {"en": en, "fr": fr},
        reusable,
        "creativecommons",
    )


RIGHTS: tuple[Right, ...] = (
    _cc("publicdomain/mark/1.0", "PDM", "Public Domain", "Domaine public", True),
    _cc(
        "publicdomain/zero/1.0",
        "CC0",
        "No rights reserved (CC0)",
        "Aucun droit réservé (CC0)",
        True,
    ),
    _cc(
        "licenses/by/4.0",
        "CC BY",
        "Creative Commons Attribution 4.0",
        "Creative Commons Attribution 4.0",
        True,
    ),
    _cc(
        "licenses/by-sa/4.0",
        "CC BY-SA",
        "Creative Commons Attribution-ShareAlike 4.0",
        "Creative Commons Attribution - Partage dans les mêmes conditions 4.0",
        True,
    ),
    _cc(
        "licenses/by-nd/4.0",
        "CC BY-ND",
        "Creative Commons Attribution-NoDerivatives 4.0",
        "Creative Commons Attribution - Pas de modification 4.0",
        False,
    ),
    _cc(
        "licenses/by-nc/4.0",
        "CC BY-NC",
        "Creative Commons Attribution-NonCommercial 4.0",
        "Creative Commons Attribution - Pas d’utilisation commerciale 4.0",
        False,
    ),
    _cc(
        "licenses/by-nc-sa/4.0",
        "CC BY-NC-SA",
        "Creative Commons Attribution-NonCommercial-ShareAlike 4.0",
        "Creative Commons Attribution - Pas d’utilisation commerciale - Partage dans les mêmes "
        "conditions 4.0",
        False,
    ),
    _cc(
        "licenses/by-nc-nd/4.0",
        "CC BY-NC-ND",
        "Creative Commons Attribution-NonCommercial-NoDerivatives 4.0",
        "Creative Commons Attribution - Pas d’utilisation commerciale - Pas de modification 4.0",
        False,
    ),
    _rs("InC", "In Copyright", "Protégé par le droit d’auteur"),
    _rs("InC-OW-EU", "In Copyright - EU Orphan Work", "Protégé - œuvre orpheline (UE)"),
    _rs(
        "InC-EDU",
        "In Copyright - Educational Use Permitted",
        "Protégé - utilisation éducative autorisée",
    ),
    _rs(
        "InC-NC",
        "In Copyright - Non-Commercial Use Permitted",
        "Protégé - utilisation non commerciale autorisée",
    ),
    _rs(
        "InC-RUU",
        "In Copyright - Rights-holder(s) Unlocatable or Unidentifiable",
        "Protégé - ayants droit introuvables ou non identifiés",
    ),
    _rs(
        "NoC-CR",
        "No Copyright - Contractual Restrictions",
        "Pas de droit d’auteur - restrictions contractuelles",
    ),
    _rs(
        "NoC-NC",
        "No Copyright - Non-Commercial Use Only",
        "Pas de droit d’auteur - utilisation non commerciale uniquement",
    ),
    _rs(
        "NoC-OKLR",
        "No Copyright - Other Known Legal Restrictions",
        "Pas de droit d’auteur - autres restrictions légales connues",
    ),
    _rs("NoC-US", "No Copyright - United States", "Pas de droit d’auteur - États-Unis"),
    _rs("CNE", "Copyright Not Evaluated", "Droit d’auteur non évalué"),
    _rs("UND", "Copyright Undetermined", "Droit d’auteur indéterminé"),
    _rs("NKC", "No Known Copyright", "Pas de droit d’auteur connu"),
)

_TRAILING = re.compile(r"/+$")


def _key(uri: str) -> str:
    """The form URIs are compared in: no scheme difference, no trailing slash, no case."""
    text = uri.strip().lower()
    text = re.sub(r"^https?://(www\.)?", "", text)
    text = re.sub(r"/(deed|legalcode)(\.[a-z-]+)?$", "", _TRAILING.sub("", text))
    return text


_BY_KEY = {_key(right.uri): right for right in RIGHTS}


def find(uri: str | None) -> Right | None:
    """The controlled entry ``uri`` names (``https``, ``www.`` or a trailing slash aside)."""
    return _BY_KEY.get(_key(uri)) if uri else None


def canonical(uri: str | None) -> str | None:
    """The list's spelling of ``uri``; ValueError if it is not on the list."""
    if not uri:
        return None
    right = find(uri)
    if right is None:
        raise ValueError(
            "Not a rights statement or licence of the list (RightsStatements.org, Creative "
            "Commons); put other wording in the statement."
        )
    return right.uri


def is_reusable(uri: str | None) -> bool:
    right = find(uri)
    return bool(right and right.reusable)


def label(uri: str | None, lang: str) -> str:
    right = find(uri)
    if right is None:
        return uri or ""
    return right.label.get(lang) or right.label["en"]
