"""The verification page in Debian's Chromium against a live server on the demo registry."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from urllib.parse import quote, urlencode

import httpx
import pytest
import zxingcpp
from PIL import Image
from playwright.sync_api import Browser, Page

from app.demo.showcase import SHOWCASE
from app.services.verification.receipts import verify_receipt
from tests.browser.live import LiveServer, showcase_params

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]


QR_ONLY = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)


def decode_qr(png: bytes) -> list[str]:
    """Every QR code that zxing-cpp reads in a screenshot."""
    image = Image.open(io.BytesIO(png)).convert("L")
    return [r.text for r in zxingcpp.read_barcodes(image, formats=QR_ONLY)]


def deep_link(server: LiveServer, cb: str, number: str) -> str:
    """The absolute deep link of a certificate on the live server."""
    return server.url(f"/verify/{quote(cb, safe='')}/{quote(number, safe='')}")


def test_type_a_number_submit_and_read_the_verdict(
    page: Page, server: LiveServer, console_errors: list[str]
) -> None:
    """Issue 4: paste a demo number, add the issuer, submit, and read a plain answer."""
    case = SHOWCASE["valid"]
    assert case.certification_body is not None
    page.goto(server.url("/"))
    page.get_by_label("Certificate number", exact=True).fill(case.certificate_number)
    page.get_by_text("Add what you were told (optional)").click()
    page.get_by_label("Certification body (optional)").fill(case.certification_body)
    page.get_by_role("button", name="Check certificate").click()
    page.wait_for_url("**/verify?**")
    verdict = page.locator("section.verdict")
    assert verdict.get_attribute("data-verdict") == "valid"
    assert page.locator(".verdict__label").inner_text() == "Valid"
    assert page.locator(".verdict__headline").inner_text() == "This certificate can be relied on."
    assert page.locator("table.checks tbody tr").count() == 11
    assert page.locator("td.outcome--fail").count() == 0
    assert page.get_by_role("heading", name="What to do next").count() == 0
    assert page.locator("figure.qr img").evaluate("img => img.naturalWidth") > 0
    assert console_errors == []


def test_keyboard_only_from_skip_link_to_an_ambiguous_answer_and_on(
    page: Page, server: LiveServer, console_errors: list[str]
) -> None:
    """Issue 4: keyboard-navigable: skip link, the number field, Enter, then follow a candidate."""
    case = SHOWCASE["ambiguous"]
    page.goto(server.url("/"))
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.id") == "v-certificate_number"
    page.keyboard.type(case.certificate_number)
    page.keyboard.press("Enter")
    page.wait_for_url("**/verify?**")
    assert page.locator("section.verdict").get_attribute("data-verdict") == "ambiguous"
    links = page.locator("ul.candidates a")
    assert links.count() == len(case.holders)
    first = links.first
    first.focus()
    href = first.get_attribute("href")
    page.keyboard.press("Enter")
    page.wait_for_url(server.url(href or ""))
    assert page.locator("section.verdict").get_attribute("data-verdict") == "valid"
    assert console_errors == []


def test_deep_link_with_slashes_shows_not_accredited_and_what_to_do(
    page: Page, server: LiveServer
) -> None:
    """Issue 4: the permanent link /verify/{cb}/{number} opens the answer directly."""
    case = SHOWCASE["not_accredited"]
    assert case.certification_body is not None
    url = deep_link(server, case.certification_body, case.certificate_number)
    page.goto(url)
    assert page.locator("section.verdict").get_attribute("data-verdict") == "not_accredited"
    assert page.locator(".verdict__label").inner_text() == "Not accredited"
    assert page.locator("ol.steps li").count() == 3
    as_of = page.locator(".verdict__when time").get_attribute("datetime")
    assert page.locator("a.permalink").inner_text() == f"{url}?as_of={as_of}"
    row = page.locator('tr[data-check="cb_accreditation"] td.outcome')
    assert row.inner_text().strip() == "Failed"


def test_phone_width_fits_without_sideways_scrolling(browser: Browser, server: LiveServer) -> None:
    """Issue 4: on a 390 px phone the verdict is on the first screen and nothing overflows."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True)
    try:
        phone = context.new_page()
        phone.goto(server.url("/verify?" + urlencode(showcase_params("withdrawn"))))
        assert phone.evaluate("document.documentElement.scrollWidth") == 390
        label = phone.locator(".verdict__label")
        assert label.inner_text() == "Withdrawn"
        box = label.bounding_box()
        assert box is not None
        assert box["y"] + box["height"] < 844
        assert box["x"] >= 0
        assert box["x"] + box["width"] <= 390
    finally:
        context.close()


def test_qr_code_rendered_in_the_browser_decodes_to_the_deep_link(
    page: Page, server: LiveServer
) -> None:
    """Issue 4: the API's QR image carries the deep link; the page's, the permanent link of the
    check (the deep link with the date, issue 15)."""
    case = SHOWCASE["valid"]
    assert case.certification_body is not None
    answer = httpx.get(server.url("/v1/verify"), params=showcase_params("valid")).json()
    expected = deep_link(server, case.certification_body, case.certificate_number)
    page.goto(server.url(f"/v1/certificates/{answer['certificate']['id']}/qr.svg?scale=6"))
    assert decode_qr(page.screenshot()) == [expected]
    page.goto(expected)
    as_of = answer["as_of"]
    assert decode_qr(page.locator("figure.qr img").screenshot()) == [f"{expected}?as_of={as_of}"]


def test_download_receipt_gives_the_signed_verification(
    page: Page, server: LiveServer, tmp_path: Path
) -> None:
    """Issue 4: "Download receipt" saves the full JSON answer whose receipt verifies."""
    page.goto(server.url("/verify?" + urlencode(showcase_params("expired"))))
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download receipt (signed JSON)").click()
    download = download_info.value
    assert download.suggested_filename.startswith("certverify-receipt-Q700007-")
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    body = json.loads(saved.read_text())
    assert body["verdict"] == "expired"
    jwks = httpx.get(server.url("/.well-known/jwks.json")).json()
    assert verify_receipt(body["receipt"], jwks)["verdict"] == "expired"


def test_prints_on_a4_without_form_or_navigation(page: Page, server: LiveServer) -> None:
    """Issue 4: print media hides the form and navigation; the answer fits two A4 pages."""
    page.goto(server.url("/verify?" + urlencode(showcase_params("not_accredited"))))
    page.emulate_media(media="print")
    assert page.locator("header.site-header").is_hidden()
    assert page.locator("form").is_hidden()
    assert page.locator("section.verdict").is_visible()
    assert page.locator("table.checks").is_visible()
    pdf = page.pdf(prefer_css_page_size=True, print_background=True)
    pages = re.findall(rb"/Type /Page\b(?!s)", pdf)
    boxes = set(re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf))
    assert len(pages) == 2
    assert {(round(float(w) / 72 * 25.4), round(float(h) / 72 * 25.4)) for w, h in boxes} == {
        (210, 297)
    }
