"""Two app nodes as production runs them: separate gunicorn processes (each with its index
follower and background worker, started by gunicorn.conf.py) over one PostgreSQL database
and one S3 store (SeaweedFS), each with its own index folder and IIIF cache.

PostgreSQL only (collected there, not skipped): LISTEN/NOTIFY wakes the followers and the
job queue is procrastinate's.
"""

from __future__ import annotations

import http.client
import json
import os
import time
import uuid
from pathlib import Path

import pytest

from tests import gunicorn
from tests.media import samples
from tests.storage_fixtures import BUCKET

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)

WRITES = 5000
# Longest a request of a node may take while the other writes and it catches up.
SLOW_SECONDS = 2.0


class Node:
    def __init__(self, name: str, database_url: str, folder: Path, env: dict) -> None:
        self.name, self.database_url, self.folder, self.env = name, database_url, folder, env
        self.server: gunicorn.Gunicorn | None = None

    def start(self) -> Node:
        """Start it, and wait until its follower and background worker run as well."""
        self.server = gunicorn.start(
            self.database_url, self.folder, workers=2, threads=4, config_file=True, env=self.env
        )
        server = self.server
        started = server.log.read_text(errors="replace").count("Following the change log")

        def companions_up() -> bool:
            text = server.log.read_text(errors="replace")
            return text.count("Following the change log") > started and (
                "Running background jobs" in text
            )

        within(60, companions_up, step=0.1)
        return self

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def call(self, method: str, path: str, token: str, body=None, headers=None, raw=None):
        """(status, headers, parsed JSON or None, seconds taken)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=60)
        sent = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
        payload = raw
        if body is not None:
            payload, sent["Content-Type"] = json.dumps(body).encode(), "application/json"
        started = time.monotonic()
        try:
            connection.request(method, path, body=payload, headers=sent)
            response = connection.getresponse()
            data = response.read()
        finally:
            connection.close()
        took = time.monotonic() - started
        kind = response.getheader("Content-Type", "")
        parsed = json.loads(data) if data and "json" in kind else None
        return response.status, dict(response.getheaders()), parsed, took

    def upload(self, path: str, token: str, name: str, content: bytes, kind: str, **fields):
        boundary = uuid.uuid4().hex
        parts = [
            f'--{boundary}\r\nContent-Disposition: form-data; name="{key}"\r\n\r\n{value}\r\n'
            for key, value in fields.items()
        ]
        head = (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"'
            f"\r\nContent-Type: {kind}\r\n\r\n"
        )
        body = (
            "".join(parts).encode() + head.encode() + content + f"\r\n--{boundary}--\r\n".encode()
        )
        headers = {"Content-Type": f"multipart/form-data; boundary={boundary}"}
        return self.call("POST", path, token, headers=headers, raw=body)

    def found(self, token: str, words: str) -> int:
        status, _, page, _ = self.call("GET", f"/api/v1/search?q={words}", token)
        assert status == 200, page
        return page["total"]


def within(seconds: float, condition, step: float = 0.05):
    deadline = time.monotonic() + seconds
    while True:
        value = condition()
        if value:
            return value
        assert time.monotonic() < deadline, f"not within {seconds} s"
        time.sleep(step)


def sheet(rows: int, word: str) -> bytes:
    lines = ["object_number;title_fr;status"]
    lines += [f"2060.{n:05d}.001;{word} {n};public" for n in range(1, rows + 1)]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def nodes(app, database_url, seaweedfs, tmp_path):
    env = {
        "MEDIA_STORAGE": f"s3://{BUCKET}/nodes-{uuid.uuid4().hex[:8]}",
        "S3_ENDPOINT_URL": seaweedfs.endpoint,
        "AWS_ACCESS_KEY_ID": os.environ["AWS_ACCESS_KEY_ID"],
        "AWS_SECRET_ACCESS_KEY": os.environ["AWS_SECRET_ACCESS_KEY"],
        "RATELIMIT_ENABLED": "0",
        "SEARCH_FOLLOW_POLL_SECONDS": "1",
        "SEARCH_MAX_LAG_CHANGES": "200",
        "MEDIA_CACHE_SWEEP_SECONDS": "0",
        "BACKGROUND_LEASE_SECONDS": "10",
    }
    pair = [Node(name, database_url, tmp_path / name, env) for name in ("a", "b")]
    try:
        for node in pair:
            node.start()
        yield pair
    finally:
        for node in pair:
            node.stop()


def test_two_nodes_share_writes_imports_media_and_catch_up(nodes, curator, tmp_path):
    a, b = nodes
    token = curator.token
    for node in nodes:  # followers listening, indexes open, workers warm
        within(60, lambda n=node: n.call("GET", "/readyz", "")[0] == 200, step=0.2)
        for _ in range(4):
            node.found(token, "warm")

    # A write on either node is searchable on both within 2 s.
    for writer in (a, b):
        word = f"maquette{uuid.uuid4().hex[:8]}"
        record = {"object_number": f"2059.{word}", "title": {"fr": word}, "status": "public"}
        status, _, _, _ = writer.call("POST", "/api/v1/objects", token, body=record)
        assert status == 201
        written = time.monotonic()
        for reader in (a, b):
            within(
                2.0 - (time.monotonic() - written), lambda r=reader, w=word: r.found(token, w) == 1
            )

    # An import checked on one node commits on the other (a background worker applies it).
    status, _, checked, _ = a.upload(
        "/api/v1/imports", token, "envoi.csv", sheet(3, "Affiche"), "text/csv"
    )
    assert status == 201 and checked["status"] == "validated", checked
    path = f"/api/v1/imports/{checked['id']}"
    status, headers, accepted, _ = b.call("POST", f"{path}/commit", token)
    assert status == 202 and accepted["status"] == "committing"
    assert headers["Location"].endswith(path)
    committed = within(
        30, lambda: (d := a.call("GET", path, token)[2])["status"] != "committing" and d
    )
    assert committed["status"] == "committed" and committed["report"]["created"] == 3

    # Media deleted on one node are gone from both nodes' IIIF answers.
    status, _, holder, _ = a.call(
        "POST",
        "/api/v1/objects",
        token,
        body={"object_number": "2059.media", "title": {"fr": "Casque"}, "status": "public"},
    )
    assert status == 201
    image = samples.jpeg_with_gps(tmp_path / "casque.jpg").read_bytes()
    status, _, media, _ = a.upload(
        f"/api/v1/objects/{holder['id']}/media", token, "casque.jpg", image, "image/jpeg"
    )
    assert status == 201, media
    info = f"/iiif/3/{media['id']}/info.json"
    tile = f"/iiif/3/{media['id']}/full/max/0/default.jpg"
    for node in (a, b):
        assert node.call("GET", info, "")[0] == 200
        assert node.call("GET", tile, "")[0] == 200  # B keeps a copy of the pyramid
    media_path = f"/api/v1/media/{media['id']}"
    etag = a.call("GET", media_path, token)[1]["ETag"]
    assert a.call("DELETE", media_path, token, headers={"If-Match": etag})[0] == 204
    for node in (a, b):
        assert node.call("GET", info, "")[0] == 404
        assert node.call("GET", tile, "")[0] == 404

    # B stops; A takes 5,000 writes (an import a worker applies); B restarts half-way,
    # catches up without a slow or failed request, and says how far behind it is meanwhile.
    b.stop()
    word = f"plaque{uuid.uuid4().hex[:6]}"
    status, _, big, _ = a.upload(
        "/api/v1/imports", token, "plaques.csv", sheet(WRITES, word), "text/csv", dry_run="false"
    )
    assert status == 201 and big["status"] == "committing", big
    big_path = f"/api/v1/imports/{big['id']}"

    def applied() -> int:
        progress = a.call("GET", big_path, token)[2]["commit_job"]["progress"] or {}
        return progress.get("rows_applied", 0)

    within(120, lambda: applied() >= WRITES // 4, step=0.2)
    b.start()
    lags, slow, failed = [], [], []
    while True:
        status, _, ready, took = b.call("GET", "/readyz", "")
        lags.append((status, ready["search_index_lag"]["changes"]))
        for target in (f"/api/v1/search?q={word}", "/api/v1/objects?per_page=20"):
            answer, _, _, spent = b.call("GET", target, token)
            if answer != 200:
                failed.append((target, answer))
            if spent > SLOW_SECONDS:
                slow.append((target, round(spent, 2)))
        done = a.call("GET", big_path, token)[2]
        if status == 200 and lags[-1][1] == 0 and done["status"] != "committing":
            break
        assert len(lags) < 2000, lags[-5:]
        time.sleep(0.1)
    assert failed == [] and slow == []
    assert any(changes > 0 for _, changes in lags), lags[:5]  # B said it was behind
    # Past SEARCH_MAX_LAG_CHANGES (200) it is not ready: the balancer sends it nothing.
    assert all(status == 503 for status, changes in lags if changes > 200), lags[:5]
    assert done["status"] == "committed", done
    for node in (a, b):
        assert node.found(token, word) == WRITES
