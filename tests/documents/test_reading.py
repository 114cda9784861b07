"""Reading certificate documents (issue 17, item 1): text PDFs through pypdf in reading order,
scans and images through Tesseract, QR codes through zxing-cpp, the type from the bytes, and
OCR optional at run time (app/services/documents/reader.py)."""

from __future__ import annotations

import dataclasses
import hashlib
import os
import tempfile
from pathlib import Path

import pytest

from app.config import Settings
from app.domain.documents import ExtractedClaim, PageText, QrPayload
from app.services.documents import reader
from app.services.documents.links import parse_deep_link, qr_claims, qr_kind
from app.services.documents.reader import (
    DocumentRefused,
    declared_media_type,
    ocr_languages,
    ocr_message,
    read_document,
    read_limits,
    sniff_media_type,
    unread_pages,
)
from tests.documents.sample_files import (
    CERTIFICATE_LINES,
    certificate_pdf,
    image_bytes,
    render_pages,
    require_ocr,
    scan,
    scanned_pdf,
)

BASE_URL = "http://127.0.0.1:8000"
DEEP_LINK = f"{BASE_URL}/verify/BSI/FS%20612345"
FOREIGN_URL = "https://certificates.example-cb.com/check?id=FS612345"


def test_text_pdf_is_read_line_by_line_in_reading_order() -> None:
    """The text layer, top to bottom; a label and the value printed beside it share a line
    (three spaces mark the gap) even when the value was drawn first."""
    pdf = certificate_pdf(
        ["CERTIFICATE", "Harbourside Widgets Ltd"],
        columns=[("Certificate number:", "FS 612345"), ("Expiry date:", "2027-02-28")],
    )
    text = read_document(pdf, media_type="application/pdf", filename="certificate.pdf")
    assert text.sha256 == hashlib.sha256(pdf).hexdigest()
    assert text.media_type == "application/pdf"
    assert text.pages == (
        PageText(
            number=1,
            lines=(
                "CERTIFICATE",
                "Harbourside Widgets Ltd",
                "Certificate number:   FS 612345",
                "Expiry date:   2027-02-28",
            ),
            source="text",
        ),
    )
    assert text.ocr is False
    assert text.ocr_available is (read_limits().ocr_languages is not None)
    assert text.qr_codes == ()


def test_every_page_of_a_pdf_is_read_with_its_number() -> None:
    """Pages are numbered from 1, each with its own lines."""
    text = read_document(
        certificate_pdf(["Page text of a certificate, repeated"], pages=3),
        media_type=None,
        filename=None,
    )
    assert [(p.number, p.lines, p.source) for p in text.pages] == [
        (n, ("Page text of a certificate, repeated",), "text") for n in (1, 2, 3)
    ]


def test_a_pdf_secured_with_an_owner_password_only_is_read() -> None:
    """Certificates are often "secured" against editing (an owner password, an empty user
    password): anyone may open them, and so does the reader."""
    text = read_document(certificate_pdf(owner_password="s3cret"), media_type=None, filename=None)
    assert text.pages[0].lines == CERTIFICATE_LINES


def test_a_qr_deep_link_gives_the_number_and_the_cb_with_full_confidence() -> None:
    """A certverify deep link on the document names the certificate exactly: its claims come
    apart from the printed text's, with confidence 1.0 (parsed, never fetched)."""
    text = read_document(certificate_pdf(qr=DEEP_LINK), media_type=None, filename=None)
    assert text.qr_codes == (QrPayload(page=1, text=DEEP_LINK),)
    assert dict(qr_claims(text.qr_codes, base_url=BASE_URL)) == {
        "certificate_number": ExtractedClaim(
            field="certificate_number", value="FS 612345", confidence=1.0, page=1, text=DEEP_LINK
        ),
        "certification_body": ExtractedClaim(
            field="certification_body", value="BSI", confidence=1.0, page=1, text=DEEP_LINK
        ),
    }


