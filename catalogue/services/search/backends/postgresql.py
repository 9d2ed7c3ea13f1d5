"""PostgreSQL full-text search (``SEARCH_BACKEND=postgresql``): no index to keep per node.

Each object has a row in ``search.documents`` (migration 0012): the texts of its search
document (``services.search.documents``, the public view only), its facet values, and
tsvector columns the database computes through French and English configurations that
fold accents. The row is written in the transaction that logs the change
(``keep_current``, a ``before_commit`` hook), so every node, and every read replica, sees a
change exactly when it sees the record. ``search.state`` says how far down the change log
the table has read; a gap (a restore, a switch from Whoosh) is applied from the log by the
next commit (``catch_up``) or by ``catalogue search sync``.
"""

from __future__ import annotations

import html
import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import sqlalchemy as sa
from flask import current_app

from catalogue.extensions import db
from catalogue.models import CatalogueObject, ChangeLogEntry
from catalogue.services import readiness
from catalogue.services.search import sync
from catalogue.services.search.backends import pg_query, pg_spelling
from catalogue.services.search.backends.base import (
    Hit,
    IndexUnavailable,
    SearchBackend,
    SearchRequest,
    SearchResult,
)
from catalogue.services.search.backends.pg_documents import write
from catalogue.services.search.documents import search_document
from search_index.query import parse

log = logging.getLogger(__name__)

BATCH = 500
# Facet name -> column of search.documents.
FACET_COLUMNS = {
    "object_type": "object_type",
    "material": "material_ids",
    "collection": "collection",
    "maker": "maker_ids",
    "place": "place_ids",
    "decade": "decades",
}
FLAGS = ("has_media", "has_any_media")
# Sort name -> (ascending column, descending column).
SORTS = {
    "object_number": ("d.number_key", "d.number_key"),
    "date": ("d.sort_date_asc", "d.sort_date_desc"),
    "updated": ("d.updated", "d.updated"),
}
# ts_rank weights of D, C, B, A: description and other texts, place and material, maker,
# title (the boosts of the Whoosh index).
WEIGHTS = "CAST('{0.25, 0.375, 0.5, 1.0}' AS real[])"
START, STOP = "\x02", "\x03"
HEADLINES = {
    "title": f"HighlightAll=true, StartSel={START}, StopSel={STOP}",
    "description": (
        f'MaxFragments=2, MaxWords=30, MinWords=12, FragmentDelimiter=" … ", '
        f"StartSel={START}, StopSel={STOP}"
    ),
}


