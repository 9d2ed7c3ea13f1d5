"""Imports sent through the API: upload and check first (a dry run), then commit.

Any node may check an import and any other commit it: the file is kept in the media storage
between the two (``job_files``), the options, mapping and report on the job's row. A job goes
``validated`` (checked, ready) -> ``committing`` (claimed by one commit) -> ``committed``,
``failed`` (stopped part-way) or ``invalid`` (the second check found errors); a checked job
not committed within ``IMPORT_KEEP_SECONDS`` becomes ``expired``. The stored file is removed
as soon as the job cannot be committed any more, and when the job is deleted.

A commit through the API is background work: ``commit`` claims the import and defers the
task ``imports.commit`` in the same transaction, and a worker applies it (``run_commit``);
the import's ``commit_job`` shows the job's state and progress. A worker killed half-way
leaves the job to another, which applies what is missing (an import run twice changes
nothing more); after the job's last failed attempt the import is ``failed``.
"""

from __future__ import annotations

import io
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import IO

import sqlalchemy as sa
import yaml
from flask import current_app

from catalogue.extensions import db
from catalogue.models import BackgroundJob, ImportJob, ImportStatus, JobStatus, Role
from catalogue.models.base import utcnow
from catalogue.schemas.media import filename_problem
from catalogue.schemas.text import text_errors
from catalogue.services import uow
from catalogue.services.background import jobs as background
from catalogue.services.errors import (
    Conflict,
    NotFound,
    ServiceError,
    Unavailable,
    ValidationFailed,
)
from catalogue.services.etag import check_precondition
from catalogue.services.exchange import archives, imports, job_files
from catalogue.services.exchange.columns import Mapping, mapping_from_dict
from catalogue.services.exchange.spreadsheets import SUFFIXES, FileUnreadable
from catalogue.services.identity import Identity
from catalogue.services.media.files import remove_files
from catalogue.services.objects.documents import iso
from catalogue.services.objects.views import dumps, etag_of_text
from media.storage import StorageUnavailable

# The jobs whose file is still needed: every other job's stored file is removed.
PENDING = (ImportStatus.validated, ImportStatus.committing)
# The background task that commits an import.
COMMIT_TASK = "imports.commit"
# A commit claimed this long ago by a request of an earlier release (no background job),
# or whose job is over, was cut off before it could give its import back.
INTERRUPTED_SECONDS = 3600


@dataclass
class ImportRecord:
    data: dict
    etag: str


def _options(job: ImportJob, path: Path, folder: Path, dry_run: bool):
    mapping = job.options.get("mapping")
    sheet, media_dir = job_files.sources(job, path, folder)
    return sheet, imports.Options(
        dry_run=dry_run,
        create_authorities=job.options.get("create_authorities", False),
        skip_invalid=job.options.get("skip_invalid", False),
        mapping=mapping_from_dict(mapping) if mapping else Mapping(),
        media_dir=media_dir,
    )


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
    commit_job = background.read(job.commit_job) if job.commit_job else None
    links = {"self": base, "commit": f"{base}/commit", "errors": f"{base}/errors.csv"}
    if commit_job:
        links["job"] = commit_job["links"]["self"]
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
        "commit_job": commit_job
        and {
            key: commit_job[key]
            for key in ("id", "status", "attempts", "max_attempts", "progress", "error")
        },
        "links": links,
    }


def _record_of(job_id: uuid.UUID) -> ImportRecord:
    data = to_dict(db.session.get(ImportJob, job_id))
    return ImportRecord(data, etag_of_text(dumps(data)))


def _load(identity: Identity, job_id: uuid.UUID, lock: bool = False) -> ImportJob:
    identity.require_staff()
    job = db.session.get(ImportJob, job_id, with_for_update=lock or None)
    if job is None:
        raise NotFound(f"No import with id {job_id}.")
    return job


