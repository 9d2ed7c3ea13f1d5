"""Serving under gunicorn with the repository's gunicorn.conf.py: what the server refuses on
its own (an over-long URL, too many or too large headers, broken HTTP) is problem+json too.

A real gunicorn is started on a free loopback port, with the catalogue on a throwaway SQLite
database; it is stopped at the end, failures included.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).parent / "gunicorn"
ANONYMOUS_LIMIT = 20


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def exchange(
    port: int, head: bytes, timeout: float = 10, source: str = "127.0.0.1"
) -> tuple[int, dict, bytes]:
    """Send a raw request head from ``source`` (any loopback address); the status, headers
    (lower-case names) and body answered."""
    address = (source, 0)
    with socket.create_connection(("127.0.0.1", port), timeout, address) as sock:
        sock.sendall(head)
        received = b""
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received += chunk
            top, _, body = received.partition(b"\r\n\r\n")
            lines = top.decode("latin-1").split("\r\n")
            headers = dict(line.split(": ", 1) for line in lines[1:] if ": " in line)
            headers = {k.lower(): v for k, v in headers.items()}
            if "content-length" in headers and len(body) >= int(headers["content-length"]):
                break
    top, _, body = received.partition(b"\r\n\r\n")
    lines = top.decode("latin-1").split("\r\n")
    headers = {k.lower(): v for k, v in (line.split(": ", 1) for line in lines[1:])}
    return int(lines[0].split()[1]), headers, body


def get(port: int, target: str, headers: list[str] | None = None, source: str = "127.0.0.1"):
    lines = [f"GET {target} HTTP/1.1", "Host: 127.0.0.1", "Connection: close", *(headers or [])]
    return exchange(port, ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1"), source=source)


INSTANCES: dict[int, Path] = {}


def served_env(instance: Path) -> dict:
    return {
        "CATALOGUE_INSTANCE": str(instance),
        "DATABASE_URL": f"sqlite:///{instance / 'catalogue.db'}",
        "SECRET_KEY": "served-test-key",
        "WEB_CONCURRENCY": "2",
        "RATELIMIT_ANONYMOUS": f"{ANONYMOUS_LIMIT}/minute",
    }


def server_instance(port: int) -> Path:
    return INSTANCES[port]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """gunicorn -c gunicorn.conf.py wsgi:app, as `make serve` runs it, on 127.0.0.1."""
    instance = tmp_path_factory.mktemp("served")
    env = {**os.environ, **served_env(instance)}
    subprocess.run(
        [str(Path(sys.executable).parent / "catalogue"), "db", "upgrade"],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )
    port = free_port()
    INSTANCES[port] = instance
    log = (instance / "gunicorn.log").open("w")
    process = subprocess.Popen(
        [str(GUNICORN), "--config", "gunicorn.conf.py", "--bind", f"127.0.0.1:{port}", "wsgi:app"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            assert process.poll() is None, (instance / "gunicorn.log").read_text()
            try:
                if get(port, "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            assert time.monotonic() < deadline, "gunicorn did not answer within 60 s"
            time.sleep(0.2)
        yield port
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        log.close()


def problem(answer, status: int) -> dict:
    code, headers, body = answer
    assert code == status, body[:300]
    assert headers["content-type"].startswith("application/problem+json"), headers
    data = json.loads(body)
    assert data["status"] == status and data["title"] and data["type"]
    return data


def test_the_configuration_serves_the_catalogue(server):
    status, headers, body = get(server, "/api/v1/objects")
    assert status == 200 and json.loads(body)["items"] == []


def test_a_url_over_the_apps_limit_is_a_problem(server):
    data = problem(get(server, "/api/v1/objects?q=" + "x" * 8100), 414)
    assert "8000" in data["detail"]


def test_a_url_over_gunicorns_own_limit_is_a_problem(server):
    data = problem(get(server, "/api/v1/objects?q=" + "x" * 20_000), 414)
    assert "too long" in data["detail"]


def test_too_many_headers_are_a_problem(server):
    data = problem(get(server, "/healthz", [f"X-Extra-{n}: {n}" for n in range(150)]), 431)
    assert "header" in data["detail"]


def test_a_header_too_large_is_a_problem(server):
    problem(get(server, "/healthz", ["X-Large: " + "y" * 10_000]), 431)


def test_a_request_that_is_not_http_is_a_problem(server):
    problem(exchange(server, b"GET /healthz HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n"), 400)


def test_both_workers_count_against_one_budget(server):
    """The embedded default (the catalogue database) is shared by gunicorn's workers.

    A request whose head is left unfinished keeps one worker waiting, so the requests sent
    meanwhile are all answered by the other; the held one, finished last, goes over the
    budget only if that worker knows what the other counted."""
    source = "127.0.0.9"
    half = ANONYMOUS_LIMIT // 2
    answers = [get(server, "/api/v1/objects", source=source)[0] for _ in range(half)]
    with socket.create_connection(("127.0.0.1", server), 10, (source, 0)) as held:
        held.sendall(b"GET /api/v1/objects HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        answers += [get(server, "/api/v1/objects", source=source)[0] for _ in range(half)]
        held.sendall(b"Connection: close\r\n\r\n")
        received = b""
        while chunk := held.recv(65536):
            received += chunk
    assert answers == [200] * ANONYMOUS_LIMIT
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 429"), received[:300]
    assert b"Retry-After: " in head and b"application/problem+json" in head
    assert json.loads(body)["status"] == 429


def test_the_app_itself_refuses_a_url_over_its_limit(app, client):
    """Under any server (the development server has no limit of its own)."""
    limit = app.config["MAX_URL_BYTES"]
    path = "/api/v1/objects?object_type="
    longest = client.get(path + "x" * (limit - len(path)))
    assert longest.status_code == 422  # read, and found wrong, as any other argument
    response = client.get(path + "x" * (limit + 1 - len(path)))
    assert response.status_code == 414 and response.mimetype == "application/problem+json"
    assert f"{limit + 1} bytes" in response.get_json()["detail"]
    page = client.get("/search?q=" + "fusée " * 2000)
    assert page.status_code == 414 and page.mimetype == "application/problem+json"


def _multipart(name: str, content: bytes) -> tuple[bytes, str]:
    boundary = "catalogue-test-boundary"
    body = (
        (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{name}"\r\n'
            "Content-Type: text/csv\r\n\r\n"
        ).encode()
        + content
        + f"\r\n--{boundary}--\r\n".encode()
    )
    return body, f"multipart/form-data; boundary={boundary}"


def test_the_nodes_background_worker_commits_imports(server):
    """gunicorn starts the node's background worker (``catalogue worker``): an import
    committed through the API is answered 202 at once and applied by it."""
    import http.client

    env = {**os.environ, **served_env(server_instance(server))}
    catalogue = str(Path(sys.executable).parent / "catalogue")

    def run(*args: str) -> str:
        command = [catalogue, *args]
        done = subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True)
        return done.stdout.decode()

    run("users", "create", "served@museum.example", "--role", "curator")
    token = run("tokens", "create", "served@museum.example").split()[-1]
    auth = {"Authorization": f"Bearer {token}"}

    def call(method: str, path: str, body: bytes | None = None, headers: dict | None = None):
        connection = http.client.HTTPConnection("127.0.0.1", server, timeout=60)
        try:
            connection.request(method, path, body=body, headers={**auth, **(headers or {})})
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), json.loads(response.read())
        finally:
            connection.close()

    sheet = b"object_number;title_fr\n2050.0001.001;Maquette\n2050.0002.001;Carte\n"
    body, content_type = _multipart("served.csv", sheet)
    status, _, checked = call("POST", "/api/v1/imports", body, {"Content-Type": content_type})
    assert status == 201, checked
    status, headers, accepted = call("POST", f"/api/v1/imports/{checked['id']}/commit")
    assert status == 202 and accepted["status"] == "committing"
    assert headers["Location"].endswith(f"/api/v1/imports/{checked['id']}")
    deadline = time.monotonic() + 60
    while True:
        status, _, current = call("GET", f"/api/v1/imports/{checked['id']}")
        if current["commit_job"]["status"] in ("succeeded", "failed"):
            break
        assert time.monotonic() < deadline, current
        time.sleep(0.2)
    assert current["status"] == "committed" and current["report"]["created"] == 2
    assert current["commit_job"]["status"] == "succeeded"


def test_the_nodes_follower_indexes_what_another_process_writes(server):
    """gunicorn starts the node's index follower: records written by another process (which
    does no index work, SEARCH_FOLLOW "process") become searchable, and /readyz says when the
    index has caught up. Last in the module: it loads the demo collection."""
    instance = server_instance(server)
    env = {**os.environ, **served_env(instance), "SEARCH_FOLLOW": "process"}
    catalogue = str(Path(sys.executable).parent / "catalogue")
    subprocess.run([catalogue, "demo", "load"], cwd=ROOT, env=env, check=True, capture_output=True)
    deadline = time.monotonic() + 60
    while True:
        status, _, body = get(server, "/readyz")
        lag = json.loads(body)["search_index_lag"]
        if status == 200 and lag["changes"] == 0:
            break
        assert time.monotonic() < deadline, body
        time.sleep(0.2)
    status, _, body = get(server, "/api/v1/search?q=fus%C3%A9e", source="127.0.0.12")
    assert status == 200 and json.loads(body)["total"] > 0
