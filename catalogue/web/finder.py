"""What the search pages show: the search envelope of the API contract.

The pages render ``items`` (each with a list of ``highlights``), ``facets`` keyed by filter
name with ``{value, label, count}`` entries, and ``suggestion``. ``find`` is the one place
that fetches them, through the same search service as ``GET /api/v1/search``.
"""

from __future__ import annotations

import uuid

from flask_babel import get_locale
from flask_babel import gettext as _

from catalogue.schemas.common import CONTROL
from catalogue.services.errors import BadRequest, ValidationFailed
from catalogue.services.identity import Identity
from catalogue.services.search import query as search_query

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
    """One page of what ``identity`` may find, facets labelled in the interface language.

    A query the search cannot read gives an empty page with ``error`` set to the reason,
    so the page can say what is wrong instead of failing.
    """
    service_args = {
        **{name: [args[name]] for name in FILTERS if args.get(name)},
        "q": args["q"],
        "page": args["page"],
        "per_page": args["per_page"],
        "lang": str(get_locale()),
    }
    if args.get("status"):
        service_args["status"] = args["status"]
    empty = {
        "items": [],
        "total": 0,
        "page": args["page"],
        "per_page": args["per_page"],
        "has_next": False,
        "has_prev": False,
        "facets": {},
        "suggestion": None,
        "error": None,
    }
    try:
        page, facets, suggestion = search_query.search(identity, service_args)
    except (BadRequest, ValidationFailed) as error:
        return {**empty, "error": error.detail}
    return {
        **empty,
        "items": [
            {**item, "highlights": list((item.get("highlights") or {}).values())}
            for item in page.items
        ],
        "total": page.total,
        "has_next": page.has_next,
        "has_prev": page.has_prev,
        "facets": facets,
        "suggestion": suggestion,
    }
