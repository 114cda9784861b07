"""The reading of one document, in a short-lived process of its own: `python -m
app.services.documents.worker LIMITS KIND` with the document on stdin and the answer, one JSON
object, on stdout (`reader.read_document` starts it and checks what it says).

The process first confines itself (`confine`): an address-space limit (RLIMIT_AS, so a
decompression bomb fails an allocation instead of swapping the host), a CPU-time limit
(RLIMIT_CPU, inherited by Tesseract), no core files, a cap on the size of any file it writes
(pytesseract hands Tesseract the image as a file, in the scratch directory that is the
process's TMPDIR and that the parent removes afterwards). The parent holds a wall-clock limit
and kills the process group when it passes. Whatever the file does to a library in here, the
server only sees a refusal; and it reads JSON back, never a pickle, so even a reader taken
over by a hostile file cannot hand the server code to run.

What is read, page by page:
- a PDF: its text layer with pypdf's layout mode (lines in reading order, top to bottom, so a
  label and the value printed beside it share a line; a run of three spaces marks a gap
  between columns), and the page rendered with PDFium (pypdfium2) for QR codes, and for OCR
  when the page has no text layer (fewer than MIN_TEXT_CHARACTERS letters or digits);
- a PNG or JPEG: one page, OCR'd (turned upright by its EXIF orientation first), and its QR
  codes.
QR codes are decoded with zxing-cpp; their text is passed on as found, never followed here.
Text is NFKC-normalised (ligatures such as "ﬁ" become "fi"), control characters become spaces,
and empty lines are dropped.
"""

from __future__ import annotations

import ctypes
import dataclasses
import io
import json
import logging
import math
import os
import re
import resource
import signal
import sys
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pypdf
import pypdfium2 as pdfium  # type: ignore[import-untyped]
import zxingcpp
from PIL import Image, ImageOps
from pypdf.errors import DependencyError, FileNotDecryptedError, LimitReachedError, PyPdfError

from app.domain.documents import PageText, QrPayload
from app.services.documents.refusals import DocumentRefused, RefusalCode

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"

OCR_DPI = 300
"""Pages without a text layer are rendered at 300 DPI for Tesseract (its documented sweet spot
for body text, tesseract-ocr.github.io "Improving the quality of the output")."""
QR_DPI = 200
"""Pages with a text layer are rendered at 200 DPI for QR codes only: a 2 cm code of 33 modules
is about 5 pixels a module, which zxing-cpp reads, at half the pixels of 300 DPI."""
MIN_TEXT_CHARACTERS = 20
"""A page whose text layer has fewer letters and digits than this is taken for a scan (a
scanner's stamp such as "Scanned with X" is not a certificate's text) and OCR'd."""
MAX_TEXT_CHARACTERS = 500_000
"""Text of a whole document; a certificate has a few thousand characters (413 above)."""
MAX_QR_PER_PAGE = 10
QR_FORMATS = zxingcpp.BarcodeFormats(zxingcpp.BarcodeFormat.QRCode)
MAX_QR_TEXT = 4096
MAX_FILE_WRITE_BYTES = 64 * 1024 * 1024
"""RLIMIT_FSIZE: the largest file the process (or Tesseract) may write: Tesseract's input image
(a 40-megapixel greyscale PNG is at most about 40 MB, a certificate page at 300 DPI 1 to 3 MB),
the answer (its text is capped at 500,000 characters) or its error output."""
PDF_STREAM_OUTPUT_BYTES = 32 * 1024 * 1024
"""pypdf's per-stream decompression cap here (its default is 75 MB): a certificate's content
stream is kilobytes; text extraction never decodes images."""
PDF_CONFIGURATION: dict[str, Any] = {
    "zlib_maximum_output_length": PDF_STREAM_OUTPUT_BYTES,
    "lzw_maximum_output_length": PDF_STREAM_OUTPUT_BYTES,
    "run_length_maximum_output_length": PDF_STREAM_OUTPUT_BYTES,
    "brotli_maximum_output_length": PDF_STREAM_OUTPUT_BYTES,
    "array_based_stream_maximum_output_length": PDF_STREAM_OUTPUT_BYTES,
    "maximum_declared_stream_length": PDF_STREAM_OUTPUT_BYTES,
    "stream_decoding_work_maximum_length": 4 * PDF_STREAM_OUTPUT_BYTES,
    "stream_parsing_work_maximum_count": 500_000,
    "page_tree_maximum_entries": 10_000,
    "page_tree_maximum_depth": 32,
    "xform_maximum_invocations_per_extraction": 500,
    "jbig2dec_binary": None,  # never run an external decoder on a stranger's file
}
"""pypdf's resource limits (pypdf.Configuration, pypdf 7), tightened for certificates: 500,000
tokens per content stream (a page of text with a vector QR code has a few thousand; pypdf's
2,000,000 took 5 s to reach)."""

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_COLUMN_GAP = re.compile(r" {3,}")
_SPACES = re.compile(r"(?<! ) {2}(?! )")

