"""The search benchmark's peers: the same documents and queries in SQLite FTS5 and in
PostgreSQL full-text search, each answering what the catalogue answers: the top 20 public
matches by rank, their count, and the facets counted over the whole result set."""

from __future__ import annotations

import re
import sqlite3
import time

import sqlalchemy as sa

from search_index.schema import FACETS, to_fields

FACET_NAMES = ("object_type", "material", "collection", "maker", "place", "decade", "has_media")


def _rows(docs: list[dict]):
    for d in docs:
        fields = to_fields(d)
        yield {
            "id": d["id"],
            "status": d["status"],
            "title": d["title"],
            "body": "\n".join([d["description"], d["maker"], d["place"], d["material"], d["text"]]),
            "facets": {f: [v for v in fields[FACETS[f]].split(",") if v] for f in FACET_NAMES},
        }


def _top_facets(rows, limit: int = 50) -> dict[str, list]:
    found: dict[str, list] = {}
    for facet, value, count in rows:
        found.setdefault(facet, []).append((value, count))
    return {f: sorted(v, key=lambda p: (-p[1], p[0]))[:limit] for f, v in found.items()}


# ---- SQLite FTS5 ----------------------------------------------------------------------------

_TOKEN = re.compile(r'"[^"]*"|\S+')


def fts5_query(q: str) -> str:
    """The mix in FTS5 syntax: each word quoted (hyphens, dots and apostrophes are plain),
    phrases kept, ``prefix*``, ``title:`` as a column filter, OR as it is."""
    column = ""
    if q.startswith("title:"):
        column, q = "title : ", q.split(":", 1)[1]
    parts = []
    for token in _TOKEN.findall(q):
        if token in ("OR", "AND", "NOT") or token.startswith('"'):
            parts.append(token)
        elif token.endswith("*"):
            parts.append('"' + token[:-1].replace('"', "") + '"*')
        else:
            parts.append('"' + token.replace('"', "") + '"')
    return column + " ".join(parts)


def fts5_load(path: str, docs: list[dict]) -> float:
    """Index the documents in a fresh FTS5 database; returns the seconds it took."""
    started = time.perf_counter()
    connection = sqlite3.connect(path)
    connection.executescript(
        """
        PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;
        CREATE TABLE docs (rowid INTEGER PRIMARY KEY, id TEXT, status TEXT);
        CREATE TABLE facets (doc INTEGER, facet TEXT, value TEXT);
        CREATE VIRTUAL TABLE fts USING fts5(
            title, body, content='', tokenize='unicode61 remove_diacritics 2'
        );
        """
    )
    for rowid, row in enumerate(_rows(docs), start=1):
        connection.execute("INSERT INTO docs VALUES (?, ?, ?)", (rowid, row["id"], row["status"]))
        connection.execute(
            "INSERT INTO fts (rowid, title, body) VALUES (?, ?, ?)",
            (rowid, row["title"], row["body"]),
        )
        connection.executemany(
            "INSERT INTO facets VALUES (?, ?, ?)",
            [(rowid, f, v) for f, values in row["facets"].items() for v in values],
        )
    connection.executescript(
        "CREATE INDEX facets_doc ON facets (doc); INSERT INTO fts(fts) VALUES ('optimize');"
    )
    connection.commit()
    connection.close()
    return time.perf_counter() - started


def fts5_mix(path: str, mix: list[str]) -> tuple[list[float], list[int]]:
    connection = sqlite3.connect(path)
    matched = (
        "SELECT docs.rowid AS doc, docs.id AS id, fts.rank AS rank FROM fts "
        "JOIN docs ON docs.rowid = fts.rowid WHERE fts MATCH ? AND docs.status = 'public'"
    )
    times, totals = [], []
    for q in mix:
        text = fts5_query(q)
        started = time.perf_counter()
        connection.execute(f"SELECT id FROM ({matched}) ORDER BY rank LIMIT 20", (text,)).fetchall()
        total = connection.execute(f"SELECT count(*) FROM ({matched})", (text,)).fetchone()[0]
        _top_facets(
            connection.execute(
                f"SELECT f.facet, f.value, count(*) FROM ({matched}) m "
                "JOIN facets f ON f.doc = m.doc GROUP BY f.facet, f.value",
                (text,),
            ).fetchall()
        )
        times.append(time.perf_counter() - started)
        totals.append(total)
    connection.close()
    return times, totals


