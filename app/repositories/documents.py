"""Queries about stored documents (kept with a stored verification at its maker's request)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from app.models import StoredDocument


def insert_stored_document(session: Session, document: StoredDocument) -> None:
    """Keep a document beside its (already inserted) verification."""
    session.add(document)
    session.flush()


def stored_document(session: Session, verification_id: uuid.UUID) -> StoredDocument | None:
    """The document kept with a verification, whoever made it."""
    return session.get(StoredDocument, verification_id)
