"""Queries about certificates, their organisations and histories."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Select, and_, bindparam, exists, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.models import (
    Certificate,
    CertificateChange,
    CertificateSite,
    CertificateStatusEvent,
    CertificationBody,
    Organization,
    Standard,
)


def with_verification_facts(stmt: Select[Certificate]) -> Select[Certificate]:
    """Load what verification and display read: CB, organisation, standard, sites, statuses."""
    return stmt.options(
        joinedload(Certificate.certification_body),
        joinedload(Certificate.organization),
        joinedload(Certificate.standard),
        selectinload(Certificate.sites),
        selectinload(Certificate.status_events),
    )


# Built once with bound parameters: building and cache-keying a statement per call costs more
# than running it (BENCHMARKS.md, "Profiles").
_CERTIFICATE_FACT_ROWS = (
    select(
        Certificate.id,
        Certificate.certificate_number,
        Certificate.number_key,
        Certificate.certification_body_id,
        CertificationBody.name,
        CertificationBody.acronym,
        Standard.code,
        Standard.edition,
        Standard.transition_deadline,
        Standard.superseded_by,
        Organization.name,
        Organization.country,
        Organization.aliases,
        Certificate.scope,
        Certificate.sectors,
        Certificate.issue_date,
        Certificate.expiry_date,
        Certificate.original_issue_date,
        Certificate.confidential,
    )
    .join(CertificationBody, CertificationBody.id == Certificate.certification_body_id)
    .join(Standard, Standard.id == Certificate.standard_id)
    .join(Organization, Organization.id == Certificate.organization_id)
    .order_by(Certificate.created_at, Certificate.id)
)
_CERTIFICATE_FACT_ROWS_MANY = _CERTIFICATE_FACT_ROWS.where(
    Certificate.number_key.in_(bindparam("number_keys", expanding=True))
)
_CERTIFICATE_FACT_ROWS = _CERTIFICATE_FACT_ROWS.where(
    Certificate.number_key == bindparam("number_key")
)
_SITE_ROWS = (
    select(
        CertificateSite.certificate_id,
        CertificateSite.country,
        CertificateSite.name,
        CertificateSite.address,
    )
    .where(CertificateSite.certificate_id.in_(bindparam("ids", expanding=True)))
    .order_by(CertificateSite.certificate_id, CertificateSite.position)
)
_STATUS_EVENT_ROWS = (
    select(
        CertificateStatusEvent.certificate_id,
        CertificateStatusEvent.status,
        CertificateStatusEvent.effective_from,
        CertificateStatusEvent.reason,
        CertificateStatusEvent.recorded_at,
    )
    .where(CertificateStatusEvent.certificate_id.in_(bindparam("ids", expanding=True)))
    .order_by(
        CertificateStatusEvent.certificate_id,
        CertificateStatusEvent.effective_from,
        CertificateStatusEvent.recorded_at,
    )
)
HOT_PATH_STATEMENTS = {
    "certificates": _CERTIFICATE_FACT_ROWS,
    "sites": _SITE_ROWS,
    "status_events": _STATUS_EVENT_ROWS,
}
"""The hot-path queries by name (BENCHMARKS.md shows their plans)."""


@dataclass(frozen=True, slots=True)
class CertificateFactRows:
    """The rows one certificate lookup needs: certificates (joined), their sites and events."""

    certificates: Sequence[Sequence[Any]]
    sites: Sequence[Sequence[Any]]
    status_events: Sequence[Sequence[Any]]


def certificate_fact_rows_by_number_key(session: Session, number_key: str) -> CertificateFactRows:
    """Every CB's certificates with this key as plain rows: the lean hot path (no ORM objects)."""
    conn = session.connection()
    certs = conn.execute(_CERTIFICATE_FACT_ROWS, {"number_key": number_key}).all()
    if not certs:
        return CertificateFactRows((), (), ())
    ids = {"ids": [row[0] for row in certs]}
    sites = conn.execute(_SITE_ROWS, ids).all()
    events = conn.execute(_STATUS_EVENT_ROWS, ids).all()
    return CertificateFactRows(certs, sites, events)


FACT_ROWS_CHUNK = 900
"""Number keys (and certificate ids) per statement: below SQLite's and PostgreSQL's bound
parameter limits with room to spare."""


def certificate_fact_rows_by_number_keys(
    session: Session, number_keys: Iterable[str]
) -> dict[str, CertificateFactRows]:
    """The lean lookup for many number keys at once (batch verification): three statements per
    FACT_ROWS_CHUNK keys; every key is in the result, with empty rows when nothing carries it."""
    conn = session.connection()
    keys = sorted(set(number_keys))
    certs: dict[str, list[Sequence[Any]]] = {key: [] for key in keys}
    key_of: dict[Any, str] = {}
    for start in range(0, len(keys), FACT_ROWS_CHUNK):
        chunk = keys[start : start + FACT_ROWS_CHUNK]
        for row in conn.execute(_CERTIFICATE_FACT_ROWS_MANY, {"number_keys": chunk}):
            certs[row[2]].append(row)
            key_of[row[0]] = row[2]
    sites: dict[str, list[Sequence[Any]]] = {key: [] for key in keys}
    events: dict[str, list[Sequence[Any]]] = {key: [] for key in keys}
    ids = list(key_of)
    for start in range(0, len(ids), FACT_ROWS_CHUNK):
        chunk_ids = {"ids": ids[start : start + FACT_ROWS_CHUNK]}
        for site in conn.execute(_SITE_ROWS, chunk_ids):
            sites[key_of[site[0]]].append(site)
        for event in conn.execute(_STATUS_EVENT_ROWS, chunk_ids):
            events[key_of[event[0]]].append(event)
    return {key: CertificateFactRows(certs[key], sites[key], events[key]) for key in keys}


