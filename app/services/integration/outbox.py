"""Changes that others must hear about: mark what a write touched; before the transaction
commits, the affected watches are re-evaluated and their events written to the outbox in the
same transaction (DESIGN.md, Architecture)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

_KEY = "certverify.watch_scope"


def _scope(session: Session) -> dict[str, Any]:
    scope: dict[str, Any] = session.info.setdefault(
        _KEY, {"certificates": set(), "certification_bodies": set(), "accreditation_bodies": set()}
    )
    return scope


def mark_certificates(session: Session, ids: set[uuid.UUID] | list[uuid.UUID]) -> None:
    """These certificates changed (status, dates, standard, sectors, organisation, sites...)."""
    _scope(session)["certificates"].update(ids)


def mark_certification_body(session: Session, cb_id: uuid.UUID) -> None:
    """A CB's accreditations changed: every certificate it issued may change verdict."""
    _scope(session)["certification_bodies"].add(cb_id)


def mark_accreditation_body(session: Session, ab_id: uuid.UUID) -> None:
    """An AB's MLA recognition changed: certificates of every CB it accredits may change."""
    _scope(session)["accreditation_bodies"].add(ab_id)


def mark_everything(session: Session) -> None:
    """Reference data changed (e.g. a transition deadline): every watch is re-evaluated."""
    _scope(session)["all"] = True


@event.listens_for(Session, "before_commit")
def _reevaluate_before_commit(session: Session) -> None:
    """Re-evaluate watches touched by this transaction and write outbox events within it."""
    scope = session.info.pop(_KEY, None)
    if not scope:
        return
    if not (
        scope.get("all")
        or scope["certificates"]
        or scope["certification_bodies"]
        or scope["accreditation_bodies"]
    ):
        return
    from app import clock
    from app.services.integration.watches import reevaluate_scope

    reevaluate_scope(session, scope=scope, today=clock.today())


@event.listens_for(Session, "after_rollback")
def _forget_on_rollback(session: Session) -> None:
    """A rolled-back transaction changed nothing, so nothing is re-evaluated for it."""
    if not session.in_transaction():
        session.info.pop(_KEY, None)
