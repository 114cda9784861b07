"""Queries about idempotency keys (app/models/idempotency.py)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.models import IdempotencyKey


def idempotency_record(
    session: Session, *, principal: str, idempotency_key: str
) -> IdempotencyKey | None:
    """The record of one client's key, if it used it."""
    return session.scalars(
        select(IdempotencyKey).where(
            IdempotencyKey.principal == principal,
            IdempotencyKey.idempotency_key == idempotency_key,
        )
    ).one_or_none()


def add_idempotency_record(session: Session, record: IdempotencyKey) -> None:
    """Insert a record (IntegrityError at flush when the client's key is taken already)."""
    session.add(record)
    session.flush()


def delete_idempotency_record(session: Session, record_id: object) -> None:
    """Forget one record."""
    session.execute(delete(IdempotencyKey).where(IdempotencyKey.id == record_id))


def delete_idempotency_records_before(session: Session, before: datetime) -> None:
    """Forget every record made before `before` (their 24 hours are over)."""
    session.execute(delete(IdempotencyKey).where(IdempotencyKey.created_at < before))
