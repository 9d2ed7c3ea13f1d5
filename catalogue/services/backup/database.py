"""Lossless backup of the whole catalogue, and restore into an empty installation.

The layout is described in ``docs/backup-format.md``: a ``manifest.json`` with the format
version, each table's row count and SHA-256, and one JSON Lines file per table under
``tables/``, and every media original under ``media/`` (``backup_media``). Rows keep their
ids, so a restore gives back the same records, versions, tombstones, change log and media on
any database and media storage.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import uuid
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import sqlalchemy as sa
from alembic.migration import MigrationContext
from flask import current_app

from catalogue.extensions import db
from catalogue.models import AUTHORITY_MODELS, Base
from catalogue.models.base import UTCDateTime, utcnow
from catalogue.models.packed import PackedText
from catalogue.schemas.text import REFUSED, cleaned_value
from catalogue.services import labels, uow
from catalogue.services.backup import media as backup_media
from catalogue.services.errors import Conflict, ValidationFailed
from catalogue.services.identity import Identity
from catalogue.services.media import files as media_files
from catalogue.services.oai import payloads as oai_payloads
from catalogue.services.objects.views import dumps as view_dumps

log = logging.getLogger(__name__)

FORMAT = "catalogue-backup"
FORMAT_VERSION = 1
# Secrets and server-side working files are not part of a catalogue's content.
EXCLUDED_TABLES = {"api_tokens", "imports", "web_sessions", "request_counts"}
# Counts of the API's rate limits: any caller adds to them, and an installation that holds
# nothing else is still empty enough to restore into.
BOOKKEEPING_TABLES = {"request_counts"}
# Built from the other tables, and built again by restore (a backup holding them is read).
DERIVED_TABLES = {"oai_payloads"}
EXCLUDED_COLUMNS = {"users": {"password_hash"}}
# Text columns holding JSON (the stored views of each record).
JSON_TEXT_COLUMNS = {"objects": {"public_json", "research_json", "staff_json"}}
# The staff view is not a column: it is the document's stored text. A backup holds it (as it
# did when it was a column) so that a restore keeps the record's text, members in their order.
STAFF_VIEW = "staff_json"
# Derived from each authority's label, and derived again by restore (a backup holding them is
# read), with the installation's default language.
LABEL_KEY_TABLES = {model.__tablename__ for model in AUTHORITY_MODELS.values()}
DERIVED_COLUMNS = {name: {"search_text", "sort_key"} for name in LABEL_KEY_TABLES}
CHUNK = 1000


def tables() -> list[sa.Table]:
    """Tables in dependency order (a row's references are restored before it)."""
    skipped = EXCLUDED_TABLES | DERIVED_TABLES
    return [t for t in Base.metadata.sorted_tables if t.name not in skipped]


def _columns(table: sa.Table) -> list[sa.Column]:
    skip = EXCLUDED_COLUMNS.get(table.name, set()) | DERIVED_COLUMNS.get(table.name, set())
    return [c for c in table.columns if c.name not in skip]


def _encode(value):
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat().replace("+00:00", "Z")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    if hasattr(value, "value") and isinstance(value.value, str):  # enums
        return value.value
    return value


def _decoder(column: sa.Column):
    kind = column.type
    if isinstance(kind, sa.Uuid):
        return uuid.UUID
    if isinstance(kind, UTCDateTime):
        return lambda v: dt.datetime.fromisoformat(v.replace("Z", "+00:00"))
    if isinstance(kind, sa.Date):
        return dt.date.fromisoformat
    if isinstance(kind, sa.Numeric) and not isinstance(kind, sa.Integer | sa.Float):
        return Decimal
    return None


def _order(table: sa.Table):
    return [table.c[c.name] for c in table.primary_key.columns]


def _dump(table: sa.Table) -> Iterator[str]:
    columns = _columns(table)
    if table.name == "objects":
        columns.append(sa.type_coerce(table.c.document, PackedText()).label(STAFF_VIEW))
    query = sa.select(*columns).order_by(*_order(table)).execution_options(yield_per=CHUNK)
    for row in db.session.execute(query):
        record = {c.name: _encode(value) for c, value in zip(columns, row, strict=True)}
        yield json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"


def _revision() -> str | None:
    return MigrationContext.configure(db.session.connection()).get_current_revision()


def backup(identity: Identity, directory: Path) -> dict:
    """Write every table to ``directory`` (created; must be empty) and return the manifest."""
    identity.require_admin()
    directory = Path(directory)
    if directory.exists() and any(directory.iterdir()):
        raise Conflict(f"{directory} is not empty; back up into a new folder.")
    (directory / "tables").mkdir(parents=True, exist_ok=True)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "created_at": utcnow().isoformat().replace("+00:00", "Z"),
        "schema_revision": _revision(),
        "default_language": current_app.config["DEFAULT_LANGUAGE"],
        "tables": [],
        "media": {"directory": "media", "files": []},
    }
    # One snapshot for every table, so rows written meanwhile cannot make it inconsistent.
    db.session.rollback()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    manifest["media"]["files"] = backup_media.copy_originals(directory)
    for table in tables():
        digest, rows = hashlib.sha256(), 0
        name = f"tables/{table.name}.jsonl"
        with (directory / name).open("w", encoding="utf-8", newline="\n") as stream:
            for line in _dump(table):
                stream.write(line)
                digest.update(line.encode())
                rows += 1
        manifest["tables"].append(
            {"name": table.name, "file": name, "rows": rows, "sha256": digest.hexdigest()}
        )
    db.session.rollback()
    (directory / "manifest.json").write_text(json.dumps(manifest, indent=2) + "\n")
    return manifest


