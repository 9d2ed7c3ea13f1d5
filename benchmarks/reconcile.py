"""How long a batch of 10 reconciliation queries takes against a catalogue of N objects.

Run on purpose, from the repository root::

    .venv/bin/python benchmarks/reconcile.py [--objects 20000] [--authorities 2000] [--runs 5]

It builds a throwaway SQLite catalogue (tables created from the models; objects and agents
inserted in bulk with the synthetic collection's French titles, a third of the objects
public), then times ``POST /reconcile`` in-process (Flask test client) for one batch of 10
queries as OpenRefine sends it (5 agents, 5 objects by title), anonymously and as a curator.
There is no target yet; the figures show how object queries grow with the catalogue.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:] = [str(HERE.parent)] + [p for p in sys.path if Path(p or ".").resolve() != HERE]

from benchmarks import synthetic  # noqa: E402
from catalogue import create_app  # noqa: E402
from catalogue.extensions import db  # noqa: E402
from catalogue.models import Agent, AgentKind, CatalogueObject, Status  # noqa: E402
from catalogue.services import labels  # noqa: E402
from catalogue.services.accounts import users as accounts  # noqa: E402
from catalogue.services.identity import SYSTEM  # noqa: E402


def build(app, objects: int, agents: int) -> tuple[list[str], list[str], str]:
    rng = random.Random(1944)
    with app.app_context():
        db.create_all()
        names, titles = [], []
        rows = []
        for i in range(agents):
            name = f"{synthetic._sentence(rng, 2)[0].title()} {i}"
            names.append(name)
            label = {"fr": name}
            rows.append(
                Agent(
                    id=uuid.uuid4(),
                    kind=AgentKind.organisation,
                    label=label,
                    uri=None,
                    **labels.label_keys(label, "fr"),
                )
            )
        db.session.add_all(rows)
        rows = []
        for i in range(objects):
            title = synthetic._sentence(rng, 4)[0]
            titles.append(title)
            rows.append(
                CatalogueObject(
                    id=uuid.uuid4(),
                    object_number=f"2030.{i:06d}",
                    status=(Status.public, Status.internal, Status.draft)[i % 3],
                    title={"fr": title},
                )
            )
            if len(rows) == 5000:
                db.session.add_all(rows)
                db.session.flush()
                rows = []
        db.session.add_all(rows)
        db.session.commit()
        accounts.create_user(SYSTEM, "curator@museum.example", "curator")
        token = accounts.create_token(SYSTEM, "curator@museum.example")
        db.session.remove()
    return names, titles, token


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--objects", type=int, default=20_000)
    parser.add_argument("--authorities", type=int, default=2_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(
            {
                "SECRET_KEY": "bench",
                "DATABASE_URL": f"sqlite:///{folder}/bench.db",
                "MEDIA_STORAGE": Path(folder, "media").as_uri(),
                "SEARCH_INDEX_DIR": str(Path(folder, "index")),
                "IMPORTS_DIR": str(Path(folder, "imports")),
                "RATELIMIT_ENABLED": False,
                "BACKGROUND_RUN": "process",
            }
        )
        started = time.perf_counter()
        names, titles, token = build(app, args.objects, args.authorities)
        print(
            f"built {args.objects} objects, {args.authorities} agents in "
            f"{time.perf_counter() - started:.1f} s"
        )
        rng = random.Random(1945)
        queries = {f"a{i}": {"query": rng.choice(names), "type": "agent"} for i in range(5)}
        queries |= {f"o{i}": {"query": rng.choice(titles), "type": "object"} for i in range(5)}
        body = {"queries": json.dumps(queries)}
        client = app.test_client()
        for who, headers in (("anonymous", {}), ("curator", {"Authorization": f"Bearer {token}"})):
            times = []
            for _ in range(args.runs):
                began = time.perf_counter()
                response = client.post("/reconcile", data=body, headers=headers)
                times.append(time.perf_counter() - began)
                assert response.status_code == 200, response.get_data(as_text=True)
            print(
                f"{who}: batch of 10, median {statistics.median(times) * 1000:.0f} ms, "
                f"best {min(times) * 1000:.0f} ms ({args.runs} runs)"
            )
    print("load:", os.getloadavg())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
