"""Production wiring: limits, timeouts, CORS, metrics and logs, the OpenAPI customisation.

`create_app` calls `install_hardening` between the JSON-body guard (innermost) and the request-id
middleware, so every layer below sees the request id. From the outside in:

RequestId -> Observability (metrics, access log) -> CORS (/v1, /.well-known) -> Timeout
-> RateLimit (key verification, 401, 429) -> RequestSize (413, 422) -> JsonBody (415) -> routes
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query
from starlette.middleware.cors import CORSMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.config import Settings
from app.http.limits import (
    RequestSizeMiddleware,
    RequestTimeoutMiddleware,
    install_request_cancellation,
)
from app.http.observability import ObservabilityMiddleware, configure_logging
from app.http.openapi import install_openapi
from app.http.ratelimit import KeyVerifier, RateLimiter, RateLimitMiddleware

CORS_PREFIXES = ("/v1/", "/.well-known/")


class ApiCorsMiddleware:
    """CORS for the API only: the HTML pages are same-origin and keep no CORS headers."""

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
        if scope["type"] == "http" and scope["path"].startswith(CORS_PREFIXES):
            if any(name == b"origin" for name, _ in scope["headers"]):
                await self.cors(scope, receive, send)
                return
            # No Origin (servers, scripts: most API traffic): nothing to allow, only the
            # `Vary: Origin` Starlette's CORSMiddleware adds, without its per-request objects.
            await self.app(scope, receive, _vary_origin(send))
            return
        await self.app(scope, receive, send)


def _vary_origin(send: Send) -> Send:
    """`send` that adds Origin to the response's Vary header (as CORSMiddleware does)."""

    async def send_with_vary(message: Message) -> None:
        if message["type"] == "http.response.start":
            headers = list(message.get("headers", []))
            vary = [value for name, value in headers if name.lower() == b"vary"]
            headers = [(name, value) for name, value in headers if name.lower() != b"vary"]
            headers.append((b"vary", b", ".join([*vary, b"Origin"])))
            message["headers"] = headers
        await send(message)

    return send_with_vary


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(",") if part.strip()]


testing_router = APIRouter(include_in_schema=False)


@testing_router.get("/_test/sleep")
def sleep_for_tests(seconds: Annotated[float, Query(ge=0, le=30)] = 1.0) -> dict[str, float]:
    """A deliberately slow request (CERTVERIFY_TESTING_ROUTES only): timeouts, graceful stop."""
    time.sleep(seconds)
    return {"slept": seconds}


def install_hardening(app: FastAPI, settings: Settings, *, verify_key: KeyVerifier) -> None:
    """Add the production middleware (innermost first) and the OpenAPI customisation.

    RateLimitMiddleware is always there: it verifies presented keys (with `verify_key`) before
    routing even when rate limits are off.
    """
    app.add_middleware(RequestSizeMiddleware, settings=settings)
    limiter = RateLimiter.from_settings(settings)
    app.add_middleware(RateLimitMiddleware, limiter=limiter, verify_key=verify_key)
    install_request_cancellation()  # a timed-out request's database work stops and rolls back
    app.add_middleware(RequestTimeoutMiddleware, settings=settings)
    app.add_middleware(ApiCorsMiddleware, settings=settings)
    app.add_middleware(ObservabilityMiddleware)
    app.state.rate_limiter = limiter
    if settings.testing_routes:
        app.include_router(testing_router)
    configure_logging(settings.log_level, settings.log_format)
    install_openapi(app)
