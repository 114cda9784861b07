"""Turn loaded models into the engine's plain frozen facts."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from app.domain.facts import (
    AccreditationBodyFact,
    AccreditationFact,
    CertificateFact,
    CertificationBodyFact,
    MlaScopeFact,
    SiteFact,
    StandardFact,
    Status,
    StatusEvent,
)
from app.models import (
    Accreditation,
    AccreditationBody,
    AccreditationStatusEvent,
    Certificate,
    CertificateStatusEvent,
)
from app.repositories.certificates import CertificateFactRows


def status_events(
    rows: Sequence[CertificateStatusEvent | AccreditationStatusEvent],
) -> tuple[StatusEvent, ...]:
    """Status rows in the order they take effect (effective date, then recording time)."""
    ordered = sorted(rows, key=lambda r: (r.effective_from, r.recorded_at))
    return tuple(StatusEvent(Status(r.status), r.effective_from, r.reason) for r in ordered)


def accreditation_body_fact(ab: AccreditationBody) -> AccreditationBodyFact:
    """An AB and its MLA scopes."""
    return AccreditationBodyFact(
        id=str(ab.id),
        acronym=ab.acronym,
        name=ab.name,
        economy=ab.economy,
        mla_scopes=tuple(
            MlaScopeFact(standard_code=m.standard_code, since=m.since, until=m.until)
            for m in ab.mla_scopes
        ),
        mla_scopes_complete=ab.mla_scopes_complete,
    )


def accreditation_fact(acc: Accreditation) -> AccreditationFact:
    """An accreditation with its AB."""
    return AccreditationFact(
        id=str(acc.id),
        certification_body_id=str(acc.certification_body_id),
        accreditation_body=accreditation_body_fact(acc.accreditation_body),
        accreditation_number=acc.accreditation_number,
        standard_code=acc.standard_code,
        sectors=tuple(acc.sectors or ()),
        valid_from=acc.valid_from,
        valid_until=acc.valid_until,
        status_events=status_events(acc.status_events),
    )


def certificate_fact(cert: Certificate) -> CertificateFact:
    """A certificate with its CB, standard, organisation, sites and status history."""
    cb = cert.certification_body
    org = cert.organization
    std = cert.standard
    return CertificateFact(
        id=str(cert.id),
        certificate_number=cert.certificate_number,
        number_key=cert.number_key,
        certification_body=CertificationBodyFact(id=str(cb.id), name=cb.name, acronym=cb.acronym),
        standard=StandardFact(
            code=std.code,
            edition=std.edition,
            transition_deadline=std.transition_deadline,
            superseded_by=std.superseded_by,
        ),
        organization_name=org.name,
        organization_country=org.country,
        organization_aliases=tuple(org.aliases or ()),
        scope=cert.scope,
        sectors=tuple(cert.sectors or ()),
        sites=tuple(
            SiteFact(country=s.country, name=s.name, address=s.address) for s in cert.sites
        ),
        issue_date=cert.issue_date,
        expiry_date=cert.expiry_date,
        original_issue_date=cert.original_issue_date,
        status_events=status_events(cert.status_events),
        confidential=cert.confidential,
    )


def certificate_facts_from_rows(rows: CertificateFactRows) -> tuple[CertificateFact, ...]:
    """The facts `certificate_fact` makes, built from the lean lookup's plain rows."""
    sites: defaultdict[Any, list[SiteFact]] = defaultdict(list)
    for cert_id, country, name, address in rows.sites:
        sites[cert_id].append(SiteFact(country=country, name=name, address=address))
    events: defaultdict[Any, list[Any]] = defaultdict(list)
    for event in rows.status_events:
        events[event[0]].append(event)
    facts = []
    for row in rows.certificates:
        (cert_id, number, number_key, cb_id, cb_name, cb_acronym, code, edition, deadline) = row[:9]
        ordered = sorted(events.get(cert_id, ()), key=lambda e: (e[2], e[4]))
        facts.append(
            CertificateFact(
                id=str(cert_id),
                certificate_number=number,
                number_key=number_key,
                certification_body=CertificationBodyFact(
                    id=str(cb_id), name=cb_name, acronym=cb_acronym
                ),
                standard=StandardFact(
                    code=code, edition=edition, transition_deadline=deadline, superseded_by=row[9]
                ),
                organization_name=row[10],
                organization_country=row[11],
                organization_aliases=tuple(row[12] or ()),
                scope=row[13],
                sectors=tuple(row[14] or ()),
                sites=tuple(sites.get(cert_id, ())),
                issue_date=row[15],
                expiry_date=row[16],
                original_issue_date=row[17],
                status_events=tuple(StatusEvent(Status(e[1]), e[2], e[3]) for e in ordered),
                confidential=row[18],
            )
        )
    return tuple(facts)
