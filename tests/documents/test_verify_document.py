"""Verifying a document's claims together (app/services/verification/documents.py): the
engine's verdict with the `document_*` checks beside it, the `document` section, the chain on
`not_found`, the receipt's `document_sha256`; a wrong extraction never turns a bad certificate
`valid`."""

from __future__ import annotations

import dataclasses
import hashlib
import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy.orm import Session

from app.domain.documents import DocumentText, ExtractedClaim, PageText, QrPayload
from app.schemas.verification import VerificationRead
from app.services.verification.documents import verify_document
from app.services.verification.receipts import canonical_sha256, public_jwks, verify_receipt
from tests.factories import accredit, make_ab, make_cb, make_certificate, set_certificate_status

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
PDF = b"%PDF-1.7 a certificate"
TEXT = DocumentText(
    sha256=hashlib.sha256(PDF).hexdigest(),
    media_type="application/pdf",
    pages=(PageText(number=1, lines=("CERTIFICATE", "DT-1001"), source="text"),),
    ocr=False,
    ocr_available=True,
    qr_codes=(QrPayload(page=1, text="https://verify.example/c/x"),),
)


@pytest.fixture
def registry(session: Session) -> dict[str, Any]:
    """One CB accredited for ISO 9001 with two valid certificates of different holders (the
    second one number off the first) and a withdrawn one; another CB."""
    ab = make_ab(session, "DTA")
    cb = make_cb(session, "Document Test Certification Ltd", "DTC")
    make_cb(session, "Qualis Auditores SA", "QAS", "ES")
    accredit(session, cb, ab.id, "ISO 9001", sectors=[18])
    ids = {
        "acme": make_certificate(session, cb, "DT-1001"),
        "borealis": make_certificate(
            session, cb, "DT-1007", organization={"name": "Borealis Tooling Ltd", "country": "GB"}
        ),
        "withdrawn": make_certificate(session, cb, "DT-2001"),
    }
    set_certificate_status(session, ids["withdrawn"], "withdrawn", date(2026, 6, 1))
    session.commit()
    return {"cb": cb, "ids": ids}


def claim(field: Any, value: str, confidence: float = 0.97, **more: Any) -> ExtractedClaim:
    return ExtractedClaim(field=field, value=value, confidence=confidence, page=1, **more)


def printed(**overrides: Any) -> dict[str, ExtractedClaim]:
    """The claims of a document that agrees with DT-1001 (tests/factories.py's defaults)."""
    values: dict[str, Any] = {
        "certificate_number": "DT-1001",
        "certification_body": "Document Test Certification Ltd",
        "accreditation_body": "DTA Accreditation Service",
        "standard": "ISO 9001:2015",
        "organization": "ACME WIDGETS LIMITED",
        "scope": "Design and manufacture of industrial widgets",
        "countries": ("GB",),
        "issue_date": "2024-03-01",
        "original_issue_date": "2018-03-01",
        "expiry_date": "2027-02-28",
    }
    values.update(overrides)
    out: dict[str, ExtractedClaim] = {}
    for name, value in values.items():
        if value is None:
            continue
        if isinstance(value, ExtractedClaim):
            out[name] = value
        elif isinstance(value, tuple):
            out[name] = claim(name, value[0], values=value)
        else:
            out[name] = claim(name, value)
    return out


SCAN = dataclasses.replace(
    TEXT,
    pages=(PageText(number=1, lines=("CERTIFICATE", "DT-1001"), source="ocr"),),
    ocr=True,
)
"""The same document as a scan: its page was read by OCR."""


def verify(
    session: Session, claims: dict[str, ExtractedClaim], *, text: DocumentText = TEXT, **kwargs: Any
) -> dict[str, Any]:
    options: dict[str, Any] = {"as_of": None, "certification_body": None, "now": NOW}
    options.update(kwargs)
    return verify_document(session, text=text, claims=claims, **options)


def outcomes(answer: dict[str, Any]) -> dict[str, str]:
    return {c["code"]: c["outcome"] for c in answer["checks"] if c["code"].startswith("document_")}


