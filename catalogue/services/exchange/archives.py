"""A .zip sent as an import: one spreadsheet, and the photographs and scans it attaches.

The archive is unpacked into a folder the service names; of each member only its file name
is kept (folders inside the archive are ignored), checked, and written under that folder, so
no name in an archive can lead anywhere else. The spreadsheet becomes ``sheet.csv`` or
``sheet.xlsx``; the other files go to ``media/`` and are matched as ``--media-dir`` matches
them: named in the ``media`` column, or named after an accession number.
"""

from __future__ import annotations

import shutil
import zipfile
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from catalogue.schemas.media import filename_problem
from catalogue.services.exchange.attached_media import EXTENSIONS
from catalogue.services.exchange.spreadsheets import SUFFIXES

# Left by the systems that make archives, not by the museum.
IGNORED_NAMES = {"thumbs.db", "desktop.ini"}
MAX_MEMBERS = 50_000


class BadArchive(ValueError):
    """The archive cannot be imported; the message says why."""


@dataclass
class Unpacked:
    sheet: Path
    media_dir: Path | None  # None when the archive holds no media files


def _name(member: zipfile.ZipInfo) -> str | None:
    """The member's file name, or None for what an import skips (folders, system files)."""
    if member.is_dir():
        return None
    parts = PurePosixPath(member.filename.replace("\\", "/")).parts
    if not parts or parts[0] == "__MACOSX":
        return None
    name = parts[-1]
    if name in ("", ".", "..") or name.startswith(".") or name.lower() in IGNORED_NAMES:
        return None
    if filename_problem(name) or len(name.encode()) > 255:
        raise BadArchive(f"{member.filename!r}: not a usable file name.")
    return name


def unpack(archive: Path, folder: Path, max_bytes: int) -> Unpacked:
    """Unpack ``archive`` into ``folder`` (made here); BadArchive says what is wrong."""
    try:
        zipped = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as error:
        raise BadArchive("The file is not a readable .zip archive.") from error
    with zipped:
        members = zipped.infolist()
        if len(members) > MAX_MEMBERS:
            raise BadArchive(f"The archive holds more than {MAX_MEMBERS} files.")
        if sum(m.file_size for m in members) > max_bytes:
            raise BadArchive(f"The archive unpacks to more than {max_bytes} bytes.")
        sheets, media = [], {}
        for member in members:
            name = _name(member)
            if name is None:
                continue
            suffix = PurePosixPath(name).suffix.lower()
            if suffix in SUFFIXES:
                sheets.append((member, suffix))
            elif suffix in EXTENSIONS:
                if name in media:
                    raise BadArchive(
                        f"Two files are named {name} ({media[name].filename} and "
                        f"{member.filename}); file names must be unique in the archive."
                    )
                media[name] = member
        if len(sheets) != 1:
            found = ", ".join(m.filename for m, _ in sheets) or "none"
            raise BadArchive(
                f"The archive must hold exactly one .csv or .xlsx file (found: {found})."
            )
        if any(m.flag_bits & 0x1 for m, _ in sheets) or any(
            m.flag_bits & 0x1 for m in media.values()
        ):
            raise BadArchive("Encrypted archives are not accepted.")
        folder.mkdir(parents=True)
        member, suffix = sheets[0]
        sheet = folder / f"sheet{suffix}"
        media_dir = folder / "media" if media else None
        try:
            _extract(zipped, member, sheet)
            if media_dir is not None:
                media_dir.mkdir()
                for name, member in media.items():
                    _extract(zipped, member, media_dir / name)
        except (zipfile.BadZipFile, OSError, EOFError) as error:
            shutil.rmtree(folder, ignore_errors=True)
            raise BadArchive(f"The archive is damaged: {error}") from error
    return Unpacked(sheet, media_dir)


def _extract(zipped: zipfile.ZipFile, member: zipfile.ZipInfo, target: Path) -> None:
    # Never more than the size the archive declared (checked against the limit above).
    with zipped.open(member) as source, open(target, "xb") as sink:
        shutil.copyfileobj(source, sink, 1024 * 1024)
