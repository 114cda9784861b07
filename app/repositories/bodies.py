"""Queries about certification bodies and accreditation bodies."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from app.domain.bodies import BodyName, resolve_body
from app.models import AccreditationBody, Certificate, CertificationBody


def parse_uuid(value: str) -> uuid.UUID | None:
    """The UUID in `value`, or None when it is not one."""
    try:
        return uuid.UUID(value.strip())
    except (ValueError, AttributeError):
        return None


def find_certification_body(session: Session, reference: str) -> CertificationBody | None:
    """Resolve a named CB in the order of DESIGN.md ("CB resolution", app/domain/bodies.py):
    id, acronym (both by index), then names and aliases over every CB's names (CBs are few)."""
    as_id = parse_uuid(reference)
    if as_id is not None:
        return get_certification_body(session, as_id)
    text = reference.strip()
    if not text or has_control_characters(text):
        return None  # no CB is named with control characters (writes refuse them; PostgreSQL
        # refuses NUL in any text parameter)
    by_acronym = session.scalars(
        select(CertificationBody).where(CertificationBody.acronym_key == text.upper())
    ).first()
    if by_acronym is not None:
        return by_acronym
    found = resolve_body(text, certification_body_names(session))
    return get_certification_body(session, uuid.UUID(found)) if found else None


def has_control_characters(text: str) -> bool:
    """Whether `text` holds a C0 or C1 control character (U+0000-U+001F, U+007F-U+009F)."""
    return any(ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F for char in text)


def certification_body_names(session: Session) -> list[BodyName]:
    """Every CB's names, oldest first (the oldest wins a tie in resolution)."""
    rows = session.execute(
        select(
            CertificationBody.id,
            CertificationBody.name,
            CertificationBody.acronym,
            CertificationBody.aliases,
        ).order_by(CertificationBody.created_at, CertificationBody.id)
    )
    return [
        BodyName(id=str(row.id), name=row.name, acronym=row.acronym, aliases=tuple(row.aliases))
        for row in rows
    ]


def accreditation_body_names(session: Session) -> list[BodyName]:
    """Every AB's names, oldest first, for resolution like a CB's (ABs have no aliases)."""
    rows = session.execute(
        select(AccreditationBody.id, AccreditationBody.name, AccreditationBody.acronym).order_by(
            AccreditationBody.created_at, AccreditationBody.id
        )
    )
    return [BodyName(id=str(row.id), name=row.name, acronym=row.acronym) for row in rows]


class BodyListing(NamedTuple):
    """One body as `certverify bodies list` shows it (an AB's country is its economy)."""

    id: uuid.UUID
    kind: str
    acronym: str | None
    name: str
    country: str | None


def bodies_for_listing(session: Session, kind: str | None) -> list[BodyListing]:
    """Every certification body ("certification") and accreditation body ("accreditation"),
    or those of one kind: certification bodies first, each kind by acronym, then name."""
    listed: list[BodyListing] = []
    if kind in (None, "certification"):
        cbs = session.execute(
            select(
                CertificationBody.id,
                CertificationBody.acronym,
                CertificationBody.name,
                CertificationBody.country,
            ).order_by(
                CertificationBody.acronym_key.is_(None),
                CertificationBody.acronym_key,
                CertificationBody.name_key,
                CertificationBody.id,
            )
        )
        listed += [BodyListing(r.id, "certification", r.acronym, r.name, r.country) for r in cbs]
    if kind in (None, "accreditation"):
        abs_ = session.execute(
            select(
                AccreditationBody.id,
                AccreditationBody.acronym,
                AccreditationBody.name,
                AccreditationBody.economy,
            ).order_by(AccreditationBody.acronym_key, AccreditationBody.id)
        )
        listed += [BodyListing(r.id, "accreditation", r.acronym, r.name, r.economy) for r in abs_]
    return listed