log = logging.getLogger("certverify.documents")


@dataclass(frozen=True, slots=True)
class ReadLimits:
    """The bounds of one reading, and the OCR to use (`ocr_languages` None: none available)."""

    max_bytes: int
    max_pages: int
    max_pixels: int
    memory_bytes: int
    cpu_seconds: int
    read_seconds: float
    ocr_languages: str | None
    tesseract_cmd: str = "tesseract"
    concurrency: int = 2
    """Documents read at once per server process (the reader's, not this process's, limit)."""


@dataclass(frozen=True, slots=True)
class Reading:
    """What the process sends back: the pages, whether OCR was used, the QR codes found."""

    pages: tuple[PageText, ...]
    ocr: bool
    qr_codes: tuple[QrPayload, ...]


def confine(limits: ReadLimits) -> None:
    """Limit this process (and Tesseract, which inherits the limits) before touching the file;
    the hard limits too, so nothing in here can raise them again. CPU time: SIGXCPU at the
    limit (the parent names it), SIGKILL one second later."""
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
    resource.setrlimit(resource.RLIMIT_CPU, (limits.cpu_seconds, limits.cpu_seconds + 1))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (MAX_FILE_WRITE_BYTES, MAX_FILE_WRITE_BYTES))
    Image.MAX_IMAGE_PIXELS = None  # the header is checked against limits.max_pixels instead
    logging.getLogger("pypdf").setLevel(logging.CRITICAL)


def answer(data: bytes, kind: str, limits: ReadLimits) -> dict[str, Any]:
    """What the process answers for `data`: `{"reading": ...}` or `{"refused": {code,
    reason}}` (a library's failure on a malformed file is a refusal too)."""
    try:
        reading = read(data, kind, limits)
    except DocumentRefused as refused:
        return {"refused": {"code": refused.code, "reason": refused.reason}}
    except MemoryError:
        return {"refused": {"code": "out_of_memory", "reason": _memory_reason(limits)}}
    except RecursionError:
        reason = "the file's objects are nested too deeply to read"
        return {"refused": {"code": "too_deep", "reason": reason}}
    except Exception as exc:  # a library's own error on a malformed file
        reason = f"the file cannot be read ({type(exc).__name__})"
        return {"refused": {"code": "malformed", "reason": reason}}
    return {"reading": dataclasses.asdict(reading)}


PR_SET_PDEATHSIG = 1
"""prctl(2) option: the signal this process gets when the thread that started it exits."""


