"""Reading a certificate document: the bytes of a PDF, PNG or JPEG become `DocumentText`, the
text of each page and the QR codes on it (app/domain/documents.py), or a `DocumentRefused`.

The type is the bytes' own (their magic number), never the name's: `%PDF-` within the first
1024 bytes (where ISO 32000-1 §7.5.2 readers look for the header), the PNG signature, the
JPEG SOI marker. Anything else is refused (415), and so is a file whose name or media type
claims one of the three types while its bytes are another ("non-PDF bytes with a PDF name").

The reading itself runs in a short-lived process of its own (app/services/documents/worker.py,
a fresh interpreter: about 0.14 s to start with its libraries), under an address-space and a
CPU-time limit, while this side holds a wall-clock limit and kills its process group when it
passes; so a PDF bomb, a decompression bomb or a parser caught in a loop ends that process and
yields a 4xx refusal, never a stalled or swollen server. It gets no CERTVERIFY_ setting and
answers in JSON that is checked here field by field. At most CERTVERIFY_DOCUMENT_CONCURRENCY
documents are read at once per server process; the others wait their turn (503 when none is
free within the reading time). The document goes to the process through a pipe; the only files
are the process's answer and Tesseract's input image, in a scratch directory in memory
(/dev/shm when there is one) that is removed after every reading, whatever happened to the
reading process. A server process killed in the middle of a reading takes its reading process
with it (Linux: PR_SET_PDEATHSIG), and the next reading sweeps the scratch directory it left.

OCR is optional at run time: without Tesseract (or with CERTVERIFY_DOCUMENT_OCR=false) a page
with no text layer stays without text, `DocumentText.ocr_available` is false, and the answer
says so (`unread_pages`); nothing is guessed.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import logging
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
from functools import lru_cache
from pathlib import Path, PurePosixPath

from app.config import Settings, get_settings
from app.domain.documents import DocumentText, PageText, QrPayload
from app.services.documents import worker
from app.services.documents.refusals import STATUS_OF, DocumentRefused
from app.services.documents.worker import JPEG, MIN_TEXT_CHARACTERS, PDF, PNG, ReadLimits

__all__ = [
    "JPEG",
    "PDF",
    "PNG",
    "DocumentRefused",
    "ReadLimits",
    "declared_media_type",
    "ocr_message",
    "read_document",
    "read_limits",
    "sniff_media_type",
    "unread_pages",
]

log = logging.getLogger("certverify.documents")

MEDIA_TYPES = (PDF, PNG, JPEG)
"""What a document may be."""
PDF_HEADER_WINDOW = 1024
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_JPEG_SOI = b"\xff\xd8\xff"
_DECLARED_TYPES = {
    "application/pdf": PDF,
    "application/x-pdf": PDF,
    "image/png": PNG,
    "image/jpeg": JPEG,
    "image/jpg": JPEG,
    "image/pjpeg": JPEG,
}
_EXTENSIONS = {".pdf": PDF, ".png": PNG, ".jpg": JPEG, ".jpeg": JPEG, ".jpe": JPEG, ".jfif": JPEG}
_NAMES = {PDF: "a PDF", PNG: "a PNG image", JPEG: "a JPEG image"}
EXIT_GRACE_SECONDS = 2.0
"""How long a finished reading process may take to exit before it is killed."""


def sniff_media_type(data: bytes) -> str | None:
    """The media type the bytes are (PDF, PNG or JPEG by their magic number), else None."""
    if data.startswith(_PNG_SIGNATURE):
        return PNG
    if data.startswith(_JPEG_SOI):
        return JPEG
    if b"%PDF-" in data[:PDF_HEADER_WINDOW]:
        return PDF
    return None


def declared_media_type(media_type: str | None, filename: str | None) -> str | None:
    """The type the file claims to be: its media type when that names PDF, PNG or JPEG, else
    its name's extension; None when neither names one (application/octet-stream, no name)."""
    declared = _DECLARED_TYPES.get((media_type or "").split(";")[0].strip().lower())
    if declared is not None:
        return declared
    suffix = PurePosixPath((filename or "").replace("\\", "/")).suffix.lower()
    return _EXTENSIONS.get(suffix)


