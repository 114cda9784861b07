"""ASGI middleware: JSON-only request bodies; the request id and the security headers that
app/http/edge.py sets."""

from __future__ import annotations

import re
from contextvars import ContextVar

from starlette.types import ASGIApp, Receive, Scope, Send

from app.errors import PROBLEM_MEDIA_TYPE, problem_body

current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)
_SAFE_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
# Operations that take a non-JSON body (e.g. CSV uploads) register their paths here.
NON_JSON_BODY_PATHS: set[str] = set()


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
