"""Highlighting a shown hit's title and description, fast and exactly as Whoosh does it.

Whoosh's highlighter re-analyses the whole text into ``Token`` objects and walks them through
generators (matched filter, merge, fragmenter): 2-3 ms for each hit with a bilingual
description of 220 words. Here a text is cut into words by the same pattern, each word's
analysis comes from a per-process cache (``analysis._analysed``), a text holding no query word
stops there, and the fragments come from a port of Whoosh's ``ContextFragmenter`` over plain
(start, end) spans that jumps over the words outside any fragment instead of visiting them.
Scores, choice and order of fragments (``top_fragments`` with ``BasicFragmentScorer`` and
``FIRST``), ``WholeFragmenter`` and ``HtmlFormatter`` behave as Whoosh's;
``tests/search_index/test_highlight.py`` compares the two on many texts.
"""

from __future__ import annotations

import bisect
import re
from html import escape
from itertools import accumulate

from whoosh.analysis.tokenizers import default_pattern
from whoosh.highlight import DEFAULT_CHARLIMIT

from search_index.analysis import _analysed

# The words of ``default_pattern`` as one group: splitting a text on it gives, alternately,
# what lies between words and the words, all in C.
_words = re.compile(
    "(" + default_pattern.pattern.replace("(\\.?", "(?:\\.?") + ")", default_pattern.flags
)


def _pieces(text: str) -> list[str]:
    if _words.groups == 1:
        return _words.split(text)
    pieces, end = [], 0  # another pattern in a later Whoosh: the same pieces, made slowly
    for match in default_pattern.finditer(text):
        pieces += [text[end : match.start()], match.group()]
        end = match.end()
    return [*pieces, text[end:]]


def _places(tokens: list[str], marked: set[str]):
    """Indexes of the marked words, found by ``list.index`` (in C), word by word."""
    for word in marked:
        index = tokens.index(word)
        while True:
            yield index
            try:
                index = tokens.index(word, index + 1)
            except ValueError:
                break


class _Spans:
    """(start, end) of word ``i``, from the running lengths of the pieces."""

    def __init__(self, pieces: list[str]) -> None:
        self.bounds = list(accumulate(map(len, pieces)))
        self.count = len(pieces) // 2

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, index: int) -> tuple[int, int]:
        if index < 0:
            index += self.count
        return self.bounds[2 * index], self.bounds[2 * index + 1]


# (startchar, endchar, [(start, end, stem) of each highlighted word])
Fragment = tuple[int, int, list]


def highlight(
    text: str,
    words: set[str] | frozenset[str],
    whole: bool,
    top: int = 2,
    maxchars: int = 200,
    surround: int = 40,
    whole_charlimit: int = 2000,
    tag: str = "mark",
    between: str = " … ",
) -> str:
    """``text`` with the words whose analysis is in ``words`` marked: whole (``whole``, as
    ``WholeFragmenter(charlimit=whole_charlimit)``) or as the ``top`` best fragments of a
    ``ContextFragmenter(maxchars, surround)``; "" when no word matches."""
    pieces = _pieces(text)
    tokens = pieces[1::2]
    get = _STEMS.get
    marked = {word for word in set(tokens) if (get(word) or _stem(word)) in words}
    if not marked:
        return ""
    hits = sorted(_places(tokens, marked))
    spans = _Spans(pieces)
    stems = _Stems(tokens)
    if whole:
        matches = [(*spans[i], stems[i]) for i in hits if spans[i][1] <= whole_charlimit]
        # Whoosh stops at the first word past the limit; later ones end later still.
        fragments = [(0, len(text), matches)] if matches else []
    else:
        fragments = context_fragments(text, spans, stems, hits, maxchars, surround)
    best = _top(fragments, top)
    return between.join(_format(text, fragment, tag) for fragment in best)


_STEMS: dict[str, str] = {}  # word as written -> its analysis, for every word seen
_MAX_STEMS = 200_000


def _stem(word: str) -> str:
    found = _STEMS.get(word)
    if found is None:
        if len(_STEMS) >= _MAX_STEMS:
            _STEMS.clear()
        found = _STEMS[word] = _analysed(word)[0]
    return found