def _describe(data: bytes) -> str:
    """What bytes that are none of the three types look like, for the refusal."""
    head = data[:64].lstrip().lower()
    for magic, words in (
        (b"<!doctype html", "an HTML page"),
        (b"<html", "an HTML page"),
        (b"<?xml", "an XML document"),
        (b"<svg", "an SVG image"),
        (b"pk\x03\x04", "a ZIP archive (an Office document?)"),
        (b"gif8", "a GIF image"),
        (b"ii*\x00", "a TIFF image"),
        (b"mm\x00*", "a TIFF image"),
        (b"riff", "a RIFF file (WebP?)"),
        (b"\x7felf", "a program"),
        (b"mz", "a program"),
    ):
        if head.startswith(magic):
            return words
    return "not a PDF, PNG or JPEG"


# --- OCR availability ---------------------------------------------------------------------------


@lru_cache(maxsize=8)
def installed_languages(tesseract_cmd: str) -> tuple[str, ...]:
    """The languages the Tesseract at `tesseract_cmd` has (`tesseract --list-langs`); empty
    when it is not installed or does not run."""
    executable = shutil.which(tesseract_cmd)
    if executable is None:
        return ()
    try:
        listed = subprocess.run(
            [executable, "--list-langs"], capture_output=True, text=True, timeout=10, check=True
        )
    except (OSError, subprocess.SubprocessError):
        return ()
    lines = [line.strip() for line in listed.stdout.splitlines()]
    return tuple(line for line in lines[1:] if line and " " not in line)


def ocr_languages(settings: Settings) -> str | None:
    """The configured OCR languages that are installed, `+`-joined in the configured order;
    None when OCR is off, Tesseract is missing or has none of them."""
    if not settings.document_ocr:
        return None
    installed = set(installed_languages(settings.document_tesseract_cmd))
    wanted = [lang for lang in settings.document_ocr_languages.split("+") if lang in installed]
    return "+".join(wanted) or None


def read_limits(settings: Settings | None = None) -> ReadLimits:
    """The bounds of a reading, and its OCR languages, from the settings."""
    s = settings or get_settings()
    return ReadLimits(
        max_bytes=s.document_max_bytes,
        max_pages=s.document_max_pages,
        max_pixels=s.document_max_pixels,
        memory_bytes=s.document_memory_bytes,
        cpu_seconds=s.document_cpu_seconds,
        read_seconds=s.document_read_seconds,
        ocr_languages=ocr_languages(s),
        tesseract_cmd=s.document_tesseract_cmd,
        concurrency=s.document_concurrency,
    )


def unread_pages(text: DocumentText) -> tuple[int, ...]:
    """The pages that carry (almost) no text because they needed OCR and it was unavailable:
    what an answer names when it says OCR is unavailable."""
    if text.ocr_available:
        return ()
    return tuple(
        p.number
        for p in text.pages
        if sum(ch.isalnum() for line in p.lines for ch in line) < MIN_TEXT_CHARACTERS
    )


def ocr_message(text: DocumentText) -> str | None:
    """The sentence an answer gives when OCR was unavailable and pages went unread (for
    `document.message`), else None."""
    pages = unread_pages(text)
    if not pages:
        return None
    several = len(pages) > 1
    listed = ", ".join(str(n) for n in pages)
    return (
        f"OCR is unavailable on this server, so page{'s' if several else ''} {listed}, with no "
        f"text layer (a scan), {'were' if several else 'was'} not read."
    )


# --- the reading process ----------------------------------------------------------------------

_slots_lock = threading.Lock()
_slots: dict[int, threading.BoundedSemaphore] = {}
PROJECT_ROOT = Path(__file__).resolve().parents[3]
"""The directory holding the `app` package, on the reading process's PYTHONPATH."""
MAX_ANSWER_BYTES = 16 * 1024 * 1024
"""The most the reading process may answer (its text is capped far below: a larger answer is
a process gone wrong, refused)."""
SCRATCH_PREFIX = "certverify-document-"
"""Scratch directories are named `certverify-document-{server pid}-...`."""
_PASSED_ENVIRONMENT = ("PATH", "LANG", "LC_ALL", "TESSDATA_PREFIX")


