"""The page's upload form and the document's result page (issue 17, item 1 and "Done when": a
buyer uploads a supplier's PDF and sees the verdict with its claims checked one by one)."""

from __future__ import annotations

import base64
import json

from fastapi.testclient import TestClient

from tests.documents.sample_files import certificate_pdf
from tests.documents.test_endpoint import Issued, issued, lines_of
from tests.web.html import Element, parse

__all__ = ["issued"]  # the fixture, shared with the endpoint's tests

PAGE = "/verify/document"


def upload(
    client: TestClient,
    data: bytes,
    *,
    filename: str = "certificate.pdf",
    media_type: str = "application/pdf",
    fields: dict[str, str] | None = None,
) -> tuple[int, Element, dict[str, str]]:
    """POST the page's form; the status, the parsed page and the headers."""
    response = client.post(PAGE, files={"file": (filename, data, media_type)}, data=fields or {})
    return response.status_code, parse(response.text), dict(response.headers)


def _cells(row: Element) -> list[str]:
    return [cell.text for cell in row.children if isinstance(cell, Element)]


def test_the_home_page_has_an_accessible_upload_form(client: TestClient) -> None:
    """A multipart form posting to /verify/document, its file input labelled and described,
    accepting PDF, PNG and JPEG; no inline script."""
    response = client.get("/")
    page = parse(response.text)
    form = page.one("form", action=PAGE)
    assert (form.attrs["method"], form.attrs["enctype"]) == ("post", "multipart/form-data")
    file_input = form.one("input", type="file")
    assert file_input.attrs["name"] == "file"
    assert file_input.attrs["accept"] == ".pdf,.png,.jpg,.jpeg,application/pdf,image/png,image/jpeg"
    labels = [label.text for label in form.find_all("label") if label.attrs["for"] == "d-file"]
    assert labels == ["Certificate document"]
    assert file_input.attrs["aria-describedby"] == "d-file-hint"
    assert "nothing is kept" in form.one("p", id="d-file-hint").text
    assert form.one("button", type="submit").text == "Check document"
    assert page.find_all("script") == []
    assert "script-src 'none'" in response.headers["content-security-policy"]


def test_an_uploaded_pdf_shows_the_verdict_and_each_claim_checked(
    client: TestClient, issued: Issued
) -> None:
    """The result page: the engine's verdict, and a table "The document says / The registry
    says / Agrees?" with one row per field."""
    status, page, headers = upload(
        client, certificate_pdf(lines_of(issued, expiry="2029-02-28")), filename="supplier.pdf"
    )
    assert status == 200
    assert page.one("section", class_="verdict").attrs["data-verdict"] == "mismatch"
    table = page.one("table", class_="claims")
    assert [th.text for th in table.find_all("th", scope="col")] == [
        "Field",
        "The document says",
        "The registry says",
        "Agrees?",
    ]
    rows = {row.attrs["data-field"]: row for row in table.find_all("tr", class_="claim")}
    expiry = rows["expiry_date"]
    assert expiry.attrs["data-outcome"] == "fail"
    cells = _cells(expiry)
    assert cells[0] == "Expiry date"
    assert cells[1] == "2029-02-28 (page 1, 100% sure)"
    assert cells[2] == "2027-02-28"
    agrees, why = cells[3].split(" ", 1)
    assert agrees == "No"
    assert "2029-02-28" in why  # the document_expiry_date check's message
    assert rows["certificate_number"].attrs["data-outcome"] == "pass"
    assert _cells(rows["certificate_number"])[2] == issued.number
    assert _cells(rows["organization"])[3].startswith("Yes")
    source = page.one("p", class_="document-claims__source").text
    assert source == "supplier.pdf: 1 page, read from its text. 1 field differs from the registry."
    assert headers["cache-control"] == "no-store"


def test_the_result_page_offers_the_signed_answer_with_the_documents_hash(
    client: TestClient, issued: Issued
) -> None:
    """The receipt to keep is the answer as signed (a data: URI, not a new check), holding
    the document's SHA-256; no permanent link claims to repeat a document check."""
    pdf = certificate_pdf(lines_of(issued))
    _, page, _ = upload(client, pdf)
    link = next(a for a in page.find_all("a") if "Download receipt" in a.text)
    assert link.attrs["href"].startswith("data:application/json;base64,")
    answer = json.loads(base64.b64decode(link.attrs["href"].split(",", 1)[1]))
    assert answer["verdict"] == "valid"
    import hashlib

    assert answer["document"]["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert link.attrs["download"] == f"certverify-document-{answer['verification_id']}.json"
    assert page.find_all("a", class_="permalink") == []


def test_a_file_that_is_not_a_certificate_document_shows_the_form_with_the_error(
    client: TestClient,
) -> None:
    """Wrong type: the start page again (415), the error summary first, linked to the field."""
    status, page, _ = upload(client, b"<html>not a pdf</html>", filename="certificate.pdf")
    assert status == 415
    summary = page.one("div", id="d-error-summary")
    assert summary.one("a").attrs["href"] == "#d-file"
    message = "The file is an HTML page although it is named as a PDF; send a PDF, PNG or JPEG."
    assert summary.one("a").text == message
    assert page.one("p", id="d-file-error").text == f"Error: {message}"
    file_input = page.one("input", id="d-file")
    assert file_input.attrs["aria-invalid"] == "true"
    assert file_input.attrs["aria-describedby"] == "d-file-hint d-file-error"
    assert page.one("title").text.startswith("Error: ")


def test_a_document_without_a_number_shows_what_was_read(client: TestClient) -> None:
    """No number: 422 and the form, saying what was found instead."""
    pdf = certificate_pdf(["CERTIFICATE", "Expiry date: 2027-02-28"])
    status, page, _ = upload(client, pdf)
    assert status == 422
    assert page.one("p", id="d-file-error").text == (
        "Error: No certificate number could be read from the document (1 page, read from its "
        "text layer): found expiry date '2027-02-28'. Nothing was looked up; type the number "
        "printed on the certificate."
    )


def test_a_bad_date_keeps_what_was_typed_and_opens_the_options(client: TestClient) -> None:
    """A date that is not one: the field's own error, the optional section open, the typed
    certification body kept."""
    status, page, _ = upload(
        client, certificate_pdf(), fields={"as_of": "26/11/2026", "certification_body": "BSI"}
    )
    assert status == 422
    assert page.one("p", id="d-as_of-error").text == (
        "Error: Enter the date as YYYY-MM-DD, for example 2026-11-26."
    )
    assert page.one("input", id="d-certification_body").attrs["value"] == "BSI"
    assert "open" in page.one("form", action=PAGE).one("details").attrs


def test_get_on_the_upload_address_goes_to_the_form(client: TestClient) -> None:
    """Reloading the result's address leads back to the form."""
    response = client.get(PAGE, follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/#document")
