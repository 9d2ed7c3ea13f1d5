"""What is cached per index segment: postings, field lengths, deletions and masks.

A segment's postings never change and its deletions only grow (the live document count
tells them apart), so all of it is kept, within a memory budget, across searches.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from search_index.postings import read_lengths, read_positions, read_postings


class _Lru:
    """A dict bounded by the bytes of the numpy arrays it holds; thread-safe."""

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.size = 0
        self.items: OrderedDict = OrderedDict()
        self.lock = threading.Lock()

    def get(self, key):
        with self.lock:
            value = self.items.get(key)
            if value is not None:
                self.items.move_to_end(key)
            return value

    def put(self, key, value, nbytes: int):
        # Shared between threads and requests: nobody may change a cached array in place.
        for array in value if isinstance(value, tuple) else (value,):
            if isinstance(array, np.ndarray):
                array.flags.writeable = False
        with self.lock:
            old = self.items.pop(key, None)
            if old is not None:
                self.size -= old[1]
            self.items[key] = (value, nbytes)
            self.size += nbytes
            while self.size > self.budget and len(self.items) > 1:
                _, (_, freed) = self.items.popitem(last=False)
                self.size -= freed
        return value


class Segment:
    """One leaf reader of a searcher, with what is cached for it."""

    def __init__(self, cache: SegmentCache, searcher, reader, offset: int) -> None:
        self.cache = cache
        self.searcher = searcher  # the leaf searcher
        self.reader = reader
        self.offset = offset
        self.size = reader.doc_count_all()
        segment = reader.segment() if hasattr(reader, "segment") else None
        self.id = segment.segment_id() if segment is not None else f"r{id(reader)}"
        self.state = (self.id, reader.doc_count())

    def live(self) -> np.ndarray:
        """The documents not deleted."""
        key = ("live", self.state)
        found = self.cache.get(key)
        if found is None:
            mask = np.ones(self.size, dtype=bool)
            if self.reader.has_deletions():
                deleted = [d for d in range(self.size) if self.reader.is_deleted(d)]
                mask[np.asarray(deleted, dtype=np.int64)] = False
            found = self.cache.put(key, mask, mask.nbytes)
        return found

    def postings(self, field: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, weights) of a term, deleted documents included."""
        key = ("post", self.id, field, btext)
        found = self.cache.get(key)
        if found is None:
            found = read_postings(self.reader, field, btext)
            self.cache.put(key, found, found[0].nbytes + found[1].nbytes + 100)
        return found

    def positions(self, field: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
        """(document number, position) of every occurrence of a term."""
        key = ("pos", self.id, field, btext)
        found = self.cache.get(key)
        if found is None:
            found = read_positions(self.reader, field, btext)
            self.cache.put(key, found, found[0].nbytes * 2 + 100)
        return found

    def lengths(self, field: str) -> np.ndarray:
        key = ("len", self.id, field)
        found = self.cache.get(key)
        if found is None:
            found = read_lengths(self.reader, field, self.size)
            self.cache.put(key, found, found.nbytes)
        return found


class SegmentCache(_Lru):
    """Everything cached about segments, shared by the threads of a process."""

    def __init__(self, budget: int = 256 * 1024 * 1024) -> None:
        super().__init__(budget)

    def get(self, key):
        found = super().get(key)
        return None if found is None else found[0]
