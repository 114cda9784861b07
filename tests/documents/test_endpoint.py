"""POST /v1/documents/verify and GET /v1/verifications/{id}/document (issue 17, items 1, 2 and
5): the answer's shape, the problems (415, 413, 422), what is kept and for whom, the rate
limit, QR codes, and nothing left behind."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import http.server
import io
import json
import os
import tempfile
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar

import pytest
from fastapi.testclient import TestClient
from PIL import Image
from reportlab.lib.pagesizes import A4
from reportlab.lib.utils import ImageReader
from reportlab.pdfgen import canvas
from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from app.config import Settings
from app.db import get_session
from app.http.ratelimit import MemoryStore, RateLimiter
from app.main import create_app
from app.models import StoredDocument, Verification
from app.services.auth import Role
from app.services.documents import reader
from tests.conftest import session_override, unique
from tests.documents.sample_files import certificate_pdf, scanned_pdf
from tests.factories import (
    accredit,
    auth,
    make_cb,
    make_certificate,
    make_key,
    reference_ab,
)

BASE_URL = "http://127.0.0.1:8000"  # CERTVERIFY_PUBLIC_BASE_URL's default, the suite's
PATH = "/v1/documents/verify"


@dataclass(frozen=True)
class Issued:
    """A valid certificate in the registry and the CB that issued it."""

    number: str
    cb_name: str
    cb_acronym: str
    cb_id: uuid.UUID
    certificate_id: uuid.UUID


def lines_of(issued: Issued, *, expiry: str = "2027-02-28", number: str | None = None) -> list[str]:
    """The printed text of a certificate for `issued`."""
    return [
        "CERTIFICATE OF REGISTRATION",
        "This is to certify that the management system of",
        "Harbourside Widgets Ltd",
        "has been assessed and found to conform to the requirements of ISO 9001:2015",
        "for the following scope: Design and manufacture of industrial widgets",
        f"Certificate number: {number or issued.number}",
        "Original issue date: 2018-03-01",
        "Issue date: 2024-03-01",
        f"Expiry date: {expiry}",
        f"Certification body: {issued.cb_name}",
        "Accredited by: United Kingdom Accreditation Service (UKAS)",
    ]


@pytest.fixture
def issued(session: Session) -> Issued:
    """A certificate of a UKAS-accredited CB, as its document prints it."""
    acronym = unique("HC")
    name = f"Harbourside Certification {acronym} Ltd"
    cb = make_cb(session, name, acronym)
    accredit(session, cb, reference_ab(session, "UKAS").id)
    number = f"FS {uuid.uuid4().int % 10**6:06d}"
    certificate_id = make_certificate(
        session,
        cb,
        number,
        organization={"name": "Harbourside Widgets Ltd", "country": "GB", "aliases": []},
    )
    session.flush()
    return Issued(
        number=number, cb_name=name, cb_acronym=acronym, cb_id=cb, certificate_id=certificate_id
    )


def post(
    client: TestClient,
    data: bytes,
    *,
    filename: str = "certificate.pdf",
    media_type: str = "application/pdf",
    fields: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """POST the document as a form."""
    return client.post(
        PATH,
        files={"file": (filename, data, media_type)},
        data=fields or {},
        headers=headers or {},
    )


def receipt_payload(answer: dict[str, Any]) -> dict[str, Any]:
    """The JWS payload of the answer's receipt (not verified here: tests/api does)."""
    payload = answer["receipt"].split(".")[1]
    decoded: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    )
    return decoded