def test_a_qr_with_another_url_is_kept_as_text_and_claims_nothing() -> None:
    """A URL that is not a certverify deep link is shown as text, never a claim."""
    text = read_document(certificate_pdf(qr=FOREIGN_URL), media_type=None, filename=None)
    assert text.qr_codes == (QrPayload(page=1, text=FOREIGN_URL),)
    assert dict(qr_claims(text.qr_codes, base_url=BASE_URL)) == {}
    assert qr_kind(FOREIGN_URL, base_url=BASE_URL) == "url"


@pytest.mark.parametrize(
    ("link", "expected"),
    [
        (DEEP_LINK, ("BSI", "FS 612345")),
        (f"{BASE_URL}/verify/BSI/FS%2F2024%2F17?as_of=2026-01-01", ("BSI", "FS/2024/17")),
        (f"{BASE_URL}/verify/BSI/FS/2024", ("BSI", "FS/2024")),  # as the page's route reads it
        ("HTTP://127.0.0.1:8000/verify/LRQA/12", ("LRQA", "12")),
        ("https://127.0.0.1:8000/verify/BSI/1", None),  # another scheme
        ("http://127.0.0.1:8001/verify/BSI/1", None),  # another port
        ("http://evil.example/verify/BSI/1", None),  # another host
        ("http://user@127.0.0.1:8000/verify/BSI/1", None),  # credentials in the link
        (f"{BASE_URL}/verify/BSI", None),  # no number
        (f"{BASE_URL}/verify/%FF/1", None),  # not UTF-8
        (f"{BASE_URL}/certificates/BSI/1", None),
        ("FS 612345", None),
    ],
)
def test_deep_links_are_recognised_only_under_the_public_base_url(
    link: str, expected: tuple[str, str] | None
) -> None:
    """Only `{CERTVERIFY_PUBLIC_BASE_URL}/verify/{cb}/{number}` is a deep link."""
    parsed = parse_deep_link(link, base_url=BASE_URL)
    got = None if parsed is None else (parsed.certification_body, parsed.certificate_number)
    assert got == expected


def test_a_deep_link_under_a_base_path_is_recognised() -> None:
    """A service published under a path (https://example.org/certverify) links below it."""
    link = "https://example.org/certverify/verify/BSI/FS%20612345"
    parsed = parse_deep_link(link, base_url="https://example.org/certverify/")
    assert parsed is not None
    assert (parsed.certification_body, parsed.certificate_number) == ("BSI", "FS 612345")
    assert (
        parse_deep_link("https://example.org/verify/BSI/1", base_url="https://example.org/x")
        is None
    )


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (b"%PDF-1.7\n...", "application/pdf"),
        (b"\xef\xbb\xbf junk before the header %PDF-1.4", "application/pdf"),
        (b"\x89PNG\r\n\x1a\n....", "image/png"),
        (b"\xff\xd8\xff\xe0....", "image/jpeg"),
        (b"GIF89a....", None),
        (b"<html>%PDF-1.4</html>", "application/pdf"),  # a header within 1024 bytes
        (b" " * 1024 + b"%PDF-1.4", None),
    ],
)
def test_the_type_is_the_bytes_own(data: bytes, expected: str | None) -> None:
    """Magic numbers: `%PDF-` within the first 1024 bytes, the PNG signature, JPEG's SOI."""
    assert sniff_media_type(data) == expected


@pytest.mark.parametrize(
    ("media_type", "filename", "expected"),
    [
        ("application/pdf", None, "application/pdf"),
        ("image/jpg", "x.png", "image/jpeg"),  # the media type first
        ("application/octet-stream", "Scan 12.JPEG", "image/jpeg"),
        (None, "C:\\Users\\me\\certificate.pdf", "application/pdf"),
        ("application/octet-stream", "certificate", None),
        (None, None, None),
    ],
)
def test_the_claimed_type_is_the_media_type_else_the_extension(
    media_type: str | None, filename: str | None, expected: str | None
) -> None:
    """What the sender claims is only checked against the bytes."""
    assert declared_media_type(media_type, filename) == expected


