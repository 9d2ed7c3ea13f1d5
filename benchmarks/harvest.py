"""Time a full OAI-PMH harvest (Sickle) and a full changes-feed read of N public records.

Run on purpose, not by the test suite:

    .venv/bin/python benchmarks/harvest.py --database postgresql://postgres@127.0.0.1:5432/postgres

It creates a scratch database next to the given one (dropped at the end unless ``--keep``),
loads the demo collection through the services (so authorities and records are rendered by
the real code), then clones the rendered public records in bulk up to ``--records`` objects,
each with its change-log entry, collection links and stored OAI-PMH payloads, as the services
would have written them (the payloads by the same ``oai_payloads.rows_for`` a save runs, on
every CPU). Generation is timed apart from the harvests. The catalogue is served by gunicorn
as ``make serve`` runs it (``--workers``, 2 by default) in a separate process; the harvester
and the feed reader are clients over HTTP on the loopback interface.
"""

from __future__ import annotations

import argparse
import copy
import multiprocessing
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import requests
import sqlalchemy as sa
from sickle import Sickle
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import UNREACHABLE_RATE_LIMITS  # noqa: E402
from catalogue import create_app, demo  # noqa: E402
from catalogue.extensions import db  # noqa: E402
from catalogue.models import (  # noqa: E402
    CatalogueObject,
    ChangeEvent,
    ChangeLogEntry,
    OaiPayload,
    ObjectCollection,
    Status,
)
from catalogue.models.base import utcnow  # noqa: E402
from catalogue.services.identity import view_of  # noqa: E402
from catalogue.services.oai import payloads as oai_payloads  # noqa: E402
from catalogue.services.objects.documents import iso, object_links  # noqa: E402
from catalogue.services.objects.views import VIEWERS, dumps  # noqa: E402

BATCH = 5_000


