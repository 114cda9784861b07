"""create_app(): routers, middleware and exception handlers, nothing else."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app import __version__
from app.errors import install_error_handlers
from app.middleware import JsonBodyMiddleware, RequestIdMiddleware, SecurityHeadersMiddleware
from app.routers import (
    accreditations,
    audit,
    bodies,
    certificates,
    imports,
    qr,
    reference,
    verify,
    web,
    wellknown,
)
from app.web.view import STATIC_DIR

DESCRIPTION = """
certverify tells you whether an ISO management-system certificate can be relied on, today or on
any date: the certificate's status and dates, the standard edition and its transition deadline,
the issuing certification body's accreditation for that standard and those sectors, and the
accreditation body's IAF MLA recognition. Every verdict explains every check and carries a
signed receipt (Ed25519 JWS; keys at `/.well-known/jwks.json`).

Errors are RFC 9457 `application/problem+json`.
"""


def create_app() -> FastAPI:
    """Build the ASGI application."""
    app = FastAPI(
        title="certverify",
        version=__version__,
        description=DESCRIPTION,
        license_info={"name": "Apache-2.0"},
    )
    install_error_handlers(app)
    app.add_middleware(JsonBodyMiddleware)
    app.add_middleware(RequestIdMiddleware)
    app.add_middleware(SecurityHeadersMiddleware)
    # imports before certificates: /v1/certificates/export must win over /{certificate_id}.
    routers = (verify, reference, bodies, accreditations, imports, certificates, audit, wellknown)
    for module in (*routers, qr, web):
        app.include_router(module.router)
    app.include_router(imports.accreditation_router)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


app = create_app()
