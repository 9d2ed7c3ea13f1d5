"""Imports sent through the API: upload and check first (a dry run), then commit.

The uploaded file is stored under ``IMPORTS_DIR`` with a name made of the job's id and
``.csv``, ``.xlsx`` or ``.zip``; nothing the client sends becomes part of a path. A .zip holds
the spreadsheet and the files it attaches, unpacked next to it into ``<id>/`` (see
``import_archive``).
"""

from __future__ import annotations

import io
import shutil
import uuid
from pathlib import Path
from typing import IO

import yaml
from flask import current_app

from catalogue.extensions import db
from catalogue.models import ImportJob, ImportStatus
from catalogue.models.base import utcnow
from catalogue.schemas.media import filename_problem
from catalogue.schemas.text import text_errors
from catalogue.services import uow
from catalogue.services.errors import Conflict, NotFound, ServiceError, ValidationFailed
from catalogue.services.exchange import archives as import_archive
from catalogue.services.exchange import imports
from catalogue.services.exchange.columns import Mapping, mapping_from_dict
from catalogue.services.exchange.spreadsheets import SUFFIXES, FileUnreadable
from catalogue.services.identity import Identity
from catalogue.services.objects.documents import iso

ARCHIVE = ".zip"


def _folder() -> Path:
    folder = Path(current_app.config["IMPORTS_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _path(job: ImportJob) -> Path:
    return _folder() / f"{job.id}{job.suffix}"


def _unpacked(job: ImportJob) -> Path:
    return _folder() / str(job.id)


def _sources(job: ImportJob) -> tuple[Path, Path | None]:
    """The spreadsheet to read, and the folder of the files it attaches (if any)."""
    if job.suffix != ARCHIVE:
        return _path(job), None
    folder = _unpacked(job)
    sheet = next(folder.glob("sheet.*"))
    media = folder / "media"
    return sheet, media if media.is_dir() else None


def _options(job: ImportJob, dry_run: bool) -> tuple[Path, imports.Options]:
    mapping = job.options.get("mapping")
    sheet, media_dir = _sources(job)
    return sheet, imports.Options(
        dry_run=dry_run,
        create_authorities=job.options.get("create_authorities", False),
        skip_invalid=job.options.get("skip_invalid", False),
        mapping=mapping_from_dict(mapping) if mapping else Mapping(),
        media_dir=media_dir,
    )


def _discard(job: ImportJob) -> None:
    _path(job).unlink(missing_ok=True)
    shutil.rmtree(_unpacked(job), ignore_errors=True)


def _mapping(raw: bytes) -> dict:
    try:
        data = yaml.safe_load(raw.decode("utf-8-sig"))
        mapping_from_dict(data)
    except (UnicodeDecodeError, yaml.YAMLError, ValueError) as error:
        raise ValidationFailed({"mapping": [f"Unreadable mapping: {error}"]}) from error
    errors = text_errors(data, "mapping")
    if errors:
        raise ValidationFailed(errors)
    return data


def to_dict(job: ImportJob) -> dict:
    base = f"/api/v1/imports/{job.id}"
    return {
        "id": str(job.id),
        "status": str(job.status),
        "original_filename": job.original_filename,
        "options": {k: v for k, v in job.options.items() if k != "mapping"},
        "report": job.report,
        "created_at": iso(job.created_at),
        "created_by": job.created_by,
        "committed_at": iso(job.committed_at),
        "committed_by": job.committed_by,
        "links": {"self": base, "commit": f"{base}/commit", "errors": f"{base}/errors.csv"},
    }


def _load(identity: Identity, job_id: uuid.UUID) -> ImportJob:
    identity.require_staff()
    job = db.session.get(ImportJob, job_id)
    if job is None:
        raise NotFound(f"No import with id {job_id}.")
    return job


def create(
    identity: Identity,
    upload: IO[bytes],
    filename: str | None,
    options: dict,
    mapping_file: bytes | None = None,
) -> dict:
    """Store the file and check it; with ``dry_run`` false, apply it at once if it may be."""
    identity.require_staff()
    mapping = _mapping(mapping_file) if mapping_file is not None else None
    problem = filename_problem(filename)
    if problem:
        raise ValidationFailed({"file": [problem]})
    suffix = Path(filename or "").suffix.lower()
    if suffix not in (*SUFFIXES, ARCHIVE):
        raise ValidationFailed(
            {"file": ["Send a .csv or .xlsx file, or a .zip of one with its media files."]}
        )
    job = ImportJob(
        id=uuid.uuid4(),
        status=ImportStatus.validated,
        original_filename=(filename or "")[:500] or None,
        suffix=suffix,
        options={
            "create_authorities": bool(options.get("create_authorities")),
            "skip_invalid": bool(options.get("skip_invalid")),
            **({"mapping": mapping} if mapping else {}),
        },
        report={},
        created_by=identity.email,
    )
    with _path(job).open("wb") as stream:
        shutil.copyfileobj(upload, stream)
    try:
        if suffix == ARCHIVE:
            limit = current_app.config["MAX_IMPORT_UNPACKED_BYTES"]
            import_archive.unpack(_path(job), _unpacked(job), limit)
        job_id = job.id
        path, run_options = _options(job, dry_run=True)
        report = imports.import_objects(identity, path, run_options).as_dict()
    except (FileUnreadable, import_archive.BadArchive) as error:
        _discard(job)
        raise ValidationFailed({"file": [str(error)]}, detail=str(error)) from error
    except BaseException:
        _discard(job)
        raise
    db.session.add(job)
    _record(identity, job, report, dry_run=True)
    if not options.get("dry_run", True) and job.status == ImportStatus.validated:
        return commit(identity, job_id)
    return to_dict(db.session.get(ImportJob, job_id))


def _record(identity: Identity, job: ImportJob, report: dict, dry_run: bool) -> None:
    job.report = report
    invalid = report["errors"] and (
        not job.options.get("skip_invalid") or any(e["row"] == 1 for e in report["errors"])
    )
    if invalid:
        job.status = ImportStatus.invalid
    elif not dry_run:
        job.status = ImportStatus.committed
        job.committed_at, job.committed_by = utcnow(), identity.email
    uow.commit()


def commit(identity: Identity, job_id: uuid.UUID) -> dict:
    """Check the file again against the catalogue as it is now, and apply it."""
    job = _load(identity, job_id)
    if job.status != ImportStatus.validated:
        raise Conflict(f"This import is {job.status}; only a checked import can be committed.")
    path, run_options = _options(job, dry_run=False)
    try:
        report = imports.import_objects(identity, path, run_options).as_dict()
    except ServiceError as error:
        # The batches before the failure are committed; the report says what stopped it.
        done = getattr(error, "import_report", None)
        job = db.session.get(ImportJob, job_id)
        job.status = ImportStatus.failed
        job.report = {**(done.as_dict() if done else {}), "stopped": error.detail}
        uow.commit()
        return to_dict(db.session.get(ImportJob, job_id))
    _record(identity, db.session.get(ImportJob, job_id), report, dry_run=False)
    return to_dict(db.session.get(ImportJob, job_id))


def get(identity: Identity, job_id: uuid.UUID) -> dict:
    return to_dict(_load(identity, job_id))


def errors_csv(identity: Identity, job_id: uuid.UUID) -> str:
    """The errors of the last check, as CSV (row, object_number, column, message)."""
    job = _load(identity, job_id)
    report = imports.Report(errors=list((job.report or {}).get("errors") or []))
    buffer = io.StringIO()
    report.write_errors_csv(buffer)
    return buffer.getvalue()
