"""The file of an import sent through the API, kept where every node can read it.

A curator may check an import on one node and commit it on another, or after a restart; so
between the two the file lives in the media storage (a folder, or S3 in production) under
``imports/<job id>/upload<suffix>``, a key the service makes: nothing the client sends
becomes part of it. Each check or commit works on a local copy in a folder of its own under
``IMPORTS_DIR`` (removed when the work ends), where a .zip is unpacked. The mapping and the
report, errors included, are kept on the job's row in the database.
"""

from __future__ import annotations

import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from flask import current_app

from catalogue.models import ImportJob
from catalogue.services.errors import Unavailable
from catalogue.services.exchange import archives
from catalogue.services.media.files import IMPORTS_PREFIX, remove_files, storage
from media.storage import MissingFile, StorageUnavailable

PREFIX = IMPORTS_PREFIX
ARCHIVE = ".zip"
CONTENT_TYPES = {
    ".csv": "text/csv",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ARCHIVE: "application/zip",
}
# A working folder this old was left by a process that was killed: no check or commit of a
# request runs for a day.
ABANDONED_SECONDS = 24 * 3600


class FileGone(Exception):
    """The storage no longer holds the import's file (removed, expired, never stored)."""


def key(job: ImportJob) -> str:
    return f"{PREFIX}{job.id}/upload{job.suffix}"


def job_id_of(stored_key: str) -> uuid.UUID | None:
    """The id of the job a key under ``imports/`` belongs to (None for any other key)."""
    try:
        return uuid.UUID(stored_key.removeprefix(PREFIX).split("/", 1)[0])
    except ValueError:
        return None


def _local_root() -> Path:
    root = Path(current_app.config["IMPORTS_DIR"])
    root.mkdir(parents=True, exist_ok=True)
    return root


@contextmanager
def workspace() -> Iterator[Path]:
    """A local folder of this check or commit only, removed when it ends."""
    root = _local_root()
    _remove_abandoned(root)
    folder = Path(tempfile.mkdtemp(dir=root, prefix="work-"))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _remove_abandoned(root: Path) -> None:
    old = time.time() - ABANDONED_SECONDS
    for folder in root.glob("work-*"):
        try:
            if folder.stat().st_mtime < old:
                shutil.rmtree(folder, ignore_errors=True)
        except FileNotFoundError:
            pass  # another process removed it first


def receive(upload: IO[bytes], folder: Path, suffix: str) -> Path:
    """Write the uploaded file into ``folder``."""
    path = folder / f"upload{suffix}"
    with path.open("wb") as stream:
        shutil.copyfileobj(upload, stream, 1024 * 1024)
    return path


def _unavailable(error: Exception) -> Unavailable:
    current_app.logger.error("media storage (imports): %s", error)
    return Unavailable("The file storage is unavailable; nothing was saved. Try again later.")


def store(job: ImportJob, path: Path) -> None:
    """Keep the checked file for the commit; ``Unavailable`` when the storage fails."""
    try:
        storage().put_file(key(job), path, CONTENT_TYPES[job.suffix])
    except StorageUnavailable as error:
        raise _unavailable(error) from error


def fetch(job: ImportJob, folder: Path) -> Path:
    """A local copy of the stored file in ``folder``; ``FileGone`` when it is not kept."""
    path = folder / f"upload{job.suffix}"
    try:
        storage().fetch(key(job), path)
    except MissingFile as error:
        # Checked before files were kept in the storage: the node's own folder held it.
        legacy = _local_root() / f"{job.id}{job.suffix}"
        if not legacy.is_file():
            raise FileGone(str(error)) from error
        shutil.copyfile(legacy, path)
    except StorageUnavailable as error:
        raise _unavailable(error) from error
    return path


def remove(job_id: uuid.UUID, suffix: str) -> None:
    """Remove the stored file (failures are logged; the expiry sweep tries again)."""
    remove_files([f"{PREFIX}{job_id}/upload{suffix}"])
    remove_local(legacy_files(job_id).get(job_id, []))


def legacy_files(job_id: uuid.UUID | None = None) -> dict[uuid.UUID, list[Path]]:
    """Files that checks made before files were kept in the storage (``<id><suffix>`` and a
    .zip's ``<id>/`` in ``IMPORTS_DIR``), by job id; of one job only when ``job_id`` is given."""
    found: dict[uuid.UUID, list[Path]] = {}
    for path in _local_root().glob(f"{job_id}*" if job_id else "*"):
        try:
            owner = uuid.UUID(path.name.split(".", 1)[0])
        except ValueError:
            continue  # working folders and anything else
        found.setdefault(owner, []).append(path)
    return found


def remove_local(paths: list[Path]) -> None:
    for path in paths:
        if path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink(missing_ok=True)


def stored_keys() -> list[str]:
    """Every key under ``imports/``."""
    return list(storage().list_keys(PREFIX))


def sources(job: ImportJob, path: Path, folder: Path) -> tuple[Path, Path | None]:
    """The spreadsheet to read, and the folder of the files it attaches: a .zip is unpacked
    into ``folder`` once (``archives.BadArchive`` says what is wrong with it)."""
    if job.suffix != ARCHIVE:
        return path, None
    target = folder / "unpacked"
    if not target.is_dir():
        limit = current_app.config["MAX_IMPORT_UNPACKED_BYTES"]
        unpacked = archives.unpack(path, target, limit)
        return unpacked.sheet, unpacked.media_dir
    media_dir = target / "media"
    return next(target.glob("sheet.*")), media_dir if media_dir.is_dir() else None