class PostgresBackend(SearchBackend):
    name = "postgresql"
    per_node = False

    def __init__(self, app) -> None:
        super().__init__(app)
        self.parser = pg_query.parser()
        self._replica: tuple[int, sa.Engine] | None = None

    # ---- where searches read ---------------------------------------------------------

    @contextmanager
    def reading(self) -> Iterator:
        """What searches read: the request's session, or a connection to the read replica
        (``SEARCH_DATABASE_URL``), each process with an engine of its own."""
        url = self.app.config.get("SEARCH_DATABASE_URL")
        if not url:
            yield db.session
            return
        if self._replica is None or self._replica[0] != os.getpid():
            self._replica = (os.getpid(), sa.create_engine(url, pool_pre_ping=True))
        with self._replica[1].connect() as connection:
            yield connection

    def close(self) -> None:
        """Let go of the replica's connections."""
        if self._replica is not None:
            self._replica[1].dispose()
            self._replica = None

    # ---- serving --------------------------------------------------------------------

    def open(self) -> None:
        readiness.add_check(self.app, "search_index", self.ready)

    def ready(self) -> dict:
        behind = self.lag(replica=True)
        config = current_app.config
        members = {"search_index_lag": behind}
        if (
            behind["changes"] > config["SEARCH_MAX_LAG_CHANGES"]
            or behind["seconds"] > config["SEARCH_MAX_LAG_SECONDS"]
        ):
            raise readiness.NotReady("behind", members)
        return members

    def _where(self, reader, parsed, request: SearchRequest) -> tuple[str, pg_query.Condition]:
        """The condition of ``parsed`` among what ``request`` lets the caller see."""

        def fuzzy(word: str, maxdist: int, prefix: int) -> list[str]:
            return pg_spelling.expand(reader, word, maxdist, prefix)

        condition = pg_query.translate(parsed, fuzzy)
        where = [condition.where, _visible(condition, request)]
        where += _filters(condition, request)
        return " AND ".join(where), condition

    def search(self, request: SearchRequest) -> SearchResult:
        parsed = parse(self.parser, request.q)
        try:
            with self.reading() as reader:
                clause, condition = self._where(reader, parsed, request)
                total, facets = self._facets(reader, clause, condition.params, request)
                hits = self._hits(reader, clause, condition, request) if total else []
                suggestion = None
                if request.q.strip():
                    suggestion = pg_spelling.suggest(
                        reader, request.q, parsed, lambda text: self._finds(reader, text, request)
                    )
        except sa.exc.SQLAlchemyError as error:
            db.session.rollback()
            if isinstance(error, sa.exc.ProgrammingError | sa.exc.OperationalError):
                raise IndexUnavailable(str(error.orig).splitlines()[0]) from error
            raise
        return SearchResult(hits=hits, total=total, facets=facets, suggestion=suggestion)

    def _finds(self, reader, text: str, request: SearchRequest) -> bool:
        """Whether the query ``text`` finds something the caller of ``request`` may see."""
        try:
            clause, condition = self._where(reader, parse(self.parser, text), request)
        except ValueError:
            return False
        sql = f"SELECT EXISTS (SELECT 1 FROM search.documents d WHERE {clause})"  # noqa: S608
        return bool(reader.execute(sa.text(sql), condition.params).scalar())

    def _facets(self, reader, clause: str, params: dict, request: SearchRequest):
        parts = ["SELECT 'total' AS facet, NULL AS value, count(*) AS n FROM m"]
        for name in request.facets:
            if name in FACET_COLUMNS:
                column = FACET_COLUMNS[name]
                parts.append(
                    f"SELECT '{name}', v, count(*) FROM m, unnest(m.{column}) v GROUP BY v"  # noqa: S608
                )
            elif name in FLAGS:
                parts.append(
                    f"SELECT '{name}', CASE WHEN m.{name} THEN 'true' ELSE 'false' END, "  # noqa: S608
                    "count(*) FROM m GROUP BY 2"
                )
        columns = ", ".join(f"d.{c}" for c in (*FACET_COLUMNS.values(), *FLAGS))
        # Names come from the tables above and the clause binds every value it was given.
        matched = f"SELECT {columns} FROM search.documents d WHERE {clause}"  # noqa: S608
        sql = f"WITH m AS MATERIALIZED ({matched}) " + " UNION ALL ".join(parts)
        total = 0
        counts: dict[str, list[tuple[str, int]]] = {name: [] for name in request.facets}
        for facet, value, count in reader.execute(sa.text(sql), params):
            if facet == "total":
                total = count
            else:
                counts[facet].append((value, count))
        for name, values in counts.items():
            counts[name] = sorted(values, key=lambda item: (-item[1], item[0]))[
                : request.facet_limit
            ]
        return total, counts

    def _hits(self, reader, clause: str, condition: pg_query.Condition, request: SearchRequest):
        params = dict(condition.params)
        key = request.sort.lstrip("-")
        descending = request.sort.startswith("-")
        rank = "NULL::real"
        if condition.rank:
            words = " || ".join(condition.rank)
            rank = f"ts_rank({WEIGHTS}, d.tsv_all, {words})"
            if condition.numbers:
                params["numbers"] = condition.numbers
                rank += " + CASE WHEN d.number_key = ANY(:numbers) THEN 8 ELSE 0 END"
        if key in SORTS:
            column = SORTS[key][1 if descending else 0]
            order = f"{column} {'DESC' if descending else 'ASC'}, d.number_key, d.object_id"
        elif condition.rank:
            order = f"score {'ASC' if descending else 'DESC'}, d.number_key, d.object_id"
        else:
            order = "d.number_key, d.object_id"
        params["limit"] = request.per_page
        params["offset"] = (request.page - 1) * request.per_page
        headlines = []
        for name, options in HEADLINES.items():
            params[f"headline_{name}"] = options
            marks = condition.marks.get(name)
            words = " || ".join(marks) if marks else "NULL::tsquery"
            for language in ("fr", "en"):
                headlines.append(
                    f"CASE WHEN {words} IS NULL THEN NULL ELSE ts_headline('search.{language}', "
                    f"translate(d.{name}, E'\\x02\\x03', ''), {words}, :headline_{name}) END"
                )
        # Names come from fixed tables; every value is bound.
        shown = f"d.object_id, {rank} AS score, {', '.join(headlines)}"
        sql = f"SELECT {shown} FROM search.documents d WHERE {clause} ORDER BY {order} "  # noqa: S608
        sql += "LIMIT :limit OFFSET :offset"
        hits = []
        for found in reader.execute(sa.text(sql), params):
            marks = {}
            for index, name in enumerate(HEADLINES):
                text = _marked(found[2 + 2 * index], found[3 + 2 * index])
                if text:
                    marks[name] = text
            score = None if key in SORTS or found.score is None else float(found.score)
            hits.append(Hit(id=str(found.object_id), score=score, highlights=marks))
        return hits

    # ---- following the change log ---------------------------------------------------

    def lag(self, replica: bool = False) -> dict:
        """Behind the log: the search table of the catalogue database (never, in normal
        running), or with ``replica`` the one searches read (a replica trails its primary)."""
        if replica:
            with self.reading() as reader:
                cursor = _cursor(reader)
        else:
            cursor = _cursor(db.session)
        last, oldest = db.session.execute(
            sa.select(sa.func.max(ChangeLogEntry.seq), sa.func.min(ChangeLogEntry.at)).where(
                ChangeLogEntry.seq > cursor
            )
        ).one()
        if last is None:
            return {"changes": 0, "seconds": 0}
        if oldest.tzinfo is None:
            oldest = oldest.replace(tzinfo=UTC)
        seconds = max(0.0, (datetime.now(UTC) - oldest).total_seconds())
        return {"changes": last - cursor, "seconds": round(seconds, 1)}

    def keep_current(self, session, entries) -> None:
        """In the writer's transaction: its objects' rows, and the cursor when the table
        was current up to this transaction's first change."""
        if not entries:
            return
        ids = list(dict.fromkeys(entry.object_id for entry in entries))
        found = dict(
            session.execute(
                sa.select(CatalogueObject.id, CatalogueObject.document).where(
                    CatalogueObject.id.in_(ids)
                )
            ).all()
        )
        upserts = [search_document(found[i]) for i in ids if i in found]
        write(session, upserts, [str(i) for i in ids if i not in found])
        seqs = [entry.seq for entry in entries]
        session.execute(
            sa.text(
                "UPDATE search.state SET seq = :last WHERE seq >= (SELECT coalesce(max(seq), 0) "
                "FROM change_log WHERE seq < :first) AND seq < :last"
            ),
            {"first": min(seqs), "last": max(seqs)},
        )

    def catch_up(self, wait: float | None = None) -> int:
        """Apply the log after the cursor, a batch per transaction; a second caller finds
        the cursor locked and leaves the work to the first."""
        applied = 0
        session = db.session
        while True:
            session.rollback()
            cursor = session.execute(
                sa.text("SELECT seq FROM search.state WHERE id = 1 FOR UPDATE SKIP LOCKED")
            ).scalar()
            if cursor is None:
                session.rollback()
                return applied
            try:
                upserts, deletes, new_cursor = sync._changes(cursor)
            except sync.CursorAhead:
                session.rollback()
                log.warning("search table is ahead of the change log; rebuilding it")
                return self.reindex()
            if new_cursor == cursor:
                session.rollback()
                return applied
            applied += write(session, upserts, deletes)
            session.execute(sa.text("UPDATE search.state SET seq = :seq"), {"seq": new_cursor})
            session.commit()

    def after_commit(self) -> None:
        """After a commit that changed the log without writing the table (a restore)."""
        if _cursor(db.session) < (sync._last_seq() or 0):
            self.catch_up()

    # ---- maintenance ----------------------------------------------------------------

    def reindex(self, procs: int = 1, on_progress: Callable[[int], None] | None = None) -> int:
        """Rewrite every row from the stored records, a batch per transaction: searches
        keep answering, and a record is read under a share lock, so a writer saving it
        meanwhile writes its row after the batch."""
        session = db.session
        session.rollback()
        last = sync._last_seq()
        count, after = 0, None
        while True:
            select = sa.select(CatalogueObject.id, CatalogueObject.document)
            if after is not None:
                select = select.where(CatalogueObject.id > after)
            batch = session.execute(
                select.order_by(CatalogueObject.id).limit(BATCH).with_for_update(read=True)
            ).all()
            if not batch:
                break
            write(session, [search_document(document) for _, document in batch], [])
            session.commit()
            count += len(batch)
            after = batch[-1][0]
            if on_progress:
                on_progress(len(batch))
        session.execute(
            sa.text("UPDATE search.state SET seq = greatest(seq, :last)"), {"last": last}
        )
        session.commit()
        return count

    def verify(self) -> dict[str, list[str]]:
        indexed = {
            str(object_id): digest
            for object_id, digest in db.session.execute(
                sa.text("SELECT object_id, digest FROM search.documents")
            )
        }
        expected = {}
        for document in sync._stored_documents():
            search = search_document(document)
            expected[search["id"]] = search["digest"]
        return {
            "missing": sorted(set(expected) - set(indexed)),
            "stale": sorted(i for i in expected if i in indexed and indexed[i] != expected[i]),
            "extra": sorted(set(indexed) - set(expected)),
        }

    def clear(self) -> None:
        db.session.execute(sa.text("DELETE FROM search.documents"))
        db.session.execute(sa.text("DELETE FROM search.words"))
        db.session.execute(sa.text("UPDATE search.state SET seq = 0"))
        db.session.commit()


