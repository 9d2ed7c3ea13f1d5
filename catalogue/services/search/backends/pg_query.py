"""The query language in PostgreSQL: a parsed query as a condition on ``search.documents``.

The query is read by the same parser as the Whoosh index (``search_index.query``: the same
syntax, fields and errors), with a schema whose text fields only fold and lower-case words
and drop stop words; the words are then stemmed by PostgreSQL's French and English
configurations (``search.fr``, ``search.en``, both folding accents with ``unaccent``), so
``fusee`` finds ``fusées`` and ``rockets`` finds ``rocket``:

- a word searched in every text field reads ``tsv_all`` (one GIN index), in one field its
  own ``tsv_<field>``; ``"phrases"`` are ``phraseto_tsquery``; ``prefix*`` a lexeme prefix;
- ``number:`` and words with a digit compare the accession number (exact or prefix);
- ``fuzzy~`` stands for the indexed words within its edit distance (``pg_spelling``);
  other wildcards and ranges are refused with a 400 that says so.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from whoosh import query
from whoosh.analysis import CharsetFilter, LowercaseFilter, RegexTokenizer, StopFilter
from whoosh.fields import TEXT
from whoosh.support.charset import accent_map

from search_index.analysis import STOPWORDS
from search_index.query import QueryError, make_parser
from search_index.schema import build_schema

TEXT_FIELDS = ("title", "description", "maker", "place", "material", "text")
# Field -> the tsvector it is matched against.
VECTORS = {
    "title": "d.tsv_title",
    "description": "d.tsv_description",
    "maker": "d.tsv_maker",
    "place": "d.tsv_place",
    "material": "d.tsv_material",
    "text": "search.bilingual(d.other)",
}
HIGHLIGHTED = ("title", "description")


def parser():
    """The query parser of this backend: the index's, with unstemmed text fields."""
    schema = build_schema()
    words = (
        RegexTokenizer()
        | LowercaseFilter()
        | CharsetFilter(accent_map)
        | StopFilter(stoplist=STOPWORDS, minsize=2)
    )
    for name in TEXT_FIELDS:
        schema.remove(name)
        schema.add(name, TEXT(analyzer=words, phrase=True))
    return make_parser(schema)


@dataclass
class Condition:
    """SQL built from a query: ``where`` over ``search.documents d``, its bound values, the
    tsqueries of the words a match may contain (for ranking and highlights)."""

    params: dict = field(default_factory=dict)
    rank: list[str] = field(default_factory=list)
    numbers: list[str] = field(default_factory=list)
    marks: dict[str, list[str]] = field(default_factory=dict)
    where: str = "TRUE"
    # (folded word, edit distance, prefix length) -> the words a fuzzy term stands for.
    fuzzy: Callable[[str, int, int], list[str]] | None = None

    def bind(self, value) -> str:
        name = f"q{len(self.params)}"
        self.params[name] = value
        return f":{name}"


def translate(parsed: query.Query, fuzzy=None) -> Condition:
    condition = Condition(fuzzy=fuzzy)
    if isinstance(parsed, query.Every):
        return condition
    condition.where = _node(parsed, condition, positive=True)
    return condition


def _words_query(condition: Condition, text: str, phrase: bool = False) -> str:
    kind = "phraseto_tsquery" if phrase else "plainto_tsquery"
    value = condition.bind(text)
    return f"({kind}('search.fr', {value}) || {kind}('search.en', {value}))"


def _prefix_query(condition: Condition, text: str) -> str | None:
    words = re.findall(r"\w+", text)
    if not words:
        return None
    parts = [f"plainto_tsquery('search.simple', {condition.bind(w)})" for w in words[:-1]]
    last = condition.bind(words[-1])
    parts.append(f"to_tsquery('search.simple', quote_literal(unaccent({last})) || ':*')")
    return "(" + " && ".join(parts) + ")"


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _leaf_query(node, condition: Condition) -> str | None:
    """The tsquery of a text leaf (None: the leaf can match nothing)."""
    kind = type(node)
    if kind is query.Term:
        return _words_query(condition, node.text)
    if kind is query.FuzzyTerm:
        words = [node.text]
        if condition.fuzzy is not None:
            words = condition.fuzzy(node.text, node.maxdist, node.prefixlength)
        return "(" + " || ".join(_words_query(condition, word) for word in words) + ")"
    if kind is query.Phrase:
        return _words_query(condition, " ".join(node.words), phrase=True)
    if kind is query.Prefix:
        return _prefix_query(condition, node.text)
    raise QueryError(
        "Wildcards inside a word and ranges are not supported by this search backend; "
        'use words, "phrases", prefix* or fuzzy~.'
    )


