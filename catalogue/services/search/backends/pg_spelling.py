"""Words for PostgreSQL search: fuzzy terms (``fuzzy~``) and "did you mean" suggestions.

``search.words`` holds every word of the indexed texts, lower-cased as written and folded
(``search_index.analysis``), added as documents are written and never removed: a word is
only ever offered after a search with it has found something the caller may see.
"""

from __future__ import annotations

import sqlalchemy as sa
from whoosh import query

from search_index.analysis import fold, spelling_analyzer

TEXTS = ("title", "description", "maker", "place", "material", "text")
SPELLED_FIELDS = {"title", "description", "maker", "place", "material", "text"}
# Most words a fuzzy term stands for.
MAX_EXPANSION = 30

_words = spelling_analyzer()

STORE = sa.text(
    "INSERT INTO search.words (word, folded) "
    "SELECT w, f FROM unnest(CAST(:words AS text[]), CAST(:folded AS text[])) AS t (w, f) "
    "ON CONFLICT DO NOTHING"
)


def store(session, documents: list[dict]) -> None:
    """Add the words of ``documents`` (sorted, so concurrent writers never deadlock)."""
    words = {
        token.text
        for document in documents
        for name in TEXTS
        if document.get(name)
        for token in _words(document[name])
    }
    words = sorted(word for word in words if len(word) < 100)
    if words:
        session.execute(STORE, {"words": words, "folded": [fold(word) for word in words]})


def expand(session, folded: str, maxdist: int, prefix: int) -> list[str]:
    """Words within ``maxdist`` edits of ``folded`` that begin as it does (``prefix``
    characters), nearest first."""
    rows = session.execute(
        sa.text(
            "SELECT folded FROM search.words WHERE folded LIKE :start "
            "AND levenshtein(folded, :word) <= :dist "
            "GROUP BY folded ORDER BY min(levenshtein(folded, :word)), folded LIMIT :most"
        ),
        {
            "start": _like(folded[: max(prefix, 1)]) + "%",
            "word": folded,
            "dist": maxdist,
            "most": MAX_EXPANSION,
        },
    ).scalars()
    return list(rows) or [folded]


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _known(session, word: str) -> bool:
    """Whether some document, whatever its status, holds the word (as PostgreSQL stems it)."""
    return bool(
        session.execute(
            sa.text(
                "SELECT EXISTS (SELECT 1 FROM search.documents WHERE tsv_all @@ "
                "(plainto_tsquery('search.fr', :w) || plainto_tsquery('search.en', :w)))"
            ),
            {"w": word},
        ).scalar()
    )


def _closest(session, word: str) -> str | None:
    maxdist = 1 if len(word) < 5 else 2
    rows = session.execute(
        sa.text(
            "SELECT word FROM search.words WHERE folded LIKE :start "
            "AND levenshtein(word, :word) <= :dist "
            "ORDER BY levenshtein(word, :word), word LIMIT 20"
        ),
        {"start": _like(fold(word[0])) + "%", "word": word, "dist": maxdist},
    ).scalars()
    return next((candidate for candidate in rows if candidate.isalpha()), None)


def suggest(session, text: str, parsed, finds: callable) -> str | None:
    """A better-spelled query, only when some words are unknown and it finds something the
    caller may see (``finds(corrected text)``), as the Whoosh index suggests."""
    spans: dict[tuple[int, int], list] = {}
    for node in parsed.leaves():
        if (
            type(node) is query.Term
            and node.fieldname in SPELLED_FIELDS
            and getattr(node, "startchar", None) is not None
        ):
            spans.setdefault((node.startchar, node.endchar), []).append(node)
    corrected, changed = text, False
    for (start, end), _nodes in sorted(spans.items(), reverse=True):
        word = text[start:end]
        lowered = word.lower()
        if not word.isalpha() or len(word) < 3 or _known(session, lowered):
            continue
        best = _closest(session, lowered)
        if best and best != lowered:
            if word[0].isupper():
                best = best[0].upper() + best[1:]
            corrected = corrected[:start] + best + corrected[end:]
            changed = True
    if not changed:
        return None
    return corrected if finds(corrected) else None
