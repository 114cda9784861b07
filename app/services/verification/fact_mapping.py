"""Fact mapping: registry records, as the repositories load them, into verification facts.

Verification facts are the engine's plain frozen data (app/domain/facts.py). A verification's
certificates are decoded from their facts rows (one row per certificate, issue 16:
`certificate_facts_of_rows`), whichever reader loaded them: one number or many (the batch);
watches and the import's warnings map the registry tables' own rows (`certificate_facts`), and
the tests check that both give the same facts.
Accreditations and status histories are mapped from their ORM objects. The fact cache
(app/services/verification/cache.py) keeps the results; it maps nothing itself.
"""

from __future__ import annotations

import functools
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime
from operator import itemgetter
from typing import Protocol

import orjson

from app.domain.chain import ChainReference, Evidence, ListedBody
from app.domain.facts import (
    AccreditationBodyFact,
    AccreditationFact,
    CertificateFact,
    CertificationBodyFact,
    MlaScopeFact,
    RecognitionArrangement,
    SiteFact,
    StandardFact,
    Status,
    StatusEvent,
)
from app.domain.normalize import standard_code_key
from app.models import Accreditation, AccreditationBody, Standard
from app.reference import load_lookalike_bodies, load_reference_data
from app.repositories.certificates import (
    CertificateFactRow,
    CertificateFactRows,
    CertificateFactsRow,
    StatusEventRow,
)


class StatusRecord(Protocol):
    """A recorded status change: a certificate's or an accreditation's row, or a fact row."""

    @property
    def status(self) -> str: ...

    @property
    def effective_from(self) -> date: ...

    @property
    def reason(self) -> str | None: ...

    @property
    def recorded_at(self) -> datetime: ...


def status_events(rows: Iterable[StatusRecord]) -> tuple[StatusEvent, ...]:
    """Status rows in the order they take effect (effective date, then recording time)."""
    ordered = sorted(rows, key=lambda r: (r.effective_from, r.recorded_at))
    return tuple(StatusEvent(Status(r.status), r.effective_from, r.reason) for r in ordered)


@functools.cache
def recognition_arrangements() -> tuple[RecognitionArrangement, ...]:
    """The recognition arrangements by date, from the shipped reference data
    (`recognition_arrangements`: the IAF MLA up to 2025-12-31, the Global ACI MRA from
    2026-01-01; DESIGN.md, first paragraph). Data that ships with the code, read once per
    process; the engine gets them with each request (VerificationRequest)."""

    def day(value: str | None) -> date | None:
        return date.fromisoformat(value) if value else None

    return tuple(
        RecognitionArrangement(
            name=item["name"],
            short_name=item["short_name"],
            valid_from=day(item["from"]),
            valid_until=day(item["until"]),
            source=item["source"],
        )
        for item in load_reference_data().get("recognition_arrangements", [])
    )


@functools.cache
def listed_bodies() -> tuple[ListedBody, ...]:
    """The sourced look-alike list (app/reference/lookalike_accreditation_bodies.json, built by
    scripts/build_reference_data.py --lookalikes): data that ships with the code, read once per
    process, each entry with the reason of its group and its evidence."""
    data = load_lookalike_bodies()
    groups: dict[str, str] = data["_meta"]["groups"]
    return tuple(
        ListedBody(
            name=item["name"],
            names=tuple(item["names"]),
            acronyms=tuple(item["acronyms"]),
            countries=tuple(item["countries"]),
            classification=item["classification"],
            reason=groups[item["group"]] if item["group"] else None,
            description=item["claims"],
            notes=item["notes"],
            evidence=tuple(
                Evidence(url=e["url"], kind=e["kind"], summary=e["quote_or_summary"])
                for e in item["evidence"]
            ),
        )
        for item in data["bodies"]
    )


def chain_reference(
    bodies: Iterable[AccreditationBody], standards: Iterable[Standard]
) -> ChainReference:
    """What the chain rule reads (app/domain/chain.py): every AB of the registry with its MLA
    scopes, the look-alike list, the codes of the standards outside the MLA's scope (every
    edition of the code out of it), and the recognition arrangements."""
    scope: dict[str, bool] = {}
    for standard in standards:
        key = standard_code_key(standard.code)
        scope[key] = scope.get(key, False) or standard.in_mla_scope
    ordered = sorted(bodies, key=lambda ab: (ab.acronym_key, str(ab.id)))
    return ChainReference(
        accreditation_bodies=tuple(accreditation_body_fact(ab) for ab in ordered),
        listed=listed_bodies(),
        outside_mla_scope=frozenset(code for code, inside in scope.items() if not inside),
        arrangements=recognition_arrangements(),
    )


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


