"""Options for the form's select lists (the plain, script-free way to pick an authority)."""

from __future__ import annotations

from catalogue.services.authorities import records as authorities
from catalogue.services.identity import Identity
from catalogue.web.rendering import pick

ALL = {"per_page": 10_000}


def _options(identity: Identity, kind: str, **args) -> list[tuple[str, str]]:
    items = authorities.list_items(identity, kind, {**ALL, **args}).items
    return sorted(((i["id"], pick(i["label"])) for i in items), key=lambda o: o[1].lower())


def object_form(identity: Identity) -> dict[str, list[tuple[str, str]]]:
    """Every authority an object form can point at, as (id, label) in the page language."""
    return {
        "object_type": _options(identity, "terms", vocabulary="object_type"),
        "materials": _options(identity, "terms", vocabulary="material"),
        "techniques": _options(identity, "terms", vocabulary="technique"),
        "subjects": _options(identity, "terms", vocabulary="subject"),
        "agents": _options(identity, "agents"),
        "places": _options(identity, "places"),
        "collections": _options(identity, "collections"),
    }


def locations(identity: Identity) -> list[tuple[str, str]]:
    items = authorities.list_items(identity, "locations", ALL).items
    return sorted(
        ((i["id"], " › ".join(pick(p["label"]) for p in i["path"])) for i in items),
        key=lambda o: o[1].lower(),
    )
