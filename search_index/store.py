"""The index on disk: generations, the cross-process writer lock, warm searchers.

Layout of the index directory::

    write.lock          held (flock) by whoever writes, in any process
    current -> gen-...  symlink to the generation searches read, swapped atomically
    gen-.../            a Whoosh index, plus ``cursor``: the last change applied to it,
                        and ``columns/``: arrays of each segment, shared by the searching
                        processes (``search_index.columns``), written after each commit;
                        the generations ``current`` left are removed as it is swapped

Writers wait for the lock for a bounded time instead of failing (Whoosh's own lock
raises at once). Searchers are kept per thread and reopened only after a commit, so a request sees
every committed change without opening the index each time.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import threading
import time
import uuid
import weakref
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from pathlib import Path

from whoosh import index as whoosh_index

from search_index import columns
from search_index.schema import build_schema, to_fields
from search_index.writing import (
    WRITER_OPTIONS,
    Fetch,
    abandon,
    apply_at,
    read_cursor,
    write_cursor,
)

CURRENT = "current"
TRASH = "removed-"  # a replaced generation, renamed so, then removed
LOCK = "write.lock"
# How often a follower commits, so that searches see its progress and a follower killed
# half-way loses at most this much work (applied again from the log by the next one).
FOLLOW_COMMIT_SECONDS = 1.0
# Present, holding its process id, while a follower holds the writer lock.
FOLLOWER = "follower"


class IndexUnavailable(Exception):
    """The index cannot be opened."""


class LockTimeout(Exception):
    """Another process kept the writer lock longer than the wait allowed."""


class RebuildFailed(Exception):
    """A rebuilt index did not hold every document it was given."""


class IndexStore:
    """One index directory, shared by every process of the service."""

    def __init__(self, root: str | os.PathLike, lock_timeout: float = 30.0) -> None:
        self.root = Path(root)
        self.lock_timeout = lock_timeout
        # thread id -> (generation, index, searcher): one warm searcher per thread, closed when
        # replaced or when the store goes (a searcher holds its segments' files open).
        self._held: dict[int, tuple] = {}
        weakref.finalize(self, _close_all, self._held)
        _STORES.add(self)

    # ---- generations -------------------------------------------------------------------

    def _generation(self) -> str | None:
        try:
            return os.readlink(self.root / CURRENT)
        except OSError:
            return None

    def _new_generation(self) -> Path:
        path = self.root / f"gen-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        path.mkdir(parents=True)
        whoosh_index.create_in(str(path), build_schema())
        write_cursor(path, 0)
        return path

    def _swap(self, path: Path) -> None:
        """Point ``current`` at ``path`` atomically and remove every other generation.

        Searches already reading an old generation keep their open files (POSIX keeps a
        removed file readable while it is open); one that needs a file it had not opened yet
        starts again on the new generation (``SearchEngine.search``). Each searcher moves to
        the new generation at its next search.
        """
        link = self.root / f"{CURRENT}.{uuid.uuid4().hex[:8]}"
        os.symlink(path.name, link)
        os.replace(link, self.root / CURRENT)
        for other in [*self.root.glob("gen-*"), *self.root.glob(f"{TRASH}*")]:
            if other.name == path.name:
                continue
            # Renamed first: nothing can open a generation half removed under its own name.
            trash = other if other.name.startswith(TRASH) else self.root / _trash_name()
            try:
                if trash != other:
                    os.rename(other, trash)
            except OSError:
                continue
            shutil.rmtree(trash, ignore_errors=True)

    def generation(self) -> str | None:
        """The name of the generation searches read now."""
        return self._generation()

    def exists(self) -> bool:
        generation = self._generation()
        return generation is not None and whoosh_index.exists_in(str(self.root / generation))

    def ensure(self) -> None:
        """Create an empty index if there is none."""
        if self.exists():
            return
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            with self.locked():
                if not self.exists():
                    self._swap(self._new_generation())
        except OSError as error:
            raise IndexUnavailable(f"No search index can be made in {self.root}.") from error

    def open(self, generation: str | None = None):
        generation = generation or self._generation()
        if generation is None:
            raise IndexUnavailable(f"No search index in {self.root}.")
        try:
            return whoosh_index.open_dir(str(self.root / generation))
        except Exception as error:
            raise IndexUnavailable(f"The search index in {self.root} cannot be opened.") from error

    def cursor(self) -> int:
        """The last change-log position applied to the current generation."""
        generation = self._generation()
        if generation is None:
            return 0
        return read_cursor(self.root / generation)

    # ---- locking -----------------------------------------------------------------------

    @contextmanager
    def locked(self, timeout: float | None = None):
        """Hold the writer lock, waiting up to ``timeout`` seconds (LockTimeout after)."""
        self.root.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + (self.lock_timeout if timeout is None else timeout)
        with open(self.root / LOCK, "a+b") as handle:
            pause = 0.002
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise LockTimeout("The search index is busy; try again.") from None
                    time.sleep(pause)
                    pause = min(pause * 2, 0.05)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    # ---- reading -----------------------------------------------------------------------

    @contextmanager
    def searcher(self):
        """A searcher over the latest committed state, kept warm for this thread.

        Reopened only when a commit made a new index generation. Whoosh's own ``refresh()``
        reuses the readers of unchanged segments, deletions included, so a deleted
        document would stay findable: the searcher is rebuilt instead.
        """
        while True:
            generation = self._generation()
            try:
                held = self._warm(generation)
                break
            except Exception:
                # A swap removed the generation just read from ``current``: take the new one,
                # as often as swaps happen. Failing with no swap is a real fault, raised.
                self.close()
                if self._generation() == generation:
                    raise
        self._held[threading.get_ident()] = held
        yield held[2]

    def _warm(self, generation: str | None):
        """(generation, index, searcher, commit seen) of this thread, reopened if stale."""
        held = self._held.get(threading.get_ident())
        if held is None or held[0] != generation:
            if held is not None:
                held[2].close()
            ix = self.open(generation)  # the generation it is held as, not a newer one
            latest = ix.latest_generation()  # before the searcher, which is then as new or newer
            return (generation, ix, ix.searcher(), latest)
        if (latest := held[1].latest_generation()) != held[3]:
            # Compared with the commit seen at opening: an empty index's reader has none.
            held[2].close()
            return (generation, held[1], held[1].searcher(), latest)
        return held

    def searched_generation(self) -> str | None:
        """The generation this thread's searcher reads."""
        held = self._held.get(threading.get_ident())
        return None if held is None else held[0]

    def close(self) -> None:
        held = self._held.pop(threading.get_ident(), None)
        if held is not None:
            # It may be closed already, by a reopening that then failed.
            with contextlib.suppress(Exception):
                held[2].close()

    def stored(self) -> dict[str, str]:
        """id -> digest of every indexed document."""
        with self.searcher() as searcher:
            return {
                fields["id"]: fields.get("digest", "") for fields in searcher.all_stored_fields()
            }

    # ---- writing -----------------------------------------------------------------------

    def apply(
        self,
        fetch: Fetch,
        timeout: float | None = None,
        idle: Callable[[], bool] | None = None,
        commit_seconds: float = FOLLOW_COMMIT_SECONDS,
    ) -> int:
        """Apply pending changes: ``fetch(cursor)`` until it has nothing new.

        ``idle()``, when given, makes this writer a follower of a long bulk write: it is called
        each time there is nothing new, may wait, and says whether to look again. A follower
        keeps one writer open and commits every ``FOLLOW_COMMIT_SECONDS`` and at the end, not
        after each batch; meanwhile a caller with a ``timeout`` (a request) does not wait for
        the lock, since the follower applies every change in the log. Returns how many
        documents were written or deleted.
        """
        self.ensure()
        if idle is None and timeout is not None and self.followed():
            return 0
        with self.locked(timeout):
            path = self.root / self._generation()
            if idle is None:
                return apply_at(path, fetch, self.lock_timeout)
            marker = self.root / FOLLOWER
            marker.write_text(str(os.getpid()))
            try:
                return apply_at(path, fetch, self.lock_timeout, idle, commit_seconds)
            finally:
                marker.unlink(missing_ok=True)

    def followed(self) -> bool:
        """Whether a live process follows the change log into this index right now."""
        try:
            pid = int((self.root / FOLLOWER).read_text())
            os.kill(pid, 0)
        except (OSError, ValueError):
            return False  # no marker, or left by a process that died
        return True

    def rebuild(
        self,
        documents: Iterable[dict],
        cursor: int,
        catch_up: Fetch,
        procs: int = 1,
        on_progress: Callable[[int], None] | None = None,
    ) -> int:
        """Build a fresh generation from ``documents`` and swap it in; returns its size.

        Searches keep reading the old generation meanwhile. The new one must hold every
        document it was given (a crashed writer process can lose some without raising:
        RebuildFailed then, and the old generation stays); it then catches up from
        ``cursor`` under the writer lock and becomes current.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        path = self._new_generation()
        try:
            ix = whoosh_index.open_dir(str(path))
            options = {"procs": procs, "multisegment": True, "limitmb": 128} if procs > 1 else {}
            writer = ix.writer(**options, **WRITER_OPTIONS)
            given = 0
            try:
                for document in documents:
                    writer.add_document(**to_fields(document))
                    given += 1
                    if on_progress and given % 100 == 0:
                        on_progress(100)
                writer.commit()
            except BaseException:
                abandon(writer)
                raise
            columns.write_missing(path)
            if on_progress:
                on_progress(given % 100)
            found = whoosh_index.open_dir(str(path)).doc_count()
            if found != given:
                raise RebuildFailed(f"The rebuilt index holds {found} documents, not {given}.")
            write_cursor(path, cursor)
            with self.locked():
                apply_at(path, catch_up, self.lock_timeout)
                self._swap(path)
            return whoosh_index.open_dir(str(path)).doc_count()
        except BaseException:
            shutil.rmtree(path, ignore_errors=True)
            raise

    def clear(self) -> None:
        """Swap in an empty generation (the next sync starts from the beginning)."""
        self.root.mkdir(parents=True, exist_ok=True)
        with self.locked():
            self._swap(self._new_generation())


# Every store of the process, for the forked child to drop the searchers it inherited: they
# read plain files through descriptors whose position the child would share with its parent.
_STORES: weakref.WeakSet = weakref.WeakSet()


def _forget_inherited_searchers() -> None:
    for store in list(_STORES):
        _close_all(store._held)


os.register_at_fork(after_in_child=_forget_inherited_searchers)


def _close_all(held: dict[int, tuple]) -> None:
    for entry in list(held.values()):
        with contextlib.suppress(Exception):  # closing at exit: one already closed is fine
            entry[2].close()
    held.clear()


def _trash_name() -> str:
    return f"{TRASH}{uuid.uuid4().hex}"
