"""What the browser tests share: Debian's Chromium, its marks, screenshots, ``expect``.

The fixtures (``browser``, ``live_server``, ``open_page``) are in ``conftest.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parent.parent / "artifacts"

E2E = [
    pytest.mark.e2e,
    pytest.mark.skipif(
        not os.path.exists(CHROMIUM),
        reason=f"Chromium is not installed at {CHROMIUM} (Debian: apt-get install chromium)",
    ),
]


def expect(locator):
    from playwright.sync_api import expect as playwright_expect

    return playwright_expect(locator)


def shot(page, name: str, backend: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{backend}-{name}.png"), full_page=True)
