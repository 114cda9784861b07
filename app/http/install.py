"""The one place that puts the HTTP plumbing around the routers, in order (innermost first):
JSON body checks, idempotency, the production layers of `hardening` (limits, timeouts, rate
limits, OpenAPI), then the edge (outermost, so that every answer carries its request id and
security headers, problems included, and is counted and logged): app/http/edge.py."""

from __future__ import annotations

from fastapi import FastAPI

from app.config import Settings
from app.http.edge import EdgeMiddleware
from app.http.hardening import install_hardening
from app.http.idempotency import IdempotencyMiddleware
from app.http.middleware import JsonBodyMiddleware
from app.http.ratelimit import KeyVerifier


def install_http(app: FastAPI, settings: Settings, *, verify_key: KeyVerifier) -> None:
    """Add every HTTP layer to `app`, configured by `settings`; `verify_key` checks a presented
    API key before routing (app.deps.verify_api_key)."""
    app.add_middleware(JsonBodyMiddleware)
    app.add_middleware(IdempotencyMiddleware)  # inside the limits: replays are charged too
    install_hardening(app, settings, verify_key=verify_key)
    # Request id, metrics and access log, CORS, security headers: one layer (app/http/edge.py).
    app.add_middleware(EdgeMiddleware, settings=settings)
