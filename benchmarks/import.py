"""Import 10,000 generated rows into a fresh catalogue and report rows per second.

Run on purpose (not part of the test suite):

    .venv/bin/python benchmarks/import.py [--rows 10000] [--database-url URL]

Without ``--database-url`` a new SQLite file in a temporary folder is used. The file has the
columns a museum spreadsheet usually has: titles in two languages, a type, materials, a date,
a maker, a place, a collection and a dimension, with authorities created on the way.
"""

from __future__ import annotations

import argparse
import csv
import random
import tempfile
import time
from pathlib import Path

from flask_migrate import upgrade

from catalogue import create_app
from catalogue.services.exchange import imports
from catalogue.services.identity import SYSTEM
from catalogue.services.search import sync as search_sync

TYPES = ["Casque", "Lettre", "Photographie", "Uniforme", "Affiche", "Carte", "Médaille"]
MATERIALS = ["acier", "cuir", "papier", "laine", "coton", "laiton", "bois", "verre"]
MAKERS = [f"Atelier {n}" for n in range(40)]
PLACES = ["Wizernes", "Saint-Omer", "Peenemünde", "Eperlecques", "Helfaut", "Lille"]
COLLECTIONS = ["Les armes secrètes", "La vie sous l'Occupation", "La Libération"]


def write_rows(path: Path, count: int) -> None:
    rng = random.Random(1944)
    with path.open("w", encoding="utf-8-sig", newline="") as stream:
        writer = csv.writer(stream, delimiter=";")
        writer.writerow(
            [
                "object_number",
                "status",
                "title_fr",
                "title_en",
                "object_type",
                "materials",
                "date",
                "maker",
                "maker_role",
                "place",
                "collection",
                "height_cm",
            ]
        )
        for n in range(count):
            writer.writerow(
                [
                    f"2030.{n // 1000:04d}.{n % 1000:03d}",
                    rng.choice(["draft", "internal", "public"]),
                    f"Objet n° {n} de la collection",
                    f"Object no. {n} of the collection",
                    rng.choice(TYPES),
                    " | ".join(rng.sample(MATERIALS, rng.randint(1, 3))),
                    str(rng.randint(1939, 1945)),
                    rng.choice(MAKERS),
                    "fabricant",
                    rng.choice(PLACES),
                    rng.choice(COLLECTIONS),
                    f"{rng.randint(5, 300)},{rng.randint(0, 9)}",
                ]
            )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        base = Path(folder)
        url = args.database_url or f"sqlite:///{base / 'bench.db'}"
        app = create_app(
            {
                "DATABASE_URL": url,
                "SECRET_KEY": "benchmark",
                "SEARCH_INDEX_DIR": str(base / "index"),
                "MEDIA_STORAGE": (base / "media").as_uri(),
                "IMPORTS_DIR": str(base / "imports"),
            }
        )
        source = base / "objects.csv"
        write_rows(source, args.rows)
        with app.app_context():
            upgrade()
            options = imports.Options(create_authorities=True, index_alongside=True)
            phases: dict[str, float] = {}

            def mark(phase: str, rows: int) -> None:
                phases.setdefault(phase, time.perf_counter())
                phases["last row"] = time.perf_counter()

            # Time spent bringing the search index up to date, inside the import's own time.
            indexing = [0.0, 0.0]
            catch_up = search_sync.catch_up

            def timed_catch_up(*args, **kwargs):
                started, cpu = time.perf_counter(), time.process_time()
                try:
                    return catch_up(*args, **kwargs)
                finally:
                    indexing[0] += time.perf_counter() - started
                    indexing[1] += time.process_time() - cpu

            search_sync.catch_up = timed_catch_up

            started, cpu = time.perf_counter(), time.process_time()
            report = imports.import_objects(SYSTEM, source, options, mark)
            first, first_cpu = time.perf_counter() - started, time.process_time() - cpu
            (indexed, indexed_cpu), indexing[:] = indexing, [0.0, 0.0]
            check = phases.get("importing", started + first) - started
            tail = started + first - phases.get("last row", started + first)
            started, cpu = time.perf_counter(), time.process_time()
            rerun = imports.import_objects(SYSTEM, source, options)
            second, second_cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"database: {url.split(':')[0]}")
    print(
        f"import:  {report.rows} rows in {first:.1f} s = {report.rows / first:.0f} rows/s "
        f"({report.created} created, {report.failed} failed; CPU {first_cpu:.1f} s)"
    )
    print(
        f"         of which checking the file {check:.1f} s, writing the records "
        f"{first - check - tail:.1f} s, finishing the search index after the last row "
        f"{tail:.1f} s (of which the final catch-up {indexed:.1f} s, CPU {indexed_cpu:.1f} s)"
    )
    print(
        f"re-run:  {rerun.rows} rows in {second:.1f} s = {rerun.rows / second:.0f} rows/s "
        f"({rerun.unchanged} unchanged, {rerun.updated} updated; CPU {second_cpu:.1f} s)"
    )


if __name__ == "__main__":
    main()