def read_manifest(directory: Path) -> dict:
    """The manifest, after checking the format and every file's checksum and row count."""
    path = Path(directory) / "manifest.json"
    try:
        manifest = json.loads(path.read_text())
    except (OSError, json.JSONDecodeError) as error:
        raise ValidationFailed({"manifest.json": [f"Cannot read the manifest: {error}"]}) from error
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise ValidationFailed({"manifest.json": ["Not a backup of format version 1."]})
    known = {t.name: t for t in tables()}
    errors: dict[str, list[str]] = {}
    for entry in manifest["tables"]:
        file = Path(directory) / entry["file"]
        if entry["name"] in DERIVED_TABLES:
            continue
        if entry["name"] not in known:
            errors.setdefault(entry["file"], []).append(f"Unknown table {entry['name']}.")
            continue
        if not file.is_file() or Path(entry["file"]).is_absolute() or ".." in entry["file"]:
            errors.setdefault(entry["file"], []).append("Missing file.")
            continue
        digest, rows = hashlib.sha256(), 0
        with file.open("rb") as stream:
            for line in stream:
                digest.update(line)
                rows += 1
        if digest.hexdigest() != entry["sha256"] or rows != entry["rows"]:
            errors.setdefault(entry["file"], []).append("Checksum or row count does not match.")
    errors.update(backup_media.check_files(directory, manifest))
    if errors:
        raise ValidationFailed(errors, "The backup is damaged or incomplete.")
    return manifest


def _is_empty() -> bool:
    for table in Base.metadata.sorted_tables:
        if table.name in BOOKKEEPING_TABLES:
            continue
        if db.session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one():
            return False
    return True


def _cleaned(table: sa.Table, record: dict) -> list[str]:
    """Replace in ``record`` each character the catalogue refuses with U+FFFD; returns the
    columns changed. Text saved before the catalogue refused them may hold some, and the
    target database may not take them (PostgreSQL refuses NUL)."""
    changed = []
    for name, value in record.items():
        if name in JSON_TEXT_COLUMNS.get(table.name, ()) and isinstance(value, str):
            data = json.loads(value)
            if (clean := cleaned_value(data)) != data:
                record[name] = view_dumps(clean)
                changed.append(name)
        elif isinstance(value, str | dict | list) and (clean := cleaned_value(value)) != value:
            record[name] = clean
            changed.append(name)
    return changed


def _compact(table: sa.Table, record: dict) -> None:
    """A row as the tables hold it; rows of backups made before migration 0012 included."""
    if table.name == "objects":
        staff = record.pop(STAFF_VIEW, None)
        if staff is not None and json.loads(staff) == record.get("document"):
            record["document"] = json.loads(staff)  # the members in the order of the text
        if record.get("research_json") == record.get("public_json"):
            record["research_json"] = None
    if table.name == "object_versions" and "status" not in record and record.get("record"):
        record["status"] = record["record"].get("status")


