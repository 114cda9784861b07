"""Public keys for receipts, problem-type pages, health probes and metrics."""

from __future__ import annotations

import html
from functools import lru_cache
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from app.deps import SessionDep
from app.errors import PROBLEM_TYPES, NotFound
from app.http.observability import METRICS_CONTENT_TYPE, metrics_text, webhook_backlog_gauge
from app.schemas.operations import Health, JwkSet, Readiness
from app.services.health import database_state, read_replica_reachable, webhook_backlog
from app.services.verification.receipts import public_jwks

router = APIRouter()


@router.get("/.well-known/jwks.json", response_model=JwkSet, tags=["receipts"])
def jwks(session: SessionDep) -> JSONResponse:
    """The public keys that verify receipts (RFC 7517 JWK Set)."""
    return JSONResponse(public_jwks(session), headers={"Cache-Control": "public, max-age=300"})


@router.get("/problems/{slug}", response_class=HTMLResponse, tags=["operations"])
def problem_page(slug: str) -> HTMLResponse:
    """A human-readable page for each problem `type`."""
    if slug not in PROBLEM_TYPES:
        raise NotFound(f"No problem type {slug!r}.")
    title, text_ = PROBLEM_TYPES[slug]
    body = (
        f"<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{html.escape(title)}"
        f"</title></head><body><h1>{html.escape(title)}</h1><p>{html.escape(text_)}</p>"
        f"<p>Problem type <code>/problems/{html.escape(slug)}</code> (RFC 9457).</p></body></html>"
    )
    return HTMLResponse(body)


@router.get("/healthz", response_model=Health, tags=["operations"])
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@lru_cache
def head_revision() -> str | None:
    """The newest migration shipped with this code (read once)."""
    from app.migrate import newest_revision

    return newest_revision()


_NOT_READY: dict[int | str, dict[str, Any]] = {
    503: {
        "model": Readiness,
        "description": "Not ready: the database is unreachable or not migrated.",
    }
}


@router.get("/readyz", response_model=Readiness, tags=["operations"], responses=_NOT_READY)
def readyz(session: SessionDep) -> Any:
    """Ready when the database (and the read replica, if any) answers and is at the newest
    migration; 503 otherwise, so a load balancer stops sending traffic here."""
    no_store = {"Cache-Control": "no-store"}
    database = database_state(session)
    if not database.reachable:
        return JSONResponse(
            {"status": "unavailable", "database": "unreachable"}, status_code=503, headers=no_store
        )
    current = database.migration
    head = head_revision()
    if current != head:
        return JSONResponse(
            {"status": "unavailable", "database": "ok", "migration": current, "head": head},
            status_code=503,
            headers=no_store,
        )
    body: dict[str, Any] = {"status": "ok", "database": "ok", "migration": current}
    replica = read_replica_reachable()
    if replica is not None:
        if not replica:
            body.update(status="unavailable", read_replica="unreachable")
            return JSONResponse(body, status_code=503, headers=no_store)
        body["read_replica"] = "ok"
    return JSONResponse(body, headers=no_store)


@router.get(
    "/metrics",
    tags=["operations"],
    response_class=Response,
    responses={
        200: {
            "content": {"text/plain": {"schema": {"type": "string"}}},
            "description": "Prometheus text format.",
        }
    },
)
def metrics(request: Request, session: SessionDep) -> Response:
    """Prometheus metrics of this process, for the metrics token or loopback clients only
    (app/http/observability.py); the webhook backlog is recounted at most every
    CERTVERIFY_METRICS_BACKLOG_REFRESH_SECONDS, not at every scrape."""
    gauge = webhook_backlog_gauge(request.app.state, request.app.state.settings)
    gauge.refresh(lambda: webhook_backlog(session))
    return Response(metrics_text(), media_type=METRICS_CONTENT_TYPE)
