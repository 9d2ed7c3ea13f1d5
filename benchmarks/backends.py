"""Search backends side by side: run on purpose (not a test), against a PostgreSQL server.

    .venv/bin/python benchmarks/backends.py --objects 20000

Generates the synthetic FR/EN collection of ``benchmarks/search.py`` in a fresh database,
then for each backend (``SEARCH_BACKEND=whoosh`` and ``postgresql``) over the same records:
the time of a full reindex through the backend (``catalogue search reindex``), the size of
what it keeps (the index directory; the ``search.documents`` table with its indexes), and
p50/p95/p99 of the fixed 200-query mix through the search service (``query.search``, as
the API calls it: facets over the whole result, 20 highlighted hits, records read from the
database), anonymous caller, after one warm-up pass.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from benchmarks import synthetic  # noqa: E402
from benchmarks.search import (  # noqa: E402
    create_database,
    drop_database,
    load,
    load_average,
    machine,
)
from catalogue import create_app  # noqa: E402
from catalogue.extensions import db  # noqa: E402
from catalogue.schemas.search import SearchArgs  # noqa: E402
from catalogue.services.identity import ANONYMOUS  # noqa: E402
from catalogue.services.search import backends  # noqa: E402
from catalogue.services.search import query as search_query  # noqa: E402


def quantiles(samples: list[float]) -> tuple[float, float, float]:
    ordered = sorted(samples)

    def at(share: float) -> float:
        return ordered[min(len(ordered) - 1, int(len(ordered) * share))] * 1000

    return at(0.5), at(0.95), at(0.99)


def directory_size(path: Path) -> int:
    return sum(item.stat().st_size for item in path.rglob("*") if item.is_file())


def table_size(app) -> int:
    with app.app_context():
        size = db.session.execute(
            sa.text("SELECT pg_total_relation_size('search.documents')")
        ).scalar()
        db.session.remove()
    return size


def run_mix(app, mix: list[str]) -> tuple[list[float], list[int]]:
    times, totals = [], []
    with app.app_context():
        for q in mix:
            args = SearchArgs().load({"q": q, "per_page": 20})
            started = time.perf_counter()
            page, _facets, _ = search_query.search(ANONYMOUS, args)
            times.append(time.perf_counter() - started)
            totals.append(page.total)
            db.session.remove()
    return times, totals


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=20_000)
    parser.add_argument(
        "--server",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--procs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()

    name = f"bench_backends_{args.objects}"
    work = Path(tempfile.mkdtemp(prefix="backends-bench-"))
    database_url = create_database(args.server, name)
    apps = {}
    for backend in ("whoosh", "postgresql"):
        apps[backend] = create_app(
            {
                "DATABASE_URL": database_url,
                "SEARCH_INDEX_DIR": str(work / "index"),
                "SECRET_KEY": "benchmark",
                "SEARCH_BACKEND": backend,
                "RATELIMIT_ENABLED": False,
            }
        )
    with apps["whoosh"].app_context():
        upgrade()
    print(f"Machine: {machine()}; load average at start {load_average()}")
    generated, stored = load(apps["whoosh"], args.objects)
    print(f"Generated {args.objects} objects in {generated:.1f} s; inserted in {stored:.1f} s")

    mix = synthetic.query_mix()
    results = {}
    for backend, app in apps.items():
        with app.app_context():
            started = time.perf_counter()
            count = backends.current(app).reindex(procs=args.procs)
            reindexed = time.perf_counter() - started
            db.session.remove()
        assert count == args.objects, count
        size = directory_size(work / "index") if backend == "whoosh" else table_size(app)
        run_mix(app, mix)  # warm-up
        times, totals = run_mix(app, mix)
        results[backend] = (reindexed, size, quantiles(times), totals)
        p50, p95, p99 = results[backend][2]
        print(
            f"  {backend:10s} reindex {reindexed:7.1f} s ({count / reindexed:6.0f} objects/s)  "
            f"size {size / 2**20:7.1f} MiB ({size / count / 1024:5.1f} KiB/object)  "
            f"search p50 {p50:6.1f} ms  p95 {p95:6.1f} ms  p99 {p99:6.1f} ms  "
            f"(load average {load_average()})"
        )
    same = sum(a == b for a, b in zip(results["whoosh"][3], results["postgresql"][3], strict=True))
    print(f"Queries with the same total on both backends: {same} of {len(mix)}")
    print(f"Load average at the end: {load_average()}")
    shutil.rmtree(work, ignore_errors=True)
    if not args.keep:
        drop_database(args.server, name)


if __name__ == "__main__":
    main()
