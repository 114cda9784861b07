"""Verification: GET /v1/verify and POST /v1/verifications."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from datetime import date
from typing import Annotated, Any
from urllib.parse import parse_qsl

from fastapi import APIRouter, Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from pydantic import BaseModel, Field, ValidationError

from app.deps import (
    FastPathCacheDep,
    PrincipalDep,
    ReadSessionDep,
    SessionDep,
    VerificationSessionDep,
    get_fast_path_cache,
)
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
    accreditation_body: Annotated[
        str | None,
        Field(
            max_length=300,
            description="The accreditation body printed on the certificate, by its full name; "
            "checked in `chain` when the certificate is not found.",
        ),
    ] = None
    organization: Annotated[str | None, Field(max_length=300)] = None
    standard: Annotated[str | None, Field(max_length=60)] = None
    scope: Annotated[str | None, Field(max_length=500)] = None
    country: Annotated[
        str | None,
        Field(
            max_length=100,
            description='Claimed site country: alpha-2, alpha-3 or an English name ("UK" = GB).',
        ),
    ] = None
    as_of: Annotated[date | None, Field(description="YYYY-MM-DD; default today (UTC).")] = None


_QUERY_NAMES = tuple(VerifyQuery.model_fields)


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
    # Starlette's QueryParams read the same way (latin-1, blanks kept, the last of a repeated
    # name wins), without its multi-dict and Mapping.__contains__ (6.6 % of the PostgreSQL 1M
    # hot profile in BENCHMARKS.md).
    query = dict(parse_qsl(http_request.scope["query_string"].decode("latin-1"), True))
    present = {name: query[name] for name in _QUERY_NAMES if name in query}
    try:
        return VerifyQuery.model_validate(present)
    except ValidationError as exc:
        errors = [{**e, "loc": ("query", *e["loc"])} for e in exc.errors(include_url=False)]
        raise RequestValidationError(errors) from exc


PARSED_QUERIES_KEPT = 4096
"""Query strings whose verification request is kept (the oldest dropped first): the parse is a
pure function of the bytes (no clock, no settings), and a hot set repeats them; the parsing
and its two pydantic validations were 13.5 % of a hot-set request through the whole stack
(cProfile, in-process, 5,000 requests, 2026-12-01)."""
_parsed_queries: dict[bytes, VerificationRequestIn] = {}


async def verification_query(http_request: Request) -> VerificationRequestIn:
    """GET /v1/verify's query as a verification request: a 422 problem naming the parameter
    when it is not one (no I/O, so it is solved in the event loop). Valid queries are kept
    (callers never mutate the request); invalid ones are parsed, and refused, every time."""
    query_string: bytes = http_request.scope["query_string"]
    parsed = _parsed_queries.get(query_string)
    if parsed is None:
        parsed = _verification_request(http_request)
        if len(_parsed_queries) >= PARSED_QUERIES_KEPT:
            _parsed_queries.pop(next(iter(_parsed_queries), b""), None)
        _parsed_queries[query_string] = parsed
    return parsed


def _verification_request(http_request: Request) -> VerificationRequestIn:
    """Parse and validate the query (see verification_query)."""
    params = _parse_query(http_request)
    raw = {
        "certificate_number": params.certificate_number,
        "certification_body": params.certification_body or None,
        "accreditation_body": params.accreditation_body or None,
        "organization": params.organization or None,
        "standard": params.standard or None,
        "scope": params.scope or None,
        "country": params.country or None,
        "as_of": params.as_of,
    }
    try:
        return VerificationRequestIn.model_validate(raw)
    except ValidationError as exc:
        errors = validation_errors(exc.errors())
        for e in errors:
            e["parameter"], e["location"] = e["pointer"].lstrip("/"), "query"
        raise ValidationProblem(
            "; ".join(f"{e['parameter']}: {e['detail']}" for e in errors), errors=errors
        ) from exc


VerificationQueryDep = Annotated[VerificationRequestIn, Depends(verification_query)]


class CacheFirstRoute(APIRoute):
    """GET /v1/verify: an anonymous request whose facts are all in the app's fast-path fact cache
    is answered in the event loop, before FastAPI solves the route's dependencies (pure CPU,
    BENCHMARKS.md "The fast path"); anything else (an API key, a fact to read, a registry-version
    poll due, no fast-path cache yet) goes to the route and its dependencies as usual, the
    verification itself in the thread pool.

    The sync dependencies (the sessions, the principal) each take a thread-pool hand-off, so the
    event-loop path must not wait for them; it needs none: it answers only from the cache of the
    app's own read engine (FastPathCache), which a session override never leads to.

    The database path pays those hand-offs (one in all while the dependencies were solved by
    hand): 231/s with them solved by hand, 203/s now (179/s without DATABASE_PATH_VERIFICATIONS
    on the session), one uvicorn worker on a SQLite demo registry of 10,000 certificates with the
    fact cache off, 32 keep-alive connections from a Python client on the same two cores; the
    event-loop path 3,130/s before and 3,320/s now on a hot set of 100 numbers (issue 12).
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        """FastAPI's handler of the route, behind the event-loop path."""
        through_dependencies = super().get_route_handler()

        async def verify_get_cache_first(http_request: Request) -> Response:
            if "authorization" not in http_request.headers:
                engine = (await get_fast_path_cache(http_request)).engine
                if engine is not None:
                    request = await verification_query(http_request)
                    cached = verify_from_cache(engine, request=request)
                    if cached is not None:
                        return FastJSONResponse(cached)
            return await through_dependencies(http_request)

        return verify_get_cache_first


def verify_get(
    request: VerificationQueryDep,
    session: VerificationSessionDep,
    read_session: ReadSessionDep,
    principal: PrincipalDep,
    fast_path_cache: FastPathCacheDep,
) -> Any:
    """Verify one certificate; the verdict is the answer, so `not_found` is a 200 too."""
    answer = _answer(session, read_session, principal, request)
    fast_path_cache.adopt(read_session)  # the facts just read may answer the next ones
    return FastJSONResponse(answer)


router.add_api_route(
    "/verify",
    verify_get,
    methods=["GET"],
    response_model=VerificationRead,
    summary="Verify a certificate",
    openapi_extra={"parameters": _openapi_parameters(VerifyQuery)},
    route_class_override=CacheFirstRoute,
)


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
