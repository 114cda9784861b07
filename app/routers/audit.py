"""The audit trail, for admins."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BeforeValidator

from app.deps import PrincipalDep, SessionDep
from app.routers.paging import decode_page_token, next_page_token
from app.routers.params import PageSize, PageToken
from app.schemas.audit import AuditEventRead
from app.schemas.common import Page, SingleLine, reject_numeric_timestamp
from app.services.audit import AuditFilters, list_audit_events
from app.services.auth import Role

router = APIRouter(prefix="/v1/audit-events", tags=["audit"])


@router.get("", response_model=Page[AuditEventRead])
def get_audit_events(
    session: SessionDep,
    principal: PrincipalDep,
    action: Annotated[
        str | None, Query(max_length=60, examples=["certificate.update"]), SingleLine
    ] = None,
    target_type: Annotated[
        str | None, Query(max_length=40, examples=["certificate"]), SingleLine
    ] = None,
    target_id: Annotated[str | None, Query(max_length=64), SingleLine] = None,
    actor_key_id: uuid.UUID | None = None,
    since: Annotated[
        datetime | None,
        Query(description="RFC 3339, inclusive"),
        BeforeValidator(reject_numeric_timestamp),
    ] = None,
    until: Annotated[
        datetime | None,
        Query(description="RFC 3339, exclusive"),
        BeforeValidator(reject_numeric_timestamp),
    ] = None,
    page_size: PageSize = 50,
    page_token: PageToken = None,
) -> Page[AuditEventRead]:
    """Every write with who made it, newest first (admin)."""
    principal.require(Role.ADMIN)
    offset = decode_page_token(page_token)
    rows = list_audit_events(
        session,
        filters=AuditFilters(
            action=action,
            target_type=target_type,
            target_id=target_id,
            actor_key_id=actor_key_id,
            since=since,
            until=until,
        ),
        offset=offset,
        limit=page_size + 1,
    )
    return Page(
        items=[AuditEventRead.model_validate(r, from_attributes=True) for r in rows[:page_size]],
        next_page_token=next_page_token(offset, page_size, len(rows)),
    )
