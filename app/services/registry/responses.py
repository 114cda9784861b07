"""Registry records as the API answers them: models into the XRead schemas, with the status
each record has today."""

from __future__ import annotations

from datetime import date
from typing import Any

from app.models import (
    Accreditation,
    AccreditationBody,
    Certificate,
    CertificationBody,
    Sector,
    Standard,
)
from app.schemas.certificates import CertificateRead, OrganizationRead, SiteOut
from app.schemas.common import AccreditationBodyRef, BodyRef
from app.schemas.registry import (
    AccreditationBodyRead,
    AccreditationRead,
    CertificationBodyRead,
    MlaScopeRead,
    SectorRead,
    StandardRead,
    StatusEventRead,
)
from app.services.registry.bodies import accreditation_status_today
from app.services.registry.certificates import certificate_status_today


def standard_read(s: Standard) -> StandardRead:
    """A standard edition."""
    return StandardRead(
        id=s.id,
        standard=s.label,
        code=s.code,
        edition=s.edition,
        title=s.title,
        family=s.family,
        status=s.status,
        superseded_by=s.superseded_by,
        transition_deadline=s.transition_deadline,
        transition_deadline_earliest=s.transition_deadline_earliest,
        transition_rule_source=s.transition_rule_source,
        in_mla_scope=s.in_mla_scope,
        published=s.published,
        amendments=list(s.amendments or []),
        uses_iaf_sectors=s.uses_iaf_sectors,
        uncertain=s.uncertain,
        source=s.source,
    )


def sector_read(s: Sector) -> SectorRead:
    """An IAF sector code with its NACE Rev. 2 codes."""
    return SectorRead(
        code=s.code,
        name=s.name,
        nace_rev2=list(s.nace_rev2 or []),
        nace_uncertain=s.nace_uncertain,
    )


def accreditation_body_read(ab: AccreditationBody) -> AccreditationBodyRead:
    """An AB with its MLA scopes."""
    return AccreditationBodyRead(
        id=ab.id,
        acronym=ab.acronym,
        name=ab.name,
        economy=ab.economy,
        economy_name=ab.economy_name,
        region=ab.region,
        website=ab.website,
        mla_scopes=[
            MlaScopeRead(standard=m.standard_code, since=m.since, until=m.until, source=m.source)
            for m in ab.mla_scopes
        ],
        mla_scopes_complete=ab.mla_scopes_complete,
        reference_data=ab.reference_data,
        uncertain=ab.uncertain,
        source=ab.source,
        created_at=ab.created_at,
        updated_at=ab.updated_at,
    )


def certification_body_read(cb: CertificationBody) -> CertificationBodyRead:
    """A CB."""
    return CertificationBodyRead(
        id=cb.id,
        name=cb.name,
        acronym=cb.acronym,
        aliases=list(cb.aliases or []),
        country=cb.country,
        website=cb.website,
        created_at=cb.created_at,
        updated_at=cb.updated_at,
    )


def _events(rows: Any) -> list[StatusEventRead]:
    ordered = sorted(rows, key=lambda r: (r.effective_from, r.recorded_at))
    return [
        StatusEventRead(
            status=r.status,
            effective_from=r.effective_from,
            reason=r.reason,
            recorded_at=r.recorded_at,
        )
        for r in ordered
    ]


def accreditation_read(acc: Accreditation, today: date) -> AccreditationRead:
    """An accreditation with its status today and its history."""
    ab = acc.accreditation_body
    return AccreditationRead(
        id=acc.id,
        certification_body_id=acc.certification_body_id,
        accreditation_body=AccreditationBodyRef(
            id=ab.id, acronym=ab.acronym, name=ab.name, economy=ab.economy
        ),
        accreditation_number=acc.accreditation_number,
        standard=acc.standard_code,
        sectors=list(acc.sectors or []),
        valid_from=acc.valid_from,
        valid_until=acc.valid_until,
        status=accreditation_status_today(acc, today),
        status_history=_events(acc.status_events),
        created_at=acc.created_at,
        updated_at=acc.updated_at,
    )


def certificate_read(cert: Certificate, today: date) -> CertificateRead:
    """A certificate with its status today and its status history."""
    org = cert.organization
    cb = cert.certification_body
    return CertificateRead(
        id=cert.id,
        certificate_number=cert.certificate_number,
        number_key=cert.number_key,
        certification_body=BodyRef(id=cb.id, name=cb.name, acronym=cb.acronym),
        organization=OrganizationRead(
            name=org.name,
            country=org.country,
            aliases=list(org.aliases or []),
            identifiers={"lei": org.lei, "vat": org.vat},
        ),
        standard=cert.standard.label,
        scope=cert.scope,
        sectors=list(cert.sectors or []),
        sites=[SiteOut(name=s.name, address=s.address, country=s.country) for s in cert.sites],
        original_issue_date=cert.original_issue_date,
        issue_date=cert.issue_date,
        expiry_date=cert.expiry_date,
        confidential=cert.confidential,
        status=certificate_status_today(cert, today),
        status_history=_events(cert.status_events),
        created_at=cert.created_at,
        updated_at=cert.updated_at,
    )
