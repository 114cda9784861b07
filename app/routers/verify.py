"""Verification: GET /v1/verify and POST /v1/verifications."""

from __future__ import annotations

from contextlib import contextmanager
from datetime import date
from typing import Annotated, Any

import anyio
import anyio.to_thread
from fastapi import APIRouter, Request
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError

from app.db import get_read_session, get_session, read_engine
from app.deps import PrincipalDep, ReadSessionDep, SessionDep, get_principal
from app.errors import ValidationProblem, validation_errors
from app.http.responses import FastJSONResponse
from app.schemas.verification import VerificationRead, VerificationRequestIn
from app.services.verification.answer import verify_certificate, verify_from_cache
from app.services.verification.batch import store_verifications

router = APIRouter(prefix="/v1", tags=["verification"])


class VerifyQuery(BaseModel):
    """The query parameters of GET /v1/verify, typed and constrained as FastAPI's `Query`
    parameters were (lax, as FastAPI validates them); the OpenAPI parameters are made from it."""

    certificate_number: Annotated[str, Field(max_length=100, description="As printed.")]
    certification_body: Annotated[str | None, Field(max_length=300)] = None
    organization: Annotated[str | None, Field(max_length=300)] = None
    standard: Annotated[str | None, Field(max_length=60)] = None
    scope: Annotated[str | None, Field(max_length=500)] = None
    country: Annotated[str | None, Field(max_length=2)] = None
    as_of: Annotated[date | None, Field(description="YYYY-MM-DD; default today (UTC).")] = None


def _openapi_parameters(model: type[BaseModel]) -> list[dict[str, Any]]:
    """OpenAPI query parameters of `model`'s fields, as FastAPI writes them for `Query`."""
    schema = model.model_json_schema()
    out: list[dict[str, Any]] = []
    for name, field in model.model_fields.items():
        prop = {k: v for k, v in schema["properties"][name].items() if k != "default"}
        param: dict[str, Any] = {"name": name, "in": "query", "required": field.is_required()}
        if field.description:
            param["description"] = field.description
        param["schema"] = prop
        out.append(param)
    return out


def _parse_query(http_request: Request) -> VerifyQuery:
    """The query parameters, validated in one call (FastAPI's per-parameter validation of the
    same seven parameters showed in the route's profile)."""
    query = http_request.query_params
    present = {name: query[name] for name in VerifyQuery.model_fields if name in query}
    try:
        return VerifyQuery.model_validate(present)
    except ValidationError as exc:
        errors = [{**e, "loc": ("query", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from exc


@router.get(
    "/verify",
    response_model=VerificationRead,
    summary="Verify a certificate",
    openapi_extra={"parameters": _openapi_parameters(VerifyQuery)},
)
async def verify_get(http_request: Request) -> Any:
    """Verify one certificate; the verdict is the answer, so `not_found` is a 200 too."""
    # An anonymous request whose facts are all in the fact cache is answered in the event loop
    # (pure CPU, BENCHMARKS.md "The fast path"); anything else (an API key, a fact to read, a
    # registry-version poll due) runs the database path in the thread pool: one hand-off.
    params = _parse_query(http_request)
    raw = {
        "certificate_number": params.certificate_number,
        "certification_body": params.certification_body or None,
        "organization": params.organization or None,
        "standard": params.standard or None,
        "scope": params.scope or None,
        "country": params.country or None,
        "as_of": params.as_of,
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
    overrides = http_request.app.dependency_overrides
    if "authorization" not in http_request.headers and get_session not in overrides:
        answer = verify_from_cache(read_engine(), request=request)
        if answer is not None:
            return FastJSONResponse(answer)
    answer = await anyio.to_thread.run_sync(
        _answer_with_sessions, http_request, request, limiter=_database_path_limiter()
    )
    return FastJSONResponse(answer)


DATABASE_PATH_THREADS = 4
"""Database-path verifications that run at once in a process: a few threads keep the database
busy, while dozens only queue for the GIL in turn. Measured once, changing this value: uvicorn
on bench/.data/registry-100000.db, `wrk -t2 -c32 -d6s -s bench/wrk/numbers.lua` with the
registry's numbers file (uniform draws): 194/s with the thread pool's 40 threads, 225/s with 8,
280/s with 4, 240/s with 2."""
_limiter: list[anyio.CapacityLimiter] = []


def _database_path_limiter() -> anyio.CapacityLimiter:
    """The process's limiter of database-path verifications (made in the running loop)."""
    if not _limiter:
        _limiter.append(anyio.CapacityLimiter(DATABASE_PATH_THREADS))
    return _limiter[0]


def _answer_with_sessions(http_request: Request, request: VerificationRequestIn) -> Any:
    """The database path with the request's sessions and principal, as the dependencies of
    the other routes provide them (including a test's override of get_session)."""
    provider = http_request.app.dependency_overrides.get(get_session, get_session)
    with (
        contextmanager(provider)() as session,
        contextmanager(get_read_session)(session) as read_session,
    ):
        principal = get_principal(http_request, session)
        return _answer(session, read_session, principal, request)


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
    return FastJSONResponse(_answer(session, read_session, principal, body))
