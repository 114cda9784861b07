"""Verify a certificate document's claims together (issue 17, item 3; API.md, "Added in the
second round": `POST /v1/documents/verify`).

The document's certificate number and certification body are the question; a QR code that is a
certverify deep link (read by app/services/documents) gives the number and CB looked up instead,
and the printed ones are compared with it; the form's `certification_body` overrides the printed
one. The engine answers as for GET /v1/verify; the document's claims are then compared with the
registry's certificate by the `document_*` checks (app/domain/document_checks.py), whose
failures stand for `mismatch`, the last verdict in DESIGN.md's precedence, so a withdrawn or
expired certificate keeps its own verdict and a document that disagrees with a valid one is
`mismatch`. When the registry has no record, `chain` says what reference data can tell about the
accreditation body and certification body printed (app/domain/chain.py). The answer is signed
like every verification, its receipt carrying the document's SHA-256 (`document_sha256`).
"""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date, datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from app import clock
from app.domain.chain import IdentifiedBody, identify_accreditation_body
from app.domain.document_checks import (
    DocumentContext,
    discrepancies,
    document_checks,
    failed_fields,
)
from app.domain.document_claims import MIN_CONFIDENCE
from app.domain.documents import (
    CLAIM_FIELDS,
    DocumentClaims,
    DocumentText,
    ExtractedClaim,
)
from app.domain.facts import (
    VERDICT_PRECEDENCE,
    CertificationBodyFact,
    CheckCode,
    CheckResult,
    Outcome,
    Verdict,
    VerificationResult,
)
from app.http.observability import record_verdict
from app.schemas.verification import VerificationRequestIn
from app.services.verification.answer import DatabaseFacts, Evaluation, evaluate, shape_answer
from app.services.verification.receipts import json_kind, sign_receipt

_COMPARED_BY: dict[CheckCode, CheckCode] = {
    CheckCode.ORGANIZATION_MATCH: CheckCode.DOCUMENT_ORGANIZATION,
    CheckCode.STANDARD_MATCH: CheckCode.DOCUMENT_STANDARD,
    CheckCode.SITE_MATCH: CheckCode.DOCUMENT_COUNTRIES,
    CheckCode.SCOPE_MATCH: CheckCode.DOCUMENT_SCOPE,
}
"""The engine's claim checks and the document check that compares the document's claim: a
document claims nothing typed, so the engine's check says where the comparison is."""


def _confident(claims: DocumentClaims | None, field: str) -> ExtractedClaim | None:
    """A claim read with at least MIN_CONFIDENCE, or None."""
    claim = (claims or {}).get(field)
    if claim is None or claim.confidence < MIN_CONFIDENCE or not claim.value.strip():
        return None
    return claim


def _value(claim: ExtractedClaim | None) -> str | None:
    return claim.value.strip() if claim is not None else None


def _date(claim: ExtractedClaim | None) -> date | None:
    try:
        return date.fromisoformat(claim.value.strip()) if claim is not None else None
    except ValueError:
        return None


def _request(
    number: str | None, cb: str | None, ab: str | None, as_of: date
) -> tuple[VerificationRequestIn, bool]:
    """The verification question a document asks, and whether it has a number at all. A value
    read from a document that the API would refuse (too long, control characters) is dropped:
    it names nothing this registry could find."""
    raw: dict[str, Any] = {
        "certificate_number": number or "",
        "certification_body": cb,
        "accreditation_body": ab,
        "as_of": as_of,
    }
    for _ in range(len(raw)):
        try:
            return VerificationRequestIn.model_validate(raw), True
        except ValidationError as exc:
            bad = {str(error["loc"][0]) for error in exc.errors() if error.get("loc")}
            if "certificate_number" in bad:
                break
            for name in bad:
                raw[name] = None
    # No readable number: nothing is looked up (an empty key matches no certificate).
    kept = {"certification_body": cb, "accreditation_body": ab}
    for name, text in list(kept.items()):
        try:
            VerificationRequestIn.model_validate({"certificate_number": "X", name: text})
        except ValidationError:
            kept[name] = None
    return (
        VerificationRequestIn.model_construct(
            certificate_number="",
            certification_body=kept["certification_body"],
            accreditation_body=kept["accreditation_body"],
            organization=None,
            standard=None,
            scope=None,
            country=None,
            as_of=as_of,
        ),
        False,
    )


def _claims_out(claims: DocumentClaims | None) -> dict[str, Any] | None:
    """Claims as the answer lists them, in CLAIM_FIELDS order: value, confidence, place, and
    every value of the multi-valued fields."""
    if claims is None:
        return None
    out: dict[str, Any] = {}
    for field in CLAIM_FIELDS:
        claim = claims.get(field)
        if claim is None:
            continue
        item: dict[str, Any] = {
            "value": claim.value,
            "confidence": claim.confidence,
            "page": claim.page,
            "line": claim.line,
        }
        if claim.values:
            item["values"] = list(claim.values)
        out[field] = item
    return out


def _summary(evaluation: Evaluation, verdict: Verdict, failed: list[str], has_number: bool) -> str:
    """The one sentence: the engine's, or, when the document's checks decide the verdict,
    what the document disagrees on."""
    result = evaluation.result
    if not has_number:
        return (
            "No certificate number could be read from the document, so no certificate was "
            "looked up; type the number printed on it to check it."
        )
    if not failed:
        return result.summary
    fields = ", ".join(failed[:-1]) + " and " + failed[-1] if len(failed) > 1 else failed[0]
    cert = result.certificate
    if verdict is Verdict.MISMATCH and result.verdict is Verdict.VALID and cert is not None:
        return (
            f"Certificate {cert.certificate_number} for {cert.standard.label} held by "
            f"{cert.organization_name} exists, but the document does not match it: {fields}."
        )
    return f"{result.summary} The document also differs from the registry: {fields}."


