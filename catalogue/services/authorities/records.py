"""Authorities and vocabularies: terms, agents, places, collections, locations."""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import current_app
from marshmallow import ValidationError

from catalogue.extensions import db
from catalogue.models import (
    Agent,
    AgentKind,
    CatalogueObject,
    Collection,
    Location,
    LocationKind,
    Movement,
    ObjectAgent,
    ObjectCollection,
    ObjectMaker,
    ObjectPlace,
    ObjectTerm,
    Place,
    Term,
)
from catalogue.models.base import utcnow
from catalogue.schemas.authorities import AUTHORITY_INPUT
from catalogue.schemas.common import flatten_messages
from catalogue.services import labels, uow
from catalogue.services.errors import Conflict, NotFound, ValidationFailed
from catalogue.services.etag import check_precondition
from catalogue.services.identity import Identity
from catalogue.services.objects import rerender
from catalogue.services.objects.documents import iso, ref
from catalogue.services.objects.views import Record, dumps
from catalogue.services.objects.write import merge_patch
from catalogue.services.pagination import Page, paginate

KINDS = {
    "terms": Term,
    "agents": Agent,
    "places": Place,
    "collections": Collection,
    "locations": Location,
}
SINGULAR = {
    "terms": "term",
    "agents": "agent",
    "places": "place",
    "collections": "collection",
    "locations": "location",
}
OPTIONAL_FIELDS = (
    "uri",
    "scope_note",
    "dates",
    "biography",
    "latitude",
    "longitude",
    "description",
    "parent",
)
# Locations say where objects are kept: staff-only, like an object's location.
STAFF_ONLY_KINDS = {"locations"}


def _allowed(identity: Identity, kind: str) -> None:
    if kind in STAFF_ONLY_KINDS:
        identity.require_staff()


def to_dict(kind: str, item) -> dict:
    data = {
        "id": str(item.id),
        "label": item.label,
        "uri": item.uri,
        "created_at": iso(item.created_at),
        "updated_at": iso(item.updated_at),
        "links": {"self": f"/api/v1/{kind}/{item.id}"},
    }
    if kind == "terms":
        data.update(vocabulary=str(item.vocabulary), scope_note=item.scope_note)
    elif kind == "agents":
        data.update(kind=str(item.kind), dates=item.dates, biography=item.biography)
    elif kind == "places":
        data.update(
            latitude=float(item.latitude) if item.latitude is not None else None,
            longitude=float(item.longitude) if item.longitude is not None else None,
        )
    elif kind == "collections":
        data.update(description=item.description)
    elif kind == "locations":
        data.update(kind=str(item.kind), parent=ref(item.parent), path=_path(item))
    return data


def _path(location: Location) -> list[dict]:
    """The chain from the site down to this location."""
    chain, seen, node = [], set(), location
    while node is not None and node.id not in seen:
        seen.add(node.id)
        chain.append(ref(node))
        node = node.parent
    return list(reversed(chain))


def _get(kind: str, item_id: uuid.UUID, for_update: bool = False):
    if for_update:
        item = uow.load_for_update(KINDS[kind], item_id)
    else:
        item = db.session.get(KINDS[kind], item_id)
    if item is None:
        raise NotFound(f"No {SINGULAR[kind]} with id {item_id}.")
    return item


def get(identity: Identity, kind: str, item_id: uuid.UUID) -> Record:
    _allowed(identity, kind)
    data = to_dict(kind, _get(kind, item_id))
    return Record(dumps(data))


def list_items(identity: Identity, kind: str, args: dict) -> Page:
    _allowed(identity, kind)
    model = KINDS[kind]
    query = sa.select(model)
    if args.get("q"):
        # The label texts, case and accents aside; % and _ are plain characters.
        needle = labels.normalise(args["q"])
        query = query.where(model.search_text.contains(needle, autoescape=True))
    if args.get("uri"):
        query = query.where(model.uri == args["uri"])
    if args.get("vocabulary") and kind == "terms":
        query = query.where(Term.vocabulary == args["vocabulary"])
    if args.get("kind") and kind in ("agents", "locations"):
        kinds = AgentKind if kind == "agents" else LocationKind
        if args["kind"] not in set(kinds):
            raise ValidationFailed({"kind": [f"Kind is one of {', '.join(kinds)}."]})
        query = query.where(model.kind == args["kind"])
    query = query.order_by(model.sort_key, model.id)
    page = paginate(query, args.get("page", 1), args.get("per_page", 20))
    page.items = [to_dict(kind, item) for item in page.items]
    return page


def refresh_label_keys(identity: Identity) -> int:
    """Store again what lists search and sort by, from each label; returns how many changed.

    Sort keys follow ``DEFAULT_LANGUAGE``: run this (``catalogue authorities refresh``) after
    changing it. The authorities themselves do not change (nor their ``updated_at``).
    """
    identity.require_admin()
    default = current_app.config["DEFAULT_LANGUAGE"]
    changed = 0
    for model in KINDS.values():
        table = model.__table__
        columns = (table.c.id, table.c.label, table.c.search_text, table.c.sort_key)
        updates = []
        for item_id, label, search_text, sort_key in db.session.execute(sa.select(*columns)):
            keys = labels.label_keys(label, default)
            if keys != {"search_text": search_text, "sort_key": sort_key}:
                updates.append({"key": item_id, **{f"new_{k}": v for k, v in keys.items()}})
        if updates:
            db.session.execute(
                table.update()
                .where(table.c.id == sa.bindparam("key"))
                .values(
                    search_text=sa.bindparam("new_search_text"),
                    sort_key=sa.bindparam("new_sort_key"),
                    # Given, so that the on-update default does not replace it.
                    updated_at=table.c.updated_at,
                ),
                updates,
            )
        changed += len(updates)
    uow.commit()
    return changed


