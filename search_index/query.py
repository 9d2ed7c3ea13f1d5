"""Reading the query language: words, "phrases", AND/OR/NOT, field:value, prefix*, fuzzy~."""

from __future__ import annotations

from whoosh import query
from whoosh.qparser import FieldsPlugin, FuzzyTermPlugin, MultifieldParser

from search_index.schema import DEFAULT_FIELDS, FIELD_BOOSTS, QUERY_FIELDS

MAX_QUERY_LENGTH = 1000
MAX_FUZZY_DISTANCE = 2
_ALLOWED = set(DEFAULT_FIELDS)


class QueryError(ValueError):
    """A query that cannot be read; the message says what is wrong."""


def make_parser(schema) -> MultifieldParser:
    parser = MultifieldParser(list(DEFAULT_FIELDS), schema, fieldboosts=FIELD_BOOSTS)
    # Only letters make a field name, so "10:30" or a URL's "http:" stay words... mostly:
    # unknown names are kept (remove_unknown=False) so that they can be reported.
    parser.replace_plugin(FieldsPlugin(expr=r"(?P<text>[A-Za-z_]+):", remove_unknown=False))
    parser.add_plugin(FuzzyTermPlugin())
    return parser


def parse(parser: MultifieldParser, text: str) -> query.Query:
    """The Whoosh query for ``text``; ``Every`` for an empty one. Raises QueryError."""
    text = (text or "").strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise QueryError(f"The query is longer than {MAX_QUERY_LENGTH} characters.")
    if not text:
        return query.Every()
    try:
        parsed = parser.parse(text)
    except RecursionError as error:
        raise QueryError("The query nests too deeply.") from error
    except Exception as error:
        raise QueryError(f"The query cannot be read: {error}.") from error
    _check(parsed)
    return parsed.normalize() if parsed is not query.NullQuery else parsed


def _check(parsed: query.Query) -> None:
    for node in _walk(parsed):
        if getattr(node, "error", None):
            raise QueryError(f"The query cannot be read: {node.error}.")
        field = getattr(node, "fieldname", None)
        if field is not None and field not in _ALLOWED:
            known = ", ".join(f"{name}:" for name in QUERY_FIELDS)
            raise QueryError(f"Unknown field {field!r}; fields are {known}.")
        if isinstance(node, query.FuzzyTerm):
            node.maxdist = min(node.maxdist, MAX_FUZZY_DISTANCE)
            node.prefixlength = max(node.prefixlength, 1)


def _walk(node: query.Query):
    yield node
    for child in node.children():
        yield from _walk(child)