def test_a_matching_pdf_is_valid_and_every_claim_is_checked(
    client: TestClient, issued: Issued
) -> None:
    """The answer is a signed verification with `document`: the claims read with confidence
    and page, no discrepancy, `document_*` checks, and the document's SHA-256 in the receipt."""
    pdf = certificate_pdf(lines_of(issued))
    response = post(client, pdf)
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["verdict"] == "valid"
    assert answer["certificate"]["id"] == str(issued.certificate_id)
    document = answer["document"]
    sha = hashlib.sha256(pdf).hexdigest()
    assert (document["sha256"], document["pages"], document["ocr"]) == (sha, 1, False)
    assert document["claims"]["certificate_number"]["value"] == issued.number
    assert document["claims"]["certificate_number"]["page"] == 1
    assert document["claims"]["expiry_date"]["value"] == "2027-02-28"
    assert document["claims"]["organization"]["value"] == "Harbourside Widgets Ltd"
    assert document["discrepancies"] == []
    codes = [c["code"] for c in answer["checks"]]
    assert "document_expiry_date" in codes
    assert all(
        c["outcome"] in {"pass", "skipped"}
        for c in answer["checks"]
        if c["code"].startswith("document_")
    )
    assert receipt_payload(answer)["document_sha256"] == sha
    assert response.headers["content-type"] == "application/json"


def test_a_later_printed_expiry_is_a_mismatch_said_in_words(
    client: TestClient, issued: Issued
) -> None:
    """A PDF whose printed expiry is later than the registry's: the verdict is `mismatch` and
    `document.discrepancies` names both dates."""
    response = post(client, certificate_pdf(lines_of(issued, expiry="2029-02-28")))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["verdict"] == "mismatch"
    [discrepancy] = answer["document"]["discrepancies"]
    assert (discrepancy["field"], discrepancy["document"], discrepancy["registry"]) == (
        "expiry_date",
        "2029-02-28",
        "2027-02-28",
    )
    assert discrepancy["message"]
    failed = [c["code"] for c in answer["checks"] if c["outcome"] == "fail"]
    assert failed == ["document_expiry_date"]


def test_the_form_fields_as_of_and_certification_body_are_used(
    client: TestClient, issued: Issued, session: Session
) -> None:
    """`as_of` is the day verified on; `certification_body` names the CB looked up instead of
    the printed one."""
    pdf = certificate_pdf(lines_of(issued))
    later = post(client, pdf, fields={"as_of": "2028-01-01"}).json()
    assert (later["verdict"], later["as_of"]) == ("expired", "2028-01-01")
    other = unique("OC")
    make_cb(session, f"Other Certification {other} Ltd", other)
    session.flush()
    elsewhere = post(client, pdf, fields={"certification_body": other}).json()
    assert elsewhere["verdict"] == "not_found"
    assert elsewhere["query"]["certification_body"]["given"] == other


@pytest.mark.parametrize(
    ("fields", "pointer", "detail"),
    [
        (
            {"as_of": "2026-02-30"},
            "/as_of",
            "Input should be a valid date or datetime, day value is outside expected range",
        ),
        (
            {"store": "perhaps"},
            "/store",
            "Input should be a valid boolean, unable to interpret input",
        ),
        (
            {"colour": "red"},
            "/colour",
            "unknown form field(s) colour; the form has the file in 'file' and the text fields "
            "as_of, certification_body, store",
        ),
    ],
)
def test_a_bad_form_field_is_422_naming_it(
    client: TestClient, fields: dict[str, str], pointer: str, detail: str
) -> None:
    """Every form field is validated; the problem points at it."""
    response = post(client, certificate_pdf(), fields=fields)
    assert response.status_code == 422
    assert response.json()["errors"] == [{"pointer": pointer, "detail": detail}]


def test_a_form_without_the_file_is_422(client: TestClient) -> None:
    """The file goes in the part `file`."""
    response = client.post(PATH, data={"as_of": "2026-11-26"}, files={"other": ("x.pdf", b"%PDF-")})
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/other"
    response = client.post(PATH, data={"as_of": "2026-11-26"}, files={})
    assert response.status_code in (415, 422)


def test_a_body_that_is_not_a_form_is_415(client: TestClient) -> None:
    """The raw PDF as the body: send a multipart form."""
    response = client.post(
        PATH, content=certificate_pdf(), headers={"Content-Type": "application/pdf"}
    )
    assert response.status_code == 415
    body = response.json()
    assert body["type"] == "/problems/unsupported-media-type"
    assert body["detail"] == (
        "Send the document as multipart/form-data, the file in the part 'file' (got "
        "application/pdf)."
    )


