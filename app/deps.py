"""Request dependencies: the transactional session and the calling principal."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy.orm import Session

from app.db import get_read_session, get_session
from app.errors import Unauthorized
from app.http.ratelimit import charge_failed_authentication, charge_key
from app.services.auth import ANONYMOUS, Principal, authenticate

SessionDep = Annotated[Session, Depends(get_session, scope="function")]
# Read-only routes (verification, public registry reads): the read replica when configured.
ReadSessionDep = Annotated[Session, Depends(get_read_session, scope="function")]


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
