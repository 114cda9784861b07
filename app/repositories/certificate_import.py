"""The set-based reads and writes of the certificate import: what the registry holds for a batch
of numbers, and the batch's inserts and updates as a handful of executemany statements (no ORM
objects, so a million rows keep bounded memory)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.orm import Session

from app.domain.facts import Status, StatusEvent
from app.models import (
    AuditEvent,
    Certificate,
    CertificateChange,
    CertificateSite,
    CertificateStatusEvent,
    Organization,
    Standard,
)


class ExistingCertificate(NamedTuple):
    """A certificate's stored fields, as the import compares them with a row."""

    id: uuid.UUID
    number_key: str
    certificate_number: str
    organization_id: uuid.UUID
    standard_id: uuid.UUID
    scope: str
    sectors: list[int]
    original_issue_date: date | None
    issue_date: date
    expiry_date: date
    confidential: bool
    updated_at: datetime


def standard_labels(session: Session) -> dict[uuid.UUID, tuple[str, str, str]]:
    """Every standard edition: id -> (code key, edition, label)."""
    return {s.id: (s.code_key, s.edition, s.label) for s in session.scalars(select(Standard)).all()}


def standard_publications(session: Session) -> dict[uuid.UUID, tuple[str | None, str | None]]:
    """Every standard edition: id -> (published as sourced, status), for the publication rule."""
    rows = session.execute(select(Standard.id, Standard.published, Standard.status)).all()
    return {row.id: (row.published, row.status) for row in rows}


def certificate_owner(session: Session, certificate_id: uuid.UUID) -> uuid.UUID | None:
    """The certification body a certificate belongs to (None when there is no such id)."""
    return session.scalar(
        select(Certificate.certification_body_id).where(Certificate.id == certificate_id)
    )


def existing_certificates(
    session: Session, certification_body_id: uuid.UUID, number_keys: Sequence[str]
) -> dict[str, ExistingCertificate]:
    """The CB's certificates with these number keys, by key."""
    rows = session.execute(
        select(*(getattr(Certificate, name) for name in ExistingCertificate._fields)).where(
            Certificate.certification_body_id == certification_body_id,
            Certificate.number_key.in_(number_keys),
        )
    )
    found = (ExistingCertificate(*row) for row in rows)
    return {row.number_key: row for row in found}


def sites_of(
    session: Session, certificate_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[dict[str, Any]]]:
    """Each certificate's sites in order, as {name, address, country}."""
    sites: dict[uuid.UUID, list[dict[str, Any]]] = {i: [] for i in certificate_ids}
    if certificate_ids:
        for site in session.scalars(
            select(CertificateSite)
            .where(CertificateSite.certificate_id.in_(certificate_ids))
            .order_by(CertificateSite.position)
        ):
            sites[site.certificate_id].append(
                {"name": site.name, "address": site.address, "country": site.country}
            )
    return sites


def status_events_of(
    session: Session, certificate_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[StatusEvent]]:
    """Each certificate's recorded status events, oldest first."""
    events: dict[uuid.UUID, list[StatusEvent]] = {i: [] for i in certificate_ids}
    if certificate_ids:
        for ev in session.scalars(
            select(CertificateStatusEvent)
            .where(CertificateStatusEvent.certificate_id.in_(certificate_ids))
            .order_by(CertificateStatusEvent.effective_from, CertificateStatusEvent.recorded_at)
        ):
            events[ev.certificate_id].append(StatusEvent(Status(ev.status), ev.effective_from))
    return events


def organizations_by_id(
    session: Session, organization_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, Organization]:
    """Organisation records by id."""
    ids = set(organization_ids)
    if not ids:
        return {}
    return {o.id: o for o in session.scalars(select(Organization).where(Organization.id.in_(ids)))}


def organizations_by_name_key(
    session: Session, certification_body_id: uuid.UUID, name_keys: Iterable[str]
) -> dict[str, list[Organization]]:
    """The CB's organisation records with these folded names, by name key."""
    keys = set(name_keys)
    found: dict[str, list[Organization]] = defaultdict(list)
    if keys:
        for org in session.scalars(
            select(Organization).where(
                Organization.certification_body_id == certification_body_id,
                Organization.name_key.in_(keys),
            )
        ):
            found[org.name_key].append(org)
    return found


def site_rows(cert_id: uuid.UUID, sites: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of a certificate's sites, in order."""
    return [
        {"id": uuid.uuid4(), "certificate_id": cert_id, "position": i, **site}
        for i, site in enumerate(sites)
    ]


def _table(model: type[Any]) -> Table:
    """The Core table behind a model, for plain executemany inserts."""
    return cast(Table, model.__table__)


def insert_organizations(session: Session, rows: list[dict[str, Any]]) -> None:
    """Insert new organisation records."""
    if rows:
        session.connection().execute(insert(_table(Organization)), rows)


def update_organizations(session: Session, rows: list[dict[str, Any]]) -> None:
    """Update organisation records (each dict carries its `id`)."""
    if rows:
        session.execute(update(Organization), rows)


class BatchWrites(NamedTuple):
    """One batch's rows, each list written with one executemany statement."""

    new_certificates: list[dict[str, Any]]
    certificate_updates: list[dict[str, Any]]
    replaced_sites_of: list[uuid.UUID]
    new_sites: list[dict[str, Any]]
    new_status_events: list[dict[str, Any]]
    new_changes: list[dict[str, Any]]
    audit_events: list[dict[str, Any]]


def write_batch(session: Session, writes: BatchWrites) -> None:
    """Write one batch: certificates, their updates, replaced sites, status events, field
    changes and audit events, in that order (children after their certificates)."""
    conn = session.connection()
    if writes.new_certificates:
        conn.execute(insert(_table(Certificate)), writes.new_certificates)
    if writes.certificate_updates:
        session.execute(update(Certificate), writes.certificate_updates)
    if writes.replaced_sites_of:
        session.execute(
            delete(CertificateSite).where(
                CertificateSite.certificate_id.in_(writes.replaced_sites_of)
            ),
            execution_options={"synchronize_session": False},
        )
    for model, rows in (
        (CertificateSite, writes.new_sites),
        (CertificateStatusEvent, writes.new_status_events),
        (CertificateChange, writes.new_changes),
        (AuditEvent, writes.audit_events),
    ):
        if rows:
            conn.execute(insert(_table(model)), rows)
