"""Text analysis shared by indexing and querying: French and English in one field.

Words are lower-cased and their accents folded *before* stemming, so ``fusee``, ``Fusée``
and ``fusées`` reduce to the same stem. Each word then goes through the French and then the
English Snowball stemmer: one token per word keeps phrases and highlights simple, and a
record's language need not be known (labels carry both languages side by side).
"""

from __future__ import annotations

from functools import lru_cache
from unicodedata import combining, normalize

from whoosh.analysis import (
    CharsetFilter,
    Filter,
    IDTokenizer,
    LowercaseFilter,
    RegexTokenizer,
    StopFilter,
    Token,
)
from whoosh.analysis.tokenizers import default_pattern
from whoosh.lang.snowball import EnglishStemmer, FrenchStemmer
from whoosh.lang.stopwords import stoplists
from whoosh.support.charset import accent_map

_french = FrenchStemmer()
_english = EnglishStemmer()


def fold(text: str) -> str:
    """Lower-case ``text`` and strip its accents (``Éperlecques`` -> ``eperlecques``)."""
    decomposed = normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not combining(c))


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """The stem of an already folded word, for French and English alike."""
    if len(word) < 4 or word.isdigit():
        return word
    return _english.stem(_french.stem(word))


class BilingualStemFilter(Filter):
    """Stems each token with the French, then the English Snowball stemmer."""

    def __eq__(self, other):
        return other is not None and self.__class__ is other.__class__

    def __call__(self, tokens):
        for token in tokens:
            if not token.stopped:
                token.text = stem(token.text)
            yield token


class NumberQueryFilter(Filter):
    """In queries, only words with a digit can be accession numbers.

    Without this, a stop word such as ``de`` would survive in the number field alone and,
    ANDed with the other words, make a plain query match nothing.
    """

    def __eq__(self, other):
        return other is not None and self.__class__ is other.__class__

    def __call__(self, tokens):
        for token in tokens:
            if token.mode == "query" and not any(c.isdigit() for c in token.text):
                token.stopped = True
                if not token.removestops:
                    yield token
                continue
            yield token


def number_analyzer():
    """Accession numbers: one lower-cased token, matched exactly or by prefix."""
    return IDTokenizer() | LowercaseFilter() | NumberQueryFilter()


def _folded_stoplist() -> frozenset[str]:
    return frozenset(fold(word) for lang in ("fr", "en") for word in stoplists[lang])


STOPWORDS = _folded_stoplist()


def text_analyzer():
    """Tokenise, lower-case, fold accents, drop stop words, stem (both languages)."""
    return (
        RegexTokenizer()
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=STOPWORDS, minsize=2)
        | BilingualStemFilter()
    )


def spelling_analyzer():
    """Words as written (lower case, accents kept): what suggestions are made of."""
    return RegexTokenizer() | LowercaseFilter()


_text_analyzer = text_analyzer()


@lru_cache(maxsize=200_000)
def _analysed(word: str) -> tuple[str, bool]:
    token = next(iter(_text_analyzer(word, mode="index", removestops=False)))
    return token.text, token.stopped


def text_tokens(text: str):
    """The tokens ``text_analyzer()`` makes of ``text`` for highlighting (characters, stop
    words kept), each word analysed once per process rather than once per occurrence."""
    for pos, match in enumerate(default_pattern.finditer(text)):
        analysed, stopped = _analysed(match.group(0))
        token = Token(positions=True, chars=True, removestops=False, mode="index")
        token.text = analysed
        token.stopped = stopped
        token.boost = 1.0
        token.pos = pos
        token.startchar = match.start()
        token.endchar = match.end()
        yield token
