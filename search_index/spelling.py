"""Words of the index close to a misspelled one, in bounded time.

Whoosh finds them by walking its term dictionary with a Levenshtein automaton in Python:
hundreds of milliseconds for a word of a large collection, paid by every query holding an
unknown word (most queries that find nothing). Here each segment's words (the ``spell``
field) are read once while the segment lives, grouped by length, and compared in C
(``rapidfuzz``): only the words whose length is within ``maxdist`` of the word's are looked
at. The words found are the same (plain Levenshtein distance, as Whoosh's automaton).
"""

from __future__ import annotations

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from search_index.segments import Segment

SPELL_FIELD = "spell"


def _vocabulary(segment: Segment) -> dict[int, list[str]]:
    """The segment's spelling words by length, cached while the segment lives."""
    key = ("spell", segment.id)
    found = segment.cache.get(key)
    if found is None:
        found = {}
        size = 0
        reader = segment.reader
        if SPELL_FIELD in reader.indexed_field_names():
            for word in reader.field_terms(SPELL_FIELD):
                found.setdefault(len(word), []).append(word)
                size += 60 + len(word)
        segment.cache.put(key, (found,), size + 1000)
        return found
    return found[0]


def words_within(segments: list[Segment], word: str, maxdist: int) -> set[str]:
    """Every word of the segments within ``maxdist`` edits (Levenshtein) of ``word``."""
    found: set[str] = set()
    for segment in segments:
        by_length = _vocabulary(segment)
        for length in range(max(1, len(word) - maxdist), len(word) + maxdist + 1):
            choices = by_length.get(length)
            if not choices:
                continue
            for candidate, _, _ in process.extract_iter(
                word, choices, scorer=Levenshtein.distance, score_cutoff=maxdist
            ):
                found.add(candidate)
    return found
