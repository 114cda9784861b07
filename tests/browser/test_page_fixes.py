"""The verification page's frictions of issue 15 (item 7), in Chromium at phone (360 px) and
desktop (1280 px) widths: outcome words never clipped, focused links readable with a visible
indicator (WCAG 2.2), focus on the error summary after a 422, and permanent links that carry
the claims and the date."""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import Browser, Page, ViewportSize

from tests.browser.live import LiveServer, showcase_params
from tests.browser.test_verification_page import decode_qr

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]

VIEWPORTS: dict[str, ViewportSize] = {
    "phone": {"width": 360, "height": 740},
    "desktop": {"width": 1280, "height": 900},
}
TEXT_CONTRAST = 4.5  # WCAG 2.2 SC 1.4.3
INDICATOR_CONTRAST = 3.0  # WCAG 2.2 SC 1.4.11 and 2.4.13
_RGB = re.compile(r"rgba?\(([\d.]+), ([\d.]+), ([\d.]+)(?:, ([\d.]+))?\)")

_FOCUS_STATE = """() => {
  const el = document.activeElement;
  const opaque = (c) => !/rgba\\(.*, 0\\)$/.test(c) && c !== "transparent";
  const behind = (node) => {
    for (let n = node; n; n = n.parentElement) {
      const bg = getComputedStyle(n).backgroundColor;
      if (opaque(bg)) return bg;
    }
    return "rgb(255, 255, 255)";
  };
  const style = getComputedStyle(el);
  return {
    tag: el.tagName, id: el.id, text: el.textContent.trim().slice(0, 80), color: style.color,
    background: opaque(style.backgroundColor) ? style.backgroundColor : behind(el.parentElement),
    around: behind(el.parentElement), boxShadow: style.boxShadow,
    outline: style.outlineStyle === "none" ? "" : style.outlineColor,
  };
}"""


@pytest.fixture(params=sorted(VIEWPORTS))
def tab(request: pytest.FixtureRequest, browser: Browser) -> Iterator[Page]:
    """A tab at phone or desktop width."""
    context = browser.new_context(viewport=VIEWPORTS[request.param])
    yield context.new_page()
    context.close()


def _rgb(css: str) -> tuple[float, float, float]:
    """A computed CSS colour as RGB (0..255)."""
    match = _RGB.search(css)
    assert match is not None, css
    return float(match[1]), float(match[2]), float(match[3])


