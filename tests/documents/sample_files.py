"""Documents made in the tests, never stored as fixtures: certificate PDFs with reportlab (with
a text layer, or as a scan: an image of the page and no text), PNG and JPEG scans rendered with
PDFium, QR codes, and the hostile files of item 5 built byte by byte."""

from __future__ import annotations

import io
import os
import shutil
import struct
import zlib
from collections.abc import Sequence

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pytest
from PIL import Image, ImageFilter
from reportlab.graphics import renderPDF
from reportlab.graphics.barcode.qr import QrCodeWidget
from reportlab.graphics.shapes import Drawing
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas

from app.services.documents.reader import installed_languages

REQUIRE_OCR = os.environ.get("CERTVERIFY_REQUIRE_OCR") == "1"
"""Set by .ci/run, where Debian's tesseract-ocr is installed: OCR tests fail instead of skipping."""


def require_ocr() -> None:
    """Skip (locally) or fail (CI) when Tesseract with English and German is not installed."""
    languages = set(installed_languages("tesseract"))
    if shutil.which("tesseract") and {"eng", "deu"} <= languages:
        return
    reason = "Tesseract with eng and deu is not installed (apt-get install tesseract-ocr)"
    if REQUIRE_OCR:
        pytest.fail(reason + "; CERTVERIFY_REQUIRE_OCR=1 demands it", pytrace=False)
    pytest.skip(reason)


CERTIFICATE_LINES = (
    "CERTIFICATE",
    "This is to certify that the management system of",
    "Harbourside Widgets Ltd",
    "has been assessed and found to conform to ISO 9001:2015",
    "Certificate number: FS 612345",
    "Issue date: 2024-03-01",
    "Expiry date: 2027-02-28",
)


def _draw_qr(pdf: canvas.Canvas, text: str, *, x: float, y: float, size: float) -> None:
    widget = QrCodeWidget(text)
    left, bottom, right, top = widget.getBounds()
    drawing = Drawing(
        size, size, transform=[size / (right - left), 0, 0, size / (top - bottom), 0, 0]
    )
    drawing.add(widget)
    renderPDF.draw(drawing, pdf, x, y)


def certificate_pdf(
    lines: Sequence[str] = CERTIFICATE_LINES,
    *,
    qr: str | None = None,
    pages: int = 1,
    user_password: str | None = None,
    owner_password: str | None = None,
    columns: Sequence[tuple[str, str]] = (),
) -> bytes:
    """A text PDF: `lines` from the top of each page, `columns` as label and value side by side
    below them, a QR code of `qr` at the bottom right; encrypted when a password is given."""
    out = io.BytesIO()
    encrypt = None
    if user_password is not None or owner_password is not None:
        from reportlab.lib.pdfencrypt import StandardEncryption

        encrypt = StandardEncryption(
            userPassword=user_password or "", ownerPassword=owner_password or "owner", strength=128
        )
    pdf = canvas.Canvas(out, pagesize=A4, encrypt=encrypt, invariant=True)
    width, height = A4
    for page in range(pages):
        pdf.setFont("Helvetica", 14)
        y = height - 90
        for line in lines:
            pdf.drawString(72, y, line)
            y -= 26
        for label, value in columns:
            pdf.drawString(320, y, value)  # drawn first: the reading order is the page's
            pdf.drawString(72, y, label)
            y -= 26
        if qr is not None and page == 0:
            _draw_qr(pdf, qr, x=width - 190, y=60, size=120)
        pdf.showPage()
    pdf.save()
    return out.getvalue()


def render_pages(pdf: bytes, *, dpi: int = 300) -> list[Image.Image]:
    """Each page of `pdf` as a greyscale image."""
    document = pdfium.PdfDocument(pdf)
    try:
        images = []
        for index in range(len(document)):
            page = document[index]
            images.append(page.render(scale=dpi / 72, grayscale=True).to_pil().copy())
            page.close()
        return images
    finally:
        document.close()


def scan(image: Image.Image, *, rotate: float = 0.0, blur: float = 0.0) -> Image.Image:
    """`image` as a scanner gives it: slightly turned and blurred."""
    out = image.convert("L")
    if rotate:
        out = out.rotate(rotate, expand=True, fillcolor=255, resample=Image.Resampling.BICUBIC)
    if blur:
        out = out.filter(ImageFilter.GaussianBlur(blur))
    return out


def image_bytes(image: Image.Image, kind: str, *, dpi: int = 300) -> bytes:
    """`image` encoded as PNG or JPEG."""
    out = io.BytesIO()
    if kind == "JPEG":
        image.convert("L").save(out, "JPEG", quality=90, dpi=(dpi, dpi))
    else:
        image.save(out, "PNG", dpi=(dpi, dpi))
    return out.getvalue()


def scanned_pdf(lines: Sequence[str] = CERTIFICATE_LINES, *, qr: str | None = None) -> bytes:
    """A PDF with no text layer: one page holding a 200-DPI image of a certificate page."""
    page_image = scan(render_pages(certificate_pdf(lines, qr=qr), dpi=200)[0], rotate=0.6)
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=True)
    pdf.drawImage(ImageReader(page_image), 0, 0, width=A4[0], height=A4[1])
    pdf.showPage()
    pdf.save()
    return out.getvalue()