def get_certificate(session: Session, certificate_id: uuid.UUID) -> Certificate | None:
    """One certificate with everything it shows."""
    stmt = select(Certificate).where(Certificate.id == certificate_id)
    return session.scalars(with_verification_facts(stmt)).unique().one_or_none()


def certificate_number_taken(
    session: Session, certification_body_id: uuid.UUID, number_key: str, exclude: uuid.UUID | None
) -> bool:
    """True when the CB already has a certificate with this normalised number."""
    stmt = select(Certificate.id).where(
        Certificate.certification_body_id == certification_body_id,
        Certificate.number_key == number_key,
    )
    if exclude is not None:
        stmt = stmt.where(Certificate.id != exclude)
    return session.scalars(stmt.limit(1)).first() is not None


def find_organization(
    session: Session, certification_body_id: uuid.UUID, name_key: str, country: str | None
) -> Organization | None:
    """The CB's existing organisation record with this folded name and country."""
    return session.scalars(
        select(Organization)
        .where(
            Organization.certification_body_id == certification_body_id,
            Organization.name_key == name_key,
            Organization.country == country if country else Organization.country.is_(None),
        )
        .order_by(Organization.created_at)
    ).first()


def find_standard(session: Session, code_key: str, edition: str) -> Standard | None:
    """A standard edition by code key and edition."""
    return session.scalars(
        select(Standard).where(Standard.code_key == code_key, Standard.edition == edition)
    ).one_or_none()


def standards_by_code_key(session: Session, code_key: str) -> Sequence[Standard]:
    """Every edition of a standard code."""
    return session.scalars(select(Standard).where(Standard.code_key == code_key)).all()


def search_public_certificate_ids(
    session: Session,
    *,
    organization_ids: Sequence[uuid.UUID] | None,
    number_key: str | None,
    standard_ids: Sequence[uuid.UUID] | None,
    country: str | None,
    certification_body_id: uuid.UUID | None,
    status: str | None,
    today: date,
    offset: int,
    limit: int | None,
) -> Sequence[tuple[uuid.UUID, uuid.UUID]]:
    """(certificate id, organisation id) of non-confidential certificates matching every filter."""
    stmt = select(Certificate.id, Certificate.organization_id).where(
        Certificate.confidential.is_(False)
    )
    if organization_ids is not None:
        stmt = stmt.where(Certificate.organization_id.in_(organization_ids))
    if number_key is not None:
        stmt = stmt.where(Certificate.number_key == number_key)
    if standard_ids is not None:
        stmt = stmt.where(Certificate.standard_id.in_(standard_ids))
    if certification_body_id is not None:
        stmt = stmt.where(Certificate.certification_body_id == certification_body_id)
    if country is not None:
        site_in_country = exists().where(
            CertificateSite.certificate_id == Certificate.id, CertificateSite.country == country
        )
        org_in_country = exists().where(
            Organization.id == Certificate.organization_id, Organization.country == country
        )
        stmt = stmt.where(or_(site_in_country, org_in_country))
    if status == "expired":
        stmt = stmt.where(Certificate.expiry_date < today)
    elif status is not None:
        status_today = (
            select(CertificateStatusEvent.status)
            .where(
                CertificateStatusEvent.certificate_id == Certificate.id,
                CertificateStatusEvent.effective_from <= today,
            )
            .order_by(
                CertificateStatusEvent.effective_from.desc(),
                CertificateStatusEvent.recorded_at.desc(),
            )
            .limit(1)
            .scalar_subquery()
        )
        stmt = stmt.where(status_today == status)
        if status == "active":
            stmt = stmt.where(Certificate.expiry_date >= today)
    stmt = stmt.order_by(Certificate.number_key, Certificate.id).offset(offset)
    if limit is not None:
        stmt = stmt.limit(limit)
    return [(row[0], row[1]) for row in session.execute(stmt)]


def certificates_by_ids(session: Session, ids: Sequence[uuid.UUID]) -> list[Certificate]:
    """Certificates with everything they show, in the order of `ids`."""
    if not ids:
        return []
    rows = session.scalars(
        with_verification_facts(select(Certificate).where(Certificate.id.in_(ids)))
    ).unique()
    by_id = {c.id: c for c in rows}
    return [by_id[i] for i in ids if i in by_id]


def public_organization_names(
    session: Session, certification_body_id: uuid.UUID | None
) -> Sequence[tuple[uuid.UUID, str, list[str]]]:
    """(id, folded name, aliases) of organisations holding at least one non-confidential cert."""
    has_public = exists().where(
        and_(Certificate.organization_id == Organization.id, Certificate.confidential.is_(False))
    )
    stmt = select(Organization.id, Organization.name_key, Organization.aliases).where(has_public)
    if certification_body_id is not None:
        stmt = stmt.where(Organization.certification_body_id == certification_body_id)
    return [(row[0], row[1], list(row[2] or [])) for row in session.execute(stmt)]


def certificate_history(
    session: Session, certificate_id: uuid.UUID
) -> tuple[Sequence[CertificateStatusEvent], Sequence[CertificateChange]]:
    """Status events and field changes of one certificate, oldest first."""
    events = session.scalars(
        select(CertificateStatusEvent)
        .where(CertificateStatusEvent.certificate_id == certificate_id)
        .order_by(CertificateStatusEvent.recorded_at, CertificateStatusEvent.id)
    ).all()
    changes = session.scalars(
        select(CertificateChange)
        .where(CertificateChange.certificate_id == certificate_id)
        .order_by(CertificateChange.recorded_at, CertificateChange.id)
    ).all()
    return events, changes
