"""Throughput of the object API under gunicorn, against a bare Flask JSON endpoint.

Run on purpose (not part of the test suite), from the repository root::

    .venv/bin/python benchmarks/api.py [--duration 5] [--rounds 3] [--concurrency 4]

It loads the demo and a curator into a throwaway SQLite database (or ``--database-url
postgresql://...``), serves the catalogue (``gunicorn -w 2 wsgi:app``) and a bare Flask app
with one JSON endpoint on free 127.0.0.1 ports, loads each endpoint with the same generator
in alternating rounds after a warm-up, and prints requests/s, latency percentiles, each
endpoint's ratio to the bare one and the workers' peak RSS. Every server is stopped at the
end, errors included.

The load generator is ``wrk`` when installed (``apt-get install -y wrk``), else a Python
fallback opening a connection per request (gunicorn's sync workers close them anyway).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from benchmarks import UNREACHABLE_RATE_LIMITS  # noqa: E402
from benchmarks.loadgen import run_python, run_wrk  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
TARGET_RATIO = 0.5
BARE = "bare Flask /json"
WRK_REPORT = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format("BENCH %d %d %d %d %d\\n", summary.requests, summary.duration,
    e.connect + e.read + e.write + e.timeout + e.status,
    latency:percentile(50), latency:percentile(99)))
end
"""


def bare_app():
    """The baseline: Flask returning a small fixed dict, nothing else (``gunicorn`` factory)."""
    from flask import Flask

    app = Flask("bare")
    body = {"status": "ok", "service": "bare", "items": [1, 2, 3]}

    @app.get("/json")
    def bare():
        return body

    return app


