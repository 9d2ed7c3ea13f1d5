"""gunicorn settings of the catalogue: ``gunicorn --config gunicorn.conf.py wsgi:app``.

``make serve`` and the README's production section use this file. ``WEB_CONCURRENCY`` sets
the number of workers and ``CATALOGUE_BIND`` the address; any other setting can be given on
the command line or in ``GUNICORN_CMD_ARGS``, which take precedence over this file.

What gunicorn refuses before the app sees a request (a request line longer than
``limit_request_line``, too many or too large header fields, bytes that are not HTTP) is
answered as ``application/problem+json``, like every error of the app, instead of gunicorn's
HTML page. The app itself refuses URLs longer than ``MAX_URL_BYTES`` (8,000), just below the
request line gunicorn reads (8,190 bytes, its largest), so it answers first with its own 414.
"""

import json
import os
import subprocess
import sys
import threading

# The web workers do no index work: the node's follower (started below, one per node)
# applies the change log to the node's search index. SEARCH_FOLLOW=inline in the
# environment makes the writing request apply it as well.
os.environ.setdefault("SEARCH_FOLLOW", "process")

# Sync workers: one request at a time each; the number of CPUs (at least 2) unless told.
workers = int(os.environ.get("WEB_CONCURRENCY") or max(2, os.cpu_count() or 1))
bind = os.environ.get("CATALOGUE_BIND", "127.0.0.1:8000")
# A request may take this long: uploads of large masters and spreadsheet imports stream
# through one worker. A worker silent for longer is restarted.
timeout = 300
graceful_timeout = 30
keepalive = 5
# The largest request line gunicorn can read; the app refuses long URLs below it (414).
limit_request_line = 8190
# gunicorn's own defaults, stated: at most 100 header fields of at most 8,190 bytes each.
limit_request_fields = 100
limit_request_field_size = 8190
# One line per request on standard output: client, request line, status, bytes, time taken
# in microseconds, referrer and user agent.
accesslog = "-"
access_log_format = '%(h)s "%(r)s" %(s)s %(B)s %(D)sus "%(f)s" "%(a)s"'

_DETAILS = {
    400: "The request is not valid HTTP.",
    414: "The URL is too long for this server.",
    431: "The request has too many header fields, or one too long.",
}


def _problem(sock, status_int, reason, mesg):
    """gunicorn's error page, as application/problem+json (RFC 9457) like the app's."""
    from gunicorn import util

    from catalogue.api.errors import PROBLEM_TYPES

    body = {
        "type": PROBLEM_TYPES + reason.lower().replace(" ", "-"),
        "title": reason,
        "status": status_int,
        "detail": _DETAILS.get(status_int, reason + "."),
    }
    payload = json.dumps(body).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/problem+json\r\n"
        f"Content-Length: {len(payload)}\r\n\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + payload)


def post_worker_init(worker):
    """Each worker writes its refusals with ``_problem``: gunicorn calls ``util.write_error``
    for every request it answers itself."""
    from gunicorn import util

    util.write_error = _problem


# ---- the node's companions: its index follower and its background workers -----------------
# Started once the server is ready, started again if they stop, stopped with gunicorn.

# Background jobs (imports committed through the API...) run in `catalogue worker`
# processes, never in the web workers: BACKGROUND_WORKERS of them per node (default 1; 0 on a
# node whose jobs run elsewhere, e.g. worker-only machines running `catalogue worker`).
os.environ.setdefault("BACKGROUND_RUN", "process")
BACKGROUND_WORKERS = int(os.environ.get("BACKGROUND_WORKERS") or 1)

_CATALOGUE = [sys.executable, "-c", "from catalogue import main; main()"]
FOLLOW_COMMAND = [*_CATALOGUE, "search", "follow"]
WORKER_COMMAND = [*_CATALOGUE, "worker"]
_companions = {"processes": {}, "stopping": threading.Event()}


def companions() -> dict[str, list[str]]:
    """What runs beside the web workers on this node, by name."""
    named = {"index follower": FOLLOW_COMMAND}
    for number in range(1, BACKGROUND_WORKERS + 1):
        named[f"background worker {number}"] = WORKER_COMMAND
    return named


def when_ready(server):
    """Start the node's index follower and background workers, and again if one stops."""
    stopping = _companions["stopping"]

    def keep_running(name: str, command: list[str]) -> None:
        while not stopping.is_set():
            process = subprocess.Popen(command)  # noqa: S603 (a fixed command)
            _companions["processes"][name] = process
            server.log.info("%s started (pid %s)", name, process.pid)
            process.wait()
            if not stopping.wait(1.0):
                server.log.warning("%s stopped (%s); starting another", name, process.pid)

    for name, command in companions().items():
        threading.Thread(target=keep_running, args=(name, command), name=name, daemon=True).start()


def on_exit(server):
    """Stop them: the follower keeps what it committed and the next applies the rest; a
    worker finishes its current job first (a job cut off is another worker's to finish)."""
    _companions["stopping"].set()
    running = [p for p in _companions["processes"].values() if p.poll() is None]
    for process in running:
        process.terminate()
    for process in running:
        try:
            process.wait(graceful_timeout)
        except subprocess.TimeoutExpired:
            process.kill()
