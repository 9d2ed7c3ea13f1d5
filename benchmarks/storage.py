"""What the database holds per object, and how fast records are read, for two versions of the code.

Run on purpose (not part of the test suite):

    .venv/bin/python benchmarks/storage.py --objects 2000 [--baseline main] \
        [--postgresql postgresql://postgres@127.0.0.1:5432/postgres]

For the working tree and for the ``--baseline`` revision (exported with ``git archive`` into a
temporary folder), on SQLite and on PostgreSQL, in one run: a fresh database is migrated, a
spreadsheet of ``--objects`` records with long French and English descriptions (about 110
words each, from a vocabulary of thousands of words, so that they compress like prose) is
imported with ``--create-authorities`` as ``catalogue import objects`` does, and then

- the bytes each table takes with its indexes (SQLite: ``dbstat``; PostgreSQL:
  ``pg_total_relation_size`` after ``VACUUM``), per object;
- reads through the WSGI app in process (no network): ``GET /api/v1/objects/{id}`` anonymous
  and with a curator's token, ``GET /api/v1/objects?per_page=100`` and OAI-PMH
  ``ListRecords`` (``lido``, 200 records a page), in records per second.

Each measurement runs in its own process (``--measure``) so that both versions use their own
code; the table compares them, with the machine's load.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/postgres"

# ---- the corpus ------------------------------------------------------------------------------

# Letters in about the frequencies of French and English prose: words made of them compress
# with zlib about as real descriptions do (1.6-1.9 times for a paragraph).
LETTERS_FR = "eeeeeeaaaaiiiissssnnnnrrrrttttuuuulllloooddccmmppévqgfbhàèxyjêç"
LETTERS_EN = "eeeeeeetttttaaaaoooooiiiinnnnsssshhhhrrrrddllccuummwwffggyyppbbvkjxqz"
TYPES = [f"Type {n}" for n in range(26)]


def vocabulary(rng: random.Random, letters: str, size: int) -> list[str]:
    words: set[str] = set()
    while len(words) < size:
        words.add("".join(rng.choice(letters) for _ in range(max(1, int(rng.gauss(6, 2.5))))))
    ordered = sorted(words)
    rng.shuffle(ordered)
    return ordered


def prose(rng: random.Random, words: list[str], weights: list[float], count: int) -> str:
    chosen = rng.choices(words, weights, k=count)
    sentences, start = [], 0
    while start < count:
        length = rng.randint(8, 20)
        sentence = " ".join(chosen[start : start + length])
        sentences.append(sentence[:1].upper() + sentence[1:] + ".")
        start += length
    return " ".join(sentences)


def write_rows(path: Path, count: int, seed: int = 1944) -> None:
    """A spreadsheet like the corpus of issue 14: 26 types, 2,000 makers, 500 places."""
    rng = random.Random(seed)
    french = vocabulary(rng, LETTERS_FR, 4000)
    english = vocabulary(rng, LETTERS_EN, 4000)
    weights = [1 / (rank + 1) for rank in range(4000)]
    header = ["object_number", "status", "title_fr", "title_en", "description_fr"]
    header += ["description_en", "object_type", "date", "maker", "maker_role", "place"]
    with path.open("w", encoding="utf-8", newline="") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(header)
        for n in range(count):
            writer.writerow(
                [
                    f"2040.{n // 1000:04d}.{n % 1000:03d}",
                    rng.choice(["public"] * 6 + ["internal", "draft"]),
                    prose(rng, french, weights, rng.randint(3, 7)).rstrip("."),
                    prose(rng, english, weights, rng.randint(3, 7)).rstrip("."),
                    prose(rng, french, weights, rng.randint(100, 120)),
                    prose(rng, english, weights, rng.randint(100, 120)),
                    rng.choice(TYPES),
                    str(rng.randint(1900, 1950)),
                    f"Atelier {rng.randrange(2000)}",
                    "fabricant",
                    f"Lieu {rng.randrange(500)}",
                ]
            )


# ---- one measurement (run in a process of its own) ------------------------------------------


def table_sizes(db, sa) -> dict[str, int]:
    """Bytes per table, its indexes and TOAST included."""
    engine = db.engine
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            connection.exec_driver_sql("VACUUM")
            rows = connection.exec_driver_sql(
                "SELECT coalesce(m.tbl_name, s.name), SUM(s.pgsize) FROM dbstat s "
                "LEFT JOIN sqlite_master m ON m.name = s.name GROUP BY 1"
            ).all()
        return {name: size for name, size in rows}
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql("VACUUM ANALYZE")
        rows = connection.exec_driver_sql(
            "SELECT c.relname, pg_total_relation_size(c.oid) FROM pg_class c "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE c.relkind = 'r' AND n.nspname = 'public'"
        ).all()
    return {name: size for name, size in rows}


def rate(client, paths: list[str], headers: dict, records_each: int) -> tuple[float, float]:
    """Records per second over ``paths`` (after one warm-up request): per second of the
    clock, and per second of this process's CPU (less disturbed by other work on the
    machine; on PostgreSQL the server's own work is not in it)."""
    client.get(paths[0], headers=headers)
    started, cpu = time.perf_counter(), time.process_time()
    for path in paths:
        response = client.get(path, headers=headers)
        assert response.status_code == 200, (path, response.status_code, response.data[:300])
    records = len(paths) * records_each
    return records / (time.perf_counter() - started), records / (time.process_time() - cpu)


