"""Index follower benchmark: run on purpose (not a test).

    .venv/bin/python benchmarks/follower.py --objects 25000            # PostgreSQL
    .venv/bin/python benchmarks/follower.py --objects 25000 --sqlite   # a SQLite file

Writes the synthetic collection straight to a fresh database with one change-log entry per
object (as a bulk write leaves the log for a node that was away), then runs the node's
follower (``services.search.follow.run``, what ``catalogue search follow`` runs) over an
index that had read the log up to then, and reports the changes applied per second (from
its start to the index cursor reaching the end of the log), with the load average, next to
one plain Whoosh writer indexing the same documents (what indexing alone costs).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402
from flask_migrate import upgrade  # noqa: E402

from benchmarks.search import (  # noqa: E402
    create_database,
    documents,
    drop_database,
    load,
    load_average,
    machine,
    raw_whoosh_index,
)
from catalogue import create_app  # noqa: E402
from catalogue.extensions import db  # noqa: E402
from catalogue.models import CatalogueObject, ChangeEvent, ChangeLogEntry  # noqa: E402
from catalogue.models.base import utcnow  # noqa: E402
from catalogue.services.search import follow  # noqa: E402
from catalogue.services.search import sync as search_sync  # noqa: E402


def log_every_object(app) -> int:
    """One ``created`` entry per object, in one transaction; returns the log's last seq."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(CatalogueObject.id, CatalogueObject.object_number, CatalogueObject.status)
        ).all()
        entries = [
            {
                "object_id": row.id,
                "object_number": row.object_number,
                "event": ChangeEvent.created,
                "status_before": None,
                "status_after": row.status,
                "at": utcnow(),
            }
            for row in rows
        ]
        for start in range(0, len(entries), 5000):
            db.session.execute(sa.insert(ChangeLogEntry), entries[start : start + 5000])
        db.session.commit()
        return db.session.execute(sa.select(sa.func.max(ChangeLogEntry.seq))).scalar()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=25_000)
    parser.add_argument("--sqlite", action="store_true", help="a SQLite file, not PostgreSQL")
    parser.add_argument(
        "--server",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
        ),
    )
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="follower-bench-"))
    name = f"bench_follower_{args.objects}"
    if args.sqlite:
        database_url = f"sqlite:///{work / 'catalogue.db'}"
    else:
        database_url = create_database(args.server, name)
    app = create_app(
        {
            "DATABASE_URL": database_url,
            "SEARCH_INDEX_DIR": str(work / "index"),
            "SECRET_KEY": "benchmark",
            "SEARCH_FOLLOW": "process",
        }
    )
    with app.app_context():
        upgrade()
        # The node has read the log so far (one entry for an object since gone).
        db.session.add(
            ChangeLogEntry(
                object_id=uuid.uuid4(),
                object_number="GONE",
                event=ChangeEvent.deleted,
                at=utcnow(),
            )
        )
        db.session.commit()
        search_sync.sync()
    print(f"Machine: {machine()}; database: {'SQLite' if args.sqlite else 'PostgreSQL'}")
    generated, stored = load(app, args.objects)
    last = log_every_object(app)
    print(f"Generated {args.objects} objects in {generated:.1f} s; stored in {stored:.1f} s")

    store = search_sync.engine(app).store
    stop = threading.Event()

    def run():
        with app.app_context():
            follow.run(stop, poll_seconds=0.05)

    print(f"Load average before following: {load_average()}")
    started = time.perf_counter()
    thread = threading.Thread(target=run)
    thread.start()
    commits = []
    while store.cursor() < last:
        if not commits or commits[-1] != store.cursor():
            commits.append(store.cursor())
        time.sleep(0.01)
    elapsed = time.perf_counter() - started
    stop.set()
    thread.join()
    applied = last - 1
    print(
        f"Followed {applied} changes in {elapsed:.1f} s: {applied / elapsed:,.0f} changes/s "
        f"({len(commits)} index commits seen); load average after {load_average()}"
    )
    # The same documents, already built, through one plain Whoosh writer committing once:
    # what indexing alone costs on this machine now.
    (work / "raw").mkdir()
    raw = raw_whoosh_index(documents(app), str(work / "raw"), 1)
    print(
        f"Raw Whoosh, one writer: {args.objects} documents in {raw:.1f} s "
        f"({args.objects / raw:,.0f}/s); follower / raw: {elapsed / raw:.2f}; "
        f"load average {load_average()}"
    )
    with app.app_context():
        report = search_sync.verify()
        assert not any(report.values()), {k: len(v) for k, v in report.items()}
        db.engine.dispose()
    if not args.sqlite:
        drop_database(args.server, name)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
