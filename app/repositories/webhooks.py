"""Queries about webhook endpoints."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import WebhookEndpoint


def get_endpoint(session: Session, endpoint_id: uuid.UUID) -> WebhookEndpoint | None:
    """One endpoint, deleted or not, whoever owns it."""
    return session.get(WebhookEndpoint, endpoint_id)


def endpoints_of_client(session: Session, client_id: uuid.UUID) -> Sequence[WebhookEndpoint]:
    """The client's endpoints that are not deleted, oldest first."""
    return session.scalars(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.client_id == client_id, WebhookEndpoint.deleted_at.is_(None))
        .order_by(WebhookEndpoint.created_at, WebhookEndpoint.id)
    ).all()


def endpoint_count_of_client(session: Session, client_id: uuid.UUID) -> int:
    """How many endpoints the client has that are not deleted (enabled or not)."""
    count = session.scalar(
        select(func.count())
        .select_from(WebhookEndpoint)
        .where(WebhookEndpoint.client_id == client_id, WebhookEndpoint.deleted_at.is_(None))
    )
    return count or 0


def endpoints_of_clients(
    session: Session, client_ids: Iterable[uuid.UUID]
) -> Sequence[WebhookEndpoint]:
    """The endpoints of these clients that are not deleted (enabled or not)."""
    return session.scalars(
        select(WebhookEndpoint).where(
            WebhookEndpoint.client_id.in_(list(client_ids)),
            WebhookEndpoint.deleted_at.is_(None),
        )
    ).all()
