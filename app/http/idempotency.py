"""`Idempotency-Key` on POST writes: a retry of the same request answers the first answer again.

API.md, second round: the same key with the same request within 24 hours answers the first
response again (with `Idempotent-Replayed: true`); the same key with a different request is 409.
How it works, per request:

- Only keyed POSTs under /v1 that carry the header, except the bulk uploads (`EXEMPT_PATHS`:
  an import is an idempotent upsert already and a batch verification writes no registry data,
  while their answers run to megabytes). Anonymous requests write nothing kept: the header is
  ignored there. Keys are scoped per client principal: one client's key never meets another's.
- The header: 1 to 255 printable ASCII characters (422 otherwise).
- The request's fingerprint: SHA-256 of method, path, query string, content type and body,
  byte for byte.
- The store (app/services/idempotency.py) reserves the key in a transaction of its own before
  the request runs; a reservation still running answers 409 with `Retry-After` (two retries in
  flight never both run). A 2xx answer is kept; any other answer releases the key, so a corrected
  request may use it (a 4xx or 5xx answer wrote nothing: the request's transaction rolled back).

It sits inside the rate limits, size limits and timeouts (app/http/install.py): a replay is
charged and bounded like any request.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass, field
from typing import Any, Protocol

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import problem_response

log = logging.getLogger("certverify.idempotency")

HEADER = b"idempotency-key"
REPLAYED_HEADER = "Idempotent-Replayed"
TTL_HOURS = 24
EXEMPT_PATHS = frozenset(
    {"/v1/verifications/batch", "/v1/certificates/import", "/v1/accreditations/import"}
)
MAX_KEPT_RESPONSE_BYTES = 1024 * 1024
"""Answers larger than this are not kept (no covered operation comes near: a certificate's
answer is a few kilobytes); the key is then released, as after an error."""
_VALID_KEY = re.compile(r"^[\x21-\x7e](?:[\x20-\x7e]{0,253}[\x21-\x7e])?$")
_NOT_KEPT_HEADERS = frozenset({b"content-length", b"date", b"server"})


@dataclass(frozen=True, slots=True)
class StoredResponse:
    """A kept answer."""

    status: int
    headers: list[tuple[str, str]]
    body: bytes


@dataclass(frozen=True, slots=True)
class Reservation:
    """What the store decided for one request: `proceed` (the key is reserved for it, `token`
    names the reservation), `replay` (the kept answer), or `conflict` (409 with `detail`)."""

    outcome: str
    token: Any = None
    stored: StoredResponse | None = None
    detail: str = ""
    retry_after: int | None = None


class IdempotencyStore(Protocol):
    """Where keys and kept answers live (sync: called in the thread pool)."""

    def reserve(self, scope: Scope, *, key: str, fingerprint: str) -> Reservation | None:
        """Reserve `key` for this request, or say why not; None when the request is not the
        client's to key (anonymous, or a key the routes will refuse with 401)."""
        ...

    def keep(self, token: Any, response: StoredResponse) -> None:
        """Keep the answer of a reserved request."""
        ...

    def release(self, token: Any) -> None:
        """Forget a reservation whose request wrote nothing (it answered an error)."""
        ...


def fingerprint(scope: Scope, content_type: bytes, body: bytes) -> str:
    """SHA-256 of what makes the request this request."""
    digest = hashlib.sha256()
    for part in (
        scope["method"].encode(),
        scope["path"].encode("utf-8", "surrogateescape"),
        scope.get("query_string", b""),
        content_type,
        body,
    ):
        digest.update(len(part).to_bytes(8, "big"))
        digest.update(part)
    return digest.hexdigest()


def _header_values(scope: Scope, name: bytes) -> list[bytes]:
    return [bytes(v) for k, v in scope["headers"] if k.lower() == name]


@dataclass
class _Captured:
    """The answer as it is sent, kept while it stays under the limit."""

    status: int = 0
    headers: list[tuple[str, str]] = field(default_factory=list)
    chunks: list[bytes] = field(default_factory=list)
    size: int = 0
    started: bool = False
    complete: bool = False
    too_large: bool = False


