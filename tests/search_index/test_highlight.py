"""The fast highlighter marks exactly what Whoosh's highlighter marks, on any text."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh.highlight import (
    FIRST,
    BasicFragmentScorer,
    ContextFragmenter,
    Highlighter,
    HtmlFormatter,
    WholeFragmenter,
    set_matched_filter,
    top_fragments,
)

from search_index.analysis import text_analyzer, text_tokens
from search_index.highlight import highlight


class _Formatter(HtmlFormatter):
    template = "<%(tag)s>%(t)s</%(tag)s>"


def whoosh_highlight(text: str, words: set[str], whole: bool) -> str:
    """The engine's highlighting before the fast path: Whoosh's own machinery."""
    fragmenter = (
        WholeFragmenter(charlimit=2000) if whole else ContextFragmenter(maxchars=200, surround=40)
    )
    tokens = Highlighter._merge_matched_tokens(set_matched_filter(text_tokens(text), words))
    fragments = fragmenter.fragment_tokens(text, tokens)
    fragments = top_fragments(fragments, 2, BasicFragmentScorer(), FIRST, minscore=1)
    return _Formatter(tagname="mark", between=" … ").format(fragments)


def stems(text: str) -> set[str]:
    return {token.text for token in text_analyzer()(text)}


VOCABULARY = [
    "fusée", "Fusées", "rocket", "rockets", "V2", "de", "la", "the", "of", "a", "Éperlecques",
    "bunker", "béton", "1944", "1997.0001.001", "x", "<b>", "&", "Saint-Omer", "l'usine",
    "photographie", "photographs", "wagon", "casque", "helmet", "très", "A4",
    "Hauptsturmführer" * 3, "a" * 45, "b" * 210, "...", "!", "?", ".", "\n", "—", "…",
]  # fmt: skip
QUERY_WORDS = ["fusée", "rocket", "bunker", "béton", "1944", "casque", "a" * 45, "b" * 210, "de"]


def texts(max_size: int):
    return st.lists(st.sampled_from(VOCABULARY), max_size=max_size).map(
        lambda words: " ".join(words)
    )


@settings(max_examples=400, deadline=None)
@given(
    text=texts(400),
    query=st.lists(st.sampled_from(QUERY_WORDS), min_size=1, max_size=4),
    whole=st.booleans(),
)
def test_the_same_marks_as_whoosh(text, query, whole):
    words = set().union(*(stems(word) for word in query)) | set(query)
    assert highlight(text, words, whole) == whoosh_highlight(text, words, whole)


@settings(max_examples=25, deadline=None)
@given(filler=st.integers(min_value=0, max_value=40), whole=st.booleans())
def test_the_same_marks_as_whoosh_past_the_character_limits(filler, whole):
    # Whoosh looks at the first 32,768 characters of a description (2,000 of a title).
    text = ("rocket de la fusée " * 40 + "bunker " * filler) * 50 + " béton fusée"
    words = stems("rocket fusée béton")
    assert highlight(text, words, whole) == whoosh_highlight(text, words, whole)


def test_marks_and_escapes():
    words = stems("fusée")
    text = "Une <fusée> & une Fusée."
    assert highlight(text, words, whole=True) == (
        "Une &lt;<mark>fusée</mark>&gt; &amp; une <mark>Fusée</mark>."
    )
    assert highlight("Un casque.", words, whole=True) == ""
