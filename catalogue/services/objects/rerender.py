"""Keeping denormalised records true: objects re-rendered when something they show changed.

An object's stored document shows the titles and numbers of related objects, the labels of
its authorities, its media and its current location. When one of those changes, the object
is rendered again; feeds learn of it through the change log, and no version is made.
"""

from __future__ import annotations

import uuid
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm.attributes import flag_modified

from catalogue.extensions import db
from catalogue.models import CatalogueObject, ChangeEvent, ObjectRelation
from catalogue.models.base import utcnow
from catalogue.services.objects import changelog, views
from catalogue.services.objects.documents import render


def relating_to(object_id: uuid.UUID) -> list[CatalogueObject]:
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


def keep_updated_at(obj: CatalogueObject) -> None:
    """Write the row without moving ``updated_at``, which is the time of the last version.

    The column's ``onupdate`` would otherwise stamp the flush time, so a change that makes
    no version (a movement, a re-render) would change the record's ``updated_at`` -- in the
    public view too, telling the public when staff moved the object, and making its OAI
    payloads and datestamp depend on whether the flush fell in a later second.
    """
    flag_modified(obj, "updated_at")


def rerender(obj: CatalogueObject, now: datetime) -> None:
    """Rebuild a record whose linked data changed; feeds learn of it, no version is made."""
    document = render(obj)
    if document != obj.document:
        views.store(obj, document)
        keep_updated_at(obj)
        changelog.log(obj, ChangeEvent.updated, obj.status, now)


def refresh_related(obj: CatalogueObject) -> None:
    now = utcnow()
    for other in relating_to(obj.id):
        if other.id != obj.id:
            rerender(other, now)


def rerender_where(condition, now: datetime | None = None) -> int:
    """Rebuild every object matching ``condition`` (an authority they use changed)."""
    now = now or utcnow()
    objects = db.session.execute(sa.select(CatalogueObject).where(condition)).scalars().all()
    for obj in objects:
        rerender(obj, now)
    return len(objects)


def set_document_field(obj: CatalogueObject) -> None:
    """Re-render after a change outside the record form (movement, media)."""
    rerender(obj, utcnow())
