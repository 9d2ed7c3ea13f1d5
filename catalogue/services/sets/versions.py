"""Versions of a set: list, read, restore (a restore is a new version).

Whoever may change the set reads all its versions. Anyone else who may read it reads only
the versions saved while the set had a visibility they may see (a version saved while the
set was private stays private), and in each only the members they may see now.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import CatalogueObject, ObjectSet, SetMember, SetVersion
from catalogue.models.base import utcnow
from catalogue.services import uow
from catalogue.services.errors import NotFound
from catalogue.services.etag import check_precondition
from catalogue.services.identity import Identity
from catalogue.services.objects.documents import iso
from catalogue.services.pagination import Page, paginate
from catalogue.services.sets import access, history, read
from catalogue.services.sets.write import load_input


def _readable_versions(identity: Identity, object_set: ObjectSet):
    if access.can_edit(identity, object_set):
        return sa.true()
    seen = ["public", "shared"] if identity.authenticated else ["public"]
    return SetVersion.record["visibility"].as_string().in_(seen)


def _version_dict(identity: Identity, version: SetVersion, with_record: bool) -> dict:
    data = {
        "number": version.number,
        "created_at": iso(version.created_at),
        "created_by": version.created_by,
        "changed": version.changed,
        "note": version.note,
    }
    if with_record:
        record = dict(version.record)
        ids = [uuid.UUID(m["id"]) for m in record["members"]]
        seen = {str(i) for i in access.seen_object_ids(identity, ids)}
        record["members"] = [m for m in record["members"] if m["id"] in seen]
        data["record"] = record
    return data


def list_versions(identity: Identity, set_id: uuid.UUID, args: dict) -> Page:
    identity.require_authenticated()
    object_set = access.get_readable(identity, set_id)
    query = (
        sa.select(SetVersion)
        .where(SetVersion.set_id == set_id, _readable_versions(identity, object_set))
        .order_by(SetVersion.number.desc())
    )
    page = paginate(query, args.get("page", 1), args.get("per_page", 20))
    page.items = [_version_dict(identity, v, with_record=False) for v in page.items]
    return page


def _version(identity: Identity, object_set: ObjectSet, number: int) -> SetVersion:
    version = db.session.execute(
        sa.select(SetVersion).where(
            SetVersion.set_id == object_set.id,
            SetVersion.number == number,
            _readable_versions(identity, object_set),
        )
    ).scalar_one_or_none()
    if version is None:
        raise NotFound(f"Set {object_set.id} has no version {number}.")
    return version


def get_version(identity: Identity, set_id: uuid.UUID, number: int) -> dict:
    identity.require_authenticated()
    object_set = access.get_readable(identity, set_id)
    return _version_dict(identity, _version(identity, object_set, number), with_record=True)


def restore(identity: Identity, set_id: uuid.UUID, number: int, if_match) -> ObjectSet:
    """Save an earlier version as a new version: texts, visibility, members, order, notes.

    Members whose objects were deleted since are left out; making the set public again
    needs the curator or admin role, as any publication does.
    """
    object_set = access.load_for_write(identity, set_id)
    check_precondition(read.record(identity, object_set).etag, if_match)
    version = _version(identity, object_set, number)
    data = load_input({k: version.record[k] for k in ("title", "description", "visibility")})
    saved = version.record["members"]
    existing = set(
        db.session.execute(
            sa.select(CatalogueObject.id).where(
                CatalogueObject.id.in_([uuid.UUID(m["id"]) for m in saved])
            )
        ).scalars()
    )
    # Nothing is read from here on, so the set is written once (one version number).
    before = history.snapshot(object_set)
    access.check_visibility(identity, object_set.visibility, data["visibility"])
    object_set.title = data["title"]
    object_set.description = data.get("description")
    object_set.visibility = data["visibility"]
    current = {m.object_id: m for m in object_set.members}
    now = utcnow()
    members = []
    for position, item in enumerate(m for m in saved if uuid.UUID(m["id"]) in existing):
        object_id = uuid.UUID(item["id"])
        member = current.get(object_id) or SetMember(
            object_id=object_id, added_at=now, added_by=identity.email
        )
        member.position, member.note = position, item.get("note")
        members.append(member)
    object_set.members = members
    if history.save(identity, object_set, before, now, note=f"Restored from version {number}"):
        uow.commit()
    else:
        db.session.rollback()
    return object_set