def _cursor(session) -> int:
    return session.execute(sa.text("SELECT seq FROM search.state WHERE id = 1")).scalar() or 0


def _visible(condition: pg_query.Condition, request: SearchRequest) -> str:
    return f"d.status = ANY(CAST({condition.bind(list(request.statuses))} AS text[]))"


def _filters(condition: pg_query.Condition, request: SearchRequest) -> list[str]:
    where = []
    for name, values in request.filters.items():
        if not values:
            continue
        if name in FLAGS:
            wanted = {str(v) == "true" for v in values}
            if len(wanted) == 1:
                where.append(f"d.{name} = {condition.bind(wanted.pop())}")
        elif name in FACET_COLUMNS:
            bound = condition.bind([str(v) for v in values])
            where.append(f"d.{FACET_COLUMNS[name]} && CAST({bound} AS text[])")
    if request.date_from is not None:
        where.append(f"d.date_to >= {condition.bind(request.date_from)}")
    if request.date_to is not None:
        where.append(f"d.date_from <= {condition.bind(request.date_to)}")
    return where


def _marked(french: str | None, english: str | None) -> str:
    """The headline with more marked words (French first), escaped, marks as ``<mark>``."""
    best = max((french or "", english or ""), key=lambda text: text.count(START))
    if START not in best:
        return ""
    escaped = html.escape(best, quote=False)
    return escaped.replace(START, "<mark>").replace(STOP, "</mark>")
