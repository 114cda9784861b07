"""The API reference pages, served by the service itself: Swagger UI at /docs, ReDoc at /redoc.

FastAPI's own pages load Swagger UI and ReDoc from a CDN and fonts from Google, so they are blank
offline and tell a third party who reads the docs. These pages load the release files that the
`fastapi-offline` package ships (Swagger UI 5, ReDoc 2; their licences: Apache-2.0 and MIT),
mounted at `/docs/assets` (app/main.py), and start them from our own scripts in /static, so no
request leaves the host and the pages run under a CSP that allows only 'self' (plus a per-page
nonce for the styles ReDoc writes at run time). ReDoc's sidebar footer asks for Redocly's logo
from its CDN; `img-src 'self'` refuses it, so the browser makes no such request.
"""

from __future__ import annotations

import secrets

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from app.web.view import templates

DOCS_ASSETS_URL = "/docs/assets"
DOCS_ASSETS_PACKAGE = ("fastapi_offline", "static")
"""Where the Swagger UI and ReDoc bundles live: the `static` folder of `fastapi_offline`."""

router = APIRouter(include_in_schema=False)


REDOC_EARLY_STYLE_HASHES = (
    "'sha256-47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU='",  # the empty <style> it starts with
    "'sha256-QMIg+bpjm3JdElJ388KYke01izlUW0UoNOeKjpMxdgc='",  # perfect-scrollbar's CSS
)
"""The one `<style>` ReDoc's bundle writes as it loads, before it is given the nonce, by hash
(tests/browser/test_docs_offline.py fails on any CSP violation when fastapi-offline changes it)."""


def docs_csp(nonce: str) -> str:
    """The docs pages' Content-Security-Policy: scripts, styles, fonts, images and fetches from
    this host only. The `<style>` elements ReDoc writes at run time carry `nonce` (its one early
    style is allowed by hash); ReDoc's search runs in a worker it builds from a Blob."""
    styles = " ".join(("'self'", f"'nonce-{nonce}'", *REDOC_EARLY_STYLE_HASHES))
    return (
        "default-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; "
        f"script-src 'self'; style-src {styles}; worker-src 'self' blob:; "
        "object-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"
    )


def _page(request: Request, name: str) -> HTMLResponse:
    """Render a docs page with a fresh style nonce and the policy that names it."""
    nonce = secrets.token_urlsafe(16)
    root = request.scope.get("root_path", "")
    context = {
        "openapi_url": root + (request.app.openapi_url or "/openapi.json"),
        "assets": root + DOCS_ASSETS_URL,
        "static": root + "/static",
        "title": request.app.title,
        "nonce": nonce,
    }
    response = templates.TemplateResponse(request, name, context)
    response.headers["Content-Security-Policy"] = docs_csp(nonce)
    return response


@router.api_route("/docs", methods=["GET", "HEAD"], response_class=HTMLResponse)
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI: every operation, with "Try it out" against this server."""
    return _page(request, "docs_swagger.html")


@router.api_route("/redoc", methods=["GET", "HEAD"], response_class=HTMLResponse)
def redoc(request: Request) -> HTMLResponse:
    """ReDoc: the same document as a three-panel reference."""
    return _page(request, "docs_redoc.html")
