"""Queries about certificates, their organisations and histories."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from sqlalchemy import Select, and_, bindparam, exists, or_, select
from sqlalchemy.orm import Session, joinedload, selectinload

from app.models import (
    Certificate,
    CertificateChange,
    CertificateFacts,
    CertificateSite,
    CertificateStatusEvent,
    CertificationBody,
    Organization,
    Standard,
)


def with_everything_shown(stmt: Select[Certificate]) -> Select[Certificate]:
    """Load what a certificate's display reads: CB, organisation, standard, sites, statuses."""
    return stmt.options(
        joinedload(Certificate.certification_body),
        joinedload(Certificate.organization),
        joinedload(Certificate.standard),
        selectinload(Certificate.sites),
        selectinload(Certificate.status_events),
    )


class CertificateFactRow(NamedTuple):
    """One certificate joined with its CB, standard edition and organisation (the fact rows)."""

    id: uuid.UUID
    certificate_number: str
    number_key: str
    certification_body_id: uuid.UUID
    certification_body_name: str
    certification_body_acronym: str | None
    standard_code: str
    standard_edition: str
    transition_deadline: date | None
    superseded_by: str | None
    transition_deadline_earliest: date | None
    transition_rule_source: str | None
    standard_source: str | None
    in_mla_scope: bool
    organization_name: str
    organization_country: str | None
    organization_aliases: list[str] | None
    scope: str
    sectors: list[int] | None
    issue_date: date
    expiry_date: date
    original_issue_date: date | None
    confidential: bool


class SiteRow(NamedTuple):
    """One certified site of a certificate."""

    certificate_id: uuid.UUID
    country: str
    name: str | None
    address: str | None


class StatusEventRow(NamedTuple):
    """One dated status change of a certificate."""

    certificate_id: uuid.UUID
    status: str
    effective_from: date
    reason: str | None
    recorded_at: datetime


def _columns(row: type[tuple[Any, ...]], columns: dict[str, Any]) -> list[Any]:
    """`columns` in the field order of the named row they are read into (a KeyError here, at
    import, when a field has no column)."""
    return [columns[name] for name in row._fields]  # type: ignore[attr-defined]


# Built once with bound parameters: building and cache-keying a statement per call costs more
# than running it (BENCHMARKS.md, "Profiles"). Each selects the columns of its named row, in that
# row's field order, so a row is read by name everywhere.
_CERTIFICATE_FACT_SELECT = (
    select(
        *_columns(
            CertificateFactRow,
            {
                "id": Certificate.id,
                "certificate_number": Certificate.certificate_number,
                "number_key": Certificate.number_key,
                "certification_body_id": Certificate.certification_body_id,
                "certification_body_name": CertificationBody.name,
                "certification_body_acronym": CertificationBody.acronym,
                "standard_code": Standard.code,
                "standard_edition": Standard.edition,
                "transition_deadline": Standard.transition_deadline,
                "superseded_by": Standard.superseded_by,
                "transition_deadline_earliest": Standard.transition_deadline_earliest,
                "transition_rule_source": Standard.transition_rule_source,
                "standard_source": Standard.source,
                "in_mla_scope": Standard.in_mla_scope,
                "organization_name": Organization.name,
                "organization_country": Organization.country,
                "organization_aliases": Organization.aliases,
                "scope": Certificate.scope,
                "sectors": Certificate.sectors,
                "issue_date": Certificate.issue_date,
                "expiry_date": Certificate.expiry_date,
                "original_issue_date": Certificate.original_issue_date,
                "confidential": Certificate.confidential,
            },
        )
    )
    .join(CertificationBody, CertificationBody.id == Certificate.certification_body_id)
    .join(Standard, Standard.id == Certificate.standard_id)
    .join(Organization, Organization.id == Certificate.organization_id)
    .order_by(Certificate.created_at, Certificate.id)
)
_CERTIFICATE_FACT_ROWS_BY_ID = _CERTIFICATE_FACT_SELECT.where(
    Certificate.id.in_(bindparam("ids", expanding=True))
)
_SITE_ROWS = (
    select(
        *_columns(
            SiteRow,
            {
                "certificate_id": CertificateSite.certificate_id,
                "country": CertificateSite.country,
                "name": CertificateSite.name,
                "address": CertificateSite.address,
            },
        )
    )
    .where(CertificateSite.certificate_id.in_(bindparam("ids", expanding=True)))
    .order_by(CertificateSite.certificate_id, CertificateSite.position)
)
_STATUS_EVENT_ROWS = (
    select(
        *_columns(
            StatusEventRow,
            {
                "certificate_id": CertificateStatusEvent.certificate_id,
                "status": CertificateStatusEvent.status,
                "effective_from": CertificateStatusEvent.effective_from,
                "reason": CertificateStatusEvent.reason,
                "recorded_at": CertificateStatusEvent.recorded_at,
            },
        )
    )
    .where(CertificateStatusEvent.certificate_id.in_(bindparam("ids", expanding=True)))
    .order_by(
        CertificateStatusEvent.certificate_id,
        CertificateStatusEvent.effective_from,
        CertificateStatusEvent.recorded_at,
    )
)


