"""Places on a map: the coordinates of places named by a search's facet."""

from __future__ import annotations

import uuid

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import Place


def with_coordinates(facet_values: list[dict]) -> list[dict]:
    """The facet's places that have coordinates: ``{id, label, count, latitude, longitude}``.

    ``facet_values`` are the ``place`` facet of a search (``{value, label, count}``), which
    counts only what the caller may see; places are public authorities.
    """
    ids = []
    for facet in facet_values:
        try:
            ids.append(uuid.UUID(str(facet["value"])))
        except ValueError:
            continue
    if not ids:
        return []
    rows = db.session.execute(
        sa.select(Place.id, Place.latitude, Place.longitude).where(
            Place.id.in_(ids), Place.latitude.is_not(None), Place.longitude.is_not(None)
        )
    ).all()
    points = {str(row.id): (float(row.latitude), float(row.longitude)) for row in rows}
    return [
        {
            "id": str(facet["value"]),
            "label": facet["label"],
            "count": facet["count"],
            "latitude": points[str(facet["value"])][0],
            "longitude": points[str(facet["value"])][1],
        }
        for facet in facet_values
        if str(facet["value"]) in points
    ]
