"""The one place that puts the HTTP plumbing around the routers, in order (innermost first):
JSON body checks, the production layers of `hardening` (limits, timeouts, rate limits, metrics
and access log, CORS, OpenAPI), the request id, the security headers (outermost, so that every
answer carries them, problems included)."""

from __future__ import annotations

from fastapi import FastAPI

from app.config import Settings
from app.http.hardening import install_hardening
from app.http.idempotency import IdempotencyMiddleware
from app.http.middleware import JsonBodyMiddleware, RequestIdMiddleware, SecurityHeadersMiddleware
from app.http.ratelimit import KeyVerifier


def install_http(app: FastAPI, settings: Settings, *, verify_key: KeyVerifier) -> None:
    """Add every HTTP layer to `app`, configured by `settings`; `verify_key` checks a presented
    API key before routing (app.deps.verify_api_key)."""
    app.add_middleware(JsonBodyMiddleware)
    app.add_middleware(IdempotencyMiddleware)  # inside the limits: replays are charged too
    install_hardening(app, settings, verify_key=verify_key)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
