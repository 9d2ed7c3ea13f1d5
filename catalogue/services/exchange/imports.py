"""Importing objects from a spreadsheet (CSV or XLSX).

Two passes over the file. The first checks every row (columns, authorities, the object rules)
and collects every error with its row and column; it writes nothing. Unless it is a dry run,
or errors were found and invalid rows are not to be skipped, the second pass applies the rows
through the object service in batches: each batch is one commit, so an interruption keeps the
earlier batches whole and loses the current one entirely (the search index follows the change
log and so stays in step). Rows are matched by accession number: a new number creates, an
existing one updates (a new version only if something changed), so re-running a file changes
nothing.
"""

from __future__ import annotations

import csv
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import IO

import sqlalchemy as sa
from flask import current_app

from catalogue.extensions import db
from catalogue.models import CatalogueObject
from catalogue.schemas.text import refusal, shown
from catalogue.services import uow
from catalogue.services.errors import ServiceError
from catalogue.services.exchange.attached_media import MediaFile, MediaFolder
from catalogue.services.exchange.attached_media import attach as attach_media
from catalogue.services.exchange.authority_matching import AuthorityIndex, ObjectNumbers
from catalogue.services.exchange.columns import Mapping
from catalogue.services.exchange.rows import OBJECT_INPUT, RowReader, ids_only, input_of, validate
from catalogue.services.exchange.spreadsheets import FileUnreadable, neutralised, read_rows
from catalogue.services.identity import Identity
from catalogue.services.objects import write as objects_write
from catalogue.services.search import follower as index_follower

BATCH_SIZE = 200
FOLLOW_FROM = 1000
NO_MEDIA_DIR = (
    "This import has no media files: attach files with `catalogue import objects "
    "--media-dir DIR`, or send a .zip holding the spreadsheet and the files."
)
COUNTED = {"create": "created", "update": "updated", "unchanged": "unchanged", "failed": "failed"}

# progress(phase, rows): phase is "checking" or "importing"; called after each row.
Progress = Callable[[str, int], None]


@dataclass
class Options:
    dry_run: bool = False
    create_authorities: bool = False
    skip_invalid: bool = False
    mapping: Mapping = field(default_factory=Mapping)
    batch_size: int = BATCH_SIZE
    media_dir: Path | None = None
    # Index from a second process while the batches commit (the command line does, for
    # files of ``FOLLOW_FROM`` rows or more); the index is up to date at the end either way.
    index_alongside: bool = False


@dataclass
class Report:
    """What an import found and did; ``errors`` lists every problem by row and column."""

    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    failed: int = 0
    media_attached: int = 0  # files attached (or, in a dry run, to attach)
    errors: list[dict] = field(default_factory=list)
    authorities_created: dict[str, int] = field(default_factory=dict)
    dry_run: bool = False
    applied: bool = False

    def error(self, row: int, number: str | None, column: str, message: str) -> None:
        self.errors.append(
            {"row": row, "object_number": number or "", "column": column, "message": message}
        )

    @property
    def failed_rows(self) -> set[int]:
        return {e["row"] for e in self.errors}

    def as_dict(self) -> dict:
        return {
            "rows": self.rows,
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "media_attached": self.media_attached,
            "authorities_created": dict(self.authorities_created),
            "dry_run": self.dry_run,
            "applied": self.applied,
            "errors": self.errors,
        }

    def write_errors_csv(self, stream: IO[str]) -> None:
        writer = csv.DictWriter(
            stream, fieldnames=["row", "object_number", "column", "message"], lineterminator="\n"
        )
        writer.writeheader()
        # The cells repeat what the file said: none may start as a formula.
        writer.writerows({k: neutralised(v) for k, v in e.items()} for e in self.errors)


class ImportStopped(ServiceError):
    """A row that passed the check failed when applied; earlier batches are kept."""

    status = 409
    title = "Import stopped"


@dataclass
class _Row:
    line: int
    number: str | None
    cells: dict[str, str | None]
    # Cells holding characters the catalogue refuses: the row goes no further.
    refused: dict[str, str] = field(default_factory=dict)


def _rows(path: Path, mapping: Mapping, report: Report) -> Iterator[_Row]:
    rows = read_rows(path)
    header = next(rows, None)
    if header is None:  # a CSV file of a byte order mark and nothing else
        raise FileUnreadable("The file is empty.")
    names, problems = mapping.resolve_headers(header[1])
    for problem in problems:
        report.error(1, None, "", problem)
    if problems:
        return
    for line, values in rows:
        cells = {n: values[i] if i < len(values) else None for i, n in enumerate(names) if n}
        refused = {n: reason for n, text in cells.items() if text and (reason := refusal(text))}
        yield _Row(line, cells.get("object_number"), cells, refused)


