"""Every use of Whoosh's private names, in one place, checked when the package is imported.

Whoosh exposes postings and field lengths one document at a time; the numpy matcher reads them
block by block and column by column through the codec of Whoosh's file format
(``whoosh.codec.whoosh3``), and a fix to that codec's per-document reader is applied here. None
of this is Whoosh's public API, so a new Whoosh release may change it without notice.
``check()``, run when ``search_index`` is imported, proves that each private name is still there
with the shape this module uses (its parameters; what it returns on a small index built in
memory, compared with Whoosh's public API) and raises ``InternalsChanged`` naming the first one
that is not. There is no slower path to fall back to: a search either reads the blocks or the
service does not start.

The names, read by this module only (``tests/search_index/test_internals.py`` holds that):

- ``SegmentReader._terms`` and ``W3TermsReader.matcher``: the raw postings of a term, deleted
  documents included (the public ``postings()`` filters them one document at a time);
- ``W3LeafMatcher._read_ids``, ``_read_weights``, ``_ids``, ``_weights``, ``_next_block``:
  a block of postings at once;
- ``SegmentReader._perdoc``, ``W3PerDocReader._cached_reader``, ``_lenfield`` and
  ``LENGTHS_COLUMN``: the column of encoded field lengths;
- ``MultiTerm._btexts``: the words a prefix, wildcard or fuzzy term expands to;
- ``Highlighter._merge_matched_tokens``: highlighting already-analysed tokens.
"""

from __future__ import annotations

import inspect
import os
import uuid
from collections.abc import Iterable, Iterator

import numpy as np
import whoosh
from whoosh import highlight, query
from whoosh.codec import whoosh3 as w3
from whoosh.util.numeric import byte_to_length, length_to_byte

# Decoded field length of each length byte (Whoosh stores lengths in one byte).
LENGTHS = np.array([byte_to_length(b) or 1 for b in range(256)], dtype=np.float32)


class InternalsChanged(RuntimeError):
    """The installed Whoosh no longer has a private name this package reads."""

    def __init__(self, name: str, problem: str) -> None:
        self.name = name
        super().__init__(
            f"Whoosh {whoosh.versionstring()} changed {name}: {problem}. "
            "search_index/internals.py reads it and must be adapted "
            "(the Whoosh versions tested are pinned in pyproject.toml)."
        )


# ---- the adapter ----------------------------------------------------------------------------


def raw_matcher(reader, field: str, btext: bytes):
    """The postings of a term as the codec stores them, deleted documents included.

    ``reader`` is a leaf reader of a searcher that holds the term."""
    return reader._terms.matcher(field, btext, reader.schema[field].format)


def posting_blocks(matcher) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(document numbers, weights) of each block of a raw matcher, in order."""
    while matcher.is_active():
        matcher._read_ids()
        matcher._read_weights()
        yield (
            np.asarray(matcher._ids, dtype=np.int64),
            np.asarray(matcher._weights, dtype=np.float32),
        )
        matcher._next_block()


def length_codes(reader, field: str, size: int) -> np.ndarray | None:
    """The length byte of ``field`` for each of the ``size`` documents of a leaf reader; None
    when the field keeps no lengths (unscored fields)."""
    if size == 0:
        return np.zeros(0, dtype=np.uint8)
    column = reader._perdoc._cached_reader(w3._lenfield(field), w3.LENGTHS_COLUMN)
    if column is None:
        return None
    return np.fromiter((column[d] for d in range(size)), dtype=np.uint8, count=size)


def expansions(node: query.MultiTerm, reader) -> Iterable[bytes | str]:
    """The indexed words a prefix, wildcard or fuzzy term stands for."""
    return node._btexts(reader)


def merge_matched_tokens(tokens):
    """Whoosh's highlighter step that joins adjacent matched tokens."""
    return highlight.Highlighter._merge_matched_tokens(tokens)


