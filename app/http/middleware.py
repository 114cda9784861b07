"""ASGI middleware: request ids, JSON-only request bodies and security headers."""

from __future__ import annotations

import re
import uuid
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import PROBLEM_MEDIA_TYPE, problem_body

current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Operations that take a non-JSON body (e.g. CSV uploads) register their paths here.
NON_JSON_BODY_PATHS: set[str] = set()


class RequestIdMiddleware:
    """Give every request an id (or keep a safe incoming X-Request-ID) and echo it back."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
        request_id = incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        token = current_request_id.set(request_id)

        async def send_with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers.append((b"x-request-id", request_id.encode()))
                message["headers"] = headers
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            current_request_id.reset(token)


class JsonBodyMiddleware:
    """Answer 415 problem+json when a write under /v1 sends a body that is not JSON."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if (
            scope["type"] == "http"
            and scope["method"] in {"POST", "PUT", "PATCH"}
            and scope["path"].startswith("/v1/")
            and scope["path"] not in NON_JSON_BODY_PATHS
        ):
            headers = dict(scope["headers"])
            ctype = (
                headers.get(b"content-type", b"").decode("latin-1").split(";")[0].strip().lower()
            )
            has_body = (
                headers.get(b"content-length", b"0") != b"0" or b"transfer-encoding" in headers
            )
            if has_body and not (ctype == "application/json" or ctype.endswith("+json")):
                await _problem_415(scope, send, ctype)
                return
        await self.app(scope, receive, send)


async def _problem_415(scope: Scope, send: Send, ctype: str) -> None:
    import json

    request_id = scope.get("state", {}).get("request_id")
    body = json.dumps(
        problem_body(
            status=415,
            slug="unsupported-media-type",
            detail=f"Send the body as application/json (got {ctype or 'no content type'}).",
            instance=scope["path"],
            request_id=request_id,
        )
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 415,
            "headers": [
                (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
                (b"content-length", str(len(body)).encode()),
                (b"accept", b"application/json"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


PAGE_CSP = (
    "default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'none'; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
)
_CSP_MEDIA_TYPES = (b"text/html", b"image/svg+xml")
_ALWAYS: tuple[tuple[bytes, bytes], ...] = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
)


class SecurityHeadersMiddleware:
    """Add nosniff, no-referrer and DENY framing everywhere, and a strict CSP to our HTML/SVG
    unless the route set a policy of its own (/docs and /redoc: app/routers/docs.py)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                present = {name.lower() for name, _ in headers}
                headers.extend(h for h in _ALWAYS if h[0] not in present)
                ctype = next((v for k, v in headers if k.lower() == b"content-type"), b"")
                if (
                    ctype.split(b";")[0].strip().lower() in _CSP_MEDIA_TYPES
                    and b"content-security-policy" not in present
                ):
                    headers.append((b"content-security-policy", PAGE_CSP.encode()))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, send_with_headers)
