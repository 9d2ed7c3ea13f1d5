"""Files made with Pillow, uploaded through the service as a request would."""

from __future__ import annotations

import hashlib
import uuid
from pathlib import Path

import sqlalchemy as sa
from PIL import Image

from catalogue.extensions import db
from catalogue.models import Media
from catalogue.services.media import records, uploads
from tests.services.builders import CURATOR


def picture(folder: Path, name: str, size=(600, 400), color=(200, 120, 40)) -> Path:
    """An image file; its format follows the name's suffix (.png or .jpg)."""
    path = folder / f"{uuid.uuid4().hex[:8]}-{name}"
    fmt = "PNG" if path.suffix == ".png" else "JPEG"
    Image.new("RGB", size, color).save(path, fmt)
    return path


def received(path: Path, filename: str | None = None) -> uploads.Upload:
    """The file as the HTTP layer hands it to the service: hashed, sized, with a client name."""
    data = path.read_bytes()
    name = path.name.split("-", 1)[1] if filename is None else filename
    return uploads.Upload(path, hashlib.sha256(data).hexdigest(), len(data), name)


def upload(record: dict, path: Path, filename: str | None = None, identity=CURATOR, **form):
    """Upload a file to an object; returns the media record as answered."""
    data = uploads.upload(identity, uuid.UUID(record["id"]), received(path, filename), form).data
    db.session.remove()
    return data


def media(media_id: str, identity=CURATOR) -> records.MediaRecord:
    found = records.get(identity, uuid.UUID(media_id))
    db.session.remove()
    return found


def listed(record: dict) -> list[tuple[str, int]]:
    """(media id, position) of an object's media in display order, as a curator lists them."""
    found = [
        (m.data["id"], m.data["position"])
        for m in records.list_for_object(CURATOR, uuid.UUID(record["id"]))
    ]
    db.session.remove()
    return found


def media_rows() -> int:
    count = db.session.execute(sa.select(sa.func.count()).select_from(Media)).scalar_one()
    db.session.remove()
    return count


def keys_of(media_data: dict) -> set[str]:
    """The stored keys a media's row names: its original and its derivatives."""
    row = db.session.get(Media, uuid.UUID(media_data["id"]))
    found = {row.storage_key, *((row.derivatives or {}).get("files") or {}).values()}
    db.session.remove()
    return found


def stored(store) -> set[str]:
    return set(store.list_keys())
