"""The upload form in Debian's Chromium against a live server on the demo registry: a buyer
uploads a supplier's PDF and sees the verdict with the document's claims checked one by one."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Page

from app.demo.showcase import SHOWCASE
from tests.browser.live import LiveServer
from tests.documents.sample_files import certificate_pdf

pytestmark = [pytest.mark.browser, pytest.mark.sqlite_only]


def showcase_pdf(server: LiveServer, case: str = "valid") -> bytes:
    """A certificate PDF printing what the registry records of a demo certificate (asked of
    the live server's API): its number, issuer, holder, standard and dates."""
    showcase = SHOWCASE[case]
    params = {"certificate_number": showcase.certificate_number}
    params["certification_body"] = showcase.certification_body or ""
    cert = httpx.get(server.url("/v1/verify"), params=params).json()["certificate"]
    return certificate_pdf(
        [
            "CERTIFICATE",
            "This is to certify that the management system of",
            cert["organization"]["name"],
            f"has been assessed and found to conform to {cert['standard']}",
            f"Certificate number: {cert['certificate_number']}",
            f"Issue date: {cert['issue_date']}",
            f"Expiry date: {cert['expiry_date']}",
            f"Certification body: {showcase.certification_body}",
        ]
    )


def upload(page: Page, server: LiveServer, name: str, data: bytes, mime: str) -> None:
    """Choose the file in the home page's form and submit it."""
    page.goto(server.url("/"))
    page.get_by_label("Certificate document", exact=True).set_input_files(
        {"name": name, "mimeType": mime, "buffer": data}
    )
    page.get_by_role("button", name="Check document").click()
    page.wait_for_load_state()


def test_upload_a_pdf_and_read_the_verdict_with_its_claims(
    page: Page, server: LiveServer, console_errors: list[str]
) -> None:
    """The demo's valid certificate as a PDF: the verdict, and the table of claims with the
    number and the issuer agreeing with the registry, and the signed answer to keep (a data: URI
    download); no CSP violation (no inline script)."""
    pdf = showcase_pdf(server)
    upload(page, server, "supplier-certificate.pdf", pdf, "application/pdf")
    assert page.url == server.url("/verify/document")
    assert page.locator("section.verdict").get_attribute("data-verdict") == "valid"
    rows = page.locator("table.claims tbody tr")
    assert rows.count() >= 2
    number = page.locator('tr[data-field="certificate_number"]')
    assert number.get_attribute("data-outcome") == "pass"
    assert number.locator("td").nth(1).inner_text() == SHOWCASE["valid"].certificate_number
    assert page.locator(".document-claims__source").inner_text() == (
        "supplier-certificate.pdf: 1 page, read from its text."
    )
    with page.expect_download() as download:
        page.get_by_role("link", name="Download receipt (signed JSON)").click()
    saved = json.loads(Path(download.value.path()).read_text(encoding="utf-8"))
    assert saved["verdict"] == "valid"
    assert saved["document"]["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert (
        download.value.suggested_filename == f"certverify-document-{saved['verification_id']}.json"
    )
    assert console_errors == []


def test_a_file_of_another_type_shows_the_error_summary_first(
    page: Page, server: LiveServer, console_errors: list[str]
) -> None:
    """A text file: the form again, the error summary focused (a keyboard or screen reader
    user starts there) and linked to the file field."""
    upload(page, server, "certificate.pdf", b"just some text", "application/pdf")
    assert page.evaluate("document.activeElement.id") == "d-error-summary"
    link = page.locator("#d-error-summary a")
    assert link.inner_text() == (
        "The file is not a PDF, PNG or JPEG although it is named as a PDF; send a PDF, PNG or JPEG."
    )
    link.click()
    assert page.evaluate("document.activeElement.id") == "d-file"
    # The page itself answers 415, which Chromium logs; nothing else (no CSP violation).
    assert console_errors == [
        "Failed to load resource: the server responded with a status of 415 (Unsupported Media "
        "Type)"
    ]
