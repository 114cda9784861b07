"""axe-core on every kind of page (issue 15, item 7): the home page, a valid answer, a mismatch,
not found, ambiguous, a form error (422), a search and a problem page, a document's answer and
the upload form's error (issue 17), at phone and desktop
widths, with no violation of impact "serious" or "critical". axe-core is pinned in tools/axe."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pytest
from playwright.sync_api import Browser, Page, Response, ViewportSize

from tests.browser.live import LiveServer, showcase_params
from tests.browser.test_document_page_browser import showcase_pdf

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]

VIEWPORTS: dict[str, ViewportSize] = {
    "phone": {"width": 360, "height": 740},
    "desktop": {"width": 1280, "height": 900},
}
PAGES: dict[str, tuple[str, int]] = {
    "home": ("/", 200),
    "valid": ("/verify?" + urlencode(showcase_params("valid")), 200),
    "mismatch": ("/verify?" + urlencode(showcase_params("mismatch")), 200),
    "not_found": ("/verify?" + urlencode(showcase_params("not_found")), 200),
    "ambiguous": ("/verify?" + urlencode(showcase_params("ambiguous")), 200),
    "form_error": ("/verify?certificate_number=&as_of=2026-02-30", 422),
    "search": ("/search?organization=harbourside", 200),
    "problem": ("/search", 401),
}
UPLOADS: dict[str, int] = {"document_result": 200, "document_error": 415}
"""Pages reached by uploading a file in the home page's form (issue 17): the answer to the demo's
valid certificate as a PDF, and the form again after a file that is not one."""
REFUSED_KEY = "Bearer junk"
"""The problem page: the page itself is asked for with a key the service refuses (a 401 page);
its stylesheet is not."""
BLOCKING = frozenset({"serious", "critical"})


def _report(violations: list[dict[str, Any]]) -> str:
    """The violations, one rule a paragraph with the elements it flagged."""
    lines = []
    for v in violations:
        lines.append(f"[{v['impact']}] {v['id']}: {v['help']} ({v['helpUrl']})")
        for node in v["nodes"]:
            lines.append(f"    {json.dumps(node['target'])}: {node['failureSummary']}")
    return "\n".join(lines)


def _upload(page: Page, server: LiveServer, name: str) -> Response | None:
    """Open the home page and submit its upload form with the file of UPLOADS[name]."""
    data = showcase_pdf(server) if name == "document_result" else b"not a document"
    page.goto(server.url("/"))
    page.get_by_label("Certificate document", exact=True).set_input_files(
        {"name": "certificate.pdf", "mimeType": "application/pdf", "buffer": data}
    )
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Check document").click()
    return navigation.value


@pytest.mark.parametrize("viewport", sorted(VIEWPORTS))
@pytest.mark.parametrize("name", sorted({**PAGES, **UPLOADS}))
def test_no_serious_or_critical_axe_violation(
    browser: Browser, server: LiveServer, axe_source: str, name: str, viewport: str
) -> None:
    """axe-core's WCAG 2.2 A/AA and best-practice rules find nothing serious or critical."""
    path, status = PAGES.get(name, ("/verify/document", UPLOADS.get(name, 200)))
    context = browser.new_context(viewport=VIEWPORTS[viewport])
    try:
        page = context.new_page()
        if name in UPLOADS:
            response = _upload(page, server, name)
        else:
            if name == "problem":
                page.route(
                    server.url(path),
                    lambda route: route.continue_(
                        headers={**route.request.headers, "authorization": REFUSED_KEY}
                    ),
                )
            response = page.goto(server.url(path))
        assert response is not None
        assert response.status == status
        page.evaluate(axe_source)  # DevTools evaluation: the page's CSP forbids any script
        results = page.evaluate(
            """async () => await axe.run(document, {
                runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                                "wcag22aa", "best-practice"]},
                resultTypes: ["violations"],
            })"""
        )
        assert results["testEngine"]["version"] == "4.14.1"
        blocking = [v for v in results["violations"] if v["impact"] in BLOCKING]
        assert blocking == [], f"{name} at {viewport} width:\n{_report(blocking)}"
    finally:
        context.close()
