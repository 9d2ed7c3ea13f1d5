"""Where the time of one object read goes: cProfile over the Flask test client.

Run on purpose, from the repository root::

    .venv/bin/python benchmarks/profile_read.py [--requests 2000] [--token] [--path list]

It loads the demo into a throwaway SQLite database (as benchmarks/api.py does), times the
same number of requests to a bare Flask JSON endpoint for comparison, then profiles the
catalogue's ``GET /api/v1/objects/{id}`` (or the 20-item list) in-process and prints the
functions with the most cumulative and own time.
"""

from __future__ import annotations

import argparse
import cProfile
import importlib.util
import io
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

# Python puts this script's folder first on sys.path; search the repository root instead, so the
# catalogue's own packages are the ones imported, and load api.py by path.
HERE = Path(__file__).resolve().parent
sys.path[:] = [str(HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != HERE]
_spec = importlib.util.spec_from_file_location("bench_api", Path(__file__).with_name("api.py"))
_api = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_api)
bare_app, prepare = _api.bare_app, _api.prepare


def per_request_ms(client, url: str, headers: dict, count: int) -> float:
    started = time.perf_counter()
    for _ in range(count):
        response = client.get(url, headers=headers)
        assert response.status_code == 200, response.status_code
    return (time.perf_counter() - started) * 1000 / count


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--token", action="store_true", help="read as a curator (Bearer token)")
    parser.add_argument("--path", choices=("object", "list"), default="object")
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument(
        "--callees", action="append", default=[], help="also show what PATTERN calls (repeatable)"
    )
    parser.add_argument("--dump", help="save the raw profile to this file (for snakeviz etc.)")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="catalogue-profile-") as tmp:
        env = {**os.environ, "CATALOGUE_INSTANCE": tmp, "SECRET_KEY": "benchmark"}
        env["DATABASE_URL"] = f"sqlite:///{Path(tmp) / 'catalogue.db'}"
        token = prepare(env, "profile@example.org")
        # The catalogue reads its settings from the environment when first imported.
        os.environ.update({k: env[k] for k in ("CATALOGUE_INSTANCE", "SECRET_KEY", "DATABASE_URL")})
        from catalogue import create_app

        client = create_app().test_client()
        page = client.get("/api/v1/objects?per_page=20").get_json()
        public = next(item for item in page["items"] if item["status"] == "public")
        url = (
            f"/api/v1/objects/{public['id']}"
            if args.path == "object"
            else ("/api/v1/objects?per_page=20")
        )
        headers = {"Authorization": f"Bearer {token}"} if args.token else {}

        bare = bare_app().test_client()
        per_request_ms(bare, "/json", {}, 200)
        per_request_ms(client, url, headers, 200)
        bare_ms = per_request_ms(bare, "/json", {}, args.requests)
        plain_ms = per_request_ms(client, url, headers, args.requests)
        print(f"in-process, {args.requests} requests each (no profiler):")
        print(f"  bare Flask /json: {bare_ms:.3f} ms/request")
        print(f"  catalogue {url}{' (curator)' if args.token else ''}: {plain_ms:.3f} ms/request")

        profiler = cProfile.Profile()
        profiler.enable()
        per_request_ms(client, url, headers, args.requests)
        profiler.disable()
        for order in ("cumulative", "tottime"):
            out = io.StringIO()
            stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats(order)
            stats.print_stats(args.top)
            print(f"\n--- by {order} ({args.requests} requests, under cProfile) ---")
            print(out.getvalue().split("\n", 6)[-1])
        for pattern in args.callees:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).strip_dirs().print_callees(pattern)
            print(f"\n--- callees of {pattern} ---")
            print(out.getvalue().split("\n", 4)[-1])
        if args.dump:
            profiler.dump_stats(args.dump)
    return 0


if __name__ == "__main__":
    sys.exit(main())
