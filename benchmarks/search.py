"""Search benchmark: run on purpose (not a test), against a PostgreSQL server.

    .venv/bin/python benchmarks/search.py --objects 20000 [--corpus bilingual|synthetic|both]

For each corpus (``bilingual``: long French and English records, 2,000 makers, 500 places,
as in issue 14; ``synthetic``: the short records of the first benchmark), builds a
reproducible collection in a fresh database, then reports: full reindex time next to a raw
Whoosh multi-process build of the same documents (and what is left in the index directory);
p50/p95/p99 of a fixed 200-query mix through the HTTP endpoint (gunicorn, two sync workers,
anonymous ``GET /api/v1/search?q=...&per_page=20`` with the default facets), the same with
``per_page=1``, words that match nothing, queries with 1 to 3 hits, the search library
alone; the workers' resident memory; and, on the same documents and queries in the same run,
SQLite FTS5 and PostgreSQL full-text search (unaccent, GIN), each giving the top 20, the count
and the facets over the whole result set (``search_peers``).
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

from benchmarks import UNREACHABLE_RATE_LIMITS, bilingual, search_peers, synthetic  # noqa: E402
from catalogue import create_app  # noqa: E402
from catalogue.extensions import db  # noqa: E402
from catalogue.models import Agent, CatalogueObject, Collection, Place, Status, Term  # noqa: E402
from catalogue.services import labels  # noqa: E402
from catalogue.services.search import documents as search_documents  # noqa: E402
from catalogue.services.search import sync as search_sync  # noqa: E402
from search_index.engine import SearchEngine, SearchRequest  # noqa: E402
from search_index.schema import build_schema, to_fields  # noqa: E402
from search_index.store import IndexStore  # noqa: E402

FACET_NAMES = ("object_type", "material", "collection", "maker", "place", "decade", "has_media")


def create_database(server: str, name: str) -> str:
    url = make_url(server.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def load(app, count: int, corpus=synthetic) -> tuple[float, float]:
    """Generate the collection (``corpus``: the module ``synthetic`` or ``bilingual``), then
    bulk-insert it; returns (generation s, insert s)."""
    started = time.perf_counter()
    auth = corpus.authorities()
    rows = []
    for row in corpus.objects(count, auth):
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


def http_mix(port: int, mix: list[str], per_page: int = 20) -> tuple[list[float], list[int]]:
    times, totals = [], []
    for q in mix:
        path = "/api/v1/search?" + urllib.parse.urlencode({"q": q, "per_page": per_page})
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


def worker_memory(master: int) -> list[float]:
    """Resident memory (MiB) of each gunicorn worker of ``master``."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    sizes = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) / 1024)
    return sizes


def timings(times: list[float]) -> str:
    ordered = sorted(times)
    p50 = statistics.median(ordered) * 1000
    p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)] * 1000
    p99 = ordered[max(0, int(len(ordered) * 0.99) - 1)] * 1000
    return f"p50 {p50:7.1f} ms   p95 {p95:7.1f} ms   p99 {p99:7.1f} ms"


