"""Rows of ``search.documents``: a search document as the PostgreSQL backend stores it."""

from __future__ import annotations

import sqlalchemy as sa

from catalogue.services.search.backends import pg_spelling
from search_index.schema import to_fields

UPSERT = sa.text(
    """
    INSERT INTO search.documents (
        object_id, status, number, number_key, title, description, maker, place, material,
        other, object_type, material_ids, collection, maker_ids, place_ids, decades,
        has_media, has_any_media, date_from, date_to, sort_date_asc, sort_date_desc,
        updated, digest)
    VALUES (
        :object_id, :status, :number, :number_key, :title, :description, :maker, :place,
        :material, :other, :object_type, :material_ids, :collection, :maker_ids, :place_ids,
        :decades, :has_media, :has_any_media, :date_from, :date_to, :sort_date_asc,
        :sort_date_desc, :updated, :digest)
    ON CONFLICT (object_id) DO UPDATE SET
        status = excluded.status, number = excluded.number, number_key = excluded.number_key,
        title = excluded.title, description = excluded.description, maker = excluded.maker,
        place = excluded.place, material = excluded.material, other = excluded.other,
        object_type = excluded.object_type, material_ids = excluded.material_ids,
        collection = excluded.collection, maker_ids = excluded.maker_ids,
        place_ids = excluded.place_ids, decades = excluded.decades,
        has_media = excluded.has_media, has_any_media = excluded.has_any_media,
        date_from = excluded.date_from, date_to = excluded.date_to,
        sort_date_asc = excluded.sort_date_asc, sort_date_desc = excluded.sort_date_desc,
        updated = excluded.updated, digest = excluded.digest
    """
)


def row(document: dict) -> dict:
    """The ``search.documents`` row of a search document (derived values as the index has
    them: accession number key, dates for sorting, decades)."""
    fields = to_fields(document)
    return {
        "object_id": document["id"],
        "status": document["status"],
        "number": document["number"],
        "number_key": fields["s_number"],
        "title": document.get("title") or "",
        "description": document.get("description") or "",
        "maker": document.get("maker") or "",
        "place": document.get("place") or "",
        "material": document.get("material") or "",
        "other": document.get("text") or "",
        "object_type": list(document.get("object_type") or []),
        "material_ids": list(document.get("material_ids") or []),
        "collection": list(document.get("collection") or []),
        "maker_ids": list(document.get("maker_ids") or []),
        "place_ids": list(document.get("place_ids") or []),
        "decades": [v for v in fields["f_decade"].split(",") if v],
        "has_media": bool(document.get("has_media")),
        "has_any_media": bool(document.get("has_any_media")),
        "date_from": fields.get("date_from"),
        "date_to": fields.get("date_to"),
        "sort_date_asc": fields["s_date_asc"],
        "sort_date_desc": fields["s_date_desc"],
        "updated": fields["s_updated"],
        "digest": document.get("digest") or "",
    }


def write(session, upserts: list[dict], deletes: list[str]) -> int:
    if upserts:
        session.execute(UPSERT, [row(document) for document in upserts])
        pg_spelling.store(session, upserts)
    if deletes:
        session.execute(
            sa.text("DELETE FROM search.documents WHERE object_id = ANY(CAST(:ids AS uuid[]))"),
            {"ids": deletes},
        )
    return len(upserts) + len(deletes)
