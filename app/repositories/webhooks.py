"""Queries about webhook endpoints."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import WebhookEndpoint


def get_endpoint(session: Session, endpoint_id: uuid.UUID) -> WebhookEndpoint | None:
    """One endpoint, deleted or not, whoever owns it."""
    return session.get(WebhookEndpoint, endpoint_id)


def endpoints_of_key(session: Session, api_key_id: uuid.UUID) -> Sequence[WebhookEndpoint]:
    """The key's endpoints that are not deleted, oldest first."""
    return session.scalars(
        select(WebhookEndpoint)
        .where(WebhookEndpoint.api_key_id == api_key_id, WebhookEndpoint.deleted_at.is_(None))
        .order_by(WebhookEndpoint.created_at)
    ).all()


def endpoints_of_keys(
    session: Session, api_key_ids: Iterable[uuid.UUID]
) -> Sequence[WebhookEndpoint]:
    """The endpoints of these keys that are not deleted (enabled or not)."""
    return session.scalars(
        select(WebhookEndpoint).where(
            WebhookEndpoint.api_key_id.in_(list(api_key_ids)),
            WebhookEndpoint.deleted_at.is_(None),
        )
    ).all()
