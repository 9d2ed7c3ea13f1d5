"""``media.cache``: a bounded folder of local copies shared by a node's worker processes."""

from __future__ import annotations

import multiprocessing
import os
import random
import time
from pathlib import Path

import pytest

from media.cache import FileCache

KIB = 1024


def writer(content: bytes):
    def fill(path: Path) -> None:
        path.write_bytes(content)

    return fill


def age(cache: FileCache, name: str, seconds_ago: float) -> None:
    """Say the entry was last used ``seconds_ago``."""
    when = time.time() - seconds_ago
    os.utime(cache.path(name), (when, when))


def names(cache: FileCache) -> list[str]:
    return [entry.name for entry in cache.entries()]


def test_the_least_recently_used_entries_go_first(tmp_path):
    cache = FileCache(tmp_path, max_bytes=3 * KIB)
    for name, used in (("a", 400), ("b", 300), ("c", 200)):
        cache.put(name, writer(b"x" * KIB))
        age(cache, name, used)
    assert cache.get("a") is not None  # used now: "b" is the oldest
    cache.put("d", writer(b"x" * KIB))  # 4 KiB: one must go
    assert names(cache) == ["c", "a", "d"]
    cache.put("e", writer(b"x" * 2 * KIB))  # 5 KiB, but "a", "d" and "e" were just used
    assert sorted(names(cache)) == ["a", "d", "e"]
    assert cache.get("b") is None and cache.get("c") is None


def test_entries_in_use_are_never_removed_and_the_bound_holds_after(tmp_path):
    cache = FileCache(tmp_path, max_bytes=2 * KIB, grace=60)
    for name in ("a", "b", "c"):
        cache.put(name, writer(b"x" * KIB))
    # All three were used within the last minute: a reader may be opening any of them.
    assert sorted(names(cache)) == ["a", "b", "c"]
    for name in ("a", "b"):
        age(cache, name, 120)
    assert cache.evict() == ["a"]
    assert sum(entry.size for entry in cache.entries()) <= 2 * KIB


def test_a_failed_fill_leaves_nothing_and_a_killed_writer_is_cleaned_up(tmp_path):
    cache = FileCache(tmp_path, max_bytes=KIB)

    def broken(path: Path) -> None:
        path.write_bytes(b"half")
        raise OSError("connection reset")

    with pytest.raises(OSError):
        cache.put("a", broken)
    assert list(tmp_path.iterdir()) == []
    left = tmp_path / ".part-killed"
    left.write_bytes(b"half")
    os.utime(left, (time.time() - 7200, time.time() - 7200))
    cache.put("b", writer(b"x"))
    assert not left.exists() and names(cache) == ["b"]


def test_names_cannot_leave_the_folder(tmp_path):
    cache = FileCache(tmp_path, max_bytes=KIB)
    for name in ("../x", "a/b", ".lock", "", "A"):
        with pytest.raises(ValueError):
            cache.path(name)


def content_of(name: str) -> bytes:
    return name.encode() * (3 * KIB // len(name))


def _worker(root: str, seed: int, rounds: int) -> list[str]:
    """One worker process: read or fill entries, checking every byte it reads. The names
    in use move along (ten rounds each), so older entries fall out of use and are evicted
    while the others are read and written."""
    cache = FileCache(Path(root), max_bytes=12 * KIB, grace=0.5)
    pick = random.Random(seed)
    problems = []
    for number in range(rounds):
        name = f"entry-{number // 10 + pick.randrange(3)}"
        path = cache.get(name) or cache.put(name, writer(content_of(name)))
        try:
            with open(path, "rb") as stream:
                if stream.read() != content_of(name):
                    problems.append(f"{name}: wrong content")
        except FileNotFoundError:
            problems.append(f"{name}: removed between get and open")
        time.sleep(0.01)
    return problems


def test_several_processes_share_one_folder(tmp_path):
    context = multiprocessing.get_context("spawn")
    with context.Pool(4) as pool:
        results = pool.starmap(_worker, [(str(tmp_path), seed, 200) for seed in range(4)])
    assert [problem for result in results for problem in result] == []
    assert not list(tmp_path.glob(".part-*"))
    left = FileCache(tmp_path, 0).entries()
    assert len(left) < 22  # of the 22 names used, the older ones were evicted on the way
    time.sleep(0.6)  # past the grace of the last reads
    FileCache(tmp_path, max_bytes=12 * KIB, grace=0.5).evict()
    assert 0 < sum(entry.size for entry in FileCache(tmp_path, 0).entries()) <= 12 * KIB
