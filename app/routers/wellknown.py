"""Public keys for receipts, problem-type pages, health probes."""

from __future__ import annotations

import html
from typing import Any

from alembic.config import Config
from alembic.script import ScriptDirectory
from fastapi import APIRouter
from fastapi.responses import HTMLResponse, JSONResponse
from sqlalchemy import text

from app.deps import SessionDep
from app.errors import PROBLEM_TYPES, NotFound
from app.services.receipts import public_jwks

router = APIRouter()


@router.get("/.well-known/jwks.json", tags=["receipts"])
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


@router.get("/healthz", tags=["operations"])
def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


def head_revision() -> str | None:
    """The newest migration shipped with this code."""
    from app.migrate import alembic_config

    cfg: Config = alembic_config()
    return ScriptDirectory.from_config(cfg).get_current_head()


@router.get("/readyz", tags=["operations"])
def readyz(session: SessionDep) -> Any:
    """Ready when the database answers and its schema is at the newest migration."""
    try:
        current = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    except Exception:
        return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)
    head = head_revision()
    if current != head:
        return JSONResponse(
            {"status": "unavailable", "database": "ok", "migration": current, "head": head},
            status_code=503,
        )
    return {"status": "ok", "database": "ok", "migration": current}