def create(
    identity: Identity,
    upload: IO[bytes],
    filename: str | None,
    options: dict,
    mapping_file: bytes | None = None,
) -> ImportRecord:
    """Check the file and keep it for the commit; with ``dry_run`` false, apply it at once
    if it may be."""
    identity.require_staff()
    mapping = _mapping(mapping_file) if mapping_file is not None else None
    problem = filename_problem(filename)
    if problem:
        raise ValidationFailed({"file": [problem]})
    suffix = Path(filename or "").suffix.lower()
    if suffix not in (*SUFFIXES, job_files.ARCHIVE):
        raise ValidationFailed(
            {"file": ["Send a .csv or .xlsx file, or a .zip of one with its media files."]}
        )
    expire()
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
    job_id = job.id
    with job_files.workspace() as folder:
        path = job_files.receive(upload, folder, suffix)
        try:
            sheet, run_options = _options(job, path, folder, dry_run=True)
            report = imports.import_objects(identity, sheet, run_options).as_dict()
        except (FileUnreadable, archives.BadArchive) as error:
            raise ValidationFailed({"file": [str(error)]}, detail=str(error)) from error
        db.session.add(job)
        _record(identity, job, report, dry_run=True)
        if db.session.get(ImportJob, job_id).status != ImportStatus.validated:
            return _record_of(job_id)  # nothing to commit: the file is not kept
        _keep(job_id, path)
    if not options.get("dry_run", True):
        _claim(identity, job_id)  # a worker applies it
    return _record_of(job_id)


def _keep(job_id: uuid.UUID, path: Path) -> None:
    """Store the checked file; if the storage fails, the job is dropped (503)."""
    job = db.session.get(ImportJob, job_id)
    try:
        job_files.store(job, path)
    except ServiceError:
        db.session.delete(job)
        uow.commit()
        raise


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


def _claim(identity: Identity, job_id: uuid.UUID) -> bool:
    """Make this commit the only one of the job (the job was checked and not yet claimed)
    and defer it to a worker, in one transaction."""
    claimed = db.session.execute(
        sa.update(ImportJob)
        .where(ImportJob.id == job_id, ImportJob.status == ImportStatus.validated)
        .values(status=ImportStatus.committing, committed_at=utcnow(), committed_by=identity.email)
        .execution_options(synchronize_session=False)
    ).rowcount
    if not claimed:
        db.session.rollback()
        return False
    deferred = background.defer(
        COMMIT_TASK, created_by=identity.email, import_id=str(job_id), role=str(identity.role)
    )
    db.session.execute(
        sa.update(ImportJob)
        .where(ImportJob.id == job_id)
        .values(commit_job=deferred)
        .execution_options(synchronize_session=False)
    )
    uow.commit()
    return True


def commit(identity: Identity, job_id: uuid.UUID) -> ImportRecord:
    """Claim a checked import and defer its commit to a worker (``run_commit``)."""
    _load(identity, job_id)
    if not _claim(identity, job_id):
        job = _load(identity, job_id)
        raise Conflict(f"This import is {job.status}; only a checked import can be committed.")
    return _record_of(job_id)


def run_commit(context, import_id: str, role: str) -> dict:
    """The task ``imports.commit``: check the file again against the catalogue as it is now,
    and apply it. A storage that fails raises (the job is tried again later)."""
    job_id = uuid.UUID(import_id)
    job = db.session.get(ImportJob, job_id, populate_existing=True)
    if job is None or job.status != ImportStatus.committing or job.commit_job != context.job_id:
        return {"import_status": str(job.status) if job else None}
    identity = Identity(email=job.committed_by, role=Role(role))
    with job_files.workspace() as folder:
        try:
            path = job_files.fetch(job, folder)
        except job_files.FileGone:
            stopped = "The file of this import is no longer kept; upload it again."
            _finish(job_id, ImportStatus.expired, {**(job.report or {}), "stopped": stopped})
            return {"import_status": str(ImportStatus.expired)}

        def progress(phase: str, rows: int) -> None:
            counts[phase] = counts.get(phase, 0) + rows
            context.progress({"rows_checked": counts["checking"], **_applied(counts)})

        counts = {"checking": 0}
        _commit_claimed(identity, job_id, path, folder, progress)
    return {"import_status": str(db.session.get(ImportJob, job_id).status)}


def _applied(counts: dict) -> dict:
    return {"rows_applied": counts["importing"]} if "importing" in counts else {}


def commit_failed(error: str, import_id: str, role: str) -> None:
    """After the commit's last failed attempt: the import is ``failed``, saying why."""
    job_id = uuid.UUID(import_id)
    db.session.rollback()
    job = db.session.get(ImportJob, job_id, populate_existing=True)
    if job is not None and job.status == ImportStatus.committing:
        _finish(job_id, ImportStatus.failed, {**(job.report or {}), "stopped": error})


