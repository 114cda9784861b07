"""Answer a verification: resolve the CB, load facts, run the engine, shape and sign the answer."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy.orm import Session

from app.domain.facts import Claims, VerificationRequest, VerificationResult
from app.domain.normalize import normalize_certificate_number
from app.domain.verification import effective_expiry, status_at, verify
from app.models import Accreditation, Certificate, CertificationBody
from app.repositories.accreditations import accreditations_of_certification_body
from app.repositories.bodies import find_certification_body
from app.repositories.certificates import certificates_by_number_key
from app.schemas.verification import VerificationRequestIn
from app.services.facts import accreditation_fact, certificate_fact
from app.services.receipts import sign_receipt


def today_utc() -> date:
    """ "Today" is the UTC date (DESIGN.md, Dates)."""
    return datetime.now(UTC).date()


def _cb_ref(cb: CertificationBody) -> dict[str, Any]:
    return {"id": str(cb.id), "name": cb.name, "acronym": cb.acronym}


def verify_certificate(
    session: Session, *, request: VerificationRequestIn, now: datetime | None = None
) -> dict[str, Any]:
    """Run one verification and return the JSON-ready response with its signed receipt."""
    checked_at = (now or datetime.now(UTC)).replace(microsecond=0)
    as_of = request.as_of or checked_at.date()
    number_key = normalize_certificate_number(request.certificate_number)

    cb: CertificationBody | None = None
    cb_in_registry: bool | None = None
    if request.certification_body:
        cb = find_certification_body(session, request.certification_body)
        cb_in_registry = cb is not None

    if request.certification_body and cb is None:
        certificates: list[Certificate] = []
    else:
        certificates = list(
            certificates_by_number_key(session, number_key, cb.id if cb is not None else None)
        )

    accreditations: list[Accreditation] = []
    if len(certificates) == 1:
        accreditations = list(
            accreditations_of_certification_body(session, certificates[0].certification_body_id)
        )

    domain_request = VerificationRequest(
        certificate_number=request.certificate_number,
        as_of=as_of,
        claims=Claims(
            organization=request.organization or None,
            standard=request.standard or None,
            scope=request.scope or None,
            country=request.country or None,
        ),
        certification_body_named=request.certification_body,
        certification_body_in_registry=cb_in_registry,
    )
    facts_by_id = {str(c.id): c for c in certificates}
    result = verify(
        domain_request,
        [certificate_fact(c) for c in certificates],
        [accreditation_fact(a) for a in accreditations],
    )
    response = _shape(
        result,
        request=request,
        as_of=as_of,
        checked_at=checked_at,
        number_key=number_key,
        cb=cb,
        certificates=facts_by_id,
        accreditations={str(a.id): a for a in accreditations},
    )
    response["receipt"] = sign_receipt(session, response)
    return response


def _shape(
    result: VerificationResult,
    *,
    request: VerificationRequestIn,
    as_of: date,
    checked_at: datetime,
    number_key: str,
    cb: CertificationBody | None,
    certificates: dict[str, Certificate],
    accreditations: dict[str, Accreditation],
) -> dict[str, Any]:
    """The response body of API.md, without the receipt, in JSON-ready types."""
    cert_out: dict[str, Any] | None = None
    cb_out: dict[str, Any] | None = None
    if result.certificate is not None:
        fact = result.certificate
        row = certificates[fact.id]
        cert_out = {
            "id": fact.id,
            "certificate_number": fact.certificate_number,
            "standard": fact.standard.label,
            "organization": {"name": fact.organization_name, "country": fact.organization_country},
            "scope": fact.scope,
            "sectors": list(fact.sectors),
            "sites": [
                {"name": s.name, "address": s.address, "country": s.country} for s in fact.sites
            ],
            "issue_date": fact.issue_date.isoformat(),
            "expiry_date": fact.expiry_date.isoformat(),
            "original_issue_date": (
                fact.original_issue_date.isoformat() if fact.original_issue_date else None
            ),
            "effective_expiry_date": effective_expiry(fact).isoformat(),
            "status": result.certificate_status.value if result.certificate_status else None,
        }
        cb_out = _cb_ref(row.certification_body)

    acc_out: dict[str, Any] | None = None
    ab_out: dict[str, Any] | None = None
    if result.accreditation is not None:
        acc = result.accreditation
        acc_status = _accreditation_status(result, as_of)
        acc_out = {
            "id": acc.id,
            "accreditation_number": acc.accreditation_number,
            "standard": acc.standard_code,
            "sectors": list(acc.sectors),
            "status": acc_status,
            "valid_from": acc.valid_from.isoformat(),
            "valid_until": acc.valid_until.isoformat() if acc.valid_until else None,
        }
        ab = acc.accreditation_body
        ab_out = {"id": ab.id, "acronym": ab.acronym, "name": ab.name, "economy": ab.economy}

    candidates = [
        {
            "id": c.id,
            "certificate_number": c.certificate_number,
            "certification_body": _cb_ref(certificates[c.id].certification_body),
            "organization": {"name": c.organization_name, "country": c.organization_country},
        }
        for c in result.candidates
    ]
    query: dict[str, Any] = {
        "certificate_number": request.certificate_number,
        "number_key": number_key,
        "certification_body": (
            {"given": request.certification_body, "resolved": _cb_ref(cb) if cb else None}
            if request.certification_body
            else None
        ),
        "organization": request.organization,
        "standard": request.standard,
        "scope": request.scope,
        "country": request.country,
        "as_of": as_of.isoformat(),
    }
    return {
        "verification_id": str(uuid.uuid4()),
        "checked_at": checked_at.isoformat().replace("+00:00", "Z"),
        "as_of": as_of.isoformat(),
        "verdict": result.verdict.value,
        "summary": result.summary,
        "checks": [
            {
                "code": c.code.value,
                "outcome": c.outcome.value,
                "message": c.message,
                "details": _jsonable(dict(c.details)),
            }
            for c in result.checks
        ],
        "warnings": list(result.warnings),
        "certificate": cert_out,
        "certification_body": cb_out,
        "accreditation": acc_out,
        "accreditation_body": ab_out,
        "candidates": candidates,
        "query": query,
    }


def _accreditation_status(result: VerificationResult, as_of: date) -> str | None:
    acc = result.accreditation
    if acc is None:
        return None
    status = status_at(acc.status_events, as_of, None)
    return status.value if status is not None else None


def _jsonable(value: Any) -> Any:
    """Dates and enums inside check details, as JSON values."""
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_jsonable(v) for v in value]
    if isinstance(value, date):
        return value.isoformat()
    if hasattr(value, "value") and isinstance(value.value, str):
        return value.value
    return value
