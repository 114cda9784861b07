"""A certificate document kept with its stored verification, only when its maker asked."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, utcnow


class StoredDocument(Base):
    """The bytes of a document sent to POST /v1/documents/verify with `store=true` by a keyed
    caller, kept beside the verification made of it (one document per verification, deleted
    with it). Nothing of a document is kept otherwise (its SHA-256 is in the receipt)."""

    __tablename__ = "stored_documents"

    verification_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("verifications.id", ondelete="CASCADE"), primary_key=True
    )
    sha256: Mapped[str] = mapped_column(String(64))
    media_type: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str | None] = mapped_column(String(255))
    size_bytes: Mapped[int] = mapped_column(Integer)
    content: Mapped[bytes] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
