"""Queries about the audit trail."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import AuditEvent


def audit_events(
    session: Session,
    *,
    action: str | None,
    target_type: str | None,
    target_id: str | None,
    actor_key_id: uuid.UUID | None,
    since: datetime | None,
    until: datetime | None,
    offset: int,
    limit: int,
) -> Sequence[AuditEvent]:
    """Audit events matching every filter given (`since` inclusive, `until` exclusive), newest
    first, a page at a time."""
    stmt = select(AuditEvent)
    if action:
        stmt = stmt.where(AuditEvent.action == action)
    if target_type:
        stmt = stmt.where(AuditEvent.target_type == target_type)
    if target_id:
        stmt = stmt.where(AuditEvent.target_id == target_id)
    if actor_key_id:
        stmt = stmt.where(AuditEvent.actor_key_id == actor_key_id)
    if since:
        stmt = stmt.where(AuditEvent.occurred_at >= since)
    if until:
        stmt = stmt.where(AuditEvent.occurred_at < until)
    stmt = stmt.order_by(AuditEvent.occurred_at.desc(), AuditEvent.id).offset(offset).limit(limit)
    return session.scalars(stmt).all()
