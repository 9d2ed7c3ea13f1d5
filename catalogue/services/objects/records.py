"""Catalogue objects: read, list, create, change, delete.

Every function takes the caller's identity first and follows one order: check permission,
load and validate, change the data, register after-commit work, commit, return.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from marshmallow import ValidationError
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from catalogue.extensions import db
from catalogue.models import (
    CatalogueObject,
    ChangeEvent,
    ChangeLogEntry,
    Media,
    ObjectCollection,
    ObjectRelation,
    ObjectVersion,
    Status,
    Tombstone,
)
from catalogue.models.base import utcnow
from catalogue.schemas.common import flatten_messages
from catalogue.schemas.objects import ObjectIn
from catalogue.services import uow
from catalogue.services.errors import Conflict, Gone, NotFound, PreconditionFailed, ValidationFailed
from catalogue.services.etag import check_precondition
from catalogue.services.identity import Identity
from catalogue.services.lookups import RowReader
from catalogue.services.objects.documents import References, apply, changed_fields, iso, render
from catalogue.services.objects.views import COLUMNS, Record, stored
from catalogue.services.pagination import Page, paginate


def load_input(payload) -> dict:
    """Validate a whole object (from a PATCH result or an old version) with the input schema."""
    if not isinstance(payload, dict):
        raise ValidationFailed({"_schema": ["The body must be a JSON object."]})
    try:
        return ObjectIn().load(payload)
    except ValidationError as error:
        raise ValidationFailed(flatten_messages(error.messages)) from error


def merge_patch(target, patch):
    """RFC 7396 JSON merge patch."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


# ---- reading ------------------------------------------------------------------------------


def _missing(object_id: uuid.UUID, identity: Identity) -> Exception:
    tombstone = db.session.get(Tombstone, object_id)
    if tombstone is not None and identity.can_see(tombstone.last_status):
        return Gone(
            f"Object {tombstone.object_number} was deleted.",
            id=str(tombstone.id),
            object_number=tombstone.object_number,
            deleted_at=iso(tombstone.deleted_at),
        )
    return NotFound(f"No object with id {object_id}.")


# When the object last changed (Last-Modified), read with it: the log stamps ``at`` in commit
# order, re-renders after an authority changed included.
_LAST_CHANGED = (
    sa.select(sa.func.max(ChangeLogEntry.at))
    .where(ChangeLogEntry.object_id == CatalogueObject.id)
    .scalar_subquery()
)
_BY_ID = {
    view: RowReader([column, CatalogueObject.status, _LAST_CHANGED], CatalogueObject.id)
    for view, column in COLUMNS.items()
}
_BY_NUMBER = {
    view: RowReader([column, CatalogueObject.status], CatalogueObject.object_number)
    for view, column in COLUMNS.items()
}


def get(identity: Identity, object_id: uuid.UUID) -> Record:
    row = _BY_ID[identity.view](object_id)
    if row is None:
        raise _missing(object_id, identity)
    if not identity.can_see(row[1]):
        raise NotFound(f"No object with id {object_id}.")
    return Record(row[0], last_modified=row[2])


def get_by_number(identity: Identity, object_number: str) -> Record:
    if "\x00" in object_number:
        # No number holds one, and PostgreSQL refuses it in a query (a 500).
        raise NotFound(f"No object numbered {object_number!r}.")
    # Accession numbers never hold control characters (and PostgreSQL text cannot hold NUL).
    row = None if "\x00" in object_number else _BY_NUMBER[identity.view](object_number)
    if row is None or not identity.can_see(row[1]):
        tombstone = (
            row is None
            and "\x00" not in object_number
            and db.session.execute(
                sa.select(Tombstone).where(Tombstone.object_number == object_number)
            ).scalar_one_or_none()
        )
        if tombstone:
            raise _missing(tombstone.id, identity)
        raise NotFound(f"No object numbered {object_number}.")
    return Record(row[0])


SORTS = {
    "object_number": CatalogueObject.object_number,
    "updated": CatalogueObject.updated_at,
    "created": CatalogueObject.created_at,
}