class _Stems:
    """The analysed text of each word, worked out only for the words asked for."""

    def __init__(self, tokens: list[str]) -> None:
        self.tokens = tokens

    def __getitem__(self, index: int) -> str:
        return _stem(self.tokens[index])


def context_fragments(text, spans, stems, hits, maxchars=200, surround=40) -> list[Fragment]:
    """What ``ContextFragmenter(maxchars, surround).fragment_tokens`` yields, for words at
    ``spans`` analysed as ``stems``, ``hits`` being the (sorted) indexes of matched ones."""
    charlimit = DEFAULT_CHARLIMIT
    matched = set(hits)
    fragments: list[Fragment] = []
    n = len(spans)
    first = None
    run = 0  # Whoosh's ``firsts``: the unmatched words from ``run`` on, outside a fragment
    countdown = -1
    tks: list = []
    endchar = None
    currentlen = 0
    i = 0
    while i < n:
        if countdown < 0 and i not in matched:
            # Outside a fragment an unmatched word only joins ``firsts``: go to the next match.
            k = bisect.bisect_left(hits, i)
            j = hits[k] if k < len(hits) else n
            if charlimit and spans[j - 1][1] > charlimit:
                break  # Whoosh stops at that word, with nothing pending
            i = j
            continue
        startchar, endchar = spans[i]
        if charlimit and endchar > charlimit:
            break
        tlength = endchar - startchar
        if currentlen + tlength > maxchars:
            countdown = 0
        elif i in matched:
            countdown = surround
            if first is None:
                # ``firsts`` holds the words of [run, i) that start at most ``surround``
                # characters before the last of them ends.
                # (Looked for backwards from the last one: only a few words are that close.)
                lo = i
                if i > run:
                    last_end = spans[i - 1][1]
                    while lo > run and last_end - spans[lo - 1][0] <= surround:
                        lo -= 1
                if lo < i:
                    first = spans[lo][0]
                else:
                    first = startchar
                    countdown += surround
            tks.append((startchar, endchar, stems[i]))
        if countdown >= 0:
            currentlen += tlength
            countdown -= tlength
            if countdown <= 0:
                fragments.append(_fragment(text, tks, first, endchar))
                tks, first, currentlen, run = [], None, 0, i + 1
        i += 1
    if tks:
        fragments.append(_fragment(text, tks, first, endchar))
    return fragments


def _fragment(text: str, matches: list, first: int | None, endchar: int | None) -> Fragment:
    """As Whoosh's ``mkfrag``."""
    if first is None:
        first = matches[0][0] if matches else 0
    if endchar is None:
        endchar = matches[-1][1] if matches else len(text)
    return max(0, first), min(len(text), endchar), matches


def _score(fragment: Fragment) -> float:
    """``BasicFragmentScorer``: matched words (boost 1) times 100 per distinct word."""
    matches = fragment[2]
    return float(len(matches)) * ((len({m[2] for m in matches}) * 100) or 1)


def _top(fragments: list[Fragment], count: int) -> list[Fragment]:
    """``top_fragments(fragments, count, BasicFragmentScorer(), FIRST, minscore=1)``."""
    # nlargest over (score, fragment): equal scores go to the fragment starting later.
    if len(fragments) == 1:
        return fragments if _score(fragments[0]) >= 1 else []
    scored = sorted(((_score(f), f[0], f) for f in fragments), key=lambda s: s[:2], reverse=True)
    return sorted((f for score, _, f in scored[:count] if score >= 1), key=lambda f: f[0])


def _format(text: str, fragment: Fragment, tag: str) -> str:
    """``HtmlFormatter`` with the template ``<tag>word</tag>``, the rest HTML-escaped."""
    startchar, endchar, matches = fragment
    output = []
    index = startchar
    for start, end, _ in sorted(matches, key=lambda m: (m[0], -(m[1] - m[0]))):
        if start < index:
            continue
        if start > index:
            output.append(escape(text[index:start], quote=False))
        output.append(f"<{tag}>{escape(text[start:end], quote=False)}</{tag}>")
        index = end
    output.append(escape(text[index:endchar], quote=False))
    return "".join(output)