def _chunks(rows: Iterator[_Row], size: int) -> Iterator[list[_Row]]:
    while chunk := list(islice(rows, size)):
        yield chunk


@dataclass
class _Planned:
    """What the check decided for one row, kept for the second pass."""

    line: int
    number: str
    action: str  # create, update or unchanged
    data: dict
    object_id: uuid.UUID | None = None  # given to a new object; the file may refer to it
    version: int | None = None  # of the existing object when it was checked
    new_authorities: list[str] = field(default_factory=list)
    media: list[MediaFile] = field(default_factory=list)


class _Checker:
    """The check pass: reads rows against the catalogue as it is now, writes nothing."""

    def __init__(self, identity: Identity, options: Options, report: Report):
        self.identity = identity
        self.options = options
        self.report = report
        self.numbers = ObjectNumbers()
        self.in_file: dict[str, int] = {}
        self.new_ids: dict[str, uuid.UUID] = {}
        self.authorities = AuthorityIndex(
            current_app.config["DEFAULT_LANGUAGE"], options.create_authorities
        )
        self.reader = RowReader(
            self.authorities, self._object_id_for, options.mapping.list_separator
        )
        self.plan: list[_Planned] = []
        self.media = MediaFolder(options.media_dir) if options.media_dir else None
        self.progress: Progress | None = None

    def _object_id_for(self, number: str) -> str | None:
        if number in self.new_ids:  # created by an earlier row of the file
            return str(self.new_ids[number])
        if number not in self.numbers.ids:
            self.numbers.fetch({number})
        return self.numbers.ids.get(number)

    def existing(self, chunk: list[_Row]) -> dict[str, tuple]:
        numbers = {r.number for r in chunk if r.number and not r.refused}
        self.numbers.fetch(numbers)
        query = sa.select(
            CatalogueObject.object_number, CatalogueObject.document, CatalogueObject.version
        ).where(CatalogueObject.object_number.in_(numbers))
        rows = db.session.execute(query)
        return {number: (document, version) for number, document, version in rows}

    def check(self, row: _Row, existing: tuple | None) -> str:
        """ "create", "update", "unchanged" or "failed"; plans the row unless it failed."""
        errors: dict[str, list[str]] = {}
        number = row.number
        if row.refused:
            for column, message in row.refused.items():
                self.report.error(row.line, shown(number or ""), column, message)
            return "failed"
        if not number:
            errors["object_number"] = ["Every row needs an accession number."]
        elif number in self.in_file:
            errors["object_number"] = [f"The same number is on row {self.in_file[number]}."]
        elif number in self.numbers.deleted:
            errors["object_number"] = [f"Object {number} was deleted; numbers are not reused."]
        data = payload = None
        self.authorities.touched = set()
        if not errors:
            self.in_file[number] = row.line
            payload, errors = self.reader.read(row.cells, existing[0] if existing else None)
            # Checked by the schema too, so that every problem of the row is reported at once.
            data, invalid = validate(payload, list(row.cells))
            for column, messages in invalid.items():
                errors.setdefault(column, []).extend(messages)
        files: list[MediaFile] = []
        if self.media is not None and number and "object_number" not in errors:
            object_id = self.numbers.ids.get(number) if existing else None
            separator = self.options.mapping.list_separator
            files, problems = self.media.check_row(
                number, row.cells.get("media"), separator, object_id
            )
            if problems:
                errors.setdefault("media", []).extend(problems)
        elif self.media is None and (row.cells.get("media") or "").strip():
            errors.setdefault("media", []).append(NO_MEDIA_DIR)
        if errors:
            for column, messages in errors.items():
                for message in messages:
                    self.report.error(row.line, number, column, message)
            return "failed"
        planned = _Planned(row.line, number, "create", data)
        planned.new_authorities = sorted(self.authorities.touched)
        planned.media = files
        self.report.media_attached += len(files)
        if existing is None:
            planned.object_id = self.new_ids[number] = uuid.uuid4()
        else:
            planned.version = existing[1]
            current = input_of(existing[0])
            # A row that restates the stored record builds the same input, references
            # aside; loading the record a second time is then not needed to know it.
            same = ids_only(payload) == ids_only(current) or data == OBJECT_INPUT.load(current)
            planned.action = "unchanged" if same else "update"
        self.plan.append(planned)
        return planned.action


