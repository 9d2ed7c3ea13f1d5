"""Node memory benchmark: run on purpose (not a test), against a PostgreSQL server.

    .venv/bin/python benchmarks/node_memory.py --objects 20000
    .venv/bin/python benchmarks/node_memory.py --objects 20000 --ref main --reuse

Loads a reproducible synthetic collection into a fresh database (``--reuse`` keeps one of the
right size from an earlier run with ``--keep``), builds the search index with
``catalogue search reindex``, starts gunicorn with four sync workers, and reports the memory of
the node (master and workers) idle and then warm, after every worker has answered the fixed
200-query mix of ``benchmarks/search.py`` with facets several times: RSS and PSS of each
process from ``/proc/PID/smaps_rollup`` (PSS splits the pages processes share, so the PSS of
the node adds up to what it really holds) and their private anonymous memory.

``--ref`` runs the code of another commit (``git archive``) against the same database and
venv, to compare before and after a change.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from benchmarks import UNREACHABLE_RATE_LIMITS, synthetic  # noqa: E402
from benchmarks.search import (  # noqa: E402
    FACET_NAMES,
    create_database,
    drop_database,
    load,
    load_average,
    machine,
)
from catalogue import create_app  # noqa: E402
from catalogue.models import CatalogueObject  # noqa: E402


def smaps(pid: int) -> dict[str, int]:
    """KiB of the process's Rss, Pss and Anonymous lines."""
    found = {}
    for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
        name, value = line.split(":", 1)
        found[name] = int(value.split()[0])
    return found


def node_memory(master: int) -> dict:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    processes = {"master": master} | {f"worker {n}": int(p) for n, p in enumerate(children, 1)}
    figures = {name: smaps(pid) for name, pid in processes.items()}
    mib = 1024
    return {
        "node_pss_mib": round(sum(f["Pss"] for f in figures.values()) / mib, 1),
        "node_rss_mib": round(sum(f["Rss"] for f in figures.values()) / mib, 1),
        "processes": {
            name: {
                "rss_mib": round(f["Rss"] / mib, 1),
                "pss_mib": round(f["Pss"] / mib, 1),
                "anonymous_mib": round(f["Anonymous"] / mib, 1),
            }
            for name, f in figures.items()
        },
    }


def get(port: int, path: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)
    connection.request("GET", path)
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, body


def warm(port: int, mix: list[str], rounds: int, clients: int) -> tuple[int, float]:
    """Send the mix ``rounds`` times from ``clients`` threads at once, so that each worker
    answers most queries; returns (requests, seconds)."""
    paths = []
    for q in mix:
        query = [("q", q), ("per_page", "20")] + [("facets", f) for f in FACET_NAMES]
        paths.append("/api/v1/search?" + urllib.parse.urlencode(query))
    failures: list[str] = []

    def client(offset: int) -> None:
        for turn in range(rounds):
            for n in range(len(paths)):
                path = paths[(n + offset * 37 + turn * 11) % len(paths)]
                status, body = get(port, path)
                if status != 200:
                    failures.append(f"{status} {path} {body[:200]!r}")

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if failures:
        raise RuntimeError(f"{len(failures)} searches failed, first: {failures[0]}")
    return rounds * clients * len(paths), time.perf_counter() - started


def code_root(ref: str | None, work: Path) -> Path:
    if ref is None:
        return ROOT
    target = work / "code"
    target.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive, check=True)
    return target


def environment(code: Path, work: Path, database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "PYTHONPATH": str(code),
        "PYTHONDONTWRITEBYTECODE": "1",
        "DATABASE_URL": database_url,
        "SEARCH_INDEX_DIR": str(work / "index"),
        "SEARCH_FOLLOW": "inline",
        "MEDIA_STORAGE": f"file://{work / 'media'}",
        "IMPORTS_DIR": str(work / "imports"),
        "MEDIA_CACHE_DIR": str(work / "media-cache"),
        "SECRET_KEY": "benchmark",
        **UNREACHABLE_RATE_LIMITS,
    }


