"""The demo builder's questions and its bulk inserts (app/demo/builder.py)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.models import AccreditationBody, Certificate, CertificationBody, Standard


def registry_has_certificates(session: Session) -> bool:
    """True when the registry holds at least one certificate."""
    return session.scalar(select(Certificate.id).limit(1)) is not None


def standards_by_edition(session: Session) -> dict[tuple[str, str], Standard]:
    """Every standard edition by (code key, edition)."""
    return {(s.code_key, s.edition): s for s in session.scalars(select(Standard))}


def accreditation_bodies_by_acronym_key(
    session: Session, acronym_keys: Iterable[str]
) -> dict[str, AccreditationBody]:
    """The accreditation bodies with these acronym keys, by key."""
    keys = set(acronym_keys)
    return {
        ab.acronym_key: ab
        for ab in session.scalars(
            select(AccreditationBody).where(AccreditationBody.acronym_key.in_(keys))
        )
    }


def certification_body_acronyms_taken(session: Session, acronym_keys: Sequence[str]) -> list[str]:
    """The acronyms of existing certification bodies among these keys."""
    return [
        str(a)
        for a in session.scalars(
            select(CertificationBody.acronym).where(CertificationBody.acronym_key.in_(acronym_keys))
        )
    ]


def insert_rows(session: Session, model: type[Any], rows: list[dict[str, Any]]) -> None:
    """Insert plain rows of one model with one executemany statement."""
    if rows:
        session.execute(insert(model), rows)
