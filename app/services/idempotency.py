"""The database behind `Idempotency-Key` (app/http/idempotency.py): reservations and kept
answers, scoped per client principal, forgotten after 24 hours.

Each step is a short transaction of its own, apart from the request's: the key is reserved
(committed) before the request runs, so a concurrent retry sees it and answers 409; the answer
is kept, or the reservation deleted, after the request's transaction has ended. Kept answers
are sealed with the key-encryption key of webhook secrets (app/keystore.py), since the answer
to a webhook's creation or secret rotation carries the secret.
"""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from starlette.types import Scope

from app import clock
from app.errors import AppError
from app.http.idempotency import TTL_HOURS, Reservation, StoredResponse
from app.keystore import seal, unseal
from app.models import IdempotencyKey
from app.repositories.idempotency import (
    add_idempotency_record,
    delete_idempotency_record,
    delete_idempotency_records_before,
    idempotency_record,
)
from app.services.auth import Principal, authenticate

if TYPE_CHECKING:
    from fastapi import FastAPI

Sessions = Callable[[], AbstractContextManager[Session]]
STALE_AFTER = timedelta(minutes=5)
"""A reservation this old without an answer belongs to a request that died (timeouts answer
within 30 s): its outcome is unknown, so the key is refused rather than run again."""


def principal_scope(principal: Principal) -> str | None:
    """The owner of a client's keys: its client when keys belong to clients, else its key."""
    client_id = getattr(principal, "client_id", None)
    if client_id is not None:
        return f"client:{client_id}"
    if principal.key_id is not None:
        return f"key:{principal.key_id}"
    return None


def sessions_of(app: FastAPI, dependency: Callable[..., Iterator[Session]]) -> Sessions:
    """Sessions opened as a request's are: through `dependency` (the app's get_session, or
    what replaces it on the app), so the keys live wherever the request's writes do."""

    def open_session() -> AbstractContextManager[Session]:
        chosen = app.dependency_overrides.get(dependency, dependency)
        return contextmanager(chosen)()

    return open_session


class DatabaseIdempotencyStore:
    """IdempotencyStore (app/http/idempotency.py) over the idempotency_keys table."""

    def __init__(self, sessions: Sessions) -> None:
        self.sessions = sessions

    def _principal(self, session: Session, scope: Scope) -> Principal | None:
        """The request's principal: the one verified before routing, else the key's."""
        verified = scope.get("state", {}).get("principal")
        if isinstance(verified, Principal):
            return verified
        header = next(
            (
                bytes(v).decode("latin-1")
                for k, v in scope["headers"]
                if k.lower() == b"authorization"
            ),
            None,
        )
        if header is None:
            return None
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        try:
            return authenticate(session, token.strip())
        except AppError:
            return None  # the route answers 401 (or 429) itself

    def reserve(self, scope: Scope, *, key: str, fingerprint: str) -> Reservation | None:
        """Reserve `key` for this request, or answer from (or refuse on) an earlier use."""
        now = clock.now()
        with self.sessions() as session:
            principal = self._principal(session, scope)
            owner = principal_scope(principal) if principal is not None else None
            if owner is None:
                return None
            delete_idempotency_records_before(session, now - timedelta(hours=TTL_HOURS))
            record = IdempotencyKey(
                principal=owner,
                idempotency_key=key,
                fingerprint=fingerprint,
                method=scope["method"],
                path=scope["path"][:2000],
                created_at=now,
            )
            try:
                with session.begin_nested():
                    add_idempotency_record(session, record)
            except IntegrityError:
                earlier = idempotency_record(session, principal=owner, idempotency_key=key)
                if earlier is None:  # released meanwhile: the retry may run
                    return Reservation("conflict", detail=_BUSY, retry_after=1)
                return _answer_from(earlier, fingerprint, now)
            return Reservation("proceed", token=record.id)

    def keep(self, token: Any, response: StoredResponse) -> None:
        """Keep the answer on the reservation."""
        with self.sessions() as session:
            record = session.get(IdempotencyKey, token)
            if record is None:
                return
            record.status_code = response.status
            record.response = seal_response(response)
            record.completed_at = clock.now()

    def release(self, token: Any) -> None:
        """Delete the reservation."""
        if not isinstance(token, uuid.UUID):
            return
        with self.sessions() as session:
            delete_idempotency_record(session, token)


_BUSY = "A request with this Idempotency-Key is still being processed; retry once it has answered."


def _answer_from(record: IdempotencyKey, fingerprint: str, now: Any) -> Reservation:
    """What an earlier use of the key means for this request."""
    if record.fingerprint != fingerprint:
        return Reservation(
            "conflict",
            detail="This Idempotency-Key was used with a different request (method, path, query "
            f"or body) in the last {TTL_HOURS} hours; send a new key for a new request.",
        )
    if record.status_code is None:
        if now - record.created_at > STALE_AFTER:
            return Reservation(
                "conflict",
                detail="The first request with this Idempotency-Key never finished answering, "
                "so whether it was done is unknown: check, then send a new key.",
            )
        return Reservation("conflict", detail=_BUSY, retry_after=1)
    return Reservation("replay", stored=unseal_response(record.status_code, record.response or ""))


def seal_response(response: StoredResponse) -> str:
    """The answer's headers and body, encrypted for storage (the answer to a webhook's
    creation carries its secret; at rest it is as safe as the secret itself)."""
    payload = {
        "headers": [list(pair) for pair in response.headers],
        "body": base64.b64encode(response.body).decode("ascii"),
    }
    return seal(json.dumps(payload, separators=(",", ":")))


def unseal_response(status: int, sealed: str) -> StoredResponse:
    """A kept answer back from storage."""
    payload = json.loads(unseal(sealed))
    headers = [(str(k), str(v)) for k, v in payload["headers"]]
    return StoredResponse(status, headers, base64.b64decode(payload["body"]))


def install_idempotency_store(app: FastAPI) -> None:
    """Keep the app's Idempotency-Key answers in its database (app/http/idempotency.py)."""
    from app.db import get_session

    app.state.idempotency_store = DatabaseIdempotencyStore(sessions_of(app, get_session))