def test_pdf_bytes_sent_as_application_octet_stream_are_read() -> None:
    """A client that does not know the type gets the bytes' own."""
    text = read_document(certificate_pdf(), media_type="application/octet-stream", filename=None)
    assert text.media_type == "application/pdf"


def test_reading_leaves_no_file_behind() -> None:
    """The scratch directory (Tesseract's input, the reader's answer) is removed after each
    reading; the document itself only ever goes through a pipe."""
    prefix = f"{reader.SCRATCH_PREFIX}{os.getpid()}-"
    places = [Path("/dev/shm"), Path(tempfile.gettempdir())]

    def scratch() -> list[str]:
        return sorted(
            p.name for place in places if place.is_dir() for p in place.glob(prefix + "*")
        )

    before = scratch()
    read_document(scanned_pdf(), media_type=None, filename=None)
    with pytest.raises(DocumentRefused):
        read_document(b"%PDF-1.7 broken", media_type=None, filename=None)
    assert scratch() == before == []


# --- OCR ----------------------------------------------------------------------------------------


def test_a_scanned_pdf_page_without_a_text_layer_is_ocred() -> None:
    """A page with no text layer is rendered at 300 DPI and read by Tesseract."""
    require_ocr()
    text = read_document(scanned_pdf(qr=DEEP_LINK), media_type=None, filename="scan.pdf")
    assert text.pages == (PageText(number=1, lines=CERTIFICATE_LINES, source="ocr"),)
    assert (text.ocr, text.ocr_available) == (True, True)
    assert text.qr_codes == (QrPayload(page=1, text=DEEP_LINK),)


@pytest.mark.parametrize("kind", ["PNG", "JPEG"])
def test_png_and_jpeg_scans_are_ocred_with_their_qr_codes(kind: str) -> None:
    """An image is one page, read by Tesseract; a slightly turned, blurred scan reads the same."""
    require_ocr()
    page = render_pages(certificate_pdf(qr=DEEP_LINK))[0]
    data = image_bytes(scan(page, rotate=0.8, blur=0.6), kind)
    text = read_document(data, media_type=f"image/{kind.lower()}", filename=None)
    assert text.media_type == f"image/{kind.lower()}"
    assert text.pages == (PageText(number=1, lines=CERTIFICATE_LINES, source="ocr"),)
    assert text.ocr is True
    assert text.qr_codes == (QrPayload(page=1, text=DEEP_LINK),)


@pytest.mark.parametrize("turned", [90, 180])
def test_a_scan_fed_in_sideways_or_upside_down_is_read_upright(turned: int) -> None:
    """A low-confidence reading is retried turned upright by Tesseract's orientation detection."""
    require_ocr()
    page = render_pages(certificate_pdf())[0].rotate(turned, expand=True)
    text = read_document(image_bytes(page, "PNG"), media_type=None, filename=None)
    assert text.pages[0].lines == CERTIFICATE_LINES


def test_german_is_read_with_its_letters() -> None:
    """The configured languages include German: umlauts and ß survive OCR."""
    require_ocr()
    lines = ("ZERTIFIKAT", "Müller Prüfgesellschaft GmbH", "Straße der Einheit 5, Görlitz")
    page = render_pages(certificate_pdf(lines))[0]
    text = read_document(image_bytes(page, "PNG"), media_type=None, filename=None)
    assert text.pages[0].lines == lines


def test_without_ocr_a_scan_has_no_text_and_the_reading_says_so() -> None:
    """Without Tesseract nothing is guessed: the page has no text, OCR is unavailable, and
    the page is named as unread."""
    limits = dataclasses.replace(read_limits(), ocr_languages=None)
    text = read_document(scanned_pdf(qr=DEEP_LINK), media_type=None, filename=None, limits=limits)
    assert text.pages == (PageText(number=1, lines=(), source="text"),)
    assert (text.ocr, text.ocr_available) == (False, False)
    assert unread_pages(text) == (1,)
    assert ocr_message(text) == (
        "OCR is unavailable on this server, so page 1, with no text layer (a scan), was not read."
    )
    assert text.qr_codes == (QrPayload(page=1, text=DEEP_LINK),)  # QR codes need no OCR


