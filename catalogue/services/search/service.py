"""Full-text search over the catalogue, kept in step with it through the change log.

Records become plain search documents here (``search_document``); ``search_index`` does the
rest. The index remembers how far down the change log it has read, so a change committed
but not yet indexed (a crash in between, a worker that lost the writer lock race) is
applied by the next commit, the next search, or ``catalogue search sync``.
"""

from __future__ import annotations

import hashlib
import json
import logging
import uuid
from collections.abc import Callable, Iterator

import sqlalchemy as sa
from flask import current_app

from catalogue.extensions import db
from catalogue.models import Agent, CatalogueObject, ChangeLogEntry, Collection, Place, Term
from catalogue.services.errors import BadRequest, Unavailable, ValidationFailed
from catalogue.services.identity import ANONYMOUS, Identity, view_of
from catalogue.services.pagination import Page
from search_index.engine import SearchEngine, SearchRequest
from search_index.query import QueryError
from search_index.store import IndexStore, IndexUnavailable, LockTimeout

log = logging.getLogger(__name__)

FACET_NAMES = ("object_type", "material", "collection", "maker", "place", "decade", "has_media")
FACET_AUTHORITIES = {
    "object_type": Term,
    "material": Term,
    "collection": Collection,
    "maker": Agent,
    "place": Place,
}
# How long a request waits for another process to finish writing the index before it
# leaves the work to that process (which catches up from the log) and answers anyway.
REQUEST_LOCK_WAIT = 5.0
BATCH = 500


class CursorAhead(Exception):
    """The index has read further than the change log goes: the database was replaced."""


# ---- records as search documents ------------------------------------------------------


def _texts(value) -> list[str]:
    if isinstance(value, dict):
        return [v for v in value.values() if isinstance(v, str) and v]
    return [value] if isinstance(value, str) and value else []


def _labels(references) -> list[str]:
    return [text for ref in references or [] if ref for text in _texts(ref.get("label"))]


def _ids(references) -> list[str]:
    return [ref["id"] for ref in references or [] if ref and ref.get("id")]


def _year(value: str | None) -> int | None:
    if not value:
        return None
    try:
        return int(value.lstrip("-")[:4]) * (-1 if value.startswith("-") else 1)
    except ValueError:
        return None


