"""Queries about stored verifications (those made with an API key)."""

from __future__ import annotations

import uuid
from typing import Any, cast

from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from app.models import Verification


def stored_verification(session: Session, verification_id: uuid.UUID) -> Verification | None:
    """One stored verification, whoever made it."""
    return session.get(Verification, verification_id)


def insert_verifications(session: Session, rows: list[dict[str, Any]]) -> None:
    """Keep many answered verifications with one executemany insert."""
    if rows:
        session.connection().execute(insert(cast(Table, Verification.__table__)), rows)
