"""The outer edge of every request, in one ASGI layer: request id, security headers, metrics and
access log (and the /metrics guard), CORS for the API.

These were four middlewares, each with its own call and its own `send` wrapper, so every
response start and body went through four more coroutines. One layer does the same work in the
same order, its response headers changed in the order the nested layers changed them (innermost
first): `Vary: Origin` (API paths without Origin), then `X-Request-ID`, then the security headers
(nosniff, no-referrer, DENY framing, and a strict CSP on our HTML and SVG unless the route set one).
"""

from __future__ import annotations

import logging
import time
import uuid

from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.errors import problem_response
from app.http.middleware import (
    _ALWAYS,
    _CSP_MEDIA_TYPES,
    _SAFE_ID,
    PAGE_CSP,
    current_request_id,
)
from app.http.observability import (
    _QUIET_PATHS,
    METRICS_PATH,
    _series,
    _without_authorization,
    access_log,
    metrics_refusal,
    route_template,
)

CORS_PREFIXES = ("/v1/", "/.well-known/")
_PAGE_CSP = PAGE_CSP.encode()


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


class EdgeMiddleware:
    """Give every request an id (or keep a safe incoming X-Request-ID) and echo it back; count,
    time and access-log it; answer CORS for the API only (the HTML pages are same-origin); add
    the security headers to every answer, problems included."""

    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.cors = CORSMiddleware(
            app,
            allow_origins=_split(settings.cors_allow_origins),
            allow_methods=_split(settings.cors_allow_methods),
            allow_headers=["Authorization", "Content-Type", "Accept", "X-Request-ID"],
            expose_headers=["X-Request-ID", "RateLimit", "RateLimit-Policy", "Retry-After"],
            allow_credentials=False,
            max_age=600,
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        incoming = b""
        has_origin = False
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                incoming = value  # the last one, as a dict of the headers would keep
            elif name == b"origin":
                has_origin = True
        text_id = incoming.decode("latin-1")
        request_id = text_id if _SAFE_ID.match(text_id) else uuid.uuid4().hex
        scope.setdefault("state", {})["request_id"] = request_id
        token = current_request_id.set(request_id)
        path: str = scope["path"]
        api = path.startswith(CORS_PREFIXES)
        # No Origin (servers, scripts: most API traffic): nothing to allow, only the
        # `Vary: Origin` Starlette's CORSMiddleware adds, without its per-request objects.
        vary = api and not has_origin
        id_header = (b"x-request-id", request_id.encode())
        started = time.perf_counter()
        status = 500

        async def edge_send(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                headers = list(message.get("headers", []))
                if vary:
                    varies = [v for n, v in headers if n.lower() == b"vary"]
                    headers = [(n, v) for n, v in headers if n.lower() != b"vary"]
                    headers.append((b"vary", b", ".join([*varies, b"Origin"])))
                headers.append(id_header)
                present = {n.lower() for n, _ in headers}
                headers.extend(h for h in _ALWAYS if h[0] not in present)
                ctype = next((v for n, v in headers if n.lower() == b"content-type"), b"")
                if (
                    ctype.split(b";")[0].strip().lower() in _CSP_MEDIA_TYPES
                    and b"content-security-policy" not in present
                ):
                    headers.append((b"content-security-policy", _PAGE_CSP))
                message["headers"] = headers
            await send(message)

        try:
            if path == METRICS_PATH:
                settings: Settings = scope["app"].state.settings
                refusal = metrics_refusal(settings, scope)
                if refusal is not None:
                    status_code, slug, detail, extra = refusal
                    response = problem_response(
                        Request(scope), status=status_code, slug=slug, detail=detail, headers=extra
                    )
                    await response(scope, receive, edge_send)
                    return
                scope = _without_authorization(scope)
            if api and has_origin:
                await self.cors(scope, receive, edge_send)
            else:
                await self.app(scope, receive, edge_send)
        finally:
            try:
                elapsed = time.perf_counter() - started
                route = route_template(scope)
                counter, histogram = _series(scope["method"], route, status)
                counter.inc()
                histogram.observe(elapsed)
                level = logging.DEBUG if path in _QUIET_PATHS else logging.INFO
                if access_log.isEnabledFor(level):
                    # The record made directly: Logger.log would also walk the stack for the
                    # caller's file and line, which no log format here prints.
                    client = scope.get("client")
                    method = scope["method"]
                    record = access_log.makeRecord(
                        access_log.name,
                        level,
                        __file__,
                        0,
                        "%s %s %s",
                        (method, path, status),
                        None,
                        extra={
                            "event": "request",
                            "method": method,
                            "path": path,
                            "route": route,
                            "status": status,
                            "duration_ms": round(elapsed * 1000, 2),
                            "client": client[0] if client else None,
                        },
                    )
                    access_log.handle(record)
            finally:
                current_request_id.reset(token)
