"""API rate limits: a budget per address for anonymous callers and per token for the others,
429 problem+json with Retry-After past it, counted in storage every worker shares.

The rest of the suite runs with the limits off; these tests build apps of their own with small
limits, on the test database (or on Redis, the other storage).
"""

from __future__ import annotations

import socket
import uuid
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from catalogue import create_app
from catalogue.extensions import db
from catalogue.models import RequestCount
from tests import helpers
from tests.conftest import make_test_config

LIMITS = {
    "RATELIMIT_ENABLED": True,
    "RATELIMIT_ANONYMOUS": "3/minute",
    "RATELIMIT_TOKEN": "5/minute",
    "RATELIMIT_STAFF": "8/minute",
}
REDIS_URL = "redis://127.0.0.1:6379/15"


@contextmanager
def limited_app(database_url, tmp_path_factory, **settings):
    """An app with rate limits on, as a worker of its own (its own engine and counters)."""
    app = create_app({**make_test_config(tmp_path_factory, database_url), **LIMITS, **settings})
    try:
        yield app
    finally:
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def limited(app, database_url, tmp_path_factory):
    with limited_app(database_url, tmp_path_factory) as limited:
        yield limited


def from_address(address: str) -> dict:
    return {"environ_base": {"REMOTE_ADDR": address}}


def assert_limited(response) -> int:
    """A 429 problem with Retry-After; returns the seconds to wait."""
    body = helpers.is_problem(response, 429)
    seconds = int(response.headers["Retry-After"])
    assert 0 < seconds <= 60 and body["retry_after"] == seconds
    assert "3 requests per 60 seconds" in body["detail"]
    return seconds


def test_an_anonymous_caller_past_the_limit_gets_429_with_retry_after(limited):
    client = limited.test_client()
    for _ in range(3):
        assert client.get("/api/v1/objects", **from_address("192.0.2.1")).status_code == 200
    assert_limited(client.get("/api/v1/objects", **from_address("192.0.2.1")))
    assert_limited(client.get("/api/v1/search?q=fusée", **from_address("192.0.2.1")))
    # Another address has its own budget; pages and health checks are not counted.
    assert client.get("/api/v1/objects", **from_address("192.0.2.2")).status_code == 200
    assert client.get("/healthz", **from_address("192.0.2.1")).status_code == 200
    assert client.get("/search", **from_address("192.0.2.1")).status_code == 200


def test_a_token_has_its_own_budget_and_staff_a_larger_one(limited, users):
    client = limited.test_client()
    address = from_address("192.0.2.3")
    for _ in range(3):
        client.get("/api/v1/objects", **address)
    assert client.get("/api/v1/objects", **address).status_code == 429
    researcher = users["researcher"].headers
    for _ in range(5):
        assert client.get("/api/v1/objects", headers=researcher, **address).status_code == 200
    assert client.get("/api/v1/objects", headers=researcher, **address).status_code == 429
    curator = users["curator"].headers
    for _ in range(8):
        assert client.get("/api/v1/objects", headers=curator, **address).status_code == 200
    response = client.get("/api/v1/objects", headers=curator, **address)
    assert (
        response.status_code == 429 and "8 requests per 60 seconds" in response.get_json()["detail"]
    )


def test_a_refused_request_changes_nothing(limited, users, state):
    client = limited.test_client()
    curator = users["curator"].headers
    for _ in range(8):
        client.get("/api/v1/terms", headers=curator)
    before = state()
    body = {"object_number": "1944.0001.001", "title": {"fr": "Fusée"}}
    assert client.post("/api/v1/objects", json=body, headers=curator).status_code == 429
    assert state() == before


def test_two_workers_share_the_count(app, database_url, tmp_path_factory):
    """Two apps on one database stand for two gunicorn workers (or two hosts)."""
    with (
        limited_app(database_url, tmp_path_factory) as first,
        limited_app(database_url, tmp_path_factory) as second,
    ):
        address = from_address("192.0.2.4")
        answers = [
            worker.test_client().get("/api/v1/objects", **address).status_code
            for worker in (first, second, first, second)
        ]
    assert answers == [200, 200, 200, 429]


def test_the_count_starts_again_when_the_window_ends(limited):
    client = limited.test_client()
    address = from_address("192.0.2.5")
    for _ in range(4):
        client.get("/api/v1/objects", **address)
    assert client.get("/api/v1/objects", **address).status_code == 429
    with limited.app_context():  # the window ends: its time is moved back, no waiting
        db.session.execute(sa.update(RequestCount).values(expires_at=RequestCount.expires_at - 61))
        db.session.commit()
        db.session.remove()
    assert client.get("/api/v1/objects", **address).status_code == 200


def test_the_client_address_behind_a_trusted_proxy(app, database_url, tmp_path_factory):
    with limited_app(database_url, tmp_path_factory, TRUSTED_PROXIES=1) as limited:
        client = limited.test_client()
        proxy = from_address("10.0.0.1")
        for visitor in ("198.51.100.1", "198.51.100.2"):
            headers = {"X-Forwarded-For": visitor}
            for _ in range(3):
                assert client.get("/api/v1/objects", headers=headers, **proxy).status_code == 200
        assert client.get("/api/v1/objects", headers=headers, **proxy).status_code == 429


def test_a_failing_storage_lets_requests_through(app, database_url, tmp_path_factory, caplog):
    """Counting is not worth refusing everyone: a storage that cannot answer is logged."""
    port = _free_port()  # nothing listens there
    settings = {"RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{port}/0"}
    with limited_app(database_url, tmp_path_factory, **settings) as limited:
        client = limited.test_client()
        for _ in range(5):
            assert client.get("/api/v1/objects").status_code == 200
    assert "rate limit storage failed" in caplog.text


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _redis_answers() -> bool:
    try:
        with socket.create_connection(("127.0.0.1", 6379), timeout=1):
            return True
    except OSError:
        return False


@pytest.mark.skipif(not _redis_answers(), reason="no Redis server at 127.0.0.1:6379")
def test_workers_share_the_count_in_redis(app, database_url, tmp_path_factory):
    settings = {"RATELIMIT_STORAGE_URI": REDIS_URL}
    address = from_address(f"192.0.2.{uuid.uuid4().int % 250}")
    with (
        limited_app(database_url, tmp_path_factory, **settings) as first,
        limited_app(database_url, tmp_path_factory, **settings) as second,
    ):
        first.extensions["rate_limits"].storage.reset()
        answers = [
            worker.test_client().get("/api/v1/objects", **address).status_code
            for worker in (first, second, first, second)
        ]
        first.extensions["rate_limits"].storage.reset()
    assert answers == [200, 200, 200, 429]
    with app.app_context():  # nothing was counted in the database
        assert db.session.execute(sa.select(sa.func.count(RequestCount.key))).scalar() == 0
        db.session.remove()
