"""Suggest (entities by the start of a name) and preview (what an entity is, in a few words)."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import CatalogueObject
from catalogue.services.errors import BadRequest, NotFound
from catalogue.services.identity import Identity
from catalogue.services.labels import normalise, pick
from catalogue.services.reconcile.matching import describe, entity
from catalogue.services.reconcile.queries import MAX_TEXT, clean, parse_type
from catalogue.services.reconcile.types import API_PATHS, MODELS, TYPES, type_ref

PAGE = 10
MAX_CURSOR = 10_000


def cursor_of(value: str | None) -> int:
    if value in (None, ""):
        return 0
    if not value.isdigit() or int(value) > MAX_CURSOR:
        raise BadRequest(f"'cursor' is a whole number from 0 to {MAX_CURSOR}.")
    return int(value)


def prefix_of(value: str | None) -> str:
    text = clean(value or "").strip()
    if len(text) > MAX_TEXT:
        raise BadRequest(f"'prefix' is longer than {MAX_TEXT} characters.")
    return text


def entities(
    identity: Identity, prefix: str, type_id: str | None, cursor: int, language: str
) -> list[dict]:
    """Entities whose name holds ``prefix`` (objects: or whose number starts with it)."""
    types = [parse_type("The suggestion", type_id)] if type_id else list(TYPES)
    needle = normalise(prefix)
    wanted = cursor + PAGE
    found: list[dict] = []
    for type_id in types:
        if type_id == "object":
            found += _objects(identity, prefix, needle, wanted, language)
            continue
        model = MODELS[type_id]
        select = sa.select(model).order_by(model.sort_key, model.id).limit(wanted)
        if needle:
            select = select.where(model.search_text.contains(needle, autoescape=True))
        for item in db.session.execute(select).scalars():
            found.append(_suggestion(type_id, str(item.id), pick(item.label, language), item))
    return found[cursor:wanted]


def _objects(identity: Identity, prefix: str, needle: str, wanted: int, language: str):
    o = CatalogueObject
    rows = db.session.execute(
        sa.select(o.id, o.object_number, o.title)
        .where(o.status.in_(identity.visible_statuses))
        .order_by(o.object_number)
    )
    found = []
    for object_id, number, title in rows:
        texts = (normalise(t) for t in (title or {}).values() if isinstance(t, str))
        if not needle or number.startswith(prefix) or any(needle in t for t in texts):
            name = pick(title, language, fallback=number)
            found.append(
                {
                    "id": str(object_id),
                    "name": name,
                    "description": number,
                    "notable": [type_ref("object")],
                }
            )
            if len(found) >= wanted:
                break
    return found


def _suggestion(type_id: str, item_id: str, name: str, item) -> dict:
    found = {"id": item_id, "name": name or "", "notable": [type_ref(type_id)]}
    description = describe(type_id, item)
    if description:
        found["description"] = description
    return found


def preview(identity: Identity, raw_id: str | None, language: str) -> dict:
    """What the preview shows of one entity; a hidden or unknown one is a NotFound."""
    try:
        item_id = uuid.UUID(clean(raw_id or "").strip())
    except ValueError as error:
        raise BadRequest("'id' is the id of an entity (a UUID), as queries answer it.") from error
    found = entity(identity, item_id)
    if found is None:
        raise NotFound(f"No entity with id {item_id}.")
    type_id, item = found
    shown = {
        "id": str(item_id),
        "type": TYPES[type_id],
        "path": f"/api/v1/{API_PATHS[type_id]}/{item_id}",
    }
    if type_id == "object":
        shown.update(
            name=pick(item.title, language, fallback=item.object_number),
            number=item.object_number,
            description=pick(item.description, language),
            page=f"/objects/{item_id}",
        )
    else:
        shown.update(
            name=pick(item.label, language, fallback=""),
            number=None,
            description=describe(type_id, item),
            uri=item.uri,
        )
    return shown
