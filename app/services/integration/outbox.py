"""Watch re-evaluation, subscribed to the change sink: outbox events in the write's transaction.

DESIGN.md, Architecture: "Changes that others must hear about (status changes, accreditation
changes) are written to an outbox table in the same transaction as the change, then delivered by
a worker: nothing is lost when a process dies. What a transaction touched is recorded through one
explicit change sink that imports nothing above it; listeners are registered by the entry points,
not at import time."

Decision (issue 12): re-evaluation stays in the write transaction. Writes record what they
touched in the change sink (`app/change_sink.py`); just before the transaction commits, the
watches it may affect are re-evaluated and their events added to the outbox, so the change and
its events commit, or roll back, together. A process that dies after the commit loses nothing:
the events are already in the database, and a worker that crashes only delays their delivery.
Moving re-evaluation to the worker would need a durable change row per write for the same
guarantee; the price of staying is that a write which touched watched certificates (an import
included) pays for their re-evaluation before it commits.

Importing this module registers nothing: the entry points call `install_reevaluation()`
(`create_app()` in app/main.py, the `certverify` command in app/cli.py, the delivery worker in
app/services/integration/worker.py, and the test harness in tests/conftest.py).
"""

from __future__ import annotations

import threading

from sqlalchemy import event
from sqlalchemy.orm import Session, SessionTransaction

from app import change_sink, clock
from app.services.integration.watches import reevaluate_scope

_install_lock = threading.Lock()


def _reevaluate_before_commit(session: Session) -> None:
    """Re-evaluate watches touched by this transaction and write outbox events within it."""
    touched = change_sink.take(session)
    if not touched:
        return
    scope = {
        "all": touched.everything,
        "certificates": set(touched.certificates),
        "certification_bodies": set(touched.certification_bodies),
        "accreditation_bodies": set(touched.accreditation_bodies),
    }
    reevaluate_scope(session, scope=scope, today=clock.today())


def _forget_when_transaction_ends(session: Session, transaction: SessionTransaction) -> None:
    """A rolled-back (or closed) transaction changed nothing, so nothing is re-evaluated for it.

    On the session's outermost transaction only: a savepoint rolled back inside it keeps the
    record, since re-evaluating too much is harmless and too little would lose an event.
    """
    if transaction.parent is None:
        change_sink.take(session)


def reevaluation_installed() -> bool:
    """Whether watch re-evaluation is subscribed to every Session's commits in this process."""
    return event.contains(Session, "before_commit", _reevaluate_before_commit)


def install_reevaluation() -> None:
    """Subscribe watch re-evaluation to every Session's commits (idempotent)."""
    with _install_lock:
        if not event.contains(Session, "before_commit", _reevaluate_before_commit):
            event.listen(Session, "before_commit", _reevaluate_before_commit)
        if not event.contains(Session, "after_transaction_end", _forget_when_transaction_ends):
            event.listen(Session, "after_transaction_end", _forget_when_transaction_ends)
