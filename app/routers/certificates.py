"""Certificates: search, read, history, create, patch, dated status changes."""

from __future__ import annotations

import uuid
from typing import Annotated, Literal

from fastapi import APIRouter, Query

from app import clock
from app.deps import PrincipalDep, ReadSessionDep, SessionDep
from app.repositories.certificates import certificate_history
from app.routers.paging import decode_page_token, next_page_token
from app.routers.params import PageSize, PageToken
from app.schemas.certificates import (
    Actor,
    CertificateCreate,
    CertificateHistory,
    CertificateRead,
    CertificateUpdate,
    HistoryEntry,
)
from app.schemas.common import Country, Page, SingleLine
from app.schemas.registry import StatusChange
from app.services.auth import Role
from app.services.registry import certificates as service
from app.services.registry.responses import certificate_read
from app.services.verification.search import SearchFilters, search_certificates

router = APIRouter(prefix="/v1/certificates", tags=["certificates"])


@router.get("", response_model=Page[CertificateRead])
def list_certificates(
    session: ReadSessionDep,
    principal: PrincipalDep,
    organization: Annotated[
        str | None,
        Query(max_length=200, description="Accent-, case- and typo-tolerant."),
        SingleLine,
    ] = None,
    certificate_number: Annotated[str | None, Query(max_length=100), SingleLine] = None,
    standard: Annotated[str | None, Query(max_length=60), SingleLine] = None,
    country: Annotated[
        Country | None,
        Query(max_length=100, description='Alpha-2, alpha-3 or an English name ("UK" = GB).'),
    ] = None,
    certification_body: Annotated[str | None, Query(max_length=300), SingleLine] = None,
    status: Annotated[
        Literal["active", "suspended", "withdrawn", "expired"] | None,
        Query(description="Status today; `expired` means past the printed expiry date."),
    ] = None,
    page_size: PageSize = 50,
    page_token: PageToken = None,
) -> Page[CertificateRead]:
    """Search public certificates; confidential ones never appear here."""
    offset = decode_page_token(page_token)
    today = clock.today()
    rows, more = search_certificates(
        session,
        filters=SearchFilters(
            organization=organization,
            certificate_number=certificate_number,
            standard=standard,
            country=country,
            certification_body=certification_body,
            status=status,
        ),
        today=today,
        offset=offset,
        limit=page_size,
    )
    return Page(
        items=[certificate_read(c, today) for c in rows],
        next_page_token=next_page_token(offset, page_size, page_size + 1 if more else len(rows)),
    )


@router.get("/{certificate_id}", response_model=CertificateRead)
def get_certificate(
    certificate_id: uuid.UUID, session: ReadSessionDep, principal: PrincipalDep
) -> CertificateRead:
    """One certificate (confidential ones only for admins and the issuing CB)."""
    cert = service.require_visible_certificate(
        session, principal=principal, certificate_id=certificate_id
    )
    return certificate_read(cert, clock.today())


@router.get("/{certificate_id}/history", response_model=CertificateHistory)
def get_certificate_history(
    certificate_id: uuid.UUID, session: ReadSessionDep, principal: PrincipalDep
) -> CertificateHistory:
    """Every recorded status and field change, with who made it (by role; key ids only for
    admins, and for the certificate's own CB its own keys') and when, oldest first."""
    cert = service.require_visible_certificate(
        session, principal=principal, certificate_id=certificate_id
    )
    events, changes = certificate_history(session, certificate_id)
    own_cb = principal.acts_for_certification_body(cert.certification_body_id)

    def actor(key_id: uuid.UUID | None, role: str | None) -> Actor:
        """The public history names roles, not keys (issue 14: key ids told who to target)."""
        shown = principal.is_admin or (own_cb and role == Role.CERTIFICATION_BODY.value)
        return Actor(key_id=key_id if shown else None, role=role)

    items = [
        HistoryEntry(
            kind="status",
            recorded_at=e.recorded_at,
            actor=actor(e.actor_key_id, e.actor_role),
            status=e.status,
            effective_from=e.effective_from,
            reason=e.reason,
        )
        for e in events
    ] + [
        HistoryEntry(
            kind="field",
            recorded_at=c.recorded_at,
            actor=actor(c.actor_key_id, c.actor_role),
            field=c.field,
            before=(c.before or {}).get("value"),
            after=(c.after or {}).get("value"),
        )
        for c in changes
    ]
    items.sort(key=lambda h: h.recorded_at)
    return CertificateHistory(certificate_id=certificate_id, items=items)


@router.post("", response_model=CertificateRead, status_code=201)
def post_certificate(
    body: CertificateCreate, session: SessionDep, principal: PrincipalDep
) -> CertificateRead:
    """Create a certificate (admin, or the issuing CB's key); 409 on a duplicate number."""
    cert = service.create_certificate(session, principal=principal, data=body)
    return certificate_read(cert, clock.today())


@router.patch("/{certificate_id}", response_model=CertificateRead)
def patch_certificate(
    certificate_id: uuid.UUID, body: CertificateUpdate, session: SessionDep, principal: PrincipalDep
) -> CertificateRead:
    """Change a certificate; every change lands in its history."""
    cert = service.update_certificate(
        session, principal=principal, certificate_id=certificate_id, data=body
    )
    return certificate_read(cert, clock.today())


@router.post("/{certificate_id}/status", response_model=CertificateRead)
def post_certificate_status(
    certificate_id: uuid.UUID, body: StatusChange, session: SessionDep, principal: PrincipalDep
) -> CertificateRead:
    """Record a dated status change (suspended, withdrawn, active)."""
    today = clock.today()
    cert = service.change_certificate_status(
        session, principal=principal, certificate_id=certificate_id, data=body, today=today
    )
    return certificate_read(cert, today)
