"""``catalogue import``, ``catalogue export``, ``catalogue backup`` and ``catalogue restore``."""

from __future__ import annotations

import shutil
import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import click
from tqdm import tqdm

from catalogue.models import Status
from catalogue.services.backup import database as backup_service
from catalogue.services.errors import ServiceError
from catalogue.services.exchange import exports, imports
from catalogue.services.exchange import jobs as import_jobs
from catalogue.services.exchange.columns import Mapping, load_mapping
from catalogue.services.exchange.spreadsheets import (
    FileUnreadable,
    csv_chunks,
    jsonl_chunks,
    write_xlsx,
)
from catalogue.services.identity import SYSTEM

import_group = click.Group("import", help="Import records from spreadsheets.")
export_group = click.Group("export", help="Export records.")


def _summary(report: imports.Report) -> str:
    made = ", ".join(f"{n} {k}" for k, n in report.authorities_created.items())
    text = (
        f"{report.rows} rows: {report.created} created, {report.updated} updated, "
        f"{report.unchanged} unchanged, {report.failed} failed"
    )
    if report.media_attached:
        done = "to attach" if report.dry_run else "attached"
        text += f"; {report.media_attached} media files {done}"
    if made:
        text += f"; new authorities: {made}"
    return text + "."


class _Bars:
    """One progress bar per pass, on standard error, with rows per second."""

    def __init__(self) -> None:
        self.bars: dict[str, tqdm] = {}

    def __call__(self, phase: str, rows: int) -> None:
        if phase not in self.bars:
            for bar in self.bars.values():
                bar.close()
            self.bars[phase] = tqdm(desc=phase, unit=" rows", file=sys.stderr, mininterval=0.5)
        self.bars[phase].update(rows)

    def close(self) -> None:
        for bar in self.bars.values():
            bar.close()


@import_group.command("objects")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every row and write nothing.")
@click.option("--mapping", type=click.Path(exists=True, dir_okay=False), help="YAML/JSON file.")
@click.option("--create-authorities", is_flag=True, help="Create unknown terms, agents...")
@click.option("--skip-invalid", is_flag=True, help="Import the valid rows of a file with errors.")
@click.option("--errors-csv", type=click.Path(dir_okay=False), help="Write the errors as CSV.")
@click.option("--batch-size", type=click.IntRange(1, 10_000), default=imports.BATCH_SIZE)
@click.option(
    "--media-dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="Folder of the files named in the media column or after accession numbers.",
)
def import_objects(
    file, dry_run, mapping, create_authorities, skip_invalid, errors_csv, batch_size, media_dir
):
    """Import objects from FILE (.csv or .xlsx), matched by accession number."""
    try:
        options = imports.Options(
            dry_run=dry_run,
            create_authorities=create_authorities,
            skip_invalid=skip_invalid,
            mapping=load_mapping(mapping) if mapping else Mapping(),
            batch_size=batch_size,
            media_dir=media_dir,
            index_alongside=True,
        )
    except ValueError as error:
        raise click.ClickException(str(error)) from error
    bars = _Bars()
    try:
        report = imports.import_objects(SYSTEM, file, options, bars)
    except (KeyboardInterrupt, ServiceError) as error:
        bars.close()
        done = getattr(error, "import_report", None)
        if done is not None:
            click.echo(f"Stopped; committed batches are kept. {_summary(done)}", err=True)
        if isinstance(error, ServiceError):
            raise click.ClickException(error.detail) from error
        raise SystemExit(130) from error
    except FileUnreadable as error:
        raise click.ClickException(str(error)) from error
    bars.close()
    for error in report.errors[:50]:
        click.echo(
            f"row {error['row']} {error['column'] or '(file)'}: {error['message']}", err=True
        )
    if len(report.errors) > 50:
        click.echo(f"... and {len(report.errors) - 50} more errors.", err=True)
    if errors_csv:
        with open(errors_csv, "w", encoding="utf-8", newline="") as stream:
            report.write_errors_csv(stream)
    if dry_run:
        click.echo(f"Dry run, nothing written. {_summary(report)}")
    elif not report.applied:
        click.echo(f"Nothing imported: the file has errors. {_summary(report)}")
    else:
        click.echo(f"Imported. {_summary(report)}")
    if report.errors and not report.applied:
        raise SystemExit(1)


@import_group.command("expire")
def import_expire():
    """Retire API imports not committed within IMPORT_KEEP_SECONDS and remove stored import
    files no import waits for (POST /api/v1/imports does the same before each check)."""
    click.echo(f"{import_jobs.expire()} imports expired.")


@export_group.command("objects")
@click.option("--format", "fmt", type=click.Choice(exports.FORMATS), default="csv")
@click.option("--status", type=click.Choice([s.value for s in Status]))
@click.option("--collection", help="Collection id, label or URI.")
@click.option("--updated-since", type=click.DateTime(), help="ISO date or time (UTC).")
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="File (default: stdout).")
def export_objects(fmt, status, collection, updated_since, output):
    """Export every object (staff view) with the import's column names."""
    since = updated_since.replace(tzinfo=UTC) if updated_since else None
    filters = exports.Filters(
        status=Status(status) if status else None, collection=collection, updated_since=since
    )
    try:
        columns, rows = exports.rows(SYSTEM, filters)
    except ServiceError as error:
        raise click.ClickException(f"{error.detail} {getattr(error, 'errors', '')}") from error
    if fmt == "xlsx":
        if output:
            write_xlsx(columns, rows, output)
        else:
            # A zip needs a seekable file; written aside, then copied out.
            with tempfile.TemporaryFile() as spool:
                write_xlsx(columns, rows, spool)
                spool.seek(0)
                shutil.copyfileobj(spool, sys.stdout.buffer)
        return
    chunks = csv_chunks(columns, rows) if fmt == "csv" else jsonl_chunks(rows)
    stream = open(output, "w", encoding="utf-8", newline="") if output else sys.stdout  # noqa: SIM115
    try:
        for chunk in chunks:
            stream.write(chunk)
    finally:
        if output:
            stream.close()


@click.command("backup")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def backup(directory: Path) -> None:
    """Write the whole catalogue to DIRECTORY (see docs/backup-format.md)."""
    try:
        manifest = backup_service.backup(SYSTEM, directory)
    except ServiceError as error:
        raise click.ClickException(error.detail) from error
    counts = ", ".join(f"{t['rows']} {t['name']}" for t in manifest["tables"])
    click.echo(f"Backup written to {directory} at {datetime.now(UTC):%Y-%m-%d %H:%M}Z: {counts}.")


@click.command("restore")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
def restore(directory: Path) -> None:
    """Restore a backup from DIRECTORY into this empty installation."""
    try:
        manifest = backup_service.restore(SYSTEM, directory)
    except ServiceError as error:
        raise click.ClickException(error.detail) from error
    total = sum(t["rows"] for t in manifest["tables"])
    click.echo(f"Restored {total} rows from {directory}.")
    replaced = manifest["replaced"]
    if replaced:
        click.echo(
            f"Characters the catalogue refuses (control characters, noncharacters) were "
            f"replaced with U+FFFD in {len(replaced)} row(s):"
        )
        for row in replaced:
            key = ", ".join(f"{k}={v}" for k, v in row["row"].items())
            click.echo(f"  {row['table']} {key}: {', '.join(row['columns'])}")


COMMANDS = (import_group, export_group, backup, restore)
