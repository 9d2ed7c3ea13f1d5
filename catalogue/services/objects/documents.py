"""From validated input to stored object, and from stored object to the record people read."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm.util import identity_key

from catalogue.extensions import db
from catalogue.models import (
    Agent,
    CatalogueObject,
    Collection,
    Location,
    Media,
    ObjectAgent,
    ObjectCollection,
    ObjectMaker,
    ObjectPlace,
    ObjectRelation,
    ObjectTerm,
    Place,
    Term,
    TermField,
    Vocabulary,
)
from catalogue.schemas.objects import REFERENCE_LISTS
from catalogue.services.errors import ValidationFailed
from catalogue.services.identity import STAFF_ONLY_ACQUISITION_FIELDS

# Fields whose change is not a change a curator made (they follow every save).
META_FIELDS = ("id", "version", "created_at", "updated_at", "links", "media")


def iso(value: datetime | None) -> str | None:
    return value.strftime("%Y-%m-%dT%H:%M:%SZ") if value else None


def ref(authority) -> dict | None:
    if authority is None:
        return None
    return {"id": str(authority.id), "label": authority.label, "uri": authority.uri}


def object_links(object_id) -> dict:
    return {
        "self": f"/api/v1/objects/{object_id}",
        "html": f"/objects/{object_id}",
        "iiif_manifest": f"/iiif/3/objects/{object_id}/manifest",
        "linked_art": f"/linked-art/objects/{object_id}",
    }


class References:
    """Resolves the ids an input names, collecting every unknown one with its field path."""

    def __init__(self) -> None:
        self.errors: dict[str, list[str]] = {}

    def _fail(self, path: str, message: str) -> None:
        self.errors.setdefault(path, []).append(message)

    def _fetch(self, model, ids: Iterable[uuid.UUID]) -> dict[uuid.UUID, object]:
        found: dict[uuid.UUID, object] = {}
        missing = set()
        # Records already loaded in this session need no query (batch imports name the
        # same authorities row after row).
        for item_id in set(ids):
            item = db.session.identity_map.get(identity_key(model, item_id))
            if item is not None and not sa.inspect(item).expired:
                found[item_id] = item
            else:
                missing.add(item_id)
        if missing:
            rows = db.session.execute(sa.select(model).where(model.id.in_(missing))).scalars()
            found.update({row.id: row for row in rows})
        return found

    def check(self, data: dict) -> None:
        production = data.get("production") or {}
        makers = production.get("makers") or []
        term_ids = [data.get("object_type")] if data.get("object_type") else []
        for name in ("materials", "techniques", "subjects"):
            term_ids += data.get(name) or []
        terms = self._fetch(Term, term_ids)
        agents = self._fetch(
            Agent, [m["agent"] for m in makers] + list(data.get("associated_agents") or [])
        )
        place_ids = list(data.get("associated_places") or [])
        if production.get("place"):
            place_ids.append(production["place"])
        places = self._fetch(Place, place_ids)
        collections = self._fetch(Collection, data.get("collections") or [])
        related = self._fetch(CatalogueObject, [r["id"] for r in data.get("related_objects") or []])

        def term(path: str, term_id, vocabulary: Vocabulary) -> None:
            found = terms.get(term_id)
            if found is None:
                self._fail(path, f"No term with id {term_id}.")
            elif found.vocabulary != vocabulary:
                self._fail(
                    path, f"Term {term_id} is a {found.vocabulary} term, not a {vocabulary}."
                )

        if data.get("object_type"):
            term("object_type.id", data["object_type"], Vocabulary.object_type)
        for name, vocabulary in (
            ("materials", Vocabulary.material),
            ("techniques", Vocabulary.technique),
            ("subjects", Vocabulary.subject),
        ):
            for i, term_id in enumerate(data.get(name) or []):
                term(f"{name}.{i}.id", term_id, vocabulary)
        for i, maker in enumerate(makers):
            if maker["agent"] not in agents:
                self._fail(f"production.makers.{i}.agent.id", f"No agent with id {maker['agent']}.")
        for i, agent_id in enumerate(data.get("associated_agents") or []):
            if agent_id not in agents:
                self._fail(f"associated_agents.{i}.id", f"No agent with id {agent_id}.")
        if production.get("place") and production["place"] not in places:
            self._fail("production.place.id", f"No place with id {production['place']}.")
        for i, place_id in enumerate(data.get("associated_places") or []):
            if place_id not in places:
                self._fail(f"associated_places.{i}.id", f"No place with id {place_id}.")
        for i, collection_id in enumerate(data.get("collections") or []):
            if collection_id not in collections:
                self._fail(f"collections.{i}.id", f"No collection with id {collection_id}.")
        for i, relation in enumerate(data.get("related_objects") or []):
            if relation["id"] not in related:
                self._fail(f"related_objects.{i}.id", f"No object with id {relation['id']}.")
        for name in REFERENCE_LISTS:
            values = data.get(name) or []
            if len(set(values)) != len(values):
                self._fail(name, "The same entry is listed twice.")
        if self.errors:
            raise ValidationFailed(self.errors)


def apply(obj: CatalogueObject, data: dict) -> None:
    """Set an object's columns and links from validated input (references already checked)."""
    related_ids = [r["id"] for r in data.get("related_objects") or []]
    if obj.id in related_ids:
        raise ValidationFailed({"related_objects": ["An object cannot be related to itself."]})
    production = data.get("production") or {}
    date = production.get("date") or {}
    rights = data.get("rights") or {}
    acquisition = data.get("acquisition") or {}
    valuation = data.get("valuation") or {}

    obj.object_number = data["object_number"]
    obj.status = data["status"]
    obj.object_type_id = data.get("object_type")
    obj.title = data["title"]
    obj.description = data.get("description")
    obj.date_display = date.get("display")
    obj.date_edtf = date.get("edtf")
    obj.date_earliest = date.get("earliest")
    obj.date_latest = date.get("latest")
    obj.production_place_id = production.get("place")
    obj.dimensions = [_plain(d) for d in data.get("dimensions") or []]
    obj.inscriptions = [_plain(i) for i in data.get("inscriptions") or []]
    obj.credit_line = data.get("credit_line")
    obj.rights_statement = rights.get("statement")
    obj.rights_uri = rights.get("uri")
    obj.acquisition_method = acquisition.get("method")
    obj.acquisition_date = acquisition.get("date")
    obj.acquisition_source = acquisition.get("source")
    obj.acquisition_source_contact = acquisition.get("source_contact")
    obj.valuation_amount = valuation.get("amount")
    obj.valuation_currency = valuation.get("currency")
    obj.valuation_date = valuation.get("date")
    obj.internal_notes = data.get("internal_notes")

    obj.makers = [
        ObjectMaker(agent_id=m["agent"], role=m.get("role"), position=i)
        for i, m in enumerate(production.get("makers") or [])
    ]
    terms = []
    for field in TermField:
        terms += [
            ObjectTerm(field=field, term_id=term_id, position=i)
            for i, term_id in enumerate(data.get(f"{field}s") or [])
        ]
    obj.terms = terms
    obj.agents = [
        ObjectAgent(agent_id=a, position=i)
        for i, a in enumerate(data.get("associated_agents") or [])
    ]
    obj.places = [
        ObjectPlace(place_id=p, position=i)
        for i, p in enumerate(data.get("associated_places") or [])
    ]
    obj.collections = [
        ObjectCollection(collection_id=c, position=i)
        for i, c in enumerate(data.get("collections") or [])
    ]
    obj.relations = [
        ObjectRelation(related_id=r["id"], relation=r["relation"], position=i)
        for i, r in enumerate(data.get("related_objects") or [])
    ]


