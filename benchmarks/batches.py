"""A batch that changes one field on 10,000 objects: the preview, then the run.

Run on purpose (not part of the test suite):

    .venv/bin/python benchmarks/batches.py [--objects 10000] [--database-url URL]

Without ``--database-url`` a new SQLite file in a temporary folder is used. The objects are
imported first (as ``benchmarks/import.py`` makes them); the batch sets the English credit
line of every one of them. The preview is ``POST /api/v1/batches``' service call; the run is
what a worker does for ``POST .../run``, with the search index, the change log (feeds) and
the OAI-PMH payloads kept in step: the run is over when the index has applied every change.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import tempfile
import time
from pathlib import Path

import sqlalchemy as sa
from flask_migrate import upgrade

from catalogue import create_app
from catalogue.extensions import db
from catalogue.models import CatalogueObject, ChangeLogEntry, ObjectVersion
from catalogue.services.batches import create as batches
from catalogue.services.batches import run as batch_run
from catalogue.services.batches.read import counts
from catalogue.services.exchange import imports
from catalogue.services.identity import SYSTEM
from catalogue.services.search import follow
from catalogue.services.search import query as search_query

spec = importlib.util.spec_from_file_location("import_bench", Path(__file__).with_name("import.py"))
import_bench = importlib.util.module_from_spec(spec)
spec.loader.exec_module(import_bench)


def count(model) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=10_000)
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
                "BACKGROUND_RUN": "process",
            }
        )
        source = base / "objects.csv"
        import_bench.write_rows(source, args.objects)
        with app.app_context():
            upgrade()
            options = imports.Options(create_authorities=True, index_alongside=True)
            imports.import_objects(SYSTEM, source, options)
            ids = list(db.session.execute(sa.select(CatalogueObject.id)).scalars())
            logged, versions = count(ChangeLogEntry), count(ObjectVersion)
            db.session.remove()

            body = {
                "targets": {"ids": ids},
                "operation": {"op": "set", "field": "credit_line.en", "value": "Batch gift"},
            }
            started, cpu = time.perf_counter(), time.process_time()
            batch_id = batches.create(SYSTEM, body)
            preview, preview_cpu = time.perf_counter() - started, time.process_time() - cpu
            batches.run(SYSTEM, batch_id)
            db.session.remove()

            started, cpu = time.perf_counter(), time.process_time()
            batch_run.run(None, str(batch_id), SYSTEM.email, str(SYSTEM.role))
            ran, ran_cpu = time.perf_counter() - started, time.process_time() - cpu
            result = counts(batch_id)
            lag = follow.lag()
            found, _, _ = search_query.search(SYSTEM, {"q": "Batch gift", "per_page": 1})
            new_log, new_versions = count(ChangeLogEntry) - logged, count(ObjectVersion) - versions
    print(f"database: {url.split(':')[0]}; load average {os.getloadavg()}")
    print(f"preview: {len(ids)} objects in {preview:.1f} s (CPU {preview_cpu:.1f} s)")
    print(
        f"run:     {result['changed']} changed, {result['skipped']} skipped in {ran:.1f} s "
        f"(CPU of this process {ran_cpu:.1f} s) = {result['changed'] / ran:.0f} objects/s"
    )
    print(
        f"after:   {new_versions} new versions, {new_log} change-log entries, index lag "
        f"{lag['changes']} changes; a search for the new text finds {found.total}"
    )


if __name__ == "__main__":
    main()
