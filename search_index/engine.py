"""Running a search: visibility and filters, sorting, facets, highlights, suggestions."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from whoosh import query
from whoosh.highlight import (
    FIRST,
    BasicFragmentScorer,
    ContextFragmenter,
    HtmlFormatter,
    WholeFragmenter,
    set_matched_filter,
    top_fragments,
)
from whoosh.index import EmptyIndexError
from whoosh.support.levenshtein import distance

from search_index import internals
from search_index.analysis import text_analyzer, text_tokens
from search_index.columns import SharedColumns, facet_column, sort_column
from search_index.highlight import highlight
from search_index.matching import Evaluator, positive_terms
from search_index.query import make_parser, parse
from search_index.schema import FACETS, build_schema
from search_index.segments import Segment, SegmentCache
from search_index.spelling import words_within
from search_index.store import IndexStore

SORTS = {
    "object_number": ("s_number", "s_number"),
    "date": ("s_date_asc", "s_date_desc"),
    "updated": ("s_updated", "s_updated"),
}
HIGHLIGHT_FIELDS = ("title", "description")
SPELLED_FIELDS = {"title", "description", "maker", "place", "material", "text"}
# Unknown words of one query looked up for a suggestion, at most (the last ones).
MAX_SPELLED_WORDS = 8

_TEXT_ANALYZER = text_analyzer()


@dataclass
class SearchRequest:
    """What to look for. ``filters`` maps facet names to accepted values (any of them)."""

    q: str = ""
    statuses: tuple[str, ...] = ("public",)
    filters: dict[str, list[str]] = field(default_factory=dict)
    date_from: int | None = None
    date_to: int | None = None
    sort: str = "relevance"
    page: int = 1
    per_page: int = 20
    facets: tuple[str, ...] = ()
    facet_limit: int = 50


@dataclass
class Hit:
    id: str
    score: float | None
    highlights: dict[str, str]


@dataclass
class SearchResult:
    hits: list[Hit]
    total: int
    facets: dict[str, list[tuple[str, int]]]
    suggestion: str | None = None
    # Which state of the index answered: equal states hold the same documents.
    state: tuple | None = None


class _Formatter(HtmlFormatter):
    """Matched words in ``<mark>``; every other character HTML-escaped."""

    template = "<%(tag)s>%(t)s</%(tag)s>"


class SearchEngine:
    """Searches one ``IndexStore``; keeps per-segment facet columns warm."""

    def __init__(self, store: IndexStore) -> None:
        self.store = store
        self.parser = make_parser(build_schema())
        # Per-segment arrays the writers keep next to the index, mapped by every process.
        self.shared = SharedColumns(store.root)
        self._cache = SegmentCache(shared=self.shared)

    def parse(self, text: str) -> query.Query:
        """Raises ``QueryError`` when the query cannot be read."""
        return parse(self.parser, text)

    def _filter(self, request: SearchRequest) -> query.Query:
        parts: list[query.Query] = [
            query.Or([query.Term("status", status) for status in request.statuses])
        ]
        for name, values in request.filters.items():
            if values:
                parts.append(query.Or([query.Term(FACETS[name], str(v)) for v in values]))
        if request.date_from is not None:
            parts.append(query.NumericRange("date_to", request.date_from, None))
        if request.date_to is not None:
            parts.append(query.NumericRange("date_from", None, request.date_to))
        return query.And(parts)

    def search(self, request: SearchRequest) -> SearchResult:
        """Search; raises ``QueryError`` for a query that cannot be read."""
        while True:
            generation = self.store.generation()
            try:
                return self._search(request)
            except (FileNotFoundError, EmptyIndexError):
                # The generation this thread's searcher read was swapped out and removed while
                # it still had files to open: start again on the current one, as often as
                # swaps happen (each retry follows a swap, so this ends when rebuilds do). A
                # file missing with no swap is a real fault, raised.
                self.store.close()
                if self.store.generation() == generation:
                    raise

    def _search(self, request: SearchRequest) -> SearchResult:
        user_query = self.parse(request.q)
        restriction = self._filter(request)
        relevance = request.sort.lstrip("-") not in SORTS
        with self.store.searcher() as searcher:
            evaluator = Evaluator(self._cache, searcher)
            generation = self.store.searched_generation()
            for segment in evaluator.segments:
                segment.generation = generation
            # (segment, mask of matched documents, their scores or None, their numbers)
            matched: list[tuple[Segment, np.ndarray, np.ndarray | None, np.ndarray]] = []
            total = 0
            for segment in evaluator.segments:
                mask = evaluator.restriction(segment, restriction)
                scores = None
                if not isinstance(user_query, query.Every):
                    found, scores = evaluator.evaluate(segment, user_query, relevance)
                    mask = mask & found
                docs = np.flatnonzero(mask)
                total += len(docs)
                matched.append((segment, mask, scores, docs))
            hits = self._hits(searcher, user_query, matched, request) if total else []
            facets = {
                name: self._count(FACETS[name], matched, request.facet_limit)
                for name in request.facets
            }
            suggestion = None
            if request.q.strip():
                suggestion = self._suggest(evaluator, request.q, user_query, restriction)
            state = (self.store.generation(), searcher.reader().generation())
        return SearchResult(
            hits=hits, total=total, facets=facets, suggestion=suggestion, state=state
        )

    # ---- hits --------------------------------------------------------------------------

    def _hits(self, searcher, user_query, matched, request: SearchRequest) -> list[Hit]:
        limit = request.page * request.per_page
        key = request.sort.lstrip("-")
        descending = request.sort.startswith("-")
        if key in SORTS:
            ranked = self._sorted(matched, SORTS[key][1 if descending else 0], descending, limit)
        else:
            ranked = _by_score(matched, limit, descending)
        shown = ranked[(request.page - 1) * request.per_page : limit]
        words: dict[str, set[str]] = {}
        if not isinstance(user_query, query.Every):
            words = positive_terms(user_query, searcher.reader())
        analyzers = {name: searcher.schema[name].analyzer for name in HIGHLIGHT_FIELDS}
        analyzers = {
            name: None if analyzer == _TEXT_ANALYZER else analyzer
            for name, analyzer in analyzers.items()
        }
        hits = []
        for docnum, score in shown:
            stored = searcher.stored_fields(docnum)
            marks = {}
            for name in HIGHLIGHT_FIELDS:
                if words.get(name) and stored.get(name):
                    fragment = _highlight(analyzers[name], stored[name], words[name], name)
                    if fragment:
                        marks[name] = fragment
            hits.append(Hit(id=stored["id"], score=score, highlights=marks))
        return hits

    def _sort_column(self, segment: Segment, name: str):
        """(rank of each document's value, the values by rank) of a sortable field, cached."""
        key = ("sort", segment.id, name)
        found = self._cache.get(key)
        if found is None:
            found = self.shared.sort(segment.generation, segment.id, name)
            nbytes = 100  # mapped: the node holds one copy
            if found is None:
                found = sort_column(segment.reader, name, segment.size)
                nbytes = found[0].nbytes + found[1].nbytes
            self._cache.put(key, found, nbytes)
        return found

    def _sorted(self, matched, name: str, descending: bool, limit: int):
        """The first ``limit`` (docnum, None) by ``name``, then object number, then docnum."""
        candidates = []
        for segment, _, _, docs in matched:
            if not len(docs):
                continue
            ranks, values = self._sort_column(segment, name)
            number_ranks, numbers = self._sort_column(segment, "s_number")
            primary = -ranks[docs] if descending else ranks[docs]
            order = np.lexsort((docs, number_ranks[docs], primary))[:limit]
            for doc in docs[order]:
                value, number = values[ranks[doc]].item(), numbers[number_ranks[doc]].item()
                candidates.append((value, number, int(doc) + segment.offset))
        candidates.sort(key=lambda c: (c[1], c[2]))
        candidates.sort(key=lambda c: c[0], reverse=descending)
        return [(docnum, None) for _, _, docnum in candidates[:limit]]

    # ---- facets ------------------------------------------------------------------------

    def _column(self, segment: Segment, field_name: str):
        """A segment's values of one facet field (``columns.facet_column``), cached while the
        segment lives: mapped from the node's shared arrays, else read here."""
        key = ("facet", segment.id, field_name)
        column = self._cache.get(key)
        if column is None:
            column = self.shared.facet(segment.generation, segment.id, field_name)
            nbytes = 100  # mapped: the node holds one copy
            if column is None:
                column = facet_column(segment.reader, field_name, segment.size)
                nbytes = sum(a.nbytes for a in column)
            self._cache.put(key, column, nbytes)
        return column

    def _count(self, field_name: str, matched, limit: int) -> list[tuple[str, int]]:
        """Exact counts of each value over every matched document, largest first."""
        totals: dict[str, int] = {}
        for segment, mask, _, docs in matched:
            if not len(docs):
                continue
            layers, extra_docs, extra_codes, values = self._column(segment, field_name)
            if not len(values):
                continue
            codes = layers[:, docs].ravel()
            counts = np.bincount(codes[codes >= 0], minlength=len(values))
            if len(extra_docs):
                counts += np.bincount(extra_codes[mask[extra_docs]], minlength=len(values))
            for code in np.flatnonzero(counts):
                value = str(values[code])
                totals[value] = totals.get(value, 0) + int(counts[code])
        ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
        return ranked[:limit]

    # ---- did you mean ------------------------------------------------------------------

    def _suggest(self, evaluator: Evaluator, text: str, parsed, restriction) -> str | None:
        """A better-spelled query, only when some words are unknown and it finds something.

        At most ``MAX_SPELLED_WORDS`` words (the last ones) are looked up, each in bounded
        time (``spelling``); the corrected query is matched as any search is.
        """
        reader = evaluator.reader
        spans: dict[tuple[int, int], list] = {}
        for node in parsed.leaves():
            if (
                type(node) is query.Term
                and node.fieldname in SPELLED_FIELDS
                and getattr(node, "startchar", None) is not None
            ):
                spans.setdefault((node.startchar, node.endchar), []).append(node)
        corrected, changed, looked_up = text, False, 0
        for (start, end), nodes in sorted(spans.items(), reverse=True):
            word = text[start:end]
            lowered = word.lower()
            if not word.isalpha() or len(word) < 3 or _known(reader, nodes):
                continue
            if looked_up == MAX_SPELLED_WORDS:
                break
            looked_up += 1
            best = _closest(reader, evaluator.segments, lowered)
            if best and best != lowered:
                if word[0].isupper():
                    best = best[0].upper() + best[1:]
                corrected = corrected[:start] + best + corrected[end:]
                changed = True
        if not changed:
            return None
        try:
            candidate = self.parse(corrected)
        except ValueError:
            return None
        for segment in evaluator.segments:
            mask = evaluator.restriction(segment, restriction)
            if not isinstance(candidate, query.Every):
                found, _ = evaluator.evaluate(segment, candidate, False)
                mask = mask & found
            if mask.any():
                return corrected
        return None


def _known(reader, nodes) -> bool:
    """Whether any field holds the word as analysed (``fusee`` is known through ``fusée``)."""
    return any((node.fieldname, node.text) in reader for node in nodes)


def _closest(reader, segments, word: str) -> str | None:
    maxdist = 1 if len(word) < 5 else 2
    best = None
    for candidate in words_within(segments, word, maxdist):
        if not candidate.isalpha():
            continue
        rank = (distance(word, candidate), -reader.doc_frequency("spell", candidate), candidate)
        if best is None or rank < best:
            best = rank
    return best[2] if best else None


def _by_score(matched, limit: int, ascending: bool) -> list[tuple[int, float]]:
    """The first ``limit`` (docnum, score), best first (worst first when ``ascending``);
    equal scores in document order."""
    docs_all, scores_all = [], []
    for segment, _, scores, docs in matched:
        if not len(docs):
            continue
        values = scores[docs] if scores is not None else np.zeros(len(docs), dtype=np.float32)
        if ascending:
            values = -values
        if len(docs) > limit:
            kth = np.partition(values, len(values) - limit)[len(values) - limit]
            above = values > kth
            ties = np.flatnonzero(values == kth)[: limit - int(np.count_nonzero(above))]
            keep = np.flatnonzero(above)
            keep = np.concatenate([keep, ties])
            docs, values = docs[keep], values[keep]
        docs_all.append(docs + segment.offset)
        scores_all.append(values)
    if not docs_all:
        return []
    docs = np.concatenate(docs_all)
    values = np.concatenate(scores_all)
    order = np.lexsort((docs, -values))[:limit]
    sign = -1.0 if ascending else 1.0
    return [(int(docs[i]), float(values[i]) * sign) for i in order]


def _highlight(analyzer, text: str, words: set[str], name: str) -> str:
    """Whoosh's highlighting of re-analysed text: whole titles, a few description snippets."""
    if analyzer is None:  # the text analyzer: the same, without Whoosh's per-word objects
        return highlight(text, words, whole=name == "title")
    # Titles are short: show them whole; descriptions as a few snippets.
    fragmenter = (
        WholeFragmenter(charlimit=2000)
        if name == "title"
        else ContextFragmenter(maxchars=200, surround=40)
    )
    if analyzer is None:  # the text analyzer
        tokens = text_tokens(text)
    else:
        tokens = analyzer(text, positions=True, chars=True, mode="index", removestops=False)
    tokens = internals.merge_matched_tokens(set_matched_filter(tokens, frozenset(words)))
    fragments = fragmenter.fragment_tokens(text, tokens)
    fragments = top_fragments(fragments, 2, BasicFragmentScorer(), FIRST, minscore=1)
    return _Formatter(tagname="mark", between=" … ").format(fragments)