def _commit_claimed(
    identity: Identity, job_id: uuid.UUID, path: Path, folder: Path, progress=None
) -> None:
    job = db.session.get(ImportJob, job_id)
    suffix = job.suffix
    try:
        sheet, run_options = _options(job, path, folder, dry_run=False)
        report = imports.import_objects(identity, sheet, run_options, progress).as_dict()
    except (FileUnreadable, archives.BadArchive, ServiceError) as error:
        if isinstance(error, Unavailable):
            raise  # the database or the storage is away: tried again later
        # The batches before the failure are committed; the report says what stopped it.
        done = getattr(error, "import_report", None)
        report = done.as_dict() if done else {}
        report["stopped"] = getattr(error, "detail", None) or str(error)
        _finish(job_id, ImportStatus.failed, report)
        return
    # Anything else raised: whatever was applied is committed, and the next attempt changes
    # nothing more.
    uow.after_commit(lambda: job_files.remove(job_id, suffix))
    _record(identity, db.session.get(ImportJob, job_id), report, dry_run=False)


def _finish(job_id: uuid.UUID, status: ImportStatus, report: dict | None = None) -> None:
    """End a claimed job that cannot go on, and remove its stored file."""
    db.session.rollback()
    job = db.session.get(ImportJob, job_id)
    job.status = status
    if report is not None:
        job.report = report
    if status == ImportStatus.expired:
        job.committed_at = job.committed_by = None
    suffix = job.suffix
    uow.after_commit(lambda: job_files.remove(job_id, suffix))
    uow.commit()


def get(identity: Identity, job_id: uuid.UUID) -> ImportRecord:
    _load(identity, job_id)
    return _record_of(job_id)


def delete(identity: Identity, job_id: uuid.UUID, if_match) -> None:
    """Forget an import and remove its file (not while it is being committed)."""
    job = _load(identity, job_id, lock=True)
    check_precondition(_record_of(job_id).etag, if_match)
    if job.status == ImportStatus.committing:
        raise Conflict("This import is being committed; delete it once it is done.")
    suffix = job.suffix
    db.session.delete(job)
    uow.after_commit(lambda: job_files.remove(job_id, suffix))
    uow.commit()


def errors_csv(identity: Identity, job_id: uuid.UUID) -> str:
    """The errors of the last check, as CSV (row, object_number, column, message)."""
    job = _load(identity, job_id)
    report = imports.Report(errors=list((job.report or {}).get("errors") or []))
    buffer = io.StringIO()
    report.write_errors_csv(buffer)
    return buffer.getvalue()


def expire() -> int:
    """Give back imports whose commit was cut off (claimed over ``INTERRUPTED_SECONDS`` ago:
    ``validated`` again, and a second run changes nothing already applied), retire checked
    imports not committed within ``IMPORT_KEEP_SECONDS`` (``expired``), and remove the import
    files no import waits for. Returns how many expired; storage failures are logged."""
    now = utcnow()
    working = sa.select(BackgroundJob.id).where(
        BackgroundJob.status.in_((JobStatus.queued, JobStatus.running))
    )
    db.session.execute(
        sa.update(ImportJob)
        .where(
            ImportJob.status == ImportStatus.committing,
            ImportJob.committed_at < now - timedelta(seconds=INTERRUPTED_SECONDS),
            sa.or_(ImportJob.commit_job.is_(None), ImportJob.commit_job.not_in(working)),
        )
        .values(status=ImportStatus.validated, committed_at=None, committed_by=None)
        .execution_options(synchronize_session=False)
    )
    cutoff = now - timedelta(seconds=current_app.config["IMPORT_KEEP_SECONDS"])
    expired = db.session.execute(
        sa.update(ImportJob)
        .where(ImportJob.status == ImportStatus.validated, ImportJob.created_at < cutoff)
        .values(status=ImportStatus.expired)
        .execution_options(synchronize_session=False)
    ).rowcount
    uow.commit()
    try:
        _remove_unneeded_files()
    except (StorageUnavailable, OSError) as error:
        current_app.logger.warning("import files not swept: %s", error)
    return expired


def _remove_unneeded_files() -> None:
    # A job's row is committed before its file is stored, so a file whose job is not pending
    # is never one a check is about to need.
    keys = job_files.stored_keys()
    legacy = job_files.legacy_files()
    ids = {job_files.job_id_of(key) for key in keys} - {None} | set(legacy)
    pending: set[uuid.UUID] = set()
    if ids:
        query = sa.select(ImportJob.id).where(ImportJob.status.in_(PENDING))
        pending.update(db.session.execute(query.where(ImportJob.id.in_(ids))).scalars())
    db.session.rollback()
    unneeded = [key for key in keys if job_files.job_id_of(key) not in pending]
    if unneeded:
        remove_files(unneeded)
    for job_id, paths in legacy.items():
        if job_id not in pending:
            job_files.remove_local(paths)