def run(args, corpus, name: str) -> None:
    """Everything measured on one corpus, printed as it comes."""
    work = Path(tempfile.mkdtemp(prefix="search-bench-"))
    database = f"bench_search_{name}_{args.objects}"
    database_url = create_database(args.server, database)
    index_dir = str(work / "index")
    app = create_app(
        {"DATABASE_URL": database_url, "SEARCH_INDEX_DIR": index_dir, "SECRET_KEY": "benchmark"}
    )
    with app.app_context():
        upgrade()
    print(f"\n== corpus {name}: {args.objects} objects (load average {load_average()})")
    generated, stored = load(app, args.objects, corpus)
    print(f"Generated in {generated:.1f} s; bulk-inserted in {stored:.1f} s")

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
            f"(ratio {reindex_times[-1] / raw_times[-1]:.2f}; load average {load_average()})"
        )
    reindex, raw = min(reindex_times), min(raw_times)
    generations = sorted(p.name for p in Path(index_dir).iterdir() if p.name != "write.lock")
    print(
        f"Reindex ({args.procs} procs): {count} objects in {reindex:.1f} s "
        f"({count / reindex:.0f} objects/s); raw Whoosh multi-process: {raw:.1f} s "
        f"({count / raw:.0f} objects/s); ratio {reindex / raw:.2f}; index directory: "
        f"{', '.join(generations)}"
    )

    auth = corpus.authorities()
    mix = bilingual.query_mix(auth) if corpus is bilingual else synthetic.query_mix()
    none = bilingual.no_match_queries() * 4
    server = serve(database_url, index_dir, args.port)
    try:
        http_mix(args.port, mix)  # warm both workers' searchers and caches
        http_mix(args.port, mix)
        print(f"HTTP passes start (load average {load_average()})")
        http_times, totals = http_mix(args.port, mix)
        one_times, _ = http_mix(args.port, mix, per_page=1)
        none_times, none_totals = http_mix(args.port, none)
        assert not any(none_totals), none_totals
        # The queries of the mix that find the fewest documents (but some), to set beside
        # the words that find none.
        fewest = sorted((t, q) for q, t in zip(mix, totals, strict=True) if t)[:20]
        few = [q for _, q in fewest] * 2
        few_times, _ = http_mix(args.port, few)
        memory = worker_memory(server.pid)
    finally:
        server.terminate()
        server.wait(30)
    engine = SearchEngine(IndexStore(index_dir))
    library_mix(engine, mix)
    library_times = library_mix(engine, mix)

    fts5_path = str(work / "fts5.db")
    fts5_seconds = search_peers.fts5_load(fts5_path, docs)
    search_peers.fts5_mix(fts5_path, mix)
    fts5_times, fts5_totals = search_peers.fts5_mix(fts5_path, mix)
    pg = sa.create_engine(database_url)
    pg_seconds = search_peers.pg_load(pg, docs)
    search_peers.pg_mix(pg, mix)
    pg_times, pg_totals = search_peers.pg_mix(pg, mix)
    pg.dispose()

    print(
        f"Query mix: {len(mix)} queries, median {statistics.median(totals):.0f} public matches "
        f"(FTS5 {statistics.median(fts5_totals):.0f}, PostgreSQL "
        f"{statistics.median(pg_totals):.0f}); {sum(1 for t in totals if not t)} find nothing; "
        f"peers indexed in {fts5_seconds:.1f} s (FTS5), {pg_seconds:.1f} s (PostgreSQL)"
    )
    for label, times in (
        ("HTTP, facets, 20 highlighted hits", http_times),
        ("HTTP, facets, per_page=1", one_times),
        (f"HTTP, a word matching nothing ({len(none)})", none_times),
        (f"HTTP, fewest hits ({fewest[0][0]}-{fewest[-1][0]}, {len(few)})", few_times),
        ("search library, facets, 20 hits", library_times),
        ("SQLite FTS5, top 20 + count + facets", fts5_times),
        ("PostgreSQL FTS, top 20 + count + facets", pg_times),
    ):
        print(f"  {label:42s} {timings(times)}")
    print(f"  gunicorn workers' resident memory: {', '.join(f'{m:.0f} MiB' for m in memory)}")
    print(f"Load average at the end: {load_average()}")
    shutil.rmtree(work, ignore_errors=True)
    if not args.keep:
        drop_database(args.server, database)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=100_000)
    parser.add_argument(
        "--corpus",
        choices=("bilingual", "synthetic", "both"),
        default="both",
        help="bilingual: long FR/EN records as in issue 14; synthetic: the short ones",
    )
    parser.add_argument(
        "--server",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--port", type=int, default=5077)
    parser.add_argument("--procs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rounds", type=int, default=1, help="reindex/raw turns (best kept)")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark databases")
    args = parser.parse_args()
    print(f"Machine: {machine()}; load average at start {load_average()}")
    corpora = {"bilingual": bilingual, "synthetic": synthetic}
    for name in ("bilingual", "synthetic") if args.corpus == "both" else (args.corpus,):
        run(args, corpora[name], name)


if __name__ == "__main__":
    main()
