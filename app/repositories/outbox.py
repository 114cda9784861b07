"""Queries about outbox events (written with the change that caused them)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import OutboxEvent


def undispatched_events(session: Session, *, limit: int) -> Sequence[OutboxEvent]:
    """Events not yet fanned out to endpoints, oldest first; on PostgreSQL locked for this
    transaction, skipping those another worker holds."""
    stmt = (
        select(OutboxEvent)
        .where(OutboxEvent.dispatched_at.is_(None))
        .order_by(OutboxEvent.created_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True)
    return session.scalars(stmt).all()


def get_outbox_event(session: Session, event_id: uuid.UUID) -> OutboxEvent | None:
    """One outbox event."""
    return session.get(OutboxEvent, event_id)
