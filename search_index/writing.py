"""Writing to one generation of the index: applying the change log in bounded commits, the
cursor file that says how far a generation has followed the log, and dropping a writer that
failed. ``search_index.store`` holds the generations, their swapping and the searchers."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from whoosh import index as whoosh_index

from search_index import columns
from search_index.schema import to_fields

# Documents a catch-up writes before it commits and records its cursor.
COMMIT_EVERY = 20_000
# Options of every writer. Whoosh packs a new segment into one compound file, which each
# reading process copies file by file into its own memory; plain files ({"compound": False})
# are shared through the page cache but made the app's test suite fail (reads of truncated
# column files during merges, docs/search.md): compound files are kept until that is understood.
WRITER_OPTIONS: dict = {}

# fetch(cursor) -> (documents to add or replace, ids to delete, new cursor)
Fetch = Callable[[int], tuple[list[dict], list[str], int]]


def apply_at(
    path: Path,
    fetch: Fetch,
    timeout: float,
    idle: Callable[[], bool] | None = None,
    commit_seconds: float | None = None,
) -> int:
    """Apply ``fetch`` results to the index at ``path`` (writer lock held by the caller).

    One writer takes many fetched batches and commits every ``COMMIT_EVERY`` documents (or
    ``commit_seconds``) and at the end: a commit merges segments, so once per batch would make
    a long catch-up quadratic. The cursor moves only after the commit that holds its documents.
    """
    cursor = read_cursor(path)
    written = pending = 0
    writer = None
    opened = 0.0
    seen: set[str] = set()
    try:
        while True:
            upserts, deletes, new_cursor = fetch(cursor)
            due = writer is not None and (
                pending >= COMMIT_EVERY
                or (commit_seconds is not None and time.monotonic() - opened >= commit_seconds)
            )
            ids = {d["id"] for d in upserts} | set(deletes)
            if writer is not None and (due or not ids.isdisjoint(seen)):
                # Also: a writer cannot replace a document it added itself; commit that first.
                writer.commit()
                writer, written, pending, seen = None, written + pending, 0, set()
                columns.write_missing(path)
                write_cursor(path, cursor)
            if new_cursor == cursor:
                if idle is not None and idle():
                    continue
                break
            if upserts or deletes:
                seen |= ids
                if writer is None:
                    writer = whoosh_index.open_dir(str(path)).writer(
                        timeout=timeout, **WRITER_OPTIONS
                    )
                    opened = time.monotonic()
                for doc_id in deletes:
                    writer.delete_by_term("id", doc_id)
                for document in upserts:
                    writer.update_document(**to_fields(document))
                pending += len(upserts) + len(deletes)
            cursor = new_cursor
        if writer is not None:
            writer.commit()
            writer, written, pending = None, written + pending, 0
            columns.write_missing(path)
        if cursor != read_cursor(path):
            write_cursor(path, cursor)
    except BaseException:
        if writer is not None:
            abandon(writer)
        raise
    return written


def abandon(writer) -> None:
    """Drop a writer that failed, releasing Whoosh's lock even when commit died half-way.

    A writer left to the garbage collector keeps its lock file open, and every later writer in
    the process would wait on it.
    """
    if getattr(writer, "is_closed", True):
        return
    try:
        writer.cancel()
    except Exception:
        lock = getattr(writer, "writelock", None)
        if lock is not None:
            lock.release()
        writer.is_closed = True


def read_cursor(path: Path) -> int:
    try:
        return int((path / "cursor").read_text().strip() or 0)
    except (OSError, ValueError):
        return 0


def write_cursor(path: Path, cursor: int) -> None:
    temporary = path / f"cursor.{uuid.uuid4().hex[:8]}"
    temporary.write_text(str(cursor))
    os.replace(temporary, path / "cursor")
