"""create_app(): routers, middleware and exception handlers, nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app import __version__
from app.config import Settings, get_settings
from app.db import read_engine
from app.deps import verify_api_key
from app.errors import install_error_handlers
from app.http.collector import settle_collector
from app.http.install import install_http
from app.http.operation_ids import operation_id
from app.models.registry_version import install_write_tracking
from app.routers import (
    accreditations,
    audit,
    bodies,
    certificates,
    clients,
    docs,
    documents,
    imports,
    integration,
    qr,
    reference,
    verify,
    web,
    wellknown,
)
from app.routers.docs import DOCS_ASSETS_PACKAGE, DOCS_ASSETS_URL
from app.services.idempotency import install_idempotency_store
from app.services.integration.outbox import install_reevaluation
from app.services.verification.cache import FastPathCache
from app.web.problems import SITE_PROBLEM_PAGES
from app.web.view import STATIC_DIR

DESCRIPTION = """
certverify tells you whether an ISO management-system certificate can be relied on, today or on
any date: the certificate's status and dates, the standard edition and its transition deadline,
the issuing certification body's accreditation for that standard and those sectors, and the
accreditation body's MLA recognition (the IAF MLA up to 2025, the Global ACI MRA from 2026).
Every verdict explains every check and carries a signed receipt (Ed25519 JWS; keys at
`/.well-known/jwks.json`).

Errors are RFC 9457 `application/problem+json`.
"""


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    """Settle the garbage collector; run webhook delivery in-process when configured (the
    embedded default of `serve`)."""
    worker = None
    settings: Settings = app.state.settings
    # Once per process: the start-up heap out of the collector's reach (app/http/collector.py).
    settle_collector(freeze=settings.gc_freeze, gen0_threshold=settings.gc_gen0_threshold)
    if settings.in_process_worker:
        from app.db import get_session_factory
        from app.services.integration.worker import start_in_process

        worker = start_in_process(get_session_factory())
    yield
    if worker is not None:
        worker.stop.set()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the ASGI application (with `settings`, else the environment's)."""
    # Entry points subscribe what writes trigger: before a transaction commits, the watches its
    # changes touched are re-evaluated into the outbox (app/services/integration/outbox.py).
    install_reevaluation()
    install_write_tracking()  # registry writes bump the version the fact caches poll
    app = FastAPI(
        title="certverify",
        version=__version__,
        description=DESCRIPTION,
        license_info={"name": "Apache-2.0"},
        docs_url=None,  # /docs and /redoc: app/routers/docs.py, no CDN
        redoc_url=None,
        generate_unique_id_function=operation_id,  # app/http/operation_ids.py
        lifespan=lifespan,
    )
    # The event-loop path of GET /v1/verify answers from the fact cache of the app's own read
    # engine, once the app's own sessions have read it (app/services/verification/cache.py).
    app.state.fast_path_cache = FastPathCache(own_engine=read_engine)
    # The settings this app was built with; request-time code reads them from app.state.
    app.state.settings = settings or get_settings()
    install_error_handlers(app, pages=SITE_PROBLEM_PAGES)  # the site's pages answer pages
    install_http(app, app.state.settings, verify_key=verify_api_key)  # keys checked pre-routing
    install_idempotency_store(app)  # Idempotency-Key answers, kept in the database
    # imports before certificates: /v1/certificates/export must win over /{certificate_id}.
    routers = (verify, reference, bodies, accreditations, imports, certificates, audit, wellknown)
    for module in (*routers, qr, web, docs):
        app.include_router(module.router)
    app.include_router(imports.accreditation_router)
    app.include_router(integration.router)
    app.include_router(clients.router)
    app.include_router(documents.router)

    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    app.mount(DOCS_ASSETS_URL, StaticFiles(packages=[DOCS_ASSETS_PACKAGE]), name="docs-assets")
    return app


app = create_app()
