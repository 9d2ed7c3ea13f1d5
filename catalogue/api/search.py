"""``/api/v1/search``: full-text search with filters, facets, highlights and suggestions."""

from __future__ import annotations

from flask_smorest import Blueprint

from catalogue.api.http import envelope, identity, json_response
from catalogue.schemas.common import Problem
from catalogue.schemas.search import SearchArgs, SearchPage
from catalogue.services.search import query as search_query

blp = Blueprint(
    "search",
    __name__,
    url_prefix="/api/v1/search",
    description="Full-text search. Totals and facets count only what the caller may see.",
)


@blp.route("", methods=["GET"])
@blp.arguments(SearchArgs, location="query")
@blp.response(200, SearchPage)
@blp.alt_response(400, schema=Problem, description="A query that cannot be read.")
@blp.alt_response(422, schema=Problem, description="Invalid parameters.")
@blp.alt_response(503, schema=Problem, description="The index cannot be opened.")
def search(args):
    """Search objects: words, "phrases", AND/OR/NOT, field:value, prefix*, fuzzy~."""
    page, facets, suggestion = search_query.search(identity(), args)
    return json_response(envelope(page, facets=facets, suggestion=suggestion))