# ---- the fix to Whoosh ----------------------------------------------------------------------

_MISSING = object()


def _cached_reader(self, fieldname, column):
    """``W3PerDocReader._cached_reader``, caching "this field has no column" too.

    Whoosh caches the column reader of a field that has a length column, but not the answer
    "none": every posting of an unscored field (ids, keywords, numbers) then asks the file
    system whether the column file exists, once per posting when a segment is written or
    merged, a third of the time of a large catch-up. The answer cannot change while the reader
    lives (segments are immutable).
    """
    readers = self._readers
    reader = readers.get(fieldname, _MISSING)
    if reader is _MISSING:
        reader = self.column_reader(fieldname, column) if self.has_column(fieldname) else None
        readers[fieldname] = reader
    return reader


_cached_reader.caches_missing = True


def _patch() -> None:
    if not getattr(w3.W3PerDocReader._cached_reader, "caches_missing", False):
        w3.W3PerDocReader._cached_reader = _cached_reader


# ---- the check ------------------------------------------------------------------------------

# Where each private name is defined (on that class or module itself, not inherited), and how
# many positional arguments this module passes it (None: not a function).
SIGNATURES = [
    (w3.W3TermsReader, "matcher", 4),  # (self, field, btext, format)
    (w3.W3LeafMatcher, "_read_ids", 1),
    (w3.W3LeafMatcher, "_read_weights", 1),
    (w3.W3LeafMatcher, "_next_block", 1),
    (w3.W3PerDocReader, "_cached_reader", 3),  # (self, length field, column)
    (w3, "_lenfield", 1),
    (w3, "LENGTHS_COLUMN", None),
    (query.PatternQuery, "_btexts", 2),  # prefixes and wildcards (self, reader)
    (query.FuzzyTerm, "_btexts", 2),
    (highlight.Highlighter, "_merge_matched_tokens", 1),  # a static method (tokens)
]


def _name(owner, attribute: str) -> str:
    prefix = owner.__name__ if inspect.ismodule(owner) else f"{owner.__module__}.{owner.__name__}"
    return f"{prefix}.{attribute}"


def _check_signatures() -> None:
    for owner, attribute, arguments in SIGNATURES:
        name = _name(owner, attribute)
        if attribute not in vars(owner):
            raise InternalsChanged(name, "it is missing")
        if arguments is None:
            continue
        value = vars(owner)[attribute]
        if isinstance(value, staticmethod | classmethod):
            value = value.__func__
        if not callable(value):
            raise InternalsChanged(name, "it is no longer a function")
        try:
            inspect.signature(value).bind(*[None] * arguments)
        except TypeError:
            found = tuple(inspect.signature(value).parameters)
            raise InternalsChanged(
                name, f"it takes {found}, no longer {arguments} positional arguments"
            ) from None


def _probe_index():
    """A small index in memory: more postings than one block, one scored and one unscored
    field, one document deleted."""
    from whoosh.fields import ID, KEYWORD, TEXT, Schema
    from whoosh.filedb.filestore import RamStorage

    schema = Schema(id=ID(stored=True, unique=True), body=TEXT, tags=KEYWORD(scorable=False))
    # The writer of an index in memory keeps temporary files in the system's temporary folder,
    # named after the index: a name of its own, or processes starting together (the workers
    # of a node) would remove each other's.
    ix = RamStorage().create_index(schema, indexname=f"probe-{os.getpid()}-{uuid.uuid4().hex}")
    writer = ix.writer()
    for n in range(140):  # more than one block of 128 postings
        words = ["alpha"] * (1 + n % 3) + (["beta"] if n % 7 == 0 else []) + ["w" * (2 + n % 5)]
        writer.add_document(id=str(n), body=" ".join(words), tags="t1" if n % 2 else "t2")
    writer.commit()
    writer = ix.writer()
    writer.delete_by_term("id", "7")
    writer.commit()
    return ix