# ---- PostgreSQL full-text search -------------------------------------------------------------

PG_SETUP = """
CREATE EXTENSION IF NOT EXISTS unaccent;
DROP TABLE IF EXISTS bench_fts;
CREATE TABLE bench_fts (
    id text PRIMARY KEY, status text, title text, body text, object_type text[],
    material text[], collection text[], maker text[], place text[], decade text[],
    has_media text[], tsv tsvector
);
"""
PG_INDEX = """
UPDATE bench_fts SET tsv =
    setweight(to_tsvector('french', unaccent(title)), 'A')
    || setweight(to_tsvector('english', unaccent(title)), 'A')
    || to_tsvector('french', unaccent(body)) || to_tsvector('english', unaccent(body));
CREATE INDEX bench_fts_tsv ON bench_fts USING gin (tsv);
CREATE INDEX bench_fts_status ON bench_fts (status);
ANALYZE bench_fts;
"""


def pg_load(engine, docs: list[dict]) -> float:
    started = time.perf_counter()
    with engine.begin() as connection:
        for statement in PG_SETUP.split(";"):
            if statement.strip():
                connection.execute(sa.text(statement))
        rows = [
            {k: v for k, v in row.items() if k != "facets"} | row["facets"] for row in _rows(docs)
        ]
        columns = ", ".join(rows[0])
        values = ", ".join(f":{c}" for c in rows[0])
        for start in range(0, len(rows), 2000):
            connection.execute(
                sa.text(f"INSERT INTO bench_fts ({columns}) VALUES ({values})"),
                rows[start : start + 2000],
            )
        for statement in PG_INDEX.split(";"):
            if statement.strip():
                connection.execute(sa.text(statement))
    return time.perf_counter() - started


def pg_tsquery(q: str) -> tuple[str, str]:
    """The mix in PostgreSQL terms: prefixes become ``:*``, field names are dropped."""
    q = q.split(":", 1)[1] if q.startswith("title:") else q
    if q.endswith("*"):
        return "to_tsquery('simple', unaccent(:q))", q[:-1] + ":*"
    return (
        "(websearch_to_tsquery('french', unaccent(:q)) "
        "|| websearch_to_tsquery('english', unaccent(:q)))",
        q,
    )


def pg_mix(engine, mix: list[str]) -> tuple[list[float], list[int]]:
    times, totals = [], []
    with engine.connect() as connection:
        for q in mix:
            tsquery, text = pg_tsquery(q)
            matched = f"SELECT * FROM bench_fts WHERE status = 'public' AND tsv @@ {tsquery}"
            facets = " UNION ALL ".join(
                f"(SELECT '{f}', v, count(*) FROM m, unnest(m.{f}) v GROUP BY v "
                f"ORDER BY count(*) DESC LIMIT 50)"
                for f in FACET_NAMES
            )
            started = time.perf_counter()
            connection.execute(
                sa.text(
                    f"SELECT id, ts_rank(tsv, {tsquery}) AS r FROM ({matched}) s "
                    "ORDER BY r DESC LIMIT 20"
                ),
                {"q": text},
            ).all()
            total = connection.execute(
                sa.text(f"SELECT count(*) FROM ({matched}) s"), {"q": text}
            ).scalar()
            connection.execute(sa.text(f"WITH m AS ({matched}) {facets}"), {"q": text}).all()
            times.append(time.perf_counter() - started)
            totals.append(total)
    return times, totals