def list_objects(identity: Identity, args: dict) -> Page:
    query = sa.select(COLUMNS[identity.view]).where(
        CatalogueObject.status.in_(identity.visible_statuses)
    )
    if args.get("status"):
        query = query.where(CatalogueObject.status == args["status"])
    if args.get("object_type"):
        query = query.where(CatalogueObject.object_type_id == args["object_type"])
    if args.get("collection"):
        query = query.where(
            CatalogueObject.id.in_(
                sa.select(ObjectCollection.object_id).where(
                    ObjectCollection.collection_id == args["collection"]
                )
            )
        )
    if args.get("updated_since"):
        query = query.where(CatalogueObject.updated_at >= args["updated_since"])
    if args.get("has_media") is not None:
        query = query.where(_has_media(identity) == args["has_media"])
    sort = args.get("sort", "object_number")
    column = SORTS[sort.lstrip("-")]
    order = column.desc() if sort.startswith("-") else column.asc()
    query = query.order_by(order, CatalogueObject.id)
    page = paginate(query, args.get("page", 1), args.get("per_page", 20))
    page.items = [Record(text) for text in page.items]
    return page


def _has_media(identity: Identity):
    media = sa.select(Media.id).where(Media.object_id == CatalogueObject.id)
    if not identity.is_staff:
        media = media.where(Media.public.is_(True))
    return media.exists()


# ---- writing ------------------------------------------------------------------------------


def _load_for_write(identity: Identity, object_id: uuid.UUID) -> CatalogueObject:
    identity.require_staff()
    obj = db.session.get(CatalogueObject, object_id, with_for_update=True)
    if obj is None:
        raise _missing(object_id, identity)
    return obj


def _check_number_free(object_number: str, own_id: uuid.UUID | None = None) -> None:
    taken = db.session.execute(
        sa.select(CatalogueObject.id).where(CatalogueObject.object_number == object_number)
    ).scalar_one_or_none()
    if taken is not None and taken != own_id:
        raise Conflict(f"Object number {object_number} is already used by object {taken}.")
    tombstone = db.session.execute(
        sa.select(Tombstone.id).where(Tombstone.object_number == object_number)
    ).scalar_one_or_none()
    if tombstone is not None:
        raise Conflict(
            f"Object number {object_number} belonged to object {tombstone}, which was deleted; "
            "a deleted accession number is not reused."
        )


def _log(obj: CatalogueObject, event: ChangeEvent, before: Status | None, now: datetime) -> None:
    uow.log_change(
        ChangeLogEntry(
            object_id=obj.id,
            object_number=obj.object_number,
            event=event,
            status_before=before,
            status_after=None if event == ChangeEvent.deleted else obj.status,
            at=now,
        )
    )


def _save_version(
    obj: CatalogueObject,
    identity: Identity,
    changed: list[str],
    now: datetime,
    note: str | None = None,
) -> None:
    db.session.add(
        ObjectVersion(
            object_id=obj.id,
            number=obj.version,
            created_at=now,
            created_by=identity.email,
            changed=changed,
            record=obj.document,
            note=note,
        )
    )


def commit_batch() -> None:
    """Commit the unit of work, turning concurrency and integrity failures into 412/409."""
    _commit()


def _commit() -> None:
    try:
        uow.commit()
    except StaleDataError as error:
        db.session.rollback()
        raise PreconditionFailed(
            "Someone saved this record at the same time; read it again."
        ) from error
    except IntegrityError as error:
        db.session.rollback()
        raise Conflict("The change conflicts with another record (a duplicate number?).") from error


def create(identity: Identity, data: dict, object_id: uuid.UUID | None = None) -> Record:
    """Create an object; ``object_id`` keeps a known id (demo data, restore)."""
    obj = stage_create(identity, data, object_id)
    _commit()
    return stored(obj, identity)


def stage_create(
    identity: Identity, data: dict, object_id: uuid.UUID | None = None, checked: bool = False
) -> CatalogueObject:
    """Add a new object to the unit of work without committing (batch writers commit).

    ``checked``: the caller has already resolved every reference and found the number free
    (the importer does, for whole files); the unique number constraint still holds at commit.
    """
    identity.require_staff()
    if not checked:
        References().check(data)
        _check_number_free(data["object_number"])
    now = utcnow()
    obj = CatalogueObject(
        id=object_id or uuid.uuid4(),
        version=1,
        created_at=now,
        updated_at=now,
        created_by=identity.email,
        updated_by=identity.email,
    )
    apply(obj, data)
    # Rendered before it is added, so the row is written once, document included. Nothing
    # can relate to an object that did not exist, so no other record needs rebuilding.
    obj.document = render(obj)
    db.session.add(obj)
    _save_version(obj, identity, changed_fields(None, obj.document), now)
    _log(obj, ChangeEvent.created, None, now)
    return obj