def test_without_ocr_an_image_has_no_text() -> None:
    """An image without OCR: one page, no lines, OCR unavailable."""
    limits = dataclasses.replace(read_limits(), ocr_languages=None)
    page = render_pages(certificate_pdf())[0]
    text = read_document(image_bytes(page, "PNG"), media_type=None, filename=None, limits=limits)
    assert (text.pages, text.ocr, text.ocr_available, unread_pages(text)) == (
        (PageText(number=1, lines=(), source="text"),),
        False,
        False,
        (1,),
    )


def test_a_text_pdf_needs_no_ocr_even_without_it() -> None:
    """A PDF with a text layer reads the same with OCR unavailable; no page is unread."""
    limits = dataclasses.replace(read_limits(), ocr_languages=None)
    text = read_document(certificate_pdf(), media_type=None, filename=None, limits=limits)
    assert text.pages[0].lines == CERTIFICATE_LINES
    assert unread_pages(text) == ()
    assert ocr_message(text) is None


def test_ocr_languages_are_the_configured_ones_that_are_installed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """CERTVERIFY_DOCUMENT_OCR_LANGUAGES in its order, less those Tesseract lacks; none
    installed, Tesseract missing, or CERTVERIFY_DOCUMENT_OCR=false: OCR is unavailable."""
    monkeypatch.setattr(reader, "installed_languages", lambda _cmd: ("osd", "eng", "pol", "deu"))
    settings = Settings(document_ocr_languages="eng+deu+fra+pol")
    assert ocr_languages(settings) == "eng+deu+pol"
    assert ocr_languages(Settings(document_ocr_languages="fra+spa")) is None
    assert ocr_languages(Settings(document_ocr=False)) is None
    monkeypatch.setattr(reader, "installed_languages", lambda _cmd: ())
    assert ocr_languages(Settings()) is None


def test_a_missing_tesseract_program_means_no_ocr() -> None:
    """A Tesseract that is not installed lists no language."""
    assert reader.installed_languages("/nonexistent/tesseract") == ()


def _mixed_pdf() -> bytes:
    """Page 1 with a text layer, pages 2 and 3 scans (an annex printed and scanned)."""
    import io

    import pypdf

    writer = pypdf.PdfWriter()
    for part in (certificate_pdf(["Certificate number: FS 612345"]), scanned_pdf(), scanned_pdf()):
        for page in pypdf.PdfReader(io.BytesIO(part)).pages:
            writer.add_page(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_each_page_is_read_its_own_way() -> None:
    """Per page: the text layer where there is one, OCR where there is none."""
    require_ocr()
    text = read_document(_mixed_pdf(), media_type=None, filename=None)
    assert [(p.number, p.source) for p in text.pages] == [(1, "text"), (2, "ocr"), (3, "ocr")]
    assert text.pages[0].lines == ("Certificate number: FS 612345",)
    assert text.pages[1].lines == CERTIFICATE_LINES
    assert text.ocr is True


def test_without_ocr_the_scanned_pages_are_named() -> None:
    """The text page is read; the scans are listed as unread, in one sentence."""
    limits = dataclasses.replace(read_limits(), ocr_languages=None)
    text = read_document(_mixed_pdf(), media_type=None, filename=None, limits=limits)
    assert [(p.number, p.source, p.lines) for p in text.pages] == [
        (1, "text", ("Certificate number: FS 612345",)),
        (2, "text", ()),
        (3, "text", ()),
    ]
    assert unread_pages(text) == (2, 3)
    assert ocr_message(text) == (
        "OCR is unavailable on this server, so pages 2, 3, with no text layer (a scan), were not "
        "read."
    )