class IdempotencyMiddleware:
    """Answer a retried POST from the kept answer; keep the answers of new ones."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or not scope["path"].startswith("/v1/")
            or scope["path"] in EXEMPT_PATHS
        ):
            await self.app(scope, receive, send)
            return
        values = _header_values(scope, HEADER)
        store: IdempotencyStore | None = getattr(scope["app"].state, "idempotency_store", None)
        if not values or store is None:
            await self.app(scope, receive, send)
            return
        key = values[0].decode("latin-1")
        if len(values) > 1 or not _VALID_KEY.match(key):
            await self._problem(
                scope,
                receive,
                send,
                status=422,
                slug="validation-error",
                detail="Idempotency-Key: send one key of 1 to 255 printable ASCII characters.",
                errors=[
                    {
                        "pointer": "/Idempotency-Key",
                        "detail": "one key of 1 to 255 printable ASCII characters",
                        "parameter": "Idempotency-Key",
                        "location": "header",
                    }
                ],
            )
            return
        body, receive = await _read_body(receive)
        content_type = b";".join(_header_values(scope, b"content-type"))
        reservation = await run_in_threadpool(
            store.reserve, scope, key=key, fingerprint=fingerprint(scope, content_type, body)
        )
        if reservation is None:
            await self.app(scope, receive, send)
            return
        if reservation.outcome == "replay":
            assert reservation.stored is not None
            await _replay(reservation.stored, send)
            return
        if reservation.outcome == "conflict":
            headers = (
                {"Retry-After": str(reservation.retry_after)} if reservation.retry_after else None
            )
            await self._problem(
                scope,
                receive,
                send,
                status=409,
                slug="conflict",
                detail=reservation.detail,
                headers=headers,
            )
            return
        await self._run_and_keep(scope, receive, send, store, reservation.token)

    async def _run_and_keep(
        self, scope: Scope, receive: Receive, send: Send, store: IdempotencyStore, token: Any
    ) -> None:
        """Run the request, capture its answer, then keep it (2xx) or release the key."""
        captured = _Captured()

        async def send_and_capture(message: Message) -> None:
            if message["type"] == "http.response.start":
                captured.started = True
                captured.status = int(message["status"])
                captured.headers = [
                    (bytes(k).decode("latin-1"), bytes(v).decode("latin-1"))
                    for k, v in message.get("headers", [])
                    if bytes(k).lower() not in _NOT_KEPT_HEADERS
                ]
            elif message["type"] == "http.response.body":
                chunk = bytes(message.get("body", b""))
                captured.size += len(chunk)
                if captured.size > MAX_KEPT_RESPONSE_BYTES:
                    captured.too_large = True
                    captured.chunks.clear()
                elif not captured.too_large:
                    captured.chunks.append(chunk)
                if not message.get("more_body", False):
                    captured.complete = True
            await send(message)

        try:
            await self.app(scope, receive, send_and_capture)
        except BaseException:
            # Cancelled (a timeout) or failed before answering: the request's transaction was
            # rolled back, so the key is free again.
            await run_in_threadpool(store.release, token)
            raise
        if 200 <= captured.status < 300 and captured.complete and not captured.too_large:
            kept = StoredResponse(captured.status, captured.headers, b"".join(captured.chunks))
            await run_in_threadpool(store.keep, token, kept)
        else:
            if captured.too_large:
                log.warning(
                    "answer too large to keep for Idempotency-Key", extra={"path": scope["path"]}
                )
            await run_in_threadpool(store.release, token)

    async def _problem(
        self,
        scope: Scope,
        receive: Receive,
        send: Send,
        *,
        status: int,
        slug: str,
        detail: str,
        errors: list[dict[str, str]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        response = problem_response(
            Request(scope), status=status, slug=slug, detail=detail, errors=errors, headers=headers
        )
        await response(scope, receive, send)


async def _read_body(receive: Receive) -> tuple[bytes, Receive]:
    """The whole request body (the size limit outside bounds it), and a receive() that gives
    it to the app again."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            pending: list[Message] = [message]
            break
        chunks.append(bytes(message.get("body", b"")))
        if not message.get("more_body", False):
            pending = []
            break
    body = b"".join(chunks)
    replayed = [{"type": "http.request", "body": body, "more_body": False}, *pending]

    async def replay() -> Message:
        if replayed:
            return replayed.pop(0)
        return await receive()

    return body, replay


async def _replay(stored: StoredResponse, send: Send) -> None:
    """Send the kept answer again, marked as a replay."""
    headers = [(k.encode("latin-1"), v.encode("latin-1")) for k, v in stored.headers]
    headers.append((b"content-length", str(len(stored.body)).encode()))
    headers.append((REPLAYED_HEADER.lower().encode(), b"true"))
    await send({"type": "http.response.start", "status": stored.status, "headers": headers})
    await send({"type": "http.response.body", "body": stored.body})