def scratch_database(server_url: str) -> str:
    url = make_url(server_url.replace("postgresql://", "postgresql+psycopg://", 1))
    name = f"catalogue_bench_{uuid.uuid4().hex[:8]}"
    engine = sa.create_engine(url, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


def drop_database(database_url: str) -> None:
    url = make_url(database_url)
    engine = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{url.database}" WITH (FORCE)'))
    engine.dispose()


def _payload_rows(args: tuple[uuid.UUID, str]) -> list[dict]:
    return oai_payloads.rows_for(*args)


def generate(app, total: int) -> int:
    """Demo collection through the services, then clones of its public records in bulk."""
    from flask_migrate import upgrade

    with app.app_context(), multiprocessing.Pool() as pool:
        upgrade()
        demo.load()
        templates = (
            db.session.execute(
                sa.select(CatalogueObject).where(CatalogueObject.status == Status.public)
            )
            .scalars()
            .all()
        )
        links = {t.id: [c.collection_id for c in t.collections] for t in templates}
        documents = [(t.document, links[t.id], t.object_type_id) for t in templates]
        existing = db.session.execute(sa.select(sa.func.count(CatalogueObject.id))).scalar_one()
        db.session.commit()
        made = 0
        while made < total - existing:
            objects, entries, memberships = [], [], []
            for _ in range(min(BATCH, total - existing - made)):
                document, collections, object_type = documents[made % len(documents)]
                object_id = uuid.uuid4()
                number = f"9{made:07d}.0001.001"
                now = utcnow()
                clone = copy.deepcopy(document)
                clone.update(
                    id=str(object_id),
                    object_number=number,
                    links=object_links(object_id),
                    related_objects=[],
                    created_at=iso(now),
                    updated_at=iso(now),
                    version=1,
                )
                clone["title"] = {k: f"{v} ({number})" for k, v in clone["title"].items()}
                objects.append(
                    {
                        "id": object_id,
                        "object_number": number,
                        "status": Status.public,
                        "object_type_id": object_type,
                        "title": clone["title"],
                        "description": clone.get("description"),
                        "dimensions": clone.get("dimensions") or [],
                        "inscriptions": clone.get("inscriptions") or [],
                        "version": 1,
                        "has_media": False,
                        "document": clone,
                        # The stored public view, as the services write it with the document
                        # (the staff view is the document's text; the research view, left
                        # unset, is the public one).
                        "public_json": dumps(view_of(clone, VIEWERS["public"])),
                        "created_at": now,
                        "updated_at": now,
                    }
                )
                entries.append(
                    {
                        "object_id": object_id,
                        "object_number": number,
                        "event": ChangeEvent.created,
                        "status_before": None,
                        "status_after": Status.public,
                        "at": now,
                    }
                )
                memberships += [
                    {"object_id": object_id, "collection_id": c, "position": i}
                    for i, c in enumerate(collections)
                ]
                made += 1
            db.session.execute(sa.insert(CatalogueObject.__table__), objects)
            # What a save stores with a public record: its payload in every OAI-PMH format.
            views = [(o["id"], o["public_json"]) for o in objects]
            payloads = [row for rows in pool.imap(_payload_rows, views, 100) for row in rows]
            db.session.execute(sa.insert(OaiPayload.__table__), payloads)
            db.session.execute(sa.insert(ChangeLogEntry.__table__), entries)
            if memberships:
                db.session.execute(sa.insert(ObjectCollection.__table__), memberships)
            db.session.commit()
            print(f"  {existing + made:>7} objects", file=sys.stderr)
        db.session.execute(sa.text("ANALYZE"))
        db.session.commit()
        return db.session.execute(
            sa.select(sa.func.count(CatalogueObject.id)).where(
                CatalogueObject.status == Status.public
            )
        ).scalar_one()


def load() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def serve(database_url: str, port: int, workers: int, page_size: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "SECRET_KEY": "benchmark",
        "OAI_PAGE_SIZE": str(page_size),
        **UNREACHABLE_RATE_LIMITS,
    }
    process = subprocess.Popen(
        [
            str(Path(sys.executable).with_name("gunicorn")),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    for _ in range(300):
        try:
            requests.get(f"http://127.0.0.1:{port}/healthz", timeout=10).raise_for_status()
            return process
        except requests.RequestException:
            time.sleep(0.1)
    process.terminate()
    raise SystemExit("gunicorn did not start")


def harvest(base: str, prefix: str) -> tuple[int, float]:
    start = time.perf_counter()
    records = Sickle(f"{base}/oai", max_retries=0, timeout=120).ListRecords(
        metadataPrefix=prefix, ignore_deleted=False
    )
    count = sum(1 for _ in records)
    return count, time.perf_counter() - start


def read_feed(base: str, limit: int) -> tuple[int, int, float]:
    """Follow the feed to its end, as a mirror does; returns (records, events, seconds)."""
    session = requests.Session()
    start = time.perf_counter()
    mirror: set[str] = set()
    events, since = 0, None
    while True:
        query = {"limit": limit} | ({"since": since} if since else {})
        body = session.get(f"{base}/api/v1/changes", params=query, timeout=120).json()
        for item in body["items"]:
            if item["event"] in ("deleted", "unpublished"):
                mirror.discard(item["id"])
            else:
                mirror.add(item["id"])
        events += len(body["items"])
        since = body["cursor"]
        if not body["has_more"]:
            return len(mirror), events, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--page-size", type=int, default=200, help="OAI-PMH records per page")
    parser.add_argument("--feed-limit", type=int, default=1000, help="changes feed page size")
    parser.add_argument("--keep", action="store_true", help="keep the scratch database")
    args = parser.parse_args()
    # A terminated run still drops its scratch database and stops its server.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))

    database_url = scratch_database(args.database)
    print(f"database {make_url(database_url).database}", file=sys.stderr)
    server = None
    try:
        started = time.perf_counter()
        app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "benchmark"})
        public = generate(app, args.records)
        with app.app_context():
            db.engine.dispose()
        generated = time.perf_counter() - started
        print(f"generated in {generated:.1f}s", file=sys.stderr)
        port = free_port()
        server = serve(database_url, port, args.workers, args.page_size)
        base = f"http://127.0.0.1:{port}"
        print(f"{public} public records, gunicorn --workers {args.workers}, {os.cpu_count()} CPUs")
        print(f"generation (not timed below): {generated:.1f}s; load average {load()}")

        def report(name: str, count: int, seconds: float) -> None:
            line = f"{name:<45} {count:>7} records {seconds:>7.1f}s {count / seconds:>8.0f}/s"
            print(line, flush=True)

        count, events, seconds = read_feed(base, args.feed_limit)
        assert count == public, (count, public)
        report(f"changes feed ({events} events), limit={args.feed_limit}", count, seconds)
        # Payloads are stored with the records, so every harvest reads them; two runs each.
        for prefix in ("lido", "oai_dc"):
            for run in (1, 2):
                count, seconds = harvest(base, prefix)
                assert count == public, (count, public)
                report(f"OAI-PMH ListRecords {prefix} (Sickle), run {run}", count, seconds)
        print(f"load average {load()}")
    finally:
        if server is not None:
            server.terminate()
            server.wait(10)
        if not args.keep:
            drop_database(database_url)


if __name__ == "__main__":
    main()
