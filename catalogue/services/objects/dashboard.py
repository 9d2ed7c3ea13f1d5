"""Summaries for the workspace dashboard."""

from __future__ import annotations

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import CatalogueObject
from catalogue.services.identity import Identity


def counts_by_status(identity: Identity) -> dict[str, int]:
    """How many objects of each status the caller may see (zero included)."""
    identity.require_authenticated()
    rows = db.session.execute(
        sa.select(CatalogueObject.status, sa.func.count())
        .where(CatalogueObject.status.in_(identity.visible_statuses))
        .group_by(CatalogueObject.status)
    ).all()
    counts = {str(status): 0 for status in identity.visible_statuses}
    counts.update({str(status): count for status, count in rows})
    return counts