def contrast(a: str, b: str) -> float:
    """The WCAG contrast ratio of two computed CSS colours."""

    def luminance(css: str) -> float:
        channels = [c / 255 for c in _rgb(css)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_outcome_words_are_never_clipped(tab: Page, server: LiveServer) -> None:
    """Issue 15: "Not checked" (the longest outcome) fits its cell and the page on a phone."""
    width = tab.viewport_size["width"] if tab.viewport_size else 0
    for name in ("valid", "mismatch"):
        tab.goto(server.url("/verify?" + urlencode(showcase_params(name))))
        cells = tab.locator("td.outcome").evaluate_all(
            """cells => cells.map(td => {
                 const cell = td.getBoundingClientRect();
                 const word = td.querySelector("span").getBoundingClientRect();
                 return {text: td.innerText.trim(), cellLeft: cell.left, cellRight: cell.right,
                         wordLeft: word.left, wordRight: word.right,
                         overflow: td.scrollWidth - td.clientWidth};
               })"""
        )
        assert "Not checked" in {c["text"] for c in cells}
        for cell in cells:
            assert cell["overflow"] <= 0, (name, cell)
            assert cell["cellLeft"] <= cell["wordLeft"] < cell["wordRight"] <= cell["cellRight"]
            assert cell["wordRight"] <= width, (name, cell)
        wrap = tab.locator(".table-wrap").evaluate("w => w.scrollWidth - w.clientWidth")
        assert wrap <= 0, name
        assert tab.evaluate("document.documentElement.scrollWidth") == width


def test_focused_links_are_readable_with_a_visible_indicator(tab: Page, server: LiveServer) -> None:
    """Issue 15: everything reached by Tab shows an indicator at 3:1 against what surrounds it
    (a date field's inner parts included), and every link (the header's, which were white on
    amber, 1.6:1) has its text at 4.5:1 on its focus background."""
    seen: list[str] = []
    for path in ("/", "/verify?certificate_number=&as_of=2026-02-30"):
        tab.goto(server.url(path))
        for _ in range(60):
            tab.keyboard.press("Tab")
            state = tab.evaluate(_FOCUS_STATE)
            if state["tag"] == "BODY":
                break
            shadow = _RGB.search(state["boxShadow"])
            indicator = max(
                contrast(state["background"], state["around"]),
                contrast(shadow[0], state["around"]) if shadow else 1.0,
                contrast(state["outline"], state["around"]) if state["outline"] else 1.0,
            )
            assert indicator >= INDICATOR_CONTRAST, (state, indicator)
            if state["tag"] == "A":
                seen.append(state["text"])
                text = contrast(state["color"], state["background"])
                assert text >= TEXT_CONTRAST, (state, text)
    for link in ("Skip to main content", "certverify", "Verify a certificate", "API"):
        assert link in seen
    assert "Enter the certificate number as printed, with at least one letter or digit." in seen


def test_after_a_422_the_error_summary_has_the_focus(tab: Page, server: LiveServer) -> None:
    """Issue 15: submitting the form with errors lands on the error summary (GOV.UK pattern);
    Tab then reaches its links, which lead to the fields."""
    tab.goto(server.url("/"))
    tab.get_by_role("button", name="Check certificate").click()
    tab.wait_for_url("**/verify?**")
    assert tab.evaluate("document.activeElement.id") == "v-error-summary"
    summary = tab.locator("#v-error-summary")
    assert summary.get_attribute("role") == "alert"
    assert summary.evaluate("e => getComputedStyle(e).outlineStyle") == "solid"
    assert summary.is_visible()
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.getAttribute('href')") == "#v-certificate_number"
    tab.keyboard.press("Enter")
    assert tab.evaluate("document.activeElement.id") == "v-certificate_number"

    tab.goto(
        server.url("/verify?" + urlencode({"certificate_number": "Q 1", "as_of": "2026-02-30"}))
    )
    assert tab.evaluate("document.activeElement.id") == "v-error-summary"
    assert tab.locator("#v-error-summary li").all_inner_texts() == [
        "2026-02-30 is not a date: February 2026 has 28 days."
    ]


def test_a_permanent_link_gives_a_colleague_the_same_answer(
    tab: Page, browser: Browser, server: LiveServer
) -> None:
    """Issue 15: the permanent link (and its QR code) of a mismatch carries every claim and
    the date; a colleague who opens it in their own browser sees the same verdict and checks."""
    claims = {
        **showcase_params("mismatch"),
        "standard": "ISO 14001",
        "country": "France",
        "scope": "catering for events",
    }
    tab.goto(server.url("/verify?" + urlencode(claims)))

    def answer(page: Page) -> tuple[str | None, list[tuple[str | None, str]]]:
        rows = page.locator("tr.check")
        return page.locator("section.verdict").get_attribute("data-verdict"), [
            (rows.nth(i).get_attribute("data-check"), " ".join(rows.nth(i).inner_text().split()))
            for i in range(rows.count())
        ]

    mine = answer(tab)
    assert mine[0] == "mismatch"
    link = tab.locator("a.permalink")
    url = link.inner_text()
    assert link.get_attribute("href") == url.removeprefix(server.base_url)
    as_of = tab.locator(".verdict__when time").get_attribute("datetime")
    assert parse_qs(urlsplit(url).query) == {
        "organization": [claims["organization"]],
        "standard": ["ISO 14001"],
        "country": ["France"],
        "scope": ["catering for events"],
        "as_of": [as_of],
    }
    assert decode_qr(tab.locator("figure.qr img").screenshot()) == [url]
    colleague = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        theirs = colleague.new_page()
        theirs.goto(url)
        assert answer(theirs) == mine
    finally:
        colleague.close()
