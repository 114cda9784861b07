"""Questions about the database itself: whether it answers, and which migration it is at."""

from __future__ import annotations

from sqlalchemy import Engine, text
from sqlalchemy.orm import Session


def applied_migration(session: Session) -> str | None:
    """The Alembic revision the database is at (None when it has none)."""
    value = session.execute(text("SELECT version_num FROM alembic_version")).scalar()
    return str(value) if value is not None else None


def ping(engine: Engine) -> None:
    """Run a trivial statement on a connection of its own; raises when the database does not
    answer."""
    with engine.connect() as conn:
        conn.execute(text("SELECT 1"))
