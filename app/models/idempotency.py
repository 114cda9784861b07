"""Idempotency keys: the first answer to a POST sent with `Idempotency-Key`, kept 24 hours."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, new_id, utcnow


class IdempotencyKey(Base):
    """One client's use of one key: what the request was (its fingerprint) and, once answered,
    its status and sealed answer; `status_code` is null while the request is running."""

    __tablename__ = "idempotency_keys"
    __table_args__ = (
        UniqueConstraint("principal", "idempotency_key", name="uq_idempotency_keys_principal_key"),
        Index("ix_idempotency_keys_created_at", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    principal: Mapped[str] = mapped_column(String(80))
    idempotency_key: Mapped[str] = mapped_column(String(255))
    fingerprint: Mapped[str] = mapped_column(String(64))
    method: Mapped[str] = mapped_column(String(10))
    path: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    completed_at: Mapped[datetime | None]
    status_code: Mapped[int | None]
    response: Mapped[str | None] = mapped_column(Text)
    """The answer (headers and body), sealed with the key-encryption key (app/keystore.py):
    it may carry a webhook secret, shown once."""