def _engine_checks(result: VerificationResult, has_number: bool) -> tuple[CheckResult, ...]:
    """The engine's checks as a document's answer shows them: a claim check skipped for want
    of a typed claim names the document check that compares the document's claim; without a
    number, `certificate_found` says so."""
    checks = []
    for check in result.checks:
        if check.code is CheckCode.CERTIFICATE_FOUND and not has_number:
            check = dataclasses.replace(
                check,
                message="No certificate number could be read from the document, so no "
                "certificate was looked up",
            )
        compared = _COMPARED_BY.get(check.code)
        if (
            compared is not None
            and result.certificate is not None
            and check.outcome is Outcome.SKIPPED
        ):
            check = dataclasses.replace(
                check,
                message=f"Not checked here: the document's claim is compared by {compared.value}",
            )
        checks.append(check)
    return tuple(checks)


def _read_by_ocr(text: DocumentText, claim: ExtractedClaim | None) -> bool:
    """Whether a claim was read by OCR (its page has no text layer of its own); unknown pages
    count as OCR, the cautious side."""
    if claim is None:
        return True
    sources = {page.number: page.source for page in text.pages}
    return sources.get(claim.page, "ocr") == "ocr"


def verify_document(
    session: Session,
    *,
    text: DocumentText,
    claims: DocumentClaims,
    qr_claims: DocumentClaims | None = None,
    as_of: date | None,
    certification_body: str | None,
    now: datetime | None = None,
    message: str | None = None,
) -> dict[str, Any]:
    """The verification of a document: the shape of GET /v1/verify (signed; the receipt's
    payload also carries `document_sha256`) plus `document` (its SHA-256, pages, whether OCR
    was used and available, the claims read with their confidence and place, the QR codes, and
    the discrepancies) and `chain` (on `not_found`, when a CB or an AB was named or read).

    The lookup: a QR deep link's number and CB when present (`qr_claims`), else the printed
    number and CB; the form's `certification_body` overrides either CB. Claims read below
    MIN_CONFIDENCE are not used to name a CB or an AB, and their checks are skipped.
    """
    facts = DatabaseFacts(session)
    checked_at = (now or clock.now()).replace(microsecond=0)
    day = as_of or checked_at.date()

    printed_number = claims.get("certificate_number")
    qr_number = (qr_claims or {}).get("certificate_number")
    number_claim = qr_number or printed_number
    printed_cb = _confident(claims, "certification_body")
    qr_cb = (qr_claims or {}).get("certification_body")
    named_cb = certification_body or _value(qr_cb) or _value(printed_cb)
    # The AB as printed by name, or read from its mark (extract_claims gives an AB mark as
    # `accreditation_body` too); the mark claim itself also holds "IAF MLA", "Global ACI".
    named_ab = _value(_confident(claims, "accreditation_body"))
    request, has_number = _request(
        number_claim.value.strip() if number_claim is not None else None, named_cb, named_ab, day
    )
    evaluation = evaluate(
        facts,
        request=request,
        as_of=day,
        chain_standard=_value(_confident(claims, "standard")),
        chain_issue_date=_date(_confident(claims, "issue_date")),
    )
    result = evaluation.result
    cert = result.certificate

    printed_cb_fact: CertificationBodyFact | None = None
    if cert is not None and printed_cb is not None:
        printed_cb_fact = (
            evaluation.cb
            if printed_cb.value.strip() == request.certification_body
            else facts.certification_body(printed_cb.value.strip())
        )
    identified: IdentifiedBody | None = None
    printed_ab = _confident(claims, "accreditation_body")
    if cert is not None and printed_ab is not None:
        identified = identify_accreditation_body(printed_ab.value, facts.chain_reference())
    context = DocumentContext(
        certificate=cert,
        printed_certification_body=printed_cb_fact,
        accreditation_body=identified,
        accreditations=(
            facts.accreditations(cert.certification_body.id) if cert is not None else ()
        ),
        min_confidence=MIN_CONFIDENCE,
        number_may_be_misread=_read_by_ocr(text, number_claim) and qr_number is None,
    )
    findings = document_checks(claims, qr_claims, context)

    failed = {result.verdict} - {Verdict.VALID}
    failed |= {finding.verdict for finding in findings if finding.verdict is not None}
    verdict = next((v for v in VERDICT_PRECEDENCE if v in failed), Verdict.VALID)
    merged = dataclasses.replace(
        result,
        verdict=verdict,
        summary=_summary(evaluation, verdict, failed_fields(findings), has_number),
        checks=(*_engine_checks(result, has_number), *(f.check for f in findings)),
        warnings=(
            *result.warnings,
            *(f.check.message for f in findings if f.check.outcome is Outcome.WARN),
        ),
    )
    shaped = shape_answer(
        merged,
        request=request,
        as_of=day,
        checked_at=checked_at,
        number_key=evaluation.number_key,
        cb=evaluation.cb,
        certificates={c.id: c for c in evaluation.certificates},
        chain=evaluation.chain,
    )
    shaped["verification_id"] = str(uuid.uuid4())
    shaped["document"] = {
        "sha256": text.sha256,
        "media_type": text.media_type,
        "pages": len(text.pages),
        "ocr": text.ocr,
        "ocr_available": text.ocr_available,
        "message": message,
        "claims": _claims_out(claims),
        "qr_claims": _claims_out(qr_claims),
        "qr_codes": [{"page": qr.page, "text": qr.text} for qr in text.qr_codes],
        "discrepancies": discrepancies(findings),
    }
    shaped["receipt"] = sign_receipt(session, shaped, kind=json_kind(shaped))
    record_verdict(shaped["verdict"])
    return shaped