def test_bytes_that_are_not_a_pdf_with_a_pdf_name_are_415_naming_the_file(
    client: TestClient,
) -> None:
    """Non-PDF bytes with a PDF name: 415, `errors` on /file, `reason`."""
    response = post(client, b"<!DOCTYPE html><html>certificate</html>")
    assert response.status_code == 415
    body = response.json()
    reason = "the file is an HTML page although it is named as a PDF; send a PDF, PNG or JPEG"
    assert (body["type"], body["reason"], body["errors"]) == (
        "/problems/unsupported-media-type",
        "unsupported_type",
        [{"pointer": "/file", "detail": reason}],
    )
    assert response.headers["content-type"] == "application/problem+json"


def test_a_file_over_the_limit_is_413(client: TestClient) -> None:
    """A file of 10 MiB and one byte, in a form within the body limit: 413 on /file."""
    response = post(client, b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024 - 8))
    assert response.status_code == 413
    body = response.json()
    assert (body["type"], body["reason"]) == ("/problems/payload-too-large", "too_large")
    assert body["errors"] == [
        {
            "pointer": "/file",
            "detail": "the file is 10,485,761 bytes; at most 10,485,760 are accepted",
        }
    ]


def test_a_body_over_the_limit_is_413_before_it_is_read(client: TestClient) -> None:
    """A declared length over the form's limit is refused by the size middleware at once."""
    response = post(client, b"%PDF-1.7\n" + b"0" * (10 * 1024 * 1024 + 70 * 1024))
    assert response.status_code == 413
    assert response.json()["detail"] == (
        "The request body is larger than the 10551296-byte limit of this operation."
    )


def test_a_hostile_pdf_is_a_4xx_problem(client: TestClient) -> None:
    """A decompression bomb is a problem naming the file and the reason, never a 500."""
    from tests.documents.sample_files import flate_bomb_pdf

    response = post(client, flate_bomb_pdf(200_000_000))
    assert response.status_code == 413
    assert response.json()["reason"] == "over_limit"
    encrypted = post(client, certificate_pdf(user_password="secret"))
    assert encrypted.status_code == 422
    assert (encrypted.json()["type"], encrypted.json()["reason"]) == (
        "/problems/unreadable-document",
        "encrypted",
    )


def test_no_number_read_is_422_saying_what_was_read(client: TestClient) -> None:
    """A document without a certificate number: nothing is looked up or guessed; the problem
    lists what was read."""
    pdf = certificate_pdf(
        [
            "CERTIFICATE",
            "Certification body: Harbourside Certification Ltd",
            "Expiry date: 2027-02-28",
        ]
    )
    response = post(client, pdf)
    assert response.status_code == 422
    body = response.json()
    assert body["type"] == "/problems/no-certificate-number"
    assert body["detail"] == (
        "No certificate number could be read from the document (1 page, read from its text "
        "layer): found certification body 'Harbourside Certification Ltd', expiry date "
        "'2027-02-28'. Nothing was looked up; type the number printed on the certificate."
    )
    assert body["document"]["claims"]["expiry_date"]["value"] == "2027-02-28"
    assert body["document"]["sha256"] == hashlib.sha256(pdf).hexdigest()
    assert body["errors"] == [{"pointer": "/file", "detail": "no certificate number could be read"}]