@pytest.mark.usefixtures("registry")
def test_a_document_that_agrees_is_valid_with_every_claim_checked(session: Session) -> None:
    answer = verify(session, printed())
    assert answer["verdict"] == "valid"
    assert answer["summary"] == (
        "Certificate DT-1001 for ISO 9001:2015 held by Acme Widgets Ltd is valid on 2026-11-26."
    )
    assert outcomes(answer) == {
        "document_certificate_number": "pass",
        "document_certification_body": "pass",
        "document_accreditation_body": "pass",
        "document_organization": "pass",
        "document_identity": "pass",
        "document_standard": "pass",
        "document_scope": "pass",
        "document_countries": "pass",
        "document_sites": "skipped",
        "document_issue_date": "pass",
        "document_original_issue_date": "pass",
        "document_expiry_date": "pass",
    }
    organization = next(c for c in answer["checks"] if c["code"] == "organization_match")
    assert organization["message"] == (
        "Not checked here: the document's claim is compared by document_organization"
    )
    assert answer["document"] == {
        "sha256": TEXT.sha256,
        "media_type": "application/pdf",
        "pages": 1,
        "ocr": False,
        "ocr_available": True,
        "message": None,
        "claims": {
            "certificate_number": {"value": "DT-1001", "confidence": 0.97, "page": 1, "line": None},
            "certification_body": {
                "value": "Document Test Certification Ltd",
                "confidence": 0.97,
                "page": 1,
                "line": None,
            },
            "accreditation_body": {
                "value": "DTA Accreditation Service",
                "confidence": 0.97,
                "page": 1,
                "line": None,
            },
            "standard": {"value": "ISO 9001:2015", "confidence": 0.97, "page": 1, "line": None},
            "organization": {
                "value": "ACME WIDGETS LIMITED",
                "confidence": 0.97,
                "page": 1,
                "line": None,
            },
            "scope": {
                "value": "Design and manufacture of industrial widgets",
                "confidence": 0.97,
                "page": 1,
                "line": None,
            },
            "countries": {
                "value": "GB",
                "confidence": 0.97,
                "page": 1,
                "line": None,
                "values": ["GB"],
            },
            "issue_date": {"value": "2024-03-01", "confidence": 0.97, "page": 1, "line": None},
            "original_issue_date": {
                "value": "2018-03-01",
                "confidence": 0.97,
                "page": 1,
                "line": None,
            },
            "expiry_date": {"value": "2027-02-28", "confidence": 0.97, "page": 1, "line": None},
        },
        "qr_claims": None,
        "qr_codes": [{"page": 1, "text": "https://verify.example/c/x"}],
        "discrepancies": [],
    }
    assert answer["chain"] is None
    VerificationRead.model_validate(answer)  # the shape of GET /v1/verify


@pytest.mark.usefixtures("registry")
def test_the_receipt_carries_the_documents_sha256(session: Session) -> None:
    """API.md: signed like every verification, with `document_sha256` in the payload; its
    `sha256` digests the whole answer, document section included."""
    answer = verify(session, printed())
    payload = verify_receipt(answer["receipt"], public_jwks(session))
    assert payload["document_sha256"] == hashlib.sha256(PDF).hexdigest()
    assert payload["verdict"] == "valid"
    assert payload["certificate_number"] == "DT-1001"
    without = {key: value for key, value in answer.items() if key != "receipt"}
    assert payload["sha256"] == canonical_sha256(without)


@pytest.mark.usefixtures("registry")
def test_a_later_printed_expiry_is_a_mismatch_said_in_words(session: Session) -> None:
    answer = verify(session, printed(expiry_date="2029-02-28"))
    assert answer["verdict"] == "mismatch"
    assert answer["summary"] == (
        "Certificate DT-1001 for ISO 9001:2015 held by Acme Widgets Ltd exists, but the document "
        "does not match it: its expiry date, which is later."
    )
    assert answer["document"]["discrepancies"] == [
        {
            "field": "expiry_date",
            "document": "2029-02-28",
            "registry": "2027-02-28",
            "message": "The document's expiry date 2029-02-28 is later than the registry's "
            "2027-02-28: the certificate is valid only until the date its issuer records",
            "check": "document_expiry_date",
            "outcome": "fail",
        }
    ]


