"""Queries about stored verifications (those made with an API key)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.models import Verification


def stored_verification(session: Session, verification_id: uuid.UUID) -> Verification | None:
    """One stored verification, whoever made it."""
    return session.get(Verification, verification_id)
