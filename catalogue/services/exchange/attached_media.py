"""Files attached by an import (``--media-dir``): found, checked, then uploaded.

A row's files are the names in its ``media`` cell (separated by ``|``) and the files of the
folder named after its accession number (``1997.0001.001.jpg``, ``1997.0001.001_2.tif``).
The check pass reads every file (type by content, a full decode of images, SHA-256) so a
missing or broken file is a row error before anything is written; a file whose checksum the
object already has is skipped, so re-running an import attaches nothing twice. The apply pass
hands each file to the upload service, the path the API's upload takes.
"""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath

import sqlalchemy as sa

from catalogue.extensions import db
from catalogue.models import Media
from catalogue.services.errors import Conflict
from catalogue.services.identity import Identity
from catalogue.services.media import files as media_files
from catalogue.services.media import uploads
from media import images
from media.checksums import sha256_of_file

EXTENSIONS = {".jpg", ".jpeg", ".png", ".tif", ".tiff", ".webp", ".pdf"}
NUMBERED = re.compile(r"^(?P<number>.+)_\d+$")


@dataclass(frozen=True)
class MediaFile:
    """A checked file of the media folder, ready to upload."""

    path: Path
    sha256: str
    size: int
    name: str


class MediaFolder:
    """The folder given with ``--media-dir``; no name read from a file may lead outside it."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root).resolve()
        self.by_number: dict[str, list[str]] = {}
        for path in sorted(self.root.iterdir()):
            if path.suffix.lower() not in EXTENSIONS or path.name.startswith("."):
                continue
            stem = path.name[: -len(path.suffix)]
            numbered = NUMBERED.match(stem)
            for number in {stem, numbered["number"] if numbered else stem}:
                self.by_number.setdefault(number, []).append(path.name)

    def resolve(self, name: str) -> Path:
        """The file ``name`` inside the folder; ValueError says why it cannot be used."""
        pure = PurePosixPath(name)
        if (
            pure.is_absolute()
            or PureWindowsPath(name).drive
            or "\\" in name
            or any(part == ".." for part in pure.parts)
        ):
            raise ValueError(f"{name}: only names inside the media folder are accepted.")
        real = (self.root / pure).resolve()
        if not real.is_relative_to(self.root):
            raise ValueError(f"{name}: leads outside the media folder.")
        if not real.is_file():
            raise ValueError(f"{name}: no such file in the media folder.")
        return real

    def names_for(self, number: str, cell: str | None, separator: str) -> list[str]:
        named = [n.strip() for n in (cell or "").split(separator) if n.strip()]
        return list(dict.fromkeys([*named, *self.by_number.get(number, [])]))

    def check_row(
        self, number: str, cell: str | None, separator: str, object_id: str | None
    ) -> tuple[list[MediaFile], list[str]]:
        """The row's files not yet attached to its object, and the problems found."""
        known = _attached(object_id)
        files: list[MediaFile] = []
        problems: list[str] = []
        for name in self.names_for(number, cell, separator):
            try:
                file = _checked(self.resolve(name), name)
            except ValueError as error:
                problems.append(str(error))
                continue
            if file.sha256 not in known:
                known.add(file.sha256)
                files.append(file)
        return files, problems


def _attached(object_id: str | None) -> set[str]:
    if object_id is None:
        return set()
    query = sa.select(Media.sha256).where(Media.object_id == uuid.UUID(str(object_id)))
    return set(db.session.execute(query).scalars())


def _checked(path: Path, name: str) -> MediaFile:
    with open(path, "rb") as handle:
        content_type = images.sniff(handle.read(16))
    if content_type is None:
        raise ValueError(f"{name}: not a JPEG, PNG, TIFF, WebP or PDF (judged by its content).")
    if content_type in images.IMAGE_TYPES:
        try:
            images.check(path, media_files.decode_limits())
        except images.BadImage as error:
            raise ValueError(f"{name}: {error}") from error
    sha256, size = sha256_of_file(path)
    return MediaFile(path, sha256, size, PurePosixPath(name).name)


def attach(identity: Identity, object_id: uuid.UUID, files: list[MediaFile]) -> int:
    """Upload each file to the object (one commit per file, as the API does)."""
    for file in files:
        if sha256_of_file(file.path) != (file.sha256, file.size):
            # The checksum recorded must be that of the bytes stored.
            raise Conflict(f"{file.name} changed while the file was imported; import it again.")
        received = uploads.Upload(file.path, file.sha256, file.size, file.name)
        uploads.upload(identity, object_id, received, {})
    return len(files)
