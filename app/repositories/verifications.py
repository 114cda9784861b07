"""Queries about stored verifications (those made with an API key)."""

from __future__ import annotations

import uuid
from typing import Any, cast

from sqlalchemy import Table, Text, bindparam, insert
from sqlalchemy import cast as sql_cast
from sqlalchemy.orm import Session

from app.models import Verification


def stored_verification(session: Session, verification_id: uuid.UUID) -> Verification | None:
    """One stored verification, whoever made it."""
    return session.get(Verification, verification_id)


def insert_encoded_verifications(session: Session, rows: list[dict[str, Any]]) -> None:
    """Keep many answered verifications with one executemany insert; each row's
    `response_json` is the answer's JSON text (the bytes the client receives), stored as it is
    instead of being encoded again by the JSON column."""
    if not rows:
        return
    table = cast(Table, Verification.__table__)
    conn = session.connection()
    text = bindparam("response_json", type_=Text())
    # PostgreSQL's json column takes the text by a cast; SQLite keeps JSON as text.
    value = text if conn.dialect.name == "sqlite" else sql_cast(text, table.c.response.type)
    conn.execute(insert(table).values(response=value), rows)