# --- hostile files, byte by byte ---------------------------------------------------------------


def raw_pdf(objects: Sequence[bytes], *, root: int = 1, trailer_extra: bytes = b"") -> bytes:
    """A PDF of the given objects (numbered from 1) with a correct cross-reference table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R %s>>\n" % (len(objects) + 1, root, trailer_extra)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def stream(data: bytes, extra: bytes = b"") -> bytes:
    """A Flate-compressed stream object body."""
    packed = zlib.compress(data, 9)
    return (
        b"<< /Length %d /Filter /FlateDecode %s>>\nstream\n" % (len(packed), extra)
        + packed
        + (b"\nendstream")
    )


FONT = b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"


def flate_bomb_pdf(expanded_bytes: int) -> bytes:
    """One page whose content stream is `expanded_bytes` of spaces compressed to almost
    nothing (about 1000:1)."""
    content = b"BT /F1 12 Tf 72 720 Td (Certificate number: FS 612345) Tj ET\n"
    content += b" " * expanded_bytes
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
            b"/Resources << /Font << /F1 5 0 R >> >> /Contents 4 0 R >>",
            stream(content),
            FONT,
        ]
    )


def deep_pdf(depth: int) -> bytes:
    """One page whose dictionary holds arrays nested `depth` deep."""
    nested = b"[" * depth + b"]" * depth
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> /Deep " + nested + b" >>",
            stream(b"BT /F1 12 Tf 72 720 Td (Certificate number: FS 612345) Tj ET"),
            FONT,
        ]
    )


def page_tree_loop_pdf() -> bytes:
    """A page tree whose node lists itself among its kids (a cycle)."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R 2 0 R] /Count 2 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            stream(b"BT /F1 12 Tf 72 720 Td (Certificate number: FS 612345) Tj ET"),
            FONT,
        ]
    )


def xref_loop_pdf() -> bytes:
    """A valid one-page PDF whose cross-reference section names itself as its previous one
    (`/Prev` pointing at its own offset): a reader that follows /Prev naively never stops."""
    body = raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>",
            stream(b"BT /F1 12 Tf 72 720 Td (Certificate number: FS 612345) Tj ET"),
            FONT,
        ]
    )
    xref = int(body.rsplit(b"startxref\n", 1)[1].split(b"\n", 1)[0])
    return body.replace(b"/Root 1 0 R ", b"/Root 1 0 R /Prev %d " % xref)


def many_pages_pdf(count: int) -> bytes:
    """`count` empty pages sharing one page object (a tiny file with many pages)."""
    kids = b" ".join(b"3 0 R" for _ in range(count))
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % count,
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        ]
    )


def huge_image_pdf(side: int) -> bytes:
    """One page drawing a `side` x `side` greyscale image of zeros (side² bytes decompressed,
    compressed about 1000:1): PDFium must decode it to draw the page."""
    packed = zlib.compressobj(9)
    row = b"\x00" * side
    chunks = [packed.compress(row) for _ in range(side)]
    data = b"".join(chunks) + packed.flush()
    image = (
        b"<< /Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
        b"/BitsPerComponent 8 /Length %d /Filter /FlateDecode >>\nstream\n"
        % (side, side, len(data))
        + data
        + b"\nendstream"
    )
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
            b"/Resources << /XObject << /Im1 5 0 R >> >> >>",
            stream(b"q 595 0 0 842 0 0 cm /Im1 Do Q"),
            image,
        ]
    )


def huge_page_pdf(side_points: int) -> bytes:
    """One page `side_points` square (PDF allows 14,400 points, 5 m) with a line of text."""
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 %d %d] /Contents 4 0 R "
            b"/Resources << /Font << /F1 5 0 R >> >> >>" % (side_points, side_points),
            stream(b"BT /F1 12 Tf 72 720 Td (Certificate number: FS 612345) Tj ET"),
            FONT,
        ]
    )


def busy_page_pdf(shapes: int) -> bytes:
    """One page of `shapes` overlapping filled curves: cheap to store, slow to draw."""
    content = b"".join(
        b"%d %d m %d %d %d %d %d %d c f\n" % (i % 500, i % 700, 595, 0, 0, 842, 595 - i % 500, 842)
        for i in range(shapes)
    )
    return raw_pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            stream(content),
        ]
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_with_size(width: int, height: int) -> bytes:
    """A PNG whose header declares `width` x `height` greyscale pixels, followed by one tiny
    compressed row: a decoder that trusts the header allocates width x height bytes."""
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _png_chunk(b"IHDR", header)
        + _png_chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + _png_chunk(b"IEND", b"")
    )


def jpeg_with_size(width: int, height: int) -> bytes:
    """A small real JPEG whose frame header (SOF0) is rewritten to declare `width` x `height`."""
    data = bytearray(image_bytes(Image.new("L", (16, 16), 255), "JPEG"))
    sof = data.index(b"\xff\xc0")
    struct.pack_into(">HH", data, sof + 5, height, width)
    return bytes(data)