def _plain(value: dict) -> dict:
    return {k: v for k, v in value.items() if v is not None}


def _get(model, key):
    return db.session.get(model, key) if key else None


def media_summaries(object_id) -> list[dict]:
    rows = db.session.execute(
        sa.select(Media)
        .where(Media.object_id == object_id)
        .order_by(Media.position, Media.created_at)
    ).scalars()
    return [media_summary(m) for m in rows]


def media_summary(media: Media) -> dict:
    image = media.content_type.startswith("image/")
    return {
        "id": str(media.id),
        "primary": media.primary,
        "public": media.public,
        "position": media.position,
        "caption": media.caption,
        "rights": media.rights,
        "rights_uri": media.rights_uri,
        "content_type": media.content_type,
        "width": media.width,
        "height": media.height,
        "thumbnail": f"/api/v1/media/{media.id}/thumbnail",
        "iiif": f"/iiif/3/{media.id}/info.json" if image else None,
    }


def render(obj: CatalogueObject) -> dict:
    """The whole record as a curator reads it; other callers get ``view_of`` it."""
    terms: dict[TermField, list] = {field: [] for field in TermField}
    for link in obj.terms:
        terms[link.field].append(ref(_get(Term, link.term_id)))
    date = None
    if obj.date_display or obj.date_edtf or obj.date_earliest or obj.date_latest:
        date = {
            "display": obj.date_display,
            "edtf": obj.date_edtf,
            "earliest": obj.date_earliest.isoformat() if obj.date_earliest else None,
            "latest": obj.date_latest.isoformat() if obj.date_latest else None,
        }
    production = None
    if date or obj.production_place_id or obj.makers:
        production = {
            "date": date,
            "place": ref(_get(Place, obj.production_place_id)),
            "makers": [{"agent": ref(_get(Agent, m.agent_id)), "role": m.role} for m in obj.makers],
        }
    related = []
    for link in obj.relations:
        other = _get(CatalogueObject, link.related_id)
        related.append(
            {
                "id": str(other.id),
                "object_number": other.object_number,
                "title": other.title,
                "status": str(other.status),
                "relation": str(link.relation),
            }
        )
    rights = None
    if obj.rights_statement or obj.rights_uri:
        rights = {"statement": obj.rights_statement, "uri": obj.rights_uri}
    acquisition = None
    if any(
        (
            obj.acquisition_method,
            obj.acquisition_date,
            obj.acquisition_source,
            obj.acquisition_source_contact,
        )
    ):
        acquisition = {
            "method": obj.acquisition_method,
            "date": obj.acquisition_date.isoformat() if obj.acquisition_date else None,
            "source": obj.acquisition_source,
            "source_contact": obj.acquisition_source_contact,
        }
    valuation = None
    if obj.valuation_amount is not None:
        valuation = {
            "amount": f"{obj.valuation_amount:.2f}",
            "currency": obj.valuation_currency,
            "date": obj.valuation_date.isoformat() if obj.valuation_date else None,
        }
    return {
        "id": str(obj.id),
        "object_number": obj.object_number,
        "status": str(obj.status),
        "object_type": ref(_get(Term, obj.object_type_id)),
        "title": obj.title,
        "description": obj.description,
        "production": production,
        "materials": terms[TermField.material],
        "techniques": terms[TermField.technique],
        "subjects": terms[TermField.subject],
        "dimensions": obj.dimensions or [],
        "inscriptions": obj.inscriptions or [],
        "associated_places": [ref(_get(Place, link.place_id)) for link in obj.places],
        "associated_agents": [ref(_get(Agent, link.agent_id)) for link in obj.agents],
        "collections": [ref(_get(Collection, link.collection_id)) for link in obj.collections],
        "related_objects": related,
        "credit_line": obj.credit_line,
        "rights": rights,
        "acquisition": acquisition,
        "valuation": valuation,
        "location": ref(_get(Location, obj.location_id)),
        "collection_status": str(obj.collection_status or "in-collection"),
        "internal_notes": obj.internal_notes,
        # An object not yet written has no media to look for.
        "media": [] if sa.inspect(obj).transient else media_summaries(obj.id),
        "version": obj.version,
        "created_at": iso(obj.created_at),
        "updated_at": iso(obj.updated_at),
        "links": object_links(obj.id),
    }