def _assign(kind: str, item, data: dict) -> None:
    for name, value in data.items():
        if name == "parent":
            _set_parent(item, value)
        else:
            setattr(item, name, value)
    if "label" in data:
        _store_label_keys(item)


def _store_label_keys(item) -> None:
    keys = labels.label_keys(item.label, current_app.config["DEFAULT_LANGUAGE"])
    item.search_text, item.sort_key = keys["search_text"], keys["sort_key"]


def _set_parent(location: Location, parent_id: uuid.UUID | None) -> None:
    if parent_id is not None:
        parent = db.session.get(Location, parent_id)
        if parent is None:
            raise ValidationFailed({"parent.id": [f"No location with id {parent_id}."]})
        node = parent
        while node is not None:
            if node.id == location.id:
                raise ValidationFailed({"parent.id": ["A location cannot be inside itself."]})
            node = node.parent
    location.parent_id = parent_id
    location.parent = db.session.get(Location, parent_id) if parent_id else None


def create(identity: Identity, kind: str, data: dict, item_id: uuid.UUID | None = None) -> Record:
    """Create an authority; ``item_id`` keeps a known id (demo data, restore)."""
    identity.require_staff()
    now = utcnow()
    item = KINDS[kind](id=item_id or uuid.uuid4(), created_at=now, updated_at=now)
    data.setdefault("uri", None)
    _assign(kind, item, data)
    db.session.add(item)
    uow.commit()
    return get(identity, kind, item.id)


def replace(identity: Identity, kind: str, item_id: uuid.UUID, data: dict, if_match) -> Record:
    identity.require_staff()
    item = _get(kind, item_id, for_update=True)
    check_precondition(Record(dumps(to_dict(kind, item))).etag, if_match)
    return replace_loaded(identity, kind, item, data)


def replace_loaded(identity: Identity, kind: str, item, data: dict) -> Record:
    """Replace every field: optional fields left out of ``data`` are cleared."""
    cleared = {name: None for name in OPTIONAL_FIELDS if hasattr(item, name)}
    return _update(identity, kind, item, {**cleared, **data})


def patch(identity: Identity, kind: str, item_id: uuid.UUID, changes: dict, if_match) -> Record:
    """Apply a JSON merge patch, then validate the result as a whole."""
    identity.require_staff()
    item = _get(kind, item_id, for_update=True)
    current = to_dict(kind, item)
    check_precondition(Record(dumps(current)).etag, if_match)
    merged = merge_patch(current, changes)
    try:
        data = AUTHORITY_INPUT[kind]().load(merged)
    except ValidationError as error:
        raise ValidationFailed(flatten_messages(error.messages)) from error
    return replace_loaded(identity, kind, item, data)


def _update(identity: Identity, kind: str, item, data: dict) -> Record:
    before = to_dict(kind, item)
    if kind == "terms" and data.get("vocabulary", item.vocabulary) != item.vocabulary:
        # Records check a term's vocabulary when they are saved; moving a term that records
        # use to another vocabulary would leave them holding, say, a material as an object type.
        used = _use_count(kind, item.id)
        if used:
            raise Conflict(
                f"This term is used by {used} record(s) as a {item.vocabulary} term; "
                "its vocabulary cannot change while it is in use."
            )
    _assign(kind, item, data)
    db.session.flush()
    if to_dict(kind, item) != before:
        item.updated_at = utcnow()
        # Records that show this authority's label are rebuilt in the same transaction.
        rerender.rerender_where(_objects_using(kind, item.id))
    uow.commit()
    return get(identity, kind, item.id)


def _objects_using(kind: str, item_id: uuid.UUID):
    o = CatalogueObject
    links = {
        "terms": [
            o.object_type_id == item_id,
            o.id.in_(sa.select(ObjectTerm.object_id).where(ObjectTerm.term_id == item_id)),
        ],
        "agents": [
            o.id.in_(sa.select(ObjectMaker.object_id).where(ObjectMaker.agent_id == item_id)),
            o.id.in_(sa.select(ObjectAgent.object_id).where(ObjectAgent.agent_id == item_id)),
        ],
        "places": [
            o.production_place_id == item_id,
            o.id.in_(sa.select(ObjectPlace.object_id).where(ObjectPlace.place_id == item_id)),
        ],
        "collections": [
            o.id.in_(
                sa.select(ObjectCollection.object_id).where(
                    ObjectCollection.collection_id == item_id
                )
            )
        ],
        "locations": [o.location_id == item_id],
    }
    return sa.or_(*links[kind])


def delete(identity: Identity, kind: str, item_id: uuid.UUID, if_match) -> None:
    identity.require_staff()
    item = _get(kind, item_id, for_update=True)
    check_precondition(Record(dumps(to_dict(kind, item))).etag, if_match)
    used = _use_count(kind, item_id)
    if used:
        raise Conflict(
            f"This {SINGULAR[kind]} is still in use by {used} record(s); "
            "remove it from them first.",
        )
    db.session.delete(item)
    uow.commit()


def _use_count(kind: str, item_id: uuid.UUID) -> int:
    """How many objects, movements and sub-locations refer to the authority."""
    used = db.session.execute(
        sa.select(sa.func.count()).select_from(CatalogueObject).where(_objects_using(kind, item_id))
    ).scalar_one()
    if kind == "locations":
        used += db.session.execute(
            sa.select(sa.func.count())
            .select_from(Movement)
            .where(sa.or_(Movement.to_location_id == item_id, Movement.from_location_id == item_id))
        ).scalar_one()
        used += db.session.execute(
            sa.select(sa.func.count()).select_from(Location).where(Location.parent_id == item_id)
        ).scalar_one()
    return used
