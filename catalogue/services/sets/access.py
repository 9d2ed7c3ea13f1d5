"""Who may read and change a set, and which of its members each caller sees.

A set is read by its owner and admins always, by every signed-in user when ``shared``, by
everyone when ``public``; anyone else is told it does not exist (404). Only its owner and
admins change it, and only curators and admins make a set ``public``. Whoever reads a set
sees only the members whose objects they may see: a draft in a public set shows to staff
only, and counts count only what the caller sees.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import CatalogueObject, ObjectSet, SetMember, Visibility
from catalogue.services import uow
from catalogue.services.errors import Forbidden, NotFound
from catalogue.services.identity import Identity


def readable(identity: Identity):
    """SQL condition: the sets ``identity`` may read."""
    if identity.is_admin:
        return sa.true()
    if not identity.authenticated:
        return ObjectSet.visibility == Visibility.public
    return sa.or_(
        ObjectSet.visibility.in_((Visibility.public, Visibility.shared)),
        ObjectSet.owner_id == identity.user_id,
    )


def can_read(identity: Identity, object_set: ObjectSet) -> bool:
    return can_read_visibility(identity, object_set.visibility) or can_edit(identity, object_set)


def can_read_visibility(identity: Identity, visibility: Visibility | str) -> bool:
    """Whether any set of this visibility is readable by ``identity``, owner or not."""
    if Visibility(visibility) == Visibility.public or identity.is_admin:
        return True
    return Visibility(visibility) == Visibility.shared and identity.authenticated


def can_edit(identity: Identity, object_set: ObjectSet) -> bool:
    if not identity.authenticated:
        return False
    return identity.is_admin or object_set.owner_id == identity.user_id


def not_found(set_id) -> NotFound:
    return NotFound(f"No set with id {set_id}.")


def get_readable(identity: Identity, set_id: uuid.UUID) -> ObjectSet:
    object_set = db.session.get(ObjectSet, set_id)
    if object_set is None or not can_read(identity, object_set):
        raise not_found(set_id)
    return object_set


def check_editable(identity: Identity, set_id: uuid.UUID) -> None:
    """Raise as ``load_for_write`` would, without locking anything."""
    identity.require_authenticated()
    if not can_edit(identity, get_readable(identity, set_id)):
        raise Forbidden("Only the set's owner (or an admin) may change it.")


def load_for_write(identity: Identity, set_id: uuid.UUID) -> ObjectSet:
    """The set, locked for this unit of work, if ``identity`` may change it."""
    identity.require_authenticated()
    object_set = uow.load_for_update(ObjectSet, set_id)
    if object_set is None or not can_read(identity, object_set):
        raise not_found(set_id)
    if not can_edit(identity, object_set):
        raise Forbidden("Only the set's owner (or an admin) may change it.")
    return object_set


def check_visibility(identity: Identity, before: Visibility | None, after: Visibility) -> None:
    """Only curators and admins publish a set; a published set stays editable by its owner."""
    if after == Visibility.public and before != Visibility.public and not identity.is_staff:
        raise Forbidden("Only curators and admins may make a set public.")


def visible_members(identity: Identity):
    """SQL condition on ``SetMember``: its object is one ``identity`` may see."""
    return SetMember.object_id.in_(
        sa.select(CatalogueObject.id).where(CatalogueObject.status.in_(identity.visible_statuses))
    )


def member_counts(identity: Identity, set_ids: list[uuid.UUID]) -> dict[uuid.UUID, int]:
    """How many members of each set ``identity`` may see."""
    if not set_ids:
        return {}
    rows = db.session.execute(
        sa.select(SetMember.set_id, sa.func.count())
        .join(CatalogueObject, CatalogueObject.id == SetMember.object_id)
        .where(
            SetMember.set_id.in_(set_ids),
            CatalogueObject.status.in_(identity.visible_statuses),
        )
        .group_by(SetMember.set_id)
    ).all()
    found = dict.fromkeys(set_ids, 0)
    found.update({set_id: count for set_id, count in rows})
    return found


def seen_object_ids(identity: Identity, object_ids) -> set[uuid.UUID]:
    """Those of ``object_ids`` whose objects ``identity`` may see now."""
    ids = list(object_ids)
    if not ids:
        return set()
    return set(
        db.session.execute(
            sa.select(CatalogueObject.id).where(
                CatalogueObject.id.in_(ids),
                CatalogueObject.status.in_(identity.visible_statuses),
            )
        ).scalars()
    )