@pytest.mark.usefixtures("registry")
def test_a_wider_scope_and_another_holder_are_flagged_together(session: Session) -> None:
    answer = verify(
        session,
        printed(
            organization="Acme Holdings plc",
            scope="Design, manufacture and installation of industrial widgets",
        ),
    )
    assert answer["verdict"] == "mismatch"
    assert answer["summary"] == (
        "Certificate DT-1001 for ISO 9001:2015 held by Acme Widgets Ltd exists, but the document "
        "does not match it: its holder and its scope, which is wider."
    )
    assert [d["field"] for d in answer["document"]["discrepancies"]] == ["organization", "scope"]


@pytest.mark.usefixtures("registry")
@pytest.mark.parametrize(
    ("organization", "failed"),
    [
        ("Acme Widgets Ltd", "document_organization"),
        (claim("organization", "Acme Widgets Ltd", confidence=0.35), "document_identity"),
        (None, "document_identity"),
    ],
)
def test_a_misread_number_on_another_valid_certificate_never_comes_out_valid(
    session: Session, organization: Any, failed: str
) -> None:
    """OCR reads DT-1001 as DT-1007, a valid certificate of the same CB held by another
    company: the holder printed disagrees (fail); when the holder could not be read, or was
    not found, the document cannot be tied to DT-1007 (document_identity fails)."""
    answer = verify(
        session, printed(certificate_number="DT-1007", organization=organization), text=SCAN
    )
    assert answer["verdict"] == "mismatch"
    assert answer["certificate"]["organization"]["name"] == "Borealis Tooling Ltd"
    assert outcomes(answer)[failed] == "fail"
    assert outcomes(answer)["document_expiry_date"] == "pass"  # everything else agrees


@pytest.mark.usefixtures("registry")
def test_an_unread_holder_beside_a_number_from_the_text_layer_is_said_not_failed(
    session: Session,
) -> None:
    """The text layer holds the number as printed: no misread can have found DT-1007, so a
    holder the reader did not find is "cannot tell" (warn), not a mismatch; by OCR it fails."""
    claims = printed(certificate_number="DT-1007", organization=None)
    answer = verify(session, claims)
    assert (answer["verdict"], outcomes(answer)["document_identity"]) == ("valid", "warn")
    identity = next(c for c in answer["checks"] if c["code"] == "document_identity")
    assert identity["message"] == (
        "The document's number is certificate DT-1007's, but no holder was found on it: compare "
        'the holder printed with the registry\'s: "Borealis Tooling Ltd"'
    )
    scanned = verify(session, claims, text=SCAN)
    assert (scanned["verdict"], outcomes(scanned)["document_identity"]) == ("mismatch", "fail")


@pytest.mark.usefixtures("registry")
@pytest.mark.parametrize(
    "claims",
    [
        printed(certificate_number="DT-2001"),
        printed(certificate_number="DT-2001", organization=None, expiry_date="2030-01-01"),
        printed(certificate_number="DT-2001", standard="ISO 9001:2008", scope="Everything"),
    ],
)
def test_a_document_never_turns_a_withdrawn_certificate_valid(
    session: Session, claims: dict[str, ExtractedClaim]
) -> None:
    """The engine's verdict stands; the document's checks only add failures below it."""
    assert verify(session, claims)["verdict"] == "withdrawn"