# --- servers -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_cli(env: dict, *args: str) -> str:
    done = subprocess.run(
        [str(BIN / "catalogue"), *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise SystemExit(f"catalogue {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


class Server:
    """A gunicorn master in its own process group, bound to 127.0.0.1 only."""

    def __init__(self, name: str, app: str, env: dict, workers: int, log: Path):
        self.name, self.port = name, free_port()
        self.log = log.open("w")
        self.proc = subprocess.Popen(
            [
                str(BIN / "gunicorn"),
                f"--workers={workers}",
                "--worker-class=sync",
                f"--bind=127.0.0.1:{self.port}",
                "--log-level=warning",
                app,
            ],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.base = f"http://127.0.0.1:{self.port}"

    def wait_ready(self, path: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"{self.name} exited; see {self.log.name}")
            try:
                with urllib.request.urlopen(self.base + path, timeout=2) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"{self.name} did not answer {path} within {timeout}s")

    def workers(self) -> list[int]:
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        try:
            return [int(pid) for pid in children.read_text().split()]
        except OSError:
            return []

    def peak_rss_kib(self) -> list[int]:
        """VmHWM (peak resident set) of each worker, in KiB."""
        peaks = []
        for pid in self.workers():
            try:
                status = Path(f"/proc/{pid}/status").read_text()
            except OSError:
                continue
            found = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
            if found:
                peaks.append(int(found.group(1)))
        return peaks

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        self.log.close()


# --- the run -------------------------------------------------------------------------------


def machine() -> list[str]:
    model = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    usable = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else "?"
    return [
        f"machine: nproc={usable} (os.cpu_count={os.cpu_count()}), CPU: {model}",
        f"Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.release()}, load average {os.getloadavg()}",
    ]


def get_json(url: str, headers: dict | None = None) -> tuple[int, dict, int]:
    request = urllib.request.Request(url, headers=headers or {})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read()
        return response.status, json.loads(body), len(body)


def prepare(env: dict, email: str) -> str:
    """Migrate, load the demo, create a curator; returns the curator's bearer token."""
    run_cli(env, "db", "upgrade")
    print(run_cli(env, "demo", "load").strip())
    run_cli(env, "users", "create", email, "--role", "curator", "--password", "benchmark-only-pw")
    return run_cli(env, "tokens", "create", email, "--name", "benchmark").strip().splitlines()[-1]


def measure(args, targets: dict, generator) -> dict:
    names = list(targets)
    print(f"warm-up: {args.warmup}s per endpoint")
    for name in names:
        generator(*targets[name], args.warmup)
    results: dict[str, list[dict]] = {name: [] for name in names}
    for round_no in range(args.rounds):
        # Rotate the order so no endpoint always runs first (or right after the same one).
        order = names[round_no % len(names) :] + names[: round_no % len(names)]
        for name in order:
            result = generator(*targets[name], args.duration)
            results[name].append(result)
            print(
                f"  round {round_no + 1} {name:<22} {result['rps']:8.1f} req/s  "
                f"p50 {result['p50']:6.2f} ms  p99 {result['p99']:7.2f} ms  "
                f"errors {result['errors']}"
            )
    return results


def report(results: dict, peaks: dict, lines: list[str]) -> float:
    bare_rounds = [r["rps"] for r in results[BARE]]
    bare = statistics.median(bare_rounds)
    print("\n" + "\n".join(lines))
    header = f"{'endpoint':<24}{'req/s':>9}{'min-max':>12}{'p50 ms':>9}{'p99 ms':>9}"
    print(f"\n{header}{'ratio':>8}{'ratio/rnd':>11}{'errors':>8}")
    worst = float("inf")
    for name, rounds in results.items():
        rps = [r["rps"] for r in rounds]
        median = statistics.median(rps)
        ratio = median / bare if bare else 0.0
        # Load on a shared machine drifts: also compare with the bare run of the same round.
        paired = statistics.median(r / b for r, b in zip(rps, bare_rounds, strict=True) if b)
        if name.startswith("object"):
            worst = min(worst, ratio)
        spread = f"{min(rps):.0f}-{max(rps):.0f}"
        print(
            f"{name:<24}{median:>9.1f}{spread:>12}"
            f"{statistics.median(r['p50'] for r in rounds):>9.2f}"
            f"{statistics.median(r['p99'] for r in rounds):>9.2f}"
            f"{ratio:>8.2f}{paired:>11.2f}{sum(r['errors'] for r in rounds):>8}"
        )
    print(
        "req/s: median of rounds; p50/p99: median of the rounds' percentiles; ratio: median\n"
        "req/s over the bare median; ratio/rnd: median of each round's ratio to that round's bare"
    )
    for name, values in peaks.items():
        shown = ", ".join(f"{kib / 1024:.1f} MiB" for kib in values) or "unknown"
        print(f"peak RSS of {name} workers (VmHWM): {shown}")
    print(f"load average after the run: {os.getloadavg()}")
    verdict = "meets" if worst >= TARGET_RATIO else "MISSES"
    print(f"object reads / bare: worst {worst:.2f}; {verdict} the target of {TARGET_RATIO}")
    return worst


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=float, default=5, help="seconds per endpoint per round")
    parser.add_argument("--rounds", type=int, default=3, help="alternating rounds")
    parser.add_argument("--warmup", type=float, default=2, help="seconds of warm-up per endpoint")
    parser.add_argument("--concurrency", type=int, default=4, help="concurrent connections")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn sync workers per app")
    parser.add_argument(
        "--database-url",
        help="PostgreSQL URL instead of a throwaway SQLite file (gets the demo and a curator)",
    )
    parser.add_argument("--generator", choices=("auto", "wrk", "python"), default="auto")
    args = parser.parse_args(argv)

    use_wrk = args.generator == "wrk" or (args.generator == "auto" and shutil.which("wrk"))
    if args.generator == "wrk" and not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian/Ubuntu: apt-get install -y wrk)")
    if not use_wrk:
        print("wrk not found: using the Python generator (apt-get install -y wrk for wrk)")

    servers: list[Server] = []
    pool = None
    # SIGTERM (e.g. from make or a CI timeout) should still stop the servers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    with tempfile.TemporaryDirectory(prefix="catalogue-bench-") as tmp:
        tmpdir = Path(tmp)
        env = {**os.environ, "CATALOGUE_INSTANCE": str(tmpdir), "SECRET_KEY": "benchmark"}
        env.update(UNREACHABLE_RATE_LIMITS)
        env["DATABASE_URL"] = args.database_url or f"sqlite:///{tmpdir / 'catalogue.db'}"
        env.pop("FLASK_APP", None)
        try:
            email = f"bench-{os.getpid()}-{int(time.time())}@example.org"
            token = prepare(env, email)
            catalogue = Server("catalogue", "wsgi:app", env, args.workers, tmpdir / "cat.log")
            servers.append(catalogue)
            bare = Server(
                "bare Flask", "benchmarks.api:bare_app()", env, args.workers, tmpdir / "bare.log"
            )
            servers.append(bare)
            catalogue.wait_ready("/healthz")
            bare.wait_ready("/json")

            _, page, _ = get_json(catalogue.base + "/api/v1/objects?per_page=20")
            public = next(item for item in page["items"] if item["status"] == "public")
            object_url = f"{catalogue.base}/api/v1/objects/{public['id']}"
            auth = {"Authorization": f"Bearer {token}"}
            checks = {
                "anonymous": get_json(object_url),
                "curator": get_json(object_url, auth),
                "list": get_json(catalogue.base + "/api/v1/objects?per_page=20"),
                "bare": get_json(bare.base + "/json"),
            }
            sizes = ", ".join(f"{k} {size} B" for k, (_, _, size) in checks.items())
            lines = machine() + [
                f"database: {'PostgreSQL' if args.database_url else 'SQLite (temp file)'}; "
                f"{args.workers} sync gunicorn workers per app; demo total {page['total']}",
                f"object {public['id']} ({public.get('object_number')}); bodies: {sizes}",
                f"generator: {'wrk' if use_wrk else 'python http.client processes'}, "
                f"concurrency {args.concurrency}, {args.rounds} rounds x {args.duration}s "
                f"per endpoint after {args.warmup}s warm-up",
            ]
            print("\n".join(lines[-3:]))
            targets = {
                BARE: (bare.base + "/json", {}),
                "object, anonymous": (object_url, {}),
                "object, curator token": (object_url, auth),
                "list per_page=20": (catalogue.base + "/api/v1/objects?per_page=20", {}),
            }
            if use_wrk:
                script = tmpdir / "report.lua"
                script.write_text(WRK_REPORT)

                def generator(url, headers, seconds):
                    return run_wrk(url, headers, seconds, args.concurrency, script)
            else:
                pool = ProcessPoolExecutor(args.concurrency)

                def generator(url, headers, seconds):
                    return run_python(url, headers, seconds, args.concurrency, pool)

            results = measure(args, targets, generator)
            peaks = {s.name: s.peak_rss_kib() for s in servers}
            report(results, peaks, lines)
        finally:
            if pool is not None:
                pool.shutdown(cancel_futures=True)
            for server in servers:
                server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
