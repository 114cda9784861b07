"""Request dependencies: the transactional session, the calling principal, the app's caches."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.db import get_read_session, get_session
from app.errors import Unauthorized
from app.http.ratelimit import charge_failed_authentication, charge_key
from app.services.auth import ANONYMOUS, Principal, authenticate
from app.services.verification.cache import FastPathCache

SessionDep = Annotated[Session, Depends(get_session, scope="function")]
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


def get_principal(request: Request, session: SessionDep) -> Principal:
    """The caller: anonymous without a key; 401 for a malformed, unknown or revoked key."""
    header = request.headers.get("authorization")
    if header is None:
        return ANONYMOUS
    scheme, _, token = header.partition(" ")
    try:
        if scheme.lower() != "bearer" or not token.strip():
            raise Unauthorized("Send the API key as: Authorization: Bearer <api key>.")
        principal = authenticate(session, token.strip())
    except Unauthorized:
        charge_failed_authentication(request)  # key guessing runs into 429 per address
        raise
    request.state.principal = principal
    charge_key(request, principal)  # 429 when the key's budget is spent
    return principal


PrincipalDep = Annotated[Principal, Depends(get_principal)]


async def get_fast_path_cache(request: Request) -> FastPathCache:
    """The app's record of the fact cache its event-loop path answers from (app.state, made once
    by create_app; no I/O, so it is solved in the event loop)."""
    fast_path: FastPathCache = request.app.state.fast_path_cache
    return fast_path


FastPathCacheDep = Annotated[FastPathCache, Depends(get_fast_path_cache)]