def _save(identity: Identity, obj: CatalogueObject, data: dict, note: str | None = None) -> Record:
    """Apply validated input to a loaded object; a new version only if something changed."""
    if not stage_save(identity, obj, data, note):
        db.session.rollback()
        return stored(obj, identity)
    _commit()
    return stored(obj, identity)


def stage_save(
    identity: Identity, obj: CatalogueObject, data: dict, note: str | None = None
) -> bool:
    """Apply validated input to a loaded object without committing; False if nothing changed.

    When nothing changed the links were rewritten with the same values and no version or
    change-log entry is made; a single-record caller rolls back, a batch simply goes on.
    """
    identity.require_staff()
    References().check(data)
    if data["object_number"] != obj.object_number:
        _check_number_free(data["object_number"], obj.id)
    before_doc, before_status = obj.document, obj.status
    apply(obj, data)
    db.session.flush()
    document = render(obj)
    changed = changed_fields(before_doc, document)
    if not changed:
        return False
    now = utcnow()
    obj.version = obj.version + 1
    obj.updated_at = now
    obj.updated_by = identity.email
    obj.document = {**document, "version": obj.version, "updated_at": iso(now)}
    _save_version(obj, identity, changed, now, note)
    _log(obj, ChangeEvent.updated, before_status, now)
    if {"object_number", "title", "status"} & set(changed):
        _refresh_related(obj)
    return True


def replace(identity: Identity, object_id: uuid.UUID, data: dict, if_match) -> Record:
    obj = _load_for_write(identity, object_id)
    check_precondition(stored(obj, identity).etag, if_match)
    return _save(identity, obj, data)


def patch(identity: Identity, object_id: uuid.UUID, changes, if_match) -> Record:
    obj = _load_for_write(identity, object_id)
    check_precondition(stored(obj, identity).etag, if_match)
    if not isinstance(changes, dict):
        raise ValidationFailed({"_schema": ["A merge patch must be a JSON object."]})
    return _save(identity, obj, load_input(merge_patch(obj.document, changes)))


def delete(identity: Identity, object_id: uuid.UUID, if_match) -> None:
    obj = _load_for_write(identity, object_id)
    check_precondition(stored(obj, identity).etag, if_match)
    now = utcnow()
    db.session.add(
        Tombstone(
            id=obj.id,
            object_number=obj.object_number,
            deleted_at=now,
            deleted_by=identity.email,
            last_status=obj.status,
            last_version=obj.version,
        )
    )
    _log(obj, ChangeEvent.deleted, obj.status, now)
    dependants = _relating_to(obj.id)
    from catalogue.services.media import records as media  # media builds on this module

    media.remove_with_object(obj.id)
    db.session.delete(obj)
    db.session.flush()
    for other in dependants:
        db.session.refresh(other)
        _rerender(other, now)
    _commit()


# ---- keeping denormalised records true ---------------------------------------------------


def _relating_to(object_id: uuid.UUID) -> list[CatalogueObject]:
    return list(
        db.session.execute(
            sa.select(CatalogueObject).where(
                CatalogueObject.id.in_(
                    sa.select(ObjectRelation.object_id).where(
                        ObjectRelation.related_id == object_id
                    )
                )
            )
        ).scalars()
    )


def _rerender(obj: CatalogueObject, now: datetime) -> None:
    """Rebuild a record whose linked data changed; feeds learn of it, no version is made."""
    document = render(obj)
    if document != obj.document:
        obj.document = document
        _log(obj, ChangeEvent.updated, obj.status, now)


def _refresh_related(obj: CatalogueObject) -> None:
    now = utcnow()
    for other in _relating_to(obj.id):
        if other.id != obj.id:
            _rerender(other, now)


def rerender_where(condition, now: datetime | None = None) -> int:
    """Rebuild every object matching ``condition`` (an authority they use changed)."""
    now = now or utcnow()
    objects = db.session.execute(sa.select(CatalogueObject).where(condition)).scalars().all()
    for obj in objects:
        _rerender(obj, now)
    return len(objects)


def set_document_field(obj: CatalogueObject) -> None:
    """Re-render after a change outside the record form (movement, media)."""
    _rerender(obj, utcnow())
