"""What the search pages show: the search envelope of the API contract.

The pages render ``items`` (each may carry ``highlights``), ``facets`` keyed by filter name
with ``{value, label, count}`` entries, and ``suggestion``. ``find`` is the one place that
fetches them; it uses the catalogue's plain title search until the full-text search service
is in place, which then answers the same envelope with facets and highlights filled in.
"""

from __future__ import annotations

import uuid

from flask_babel import gettext as _

from catalogue.schemas.common import CONTROL
from catalogue.services import overview
from catalogue.services.errors import BadRequest
from catalogue.services.identity import Identity

FILTERS = ("object_type", "collection", "material", "maker", "place")
PER_PAGE = 20


def parse_args(query) -> dict:
    """Search arguments from a query string; a malformed one is a clear 400."""
    args: dict = {"q": (query.get("q") or "").strip()}
    if len(args["q"]) > 1000:
        raise BadRequest(_("The search is longer than 1,000 characters."))
    if CONTROL.search(args["q"]):
        raise BadRequest(_("The search contains control characters."))
    for name in FILTERS:
        value = query.get(name)
        if value:
            try:
                args[name] = uuid.UUID(value)
            except ValueError as error:
                raise BadRequest(_("'%(value)s' is not a valid filter.", value=value)) from error
    if query.get("status"):
        if query["status"] not in ("draft", "internal", "public"):
            raise BadRequest(_("Unknown status."))
        args["status"] = query["status"]
    try:
        args["page"] = max(1, min(int(query.get("page", 1)), 100_000))
    except ValueError as error:
        raise BadRequest(_("The page number is not a number.")) from error
    args["per_page"] = PER_PAGE
    return args


def find(identity: Identity, args: dict) -> dict:
    page = overview.find_objects(identity, args)
    return {
        "items": [{**item, "highlights": item.get("highlights", [])} for item in page.items],
        "total": page.total,
        "page": page.page,
        "per_page": page.per_page,
        "has_next": page.has_next,
        "has_prev": page.has_prev,
        "facets": {},
        "suggestion": None,
    }
