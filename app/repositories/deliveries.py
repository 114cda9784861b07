"""Queries about webhook deliveries and their attempts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from app.models import DeliveryAttempt, OutboxEvent, WebhookDelivery, WebhookEndpoint


class DeliveryRecord(NamedTuple):
    """A delivery with the type of its event and every attempt, oldest first."""

    delivery: WebhookDelivery
    event_type: str
    attempts: list[DeliveryAttempt]


def _with_attempts(
    session: Session, rows: Sequence[tuple[WebhookDelivery, str]]
) -> list[DeliveryRecord]:
    """The deliveries with their attempts (one query for all of them)."""
    attempts: dict[uuid.UUID, list[DeliveryAttempt]] = {d.id: [] for d, _ in rows}
    if attempts:
        for attempt in session.scalars(
            select(DeliveryAttempt)
            .where(DeliveryAttempt.delivery_id.in_(list(attempts)))
            .order_by(DeliveryAttempt.attempted_at)
        ):
            attempts[attempt.delivery_id].append(attempt)
    return [DeliveryRecord(d, event_type, attempts[d.id]) for d, event_type in rows]


def deliveries_of_endpoint(
    session: Session, endpoint_id: uuid.UUID, *, offset: int, limit: int
) -> list[DeliveryRecord]:
    """The endpoint's deliveries, newest first, a page at a time, with their attempts."""
    rows = session.execute(
        select(WebhookDelivery, OutboxEvent.event_type)
        .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.endpoint_id == endpoint_id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id)
        .offset(offset)
        .limit(limit)
    ).all()
    return _with_attempts(session, [(d, event_type) for d, event_type in rows])


def delivery_record(session: Session, delivery_id: uuid.UUID) -> DeliveryRecord | None:
    """One delivery with its event type and attempts."""
    row = session.execute(
        select(WebhookDelivery, OutboxEvent.event_type)
        .join(OutboxEvent, OutboxEvent.id == WebhookDelivery.event_id)
        .where(WebhookDelivery.id == delivery_id)
    ).one_or_none()
    if row is None:
        return None
    delivery, event_type = row
    return _with_attempts(session, [(delivery, event_type)])[0]


def get_delivery(session: Session, delivery_id: uuid.UUID) -> WebhookDelivery | None:
    """One delivery."""
    return session.get(WebhookDelivery, delivery_id)


def due_deliveries(session: Session, *, now: datetime, limit: int) -> Sequence[WebhookDelivery]:
    """Pending deliveries of enabled endpoints that are due and not leased, soonest first; on
    PostgreSQL locked for this transaction, skipping those another worker holds."""
    stmt = (
        select(WebhookDelivery)
        .join(WebhookEndpoint, WebhookEndpoint.id == WebhookDelivery.endpoint_id)
        .where(
            WebhookDelivery.status == "pending",
            WebhookDelivery.next_attempt_at <= now,
            or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until < now),
            WebhookEndpoint.enabled.is_(True),
            WebhookEndpoint.deleted_at.is_(None),
        )
        .order_by(WebhookDelivery.next_attempt_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=WebhookDelivery)
    return session.scalars(stmt).all()


def pending_delivery_count(session: Session) -> int:
    """Deliveries still to be made (the webhook backlog)."""
    count = session.scalar(
        select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.status == "pending")
    )
    return count or 0
