"""What is cached per index segment: postings, field lengths, deletions and masks.

A segment's postings never change and its deletions only grow (the live document count
tells them apart), so all of it is kept, within a memory budget, across searches.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

import numpy as np

from search_index import internals
from search_index.columns import SharedColumns
from search_index.postings import read_positions, read_postings


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


class _Lengths:
    """Decoded field lengths of a segment's documents, from their length bytes."""

    def __init__(self, codes: np.ndarray | None) -> None:
        self.codes = codes

    def __getitem__(self, ids):
        if self.codes is None:  # the field keeps no lengths
            return np.ones(len(ids), dtype=np.float32)
        return internals.LENGTHS[self.codes[ids]]


class Segment:
    """One leaf reader of a searcher, with what is cached for it."""

    # The index generation the searcher reads, where the node's shared arrays are.
    generation: str | None = None

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

    def lengths(self, field: str) -> _Lengths:
        """Field lengths by document number: ``lengths(field)[ids]``."""
        key = ("len", self.id, field)
        found = self.cache.get(key)
        if found is None:
            codes = None
            if self.cache.shared is not None:
                codes = self.cache.shared.lengths(self.generation, self.id, field)
            if codes is None:  # not written for this segment: read here
                codes = internals.length_codes(self.reader, field, self.size)
                nbytes = 0 if codes is None else codes.nbytes
            else:  # mapped: the node holds one copy
                codes, nbytes = (None if codes is False else codes), 100
            found = self.cache.put(key, _Lengths(codes), nbytes)
        return found


class SegmentCache(_Lru):
    """Everything cached about segments, shared by the threads of a process."""

    def __init__(self, budget: int = 256 * 1024 * 1024, shared: SharedColumns | None = None):
        super().__init__(budget)
        self.shared = shared

    def get(self, key):
        found = super().get(key)
        return None if found is None else found[0]
