"""HTTP load generators for the benchmarks: ``wrk`` when installed, else Python processes."""

from __future__ import annotations

import os
import re
import subprocess
import time
import urllib.parse
from pathlib import Path


def run_wrk(url: str, headers: dict, seconds: float, concurrency: int, script: Path) -> dict:
    command = ["wrk", f"-t{min(concurrency, os.cpu_count() or 1)}", f"-c{concurrency}"]
    command += [f"-d{max(1, round(seconds))}s", "--timeout=10s", "-s", str(script)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    found = re.search(r"^BENCH (\d+) (\d+) (\d+) (\d+) (\d+)$", out, re.M)
    if not found:
        raise SystemExit(f"unexpected wrk output:\n{out}")
    requests, micros, errors, p50, p99 = map(int, found.groups())
    return {
        "rps": requests / (micros / 1e6),
        "p50": p50 / 1000,
        "p99": p99 / 1000,
        "errors": errors,
        "requests": requests,
    }


def _python_worker(host: str, port: int, path: str, headers: dict, until: float):
    import http.client

    latencies, errors = [], 0
    while time.monotonic() < until:
        started = time.perf_counter()
        try:
            connection = http.client.HTTPConnection(host, port, timeout=10)
            connection.request("GET", path, headers={**headers, "Connection": "close"})
            response = connection.getresponse()
            response.read()
            connection.close()
            if response.status != 200:
                errors += 1
        except OSError:
            errors += 1
        latencies.append(time.perf_counter() - started)
    return latencies, errors


def run_python(url: str, headers: dict, seconds: float, concurrency: int, pool) -> dict:
    parsed = urllib.parse.urlsplit(url)
    path = parsed.path + (f"?{parsed.query}" if parsed.query else "")
    start = time.monotonic()
    until = start + seconds
    futures = [
        pool.submit(_python_worker, parsed.hostname, parsed.port, path, headers, until)
        for _ in range(concurrency)
    ]
    results = [f.result() for f in futures]
    elapsed = time.monotonic() - start
    latencies = sorted(x for lat, _ in results for x in lat)
    errors = sum(e for _, e in results)

    def pct(q: float) -> float:
        return latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000

    return {
        "rps": len(latencies) / elapsed,
        "p50": pct(0.50),
        "p99": pct(0.99),
        "errors": errors,
        "requests": len(latencies),
    }