def die_with_parent(parent: int) -> None:
    """On Linux, be killed (SIGKILL) when the server process that started this one dies, so
    a server killed in the middle of a reading leaves no reader running; exit at once when it
    is already gone. Elsewhere the wall clock of a living server is the only bound."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent:
        os._exit(1)


def main(argv: list[str]) -> int:
    """`worker LIMITS_JSON KIND PARENT_PID`: confine, read the document on stdin, print the
    answer."""
    limits = ReadLimits(**json.loads(argv[0]))
    kind = argv[1]
    die_with_parent(int(argv[2]))
    confine(limits)
    data = sys.stdin.buffer.read(limits.max_bytes + 1)
    out = json.dumps(answer(data, kind, limits), ensure_ascii=True)
    sys.stdout.write(out)
    sys.stdout.flush()
    return 0


def _memory_reason(limits: ReadLimits) -> str:
    mib = limits.memory_bytes // (1024 * 1024)
    return f"reading the file needs more than the {mib} MiB of memory a document may use"


def read(data: bytes, kind: str, limits: ReadLimits) -> Reading:
    """Read a document of media type `kind` (PDF, PNG or JPEG) within `limits`."""
    if kind == PDF:
        return _read_pdf(data, limits)
    return _read_image(data, kind, limits)


# --- text -------------------------------------------------------------------------------------


def clean_lines(text: str) -> tuple[str, ...]:
    """`text` as lines: NFKC, control characters as spaces, one space between words, three at a
    gap between columns, no empty lines."""
    out: list[str] = []
    for raw in unicodedata.normalize("NFKC", text).splitlines():
        line = _CONTROL.sub(" ", raw.replace("\t", "   ")).strip()
        line = _COLUMN_GAP.sub("   ", _SPACES.sub(" ", line))
        if line:
            out.append(line)
    return tuple(out)


def _letters_and_digits(lines: tuple[str, ...]) -> int:
    return sum(ch.isalnum() for line in lines for ch in line)


class _TextBudget:
    """The document's text so far, refused past MAX_TEXT_CHARACTERS."""

    def __init__(self) -> None:
        self.used = 0

    def take(self, lines: tuple[str, ...]) -> tuple[str, ...]:
        self.used += sum(len(line) for line in lines)
        if self.used > MAX_TEXT_CHARACTERS:
            raise DocumentRefused(
                "too_much_text",
                f"the document holds more than {MAX_TEXT_CHARACTERS:,} characters of text; "
                "a certificate has a few thousand",
            )
        return lines


# --- QR codes and OCR -------------------------------------------------------------------------


def qr_codes(image: Image.Image, page: int) -> list[QrPayload]:
    """The QR codes zxing-cpp finds in `image`, their text as decoded (never followed)."""
    found: list[QrPayload] = []
    for barcode in zxingcpp.read_barcodes(image, formats=QR_FORMATS):
        text = barcode.text.strip()
        if barcode.valid and text and all(q.text != text for q in found):
            found.append(QrPayload(page=page, text=text[:MAX_QR_TEXT]))
        if len(found) >= MAX_QR_PER_PAGE:
            break
    return found


UPRIGHT_CONFIDENCE = 85.0
"""Below this mean word confidence (Tesseract's 0..100) a page may be sideways or upside down:
its orientation is detected (OSD, about 0.5 s a page) and, when it is turned, it is read again
upright. A clean upright certificate page reads at 95; the same page upside down reads as
mirrored nonsense at 68 (seven languages find plausible words in anything)."""


def _tesseract_lines(
    image: Image.Image, limits: ReadLimits, config: str, timeout: int
) -> tuple[tuple[str, ...], float]:
    """Tesseract's lines of `image` in reading order and its mean word confidence."""
    import pytesseract  # type: ignore[import-untyped]  # only for scans: it loads numpy

    try:
        data = pytesseract.image_to_data(
            image,
            lang=limits.ocr_languages,
            config=config,
            timeout=timeout,
            output_type=pytesseract.Output.DICT,
        )
    except pytesseract.TesseractError as exc:
        raise DocumentRefused(
            "malformed", "the image cannot be read by text recognition (OCR)"
        ) from exc
    except RuntimeError as exc:  # pytesseract's timeout: it killed Tesseract
        raise DocumentRefused(
            "out_of_time",
            f"reading the file takes longer than the {limits.read_seconds:g} s a document may "
            "take (text recognition)",
        ) from exc
    words: dict[tuple[int, int, int, int], list[str]] = {}
    confidences: list[float] = []
    for i, word in enumerate(data["text"]):
        if data["level"][i] != 5 or not str(word).strip():
            continue
        key = (data["page_num"][i], data["block_num"][i], data["par_num"][i], data["line_num"][i])
        words.setdefault(key, []).append(str(word).strip())
        confidences.append(float(data["conf"][i]))
    lines = clean_lines("\n".join(" ".join(line) for line in words.values()))
    return lines, (sum(confidences) / len(confidences) if confidences else 0.0)


