"""/docs and /redoc with the network cut off (issue 15, item 1): Swagger UI and ReDoc come from
this host, so with every non-loopback request aborted they still list every operation."""

from __future__ import annotations

import httpx
import pytest
from playwright.sync_api import Page

from app import __version__
from tests.browser.live import LiveServer
from tests.browser.offline import cut_off

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]

REDOC_LOGO = "https://cdn.redoc.ly/redoc/logo-mini.svg"
"""ReDoc's sidebar footer asks for Redocly's logo; `img-src 'self'` refuses it before any
request is made (the route handler never sees it), and ReDoc then hides the image."""


def _operations(server: LiveServer) -> list[tuple[str, str]]:
    """(METHOD, path) of every operation in the served OpenAPI document."""
    document = httpx.get(server.url("/openapi.json")).json()
    return sorted(
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
        if method in {"get", "put", "post", "patch", "delete"}
    )


def test_swagger_ui_lists_every_operation_offline(
    page: Page, server: LiveServer, console_errors: list[str]
) -> None:
    """Swagger UI renders one block per operation, GET /v1/verify among them, with no request
    leaving the machine and no CSP violation."""
    offline = cut_off(page)
    page.goto(server.url("/docs"))
    page.locator(".opblock").first.wait_for()
    operations = _operations(server)
    rendered = sorted(
        zip(
            page.locator(".opblock-summary-method").all_inner_texts(),
            [
                t.replace("\u200b", "")
                for t in page.locator(".opblock-summary-path").all_inner_texts()
            ],
            strict=True,
        )
    )
    assert rendered == operations
    verify = page.locator('.opblock-get .opblock-summary-path[data-path="/v1/verify"]')
    assert verify.inner_text() == "/v1/verify"
    assert verify.is_visible()
    assert offline.external_requests == []
    assert offline.csp_violations() == []
    assert console_errors == []


def test_redoc_lists_every_operation_offline(
    page: Page, server: LiveServer, console_errors: list[str]
) -> None:
    """ReDoc renders a section per operation and the verify path, with no request leaving the
    machine; the only thing the policy refuses is Redocly's logo, which is never fetched."""
    offline = cut_off(page)
    page.goto(server.url("/redoc"))
    page.locator('[data-section-id^="operation/"]').first.wait_for()
    sections = page.locator('[data-section-id^="operation/"]')
    assert sections.count() == len(_operations(server))
    verify = page.get_by_text("/v1/verify", exact=True)
    assert verify.count() == 1
    assert page.get_by_role("heading", name=f"certverify ({__version__})").is_visible()
    assert offline.external_requests == []
    assert offline.csp_violations() == [("img-src", REDOC_LOGO)]
    assert [e for e in console_errors if REDOC_LOGO not in e] == []