@pytest.fixture
def client_without_ocr(connection: Connection) -> Iterator[TestClient]:
    """The app of a server without OCR (CERTVERIFY_DOCUMENT_OCR=false: as without Tesseract)."""
    app = create_app(Settings(rate_limit_enabled=False, document_ocr=False))
    app.dependency_overrides[get_session] = session_override(connection)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def test_a_scan_without_ocr_is_422_saying_ocr_is_unavailable(
    client_without_ocr: TestClient, issued: Issued
) -> None:
    """Without OCR a scan has no text: the answer says OCR is unavailable, never guesses."""
    response = post(client_without_ocr, scanned_pdf(lines_of(issued)), filename="scan.pdf")
    assert response.status_code == 422
    body = response.json()
    assert body["detail"] == (
        "No certificate number could be read from the document (1 page, read from its text "
        "layer): found no claim at all. OCR is unavailable on this server, so page 1, with no "
        "text layer (a scan), was not read. Nothing was looked up; type the number printed on "
        "the certificate."
    )
    assert (body["document"]["ocr_available"], body["document"]["unread_pages"]) == (False, [1])


def test_a_scan_without_ocr_is_still_verified_by_its_qr_deep_link(
    client_without_ocr: TestClient, issued: Issued
) -> None:
    """A deep link in a QR code needs no OCR: the certificate is found by it."""
    link = f"{BASE_URL}/verify/{issued.cb_acronym}/{issued.number.replace(' ', '%20')}"
    response = post(client_without_ocr, scanned_pdf(lines_of(issued), qr=link))
    assert response.status_code == 200, response.text
    answer = response.json()
    assert answer["certificate"]["id"] == str(issued.certificate_id)
    assert answer["document"]["ocr_available"] is False
    assert answer["document"]["qr_claims"]["certificate_number"]["confidence"] == 1.0
    assert answer["document"]["message"] == (
        "OCR is unavailable on this server, so page 1, with no text layer (a scan), was not read."
    )


def test_a_qr_that_links_to_another_number_is_a_discrepancy(
    client: TestClient, issued: Issued
) -> None:
    """The QR deep link's number is looked up; a different printed number is reported."""
    link = f"{BASE_URL}/verify/{issued.cb_acronym}/{issued.number.replace(' ', '%20')}"
    pdf = certificate_pdf(lines_of(issued, number="FS 999999"), qr=link)
    answer = post(client, pdf).json()
    assert answer["certificate"]["id"] == str(issued.certificate_id)
    assert answer["document"]["qr_claims"]["certificate_number"]["value"] == issued.number
    assert answer["document"]["claims"]["certificate_number"]["value"] == "FS 999999"
    failed = {c["code"] for c in answer["checks"] if c["outcome"] == "fail"}
    assert "document_certificate_number" in failed
    assert answer["verdict"] == "mismatch"


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    hits: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        type(self).hits.append(self.path)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *_: Any) -> None:
        return