def changed_fields(before: dict | None, after: dict) -> list[str]:
    """Names of the fields a save changed (all filled-in fields when ``before`` is None)."""
    creating = before is None
    before = before or {}
    changed = []
    for key, value in after.items():
        if key in META_FIELDS:
            continue
        if key == "acquisition":
            changed += _acquisition_changes(before.get(key), value)
        elif creating and key == "collection_status" and value == "in-collection":
            continue  # where every new object stands: nothing a curator filled in
        elif (value not in (None, [], {})) if creating else before.get(key) != value:
            changed.append(key)
    return changed


def _acquisition_changes(before: dict | None, after: dict | None) -> list[str]:
    # Staff-only parts are named on their own, so that callers who may not see them do not
    # learn from a bare "acquisition" that something they cannot see was changed.
    def split(value: dict | None) -> tuple[dict, dict]:
        value = {k: v for k, v in (value or {}).items() if v is not None}
        hidden = {k: value.pop(k) for k in STAFF_ONLY_ACQUISITION_FIELDS if k in value}
        return value, hidden

    (shown_before, hidden_before), (shown_after, hidden_after) = split(before), split(after)
    changed = ["acquisition"] if shown_before != shown_after else []
    return changed + [
        f"acquisition.{name}"
        for name in STAFF_ONLY_ACQUISITION_FIELDS
        if hidden_before.get(name) != hidden_after.get(name)
    ]