def _slot(concurrency: int) -> threading.BoundedSemaphore:
    with _slots_lock:
        return _slots.setdefault(concurrency, threading.BoundedSemaphore(concurrency))


def _alive(pid: int) -> bool:
    """Whether a process with this id exists (one of another user's counts as alive)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def sweep_scratch(base: str) -> list[str]:
    """Remove the scratch directories of server processes that no longer run (one killed in
    the middle of a reading never got to remove its own); the names of those removed."""
    removed: list[str] = []
    try:
        entries = list(os.scandir(base))
    except OSError:
        return removed
    for entry in entries:
        owner = entry.name.removeprefix(SCRATCH_PREFIX).split("-", 1)[0]
        if not entry.name.startswith(SCRATCH_PREFIX) or not owner.isdigit():
            continue
        if int(owner) == os.getpid() or _alive(int(owner)):
            continue
        shutil.rmtree(entry.path, ignore_errors=True)
        removed.append(entry.name)
    return removed


def scratch_base() -> str:
    """Where scratch directories go: /dev/shm (memory) when there is one, else the temp dir."""
    shm = "/dev/shm"
    if os.path.isdir(shm) and os.access(shm, os.W_OK | os.X_OK):
        return shm
    return tempfile.gettempdir()


def _scratch_directory() -> str:
    """A private directory for Tesseract's input image and the answer, named after this
    process; the leftovers of dead processes are swept first."""
    base = scratch_base()
    sweep_scratch(base)
    return tempfile.mkdtemp(prefix=f"{SCRATCH_PREFIX}{os.getpid()}-", dir=base)


def _environment(scratch: str) -> dict[str, str]:
    """The reading process's environment: no CERTVERIFY_ settings or secrets, the scratch
    directory as TMPDIR, one OpenMP thread for Tesseract (its FAQ's advice for parallel runs:
    its threads compete with the server's and each reserves address space)."""
    env = {name: os.environ[name] for name in _PASSED_ENVIRONMENT if name in os.environ}
    env.update({"TMPDIR": scratch, "OMP_THREAD_LIMIT": "1", "PYTHONPATH": str(PROJECT_ROOT)})
    return env


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    """Kill the reading process and whatever it started (Tesseract), if still there."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def _ended_reason(returncode: int, limits: ReadLimits) -> DocumentRefused:
    """The refusal for a reading process that ended without an answer."""
    if returncode == -signal.SIGXCPU:
        return DocumentRefused(
            "out_of_time",
            f"reading the file takes more than the {limits.cpu_seconds} s of CPU time a "
            "document may use",
        )
    mib = limits.memory_bytes // (1024 * 1024)
    return DocumentRefused(
        "out_of_memory",
        f"the file cannot be read within the {mib} MiB of memory a document may use (the "
        f"reader stopped with status {returncode})",
    )


def _read_in_process(data: bytes, kind: str, limits: ReadLimits) -> worker.Reading:
    """Run app/services/documents/worker.py on `data` in a fresh confined process group;
    its answer, or the refusal for how it ended (limits passed, crashed)."""
    scratch = _scratch_directory()
    started = time.monotonic()
    command = [
        sys.executable,
        "-s",  # no user site-packages
        "-P",  # nothing from the working directory (the scratch directory) on sys.path
        "-m",
        worker.__name__,
        json.dumps(dataclasses.asdict(limits)),
        kind,
        str(os.getpid()),
    ]
    try:
        with (
            open(os.path.join(scratch, "answer.json"), "w+b") as answer,
            open(os.path.join(scratch, "errors.txt"), "w+b") as errors,
        ):
            process = subprocess.Popen(
                command,
                stdin=subprocess.PIPE,
                stdout=answer,
                stderr=errors,
                cwd=scratch,
                env=_environment(scratch),
                start_new_session=True,  # its own process group: Tesseract is killed with it
            )
            try:
                process.communicate(data, timeout=limits.read_seconds)
            except subprocess.TimeoutExpired as exc:
                raise DocumentRefused(
                    "out_of_time",
                    f"reading the file takes longer than the {limits.read_seconds:g} s a "
                    "document may take",
                ) from exc
            finally:
                _kill_group(process)
                process.wait()
            if process.returncode != 0:
                errors.seek(0)
                log.warning(
                    "document reader ended with status %s: %s",
                    process.returncode,
                    errors.read(2000).decode("utf-8", "replace").strip()[-500:],
                )
                raise _ended_reason(process.returncode, limits)
            answer.seek(0)
            raw = answer.read(MAX_ANSWER_BYTES + 1)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
        log.debug("document read in %.3f s", time.monotonic() - started)
    return _parse_answer(raw)


def _parse_answer(raw: bytes) -> worker.Reading:
    """The reading process's JSON answer, checked field by field (a process gone wrong is a
    refusal, never a crash of the server)."""
    broken = DocumentRefused("malformed", "the file cannot be read (the reader failed)")
    if len(raw) > MAX_ANSWER_BYTES:
        raise broken
    try:
        body = json.loads(raw)
        if "refused" in body:
            code, reason = body["refused"]["code"], body["refused"]["reason"]
            if code not in STATUS_OF or not isinstance(reason, str):
                raise broken
            raise DocumentRefused(code, reason)
        reading = body["reading"]
        pages = tuple(
            PageText(
                number=_integer(p["number"]),
                lines=tuple(_text(line) for line in p["lines"]),
                source="ocr" if p["source"] == "ocr" else "text",
            )
            for p in reading["pages"]
        )
        qr_codes = tuple(
            QrPayload(page=_integer(q["page"]), text=_text(q["text"])) for q in reading["qr_codes"]
        )
        return worker.Reading(pages=pages, ocr=reading["ocr"] is True, qr_codes=qr_codes)
    except (ValueError, KeyError, TypeError) as exc:
        raise broken from exc


def _integer(value: object) -> int:
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError("not an integer")
    return value


def _text(value: object) -> str:
    if not isinstance(value, str):
        raise TypeError("not a string")
    return value


def read_document(
    data: bytes,
    *,
    media_type: str | None,
    filename: str | None,
    limits: ReadLimits | None = None,
) -> DocumentText:
    """Read a PDF, PNG or JPEG (`media_type` and `filename` as the sender gave them, only to
    check they agree with the bytes) within `limits` (default: the settings'); a
    DocumentRefused for a file that is too large, of another type, or cannot be read within
    the bounds. Blocking: routes call it in the thread pool."""
    bounds = limits or read_limits()
    if len(data) > bounds.max_bytes:
        raise DocumentRefused(
            "too_large",
            f"the file is {len(data):,} bytes; at most {bounds.max_bytes:,} are accepted",
        )
    if not data:
        raise DocumentRefused("empty", "the file is empty")
    kind = sniff_media_type(data)
    declared = declared_media_type(media_type, filename)
    if kind is None:
        claimed = f" although it is named as {_NAMES[declared]}" if declared else ""
        raise DocumentRefused(
            "unsupported_type",
            f"the file is {_describe(data)}{claimed}; send a PDF, PNG or JPEG",
        )
    if declared is not None and declared != kind:
        raise DocumentRefused(
            "type_mismatch",
            f"the file is named as {_NAMES[declared]} but its bytes are {_NAMES[kind]}; send "
            "it under its real type",
        )
    digest = hashlib.sha256(data).hexdigest()
    slot = _slot(bounds.concurrency)
    if not slot.acquire(timeout=bounds.read_seconds):
        raise DocumentRefused("busy", "every document reader is busy; retry in a few seconds")
    try:
        reading = _read_in_process(data, kind, bounds)
    finally:
        slot.release()
    return DocumentText(
        sha256=digest,
        media_type=kind,
        pages=reading.pages,
        ocr=reading.ocr,
        ocr_available=bounds.ocr_languages is not None,
        qr_codes=reading.qr_codes,
    )
