"""Per-segment arrays shared by the processes of a node: facet values, sort keys and field
lengths of every document, written next to the index when a writer commits and memory-mapped
by every process that searches.

Layout, inside an index generation::

    columns/<segment id>/facet.<field>.layers.npy   int32 (FACET_LAYERS or fewer, documents)
                         facet.<field>.extra.npy    int64 (2, n): documents, codes beyond those
                         facet.<field>.values.npy   the values, by code
                         sort.<field>.ranks.npy     int32 rank of each document's value
                         sort.<field>.values.npy    the values, by rank
                         length.<field>.npy         uint8 Whoosh's length byte of each document

A segment never changes once written (its deletions are kept apart), so its arrays are
written once, into a temporary folder renamed into place, and read by any number of
processes: the operating system keeps one copy of their pages for the whole node. Folders of
segments a merge removed go a minute later, after the searchers that still read them.
"""

from __future__ import annotations

import logging
import os
import shutil
import time
import uuid
from pathlib import Path

import numpy as np
from whoosh import index as whoosh_index

from search_index import internals
from search_index.postings import read_postings
from search_index.schema import FACETS

COLUMNS = "columns"
# Facet values per document held in dense columns; any more are counted apart.
FACET_LAYERS = 4
SORT_FIELDS = ("s_number", "s_date_asc", "s_date_desc", "s_updated")
# Folders of segments no longer in the index are removed after this many seconds.
KEEP_GONE_SECONDS = 60.0

log = logging.getLogger(__name__)


# ---- computing the arrays of a segment (a leaf reader) ----------------------------------------


def facet_column(reader, field: str, size: int):
    """(layers, extra documents, extra codes, values) of a facet field.

    ``layers[k, doc]`` is the code of the k-th value of ``doc`` (-1 for none), for the first
    ``FACET_LAYERS`` values; any further ones are listed apart. Counting then costs a look-up
    per matched document instead of a pass over every posting of the field.
    """
    values: list[str] = []
    postings: list[np.ndarray] = []
    if size and field in reader.indexed_field_names():
        to_bytes = reader.schema[field].to_bytes
        for value in reader.field_terms(field):
            values.append(value)
            postings.append(read_postings(reader, field, to_bytes(value))[0])
    filled = np.zeros(size, dtype=np.int32)
    for ids in postings:
        filled[ids] += 1
    depth = min(int(filled.max()) if size else 0, FACET_LAYERS)
    layers = np.full((depth, size), -1, dtype=np.int32)
    filled[:] = 0
    extra_docs: list[np.ndarray] = []
    extra_codes: list[np.ndarray] = []
    for code, ids in enumerate(postings):
        layer = filled[ids]
        inside = layer < depth
        layers[layer[inside], ids[inside]] = code
        if not inside.all():
            extra_docs.append(ids[~inside])
            extra_codes.append(np.full(int((~inside).sum()), code, dtype=np.int64))
        filled[ids] += 1
    extra = np.zeros((2, 0), dtype=np.int64)
    if extra_docs:
        extra = np.stack([np.concatenate(extra_docs), np.concatenate(extra_codes)])
    return layers, extra[0], extra[1], _array(values)


def sort_column(reader, field: str, size: int) -> tuple[np.ndarray, np.ndarray]:
    """(rank of each document's value, the values by rank) of a sortable field."""
    values = list(reader.column_reader(field)) if size else []
    if values and isinstance(values[0], bytes):
        values = [v.decode("utf-8") for v in values]
    uniques, ranks = np.unique(_array(values), return_inverse=True)
    return np.asarray(ranks, dtype=np.int32).reshape(-1), uniques


def _array(values: list) -> np.ndarray:
    if values and not isinstance(values[0], str):
        return np.asarray(values, dtype=np.int64)
    return np.asarray(values, dtype=str) if values else np.zeros(0, dtype="<U1")


def scored_fields(reader) -> list[str]:
    return [name for name, field in reader.schema.items() if field.scorable]


