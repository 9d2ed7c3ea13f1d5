"""Running a search: visibility and filters, sorting, facets, highlights, suggestions."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field

import numpy as np
from whoosh import query
from whoosh.highlight import ContextFragmenter, HtmlFormatter, WholeFragmenter
from whoosh.sorting import FieldFacet
from whoosh.support.levenshtein import distance

from search_index.query import make_parser, parse
from search_index.schema import FACETS, build_schema
from search_index.store import IndexStore

SORTS = {
    "object_number": ("s_number", "s_number"),
    "date": ("s_date_asc", "s_date_desc"),
    "updated": ("s_updated", "s_updated"),
}
HIGHLIGHT_FIELDS = ("title", "description")
SPELLED_FIELDS = {"title", "description", "maker", "place", "material", "text"}


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


class _Formatter(HtmlFormatter):
    """Matched words in ``<mark>``; every other character HTML-escaped."""

    template = "<%(tag)s>%(t)s</%(tag)s>"


class SearchEngine:
    """Searches one ``IndexStore``; keeps per-segment facet columns warm."""

    def __init__(self, store: IndexStore) -> None:
        self.store = store
        self.parser = make_parser(build_schema())
        self._columns: dict[tuple[str, str], tuple[np.ndarray, np.ndarray, list[str]]] = {}
        self._lock = threading.Lock()

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
        user_query = self.parse(request.q)
        restriction = self._filter(request)
        with self.store.searcher() as searcher:
            matched = self._matched(searcher, _combine(user_query, restriction))
            total = int(sum(len(docs) for docs in matched.values()))
            hits = self._hits(searcher, user_query, matched, request) if total else []
            facets = {
                name: self._count(searcher, FACETS[name], matched, request.facet_limit)
                for name in request.facets
            }
            suggestion = None
            if request.q.strip():
                suggestion = self._suggest(searcher, request.q, user_query, restriction)
        return SearchResult(hits=hits, total=total, facets=facets, suggestion=suggestion)

    # ---- matching and hits -------------------------------------------------------------

    @staticmethod
    def _leaves(searcher):
        return searcher.subsearchers or [(searcher, 0)]

    def _matched(self, searcher, combined: query.Query) -> dict[int, np.ndarray]:
        """Matching document numbers per leaf (keyed by the leaf's offset)."""
        matched = {}
        for leaf, offset in self._leaves(searcher):
            matched[offset] = np.fromiter(combined.docs(leaf), dtype=np.int64)
        return matched

    def _hits(self, searcher, user_query, matched, request: SearchRequest) -> list[Hit]:
        allowed = {int(doc) + offset for offset, docs in matched.items() for doc in docs}
        limit = request.page * request.per_page
        options: dict = {"limit": limit, "filter": allowed, "terms": True}
        key = request.sort.lstrip("-")
        if key in SORTS:
            descending = request.sort.startswith("-")
            name = SORTS[key][1 if descending else 0]
            options["sortedby"] = [FieldFacet(name, reverse=descending), FieldFacet("s_number")]
        elif request.sort.startswith("-"):
            options["reverse"] = True
        results = searcher.search(user_query, **options)
        results.formatter = _Formatter(tagname="mark", between=" … ")
        highlight = results.has_matched_terms() and not isinstance(user_query, query.Every)
        hits = []
        for hit in results[(request.page - 1) * request.per_page : limit]:
            marks = {}
            if highlight:
                for name in HIGHLIGHT_FIELDS:
                    # Titles are short: show them whole; descriptions as a few snippets.
                    results.fragmenter = (
                        WholeFragmenter(charlimit=2000)
                        if name == "title"
                        else ContextFragmenter(maxchars=200, surround=40)
                    )
                    fragment = hit.highlights(name, top=2)
                    if fragment:
                        marks[name] = fragment
            hits.append(Hit(id=hit["id"], score=hit.score, highlights=marks))
        return hits

    # ---- facets ------------------------------------------------------------------------

    def _column(self, reader, field_name: str):
        """(document numbers, value codes, values) of one segment, cached while it lives."""
        segment = reader.segment() if hasattr(reader, "segment") else None
        key = (segment.segment_id() if segment else str(id(reader)), field_name)
        column = self._columns.get(key)
        if column is not None:
            return column
        docs: list[np.ndarray] = []
        codes: list[np.ndarray] = []
        values: list[str] = []
        if field_name in reader.indexed_field_names():
            for code, value in enumerate(reader.field_terms(field_name)):
                ids = np.fromiter(reader.postings(field_name, value).all_ids(), dtype=np.int64)
                docs.append(ids)
                codes.append(np.full(len(ids), code, dtype=np.int32))
                values.append(value)
        column = (
            np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64),
            np.concatenate(codes) if codes else np.zeros(0, dtype=np.int32),
            values,
        )
        with self._lock:
            if len(self._columns) > 4096:
                self._columns.clear()
            self._columns[key] = column
        return column

    def _count(self, searcher, field_name: str, matched, limit: int) -> list[tuple[str, int]]:
        """Exact counts of each value over every matched document, largest first."""
        totals: dict[str, int] = {}
        for leaf, offset in self._leaves(searcher):
            found = matched.get(offset)
            if found is None or not len(found):
                continue
            reader = leaf.reader()
            docs, codes, values = self._column(reader, field_name)
            if not values:
                continue
            mask = np.zeros(reader.doc_count_all(), dtype=bool)
            mask[found] = True
            counts = np.bincount(codes[mask[docs]], minlength=len(values))
            for code in np.flatnonzero(counts):
                totals[values[code]] = totals.get(values[code], 0) + int(counts[code])
        ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
        return ranked[:limit]

    # ---- did you mean ------------------------------------------------------------------

    def _suggest(self, searcher, text: str, parsed, restriction) -> str | None:
        """A better-spelled query, only when some words are unknown and it finds something."""
        reader = searcher.reader()
        spans: dict[tuple[int, int], list] = {}
        for node in parsed.leaves():
            if (
                type(node) is query.Term
                and node.fieldname in SPELLED_FIELDS
                and getattr(node, "startchar", None) is not None
            ):
                spans.setdefault((node.startchar, node.endchar), []).append(node)
        corrected, changed = text, False
        for (start, end), nodes in sorted(spans.items(), reverse=True):
            word = text[start:end]
            lowered = word.lower()
            if not word.isalpha() or len(word) < 3 or _known(reader, nodes):
                continue
            best = _closest(reader, lowered)
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
        for docnum in searcher.docs_for_query(_combine(candidate, restriction)):
            del docnum
            return corrected
        return None


def _combine(user_query: query.Query, restriction: query.Query) -> query.Query:
    # Not normalised: Whoosh folds ``And([Every(), x])`` into ``Every()``, dropping ``x``.
    if isinstance(user_query, query.Every):
        return restriction
    return query.And([user_query, restriction])


def _known(reader, nodes) -> bool:
    """Whether any field holds the word as analysed (``fusee`` is known through ``fusée``)."""
    return any((node.fieldname, node.text) in reader for node in nodes)


def _closest(reader, word: str) -> str | None:
    maxdist = 1 if len(word) < 5 else 2
    best = None
    for candidate in reader.terms_within("spell", word, maxdist):
        if not candidate.isalpha():
            continue
        rank = (distance(word, candidate), -reader.doc_frequency("spell", candidate), candidate)
        if best is None or rank < best:
            best = rank
    return best[2] if best else None