def test_a_qr_with_another_url_is_shown_never_fetched(client: TestClient, issued: Issued) -> None:
    """A QR code pointing elsewhere (here a live local server that counts requests) is listed
    in `document.qr_codes` and requested by no one."""
    server = http.server.HTTPServer(("127.0.0.1", 0), _CountingHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _CountingHandler.hits = []
    url = f"http://127.0.0.1:{server.server_address[1]}/verify/{issued.cb_acronym}/x"
    try:
        answer = post(client, certificate_pdf(lines_of(issued), qr=url)).json()
    finally:
        server.shutdown()
        server.server_close()
    assert answer["document"]["qr_codes"] == [{"page": 1, "text": url}]
    assert answer["document"]["qr_claims"] is None
    assert answer["verdict"] == "valid"
    assert _CountingHandler.hits == []


# --- what is kept -----------------------------------------------------------------------------


def _counts(session: Session) -> tuple[int, int]:
    verifications = session.scalar(select(func.count()).select_from(Verification))
    documents = session.scalar(select(func.count()).select_from(StoredDocument))
    return int(verifications or 0), int(documents or 0)


def _large_pdf(issued: Issued) -> bytes:
    """A certificate over 2 MiB (a noisy scan of a logo on it): past Starlette's 1 MiB spool."""
    noise = Image.frombytes("L", (1500, 1500), os.urandom(1500 * 1500))
    out = io.BytesIO()
    pdf = canvas.Canvas(out, pagesize=A4, invariant=True)
    pdf.setFont("Helvetica", 14)
    y = A4[1] - 90
    for line in lines_of(issued):
        pdf.drawString(72, y, line)
        y -= 26
    pdf.drawImage(ImageReader(noise), 72, 60, width=200, height=200)
    pdf.showPage()
    pdf.save()
    data = out.getvalue()
    assert len(data) > 2 * 1024 * 1024
    return data


def test_nothing_is_kept_for_an_anonymous_caller_and_nothing_touches_the_disk(
    client: TestClient, issued: Issued, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The document is read in memory and discarded: no stored verification or document, no
    temporary file made (a 2 MiB upload would have rolled over to one), no scratch directory
    left."""
    made: list[str] = []
    for name in ("TemporaryFile", "NamedTemporaryFile", "mkstemp"):
        original = getattr(tempfile, name)

        def recording(
            *args: Any, _name: str = name, _original: Any = original, **kwargs: Any
        ) -> Any:
            made.append(_name)
            return _original(*args, **kwargs)

        monkeypatch.setattr(tempfile, name, recording)
    before = _counts(session)
    response = post(client, _large_pdf(issued))
    assert response.status_code == 200, response.text
    assert response.json()["verdict"] == "valid"
    assert _counts(session) == before
    assert made == []
    prefix = f"{reader.SCRATCH_PREFIX}{os.getpid()}-"
    left = [
        p
        for d in (Path("/dev/shm"), Path(tempfile.gettempdir()))
        if d.is_dir()
        for p in d.glob(prefix + "*")
    ]
    assert left == []


def test_anonymous_store_is_401(client: TestClient, issued: Issued) -> None:
    """store=true needs an API key: nothing is read or kept without one."""
    response = post(client, certificate_pdf(lines_of(issued)), fields={"store": "true"})
    assert response.status_code == 401
    body = response.json()
    assert body["type"] == "/problems/unauthorized"
    assert "store=true" in body["detail"]
    assert response.headers["www-authenticate"] == 'Bearer realm="certverify"'


def test_a_keyed_verification_is_stored_but_not_its_document_by_default(
    client: TestClient, issued: Issued, session: Session
) -> None:
    """A keyed caller's verification is kept (as every keyed verification); the document only
    with store=true."""
    key = make_key(session, Role.CLIENT)
    before = _counts(session)
    answer = post(client, certificate_pdf(lines_of(issued)), headers=auth(key)).json()
    assert _counts(session) == (before[0] + 1, before[1])
    again = client.get(f"/v1/verifications/{answer['verification_id']}", headers=auth(key))
    assert again.status_code == 200
    assert again.json()["document"]["sha256"] == answer["document"]["sha256"]
    missing = client.get(
        f"/v1/verifications/{answer['verification_id']}/document", headers=auth(key)
    )
    assert missing.status_code == 404


def test_a_stored_document_is_fetched_back_by_its_owner_only(
    client: TestClient, issued: Issued, session: Session
) -> None:
    """store=true keeps the bytes with the stored verification: its client's keys get them
    back byte for byte; another client's key gets 404, no key 401."""
    owner = make_key(session, Role.CLIENT)
    pdf = certificate_pdf(lines_of(issued))
    response = post(
        client,
        pdf,
        filename="supplier's certificate.pdf",
        fields={"store": "true"},
        headers=auth(owner),
    )
    assert response.status_code == 200, response.text
    verification_id = response.json()["verification_id"]
    url = f"/v1/verifications/{verification_id}/document"

    fetched = client.get(url, headers=auth(owner))
    assert fetched.status_code == 200
    assert fetched.content == pdf
    assert fetched.headers["content-type"] == "application/pdf"
    digest = base64.b64encode(hashlib.sha256(pdf).digest()).decode()
    assert fetched.headers["repr-digest"] == f"sha-256=:{digest}:"
    assert fetched.headers["content-disposition"] == (
        'attachment; filename="supplier_s_certificate.pdf"; '
        "filename*=UTF-8''supplier%27s%20certificate.pdf"
    )
    assert fetched.headers["cache-control"] == "private, no-store"

    other_client = make_key(session, Role.CLIENT)
    assert client.get(url, headers=auth(other_client)).status_code == 404
    assert (
        client.get(f"/v1/verifications/{verification_id}", headers=auth(other_client)).status_code
        == 404
    )
    issuer = make_key(session, Role.CERTIFICATION_BODY, body_id=issued.cb_id)
    assert client.get(url, headers=auth(issuer)).status_code == 404  # the issuer is no owner
    admin = make_key(session, Role.ADMIN)
    assert client.get(url, headers=auth(admin)).content == pdf
    assert client.get(url).status_code == 401
    assert (
        client.get(f"/v1/verifications/{uuid.uuid4()}/document", headers=auth(owner)).status_code
        == 404
    )
    row = session.get(StoredDocument, uuid.UUID(verification_id))
    assert row is not None
    assert (row.sha256, row.size_bytes, row.filename) == (
        hashlib.sha256(pdf).hexdigest(),
        len(pdf),
        "supplier's certificate.pdf",
    )


# --- the rate limit ---------------------------------------------------------------------------


@pytest.fixture
def limited_client(connection: Connection) -> Iterator[TestClient]:
    """An app with rate limits on: 25 anonymous units a minute, a document costing 10. Its
    buckets' clock stands still, so no unit comes back while the documents are read (one
    every 2.4 s of the real clock would, on a slow machine) and every header value is exact."""
    app = create_app(Settings(rate_limit_enabled=True, rate_limit_anonymous="25/minute"))
    app.dependency_overrides[get_session] = session_override(connection)
    limiter: RateLimiter = app.state.rate_limiter
    assert isinstance(limiter.store, MemoryStore)
    limiter.store.clock = lambda: 1000.0
    with TestClient(app, raise_server_exceptions=False, client=("203.0.113.40", 5000)) as c:
        yield c


def test_reading_a_document_costs_ten_units_of_the_budget(
    limited_client: TestClient, issued: Issued
) -> None:
    """Not exempt, and not one unit: 10 of the anonymous 25 a minute, so the third document
    is 429 while a plain request still fits."""
    pdf = certificate_pdf(lines_of(issued))
    first = post(limited_client, pdf)
    assert first.status_code == 200
    assert first.headers["ratelimit-policy"] == '"anonymous";q=25;w=60'
    assert first.headers["ratelimit"].startswith('"anonymous";r=15;')
    second = post(limited_client, pdf)
    assert second.headers["ratelimit"].startswith('"anonymous";r=5;')
    third = post(limited_client, pdf)
    assert third.status_code == 429
    body = third.json()
    assert body["type"] == "/problems/rate-limited"
    assert body["detail"].startswith(
        "Reading a document costs 10 units of the anonymous budget (25 per 60 s) and 4 are "
        "left; retry in "
    )
    assert int(third.headers["retry-after"]) >= 1
    assert limited_client.get("/v1/standards").status_code == 200


def test_when_every_reader_is_busy_an_upload_waits_in_the_event_loop_then_is_503(
    connection: Connection,
) -> None:
    """The app's reading slots are waited for in the event loop (a wait holds no thread of
    the pool); none free within the reading time: 503 with Retry-After, naming the file."""
    app = create_app(Settings(rate_limit_enabled=False, document_read_seconds=0.3))
    app.dependency_overrides[get_session] = session_override(connection)
    app.state.document_gate = asyncio.Semaphore(0)  # every slot taken
    with TestClient(app, raise_server_exceptions=False) as busy:
        response = post(busy, certificate_pdf())
    assert response.status_code == 503
    body = response.json()
    assert (body["type"], body["reason"], body["errors"]) == (
        "/problems/request-timeout",
        "busy",
        [{"pointer": "/file", "detail": "every document reader is busy; retry in a few seconds"}],
    )
    assert response.headers["retry-after"] == "5"