class CertificateFactsRow(NamedTuple):
    """A certificate's facts row (app/models/certificate_facts.py) joined with its CB and its
    standard edition on their primary keys: everything a verification reads about it."""

    id: uuid.UUID
    number_key: str
    certification_body_id: uuid.UUID
    certification_body_name: str
    certification_body_acronym: str | None
    standard_code: str
    standard_edition: str
    transition_deadline: date | None
    superseded_by: str | None
    transition_deadline_earliest: date | None
    transition_rule_source: str | None
    standard_source: str | None
    in_mla_scope: bool
    facts: str
    """The JSON array of the rest (the model's docstring)."""


_FACTS_SELECT = (
    select(
        *_columns(
            CertificateFactsRow,
            {
                "id": CertificateFacts.certificate_id,
                "number_key": CertificateFacts.number_key,
                "certification_body_id": CertificateFacts.certification_body_id,
                "certification_body_name": CertificationBody.name,
                "certification_body_acronym": CertificationBody.acronym,
                "standard_code": Standard.code,
                "standard_edition": Standard.edition,
                "transition_deadline": Standard.transition_deadline,
                "superseded_by": Standard.superseded_by,
                "transition_deadline_earliest": Standard.transition_deadline_earliest,
                "transition_rule_source": Standard.transition_rule_source,
                "standard_source": Standard.source,
                "in_mla_scope": Standard.in_mla_scope,
                "facts": CertificateFacts.facts,
            },
        )
    )
    .join(CertificationBody, CertificationBody.id == CertificateFacts.certification_body_id)
    .join(Standard, Standard.id == CertificateFacts.standard_id)
    .order_by(CertificateFacts.created_at, CertificateFacts.certificate_id)
)
_FACTS_BY_NUMBER_KEY = _FACTS_SELECT.where(CertificateFacts.number_key == bindparam("number_key"))
_FACTS_BY_NUMBER_KEYS = _FACTS_SELECT.where(
    CertificateFacts.number_key.in_(bindparam("number_keys", expanding=True))
)

HOT_PATH_STATEMENTS = {"certificate_facts": _FACTS_BY_NUMBER_KEY}
"""The hot-path queries by name (BENCHMARKS.md shows their plans): since issue 16 one, the facts
rows of a number; accreditations are read per CB and cached."""


def certificate_fact_rows_by_number_key(
    session: Session, number_key: str
) -> list[CertificateFactsRow]:
    """Every CB's certificates with this key, as their facts rows: one indexed read (the lean
    hot path, no ORM objects), oldest certificate first."""
    return list(
        map(
            CertificateFactsRow._make,
            session.connection().execute(_FACTS_BY_NUMBER_KEY, {"number_key": number_key}),
        )
    )


FACT_ROWS_CHUNK = 900
"""Number keys (and certificate ids) per statement: below SQLite's and PostgreSQL's bound
parameter limits with room to spare."""


def certificate_fact_rows_by_number_keys(
    session: Session, number_keys: Iterable[str]
) -> dict[str, list[CertificateFactsRow]]:
    """The facts rows of many number keys at once (batch verification): one statement per
    FACT_ROWS_CHUNK keys; every key is in the result, with no rows when nothing carries it."""
    conn = session.connection()
    keys = sorted(set(number_keys))
    found: dict[str, list[CertificateFactsRow]] = {key: [] for key in keys}
    for start in range(0, len(keys), FACT_ROWS_CHUNK):
        chunk = keys[start : start + FACT_ROWS_CHUNK]
        for row in conn.execute(_FACTS_BY_NUMBER_KEYS, {"number_keys": chunk}):
            found[row[1]].append(CertificateFactsRow._make(row))
    return found


@dataclass(frozen=True, slots=True)
class CertificateFactRows:
    """The fact rows of some certificates read from the registry tables themselves: each
    certificate (joined with CB, standard and organisation), its sites, its events (watches,
    the import's warnings, and the recomputation the facts rows are checked against)."""

    certificates: Sequence[CertificateFactRow]
    sites: Sequence[SiteRow]
    status_events: Sequence[StatusEventRow]


