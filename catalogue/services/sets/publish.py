"""A set published: its IIIF Presentation 3 Collection and the CSV of its members.

Both show the members the caller may see, in the set's order; an anonymous caller reads
public sets only, and in them public objects only.
"""

from __future__ import annotations

import uuid

from flask import current_app

from catalogue.services.identity import Identity
from catalogue.services.sets import access, read

CSV_COLUMNS_START = ["position", "object_number", "id"]
CSV_COLUMNS_END = ["note", "url"]


def _language_map(value, fallback: str) -> dict:
    if isinstance(value, dict) and value:
        return {lang: [text] for lang, text in value.items()}
    return {"none": [fallback]}


def _thumbnail(item: dict, base: str) -> list[dict]:
    for media in item.get("media") or []:
        if media.get("primary") and media.get("thumbnail"):
            return [{"id": base + media["thumbnail"], "type": "Image", "format": "image/jpeg"}]
    return []


def iiif_collection(identity: Identity, set_id: uuid.UUID, base: str) -> dict:
    """A IIIF Presentation 3.0 Collection: one Manifest reference per visible member."""
    object_set = access.get_readable(identity, set_id)
    members = read.all_members(identity, set_id)
    title = object_set.title or {}
    items = []
    for item in members:
        reference = {
            "id": f"{base}/iiif/3/objects/{item['id']}/manifest",
            "type": "Manifest",
            "label": _language_map(item.get("title"), item["object_number"]),
        }
        thumbnail = _thumbnail(item, base)
        if thumbnail:
            reference["thumbnail"] = thumbnail
        items.append(reference)
    collection = {
        "@context": "http://iiif.io/api/presentation/3/context.json",
        "id": f"{base}/iiif/3/sets/{set_id}/collection",
        "type": "Collection",
        "label": _language_map(title, str(set_id)),
        "items": items,
        "homepage": [
            {
                "id": f"{base}/sets/{set_id}",
                "type": "Text",
                "label": _language_map(title, str(set_id)),
                "format": "text/html",
            }
        ],
    }
    if object_set.description:
        collection["summary"] = _language_map(object_set.description, "")
    notes = [
        {
            "label": {"none": [item["object_number"]]},
            "value": {"none": [item["note"]]},
        }
        for item in members
        if item.get("note")
    ]
    if notes:
        collection["metadata"] = notes
    return collection


def csv_rows(identity: Identity, set_id: uuid.UUID, base: str) -> tuple[list[str], list[dict]]:
    """The members as CSV rows: position, number, id, title per language, note, page URL."""
    access.get_readable(identity, set_id)
    members = read.all_members(identity, set_id)
    default = current_app.config["DEFAULT_LANGUAGE"]
    languages = sorted({default, "en", "fr"} | {k for m in members for k in m.get("title", {})})
    columns = CSV_COLUMNS_START + [f"title_{lang}" for lang in languages] + CSV_COLUMNS_END
    rows = []
    for number, item in enumerate(members, start=1):
        row = {
            "position": number,
            "object_number": item["object_number"],
            "id": item["id"],
            "note": item.get("note"),
            "url": f"{base}/objects/{item['id']}",
        }
        for lang in languages:
            row[f"title_{lang}"] = (item.get("title") or {}).get(lang)
        rows.append(row)
    return columns, rows