def test_a_document_not_found_with_a_lookalike_carries_the_chain(
    session: Session, registry: dict[str, Any]
) -> None:
    """Not in the registry: verdict not_found; `chain` flags the look-alike printed and says
    the CB printed holds no accreditation from it."""
    answer = verify(
        session,
        printed(
            certificate_number="DT-9999",
            certification_body="DTC",
            accreditation_body="International Accreditation Council",
        ),
    )
    assert answer["verdict"] == "not_found"
    assert answer["chain"]["accreditation_body"]["named"] == "International Accreditation Council"
    assert answer["chain"]["accreditation_body"]["recognised"] is False
    assert answer["chain"]["accreditation_body"]["lookalike"] is True
    assert answer["chain"]["certification_body"] == {
        "named": "DTC",
        "known": True,
        "accredited_for_standard": False,
        "message": '"DTC" is Document Test Certification Ltd, known here, and it holds no '
        'accreditation from "International Accreditation Council": a look-alike accredits '
        f"nothing recorded here. It is accredited for ISO 9001 by DTA (accreditation "
        f"{_accreditation_number(session, registry['cb'])}), so a certificate naming a "
        "look-alike was not issued under that accreditation",
    }
    assert answer["query"]["accreditation_body"] == "International Accreditation Council"
    assert outcomes(answer)["document_expiry_date"] == "skipped"


def _accreditation_number(session: Session, cb: uuid.UUID) -> str:
    from app.repositories.accreditations import accreditations_of_certification_body

    return accreditations_of_certification_body(session, cb)[0].accreditation_number


@pytest.mark.usefixtures("registry")
def test_a_qr_deep_link_is_the_lookup_and_the_printed_number_is_compared(
    session: Session,
) -> None:
    """The QR code links to DT-1001; the number printed beside it was changed to DT-1007."""
    qr = {
        "certificate_number": claim("certificate_number", "DT-1001", confidence=1.0),
        "certification_body": claim("certification_body", "DTC", confidence=1.0),
    }
    answer = verify(session, printed(certificate_number="DT-1007"), qr_claims=qr)
    assert answer["query"]["certificate_number"] == "DT-1001"
    assert answer["certificate"]["organization"]["name"] == "Acme Widgets Ltd"
    assert answer["verdict"] == "mismatch"
    assert outcomes(answer)["document_certificate_number"] == "fail"
    assert answer["document"]["qr_claims"]["certificate_number"]["value"] == "DT-1001"


@pytest.mark.usefixtures("registry")
def test_the_forms_certification_body_overrides_the_printed_one(session: Session) -> None:
    """The buyer says the issuer is DTC; the paper names Qualis, another CB of the registry."""
    answer = verify(
        session,
        printed(certification_body="Qualis Auditores SA"),
        certification_body="DTC",
    )
    assert answer["query"]["certification_body"]["given"] == "DTC"
    assert answer["verdict"] == "mismatch"
    check = next(c for c in answer["checks"] if c["code"] == "document_certification_body")
    assert check["message"] == (
        'The document\'s issuer "Qualis Auditores SA" is Qualis Auditores SA, but the '
        "registry's certificate was issued by Document Test Certification Ltd"
    )


@pytest.mark.usefixtures("registry")
def test_without_a_number_nothing_is_looked_up(session: Session) -> None:
    answer = verify(session, printed(certificate_number=None, accreditation_body="UKAS"))
    assert answer["verdict"] == "not_found"
    assert answer["summary"] == (
        "No certificate number could be read from the document, so no certificate was looked "
        "up; type the number printed on it to check it."
    )
    assert answer["checks"][0]["message"] == (
        "No certificate number could be read from the document, so no certificate was looked up"
    )
    assert answer["chain"]["certification_body"]["known"] is True
    assert answer["chain"]["accreditation_body"]["named"] == "UKAS"


@pytest.mark.usefixtures("registry")
def test_as_of_is_the_question_date(session: Session) -> None:
    """A tender deadline after the registry's expiry: expired, whatever the paper prints."""
    answer = verify(session, printed(expiry_date="2029-02-28"), as_of=date(2027, 3, 1))
    assert answer["verdict"] == "expired"
    assert answer["summary"].endswith(
        "The document also differs from the registry: its expiry date, which is later."
    )
