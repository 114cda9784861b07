"""The registry version: one row whose counter every committed registry write bumps.

Like a trigger, but once per transaction: an engine event notes any INSERT, UPDATE or DELETE on a
registry table (ORM flushes, Core statements and text SQL alike) and, just before that
transaction's COMMIT, adds one to `registry_version.version` on the same connection. Workers
poll the counter to invalidate their fact caches (app/services/verification/cache.py).
Importing this module registers nothing: every entry point that writes (create_app, the
command line, the worker, migrations, the test harness) calls `install_write_tracking()`.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from typing import Any, Final

from sqlalchemy import BigInteger, Connection, Engine, event
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.pool import Pool

from app.models.base import Base

REGISTRY_VERSION_ROW: Final = 1
"""The id of the single row (written by migration 0004)."""

REGISTRY_TABLES: Final = frozenset(
    {
        "accreditation_bodies",
        "accreditation_status_events",
        "accreditations",
        "certificate_facts",
        "certificate_sites",
        "certificate_status_events",
        "certificates",
        "certification_bodies",
        "mla_recognitions",
        "organizations",
        "standards",
    }
)
"""Tables whose rows are verification facts: a write to any of them bumps the version."""


class RegistryVersion(Base):
    """A counter bumped in the same transaction as every write to a registry table."""

    __tablename__ = "registry_version"

    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    version: Mapped[int] = mapped_column(BigInteger, default=0)


_WROTE_REGISTRY: Final = "certverify.wrote_registry"
_DML_HEADS: Final = frozenset({"INSERT", "UPDATE", "DELETE"})
_DML = re.compile(
    r"\s*(?:INSERT\s+(?:OR\s+\w+\s+)?INTO|UPDATE(?:\s+OR\s+\w+)?|DELETE\s+FROM)\s+\"?(\w+)\"?",
    re.IGNORECASE,
)
_BUMP_SQL: Final = (
    f"UPDATE registry_version SET version = version + 1 WHERE id = {REGISTRY_VERSION_ROW}"
)


def writes_registry(statement: str) -> bool:
    """True when an SQL statement inserts, updates or deletes rows of a registry table."""
    if statement[:24].lstrip()[:6].upper() not in _DML_HEADS:
        return False
    match = _DML.match(statement)
    return match is not None and match.group(1).lower() in REGISTRY_TABLES


def connection_wrote_registry(conn: Connection) -> bool:
    """True when the connection's open transaction has written registry rows."""
    return bool(conn.info.get(_WROTE_REGISTRY))


def _note_write(
    conn: Connection, _cursor: Any, statement: str, _parameters: Any, _context: Any, _many: bool
) -> None:
    """Mark the connection's open transaction as having written registry rows."""
    if writes_registry(statement):
        conn.info[_WROTE_REGISTRY] = True


def _bump_on_commit(conn: Connection) -> None:
    """Bump the version inside the committing transaction, just before its COMMIT."""
    if not conn.info.pop(_WROTE_REGISTRY, False):
        return
    cursor = conn.connection.dbapi_connection.cursor()  # type: ignore[union-attr]
    try:
        cursor.execute(_BUMP_SQL)
    finally:
        cursor.close()
    _committing.pending = True


# Read your writes (DESIGN.md): once this process has committed a registry write, its own caches
# must not answer from before it. The bump above runs just before COMMIT, so the listeners are
# told once the COMMIT is through: after the Session's commit, or when a Core connection that
# committed goes back to the pool. The flag is per thread, as a transaction is.
_committing = threading.local()
_commit_listeners: list[Callable[[], None]] = []


def on_registry_commit(listener: Callable[[], None]) -> None:
    """Call `listener` in the committing thread after each committed registry write."""
    if listener not in _commit_listeners:
        _commit_listeners.append(listener)


def _committed(*_: Any) -> None:
    if getattr(_committing, "pending", False):
        _committing.pending = False
        for listener in list(_commit_listeners):
            listener()


def _forget_on_rollback(conn: Connection) -> None:
    """A rolled-back transaction changed nothing."""
    conn.info.pop(_WROTE_REGISTRY, None)
    _committing.pending = False


def install_write_tracking() -> None:
    """Register the engine events for every engine (idempotent)."""
    if not event.contains(Engine, "before_cursor_execute", _note_write):
        event.listen(Engine, "before_cursor_execute", _note_write)
        event.listen(Engine, "commit", _bump_on_commit)
        event.listen(Engine, "rollback", _forget_on_rollback)
        event.listen(Session, "after_commit", _committed)
        event.listen(Pool, "checkin", _committed)
