"""Accreditations: read, patch, dated status changes."""

from __future__ import annotations

import uuid

from fastapi import APIRouter

from app import clock
from app.deps import PrincipalDep, ReadSessionDep, SessionDep
from app.schemas.registry import AccreditationRead, AccreditationUpdate, StatusChange
from app.services.registry import bodies as registry
from app.services.registry.responses import accreditation_read

router = APIRouter(prefix="/v1/accreditations", tags=["accreditations"])


@router.get("/{accreditation_id}", response_model=AccreditationRead)
def get_accreditation(
    accreditation_id: uuid.UUID, session: ReadSessionDep, principal: PrincipalDep
) -> AccreditationRead:
    """One accreditation with its status today and history."""
    return accreditation_read(
        registry.require_accreditation(session, accreditation_id), clock.today()
    )


@router.patch("/{accreditation_id}", response_model=AccreditationRead)
def patch_accreditation(
    accreditation_id: uuid.UUID,
    body: AccreditationUpdate,
    session: SessionDep,
    principal: PrincipalDep,
) -> AccreditationRead:
    """Change sectors, validity or number (admin, or the accrediting AB's key)."""
    acc = registry.update_accreditation(
        session, principal=principal, accreditation_id=accreditation_id, data=body
    )
    return accreditation_read(acc, clock.today())


@router.post("/{accreditation_id}/status", response_model=AccreditationRead)
def post_accreditation_status(
    accreditation_id: uuid.UUID, body: StatusChange, session: SessionDep, principal: PrincipalDep
) -> AccreditationRead:
    """Record a dated status change (suspended, withdrawn, active)."""
    today = clock.today()
    acc = registry.change_accreditation_status(
        session, principal=principal, accreditation_id=accreditation_id, data=body, today=today
    )
    return accreditation_read(acc, today)