def database_at(server: str, name: str) -> str:
    url = make_url(server.replace("postgresql://", "postgresql+psycopg://", 1))
    return url.set(database=name).render_as_string(hide_password=False)


def kept_objects(server: str, name: str) -> int:
    """How many objects a database kept by an earlier run holds (0 if there is none)."""
    engine = sa.create_engine(database_at(server, name))
    try:
        with engine.connect() as connection:
            return connection.scalar(sa.select(sa.func.count()).select_from(CatalogueObject))
    except sa.exc.SQLAlchemyError:
        return 0
    finally:
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=20_000)
    parser.add_argument(
        "--server",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    parser.add_argument("--port", type=int, default=5078)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--procs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--rounds", type=int, default=3, help="turns of the mix per client")
    parser.add_argument("--ref", help="git commit whose code runs (default: this checkout)")
    parser.add_argument("--reuse", action="store_true", help="reuse a kept database")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    args = parser.parse_args()

    name = f"bench_memory_{args.objects}"
    work = Path(tempfile.mkdtemp(prefix="memory-bench-"))
    code = code_root(args.ref, work)
    print(f"Machine: {machine()}; load average at start {load_average()}")
    print(f"Code: {args.ref or 'this checkout'}; {args.workers} workers; {args.objects} objects")

    database_url = None
    if args.reuse and kept_objects(args.server, name) == args.objects:
        database_url = database_at(args.server, name)
    if database_url is None:
        database_url = create_database(args.server, name)
        app = create_app(
            {"DATABASE_URL": database_url, "SECRET_KEY": "b", "SEARCH_INDEX_DIR": str(work / "x")}
        )
        with app.app_context():
            upgrade()
        generated, stored = load(app, args.objects)
        print(f"Generated in {generated:.1f} s; bulk-inserted in {stored:.1f} s")

    env = environment(code, work, database_url)
    catalogue = [sys.executable, "-c", "from catalogue import main; main()"]
    started = time.perf_counter()
    subprocess.run(
        [*catalogue, "search", "reindex", "--procs", str(args.procs)],
        cwd=code,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    index_mib = sum(p.stat().st_size for p in (work / "index").rglob("*") if p.is_file()) / 2**20
    print(f"Reindex: {time.perf_counter() - started:.1f} s; index {index_mib:.1f} MiB on disk")

    gunicorn = str(Path(sys.executable).parent / "gunicorn")
    server = subprocess.Popen(
        [gunicorn, "--workers", str(args.workers), "--timeout", "600"]
        + ["--bind", f"127.0.0.1:{args.port}", "wsgi:app"],
        cwd=code,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 600
        while True:
            try:
                if get(args.port, "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not become ready")
            time.sleep(0.5)
        time.sleep(2)
        idle = node_memory(server.pid)
        mix = synthetic.query_mix()
        requests, seconds = warm(args.port, mix, args.rounds, args.workers)
        warm_figures = node_memory(server.pid)
    finally:
        server.terminate()
        server.wait(60)
    result = {
        "objects": args.objects,
        "code": args.ref or "this checkout",
        "workers": args.workers,
        "index_mib": round(index_mib, 1),
        "idle": idle,
        "warm": warm_figures,
        "warming": {"requests": requests, "seconds": round(seconds, 1)},
        "load_average_end": load_average(),
    }
    print(json.dumps(result, indent=2))
    print(
        f"Node PSS idle {idle['node_pss_mib']} MiB, warm {warm_figures['node_pss_mib']} MiB "
        f"({args.workers} workers, {args.objects} objects, {requests} searches in "
        f"{seconds:.0f} s); load average at the end {load_average()}"
    )
    shutil.rmtree(work, ignore_errors=True)
    if not args.keep:
        drop_database(args.server, name)


if __name__ == "__main__":
    main()
