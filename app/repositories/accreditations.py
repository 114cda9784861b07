"""Queries about accreditations of certification bodies."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.models import Accreditation, AccreditationBody


def _with_everything() -> tuple[object, ...]:
    return (
        joinedload(Accreditation.accreditation_body).selectinload(AccreditationBody.mla_scopes),
        selectinload(Accreditation.status_events),
    )


def accreditations_of_certification_body(
    session: Session, certification_body_id: uuid.UUID
) -> Sequence[Accreditation]:
    """Every accreditation of one CB, any standard, any AB, with status history and AB scopes."""
    return (
        session.scalars(
            select(Accreditation)
            .where(Accreditation.certification_body_id == certification_body_id)
            .options(*_with_everything())  # type: ignore[arg-type]
            .order_by(Accreditation.standard_code_key, Accreditation.valid_from, Accreditation.id)
        )
        .unique()
        .all()
    )


def get_accreditation(session: Session, accreditation_id: uuid.UUID) -> Accreditation | None:
    """One accreditation with its AB and status history."""
    return (
        session.scalars(
            select(Accreditation)
            .where(Accreditation.id == accreditation_id)
            .options(*_with_everything())  # type: ignore[arg-type]
        )
        .unique()
        .one_or_none()
    )


def find_accreditation(
    session: Session,
    *,
    accreditation_body_id: uuid.UUID,
    certification_body_id: uuid.UUID,
    accreditation_number: str,
    standard_code_key: str,
) -> Accreditation | None:
    """The AB's accreditation of the CB with this number for this standard code, if recorded."""
    return session.scalars(
        select(Accreditation).where(
            Accreditation.accreditation_body_id == accreditation_body_id,
            Accreditation.certification_body_id == certification_body_id,
            Accreditation.accreditation_number == accreditation_number,
            Accreditation.standard_code_key == standard_code_key,
        )
    ).first()


def certification_bodies_accredited_by(
    session: Session, accreditation_body_ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    """The CBs holding an accreditation from any of these ABs (any standard, any status)."""
    return set(
        session.scalars(
            select(Accreditation.certification_body_id).where(
                Accreditation.accreditation_body_id.in_(list(accreditation_body_ids))
            )
        )
    )
