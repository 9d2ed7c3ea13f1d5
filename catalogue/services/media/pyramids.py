"""Local copies of IIIF pyramids when media live in S3: bounded, never stale, swept.

Each node keeps its copies on its own disk, in ``MEDIA_CACHE_DIR`` (``media.cache``: at most
``MEDIA_CACHE_MAX_BYTES``, least recently used out first, shared by the node's worker
processes). A copy is named after its media and a digest of what the pyramid was made from
(its key, the original's SHA-256, the derivatives recorded), so a media replaced or rebuilt
on any node is never served from an older copy: the row is read first, and its name no
longer matches. Deleted media answer 404 from the row before any copy is looked at; their
copies are removed by a sweep that runs, at most every ``MEDIA_CACHE_SWEEP_SECONDS`` and
only when the change log has moved since the last one (a media deleted or changed anywhere
changes its object's record), on the next IIIF request the node answers.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path

import sqlalchemy as sa
from flask import current_app

from catalogue.extensions import db
from catalogue.models import ChangeLogEntry, Media
from catalogue.services.media.files import storage
from media.cache import FileCache

SUFFIX = ".tif"
CHUNK = 500


def _cache() -> FileCache:
    config = current_app.config
    return FileCache(Path(config["MEDIA_CACHE_DIR"]), config["MEDIA_CACHE_MAX_BYTES"])


def pyramid_key(media: Media) -> str:
    return media.derivatives["files"]["pyramid.tif"]


def entry_name(media_id: uuid.UUID, sha256: str, derivatives: dict) -> str:
    made_from = json.dumps([sha256, derivatives], sort_keys=True, default=str)
    return f"{media_id}.{hashlib.sha256(made_from.encode()).hexdigest()[:20]}{SUFFIX}"


def local_pyramid(media: Media) -> Path:
    """A local path to the media's pyramid: the stored file itself on a local storage, else
    a cached copy (fetched now if missing). Raises the storage's errors."""
    key = pyramid_key(media)
    local = storage().local_path(key)
    if local is not None:
        return local
    cache = _cache()
    name = entry_name(media.id, media.sha256, media.derivatives)
    return cache.get(name) or cache.put(name, lambda path: storage().fetch(key, path))


def sweep_if_due() -> list[str]:
    """Run ``sweep`` when it is due and the change log has moved since the last one (one
    process of the node at a time); returns the names of the copies removed."""
    cache = _cache()
    if not cache.root.is_dir() or not cache.due(current_app.config["MEDIA_CACHE_SWEEP_SECONDS"]):
        return []  # no copies (media on a local storage, say), or swept a short while ago
    with cache.exclusive() as held:
        if not held or not cache.due(current_app.config["MEDIA_CACHE_SWEEP_SECONDS"]):
            return []
        # Read before the media, so a change committed in between is seen next time.
        head = str(db.session.execute(sa.select(sa.func.max(ChangeLogEntry.seq))).scalar())
        removed = sweep(cache) if head != cache.note() else []
        cache.set_note(head)
        return removed


def _media_id(name: str) -> uuid.UUID | None:
    try:
        return uuid.UUID(name.split(".", 1)[0])
    except ValueError:
        return None  # not a copy this module made


def sweep(cache: FileCache | None = None) -> list[str]:
    """Remove the copies of media that no longer exist or whose pyramid changed."""
    cache = cache or _cache()
    entries = cache.entries()
    listed = sorted({media_id for entry in entries if (media_id := _media_id(entry.name))})
    current: set[str] = set()
    for start in range(0, len(listed), CHUNK):
        rows = db.session.execute(
            sa.select(Media.id, Media.sha256, Media.derivatives).where(
                Media.id.in_(listed[start : start + CHUNK])
            )
        )
        current.update(entry_name(*row) for row in rows if row.derivatives)
    stale = [entry.name for entry in entries if entry.name not in current]
    cache.remove(stale)
    return stale
