"""Searching: the objects a caller may see, a page of summaries with highlights, and facets.

A search reads the app's backend (``search.backends``: the node's Whoosh index, or
PostgreSQL) as it stands and never writes it: the backend follows the change log, so a
search never waits for a writer.
"""

from __future__ import annotations

import uuid

import sqlalchemy as sa
from flask import current_app

from catalogue.extensions import db
from catalogue.models import Agent, CatalogueObject, Collection, Place, Term
from catalogue.schemas import rights as rights_list
from catalogue.schemas.text import refusal
from catalogue.services import labels
from catalogue.services.errors import BadRequest, Unavailable, ValidationFailed
from catalogue.services.identity import Identity, view_of
from catalogue.services.pagination import Page
from catalogue.services.search import backends
from search_index.engine import SearchRequest
from search_index.query import QueryError
from search_index.store import IndexUnavailable

FACET_NAMES = (
    "object_type",
    "material",
    "collection",
    "maker",
    "place",
    "decade",
    "has_media",
    "rights",
)


FACET_AUTHORITIES = {
    "object_type": Term,
    "material": Term,
    "collection": Collection,
    "maker": Agent,
    "place": Place,
}


SUMMARY_FIELDS = (
    "id",
    "object_number",
    "status",
    "object_type",
    "title",
    "description",
    "production",
    "materials",
    "collections",
    "media",
    "updated_at",
    "links",
)


def _summary(record: dict) -> dict:
    return {key: record.get(key) for key in SUMMARY_FIELDS if key in record}


DECADE_LABELS = {"fr": "années {}", "en": "{}s"}


MEDIA_LABELS = {
    "fr": {"true": "avec média", "false": "sans média"},
    "en": {"true": "with media", "false": "without media"},
}


# Facet labels already read, for one state of the index: (state, {(table, id, lang): label}).
# An authority's new label re-renders the objects that show it, which moves the index to a new
# state; so within one state the labels of the values it counts cannot have changed.
_LABELS: list = [None, {}]
_MAX_LABELS = 100_000


def _facet_labels(counts, lang: str, default: str, state) -> dict[str, dict[str, object]]:
    """Table name -> {id: label} of the authorities among the facet values."""
    if state is None or _LABELS[0] != state:
        _LABELS[:] = [state, {}]
    known: dict = _LABELS[1]
    found: dict[str, dict[str, object]] = {}
    wanted: dict[type, set] = {}
    for name, model in FACET_AUTHORITIES.items():
        table = model.__tablename__
        for value, _ in counts.get(name, []):
            label = known.get((table, value, lang, default))
            if label is not None:
                found.setdefault(table, {})[value] = label
            elif (key := _uuid(value)) is not None:
                wanted.setdefault(model, set()).add(key)
    # Every label not known yet in one round trip: a SELECT per table, joined by UNION ALL.
    selects = [
        sa.select(sa.literal(model.__tablename__).label("kind"), model.id, model.label).where(
            model.id.in_(sorted(ids))
        )
        for model, ids in wanted.items()
        if ids
    ]
    if selects:
        if len(known) > _MAX_LABELS:
            known.clear()
        for row in db.session.execute(sa.union_all(*selects)).all():
            label = labels.pick(row.label, lang, default)
            found.setdefault(row.kind, {})[str(row.id)] = label
            if label is not None:
                known[(row.kind, str(row.id), lang, default)] = label
    return found


def _facets(counts: dict[str, list[tuple[str, int]]], lang: str, default: str, state=None) -> dict:
    found = _facet_labels(counts, lang, default, state)
    by_facet = {
        name: found.get(model.__tablename__, {}) for name, model in FACET_AUTHORITIES.items()
    }
    language = lang if lang in DECADE_LABELS else default if default in DECADE_LABELS else "en"
    facets = {}
    for name, values in counts.items():
        items = []
        for value, count in values:
            if name == "decade":
                label = DECADE_LABELS[language].format(value)
            elif name == "has_media":
                label = MEDIA_LABELS[language][value]
            elif name == "rights":
                label = rights_list.label(value, language)
            else:
                label = by_facet.get(name, {}).get(value, value)
            items.append({"value": value, "label": label, "count": count})
        facets[name] = items
    return facets


def _uuid(value: str):
    try:
        return uuid.UUID(value)
    except ValueError:
        return None


def search(identity: Identity, args: dict) -> tuple[Page, dict, str | None]:
    """Search the objects ``identity`` may see: a page of summaries with ``highlights``,
    facet counts over the whole result set, and a spelling suggestion (or None).

    Raises BadRequest for a query that cannot be read, ValidationFailed for an inverted
    date range, Unavailable when the index cannot be opened.
    """
    problem = refusal(args.get("q") or "", "The query")
    if problem:
        raise BadRequest(problem)
    date_from, date_to = args.get("date_from"), args.get("date_to")
    if date_from is not None and date_to is not None and date_from > date_to:
        raise ValidationFailed(
            {"date_from": [f"date_from ({date_from}) is after date_to ({date_to})."]}
        )
    filters = {
        name: [str(v) for v in args[name]]
        for name in ("object_type", "material", "collection", "maker", "place")
        if args.get(name)
    }
    media_facet = "has_any_media" if identity.is_staff else "has_media"
    if args.get("has_media") is not None:
        filters[media_facet] = ["true" if args["has_media"] else "false"]
    if args.get("reusable") is not None:
        filters["reusable"] = ["true" if args["reusable"] else "false"]
    if args.get("rights"):
        found = [rights_list.find(v) for v in args["rights"]]
        filters["rights"] = [r.uri if r else v for r, v in zip(found, args["rights"], strict=True)]
    request = SearchRequest(
        q=args.get("q") or "",
        # An optional status narrows what the caller may see; it never widens it.
        statuses=tuple(
            str(s)
            for s in identity.visible_statuses
            if not args.get("status") or str(s) == str(args["status"])
        ),
        filters=filters,
        date_from=date_from,
        date_to=date_to,
        sort=args.get("sort") or "relevance",
        page=args.get("page", 1),
        per_page=args.get("per_page", 20),
        facets=tuple(media_facet if n == "has_media" else n for n in FACET_NAMES),
    )
    try:
        result = backends.current().search(request)
    except QueryError as error:
        raise BadRequest(str(error)) from error
    except IndexUnavailable as error:
        raise Unavailable("The search index is unavailable; try again later.") from error
    documents = (
        dict(
            db.session.execute(
                sa.select(CatalogueObject.id, CatalogueObject.document).where(
                    CatalogueObject.id.in_([_uuid(hit.id) for hit in result.hits])
                )
            ).all()
        )
        if result.hits
        else {}  # nothing to read: no round trip
    )
    items = []
    for hit in result.hits:
        document = documents.get(_uuid(hit.id))
        # The index may trail a change made this instant by another process.
        if document is None or not identity.can_see(document["status"]):
            continue
        items.append({**_summary(view_of(document, identity)), "highlights": hit.highlights})
    counts = dict(result.facets)
    counts["has_media"] = counts.pop(media_facet, [])
    default = current_app.config["DEFAULT_LANGUAGE"]
    if args.get("lang"):
        items = [labels.display(item, args["lang"], default) for item in items]
    facets = _facets(counts, args.get("lang") or default, default, result.state)
    page = Page(items=items, total=result.total, page=request.page, per_page=request.per_page)
    return page, facets, result.suggestion