def _check_behaviour() -> None:
    ix = _probe_index()
    with ix.searcher() as searcher:
        reader = searcher.reader()
        for attribute in ("_terms", "_perdoc"):
            if not hasattr(reader, attribute):
                raise InternalsChanged(f"whoosh.reading.SegmentReader.{attribute}", "it is missing")
        # What the documents above hold, as (document number, weight); "7" is deleted.
        expected = {
            ("body", "alpha"): {n: 1.0 + n % 3 for n in range(140)},
            ("body", "beta"): {n: 1.0 for n in range(0, 140, 7)},
            ("tags", "t1"): {n: 1.0 for n in range(1, 140, 2)},
        }
        name = _name(w3.W3LeafMatcher, "_read_ids/_ids/_read_weights/_weights")
        for (field, word), postings in expected.items():
            btext = reader.schema[field].to_bytes(word)
            matcher = raw_matcher(reader, field, btext)
            if not hasattr(matcher, "_ids") or not hasattr(matcher, "_weights"):
                raise InternalsChanged(name, f"{type(matcher).__name__} has no _ids or _weights")
            blocks = list(posting_blocks(matcher))
            ids = np.concatenate([b[0] for b in blocks]).tolist()
            weights = np.concatenate([b[1] for b in blocks]).tolist()
            if len(blocks) < (2 if word == "alpha" else 1) or (
                dict(zip(ids, weights, strict=True)) != postings
            ):
                raise InternalsChanged(name, f"the blocks of {field}:{word} are not its postings")
        size = reader.doc_count_all()
        codes = length_codes(reader, "body", size)
        lengths = [(1 + n % 3) + (n % 7 == 0) + 1 for n in range(140)]
        lengths = [byte_to_length(length_to_byte(n)) for n in lengths]
        name = _name(w3.W3PerDocReader, "_cached_reader")
        if codes is None or [byte_to_length(int(c)) for c in codes] != lengths:
            raise InternalsChanged(name, "the length column does not hold the field lengths")
        if length_codes(reader, "tags", size) is not None:
            raise InternalsChanged(name, "an unscored field now has a length column")
        if reader._perdoc._readers.get(w3._lenfield("tags"), _MISSING) is not None:
            raise InternalsChanged(name, "the fix caching a missing column is not applied")
        for node, owner, expected_words in (
            (
                query.Prefix("body", "www"),
                query.PatternQuery,
                [b"www", b"wwww", b"wwwww", b"wwwwww"],
            ),
            (query.Wildcard("body", "w?w"), query.PatternQuery, [b"www"]),
            (query.FuzzyTerm("body", "alpga", maxdist=1), query.FuzzyTerm, [b"alpha"]),
        ):
            words = sorted(
                w if isinstance(w, bytes) else w.encode() for w in expansions(node, reader)
            )
            if words != expected_words:
                raise InternalsChanged(_name(owner, "_btexts"), f"{node} gave {words!r}")
    from whoosh.analysis import Token

    # Overlapping matched tokens (a word and its folded form) become one; others pass through.
    tokens = [
        Token(text="fus", startchar=0, endchar=3, matched=True),
        Token(text="fusee", startchar=0, endchar=5, matched=True),
        Token(text="v2", startchar=6, endchar=8, matched=False),
    ]
    merged = [(t.startchar, t.endchar, t.matched) for t in merge_matched_tokens(iter(tokens))]
    if merged != [(0, 5, True), (6, 8, False)]:
        name = _name(highlight.Highlighter, "_merge_matched_tokens")
        raise InternalsChanged(name, f"it merged overlapping matched tokens into {merged}")


def check() -> list[str]:
    """Raise ``InternalsChanged`` unless every private name is there and behaves as used;
    returns the names checked."""
    _check_signatures()
    _patch()
    _check_behaviour()
    return [_name(owner, attribute) for owner, attribute, _ in SIGNATURES]
