"""What can be reconciled: the types, and the properties a query may filter by."""

from __future__ import annotations

from dataclasses import dataclass

from catalogue.models import Agent, AgentKind, Collection, Place, Term, Vocabulary


@dataclass(frozen=True)
class Property:
    id: str
    name: str
    description: str
    # The values it takes, when there is a closed list (checked; anything else is a 400).
    values: tuple[str, ...] = ()


URI = Property("uri", "URI", "The authority's URI (exact).")
PROPERTIES: dict[str, dict[str, Property]] = {
    "agent": {
        "kind": Property("kind", "Kind", "person, organisation, ...", tuple(AgentKind)),
        "uri": URI,
    },
    "place": {"uri": URI},
    "term": {
        "vocabulary": Property(
            "vocabulary", "Vocabulary", "The vocabulary of the term.", tuple(Vocabulary)
        ),
        "uri": URI,
    },
    "collection": {"uri": URI},
    "object": {
        "object_number": Property("object_number", "Object number", "The number (exact)."),
    },
}

TYPES: dict[str, str] = {
    "agent": "Agent",
    "place": "Place",
    "term": "Term",
    "collection": "Collection",
    "object": "Object",
}
DESCRIPTIONS = {
    "agent": "People and organisations (makers, owners, ...)",
    "place": "Places",
    "term": "Terms of the vocabularies (object types, materials, techniques, subjects)",
    "collection": "The museum's collections",
    "object": "Objects, by number or title",
}
MODELS = {"agent": Agent, "place": Place, "term": Term, "collection": Collection}
# Where an entity of each type lives in the JSON API.
API_PATHS = {
    "agent": "agents",
    "place": "places",
    "term": "terms",
    "collection": "collections",
    "object": "objects",
}


def type_ref(type_id: str) -> dict:
    return {"id": type_id, "name": TYPES[type_id]}


def suggest_types(prefix: str) -> list[dict]:
    wanted = prefix.strip().casefold()
    return [
        {**type_ref(t), "description": DESCRIPTIONS[t]}
        for t in TYPES
        if not wanted or t.startswith(wanted) or TYPES[t].casefold().startswith(wanted)
    ]


def suggest_properties(prefix: str, type_id: str | None) -> list[dict]:
    wanted = prefix.strip().casefold()
    found: dict[str, dict] = {}
    for owner, properties in PROPERTIES.items():
        if type_id and owner != type_id:
            continue
        for prop in properties.values():
            if not wanted or prop.id.startswith(wanted) or prop.name.casefold().startswith(wanted):
                found[prop.id] = {"id": prop.id, "name": prop.name, "description": prop.description}
    return list(found.values())
