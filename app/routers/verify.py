"""Verification: GET /v1/verify and POST /v1/verifications."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse
from pydantic import ValidationError

from app.deps import PrincipalDep, ReadSessionDep, SessionDep
from app.errors import ValidationProblem, validation_errors
from app.schemas.verification import VerificationRead, VerificationRequestIn
from app.services.batch import store_verifications
from app.services.verification import verify_certificate

router = APIRouter(prefix="/v1", tags=["verification"])


@router.get("/verify", response_model=VerificationRead, summary="Verify a certificate")
def verify_get(
    session: SessionDep,
    read_session: ReadSessionDep,
    principal: PrincipalDep,
    certificate_number: Annotated[str, Query(max_length=100, description="As printed.")],
    certification_body: Annotated[str | None, Query(max_length=300)] = None,
    organization: Annotated[str | None, Query(max_length=300)] = None,
    standard: Annotated[str | None, Query(max_length=60)] = None,
    scope: Annotated[str | None, Query(max_length=500)] = None,
    country: Annotated[str | None, Query(max_length=2)] = None,
    as_of: Annotated[date | None, Query(description="YYYY-MM-DD; default today (UTC).")] = None,
) -> Any:
    """Verify one certificate; the verdict is the answer, so `not_found` is a 200 too."""
    raw = {
        "certificate_number": certificate_number,
        "certification_body": certification_body or None,
        "organization": organization or None,
        "standard": standard or None,
        "scope": scope or None,
        "country": country or None,
        "as_of": as_of,
    }
    try:
        request = VerificationRequestIn.model_validate(raw)
    except ValidationError as exc:
        errors = validation_errors(exc.errors())
        for e in errors:
            e["parameter"], e["location"] = e["pointer"].lstrip("/"), "query"
        raise ValidationProblem(
            "; ".join(f"{e['parameter']}: {e['detail']}" for e in errors), errors=errors
        ) from exc
    return JSONResponse(_answer(session, read_session, principal, request))


def _answer(
    session: SessionDep,
    read_session: ReadSessionDep,
    principal: PrincipalDep,
    request: VerificationRequestIn,
) -> Any:
    """Verify (on the read replica when configured); a verification made with a key is kept, on
    the primary, so its maker can fetch it again."""
    answer = verify_certificate(read_session, request=request)
    if principal.key_id is not None:
        store_verifications(session, api_key_id=principal.key_id, responses=[answer])
    return answer


@router.post("/verifications", response_model=VerificationRead, summary="Verify a certificate")
def verify_post(
    session: SessionDep,
    read_session: ReadSessionDep,
    principal: PrincipalDep,
    body: VerificationRequestIn,
) -> Any:
    """Verify one certificate from a JSON body with the same fields as GET /v1/verify."""
    return JSONResponse(_answer(session, read_session, principal, body))