def _rows(directory: Path, entry: dict, table: sa.Table, replaced: list) -> Iterator[dict]:
    decoders = {c.name: _decoder(c) for c in table.columns}
    unknown_message = "Column {} is not in this installation's {} table; upgrade it first."
    default_language = current_app.config["DEFAULT_LANGUAGE"]
    with (Path(directory) / entry["file"]).open(encoding="utf-8") as stream:
        for line in stream:
            record = json.loads(line)
            # Lines are written unescaped but for control characters ("\u0001"): a line
            # without either holds nothing to replace.
            suspect = REFUSED.search(line) or "\\u00" in line
            if suspect and (columns := _cleaned(table, record)):
                keys = {k: str(record.get(k)) for k in _keys(table)}
                replaced.append({"table": table.name, "row": keys, "columns": columns})
            _compact(table, record)
            for name, value in record.items():
                if name not in decoders:
                    raise ValidationFailed({entry["file"]: [unknown_message.format(name, table)]})
                if value is not None and decoders[name]:
                    record[name] = decoders[name](value)
            if table.name in LABEL_KEY_TABLES:
                record.update(labels.label_keys(record.get("label"), default_language))
            yield record


def restore(identity: Identity, directory: Path) -> dict:
    """Load a backup into this installation, which must be empty; all or nothing.

    Returns the manifest, with ``replaced``: the rows (table, primary key, columns) in which
    characters the catalogue refuses were replaced with U+FFFD.
    """
    identity.require_admin()
    manifest = read_manifest(directory)
    if not _is_empty():
        raise Conflict("This installation already holds data; restore into an empty one.")
    by_name = {t.name: t for t in tables()}
    stored: list[str] = []
    replaced: list[dict] = []
    try:
        for entry in manifest["tables"]:
            if entry["name"] not in DERIVED_TABLES:
                _restore_table(directory, entry, by_name[entry["name"]], replaced)
        # Derived from the records, as saving each would have stored them.
        oai_payloads.rebuild(db.session)
        backup_media.restore_originals(directory, manifest, stored)
        _reset_sequences()
        # The change log came back whole: what follows changes (the search index) reads it.
        uow.changed()
        uow.commit()
    except BaseException:
        db.session.rollback()
        media_files.remove_files(stored)
        raise
    for row in replaced:
        log.warning("restore replaced refused characters in %s", row)
    return {**manifest, "replaced": replaced}


def _restore_table(directory: Path, entry: dict, table: sa.Table, replaced: list) -> None:
    # A table that refers to itself (locations inside locations) gets those links afterwards.
    self_refs = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    later: list[dict] = []
    batch: list[dict] = []
    for record in _rows(directory, entry, table, replaced):
        if self_refs:
            later.append(record)
            record = {**record, **dict.fromkeys(self_refs)}
        batch.append(record)
        if len(batch) >= CHUNK:
            db.session.execute(table.insert(), batch)
            batch = []
    if batch:
        db.session.execute(table.insert(), batch)
    keys = _keys(table)
    for record in later:
        if any(record.get(name) is not None for name in self_refs):
            # Every column is given, so no on-update default (updated_at) replaces a value.
            db.session.execute(
                table.update()
                .where(*(table.c[k] == record[k] for k in keys))
                .values({k: v for k, v in record.items() if k not in keys})
            )


def _keys(table: sa.Table) -> list[str]:
    return [c.name for c in table.primary_key.columns]


def _reset_sequences() -> None:
    """PostgreSQL hands out ids from sequences, which explicit ids do not move."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for table in tables():
        for column in table.primary_key.columns:
            if isinstance(column.type, sa.Integer) and column.autoincrement in (True, "auto"):
                sequence = sa.func.pg_get_serial_sequence(table.name, column.name)
                highest = sa.select(sa.func.max(column)).scalar_subquery()
                db.session.execute(
                    sa.select(
                        sa.func.setval(sequence, sa.func.coalesce(highest, 1), highest.is_not(None))
                    )
                )