def ocr_lines(image: Image.Image, limits: ReadLimits, *, dpi: int | None) -> tuple[str, ...]:
    """The text Tesseract reads in `image`, in the configured languages. A page read with low
    confidence is tried once more turned upright by Tesseract's orientation and script
    detection (OSD, `--psm 0`), for a scan fed in sideways or upside down; the better reading
    is kept."""
    import pytesseract

    assert limits.ocr_languages is not None
    pytesseract.pytesseract.tesseract_cmd = limits.tesseract_cmd
    config = f"--psm 3 --dpi {dpi}" if dpi else "--psm 3"
    timeout = max(1, int(limits.read_seconds))
    lines, confidence = _tesseract_lines(image, limits, config, timeout)
    if confidence >= UPRIGHT_CONFIDENCE:
        return lines
    try:
        osd = pytesseract.image_to_osd(
            image, config="--psm 0", output_type=pytesseract.Output.DICT, timeout=timeout
        )
    except pytesseract.TesseractError:  # "Too few characters": nothing to turn
        return lines
    rotate = int(osd.get("rotate", 0))
    if rotate not in (90, 180, 270):
        return lines
    turned = image.rotate(-rotate, expand=True, fillcolor=255)
    turned_lines, turned_confidence = _tesseract_lines(turned, limits, config, timeout)
    return turned_lines if turned_confidence > confidence else lines


# --- PDF --------------------------------------------------------------------------------------


@contextmanager
def _pdfium_document(data: bytes) -> Iterator[pdfium.PdfDocument]:
    """The document opened by PDFium; a password-protected one or bytes PDFium cannot parse
    are refused."""
    try:
        document = pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        if getattr(exc, "err_code", None) in (
            pdfium.raw.FPDF_ERR_PASSWORD,
            pdfium.raw.FPDF_ERR_SECURITY,
        ):
            raise DocumentRefused(
                "encrypted",
                "the PDF is protected by a password; send a copy without one",
            ) from exc
        raise DocumentRefused(
            "malformed", "the file is not a readable PDF (its structure is broken)"
        ) from exc
    try:
        yield document
    finally:
        document.close()


def _pypdf_reader(data: bytes) -> pypdf.PdfReader:
    """The document opened by pypdf; one that opens only with a password is refused (one
    encrypted with an empty user password, as "secured" certificates often are, is read)."""
    try:
        reader = pypdf.PdfReader(io.BytesIO(data))
        if reader.is_encrypted and not reader.decrypt(""):
            raise DocumentRefused(
                "encrypted", "the PDF is protected by a password; send a copy without one"
            )
    except (FileNotDecryptedError, DependencyError) as exc:
        raise DocumentRefused(
            "encrypted", "the PDF is encrypted in a way that cannot be read; send a plain copy"
        ) from exc
    return reader


def _render(page: pdfium.PdfPage, dpi: int, max_pixels: int) -> tuple[Image.Image, int]:
    """The page as a greyscale image at `dpi`, or at the resolution that keeps it within
    `max_pixels` (a page of a few square metres is shown smaller, never refused or let grow)."""
    width, height = page.get_size()  # points, 1/72 inch
    scale = dpi / 72
    area = max(width * height, 1.0)
    if area * scale * scale > max_pixels:
        scale = math.sqrt(max_pixels / area)
    bitmap = page.render(scale=scale, grayscale=True)
    try:
        return bitmap.to_pil().copy(), max(1, round(scale * 72))
    finally:
        bitmap.close()


def over_limit(exc: LimitReachedError) -> DocumentRefused:
    """The refusal for a PDF over one of pypdf's limits (PDF_CONFIGURATION)."""
    if "decompress" in str(exc).lower():
        mib = PDF_STREAM_OUTPUT_BYTES // (1024 * 1024)
        reason = f"a stream in the PDF expands beyond {mib} MiB (a decompression bomb)"
    else:
        reason = f"the PDF is over a reading limit ({str(exc).rstrip('.')})"
    return DocumentRefused("over_limit", reason)


def _page_text(reader: pypdf.PdfReader, index: int) -> tuple[str, ...]:
    """A page's text layer in layout mode (reading order); a stream over pypdf's limits is a
    bomb, refused."""
    try:
        text = reader.pages[index].extract_text(
            extraction_mode="layout", layout_mode_space_vertically=False
        )
    except LimitReachedError as exc:
        raise over_limit(exc) from exc
    return clean_lines(text)


