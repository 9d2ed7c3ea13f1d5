"""The media part of a backup: originals by checksum, re-stored and re-processed on restore.

A backup holds each distinct original once, at ``media/<sha256[:2]>/<sha256>``; the media
rows themselves are in ``tables/media.jsonl``. Derivatives (pyramid, preview, thumbnail) are
not copied: a restore stores each original through this installation's storage backend, under
the key of its media id, and makes the derivatives again.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path, PurePosixPath

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import Media
from catalogue.services.errors import Conflict, Unavailable, ValidationFailed
from catalogue.services.media import files as media_files
from media import images
from media.checksums import sha256_of_file
from media.storage import MissingFile, StorageUnavailable

DIRECTORY = "media"


def relative_path(sha256: str) -> str:
    return f"{DIRECTORY}/{sha256[:2]}/{sha256}"


def copy_originals(directory: Path) -> list[dict]:
    """Copy every original out of storage, checking it against its recorded checksum."""
    files: dict[str, dict] = {}
    query = sa.select(Media.id, Media.storage_key, Media.sha256, Media.size, Media.content_type)
    for media_id, key, sha256, size, content_type in db.session.execute(query.order_by(Media.id)):
        if sha256 in files:
            files[sha256]["media"].append(str(media_id))
            continue
        target = directory / relative_path(sha256)
        target.parent.mkdir(parents=True, exist_ok=True)
        part = target.with_name(f".part-{sha256}")
        try:
            media_files.storage().fetch(key, part)
        except MissingFile as error:
            raise Conflict(
                f"The original of media {media_id} is missing from storage; "
                "run `catalogue media verify`."
            ) from error
        except StorageUnavailable as error:
            raise Unavailable(f"Media storage is unavailable: {error}") from error
        if sha256_of_file(part) != (sha256, size):
            part.unlink()
            raise Conflict(
                f"The original of media {media_id} does not match its checksum; "
                "run `catalogue media verify`."
            )
        os.replace(part, target)
        files[sha256] = {
            "sha256": sha256,
            "size": size,
            "content_type": content_type,
            "path": relative_path(sha256),
            "media": [str(media_id)],
        }
    return sorted(files.values(), key=lambda f: f["sha256"])


def check_files(directory: Path, manifest: dict) -> dict[str, list[str]]:
    """Problems with the media files a manifest lists (missing, wrong size or checksum)."""
    errors: dict[str, list[str]] = {}
    for entry in manifest.get("media", {}).get("files", []):
        name = str(entry.get("path", ""))
        if name != relative_path(str(entry.get("sha256", ""))) or ".." in PurePosixPath(name).parts:
            errors.setdefault(name, []).append("Not a media path of this format.")
            continue
        path = Path(directory) / name
        if not path.is_file():
            errors.setdefault(name, []).append("Missing file.")
        elif sha256_of_file(path) != (entry["sha256"], entry["size"]):
            errors.setdefault(name, []).append("Checksum or size does not match.")
    return errors


def restore_originals(directory: Path, manifest: dict, stored: list[str]) -> None:
    """Store each restored media row's original and new derivatives; ``stored`` collects the
    keys written, so the caller can remove them if the restore fails."""
    by_sha = {f["sha256"]: f for f in manifest.get("media", {}).get("files", [])}
    for media in db.session.execute(sa.select(Media).order_by(Media.id)).scalars():
        entry = by_sha.get(media.sha256)
        if entry is None:
            raise ValidationFailed(
                {"tables/media.jsonl": [f"No file in the backup for media {media.id}."]}
            )
        path = Path(directory) / entry["path"]
        with open(path, "rb") as handle:
            sniffed = images.sniff(handle.read(16))
        if sniffed != media.content_type:
            raise ValidationFailed({entry["path"]: [f"Not a {media.content_type} file."]})
        key = media_files.original_key(media.id)
        with tempfile.TemporaryDirectory(prefix="restore-") as workdir:
            files = {key: (path, media.content_type)}
            derivatives = processed = None
            if media.width is not None:  # it had derivatives: an image, or a rendered document
                try:
                    processed = media_files.make_derivatives(
                        media.content_type, path, Path(workdir)
                    )
                except images.BadImage as error:
                    raise ValidationFailed({entry["path"]: [str(error)]}) from error
            if processed is not None:
                if (processed.width, processed.height) != (media.width, media.height):
                    raise ValidationFailed(
                        {entry["path"]: [f"Media {media.id} decodes to another size."]}
                    )
                names = {n: media_files.derivative_key(media.id, n) for n in processed.files}
                files.update({names[n]: processed.files[n] for n in names})
                derivatives = {"files": names, "levels": processed.levels}
            for file_key, (file_path, content_type) in files.items():
                try:
                    media_files.storage().put_file(file_key, file_path, content_type)
                except StorageUnavailable as error:
                    raise Unavailable(f"Media storage is unavailable: {error}") from error
                stored.append(file_key)
        # updated_at given, so no on-update default replaces the restored value.
        db.session.execute(
            sa.update(Media)
            .where(Media.id == media.id)
            .values(storage_key=key, derivatives=derivatives, updated_at=media.updated_at)
            .execution_options(synchronize_session=False)
        )
