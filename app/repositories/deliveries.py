"""Queries about webhook deliveries and their attempts, and the fair claim of due ones."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import ColumnElement, CursorResult, and_, exists, func, or_, select, update
from sqlalchemy.orm import Session, aliased

from app.models import DeliveryAttempt, OutboxEvent, WebhookDelivery, WebhookEndpoint
from app.repositories.keys import client_is_active


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


def undispatched_events_of_active_clients(session: Session, *, limit: int) -> Sequence[OutboxEvent]:
    """Events not yet fanned out whose client is active, oldest first; on PostgreSQL locked for
    this transaction, skipping those another worker holds. A stopped client's events wait,
    undispatched, without holding up anyone else's."""
    stmt = (
        select(OutboxEvent)
        .where(OutboxEvent.dispatched_at.is_(None), client_is_active(OutboxEvent.client_id))
        .order_by(OutboxEvent.created_at)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(skip_locked=True, of=OutboxEvent)
    return session.scalars(stmt).all()


class Claimable(NamedTuple):
    """The oldest due delivery of an endpoint that has none in flight, and whose it is."""

    delivery_id: uuid.UUID
    endpoint_id: uuid.UUID
    client_id: uuid.UUID


def _claimable(now: datetime) -> ColumnElement[bool]:
    return and_(
        WebhookDelivery.status == "pending",
        WebhookDelivery.next_attempt_at <= now,
        or_(WebhookDelivery.locked_until.is_(None), WebhookDelivery.locked_until < now),
    )


def endpoint_heads(session: Session, *, now: datetime, limit: int) -> list[Claimable]:
    """For each endpoint that may be sent to now (enabled, not deleted, its client active, no
    delivery of it in flight), its oldest due delivery not leased; soonest first, at most
    `limit`. One row per endpoint, so an endpoint with a long queue takes one turn like any
    other. On PostgreSQL the rows are locked for this transaction (skipping those another
    worker is claiming), endpoints included, so two workers never claim one endpoint at once."""
    head = aliased(WebhookDelivery)
    oldest_due = (
        select(head.id)
        .where(
            head.endpoint_id == WebhookEndpoint.id,
            head.status == "pending",
            head.next_attempt_at <= now,
            or_(head.locked_until.is_(None), head.locked_until < now),
        )
        .order_by(head.next_attempt_at, head.id)
        .limit(1)
        .correlate(WebhookEndpoint)
        .scalar_subquery()
    )
    leased = aliased(WebhookDelivery)
    in_flight = exists().where(
        leased.endpoint_id == WebhookEndpoint.id,
        leased.status == "pending",
        leased.locked_until >= now,
    )
    stmt = (
        select(WebhookDelivery.id, WebhookEndpoint.id, WebhookEndpoint.client_id)
        .select_from(WebhookEndpoint)
        .join(WebhookDelivery, WebhookDelivery.id == oldest_due)
        .where(
            WebhookEndpoint.enabled.is_(True),
            WebhookEndpoint.deleted_at.is_(None),
            client_is_active(WebhookEndpoint.client_id),
            ~in_flight,
        )
        .order_by(WebhookDelivery.next_attempt_at, WebhookDelivery.id)
        .limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update(
            skip_locked=True, key_share=True, of=(WebhookDelivery, WebhookEndpoint)
        )
    return [Claimable(*row) for row in session.execute(stmt).all()]


def in_flight_by_client(session: Session, *, now: datetime) -> dict[uuid.UUID, int]:
    """How many deliveries of each client are leased now (in flight, on any worker)."""
    rows = session.execute(
        select(WebhookEndpoint.client_id, func.count())
        .join(WebhookDelivery, WebhookDelivery.endpoint_id == WebhookEndpoint.id)
        .where(WebhookDelivery.status == "pending", WebhookDelivery.locked_until >= now)
        .group_by(WebhookEndpoint.client_id)
    )
    return dict(rows.all())


def lease_delivery(
    session: Session, delivery_id: uuid.UUID, *, now: datetime, until: datetime
) -> bool:
    """Lease one delivery until `until` if it is still due and not leased (another worker may
    have taken it since it was read); True when this call leased it."""
    result = session.execute(
        update(WebhookDelivery)
        .where(WebhookDelivery.id == delivery_id, _claimable(now))
        .values(locked_until=until)
        .execution_options(synchronize_session=False)
    )
    return bool(cast(CursorResult[Any], result).rowcount)


def renew_leases(session: Session, delivery_ids: Sequence[uuid.UUID], *, until: datetime) -> None:
    """Hold deliveries still being sent for longer (the worker sending them is alive)."""
    if delivery_ids:
        session.execute(
            update(WebhookDelivery)
            .where(
                WebhookDelivery.id.in_(list(delivery_ids)),
                WebhookDelivery.status == "pending",
                WebhookDelivery.locked_until.is_not(None),
            )
            .values(locked_until=until)
            .execution_options(synchronize_session=False)
        )


def pending_delivery_count(session: Session) -> int:
    """Deliveries still to be made (the webhook backlog)."""
    count = session.scalar(
        select(func.count()).select_from(WebhookDelivery).where(WebhookDelivery.status == "pending")
    )
    return count or 0