def certificate_fact_rows_by_ids(
    session: Session, certificate_ids: Iterable[uuid.UUID]
) -> CertificateFactRows:
    """The fact rows of these certificates (watch re-evaluation), FACT_ROWS_CHUNK ids per
    statement; through the ORM session, so its pending changes are flushed first (autoflush)."""
    return _fact_rows_by_ids(session.execute, certificate_ids)


def written_certificate_fact_rows(
    session: Session, certificate_ids: Iterable[uuid.UUID]
) -> CertificateFactRows:
    """The fact rows of certificates a bulk write has just written with Core statements (the
    import's warnings), read on the session's connection: the lean path, without the ORM's
    result processing; the caller has nothing pending in the session."""
    return _fact_rows_by_ids(session.connection().execute, certificate_ids)


def _fact_rows_by_ids(
    execute: Callable[..., Any], certificate_ids: Iterable[uuid.UUID]
) -> CertificateFactRows:
    wanted = sorted(set(certificate_ids))
    certs: list[CertificateFactRow] = []
    sites: list[SiteRow] = []
    events: list[StatusEventRow] = []
    for start in range(0, len(wanted), FACT_ROWS_CHUNK):
        chunk = {"ids": wanted[start : start + FACT_ROWS_CHUNK]}
        certs += map(CertificateFactRow._make, execute(_CERTIFICATE_FACT_ROWS_BY_ID, chunk))
        sites += map(SiteRow._make, execute(_SITE_ROWS, chunk))
        events += map(StatusEventRow._make, execute(_STATUS_EVENT_ROWS, chunk))
    return CertificateFactRows(certs, sites, events)


def get_certificate(session: Session, certificate_id: uuid.UUID) -> Certificate | None:
    """One certificate with everything it shows."""
    stmt = select(Certificate).where(Certificate.id == certificate_id)
    return session.scalars(with_everything_shown(stmt)).unique().one_or_none()


def certificate_by_number(
    session: Session, certification_body_id: uuid.UUID, number_key: str
) -> Certificate | None:
    """The CB's certificate with this normalised number, if it has one."""
    return session.scalars(
        select(Certificate).where(
            Certificate.certification_body_id == certification_body_id,
            Certificate.number_key == number_key,
        )
    ).first()


def certificates_of_certification_body(
    session: Session, certification_body_id: uuid.UUID
) -> Iterator[Certificate]:
    """Every certificate of one CB (confidential included) by number key, with what an export
    shows, streamed 1,000 at a time."""
    stmt = (
        select(Certificate)
        .where(Certificate.certification_body_id == certification_body_id)
        .options(
            selectinload(Certificate.organization),
            selectinload(Certificate.standard),
            selectinload(Certificate.sites),
            selectinload(Certificate.status_events),
        )
        .order_by(Certificate.number_key)
        .execution_options(yield_per=1000)
    )
    yield from session.scalars(stmt)


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


class PublicCertificate(NamedTuple):
    """A non-confidential certificate a search found, and the organisation holding it."""

    certificate_id: uuid.UUID
    organization_id: uuid.UUID


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
) -> list[PublicCertificate]:
    """The non-confidential certificates matching every filter, by number key."""
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
    return [PublicCertificate._make(row) for row in session.execute(stmt)]


def certificates_by_ids(session: Session, ids: Sequence[uuid.UUID]) -> list[Certificate]:
    """Certificates with everything they show, in the order of `ids`."""
    if not ids:
        return []
    rows = session.scalars(
        with_everything_shown(select(Certificate).where(Certificate.id.in_(ids)))
    ).unique()
    by_id = {c.id: c for c in rows}
    return [by_id[i] for i in ids if i in by_id]


class OrganizationNames(NamedTuple):
    """The names an organisation is searched by: its folded name and its aliases."""

    organization_id: uuid.UUID
    name_key: str
    aliases: list[str]


def public_organization_names(
    session: Session, certification_body_id: uuid.UUID | None
) -> list[OrganizationNames]:
    """The names of organisations holding at least one non-confidential certificate."""
    has_public = exists().where(
        and_(Certificate.organization_id == Organization.id, Certificate.confidential.is_(False))
    )
    stmt = select(Organization.id, Organization.name_key, Organization.aliases).where(has_public)
    if certification_body_id is not None:
        stmt = stmt.where(Organization.certification_body_id == certification_body_id)
    return [
        OrganizationNames(org_id, name_key, list(aliases or []))
        for org_id, name_key, aliases in session.execute(stmt)
    ]


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
