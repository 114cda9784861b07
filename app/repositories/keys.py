"""Queries about keys: the API keys clients present and the keys that sign receipts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import ApiKey, SigningKey


def api_key_by_prefix(session: Session, prefix: str) -> ApiKey | None:
    """The API key with this public prefix (unique per key), revoked or not."""
    return session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).one_or_none()


def get_api_key(session: Session, key_id: uuid.UUID) -> ApiKey | None:
    """One API key, revoked or not."""
    return session.get(ApiKey, key_id)


def oldest_active_signing_key(session: Session) -> SigningKey | None:
    """The oldest signing key not retired: the one receipts are signed with."""
    return session.scalars(
        select(SigningKey).where(SigningKey.retired_at.is_(None)).order_by(SigningKey.created_at)
    ).first()


def signing_keys(session: Session) -> Sequence[SigningKey]:
    """Every signing key, retired or not, oldest first (all of them verify receipts)."""
    return session.scalars(select(SigningKey).order_by(SigningKey.created_at)).all()
