"""Where the time of one search goes: cProfile over the Flask test client.

Run on purpose, from the repository root::

    .venv/bin/python benchmarks/profile_search.py [--objects 5000] [--corpus bilingual]

Loads a synthetic collection into a throwaway SQLite database, builds the index, warms the
caches with the query mix, then profiles the mix (anonymous ``GET /api/v1/search?q=...&
per_page=20`` with the default facets) in-process and prints where the time goes, and the
mean time of each kind of request (the mix, ``per_page=1``, words that match nothing).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [str(HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != HERE]

from benchmarks import UNREACHABLE_RATE_LIMITS, bilingual, synthetic  # noqa: E402


def mean_ms(client, queries: list[str], per_page: int = 20) -> float:
    started = time.perf_counter()
    for q in queries:
        url = "/api/v1/search?" + urllib.parse.urlencode({"q": q, "per_page": per_page})
        response = client.get(url)
        assert response.status_code == 200, response.get_data()[:300]
    return (time.perf_counter() - started) * 1000 / len(queries)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--objects", type=int, default=5000)
    parser.add_argument("--corpus", choices=("bilingual", "synthetic"), default="bilingual")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--sort", default="tottime", choices=("tottime", "cumulative"))
    parser.add_argument("--dump", help="save the raw profile to this file")
    args = parser.parse_args()
    corpus = bilingual if args.corpus == "bilingual" else synthetic

    with tempfile.TemporaryDirectory(prefix="catalogue-profile-search-") as tmp:
        os.environ.update(UNREACHABLE_RATE_LIMITS)
        os.environ.update({"CATALOGUE_INSTANCE": tmp, "SECRET_KEY": "benchmark"})
        from flask_migrate import upgrade

        from benchmarks.search import load
        from catalogue import create_app
        from catalogue.services.search import sync

        app = create_app(
            {
                "DATABASE_URL": f"sqlite:///{Path(tmp) / 'catalogue.db'}",
                "SEARCH_INDEX_DIR": str(Path(tmp) / "index"),
                "SECRET_KEY": "benchmark",
            }
        )
        with app.app_context():
            upgrade()
        load(app, args.objects, corpus)
        with app.app_context():
            started = time.perf_counter()
            sync.reindex()
            print(f"{args.objects} objects indexed in {time.perf_counter() - started:.1f} s")
        auth = corpus.authorities()
        mix = bilingual.query_mix(auth) if corpus is bilingual else synthetic.query_mix()
        none = bilingual.no_match_queries()
        client = app.test_client()
        mean_ms(client, mix)
        mean_ms(client, none)
        print(f"mix, per_page=20: {mean_ms(client, mix):.1f} ms a request")
        print(f"mix, per_page=1: {mean_ms(client, mix, 1):.1f} ms a request")
        print(f"no match: {mean_ms(client, none):.1f} ms a request")
        profile = cProfile.Profile()
        profile.enable()
        mean_ms(client, mix)
        mean_ms(client, none)
        profile.disable()
        if args.dump:
            profile.dump_stats(args.dump)
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats(args.sort).print_stats(args.top)
        print(out.getvalue())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
