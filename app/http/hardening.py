"""Production wiring: limits, timeouts, rate limits, the OpenAPI customisation, the log setup.

`install_http` (app/http/install.py) calls `install_hardening` between the JSON-body guard
(innermost) and the edge layer (app/http/edge.py: request id, metrics and access log, CORS,
security headers), so every layer below sees the request id. From the outside in:

Edge -> Timeout -> RateLimit (key verification, 401, 429) -> RequestSize (413, 422)
-> Idempotency -> JsonBody (415) -> routes
"""

from __future__ import annotations

import time
from typing import Annotated

from fastapi import APIRouter, FastAPI, Query

from app.config import Settings
from app.http.limits import (
    RequestSizeMiddleware,
    RequestTimeoutMiddleware,
    install_request_cancellation,
)
from app.http.observability import configure_logging
from app.http.openapi import install_openapi
from app.http.ratelimit import KeyVerifier, RateLimiter, RateLimitMiddleware

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
    app.state.rate_limiter = limiter
    if settings.testing_routes:
        app.include_router(testing_router)
    configure_logging(settings.log_level, settings.log_format, in_thread=settings.log_queue)
    install_openapi(app)
