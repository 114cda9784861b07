"""Take the README screenshots of the real page on the demo registry.

Run: `.venv/bin/python -m tests.browser.screenshots [OUT_DIR]` (default docs/screenshots).
The server runs on the suite's clock (tests/conftest.py, TEST_NOW), so the pages show the same
dates on any day.
"""

from __future__ import annotations

import io
import os
import sys
import tempfile
from pathlib import Path
from urllib.parse import urlencode

from PIL import Image
from playwright.sync_api import Page, ViewportSize, sync_playwright

from app.demo.showcase import SHOWCASE
from tests.browser.live import launch_options, live_server, showcase_params
from tests.conftest import CLOCK_ENV, TEST_NOW

DESKTOP: ViewportSize = {"width": 1280, "height": 900}
PHONE: ViewportSize = {"width": 390, "height": 844}
PUBLIC_BASE_URL = "http://127.0.0.1:8000"
"""The address `make run` serves on, shown in the permanent links and QR codes."""


def _shoot(page: Page, url: str, path: Path, *, full_page: bool = True) -> None:
    """Open `url` and save a screenshot (of the whole page, or of the first screen)."""
    page.goto(url)
    page.wait_for_load_state("load")
    png = page.screenshot(full_page=full_page)
    # A 256-colour palette keeps UI screenshots sharp at a third of the size.
    image = Image.open(io.BytesIO(png)).convert("RGB")
    image.quantize(256, Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE).save(
        path, optimize=True
    )
    print(f"wrote {path}")


def take_screenshots(out_dir: Path) -> None:
    """Home, search and every verdict at desktop width; home and two verdicts on a phone."""
    # The live server starts through tests.clocked, which reads the suite's instant.
    os.environ.setdefault(CLOCK_ENV, TEST_NOW.isoformat())
    out_dir.mkdir(parents=True, exist_ok=True)
    with (
        tempfile.TemporaryDirectory() as tmp,
        live_server(Path(tmp), public_base_url=PUBLIC_BASE_URL) as server,
        sync_playwright() as pw,
    ):
        browser = pw.chromium.launch(**launch_options())
        desktop = browser.new_page(viewport=DESKTOP)
        _shoot(desktop, server.url("/"), out_dir / "home.png")
        _shoot(desktop, server.url("/search?organization=harbourside"), out_dir / "search.png")
        for name in SHOWCASE:
            file = f"verdict-{name.replace('_', '-')}.png"
            url = server.url("/verify?" + urlencode(showcase_params(name)))
            _shoot(desktop, url, out_dir / file)
        phone = browser.new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True)
        _shoot(phone, server.url("/"), out_dir / "phone-home.png", full_page=False)
        for name in ("valid", "withdrawn"):
            url = server.url("/verify?" + urlencode(showcase_params(name)))
            _shoot(phone, url, out_dir / f"phone-{name}.png", full_page=False)
        browser.close()


if __name__ == "__main__":
    take_screenshots(Path(sys.argv[1] if len(sys.argv) > 1 else "docs/screenshots"))
