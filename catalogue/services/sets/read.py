"""Reading sets: one set as a caller sees it (with its ETag), lists, and members."""

from __future__ import annotations

import json
import uuid

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import CatalogueObject, ObjectSet, SetMember, User, Visibility
from catalogue.services.identity import Identity
from catalogue.services.objects.documents import iso
from catalogue.services.objects.views import COLUMNS, Record, dumps
from catalogue.services.pagination import Page, paginate
from catalogue.services.sets import access

# What a member shows of its object (in the caller's view of the object).
MEMBER_FIELDS = (
    "id",
    "object_number",
    "status",
    "object_type",
    "title",
    "production",
    "media",
    "links",
)


def set_links(set_id) -> dict:
    return {
        "self": f"/api/v1/sets/{set_id}",
        "members": f"/api/v1/sets/{set_id}/members",
        "csv": f"/api/v1/sets/{set_id}/members.csv",
        "versions": f"/api/v1/sets/{set_id}/versions",
        "html": f"/sets/{set_id}",
        "iiif_collection": f"/iiif/3/sets/{set_id}/collection",
    }


def _owner(identity: Identity, object_set: ObjectSet, emails: dict) -> dict:
    owner = {"id": str(object_set.owner_id)}
    if identity.authenticated:
        owner["email"] = emails.get(object_set.owner_id)
    return owner


def _emails(owner_ids) -> dict:
    ids = list(set(owner_ids))
    if not ids:
        return {}
    return dict(db.session.execute(sa.select(User.id, User.email).where(User.id.in_(ids))).all())


def data(identity: Identity, object_set: ObjectSet, count: int, emails: dict | None = None):
    """The set as ``identity`` reads it."""
    if emails is None:
        emails = _emails([object_set.owner_id])
    return {
        "id": str(object_set.id),
        "title": object_set.title,
        "description": object_set.description,
        "visibility": str(object_set.visibility),
        "owner": _owner(identity, object_set, emails),
        "member_count": count,
        "version": object_set.version,
        "created_at": iso(object_set.created_at),
        "updated_at": iso(object_set.updated_at),
        "links": set_links(object_set.id),
    }


def record(identity: Identity, object_set: ObjectSet) -> Record:
    """The set as ``identity`` reads it, as JSON text with its entity tag."""
    count = access.member_counts(identity, [object_set.id])[object_set.id]
    return Record(dumps(data(identity, object_set, count)), last_modified=object_set.updated_at)


def get(identity: Identity, set_id: uuid.UUID) -> Record:
    return record(identity, access.get_readable(identity, set_id))


def list_sets(identity: Identity, args: dict) -> Page:
    """The sets ``identity`` may read, newest change first, with filters."""
    query = sa.select(ObjectSet).where(access.readable(identity))
    if args.get("visibility"):
        query = query.where(ObjectSet.visibility == Visibility(args["visibility"]))
    if args.get("mine"):
        query = query.where(ObjectSet.owner_id == identity.user_id)
    if args.get("object"):
        query = query.where(
            ObjectSet.id.in_(
                sa.select(SetMember.set_id).where(
                    SetMember.object_id == args["object"], access.visible_members(identity)
                )
            )
        )
    query = query.order_by(ObjectSet.updated_at.desc(), ObjectSet.id)
    page = paginate(query, args.get("page", 1), args.get("per_page", 20))
    counts = access.member_counts(identity, [s.id for s in page.items])
    emails = _emails(s.owner_id for s in page.items)
    page.items = [data(identity, s, counts[s.id], emails) for s in page.items]
    return page


def member_item(view: dict, member: SetMember) -> dict:
    item = {key: view[key] for key in MEMBER_FIELDS if key in view}
    item["note"] = member.note
    item["position"] = member.position
    return item


def members_query(identity: Identity, set_id: uuid.UUID) -> sa.Select:
    """The members ``identity`` may see with their object's view, in the set's order."""
    return (
        sa.select(SetMember, COLUMNS[identity.view])
        .join(CatalogueObject, CatalogueObject.id == SetMember.object_id)
        .where(
            SetMember.set_id == set_id,
            CatalogueObject.status.in_(identity.visible_statuses),
        )
        .order_by(SetMember.position, SetMember.object_id)
    )


def list_members(identity: Identity, set_id: uuid.UUID, args: dict) -> Page:
    access.get_readable(identity, set_id)
    query = members_query(identity, set_id)
    page = paginate(query, args.get("page", 1), args.get("per_page", 20), scalars=False)
    page.items = [member_item(json.loads(text), member) for member, text in page.items]
    return page


def all_members(identity: Identity, set_id: uuid.UUID) -> list[dict]:
    """Every member ``identity`` may see, in order (pages, IIIF, CSV)."""
    access.get_readable(identity, set_id)
    rows = db.session.execute(members_query(identity, set_id))
    return [member_item(json.loads(text), member) for member, text in rows]


def own_sets(identity: Identity) -> list[dict]:
    """The caller's own sets, newest change first (where "add to set" offers to add)."""
    if not identity.authenticated:
        return []
    rows = db.session.execute(
        sa.select(ObjectSet)
        .where(ObjectSet.owner_id == identity.user_id)
        .order_by(ObjectSet.updated_at.desc(), ObjectSet.id)
    ).scalars()
    return [{"id": str(s.id), "title": s.title, "visibility": str(s.visibility)} for s in rows]