def _remember(condition: Condition, fields, tsquery: str, positive: bool) -> None:
    if not positive:
        return
    condition.rank.append(tsquery)
    for name in fields:
        if name in HIGHLIGHTED:
            condition.marks.setdefault(name, []).append(tsquery)


def _number(node, condition: Condition, positive: bool) -> str:
    kind = type(node)
    text = (getattr(node, "text", None) or "").lower()
    if kind is query.Prefix:
        return f"d.number_key LIKE {condition.bind(_escape_like(text) + '%')}"
    if kind in (query.Term, query.FuzzyTerm):
        if positive:
            condition.numbers.append(text)
        return f"d.number_key = {condition.bind(text)}"
    if kind is query.Phrase:
        return f"d.number_key = {condition.bind(' '.join(node.words).lower())}"
    raise QueryError("Accession numbers are matched whole or by prefix (number:1997*).")


def _field_leaf(node, condition: Condition, positive: bool) -> str:
    if node.fieldname == "number":
        return _number(node, condition, positive)
    tsquery = _leaf_query(node, condition)
    if tsquery is None:
        return "FALSE"
    _remember(condition, [node.fieldname], tsquery, positive)
    return f"({VECTORS[node.fieldname]} @@ {tsquery})"


def _leaf_key(node):
    kind = type(node)
    if kind is query.Phrase:
        return (kind, tuple(node.words))
    if kind in (query.Term, query.FuzzyTerm, query.Prefix):
        return (kind, node.text)
    return None


def _any_field(node, condition: Condition, positive: bool) -> str:
    """An Or: the same word in every text field reads ``tsv_all`` once."""
    groups: dict = {}
    rest = []
    for child in node.children():
        key = _leaf_key(child) if child.is_leaf() else None
        if key is None or child.fieldname == "number":
            rest.append(child)
        else:
            groups.setdefault(key, []).append(child)
    parts = []
    for children in groups.values():
        fields = {child.fieldname for child in children}
        if fields.issuperset(TEXT_FIELDS):
            tsquery = _leaf_query(children[0], condition)
            if tsquery is None:
                continue
            _remember(condition, TEXT_FIELDS, tsquery, positive)
            parts.append(f"(d.tsv_all @@ {tsquery})")
        else:
            rest.extend(children)
    parts += [_node(child, condition, positive) for child in rest]
    return "(" + " OR ".join(parts or ["FALSE"]) + ")"


def _node(node, condition: Condition, positive: bool) -> str:
    kind = type(node)
    if isinstance(node, query.Every):
        return "TRUE"
    if node is query.NullQuery or kind.__name__ == "_NullQuery":
        return "FALSE"
    if kind is query.Not:
        return f"(NOT {_node(node.query, condition, not positive)})"
    if kind is query.AndNot:
        return (
            f"({_node(node.a, condition, positive)} AND NOT "
            f"{_node(node.b, condition, not positive)})"
        )
    if kind is query.AndMaybe:
        _node(node.b, condition, positive)  # ranks, never filters
        return _node(node.a, condition, positive)
    if kind is query.Require:
        return f"({_node(node.a, condition, positive)} AND {_node(node.b, condition, positive)})"
    if kind is query.And:
        parts = [_node(child, condition, positive) for child in node.children()]
        return "(" + " AND ".join(parts or ["TRUE"]) + ")"
    if isinstance(node, query.Or) or kind is query.DisjunctionMax:
        return _any_field(node, condition, positive)
    if node.is_leaf() and getattr(node, "fieldname", None):
        return _field_leaf(node, condition, positive)
    raise QueryError("The query cannot be read by this search backend.")