def certification_bodies_publishing(
    session: Session, cb_ids: Iterable[uuid.UUID]
) -> set[uuid.UUID]:
    """The CBs among `cb_ids` that have at least one public (non-confidential) certificate
    (DESIGN.md: what "publishes to this registry" means)."""
    wanted = list(set(cb_ids))
    if not wanted:
        return set()
    public = (
        select(Certificate.id)
        .where(
            Certificate.certification_body_id == CertificationBody.id,
            Certificate.confidential.is_(False),
        )
        .exists()
    )
    return set(
        session.scalars(
            select(CertificationBody.id).where(CertificationBody.id.in_(wanted), public)
        )
    )


def get_certification_body(session: Session, cb_id: uuid.UUID) -> CertificationBody | None:
    """One CB by id."""
    return session.get(CertificationBody, cb_id)


def certification_body_id_with_acronym(session: Session, acronym: str) -> uuid.UUID | None:
    """The id of the CB with this acronym (case-insensitive), if one has it."""
    return session.scalars(
        select(CertificationBody.id).where(CertificationBody.acronym_key == acronym.upper())
    ).first()


def accreditation_body_id_with_acronym(session: Session, acronym: str) -> uuid.UUID | None:
    """The id of the AB with this acronym (case-insensitive), if one has it."""
    return session.scalars(
        select(AccreditationBody.id).where(AccreditationBody.acronym_key == acronym.upper())
    ).first()


def every_accreditation_body(session: Session) -> Sequence[AccreditationBody]:
    """Every AB with its MLA scopes (seeding compares them with the shipped file)."""
    return session.scalars(
        select(AccreditationBody).options(selectinload(AccreditationBody.mla_scopes))
    ).all()


def get_accreditation_body(session: Session, ab_id: uuid.UUID) -> AccreditationBody | None:
    """One AB with its MLA scopes."""
    return session.scalars(
        select(AccreditationBody)
        .where(AccreditationBody.id == ab_id)
        .options(selectinload(AccreditationBody.mla_scopes))
    ).one_or_none()


def accreditation_body_by_acronym(session: Session, acronym: str) -> AccreditationBody | None:
    """One AB by acronym (case-insensitive)."""
    return session.scalars(
        select(AccreditationBody).where(AccreditationBody.acronym_key == acronym.strip().upper())
    ).one_or_none()


def list_accreditation_bodies(
    session: Session, *, q: str | None, economy: str | None, offset: int, limit: int
) -> Sequence[AccreditationBody]:
    """ABs ordered by acronym, optionally filtered by economy or a text in acronym/name."""
    stmt = select(AccreditationBody).options(selectinload(AccreditationBody.mla_scopes))
    if economy:
        stmt = stmt.where(AccreditationBody.economy == economy.upper())
    if q:
        text = q.strip().lower()
        # autoescape: `%`, `_` and the escape character in `q` are matched literally (issue 14).
        stmt = stmt.where(
            func.lower(AccreditationBody.acronym).contains(text, autoescape=True)
            | func.lower(AccreditationBody.name).contains(text, autoescape=True)
        )
    stmt = stmt.order_by(AccreditationBody.acronym_key).offset(offset).limit(limit)
    return session.scalars(stmt).all()


def list_certification_bodies(
    session: Session, *, q: str | None, country: str | None, offset: int, limit: int
) -> Sequence[CertificationBody]:
    """CBs ordered by name, optionally filtered by country or a text in acronym/name."""
    stmt = select(CertificationBody)
    if country:
        stmt = stmt.where(CertificationBody.country == country.upper())
    if q:
        text = q.strip().lower()
        stmt = stmt.where(
            func.lower(CertificationBody.acronym).contains(text, autoescape=True)
            | func.lower(CertificationBody.name).contains(text, autoescape=True)
        )
    stmt = (
        stmt.order_by(CertificationBody.name_key, CertificationBody.id).offset(offset).limit(limit)
    )
    return session.scalars(stmt).all()
