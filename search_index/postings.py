"""Reading a segment's postings, positions and field lengths straight into numpy arrays.

Whoosh exposes these one document at a time; they are read block by block through its codec's
own readers (``search_index.internals``, checked at import: there is no slower path).
"""

from __future__ import annotations

import numpy as np

from search_index import internals


def read_postings(reader, field: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    """(document numbers, weights) of a term, deleted documents included."""
    if (field, btext) not in reader:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    blocks = list(internals.posting_blocks(internals.raw_matcher(reader, field, btext)))
    if not blocks:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
    return np.concatenate([b[0] for b in blocks]), np.concatenate([b[1] for b in blocks])


def read_positions(reader, field: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    docs: list[int] = []
    positions: list[int] = []
    if (field, btext) in reader:
        decode = reader.schema[field].format.decode_positions
        matcher = internals.raw_matcher(reader, field, btext)
        while matcher.is_active():
            found = decode(matcher.value())
            docs.extend([matcher.id()] * len(found))
            positions.extend(found)
            matcher.next()
    return np.asarray(docs, dtype=np.int64), np.asarray(positions, dtype=np.int64)


def read_lengths(reader, field: str, size: int) -> np.ndarray:
    codes = internals.length_codes(reader, field, size)
    if codes is None:
        return np.ones(size, dtype=np.float32)
    return internals.LENGTHS[codes]
