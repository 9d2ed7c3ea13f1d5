"""A folder of local copies of stored files, bounded in size, shared by a node's processes.

Several worker processes read and write the same folder at once:

- An entry is a whole file, written under a temporary name and renamed into place, so no
  reader ever sees half of one; two processes filling the same entry both write whole files
  and the last rename wins.
- Recency is the file's modification time, set when the entry is written and touched when
  it is used (at most four times per ``grace``; access times are often not kept).
- After each insertion, one process at a time (an exclusive ``flock`` on ``.lock``; the
  others skip) removes the least recently used entries until the folder fits ``max_bytes``.
  An entry used within ``grace`` seconds is never removed: a path just handed out stays in
  place while its reader opens it. The folder may therefore exceed its bound for a while
  when more than ``max_bytes`` were used within ``grace`` seconds.
- Temporary files older than an hour (a process killed while writing) are removed then too.

Names are chosen by the caller from what it controls; ``check_name`` refuses any other.
"""

from __future__ import annotations

import fcntl
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

NAME = re.compile(r"^[a-z0-9][a-z0-9._-]*$")
PART = ".part-"
LOCK = ".lock"
MARKER = ".swept"
GRACE_SECONDS = 120
ABANDONED_PART_SECONDS = 3600


def check_name(name: str) -> str:
    if not NAME.match(name) or ".." in name:
        raise ValueError(f"not a cache entry name: {name!r}")
    return name


@dataclass(frozen=True)
class Entry:
    name: str
    size: int
    used: float  # modification time: when it was last written or used


class FileCache:
    def __init__(self, root: Path, max_bytes: int, grace: float = GRACE_SECONDS) -> None:
        self.root = Path(root)
        self.max_bytes = max_bytes
        self.grace = grace
        # A path handed out was used at most grace/4 ago: it stays for 3/4 of grace at least.
        self.touch = grace / 4

    def path(self, name: str) -> Path:
        return self.root / check_name(name)

    def get(self, name: str) -> Path | None:
        """The entry's path, marked as used now; None when it is not cached."""
        path = self.path(name)
        try:
            used = path.stat().st_mtime
            if used < time.time() - self.touch:
                os.utime(path)
        except FileNotFoundError:
            return None
        return path

    def put(self, name: str, fill: Callable[[Path], None]) -> Path:
        """Cache the file ``fill(path)`` writes, then make room; returns its path. Whatever
        ``fill`` raises is raised, and nothing is left behind."""
        target = self.path(name)
        self.root.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=self.root, prefix=PART)
        os.close(fd)
        try:
            fill(Path(temp))
            os.replace(temp, target)
        except BaseException:
            Path(temp).unlink(missing_ok=True)
            raise
        self.evict()
        return target

    def entries(self) -> list[Entry]:
        """Every entry, oldest use first (temporary files and the cache's own are not)."""
        found = []
        try:
            names = os.listdir(self.root)
        except FileNotFoundError:
            return []
        for name in names:
            if name.startswith("."):
                continue
            try:
                stat = os.stat(self.root / name)
            except FileNotFoundError:
                continue  # removed by another process meanwhile
            found.append(Entry(name, stat.st_size, stat.st_mtime))
        return sorted(found, key=lambda entry: (entry.used, entry.name))

    def remove(self, names: list[str]) -> None:
        for name in names:
            self.path(name).unlink(missing_ok=True)

    @contextmanager
    def exclusive(self) -> Iterator[bool]:
        """Hold the cache's lock if no other process does: yields whether it is held."""
        self.root.mkdir(parents=True, exist_ok=True)
        with open(self.root / LOCK, "a") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(lock, fcntl.LOCK_UN)

    def evict(self) -> list[str]:
        """Remove least recently used entries until the folder fits (skipped, returning [],
        while another process does it); returns the names removed."""
        with self.exclusive() as held:
            if not held:
                return []
            self._remove_abandoned_parts()
            entries = self.entries()
            total = sum(entry.size for entry in entries)
            recent = time.time() - self.grace
            removed = []
            for entry in entries:
                if total <= self.max_bytes or entry.used >= recent:
                    break
                self.path(entry.name).unlink(missing_ok=True)
                total -= entry.size
                removed.append(entry.name)
            return removed

    def _remove_abandoned_parts(self) -> None:
        old = time.time() - ABANDONED_PART_SECONDS
        for path in self.root.glob(f"{PART}*"):
            try:
                if path.stat().st_mtime < old:
                    path.unlink(missing_ok=True)
            except FileNotFoundError:
                pass

    # A note of the last sweep a caller made: when (its time) and what it had seen (its text).

    def due(self, seconds: float) -> bool:
        """Whether the last note is older than ``seconds`` (or there is none)."""
        try:
            return (self.root / MARKER).stat().st_mtime <= time.time() - seconds
        except FileNotFoundError:
            return True

    def note(self) -> str | None:
        try:
            return (self.root / MARKER).read_text()
        except FileNotFoundError:
            return None

    def set_note(self, text: str) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=self.root, prefix=PART)
        with os.fdopen(fd, "w") as out:
            out.write(text)
        os.replace(temp, self.root / MARKER)
