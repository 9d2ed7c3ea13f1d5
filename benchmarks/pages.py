"""Page budgets (run on purpose: ``.venv/bin/python benchmarks/pages.py``; not a test).

Loads the demo collection (with its images) into a fresh SQLite catalogue, serves it with
``catalogue run`` and opens, in headless Debian Chromium, the object page of the A4 rocket
(deep-zoom viewer, two images) and a search page with 20 results. For each it reports:

1. bytes of HTML + CSS + JS transferred before images (targets: under 200 KB), counted from
   the responses of type document, stylesheet and script, uncompressed as served;
2. time to first contentful paint and to the load event, median of 5 cold loads (target:
   render under 1 s).

Needs ``make vendor`` first (the viewer and map libraries).
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CATALOGUE = ROOT / ".venv" / "bin" / "catalogue"
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
ROCKET = "03bda11d-23f0-5a28-9ac7-bd3fce2c5f06"  # the demo's A4 rocket (a stable demo id)
PAGES = {"object page": f"/objects/{ROCKET}", "search, 20 results": "/search?q=photograph"}
BUDGET_BYTES = 200 * 1024
BUDGET_SECONDS = 1.0
RUNS = 5


def run(env: dict, *args: str) -> None:
    subprocess.run([str(CATALOGUE), *args], env=env, check=True, capture_output=True)


def wait_ready(base: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"{base}/readyz", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("the server did not become ready")


def measure(browser, base: str, path: str) -> dict:
    context = browser.new_context(base_url=base, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(path, wait_until="load")
    page.wait_for_load_state("networkidle")
    # Sizes as the browser decoded them (uncompressed), from its resource timing entries.
    result = page.evaluate(
        """() => new Promise((resolve) => {
        const nav = performance.getEntriesByType('navigation')[0];
        const sizes = {document: nav.decodedBodySize, stylesheet: 0, script: 0};
        for (const entry of performance.getEntriesByType('resource')) {
          if (entry.initiatorType === 'script') sizes.script += entry.decodedBodySize;
          else if (entry.initiatorType === 'link' && /\\.css(\\?|$)/.test(entry.name))
            sizes.stylesheet += entry.decodedBodySize;
        }
        const done = (fcp) => resolve({load: nav.loadEventEnd, fcp: fcp, sizes: sizes});
        new PerformanceObserver((list) => {
          const paint = list.getEntriesByName('first-contentful-paint')[0];
          if (paint) done(paint.startTime);
        }).observe({type: 'paint', buffered: true});
        setTimeout(() => done(null), 3000);
        })"""
    )
    context.close()
    return {"bytes": sum(result["sizes"].values()), **result}


def main() -> int:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="pages-bench-") as folder:
        env = {**os.environ, "CATALOGUE_INSTANCE": folder}
        run(env, "db", "upgrade")
        run(env, "demo", "load")
        run(env, "search", "sync")
        port = 5300 + os.getpid() % 500
        base = f"http://127.0.0.1:{port}"
        server = subprocess.Popen(  # noqa: S603
            [str(CATALOGUE), "run", "--port", str(port)],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            wait_ready(base)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=CHROMIUM, args=["--headless", "--no-sandbox"]
                )
                failed = False
                for name, path in PAGES.items():
                    measure(browser, base, path)  # warm the server's caches once
                    results = [measure(browser, base, path) for _ in range(RUNS)]
                    # The largest of the runs (a response counted late is never missed).
                    largest = max(results, key=lambda r: r["bytes"])
                    size = largest["bytes"]
                    painted = [r["fcp"] for r in results if r["fcp"] is not None]
                    fcp = statistics.median(painted or [float("inf")]) / 1000
                    load = statistics.median(r["load"] for r in results) / 1000
                    parts = ", ".join(f"{k} {v / 1024:.1f} KB" for k, v in largest["sizes"].items())
                    ok_size, ok_time = size <= BUDGET_BYTES, fcp <= BUDGET_SECONDS
                    failed |= not (ok_size and ok_time)
                    print(
                        f"{name}: {size / 1024:.1f} KB HTML+CSS+JS ({parts}) "
                        f"[{'ok' if ok_size else 'OVER'} 200 KB]; first paint {fcp:.3f} s, "
                        f"load {load:.3f} s (median of {RUNS}) [{'ok' if ok_time else 'OVER'} 1 s]"
                    )
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=10)
    print("load:", Path("/proc/loadavg").read_text().strip())
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
