"""Every object of a search, for adding them all to a set."""

from __future__ import annotations

import uuid

from marshmallow import ValidationError

from catalogue.schemas.common import flatten_messages
from catalogue.schemas.search import SearchArgs
from catalogue.services.errors import ValidationFailed
from catalogue.services.identity import Identity
from catalogue.services.search import query as search_query

LISTS = ("object_type", "material", "collection", "maker", "place")
PAGE = 500


def search_args(body: dict) -> dict:
    """The search endpoint's arguments from ``{"query", "filters"}`` (422 if malformed)."""
    filters = dict(body.get("filters") or {})
    for name in LISTS:
        if name in filters and not isinstance(filters[name], list):
            filters[name] = [filters[name]]
    status = filters.pop("status", None)
    try:
        args = SearchArgs().load({**filters, "q": body.get("query") or ""})
    except ValidationError as error:
        raise ValidationFailed(
            {f"filters.{k}": v for k, v in flatten_messages(error.messages).items()}
        ) from error
    if status is not None:
        if status not in ("draft", "internal", "public"):
            raise ValidationFailed({"filters.status": ["One of draft, internal, public."]})
        args["status"] = status
    args["sort"] = "object_number"
    return args


def objects_of_search(identity: Identity, body: dict, limit: int) -> list[uuid.UUID]:
    """The ids of every object the search finds for ``identity``, at most ``limit``; a
    search that finds more is a 422 (narrow it), so a set never holds half a search."""
    args = search_args(body)
    found: list[uuid.UUID] = []
    page = 1
    while True:
        result, _, _ = search_query.search(identity, {**args, "page": page, "per_page": PAGE})
        found += [uuid.UUID(item["id"]) for item in result.items]
        if result.total > limit:
            raise ValidationFailed(
                {"query": [f"The search finds {result.total} objects; a set holds {limit}."]}
            )
        if not result.has_next or not result.items:
            return found
        page += 1
