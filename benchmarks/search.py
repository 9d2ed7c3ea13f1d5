"""Search benchmark: run on purpose (not a test), against a PostgreSQL server.

    .venv/bin/python benchmarks/search.py --objects 100000

Builds a reproducible synthetic FR/EN collection in a fresh database, then reports:
full reindex throughput next to raw Whoosh multi-process indexing of the same documents,
and p50/p95 of a fixed 200-query mix through the HTTP endpoint with facets (gunicorn, two
workers), through the search library alone, through plain Whoosh top-20 without facets,
and through PostgreSQL full-text search (tsvector with unaccent, GIN, facets by GROUP BY).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402
from whoosh import index as whoosh_index  # noqa: E402
from whoosh import query as wq  # noqa: E402

from benchmarks import UNREACHABLE_RATE_LIMITS, synthetic  # noqa: E402
from catalogue import create_app  # noqa: E402
from catalogue.extensions import db  # noqa: E402
from catalogue.models import Agent, CatalogueObject, Collection, Place, Status, Term  # noqa: E402
from catalogue.services import labels  # noqa: E402
from catalogue.services.search import documents as search_documents  # noqa: E402
from catalogue.services.search import sync as search_sync  # noqa: E402
from search_index.engine import SearchEngine, SearchRequest  # noqa: E402
from search_index.schema import FACETS, build_schema, to_fields  # noqa: E402
from search_index.store import IndexStore  # noqa: E402

FACET_NAMES = ("object_type", "material", "collection", "maker", "place", "decade", "has_media")


def percentiles(samples: list[float]) -> tuple[float, float]:
    ordered = sorted(samples)
    return statistics.median(ordered) * 1000, ordered[int(len(ordered) * 0.95) - 1] * 1000


def create_database(server: str, name: str) -> str:
    url = make_url(server.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def load(app, count: int) -> tuple[float, float]:
    """Generate the collection, then bulk-insert it; returns (generation s, insert s)."""
    started = time.perf_counter()
    auth = synthetic.authorities()
    rows = []
    for row in synthetic.objects(count, auth):
        row["status"] = Status(row["status"])
        rows.append(row)
    generated = time.perf_counter() - started
    started = time.perf_counter()
    with app.app_context():
        models = {"object_type": Term, "material": Term, "agent": Agent, "place": Place}
        models["collection"] = Collection
        for kind, items in auth.items():
            model = models[kind]
            authority_rows = []
            for item in items:
                row = {"id": item["id"], "label": item["label"]}
                row.update(labels.label_keys(item["label"], app.config["DEFAULT_LANGUAGE"]))
                if model is Term:
                    row["vocabulary"] = kind
                if model is Agent:
                    row["kind"] = "organisation"
                authority_rows.append(row)
            db.session.execute(sa.insert(model), authority_rows)
        for start in range(0, len(rows), 2000):
            db.session.execute(sa.insert(CatalogueObject), rows[start : start + 2000])
        db.session.commit()
    return generated, time.perf_counter() - started


def drop_database(server: str, name: str) -> None:
    url = make_url(server.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def load_average() -> str:
    return ", ".join(f"{value:.2f}" for value in os.getloadavg())


def documents(app) -> list[dict]:
    with app.app_context():
        rows = db.session.execute(sa.select(CatalogueObject.document)).scalars()
        return [search_documents.search_document(document) for document in rows]


def raw_whoosh_index(docs: list[dict], directory: str, procs: int) -> float:
    started = time.perf_counter()
    ix = whoosh_index.create_in(directory, build_schema())
    writer = ix.writer(procs=procs, multisegment=True, limitmb=128)
    for document in docs:
        writer.add_document(**to_fields(document))
    writer.commit()
    elapsed = time.perf_counter() - started
    assert whoosh_index.open_dir(directory).doc_count() == len(docs)
    return elapsed


def serve(database_url: str, index_dir: str, port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SEARCH_INDEX_DIR": index_dir,
        "SECRET_KEY": "benchmark",
        **UNREACHABLE_RATE_LIMITS,
    }
    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    process = subprocess.Popen(
        [gunicorn, "--workers", "2", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    # Workers start slowly on a loaded machine: up to five minutes.
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            status, _ = get(port, "/readyz")
            if status == 200:
                return process
        except OSError:
            pass
        time.sleep(0.2)
    process.terminate()
    raise RuntimeError("gunicorn did not become ready")


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def http_mix(port: int, mix: list[str]) -> tuple[list[float], list[int]]:
    times, totals = [], []
    for q in mix:
        path = "/api/v1/search?" + urllib.parse.urlencode({"q": q, "per_page": 20})
        started = time.perf_counter()
        status, body = get(port, path)
        times.append(time.perf_counter() - started)
        assert status == 200, body[:300]
        totals.append(json.loads(body)["total"])
    return times, totals


def library_mix(engine: SearchEngine, mix: list[str]) -> list[float]:
    times = []
    for q in mix:
        started = time.perf_counter()
        engine.search(SearchRequest(q=q, statuses=("public",), facets=FACET_NAMES))
        times.append(time.perf_counter() - started)
    return times


def whoosh_top20(engine: SearchEngine, mix: list[str]) -> list[float]:
    times = []
    with engine.store.searcher() as searcher:
        public = wq.Term("status", "public")
        for q in mix:
            started = time.perf_counter()
            searcher.search(engine.parse(q), filter=public, limit=20)
            times.append(time.perf_counter() - started)
    return times


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


def pg_load(engine, docs: list[dict]) -> None:
    with engine.begin() as connection:
        for statement in PG_SETUP.split(";"):
            if statement.strip():
                connection.execute(sa.text(statement))
        rows = []
        for d in docs:
            fields = to_fields(d)
            rows.append(
                {
                    "id": d["id"],
                    "status": d["status"],
                    "title": d["title"],
                    "body": "\n".join(
                        [d["description"], d["maker"], d["place"], d["material"], d["text"]]
                    ),
                    **{f: [v for v in fields[FACETS[f]].split(",") if v] for f in FACET_NAMES},
                }
            )
        columns = ", ".join(rows[0])
        values = ", ".join(f":{c}" for c in rows[0])
        connection.execute(sa.text(f"INSERT INTO bench_fts ({columns}) VALUES ({values})"), rows)
        for statement in PG_INDEX.split(";"):
            if statement.strip():
                connection.execute(sa.text(statement))


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


def pg_mix(engine, mix: list[str]) -> list[float]:
    times = []
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
            connection.execute(sa.text(f"SELECT count(*) FROM ({matched}) s"), {"q": text})
            connection.execute(sa.text(f"WITH m AS ({matched}) {facets}"), {"q": text}).all()
            times.append(time.perf_counter() - started)
    return times


def machine() -> str:
    model = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{os.cpu_count()} cores, {model}, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument(
        "--server",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--port", type=int, default=5077)
    parser.add_argument("--procs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rounds", type=int, default=1, help="reindex/raw turns (best kept)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="search-bench-"))
    database_url = create_database(args.server, f"bench_search_{args.objects}")
    index_dir = str(work / "index")
    app = create_app(
        {"DATABASE_URL": database_url, "SEARCH_INDEX_DIR": index_dir, "SECRET_KEY": "benchmark"}
    )
    with app.app_context():
        upgrade()
    print(f"Machine: {machine()}; load average at start {load_average()}")
    generated, stored = load(app, args.objects)
    print(f"Generated {args.objects} objects in {generated:.1f} s; bulk-inserted in {stored:.1f} s")

    # Reindex through the service (database -> documents -> multi-process writer) and raw
    # Whoosh on the same documents already built, in turns; the best of each is kept.
    docs = documents(app)
    reindex_times, raw_times = [], []
    for turn in range(args.rounds):
        with app.app_context():
            started = time.perf_counter()
            count = search_sync.reindex(procs=args.procs)
            reindex_times.append(time.perf_counter() - started)
        assert count == args.objects, count
        raw_dir = work / f"raw-{turn}"
        raw_dir.mkdir()
        raw_times.append(raw_whoosh_index(docs, str(raw_dir), args.procs))
        shutil.rmtree(raw_dir, ignore_errors=True)
        print(
            f"  turn {turn + 1}: reindex {reindex_times[-1]:.1f} s, raw {raw_times[-1]:.1f} s "
            f"(load average {load_average()})"
        )
    reindex, raw = min(reindex_times), min(raw_times)
    print(
        f"Reindex ({args.procs} procs): {count} objects in {reindex:.1f} s "
        f"({count / reindex:.0f} objects/s); raw Whoosh multi-process: {raw:.1f} s "
        f"({count / raw:.0f} objects/s); ratio {reindex / raw:.2f}"
    )

    mix = synthetic.query_mix()
    server = serve(database_url, index_dir, args.port)
    try:
        http_mix(args.port, mix)  # warm both workers' searchers and caches
        http_mix(args.port, mix)
        http_times, totals = http_mix(args.port, mix)
    finally:
        server.terminate()
        server.wait(30)
    engine = SearchEngine(IndexStore(index_dir))
    library_mix(engine, mix)
    library_times = library_mix(engine, mix)
    whoosh_top20(engine, mix)
    top20_times = whoosh_top20(engine, mix)

    pg = sa.create_engine(database_url)
    pg_load(pg, docs)
    pg_mix(pg, mix)
    pg_times = pg_mix(pg, mix)
    pg.dispose()

    print(f"Query mix: {len(mix)} queries, median {statistics.median(totals):.0f} public matches")
    figures = {}
    for name, times in (
        ("HTTP endpoint, facets (gunicorn, 2 workers)", http_times),
        ("search library, facets", library_times),
        ("raw Whoosh top-20, no facets", top20_times),
        ("PostgreSQL FTS, facets by GROUP BY", pg_times),
    ):
        figures[name] = p50, p95 = percentiles(times)
        print(f"  {name:45s} p50 {p50:7.1f} ms   p95 {p95:7.1f} ms")
    http = figures["HTTP endpoint, facets (gunicorn, 2 workers)"]
    for name in ("raw Whoosh top-20, no facets", "PostgreSQL FTS, facets by GROUP BY"):
        other = figures[name]
        print(f"  HTTP / {name}: p50 {http[0] / other[0]:.2f}, p95 {http[1] / other[1]:.2f}")
    print(f"Load average at the end: {load_average()}")
    shutil.rmtree(work, ignore_errors=True)
    if not args.keep:
        drop_database(args.server, f"bench_search_{args.objects}")


if __name__ == "__main__":
    main()
