"""Matching and scoring a query over whole segments at once, with numpy.

Whoosh's matchers walk the postings one document at a time in Python, which costs about a
microsecond per posting and per query node: a query matching tens of thousands of documents
then takes hundreds of milliseconds before any facet is counted. Here each query node becomes,
per segment, a boolean mask of the documents it matches and a float array of their scores
(BM25F, as Whoosh scores them), computed from postings read block by block into numpy arrays.

Postings, field lengths, deletions and the masks of restrictions (statuses, filters, dates)
are cached per segment (a segment's postings never change; its deletions only grow, so the
live document count tells them apart) with a bounded size, so a warm searcher answers from
memory. Query nodes this module does not know (phrases, ranges) are matched by Whoosh itself,
restricted to their segment, and scored from their words.
"""

from __future__ import annotations

import math

import numpy as np
from whoosh import query

from search_index import internals
from search_index.segments import Segment, SegmentCache

_K1, _B = 1.2, 0.75
# Phrases with more slop than this are left to Whoosh; positions stay below the stride.
MAX_SLOP = 8
_STRIDE = 1 << 32


class Evaluator:
    """Evaluates queries over the segments of one searcher."""

    def __init__(self, cache: SegmentCache, searcher) -> None:
        self.cache = cache
        self.searcher = searcher
        self.reader = searcher.reader()
        self.total = searcher.doc_count_all()
        leaves = searcher.subsearchers or [(searcher, 0)]
        self.segments = [Segment(cache, leaf, leaf.reader(), offset) for leaf, offset in leaves]
        self._idf: dict = {}
        self._avg: dict = {}

    # ---- scoring helpers ----------------------------------------------------------------

    def _term_weight(self, field: str, btext: bytes) -> tuple[float, float] | None:
        """(idf, average field length), or None for a field that is not scored."""
        schema_field = self.searcher.schema[field]
        if not schema_field.scorable:
            return None
        key = (field, btext)
        if key not in self._idf:
            df = self.reader.doc_frequency(field, btext)
            self._idf[key] = math.log(max(self.total, 1) / (df + 1)) + 1
        if field not in self._avg:
            self._avg[field] = self.searcher.avg_field_length(field) or 1
        return self._idf[key], self._avg[field]

    def _term(self, seg: Segment, field: str, btext: bytes, boost: float, scored: bool):
        ids, weights = seg.postings(field, btext)
        mask = np.zeros(seg.size, dtype=bool)
        mask[ids] = True
        if not scored:
            return mask, None
        scores = np.zeros(seg.size, dtype=np.float32)
        weight = self._term_weight(field, btext)
        if weight is None:
            scores[ids] = weights * boost
        else:
            idf, avg = weight
            lengths = seg.lengths(field)[ids]
            norm = _K1 * ((1 - _B) + _B * lengths / avg)
            scores[ids] = boost * idf * (weights * (_K1 + 1)) / (weights + norm)
        return mask, scores

    # ---- evaluation ---------------------------------------------------------------------

    def evaluate(self, seg: Segment, node: query.Query, scored: bool = True):
        """(mask, scores or None) of ``node`` over ``seg``; deleted documents may be set."""
        kind = type(node)
        if kind is query.Term:
            field = node.fieldname
            if field not in self.searcher.schema:
                return np.zeros(seg.size, dtype=bool), _zeros(seg, scored)
            btext = self.searcher.schema[field].to_bytes(node.text)
            return self._term(seg, field, btext, node.boost, scored)
        if kind is query.And:
            return self._and(seg, node.subqueries, scored)
        if kind is query.Or and not node.minmatch:
            return self._or(seg, node.subqueries, node.boost, scored)
        if kind is query.Every:
            return np.ones(seg.size, dtype=bool), _zeros(seg, scored)
        if kind is query.NullQuery or node is query.NullQuery:
            return np.zeros(seg.size, dtype=bool), _zeros(seg, scored)
        if kind is query.Not:
            mask, _ = self.evaluate(seg, node.query, False)
            return ~mask, _zeros(seg, scored)
        if kind is query.AndNot:
            mask, scores = self.evaluate(seg, node.a, scored)
            negative, _ = self.evaluate(seg, node.b, False)
            return mask & ~negative, scores
        if kind is query.AndMaybe:
            mask, scores = self.evaluate(seg, node.a, scored)
            if scored:
                _, extra = self.evaluate(seg, node.b, True)
                scores = scores + extra * mask
            return mask, scores
        if kind is query.Require:
            mask, scores = self.evaluate(seg, node.a, scored)
            required, _ = self.evaluate(seg, node.b, False)
            return mask & required, scores
        if isinstance(node, query.MultiTerm) and not isinstance(node, query.Variations):
            return self._multiterm(seg, node, scored)
        return self._fallback(seg, node, scored)

    def _and(self, seg: Segment, children, scored: bool):
        mask = np.ones(seg.size, dtype=bool)
        scores = _zeros(seg, scored)
        for child in children:
            if type(child) is query.Not:
                negative, _ = self.evaluate(seg, child.query, False)
                mask &= ~negative
                continue
            child_mask, child_scores = self.evaluate(seg, child, scored)
            mask &= child_mask
            if scored:
                scores += child_scores
        if scored:
            scores *= mask
        return mask, scores

    def _or(self, seg: Segment, children, boost: float, scored: bool):
        mask = np.zeros(seg.size, dtype=bool)
        scores = _zeros(seg, scored)
        for child in children:
            child_mask, child_scores = self.evaluate(seg, child, scored)
            mask |= child_mask
            if scored:
                scores += child_scores
        if scored and boost != 1.0:
            scores *= boost
        return mask, scores

    def _multiterm(self, seg: Segment, node, scored: bool):
        field = node.field()
        mask = np.zeros(seg.size, dtype=bool)
        scores = _zeros(seg, scored)
        if field not in self.searcher.schema:
            return mask, scores
        # Scored like Whoosh: each expansion by itself, added up.
        for btext in self._expand(node):
            term_mask, term_scores = self._term(seg, field, btext, node.boost, scored)
            if scored:
                scores += term_scores
            mask |= term_mask
        return mask, scores

    def _expand(self, node) -> list[bytes]:
        key = ("expand", id(self.reader), repr(node))
        found = self._idf.get(key)
        if found is None:
            to_bytes = self.searcher.schema[node.field()].to_bytes
            found = sorted(
                {
                    b if isinstance(b, bytes) else to_bytes(b)
                    for b in internals.expansions(node, self.reader)
                    if b
                }
            )
            self._idf[key] = found
        return found

    def _fallback(self, seg: Segment, node, scored: bool):
        """Whoosh matches the node within the segment; its words give the scores."""
        mask = np.zeros(seg.size, dtype=bool)
        docs = self._phrase(seg, node) if type(node) is query.Phrase else None
        if docs is None:
            docs = np.fromiter(node.docs(seg.searcher), dtype=np.int64)
        mask[docs] = True
        if not scored:
            return mask, None
        scores = np.zeros(seg.size, dtype=np.float32)
        for field, btext in node.existing_terms(self.reader, phrases=True, expand=True):
            _, term_scores = self._term(seg, field, btext, node.boost, True)
            scores += term_scores
        return mask, scores * mask

    def _phrase(self, seg: Segment, node: query.Phrase) -> np.ndarray | None:
        """Documents holding the words in order, as Whoosh's ``SpanNear2`` finds them
        (each word within ``slop`` positions after the previous one); None to leave the
        phrase to Whoosh."""
        schema = self.searcher.schema
        if node.fieldname not in schema or not 1 <= node.slop <= MAX_SLOP or not node.words:
            return None
        field = schema[node.fieldname]
        if not field.format or not field.format.supports("positions"):
            return None
        words = [field.to_bytes(word) for word in node.words]
        # Only documents holding every word can hold the phrase: often none at all.
        candidates = np.ones(seg.size, dtype=bool)
        for btext in words:
            ids, _ = seg.postings(node.fieldname, btext)
            word_mask = np.zeros(seg.size, dtype=bool)
            word_mask[ids] = True
            candidates &= word_mask
        if not candidates.any():
            return np.zeros(0, dtype=np.int64)
        docs, positions = seg.positions(node.fieldname, words[0])
        keep = candidates[docs]
        docs, starts = docs[keep], positions[keep]
        ends = starts
        for btext in words[1:]:
            other_docs, other_positions = seg.positions(node.fieldname, btext)
            keep = candidates[other_docs]
            keys = np.unique(other_docs[keep] * _STRIDE + other_positions[keep])
            found_docs, found_starts, found_ends = [], [], []
            for gap in range(1, node.slop + 1):
                hit = np.isin(docs * _STRIDE + ends + gap, keys, assume_unique=False)
                found_docs.append(docs[hit])
                found_starts.append(starts[hit])
                found_ends.append(ends[hit] + gap)
            docs = np.concatenate(found_docs)
            starts = np.concatenate(found_starts)
            ends = np.concatenate(found_ends)
            if not len(docs):
                break
        return np.unique(docs)

    # ---- restrictions -------------------------------------------------------------------

    def restriction(self, seg: Segment, node: query.Query) -> np.ndarray:
        """The mask of a filter (statuses, facets, dates) over live documents, cached."""
        key = ("filter", seg.state, repr(node))
        found = self.cache.get(key)
        if found is None:
            mask, _ = self.evaluate(seg, node, False)
            found = self.cache.put(key, mask & seg.live(), mask.nbytes + 200)
        return found


def _zeros(seg: Segment, scored: bool):
    return np.zeros(seg.size, dtype=np.float32) if scored else None


def positive_terms(node: query.Query, reader) -> dict[str, set[str]]:
    """Field -> words (as indexed) a matching document may contain, negations left out."""
    found: dict[str, set[str]] = {}

    def walk(current):
        kind = type(current)
        if kind is query.Not:
            return
        if kind in (query.AndNot, query.Require):
            walk(current.a)
            if kind is query.Require:
                walk(current.b)
            return
        if kind is query.AndMaybe:
            walk(current.a)
            walk(current.b)
            return
        if current.is_leaf():
            try:
                terms = list(current.existing_terms(reader, phrases=True, expand=True))
            except Exception:
                terms = []
            for field, btext in terms:
                if field in reader.schema:
                    text = reader.schema[field].from_bytes(btext)
                    found.setdefault(field, set()).add(text)
            return
        for child in current.children():
            walk(child)

    walk(node)
    return found