def search_document(document: dict) -> dict:
    """The search document of a stored record: only what non-staff callers may read.

    Built from the public view, so staff-only fields (location, valuation, internal notes,
    the acquisition source's contact) and private media never reach the index.
    """
    record = view_of(document, ANONYMOUS)
    production = record.get("production") or {}
    makers = [m.get("agent") for m in production.get("makers") or []]
    places = [production.get("place")] + list(record.get("associated_places") or [])
    date = production.get("date") or {}
    acquisition = record.get("acquisition") or {}
    other = (
        _labels([record.get("object_type")])
        + _labels(record.get("techniques"))
        + _labels(record.get("subjects"))
        + _labels(record.get("associated_agents"))
        + _labels(record.get("collections"))
        + [m.get("role") for m in production.get("makers") or [] if m.get("role")]
        + [t for i in record.get("inscriptions") or [] for t in _texts(i.get("text"))]
        + _texts(date.get("display"))
        + _texts(record.get("credit_line"))
        + _texts(acquisition.get("source"))
    )
    search = {
        "id": record["id"],
        "number": record["object_number"],
        "status": record["status"],
        "title": "\n".join(_texts(record.get("title"))),
        "description": "\n".join(_texts(record.get("description"))),
        "maker": "\n".join(_labels(makers)),
        "place": "\n".join(_labels(places)),
        "material": "\n".join(_labels(record.get("materials"))),
        "text": "\n".join(other),
        "object_type": _ids([record.get("object_type")]),
        "material_ids": _ids(record.get("materials")),
        "collection": _ids(record.get("collections")),
        "maker_ids": _ids(makers),
        "place_ids": list(dict.fromkeys(_ids(places))),
        "has_media": bool(record.get("media")),
        "has_any_media": bool(document.get("media")),
        "date_from": _year(date.get("earliest")),
        "date_to": _year(date.get("latest")),
        "updated": record.get("updated_at") or "",
    }
    search["digest"] = hashlib.sha256(
        json.dumps(search, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()
    return search


# ---- the index, per app -----------------------------------------------------------------


def engine(app=None) -> SearchEngine:
    app = app or current_app
    found = app.extensions.get("search")
    if found is None:
        found = SearchEngine(IndexStore(app.config["SEARCH_INDEX_DIR"]))
        app.extensions["search"] = found
    return found


def init_app(app) -> None:
    """Keep the index in step with every commit; make /readyz report on it."""
    from catalogue.api.health import add_readiness_check
    from catalogue.services import uow

    engine(app)
    uow.add_change_listener(app, lambda: catch_up(REQUEST_LOCK_WAIT))
    add_readiness_check(app, "search_index", _ready)


def _ready() -> None:
    store = engine().store
    store.ensure()
    with store.searcher():
        pass


def _last_seq() -> int:
    return db.session.execute(sa.select(sa.func.max(ChangeLogEntry.seq))).scalar() or 0


def _changes(cursor: int) -> tuple[list[dict], list[str], int]:
    """The next batch of changes after ``cursor``, as documents to write and ids to delete."""
    rows = db.session.execute(
        sa.select(ChangeLogEntry.seq, ChangeLogEntry.object_id)
        .where(ChangeLogEntry.seq > cursor)
        .order_by(ChangeLogEntry.seq)
        .limit(BATCH)
    ).all()
    if not rows:
        if cursor > _last_seq():
            raise CursorAhead(f"The index has read up to {cursor}; the log ends before.")
        return [], [], cursor
    ids = list(dict.fromkeys(row.object_id for row in rows))
    found = dict(
        db.session.execute(
            sa.select(CatalogueObject.id, CatalogueObject.document).where(
                CatalogueObject.id.in_(ids)
            )
        ).all()
    )
    upserts = [search_document(found[i]) for i in ids if i in found]
    deletes = [str(i) for i in ids if i not in found]
    return upserts, deletes, rows[-1].seq


def catch_up(wait: float | None = None, idle: Callable[[], bool] | None = None) -> int:
    """Apply every change the index has not seen yet; returns how many documents changed.

    When another process holds the writer lock longer than ``wait`` seconds, gives up
    quietly: that process, or the next caller, applies the rest from the log. ``idle``:
    see ``IndexStore.apply`` (following a bulk write).
    """
    store = engine().store
    try:
        return store.apply(_changes, timeout=wait, idle=idle)
    except LockTimeout:
        log.warning("search index busy; changes will be applied by the next writer")
        return 0
    except CursorAhead:
        log.warning("search index is ahead of the change log; rebuilding it")
        return reindex()


def sync() -> int:
    """``catalogue search sync``: bring the index up to date with the change log."""
    return catch_up(None)


def _stored_documents() -> Iterator[dict]:
    """Every stored record, streamed. Read as text and decoded here: about twice as fast as
    letting the driver and the JSON type decode it."""
    rows = db.session.execute(
        sa.select(sa.cast(CatalogueObject.document, sa.Text)).execution_options(yield_per=BATCH)
    ).scalars()
    loads = json.loads
    for text in rows:
        yield loads(text)


def _all_documents(count: list[int]) -> Iterator[dict]:
    for document in _stored_documents():
        count[0] += 1
        yield search_document(document)


def reindex(procs: int = 1, on_progress: Callable[[int], None] | None = None) -> int:
    """Rebuild the index from the database into a fresh directory and swap it in.

    Searches keep answering from the old index meanwhile; changes committed during the
    build are applied from the change log before the swap. Returns the document count.
    """
    cursor = _last_seq()
    return engine().store.rebuild(_all_documents([0]), cursor, _changes, procs, on_progress)


def object_count() -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(CatalogueObject)).scalar()


def verify() -> dict[str, list[str]]:
    """Objects ``missing`` from the index, ``stale`` in it, and ``extra`` ids it holds."""
    indexed = engine().store.stored()
    expected = {}
    for document in _stored_documents():
        search = search_document(document)
        expected[search["id"]] = search["digest"]
    return {
        "missing": sorted(set(expected) - set(indexed)),
        "stale": sorted(i for i in expected if i in indexed and indexed[i] != expected[i]),
        "extra": sorted(set(indexed) - set(expected)),
    }


# ---- searching ----------------------------------------------------------------------------

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


def _pick(label, lang: str, default: str):
    if not isinstance(label, dict):
        return label
    return label.get(lang) or label.get(default) or next(iter(label.values()), None)


DECADE_LABELS = {"fr": "années {}", "en": "{}s"}
MEDIA_LABELS = {
    "fr": {"true": "avec média", "false": "sans média"},
    "en": {"true": "with media", "false": "without media"},
}


def _facets(counts: dict[str, list[tuple[str, int]]], lang: str, default: str) -> dict:
    # Every label in one round trip: one SELECT per authority table, joined by UNION ALL.
    wanted: dict[type, set] = {}
    for name, model in FACET_AUTHORITIES.items():
        ids = {_uuid(value) for value, _ in counts.get(name, [])}
        wanted.setdefault(model, set()).update(i for i in ids if i)
    selects = [
        sa.select(sa.literal(model.__tablename__).label("kind"), model.id, model.label).where(
            model.id.in_(sorted(ids))
        )
        for model, ids in wanted.items()
        if ids
    ]
    found: dict[str, dict[str, object]] = {}
    if selects:
        for row in db.session.execute(sa.union_all(*selects)).all():
            found.setdefault(row.kind, {})[str(row.id)] = _pick(row.label, lang, default)
    labels = {name: found.get(model.__tablename__, {}) for name, model in FACET_AUTHORITIES.items()}
    language = lang if lang in DECADE_LABELS else default if default in DECADE_LABELS else "en"
    facets = {}
    for name, values in counts.items():
        items = []
        for value, count in values:
            if name == "decade":
                label = DECADE_LABELS[language].format(value)
            elif name == "has_media":
                label = MEDIA_LABELS[language][value]
            else:
                label = labels.get(name, {}).get(value, value)
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
    search_engine = engine()
    try:
        search_engine.store.ensure()
        if search_engine.store.cursor() != _last_seq():
            catch_up(REQUEST_LOCK_WAIT)
        result = search_engine.search(request)
    except QueryError as error:
        raise BadRequest(str(error)) from error
    except IndexUnavailable as error:
        raise Unavailable("The search index is unavailable; try again later.") from error
    documents = dict(
        db.session.execute(
            sa.select(CatalogueObject.id, CatalogueObject.document).where(
                CatalogueObject.id.in_([_uuid(hit.id) for hit in result.hits])
            )
        ).all()
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
    lang = args.get("lang") or current_app.config["DEFAULT_LANGUAGE"]
    facets = _facets(counts, lang, current_app.config["DEFAULT_LANGUAGE"])
    page = Page(items=items, total=result.total, page=request.page, per_page=request.per_page)
    return page, facets, result.suggestion