def measure(args) -> dict:
    sys.path.insert(0, str(args.tree))
    import sqlalchemy as sa
    from flask_migrate import upgrade

    from benchmarks import UNREACHABLE_RATE_LIMITS
    from catalogue import create_app
    from catalogue.extensions import db
    from catalogue.models import CatalogueObject, Status
    from catalogue.services.accounts import users
    from catalogue.services.exchange import imports
    from catalogue.services.identity import SYSTEM

    assert Path(sys.modules["catalogue"].__file__).is_relative_to(args.tree)
    folder = Path(args.folder)
    app = create_app(
        {
            "DATABASE_URL": args.database,
            "SECRET_KEY": "benchmark",
            "SEARCH_INDEX_DIR": str(folder / "index"),
            "MEDIA_STORAGE": (folder / "media").as_uri(),
            "IMPORTS_DIR": str(folder / "imports"),
            **UNREACHABLE_RATE_LIMITS,
        }
    )
    source = folder / "objects.csv"
    write_rows(source, args.objects)
    with app.app_context():
        upgrade()
        started, cpu = time.perf_counter(), time.process_time()
        options = imports.Options(create_authorities=True)
        report = imports.import_objects(SYSTEM, source, options)
        imported = (time.perf_counter() - started, time.process_time() - cpu)
        assert report.created == args.objects, report.errors[:3]
        users.create_user(SYSTEM, "curator@bench.example", "curator")
        token = users.create_token(SYSTEM, "curator@bench.example")
        db.session.commit()
        public = (
            db.session.execute(
                sa.select(CatalogueObject.id).where(CatalogueObject.status == Status.public)
            )
            .scalars()
            .all()
        )
        db.session.remove()
        sizes = table_sizes(db, sa)
        db.engine.dispose()
    rng = random.Random(7)
    ids = [rng.choice(public) for _ in range(args.reads)]
    staff = {"Authorization": f"Bearer {token}"}
    pages = max(1, min(len(public) // 100, 20))
    reads = {}
    with app.test_client() as client:
        for _ in range(3):  # the best of three passes, against the noise of a shared machine
            passes = {
                "get_anonymous": rate(client, [f"/api/v1/objects/{i}" for i in ids], {}, 1),
                "get_staff": rate(client, [f"/api/v1/objects/{i}" for i in ids], staff, 1),
                "list_100": rate(
                    client,
                    [f"/api/v1/objects?per_page=100&page={p + 1}" for p in range(pages)],
                    {},
                    100,
                ),
                "oai_list_records": harvest_rate(client),
            }
            for name, (wall, cpu) in passes.items():
                best = reads.get(name, (0.0, 0.0))
                reads[name] = (max(best[0], wall), max(best[1], cpu))
    return {"sizes": sizes, "reads": reads, "import_seconds": imported, "objects": args.objects}


def harvest_rate(client) -> tuple[float, float]:
    """Records per second of a whole ``lido`` harvest, following resumption tokens."""
    import re

    path, records = "/oai?verb=ListRecords&metadataPrefix=lido", 0
    started, cpu = time.perf_counter(), time.process_time()
    while path:
        response = client.get(path)
        assert response.status_code == 200, response.data[:300]
        records += response.data.count(b"<record>")
        token = re.search(rb"<resumptionToken[^>]*>([^<]+)</resumptionToken>", response.data)
        path = f"/oai?verb=ListRecords&resumptionToken={token[1].decode()}" if token else None
    return records / (time.perf_counter() - started), records / (time.process_time() - cpu)


# ---- the run: both versions, both databases -------------------------------------------------


def export(revision: str, folder: Path) -> Path:
    tree = folder / f"tree-{revision.replace('/', '-')}"
    tree.mkdir()
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", revision], check=True, capture_output=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(tree)], input=archive, check=True)
    return tree


def scratch(server: str, name: str, drop: bool = False) -> str:
    import sqlalchemy as sa
    from sqlalchemy.engine import make_url

    url = make_url(server.replace("postgresql://", "postgresql+psycopg://", 1))
    admin = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if not drop:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def run_one(tree: Path, database: str, objects: int, reads: int) -> dict:
    with tempfile.TemporaryDirectory() as folder:
        if database == "sqlite":
            url = f"sqlite:///{folder}/catalogue.db"
        else:
            url = scratch(database, f"bench_storage_{os.getpid()}")
        command = [sys.executable, str(Path(__file__).resolve()), "--measure", "--tree", str(tree)]
        command += ["--database", url, "--folder", folder]
        command += ["--objects", str(objects), "--reads", str(reads)]
        try:
            output = subprocess.run(
                command, check=True, capture_output=True, text=True, cwd=tree
            ).stdout
        except subprocess.CalledProcessError as error:
            sys.exit(f"measurement failed:\n{error.stderr[-3000:]}")
        finally:
            if database != "sqlite":
                scratch(database, f"bench_storage_{os.getpid()}", drop=True)
    return json.loads(output.strip().splitlines()[-1])


def report(name: str, before: dict, after: dict) -> None:
    objects = after["objects"]
    print(f"\n{name}: {objects} objects (bytes per object, tables with their indexes)")
    tables = sorted(
        set(before["sizes"]) | set(after["sizes"]), key=lambda t: -after["sizes"].get(t, 0)
    )
    print(f"  {'table':<22} {'before':>9} {'after':>9}")
    for table in tables:
        b, a = before["sizes"].get(table, 0) / objects, after["sizes"].get(table, 0) / objects
        if max(a, b) >= 50:
            print(f"  {table:<22} {b:>9,.0f} {a:>9,.0f}")
    total_b = sum(before["sizes"].values()) / objects
    total_a = sum(after["sizes"].values()) / objects
    print(f"  {'whole database':<22} {total_b:>9,.0f} {total_a:>9,.0f}")
    print("  reads, records/s       clock: before  after  ratio   CPU: before  after  ratio")
    for key in before["reads"]:
        (b, bc), (a, ac) = before["reads"][key], after["reads"][key]
        clock = f"{b:>12,.0f} {a:>6,.0f} {a / b:>6.2f}"
        print(f"  {key:<22} {clock} {bc:>12,.0f} {ac:>6,.0f} {ac / bc:>6.2f}")
    (b, bc), (a, ac) = before["import_seconds"], after["import_seconds"]
    print(f"  import: {b:.1f} s (CPU {bc:.1f} s) before, {a:.1f} s (CPU {ac:.1f} s) after")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=2000)
    parser.add_argument("--reads", type=int, default=500, help="single-record GETs per pass")
    parser.add_argument("--baseline", default="main", help="git revision to compare with")
    parser.add_argument("--postgresql", default=DEFAULT_POSTGRES, help="'none' for SQLite only")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--tree", type=Path, default=ROOT, help=argparse.SUPPRESS)
    parser.add_argument("--database", help=argparse.SUPPRESS)
    parser.add_argument("--folder", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args)))
        return
    databases = [] if args.no_sqlite else ["sqlite"]
    databases += [] if args.postgresql == "none" else [args.postgresql]
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    )
    print(f"load before: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")
    with tempfile.TemporaryDirectory() as folder:
        baseline = export(args.baseline, Path(folder))
        for database in databases:
            name = "SQLite" if database == "sqlite" else "PostgreSQL"
            before = run_one(baseline, database, args.objects, args.reads)
            after = run_one(ROOT, database, args.objects, args.reads)
            report(name, before, after)
    print(f"\nload after: {', '.join(f'{v:.2f}' for v in os.getloadavg())}")


if __name__ == "__main__":
    main()
