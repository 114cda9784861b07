"""Browser fixtures: one live demo server and one Debian Chromium per test session (per worker)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, sync_playwright

from tests.browser.live import CHROMIUM, LiveServer, launch_options, live_server

REQUIRE_BROWSER = os.environ.get("CERTVERIFY_REQUIRE_BROWSER") == "1"
"""Set by .ci/run, where Chromium and axe-core are installed: a missing browser (or axe-core)
then fails instead of skipping."""
AXE_SCRIPT = (
    Path(__file__).resolve().parents[2]
    / "tools"
    / "axe"
    / "node_modules"
    / "axe-core"
    / "axe.min.js"
)
"""axe-core, pinned in tools/axe/package-lock.json: `make axe` (or `cd tools/axe && npm ci`)."""


def _require_chromium() -> None:
    """Skip (locally) or fail (CI) when Debian's Chromium is not installed."""
    if Path(CHROMIUM).exists():
        return
    reason = f"Debian's Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    if REQUIRE_BROWSER:
        pytest.fail(reason + "; CERTVERIFY_REQUIRE_BROWSER=1 demands it", pytrace=False)
    pytest.skip(reason)


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The axe-core script the accessibility tests run in each page; skip (locally) or fail
    (CI) when it is not installed."""
    _require_chromium()
    if not AXE_SCRIPT.exists():
        reason = f"axe-core is not installed at {AXE_SCRIPT} (make axe)"
        if REQUIRE_BROWSER:
            pytest.fail(reason + "; CERTVERIFY_REQUIRE_BROWSER=1 demands it", pytrace=False)
        pytest.skip(reason)
    return AXE_SCRIPT.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """uvicorn serving a migrated, seeded demo registry on a free loopback port."""
    _require_chromium()
    with live_server(tmp_path_factory.mktemp("browser")) as running:
        yield running


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """Debian's Chromium driven by Playwright (never a downloaded browser)."""
    _require_chromium()
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(**launch_options())
        yield chromium
        chromium.close()


@pytest.fixture
def console_errors() -> list[str]:
    """Console errors the page logged (a CSP violation shows up here)."""
    return []


@pytest.fixture
def page(browser: Browser, console_errors: list[str]) -> Iterator[Page]:
    """A fresh desktop-sized tab (1280 x 900) that records console errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    tab = context.new_page()
    tab.on("console", lambda m: console_errors.append(m.text) if m.type == "error" else None)
    yield tab
    context.close()
