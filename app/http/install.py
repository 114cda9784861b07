"""The one place that puts the HTTP plumbing around the routers, in order (innermost first):
JSON body checks, the production layers of `hardening` (limits, timeouts, rate limits, metrics
and access log, CORS, OpenAPI), the request id, the security headers (outermost, so that every
answer carries them, problems included)."""

from __future__ import annotations

from fastapi import FastAPI

from app.config import Settings
from app.http.hardening import install_hardening
from app.http.middleware import JsonBodyMiddleware, RequestIdMiddleware, SecurityHeadersMiddleware


def install_http(app: FastAPI, settings: Settings) -> None:
    """Add every HTTP layer to `app`, configured by `settings`."""
    app.add_middleware(JsonBodyMiddleware)
    install_hardening(app, settings)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