def _issuer(row: CertificateFactRow | CertificateFactsRow) -> CertificationBodyFact:
    """The issuing CB of a certificate's row (both read paths join it by primary key)."""
    return CertificationBodyFact(
        id=str(row.certification_body_id),
        name=row.certification_body_name,
        acronym=row.certification_body_acronym,
    )


def _edition(row: CertificateFactRow | CertificateFactsRow) -> StandardFact:
    """The standard edition of a certificate's row (both read paths join it by primary key)."""
    return StandardFact(
        code=row.standard_code,
        edition=row.standard_edition,
        transition_deadline=row.transition_deadline,
        superseded_by=row.superseded_by,
        transition_deadline_earliest=row.transition_deadline_earliest,
        transition_rule_source=row.transition_rule_source,
        transition_sources=row.standard_source,
        in_mla_scope=row.in_mla_scope,
    )


def certificate_facts(rows: CertificateFactRows) -> tuple[CertificateFact, ...]:
    """Each certificate of the fact rows with its CB, standard, organisation, sites and status
    history, in the rows' order: the one place a CertificateFact is made."""
    sites: defaultdict[uuid.UUID, list[SiteFact]] = defaultdict(list)
    for site in rows.sites:
        sites[site.certificate_id].append(
            SiteFact(country=site.country, name=site.name, address=site.address)
        )
    events: defaultdict[uuid.UUID, list[StatusEventRow]] = defaultdict(list)
    for event in rows.status_events:
        events[event.certificate_id].append(event)
    return tuple(
        CertificateFact(
            id=str(row.id),
            certificate_number=row.certificate_number,
            number_key=row.number_key,
            certification_body=_issuer(row),
            standard=_edition(row),
            organization_name=row.organization_name,
            organization_country=row.organization_country,
            organization_aliases=tuple(row.organization_aliases or ()),
            scope=row.scope,
            sectors=tuple(row.sectors or ()),
            sites=tuple(sites.get(row.id, ())),
            issue_date=row.issue_date,
            expiry_date=row.expiry_date,
            original_issue_date=row.original_issue_date,
            status_events=status_events(events.get(row.id, ())),
            confidential=row.confidential,
        )
        for row in rows.certificates
    )


_BY_POSITION = itemgetter(0)
_BY_TAKING_EFFECT = itemgetter(0, 1)
_STATUS = {status.value: status for status in Status}
_from_iso = date.fromisoformat


def _day(value: str | None) -> date | None:
    return _from_iso(value) if value else None


def certificate_facts_of_rows(rows: Iterable[CertificateFactsRow]) -> tuple[CertificateFact, ...]:
    """Each certificate of the facts rows (app/models/certificate_facts.py) with its CB,
    standard, organisation, sites and status history, in the rows' order: the same facts as
    `certificate_facts` gives from the registry tables, decoded from one JSON array per row."""
    out = []
    for row in rows:
        (
            number,
            org_name,
            org_country,
            aliases,
            scope,
            sectors,
            issue,
            expiry,
            original,
            confidential,
            sites,
            events,
        ) = orjson.loads(row.facts)
        if len(sites) > 1:
            sites.sort(key=_BY_POSITION)
        if len(events) > 1:
            events.sort(key=_BY_TAKING_EFFECT)
        out.append(
            CertificateFact(
                id=str(row.id),
                certificate_number=number,
                number_key=row.number_key,
                certification_body=_issuer(row),
                standard=_edition(row),
                organization_name=org_name,
                organization_country=org_country,
                organization_aliases=tuple(aliases or ()),
                scope=scope,
                sectors=tuple(sectors or ()),
                sites=tuple(
                    SiteFact(country=country, name=name, address=address)
                    for _, country, name, address in sites
                ),
                issue_date=_from_iso(issue),
                expiry_date=_from_iso(expiry),
                original_issue_date=_day(original),
                status_events=tuple(
                    StatusEvent(_STATUS[status], _from_iso(effective), reason)
                    for effective, _, status, reason in events
                ),
                confidential=bool(confidential),
            )
        )
    return tuple(out)