def write_segment(reader, target: Path) -> None:
    """Write the arrays of one segment into ``target``, all at once or not at all."""
    size = reader.doc_count_all()
    temporary = target.parent / f".{target.name}.{uuid.uuid4().hex[:8]}"
    temporary.mkdir(parents=True)
    try:
        for field in FACETS.values():
            layers, extra_docs, extra_codes, values = facet_column(reader, field, size)
            np.save(temporary / f"facet.{field}.layers.npy", layers)
            np.save(temporary / f"facet.{field}.extra.npy", np.stack([extra_docs, extra_codes]))
            np.save(temporary / f"facet.{field}.values.npy", values)
        for field in SORT_FIELDS:
            ranks, values = sort_column(reader, field, size)
            np.save(temporary / f"sort.{field}.ranks.npy", ranks)
            np.save(temporary / f"sort.{field}.values.npy", values)
        for field in scored_fields(reader):
            codes = internals.length_codes(reader, field, size)
            if codes is not None:
                np.save(temporary / f"length.{field}.npy", codes)
        os.replace(temporary, target)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


def write_missing(path: Path) -> int:
    """Write the arrays of every segment of the index at ``path`` that has none, and remove
    those of segments gone for a while; returns how many segments were written."""
    folder = path / COLUMNS
    present: set[str] = set()
    written = 0
    with whoosh_index.open_dir(str(path)).reader() as reader:
        for leaf, _ in reader.leaf_readers():
            if not hasattr(leaf, "segment"):
                continue
            segment_id = leaf.segment().segment_id()
            present.add(segment_id)
            if not (folder / segment_id).is_dir():
                write_segment(leaf, folder / segment_id)
                written += 1
    if folder.is_dir():
        for other in folder.iterdir():
            if other.name in present:
                continue
            try:
                stale = time.time() - other.stat().st_mtime > KEEP_GONE_SECONDS
            except FileNotFoundError:
                continue
            if stale or other.name.startswith("."):
                shutil.rmtree(other, ignore_errors=True)
    return written


# ---- reading them ----------------------------------------------------------------------------


class SharedColumns:
    """The arrays of an index's segments, memory-mapped; counts what had to be computed."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        self.counts = {"shared": 0, "in_memory": 0}

    def _load(self, generation: str | None, segment_id: str, name: str) -> np.ndarray | None:
        if generation is None:
            return None
        try:
            return np.load(self.root / generation / COLUMNS / segment_id / name, mmap_mode="r")
        except (FileNotFoundError, NotADirectoryError):
            return None

    def _counted(self, found, segment_id: str, what: str):
        if found is None:
            self.counts["in_memory"] += 1
            log.info("search arrays of segment %s (%s) computed in memory", segment_id, what)
        else:
            self.counts["shared"] += 1
        return found

    def facet(self, generation, segment_id: str, field: str):
        layers = self._load(generation, segment_id, f"facet.{field}.layers.npy")
        found = None
        if layers is not None:
            extra = self._load(generation, segment_id, f"facet.{field}.extra.npy")
            values = self._load(generation, segment_id, f"facet.{field}.values.npy")
            if extra is not None and values is not None:
                found = (layers, extra[0], extra[1], values)
        return self._counted(found, segment_id, field)

    def sort(self, generation, segment_id: str, field: str):
        ranks = self._load(generation, segment_id, f"sort.{field}.ranks.npy")
        values = self._load(generation, segment_id, f"sort.{field}.values.npy")
        found = None if ranks is None or values is None else (ranks, values)
        return self._counted(found, segment_id, field)

    def lengths(self, generation, segment_id: str, field: str):
        folder = self.root / generation / COLUMNS / segment_id if generation else None
        if folder is not None and folder.is_dir() and not (folder / f"length.{field}.npy").exists():
            self.counts["shared"] += 1
            return False  # written without lengths: the field keeps none
        found = self._load(generation, segment_id, f"length.{field}.npy")
        return self._counted(found, segment_id, field)
