"""The catalogue under a real gunicorn, with several worker processes, on a loopback port.

The listening socket is bound by the test and handed to gunicorn (``fd://``), so the port is
free by construction. Workers are threaded (``gthread``): requests run at the same time in
several processes and in several threads of each, as in production.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass
class Answer:
    status: int
    content_type: str
    headers: dict
    body: dict | None


@dataclass
class Gunicorn:
    port: int
    process: subprocess.Popen
    log: Path

    def request(self, method: str, path: str, body=None, headers: dict | None = None) -> Answer:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        try:
            return _exchange(connection, method, path, body, headers or {})
        finally:
            connection.close()

    def at_once(self, requests: list[tuple[str, str, object, dict]]) -> list[Answer]:
        """Send every request at the same instant, each on its own connection.

        Connections are opened first; a barrier then releases every sender together.
        """
        connections = []
        for _ in requests:
            connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            connection.connect()
            connections.append(connection)
        barrier = threading.Barrier(len(requests))
        answers: list[Answer | BaseException | None] = [None] * len(requests)

        def send(i: int) -> None:
            method, path, body, headers = requests[i]
            try:
                barrier.wait(timeout=60)
                answers[i] = _exchange(connections[i], method, path, body, headers)
            except BaseException as error:  # reported by the test, never swallowed
                answers[i] = error
            finally:
                connections[i].close()

        senders = [threading.Thread(target=send, args=(i,)) for i in range(len(requests))]
        for sender in senders:
            sender.start()
        for sender in senders:
            sender.join(180)
        for answer in answers:
            if not isinstance(answer, Answer):
                raise AssertionError(f"a request got no answer: {answer!r}\n{self.tail()}")
        return answers

    def tail(self, lines: int = 60) -> str:
        return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        """Stop the master and its workers at once: nothing is left to answer."""
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()


def _exchange(connection, method: str, path: str, body, headers: dict) -> Answer:
    payload = None if body is None else json.dumps(body).encode()
    headers = dict(headers)
    if payload is not None:
        headers["Content-Type"] = "application/json"
    connection.request(method, path, body=payload, headers=headers)
    response = connection.getresponse()
    raw = response.read()
    content_type = response.getheader("Content-Type", "")
    parsed = json.loads(raw) if raw and "json" in content_type else None
    return Answer(response.status, content_type, dict(response.getheaders()), parsed)


def start(
    database_url: str,
    instance: Path,
    workers: int = 4,
    threads: int = 6,
    secret="test-secret-key",
    config_file: bool = False,
    env: dict | None = None,
) -> Gunicorn:
    """Serve ``wsgi:app`` on ``database_url``; files go under ``instance``. With
    ``config_file``, under the repository's gunicorn.conf.py (as a production node: its index
    follower and background worker beside the web workers); ``env`` adds settings."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    listener.set_inheritable(True)
    port = listener.getsockname()[1]
    instance.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "CATALOGUE_INSTANCE": str(instance),
        "DATABASE_URL": database_url,
        "SECRET_KEY": secret,
        **(env or {}),
    }
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        *(["--config", str(ROOT / "gunicorn.conf.py")] if config_file else []),
        "--workers",
        str(workers),
        "--worker-class",
        "gthread",
        "--threads",
        str(threads),
        "--bind",
        f"fd://{listener.fileno()}",
        "--chdir",
        str(ROOT),
        # The app is built once and forked: workers start at once and the same.
        "--preload",
        "--log-level",
        "warning",
        "wsgi:app",
    ]
    log = instance / "gunicorn.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            command,
            env=env,
            pass_fds=[listener.fileno()],
            stdout=output,
            stderr=output,
            # A process group of its own, so stopping it reaches every worker.
            start_new_session=True,
        )
    listener.close()
    server = Gunicorn(port, process, log)
    deadline = time.monotonic() + 120
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"gunicorn stopped at start:\n{server.tail()}")
        try:
            if server.request("GET", "/healthz").status == 200:
                return server
        except OSError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise RuntimeError(f"gunicorn did not answer in 120 s:\n{server.tail()}")
        time.sleep(0.2)
