"""Queries about the reference data: standard editions and IAF sector codes."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.models import Sector, Standard


def list_standards(session: Session, *, offset: int, limit: int) -> Sequence[Standard]:
    """Standard editions ordered by code and edition, a page at a time."""
    return session.scalars(
        select(Standard).order_by(Standard.code_key, Standard.edition).offset(offset).limit(limit)
    ).all()


def list_sectors(session: Session, *, offset: int, limit: int) -> Sequence[Sector]:
    """IAF sector codes in code order, a page at a time."""
    return session.scalars(select(Sector).order_by(Sector.code).offset(offset).limit(limit)).all()


def every_standard(session: Session) -> Sequence[Standard]:
    """Every standard edition (seeding compares them with the shipped file)."""
    return session.scalars(select(Standard)).all()


def every_sector(session: Session) -> Sequence[Sector]:
    """Every IAF sector code (seeding compares them with the shipped file)."""
    return session.scalars(select(Sector)).all()