def _read_pdf(data: bytes, limits: ReadLimits) -> Reading:
    """Every page: its text layer (OCR when it has none), its QR codes."""
    with pypdf.apply_configuration(**PDF_CONFIGURATION), _pdfium_document(data) as document:
        count = len(document)
        if count == 0:
            raise DocumentRefused("empty", "the PDF has no pages")
        if count > limits.max_pages:
            raise DocumentRefused(
                "too_many_pages",
                f"the PDF has {count} pages; at most {limits.max_pages} are read",
            )
        try:
            reader = _pypdf_reader(data)
            pypdf_count = len(reader.pages)
        except LimitReachedError as exc:
            raise over_limit(exc) from exc
        except PyPdfError as exc:
            raise DocumentRefused(
                "malformed", "the file is not a readable PDF (its structure is broken)"
            ) from exc
        if pypdf_count != count:
            # Two readers that disagree on the pages: a file built to show one thing to one
            # reader and another to another (a parser differential) is not read at all.
            raise DocumentRefused(
                "inconsistent",
                f"the PDF's page tree is inconsistent ({count} pages for one reader, "
                f"{pypdf_count} for another)",
            )
        budget = _TextBudget()
        pages: list[PageText] = []
        found: list[QrPayload] = []
        used_ocr = False
        for index in range(count):
            number = index + 1
            lines = budget.take(_page_text(reader, index))
            scan = _letters_and_digits(lines) < MIN_TEXT_CHARACTERS
            page = document[index]
            try:
                ocr_now = scan and limits.ocr_languages is not None
                image, dpi = _render(page, OCR_DPI if ocr_now else QR_DPI, limits.max_pixels)
            finally:
                page.close()
            found.extend(qr_codes(image, number))
            if ocr_now:
                lines = budget.take(ocr_lines(image, limits, dpi=dpi))
                pages.append(PageText(number=number, lines=lines, source="ocr"))
                used_ocr = True
            else:
                pages.append(PageText(number=number, lines=lines, source="text"))
            image.close()
    return Reading(pages=tuple(pages), ocr=used_ocr, qr_codes=tuple(found))


# --- images -----------------------------------------------------------------------------------


def _read_image(data: bytes, kind: str, limits: ReadLimits) -> Reading:
    """A PNG or JPEG as one page: refused on its header's size before any pixel is decoded."""
    expected = "PNG" if kind == PNG else "JPEG"
    try:
        with Image.open(io.BytesIO(data), formats=[expected]) as opened:
            width, height = opened.size
            if width * height > limits.max_pixels:
                raise DocumentRefused(
                    "too_many_pixels",
                    f"the image is {width} x {height} pixels ({width * height:,}); at most "
                    f"{limits.max_pixels:,} pixels are read",
                )
            if width == 0 or height == 0:
                raise DocumentRefused("empty", "the image has no pixels")
            opened.load()
            dpi = _image_dpi(opened)
            image = ImageOps.exif_transpose(opened).convert("L")
    except DocumentRefused:
        raise
    except Image.DecompressionBombError as exc:
        raise DocumentRefused("too_many_pixels", f"the image is too large to read ({exc})") from exc
    except OSError as exc:
        code: RefusalCode = "truncated" if "truncated" in str(exc) else "malformed"
        words = "is cut short" if code == "truncated" else "cannot be decoded"
        raise DocumentRefused(code, f"the {expected} image {words}") from exc
    found = qr_codes(image, 1)
    lines: tuple[str, ...] = ()
    if limits.ocr_languages is not None:
        lines = _TextBudget().take(ocr_lines(image, limits, dpi=dpi))
    image.close()
    return Reading(
        pages=(
            PageText(
                number=1, lines=lines, source="ocr" if limits.ocr_languages is not None else "text"
            ),
        ),
        ocr=limits.ocr_languages is not None,
        qr_codes=tuple(found),
    )


def _image_dpi(image: Image.Image) -> int | None:
    """The resolution the image declares, when plausible for a scan (70 to 1200 DPI)."""
    dpi = image.info.get("dpi")
    if not isinstance(dpi, tuple) or not dpi:
        return None
    try:
        value = round(float(dpi[0]))
    except (TypeError, ValueError):
        return None
    return value if 70 <= value <= 1200 else None


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
