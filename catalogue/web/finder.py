"""What the search pages show: the search envelope of the API contract.

The pages render ``items`` (each with a list of ``highlights``), ``facets`` keyed by filter
name with ``{value, label, count}`` entries, and ``suggestion``. ``find`` is the one place
that fetches them, through the same search service as ``GET /api/v1/search``.
"""

from __future__ import annotations

import html
import re
import uuid

from flask_babel import get_locale
from flask_babel import gettext as _

from catalogue.schemas import rights as rights_list
from catalogue.schemas.common import CONTROL
from catalogue.services.authorities import places as place_points
from catalogue.services.errors import BadRequest, ValidationFailed
from catalogue.services.identity import Identity
from catalogue.services.search import query as search_query

FILTERS = ("object_type", "collection", "material", "maker", "place")
# What the page keeps when a new query is typed with "keep filters" ticked; and what a chip
# removes. ``q`` and ``page`` are never filters.
KEPT = (*FILTERS, "decade", "date_from", "date_to", "reusable", "rights", "status")
SORTS = ("relevance", "date", "-date", "object_number")
PER_PAGE = 20
MARKS = re.compile(r"</?mark>")
YEAR_LIMIT = 10_000


def fresh_query(query) -> dict | None:
    """The arguments to search with when the search box was submitted from a results page.

    The box carries the filters along with the query it was showing (``prev_q``); a new query
    starts without them unless "keep the filters" (``keep``) is ticked. None when the request
    did not come from the box.
    """
    if "prev_q" not in query:
        return None
    args = query.to_dict(flat=False)
    previous = (args.pop("prev_q", [""])[0] or "").strip()
    keep = args.pop("keep", None)
    args.pop("page", None)
    if (query.get("q") or "").strip() != previous and not keep:
        for name in KEPT:
            args.pop(name, None)
    return args


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
    for name in ("date_from", "date_to"):
        value = (query.get(name) or "").strip()
        if value:
            try:
                year = int(value)
            except ValueError as error:
                raise BadRequest(_("'%(value)s' is not a year.", value=value)) from error
            if abs(year) > YEAR_LIMIT:
                raise BadRequest(_("'%(value)s' is not a year.", value=value))
            args[name] = year
    if args.get("date_from", -YEAR_LIMIT) > args.get("date_to", YEAR_LIMIT):
        raise BadRequest(
            _(
                "The start year (%(start)s) is after the end year (%(end)s).",
                start=args["date_from"],
                end=args["date_to"],
            )
        )
    if query.get("decade"):
        try:
            decade = int(query["decade"])
        except ValueError as error:
            raise BadRequest(_("'%(value)s' is not a decade.", value=query["decade"])) from error
        if abs(decade) > YEAR_LIMIT or decade % 10:
            raise BadRequest(_("'%(value)s' is not a decade.", value=query["decade"]))
        args["decade"] = decade
    if query.get("reusable"):
        if query["reusable"] not in ("true", "1", "on"):
            raise BadRequest(_("Unknown value of 'free to reuse'."))
        args["reusable"] = True
    if query.get("rights"):
        right = rights_list.find(query["rights"])
        if right is None:
            raise BadRequest(_("Unknown rights statement."))
        args["rights"] = right.uri
    sort = query.get("sort") or "relevance"
    if sort not in SORTS:
        raise BadRequest(_("Unknown sort order."))
    args["sort"] = sort
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
        "sort": args.get("sort") or "relevance",
    }
    if args.get("status"):
        service_args["status"] = args["status"]
    years = _years(args)
    if years:
        service_args["date_from"], service_args["date_to"] = years
    if args.get("reusable"):
        service_args["reusable"] = True
    if args.get("rights"):
        service_args["rights"] = [args["rights"]]
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
        "pages": [],
        "places": [],
    }
    try:
        page, facets, suggestion = search_query.search(identity, service_args)
    except (BadRequest, ValidationFailed) as error:
        return {**empty, "error": error.detail}
    return {
        **empty,
        "items": [
            {**item, "highlights": _highlights(item, str(get_locale()))} for item in page.items
        ],
        "total": page.total,
        "has_next": page.has_next,
        "has_prev": page.has_prev,
        "facets": facets,
        "suggestion": suggestion,
        "pages": numbered_pages(args["page"], page.total, args["per_page"]),
        "places": place_points.with_coordinates(facets.get("place") or []),
    }


def _years(args: dict) -> tuple[int | None, int | None] | None:
    """The date range asked for: the from/to years, narrowed by a decade chosen in the facet."""
    start, end = args.get("date_from"), args.get("date_to")
    if args.get("decade") is not None:
        decade = args["decade"]
        start = decade if start is None else max(start, decade)
        end = decade + 9 if end is None else min(end, decade + 9)
    if start is None and end is None:
        return None
    return start, end


def _highlights(item: dict, lang: str) -> list[str]:
    """The fragments to show, each language's text on its own: a title or description stored
    in several languages is indexed as one text, one line per language; the lines in other
    languages are left out when the record has the text in the interface's language."""
    fragments = []
    for name, fragment in (item.get("highlights") or {}).items():
        texts = item.get(name) if isinstance(item.get(name), dict) else {}
        own = _plain(texts.get(lang) or "")
        others = [_plain(v) for k, v in texts.items() if k != lang and isinstance(v, str)]
        for line in str(fragment).split("\n"):
            if not line.strip() or line in fragments:
                continue
            if own and _elsewhere(_plain(line), own, others):
                continue  # the text in another language, which this page shows in its own
            fragments.append(line)
    return fragments


def _elsewhere(text: str, own: str, others: list[str]) -> bool:
    """Whether every piece of a fragment (pieces are joined by "…") comes from a text in
    another language and not from the page's own."""
    pieces = [piece.strip() for piece in text.split("…") if piece.strip()]
    if not pieces or all(piece in own for piece in pieces):
        return False
    return all(any(piece in other for other in others) for piece in pieces)


def _plain(text: str) -> str:
    return " ".join(html.unescape(MARKS.sub("", text)).split())


def numbered_pages(current: int, total: int, per_page: int) -> list[int | None]:
    """Page numbers to link: the first, the last and two either side of this one; None marks
    a gap."""
    last = max(1, -(-total // per_page))
    wanted = {1, last, *range(max(1, current - 2), min(last, current + 2) + 1)}
    pages: list[int | None] = []
    for number in sorted(wanted):
        if pages and pages[-1] is not None and number - pages[-1] > 1:
            pages.append(None)
        pages.append(number)
    return pages


def chips(args: dict, facets: dict) -> list[dict]:
    """The active filters, each with its label and the name to remove from the query."""
    labels = {
        name: {str(f["value"]): f["label"] for f in values} for name, values in facets.items()
    }
    found = []
    for name in KEPT:
        value = args.get(name)
        if value is None or value == "":
            continue
        text = labels.get(name, {}).get(str(value).lower() if name == "reusable" else str(value))
        found.append({"name": name, "value": value, "label": text})
    return found