def check_file(
    identity: Identity, path: Path, options: Options, progress=None
) -> tuple[Report, _Checker]:
    """The first pass: every error in the file, nothing written."""
    identity.require_staff()
    report = Report(dry_run=options.dry_run)
    checker = _Checker(identity, options, report)
    for chunk in _chunks(_rows(path, options.mapping, report), options.batch_size):
        existing = checker.existing(chunk)
        for row in chunk:
            action = checker.check(row, existing.get(row.number))
            report.rows += 1
            field_name = COUNTED[action]
            setattr(report, field_name, getattr(report, field_name) + 1)
            if progress:
                progress("checking", 1)
    report.authorities_created = checker.authorities.counts()
    db.session.rollback()
    return report, checker


def import_objects(
    identity: Identity, path: str | Path, options: Options, progress: Progress | None = None
) -> Report:
    """Check the whole file, then (unless a dry run, or errors without ``skip_invalid``, or a
    header error) apply the rows that passed in batches. The report counts what was committed.

    The plan of every valid row is kept between the passes, so memory grows with the file.
    """
    report, checker = check_file(identity, Path(path), options, progress)
    checker.progress = progress
    if options.dry_run or (report.errors and not options.skip_invalid):
        return report
    if any(e["row"] == 1 for e in report.errors):
        return report
    return _apply(checker, report, options, progress)


def _apply(checker: _Checker, checked: Report, options: Options, progress=None) -> Report:
    """The second pass: one commit per batch of planned rows."""
    report = Report(rows=checked.rows, failed=checked.failed, errors=list(checked.errors))
    counts = {"create": 0, "update": 0, "unchanged": 0}
    made: dict[str, int] = {}
    checker.authorities.hold()
    # The index catches up once, when the batches are done (or interrupted), not per batch;
    # on a large file, a second process has done most of it by then.
    follow = options.index_alongside and len(checker.plan) >= FOLLOW_FROM
    with uow.listeners_held(), index_follower.following(follow):
        _apply_batches(checker, options, report, counts, made, progress)
    return report


def _apply_batches(
    checker: _Checker, options: Options, report: Report, counts: dict, made: dict, progress
) -> None:
    try:
        for start in range(0, len(checker.plan), options.batch_size):
            chunk = checker.plan[start : start + options.batch_size]
            batch = dict.fromkeys(counts, 0)
            made_now = _apply_batch(checker, chunk, batch, report)
            objects_write.commit()
            for key, value in batch.items():
                counts[key] += value
            for kind, n in made_now.items():
                made[kind] = made.get(kind, 0) + n
            _attach_media(checker, chunk, report)
    except BaseException as error:
        db.session.rollback()
        # The caller may still say what the committed batches did.
        error.import_report = report
        raise
    finally:
        report.created, report.updated = counts["create"], counts["update"]
        report.unchanged = counts["unchanged"]
        report.authorities_created = made
        report.applied = True


def _attach_media(checker: _Checker, chunk: list[_Planned], report: Report) -> None:
    """After the batch's commit, so the objects exist; a re-run attaches what is missing."""
    for planned in chunk:
        if not planned.media:
            continue
        object_id = planned.object_id or uuid.UUID(checker.numbers.ids[planned.number])
        for file in planned.media:
            report.media_attached += attach_media(checker.identity, object_id, [file])


def _apply_batch(checker: _Checker, chunk: list[_Planned], batch: dict, report: Report) -> dict:
    numbers = [p.number for p in chunk if p.action == "update"]
    objects = {}
    if numbers:
        query = (
            sa.select(CatalogueObject)
            .where(CatalogueObject.object_number.in_(numbers))
            .with_for_update()
        )
        objects = {o.object_number: o for o in db.session.execute(query).scalars()}
    made: dict[str, int] = {}
    # Rows are written together when the batch commits, not one by one before each query.
    with db.session.no_autoflush:
        for planned in chunk:
            _apply_row(checker, planned, objects, made)
            batch[planned.action] += 1
            if checker.progress:
                checker.progress("importing", 1)
    return made


def _apply_row(checker: _Checker, planned: _Planned, objects: dict, made: dict) -> None:
    identity = checker.identity
    kinds = [checker.authorities.materialise(i) for i in planned.new_authorities]
    for kind in filter(None, kinds):
        made[kind] = made.get(kind, 0) + 1
    if any(kinds) or planned.data.get("related_objects"):
        # What this row refers to must be in the database for the reference checks.
        db.session.flush()
    if planned.action == "create":
        objects_write.stage_create(identity, planned.data, planned.object_id, checked=True)
    elif planned.action == "update":
        obj = objects.get(planned.number)
        if obj is None or obj.version != planned.version:
            raise ImportStopped(
                f"Object {planned.number} (row {planned.line}) was changed or deleted "
                "while the file was imported; import the file again."
            )
        if not objects_write.stage_save(identity, obj, planned.data):
            planned.action = "unchanged"
