"""Reading a segment's postings, positions and field lengths straight into numpy arrays.

Whoosh exposes these one document at a time; reading them block by block goes through its
codec's own (private) readers, with the public per-document API as the fallback.
"""

from __future__ import annotations

import numpy as np
from whoosh.util.numeric import byte_to_length

_LENGTHS = np.array([byte_to_length(b) or 1 for b in range(256)], dtype=np.float32)


def read_postings(reader, field: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    empty = (np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32))
    if (field, btext) not in reader:
        return empty
    try:
        # The raw postings, without Whoosh's per-document filter of deleted documents.
        matcher = reader._terms.matcher(field, btext, reader.schema[field].format)
    except AttributeError:
        matcher = reader.postings(field, btext)
    ids: list = []
    weights: list = []
    if hasattr(matcher, "_read_ids") and hasattr(matcher, "_next_block"):
        while matcher.is_active():
            matcher._read_ids()
            matcher._read_weights()
            ids.append(np.asarray(matcher._ids, dtype=np.int64))
            weights.append(np.asarray(matcher._weights, dtype=np.float32))
            matcher._next_block()
        if not ids:
            return empty
        return np.concatenate(ids), np.concatenate(weights)
    while matcher.is_active():
        ids.append(matcher.id())
        weights.append(matcher.weight())
        matcher.next()
    return np.asarray(ids, dtype=np.int64), np.asarray(weights, dtype=np.float32)


def read_positions(reader, field: str, btext: bytes) -> tuple[np.ndarray, np.ndarray]:
    docs: list[int] = []
    positions: list[int] = []
    if (field, btext) in reader:
        fmt = reader.schema[field].format
        try:
            matcher = reader._terms.matcher(field, btext, fmt)
        except AttributeError:
            matcher = reader.postings(field, btext)
        decode = fmt.decode_positions
        while matcher.is_active():
            found = decode(matcher.value())
            docs.extend([matcher.id()] * len(found))
            positions.extend(found)
            matcher.next()
    return np.asarray(docs, dtype=np.int64), np.asarray(positions, dtype=np.int64)


def read_lengths(reader, field: str, size: int) -> np.ndarray:
    try:
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        column = reader._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
    except AttributeError:
        column = False
    if column is None:
        return np.ones(size, dtype=np.float32)
    if column is False:
        values = [reader.doc_field_length(d, field, 1) or 1 for d in range(size)]
        return np.asarray(values, dtype=np.float32)
    codes = np.fromiter((column[d] for d in range(size)), dtype=np.uint8, count=size)
    return _LENGTHS[codes]
