"""Health probes: whether the database (and the read replica) answers and is migrated, and the
webhook backlog; a database that does not answer is an answer here, never an error."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from app.db import get_read_engine
from app.repositories.database import applied_migration, ping
from app.repositories.deliveries import pending_delivery_count


@dataclass(frozen=True, slots=True)
class DatabaseState:
    """Whether the database answered, and the migration it is at when it did."""

    reachable: bool
    migration: str | None = None


def database_state(session: Session) -> DatabaseState:
    """The primary database's state through the request's session (rolled back when the
    database does not answer, so the session stays usable)."""
    try:
        return DatabaseState(reachable=True, migration=applied_migration(session))
    except SQLAlchemyError:
        session.rollback()
        return DatabaseState(reachable=False)


def read_replica_reachable() -> bool | None:
    """Whether the read replica answers on a connection of its own; None without a replica."""
    replica = get_read_engine()
    if replica is None:
        return None
    try:
        ping(replica)
    except SQLAlchemyError:
        return False
    return True


def webhook_backlog(session: Session) -> int | None:
    """Deliveries still to be made, counted now; None when the database does not answer."""
    try:
        return pending_delivery_count(session)
    except SQLAlchemyError:
        session.rollback()
        return None
