"""Objects as Linked Art (https://linked.art/api/1.0/endpoint/object/): a HumanMadeObject.

Built from the record as the caller may see it, so the same visibility rules as the JSON API
hold. Terms, agents and places with an outside URI (Getty AAT/ULAN/TGN, Wikidata) are named
by it; others by their URL in this catalogue's API.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import Agent, AgentKind
from catalogue.services import labels
from catalogue.services.identity import Identity
from catalogue.services.objects import read as objects_read
from catalogue.services.objects.views import dumps, etag_of_text

CONTEXT = "https://linked.art/ns/v1/linked-art.json"
PROFILE = "https://linked.art/ns/v1/linked-art.json"
AAT = "http://vocab.getty.edu/aat/"

LANGUAGES = {
    "fr": ("300388306", "French"),
    "en": ("300388277", "English"),
    "de": ("300388344", "German"),
    "nl": ("300388256", "Dutch"),
}
UNITS = {
    "mm": ("300379097", "millimeters"),
    "cm": ("300379098", "centimeters"),
    "m": ("300379099", "meters"),
    "g": ("300379225", "grams"),
    "kg": ("300379226", "kilograms"),
    "in": ("300379100", "inches"),
}
DIMENSIONS = {
    "height": ("300055644", "Height"),
    "width": ("300055647", "Width"),
    "depth": ("300072633", "Depth"),
    "length": ("300055645", "Length"),
    "diameter": ("300055624", "Diameter"),
    "weight": ("300056240", "Weight"),
}


def _type(aat_id: str, label: str, **extra) -> dict:
    return {"id": AAT + aat_id, "type": "Type", "_label": label, **extra}


PRIMARY_NAME = _type("300404670", "Primary Name")
ACCESSION_NUMBER = _type("300312355", "Accession Number")
DESCRIPTION = _type("300435416", "Description", classified_as=[_type("300418049", "Brief Text")])
CREDIT_LINE = _type("300435418", "Credit Line", classified_as=[_type("300418049", "Brief Text")])
RIGHTS = _type("300435434", "Copyright/Licensing Statement")
WEB_PAGE = _type("300264578", "Web Page")
IIIF_PRESENTATION = "http://iiif.io/api/presentation/3/context.json"
IIIF_IMAGE = "http://iiif.io/api/image"
INSTITUTION_PATH = "/linked-art/groups/institution"


class _Builder:
    def __init__(self, base_url: str, institution: str, default_language: str) -> None:
        self.base, self.institution, self.default = base_url, institution, default_language

    def url(self, path: str) -> str:
        return self.base + path if path.startswith("/") else path

    def languages(self, lang: str) -> list[dict]:
        if lang not in LANGUAGES:
            return []
        code, label = LANGUAGES[lang]
        return [{"id": AAT + code, "type": "Language", "_label": label}]

    def label(self, value) -> str | None:
        return labels.pick(value, self.default) if isinstance(value, dict) else None

    def ref(self, reference: dict, kind: str, plural: str) -> dict:
        entity = {
            "id": reference.get("uri") or self.url(f"/api/v1/{plural}/{reference['id']}"),
            "type": kind,
        }
        label = self.label(reference.get("label"))
        if label:
            entity["_label"] = label
        return entity

    def statements(self, value, classified: dict) -> list[dict]:
        return [
            {
                "type": "LinguisticObject",
                "content": text,
                "language": self.languages(lang),
                "classified_as": [classified],
            }
            for lang, text in sorted((value or {}).items())
            if text
        ]


def _agent_kinds(record: dict) -> dict[str, AgentKind]:
    production = record.get("production") or {}
    ids = [m["agent"]["id"] for m in production.get("makers") or []]
    if not ids:
        return {}
    rows = db.session.execute(
        sa.select(Agent.id, Agent.kind).where(Agent.id.in_([uuid.UUID(i) for i in ids]))
    )
    return {str(agent_id): kind for agent_id, kind in rows}


def _production(record: dict, b: _Builder) -> dict | None:
    production = record.get("production") or {}
    techniques = record.get("techniques") or []
    if not production and not techniques:
        return None
    activity: dict = {"type": "Production", "_label": "Production"}
    kinds = _agent_kinds(record)
    makers = [
        b.ref(
            m["agent"],
            "Person" if kinds.get(m["agent"]["id"]) == AgentKind.person else "Group",
            "agents",
        )
        for m in production.get("makers") or []
    ]
    if makers:
        activity["carried_out_by"] = makers
    date = production.get("date") or {}
    if date:
        span: dict = {"type": "TimeSpan"}
        if date.get("display"):
            span["identified_by"] = [{"type": "Name", "content": date["display"]}]
        if date.get("earliest"):
            span["begin_of_the_begin"] = date["earliest"] + "T00:00:00Z"
        if date.get("latest"):
            span["end_of_the_end"] = date["latest"] + "T23:59:59Z"
        activity["timespan"] = span
    if production.get("place"):
        activity["took_place_at"] = [b.ref(production["place"], "Place", "places")]
    if techniques:
        activity["technique"] = [b.ref(t, "Type", "terms") for t in techniques]
    return activity


def _dimension(dimension: dict, b: _Builder) -> dict:
    unit_id, unit_label = UNITS.get(dimension["unit"], (None, dimension["unit"]))
    unit = {
        "id": AAT + unit_id if unit_id else b.url(f"/linked-art/units/{dimension['unit']}"),
        "type": "MeasurementUnit",
        "_label": unit_label,
    }
    found: dict = {"type": "Dimension", "value": dimension["value"], "unit": unit}
    kind = DIMENSIONS.get(dimension["type"])
    if kind:
        found["classified_as"] = [_type(*kind)]
    found["identified_by"] = [
        {"type": "Name", "content": f"{dimension['type']}: {dimension['value']} {unit_label}"}
    ]
    return found


def _digital(record: dict, b: _Builder) -> tuple[list, list]:
    """subject_of (the IIIF manifest and the web page) and representation (the images)."""
    subject_of = [
        {
            "type": "LinguisticObject",
            "_label": "Web page",
            "digitally_carried_by": [
                {
                    "type": "DigitalObject",
                    "classified_as": [WEB_PAGE],
                    "format": "text/html",
                    "access_point": [
                        {"id": b.url(record["links"]["html"]), "type": "DigitalObject"}
                    ],
                }
            ],
        }
    ]
    images = [m for m in record.get("media") or [] if m.get("iiif")]
    if not images:
        return subject_of, []
    subject_of.append(
        {
            "type": "LinguisticObject",
            "_label": "IIIF manifest",
            "digitally_carried_by": [
                {
                    "type": "DigitalObject",
                    "format": f'application/ld+json;profile="{IIIF_PRESENTATION}"',
                    "conforms_to": [{"id": IIIF_PRESENTATION, "type": "InformationObject"}],
                    "access_point": [
                        {"id": b.url(record["links"]["iiif_manifest"]), "type": "DigitalObject"}
                    ],
                }
            ],
        }
    )
    representation = []
    for media in images:
        service = b.url(media["iiif"]).removesuffix("/info.json")
        shown = {
            "type": "DigitalObject",
            "format": "image/jpeg",
            "access_point": [{"id": f"{service}/full/max/0/default.jpg", "type": "DigitalObject"}],
            "digitally_available_via": [
                {
                    "type": "DigitalService",
                    "conforms_to": [{"id": IIIF_IMAGE, "type": "InformationObject"}],
                    "access_point": [{"id": service, "type": "DigitalObject"}],
                }
            ],
        }
        item = {"type": "VisualItem", "digitally_shown_by": [shown]}
        caption = b.label(media.get("caption"))
        if caption:
            item["_label"] = caption
        representation.append(item)
    return subject_of, representation


def build(record: dict, base_url: str, institution: str, default_language: str) -> dict:
    """The Linked Art HumanMadeObject of a record (already reduced to the caller's view)."""
    b = _Builder(base_url, institution, default_language)
    names = [
        {
            "type": "Name",
            "content": text,
            "language": b.languages(lang),
            "classified_as": [PRIMARY_NAME],
        }
        for lang, text in sorted((record.get("title") or {}).items())
    ]
    identifier = {
        "type": "Identifier",
        "content": record["object_number"],
        "classified_as": [ACCESSION_NUMBER],
    }
    document: dict = {
        "@context": CONTEXT,
        "id": b.url(record["links"]["linked_art"]),
        "type": "HumanMadeObject",
        "_label": b.label(record.get("title")) or record["object_number"],
        "identified_by": [*names, identifier],
    }
    if record.get("object_type"):
        document["classified_as"] = [b.ref(record["object_type"], "Type", "terms")]
    referred = b.statements(record.get("description"), DESCRIPTION)
    referred += b.statements(record.get("credit_line"), CREDIT_LINE)
    rights = record.get("rights") or {}
    if rights.get("statement"):
        referred.append(
            {"type": "LinguisticObject", "content": rights["statement"], "classified_as": [RIGHTS]}
        )
    if referred:
        document["referred_to_by"] = referred
    production = _production(record, b)
    if production:
        document["produced_by"] = production
    if record.get("dimensions"):
        document["dimension"] = [_dimension(d, b) for d in record["dimensions"]]
    if record.get("materials"):
        document["made_of"] = [b.ref(m, "Material", "terms") for m in record["materials"]]
    document["current_owner"] = [
        {"id": b.url(INSTITUTION_PATH), "type": "Group", "_label": institution}
    ]
    if record.get("collections"):
        document["member_of"] = [b.ref(c, "Set", "collections") for c in record["collections"]]
    subject_of, representation = _digital(record, b)
    document["subject_of"] = subject_of
    if representation:
        document["representation"] = representation
    return document


def institution(base_url: str, name: str, language: str) -> dict:
    """The museum itself as a Linked Art Group: the current owner of every object."""
    b = _Builder(base_url, name, language)
    return {
        "@context": CONTEXT,
        "id": b.url(INSTITUTION_PATH),
        "type": "Group",
        "_label": name,
        "identified_by": [
            {
                "type": "Name",
                "content": name,
                "language": b.languages(language),
                "classified_as": [PRIMARY_NAME],
            }
        ],
    }


def get(
    identity: Identity, object_id: uuid.UUID, base_url: str, institution: str, language: str
) -> tuple[dict, str]:
    """The object as Linked Art, with its entity tag; 404 when the caller may not see it."""
    record = objects_read.get(identity, object_id).data
    document = build(record, base_url, institution, language)
    return document, etag_of_text(dumps(document))
