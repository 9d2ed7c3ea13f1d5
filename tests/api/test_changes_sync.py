"""A mirror kept in sync through the changes feed holds exactly what the objects list shows."""

from __future__ import annotations

import itertools
import uuid

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from catalogue.extensions import db
from catalogue.models import Base
from catalogue.services.etag import ANY
from catalogue.services.identity import SYSTEM
from catalogue.services.objects import read as objects_read
from catalogue.services.objects import write as objects_write
from catalogue.services.objects.write import load_input

KEPT_TABLES = {"users", "api_tokens"}
STATUSES = st.sampled_from(["draft", "internal", "public"])
CALLERS = st.sampled_from(["anonymous", "researcher"])

operations = st.lists(
    st.one_of(
        st.tuples(st.just("create"), STATUSES),
        st.tuples(st.just("edit"), st.integers(0, 20)),
        st.tuples(st.just("status"), st.integers(0, 20), STATUSES),
        st.tuples(st.just("delete"), st.integers(0, 20)),
        st.tuples(st.just("sync"), CALLERS, st.integers(1, 4)),
    ),
    max_size=25,
)
_numbers = itertools.count(1)


class Mirror:
    """What a website does: follow the feed, fetch what appeared or changed, drop what left."""

    def __init__(self, client, caller):
        self.client, self.caller = client, caller
        self.cursor = None
        self.records: dict[str, dict] = {}

    def sync_page(self, limit: int) -> bool:
        query = {"limit": limit} | ({"since": self.cursor} if self.cursor else {})
        page = self.client.get("/api/v1/changes", query_string=query, headers=self.caller.headers)
        assert page.status_code == 200
        body = page.get_json()
        for item in body["items"]:
            if item["event"] in ("deleted", "unpublished"):
                self.records.pop(item["id"], None)
                continue
            got = self.client.get(f"/api/v1/objects/{item['id']}", headers=self.caller.headers)
            # Gone or hidden since: a later event in the feed says so.
            if got.status_code == 200:
                self.records[item["id"]] = got.get_json()
        self.cursor = body["cursor"]
        return body["has_more"]

    def sync_all(self) -> None:
        while self.sync_page(7):
            pass


def listed(client, caller) -> dict[str, dict]:
    found, page = {}, 1
    while True:
        body = client.get(
            "/api/v1/objects", query_string={"page": page, "per_page": 100}, headers=caller.headers
        ).get_json()
        found.update({item["id"]: item for item in body["items"]})
        if not body["next"]:
            return found
        page += 1


def _empty_catalogue() -> None:
    db.session.remove()
    with db.engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in KEPT_TABLES:
                connection.execute(table.delete())


def _input(record: dict, **changes) -> dict:
    return load_input({**record, **changes})


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_a_mirror_synced_through_the_feed_equals_the_list(app, client, users, ops):
    with app.app_context():
        _empty_catalogue()
        mirrors = {name: Mirror(client, users[name]) for name in ("anonymous", "researcher")}
        alive: list[uuid.UUID] = []
        for op in ops:
            if op[0] == "create":
                number = f"2026.{next(_numbers):05d}.001"
                data = _input({"object_number": number, "title": {"fr": number}, "status": op[1]})
                alive.append(uuid.UUID(objects_write.create(SYSTEM, data).data["id"]))
            elif op[0] == "sync":
                mirrors[op[1]].sync_page(op[2])
            elif alive:
                object_id = alive[op[1] % len(alive)]
                current = objects_read.get(SYSTEM, object_id).data
                if op[0] == "edit":
                    title = {"fr": current["title"]["fr"] + "+"}
                    objects_write.replace(SYSTEM, object_id, _input(current, title=title), ANY)
                elif op[0] == "status":
                    objects_write.replace(SYSTEM, object_id, _input(current, status=op[2]), ANY)
                else:
                    objects_write.delete(SYSTEM, object_id, ANY)
                    alive.remove(object_id)
            db.session.remove()
        for name, mirror in mirrors.items():
            mirror.sync_all()
            assert mirror.records == listed(client, users[name]), name
