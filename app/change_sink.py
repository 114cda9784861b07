"""The change sink: what a transaction touched, recorded by the write and read by subscribers.

DESIGN.md, Architecture: "What a transaction touched is recorded through one explicit change sink
that imports nothing above it; listeners are registered by the entry points, not at import time."

Writes call `record_*` in the transaction that makes the change; the record is kept in the
session's `info` until a subscriber takes it. This module triggers nothing: whoever must hear
about changes subscribes from an entry point and reads the record with `touched()` or `take()`.
The one subscriber today is watch re-evaluation (`app/services/integration/outbox.py`,
`install_reevaluation()`): it takes the record before the transaction commits and writes the
resulting events to the outbox in that same transaction, so a change and its events commit or
roll back together and no change is lost when a process dies.

Imports only the standard library and SQLAlchemy's Session (for typing): nothing from `app`, so
every writer may import it without forming a cycle.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

_KEY = "certverify.changes"


@dataclass
class _Record:
    """The mutable record kept in `session.info` while the transaction runs."""

    certificates: set[uuid.UUID] = field(default_factory=set)
    certification_bodies: set[uuid.UUID] = field(default_factory=set)
    accreditation_bodies: set[uuid.UUID] = field(default_factory=set)
    everything: bool = False


@dataclass(frozen=True)
class Touched:
    """What a transaction touched, as handed to subscribers."""

    certificates: frozenset[uuid.UUID] = frozenset()
    certification_bodies: frozenset[uuid.UUID] = frozenset()
    accreditation_bodies: frozenset[uuid.UUID] = frozenset()
    everything: bool = False

    def __bool__(self) -> bool:
        """True when anything at all was touched."""
        return bool(
            self.everything
            or self.certificates
            or self.certification_bodies
            or self.accreditation_bodies
        )


def _record(session: Session) -> _Record:
    record = session.info.get(_KEY)
    if not isinstance(record, _Record):
        record = session.info[_KEY] = _Record()
    return record


def record_certificates(session: Session, ids: Iterable[uuid.UUID]) -> None:
    """These certificates changed (status, dates, standard, sectors, organisation, sites...)."""
    _record(session).certificates.update(ids)


def record_certification_body(session: Session, cb_id: uuid.UUID) -> None:
    """A CB's accreditations or certificates changed: every certificate it issued may change."""
    _record(session).certification_bodies.add(cb_id)


def record_accreditation_body(session: Session, ab_id: uuid.UUID) -> None:
    """An AB's MLA recognition changed: certificates of every CB it accredits may change."""
    _record(session).accreditation_bodies.add(ab_id)


def record_everything(session: Session) -> None:
    """Reference data changed (e.g. a transition deadline): every certificate may change."""
    _record(session).everything = True


def _frozen(record: _Record | None) -> Touched:
    if record is None:
        return Touched()
    return Touched(
        certificates=frozenset(record.certificates),
        certification_bodies=frozenset(record.certification_bodies),
        accreditation_bodies=frozenset(record.accreditation_bodies),
        everything=record.everything,
    )


def touched(session: Session) -> Touched:
    """What the session's current transaction has touched so far (the record stays)."""
    record = session.info.get(_KEY)
    return _frozen(record if isinstance(record, _Record) else None)


def take(session: Session) -> Touched:
    """What the session's transaction touched, removing the record (a subscriber's hand-off)."""
    record = session.info.pop(_KEY, None)
    return _frozen(record if isinstance(record, _Record) else None)
