"""Media files in the storage that MEDIA_STORAGE names: keys, storing, sniffing, derivatives.

Keys are generated from the media id; nothing a client sends becomes part of a key.
"""

from __future__ import annotations

import uuid
from pathlib import Path

from flask import current_app, has_request_context

from catalogue.models import Media
from catalogue.services import readiness
from catalogue.services.errors import Unavailable, UnsupportedMediaType
from media import images
from media.storage import MissingFile, Storage, StorageUnavailable, open_storage


def init_app(app) -> None:
    """Open the configured storage and register its readiness check."""
    app.extensions["media_storage"] = open_storage(
        app.config["MEDIA_STORAGE"], app.config.get("S3_ENDPOINT_URL")
    )
    readiness.add_check(app, "media_storage", lambda: app.extensions["media_storage"].check())


def storage() -> Storage:
    return current_app.extensions["media_storage"]


# Files other services keep in the same storage (import files between check and commit):
# not media, so never orphans of media.
IMPORTS_PREFIX = "imports/"


def original_key(media_id: uuid.UUID) -> str:
    return f"originals/{media_id.hex[:2]}/{media_id}"


def derivative_key(media_id: uuid.UUID, name: str) -> str:
    return f"derivatives/{media_id}/{name}"


def stored_keys(media: Media) -> list[str]:
    files = (media.derivatives or {}).get("files", {})
    return [media.storage_key, *files.values()]


# The settings behind each decoding limit, named in the messages of refusals.
LIMIT_SETTINGS = {
    "max_pixels": "MEDIA_MAX_PIXELS",
    "decode_pixels": "MEDIA_MAX_DECODE_PIXELS",
    "decode_memory": "MEDIA_MAX_DECODE_MEMORY",
}


def decode_limits() -> images.Limits:
    """What decoding one file may cost here. In a request a worker waits (and is killed after
    its timeout), so MEDIA_MAX_DECODE_PIXELS and MEDIA_MAX_DECODE_MEMORY hold as well as
    MEDIA_MAX_PIXELS; on the command line (imports, restores) only MEDIA_MAX_PIXELS does."""
    config = current_app.config
    limits = images.Limits(max_pixels=config["MEDIA_MAX_PIXELS"], names=LIMIT_SETTINGS)
    if has_request_context():
        limits.decode_pixels = config["MEDIA_MAX_DECODE_PIXELS"]
        limits.decode_memory = config["MEDIA_MAX_DECODE_MEMORY"]
    return limits


def make_derivatives(content_type: str, path: Path, workdir: Path) -> images.Processed | None:
    """Derivatives of an image (BadImage if it cannot be decoded within ``decode_limits``),
    or of a document's first page (None if it cannot be rendered); None for other files."""
    if content_type in images.IMAGE_TYPES:
        return images.process(path, workdir, decode_limits())
    if content_type in images.DOCUMENT_TYPES:
        return images.process_document(path, workdir)
    return None


def sniff(path: Path) -> str:
    with open(path, "rb") as handle:
        content_type = images.sniff(handle.read(16))
    if content_type is None:
        raise UnsupportedMediaType(
            "The file is not a JPEG, PNG, TIFF, WebP or PDF (judged by its content, not its name)."
        )
    return content_type


def store_files(files: dict[str, tuple[Path, str]]) -> None:
    """Store each file; on failure remove those already stored and answer 503."""
    done: list[str] = []
    try:
        for key, (path, content_type) in files.items():
            storage().put_file(key, path, content_type)
            done.append(key)
    except StorageUnavailable as error:
        current_app.logger.error("media storage unavailable: %s", error)
        remove_files(done)
        raise Unavailable(
            "Media storage is unavailable; nothing was saved. Try again later."
        ) from error


def remove_files(keys: list[str]) -> list[str]:
    """Remove stored files, logging (not raising) failures: ``media verify`` sweeps leftovers.

    Returns the keys removed. A file whose name is not one the catalogue makes (put in the
    store by hand) is never deleted by name: it is logged and left for an operator.
    """
    removed = []
    for key in keys:
        try:
            storage().delete(key)
            removed.append(key)
        except (StorageUnavailable, MissingFile, ValueError) as error:
            current_app.logger.warning("could not remove stored file %s: %s", key, error)
    return removed
