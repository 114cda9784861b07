"""Procurement integration: stored verifications, watches, webhook endpoints, outbox, deliveries."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, TypeDecorator, UniqueConstraint
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Mapped, mapped_column

from app.keystore import seal, unseal
from app.models.base import Base, TimestampMixin, new_id, utcnow


class SealedString(TypeDecorator[str]):
    """A secret encrypted at rest (Fernet, key from app/keystore.py): plaintext in Python, a
    ciphertext in the database, so no code path can store it in the clear (issue 14)."""

    impl = String
    cache_ok = True

    def process_bind_param(self, value: str | None, _dialect: Dialect) -> str | None:
        return None if value is None else seal(value)

    def process_result_value(self, value: str | None, _dialect: Dialect) -> str | None:
        return None if value is None else unseal(value)


class Verification(Base):
    """A verification made with an API key, kept so its maker (the key's client, whichever of
    its keys asks) can fetch it again (evidence)."""

    __tablename__ = "verifications"
    __table_args__ = (Index("ix_verifications_key_checked", "api_key_id", "checked_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    api_key_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("api_keys.id"))
    checked_at: Mapped[datetime]
    as_of: Mapped[date]
    verdict: Mapped[str] = mapped_column(String(30))
    certificate_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    response: Mapped[dict[str, Any]]


class Watch(Base):
    """A client's watch on one certificate, with the last verdict seen (for change detection)."""

    __tablename__ = "watches"
    __table_args__ = (
        UniqueConstraint("client_id", "certificate_id", name="uq_watches_client_certificate"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    certificate_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("certificates.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_verdict: Mapped[str | None] = mapped_column(String(30))
    last_checks: Mapped[dict[str, Any] | None] = mapped_column(nullable=True)
    last_evaluated_at: Mapped[datetime | None]
    expiry_notices: Mapped[dict[str, Any] | None] = mapped_column(nullable=True)


class WebhookEndpoint(TimestampMixin, Base):
    """A client's webhook endpoint; signed with a Standard Webhooks secret (whsec_...)."""

    __tablename__ = "webhook_endpoints"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[list[str]] = mapped_column(default=list)
    # A Standard Webhooks secret (50 characters) is a 164-character Fernet token at rest.
    secret: Mapped[str] = mapped_column(SealedString(200))
    previous_secret: Mapped[str | None] = mapped_column(SealedString(200))
    previous_secret_until: Mapped[datetime | None]
    enabled: Mapped[bool] = mapped_column(default=True)
    disabled_at: Mapped[datetime | None]
    disabled_reason: Mapped[str | None] = mapped_column(Text)
    deleted_at: Mapped[datetime | None]


class OutboxEvent(Base):
    """An event written in the same transaction as the change that caused it."""

    __tablename__ = "outbox_events"
    __table_args__ = (Index("ix_outbox_events_pending", "dispatched_at", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    event_type: Mapped[str] = mapped_column(String(60))
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    certificate_id: Mapped[uuid.UUID | None]
    payload: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    dispatched_at: Mapped[datetime | None]


class WebhookDelivery(Base):
    """One event to one endpoint: retried with backoff until delivered or given up."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_deliveries_endpoint_event"),
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        # The head of each endpoint's queue, and whether it has one in flight (fair claims).
        Index("ix_webhook_deliveries_endpoint_due", "endpoint_id", "status", "next_attempt_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    endpoint_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True
    )
    event_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("outbox_events.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    locked_until: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    last_status_code: Mapped[int | None]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None]


class DeliveryAttempt(Base):
    """One HTTP attempt of a delivery, kept for the client to see."""

    __tablename__ = "delivery_attempts"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    delivery_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_deliveries.id", ondelete="CASCADE"), index=True
    )
    attempted_at: Mapped[datetime] = mapped_column(default=utcnow)
    status_code: Mapped[int | None]
    error: Mapped[str | None] = mapped_column(Text)
    duration_ms: Mapped[int]
