"""Request dependencies: the transactional session, the calling principal, the app's caches."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Annotated

from fastapi import Depends, FastAPI, Request
from sqlalchemy.orm import Session

from app.db import get_read_session, get_session
from app.errors import Unauthorized
from app.http.ratelimit import verified_principal
from app.services.auth import ANONYMOUS, Principal, authenticate
from app.services.verification.cache import FastPathCache

SessionDep = Annotated[Session, Depends(get_session, scope="function")]
StreamingSessionDep = Annotated[Session, Depends(get_session, scope="request")]
"""A session open until the whole response is sent (a streamed batch commits each chunk)."""
# Read-only routes (verification, public registry reads): the read replica when configured.
ReadSessionDep = Annotated[Session, Depends(get_read_session, scope="function")]
DATABASE_PATH_VERIFICATIONS = 4
"""GET /v1/verify requests on the database path at once in a process: a few keep the database
busy, while dozens only queue for the GIL in turn. Measured once, changing this value when it
bounded the threads of those verifications: uvicorn on bench/.data/registry-100000.db,
`wrk -t2 -c32 -d6s -s bench/wrk/numbers.lua` with the registry's numbers file (uniform draws):
194/s with the thread pool's 40 threads, 225/s with 8, 280/s with 4, 240/s with 2. It now bounds
the requests holding a session (VerificationSessionDep), so the thread-pool hand-offs of their
sync dependencies are bounded with them."""
VerificationSessionDep = Annotated[
    Session,
    Depends(get_session, scope="function", max_concurrency=DATABASE_PATH_VERIFICATIONS),
]
"""The session of a GET /v1/verify on the database path: the others wait in the event loop."""


def verify_api_key(app: FastAPI, authorization: str) -> Principal:
    """Resolve an `Authorization` header to its key's Principal, or raise 401 (malformed,
    unknown or revoked key; RFC 6750 `invalid_token` for a bearer key that fails). Called before
    routing by RateLimitMiddleware for every request that sends one, in a session of the app's
    session dependency as the app resolves it (an override included), committed at once (the
    key's `last_used_at`)."""
    scheme, _, token = authorization.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise Unauthorized("Send the API key as: Authorization: Bearer <api key>.")
    open_session = app.dependency_overrides.get(get_session, get_session)
    try:
        with contextmanager(open_session)() as session:
            return authenticate(session, token)
    except Unauthorized as exc:
        raise Unauthorized.invalid_token(exc.detail) from exc


async def get_principal(request: Request) -> Principal:
    """The caller: anonymous without a key, else the key RateLimitMiddleware verified before
    routing (a bad key never gets this far: it was answered 401 there). No I/O, so it is solved
    in the event loop."""
    principal = verified_principal(request.scope)
    if principal is not None:
        return principal
    if "authorization" in request.headers:  # never trust a key that nothing verified
        raise Unauthorized.invalid_token("The API key could not be verified.")
    return ANONYMOUS


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def get_fast_path_cache(request: Request) -> FastPathCache:
    """The app's record of the fact cache its event-loop path answers from (app.state, made once
    by create_app; no I/O, so it is solved in the event loop)."""
    fast_path: FastPathCache = request.app.state.fast_path_cache
    return fast_path


FastPathCacheDep = Annotated[FastPathCache, Depends(get_fast_path_cache)]
