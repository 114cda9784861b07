"""Certificate writes (create, patch, status) with recorded history, and authorised reads."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.change_sink import record_certificates
from app.domain import changes
from app.domain.changes import StatusStatement
from app.domain.editions import unpublished_on_issue_date
from app.domain.facts import Status
from app.domain.names import fold_name
from app.domain.normalize import normalize_certificate_number
from app.domain.standards import standard_edition_of
from app.domain.verification import status_at
from app.errors import Conflict, Forbidden, NotFound, ValidationProblem
from app.models import (
    Certificate,
    CertificateChange,
    CertificateSite,
    CertificateStatusEvent,
    Organization,
    Standard,
)
from app.repositories.certificate_facts import refresh_certificate_facts
from app.repositories.certificates import (
    certificate_number_taken,
    find_organization,
    find_standard,
    get_certificate,
)
from app.repositories.search_index import refresh_organization_search
from app.schemas.certificates import CertificateCreate, CertificateUpdate, OrganizationIn, SiteIn
from app.schemas.registry import StatusChange
from app.services.audit import record_audit
from app.services.auth import Principal, Role
from app.services.registry.bodies import require_certification_body
from app.services.verification.fact_mapping import status_events


def resolve_standard(session: Session, label: str, pointer: str = "/standard") -> Standard:
    """The standard edition named like "ISO 9001:2015", or 422 naming the field."""
    try:
        name = standard_edition_of(label)
    except ValueError as exc:
        raise ValidationProblem.field(pointer, str(exc)) from exc
    standard = find_standard(session, name.key, name.edition or "")
    if standard is None:
        raise ValidationProblem.field(pointer, f'unknown standard edition "{name.label}"')
    return standard


def _organization(session: Session, cb_id: uuid.UUID, data: OrganizationIn) -> Organization:
    """Find the CB's record of this entity (same folded name and country) or create it."""
    name_key = fold_name(data.name)
    org = find_organization(session, cb_id, name_key, data.country)
    if org is None:
        org = Organization(
            certification_body_id=cb_id, name=data.name, name_key=name_key, country=data.country
        )
        session.add(org)
    org.name = data.name
    org.aliases = list(data.aliases)
    org.lei = data.identifiers.lei.upper() if data.identifiers.lei else None
    org.vat = data.identifiers.vat
    return org


def _sites(sites: list[SiteIn]) -> list[CertificateSite]:
    return [
        CertificateSite(position=i, name=s.name, address=s.address, country=s.country)
        for i, s in enumerate(sites)
    ]


def _actor(principal: Principal) -> dict[str, Any]:
    return {
        "actor_key_id": principal.key_id,
        "actor_role": principal.role.value if principal.role else None,
    }


def require_published(standard: Standard, issue_date: date, pointer: str = "/standard") -> None:
    """422 naming `pointer` when the edition was not published on the issue date (a draft, or
    published later): the rule of app/domain/editions.py, which the import applies too."""
    problem = unpublished_on_issue_date(
        standard.label, standard.published, standard.status, issue_date
    )
    if problem is not None:
        raise ValidationProblem.field(pointer, problem)


def create_certificate(
    session: Session, *, principal: Principal, data: CertificateCreate
) -> Certificate:
    """Create a certificate (admin, or the issuing CB's key); duplicate number for the CB is 409."""
    principal.require(Role.ADMIN, Role.CERTIFICATION_BODY)
    cb_id = data.certification_body_id
    if cb_id is None:
        if principal.role is not Role.CERTIFICATION_BODY:
            raise ValidationProblem.field("/certification_body_id", "is required for admin keys")
        cb_id = principal.body_id
    assert cb_id is not None
    if not principal.acts_for_certification_body(cb_id):
        raise Forbidden("This key may only manage its own certification body's certificates.")
    require_certification_body(session, cb_id)
    standard = resolve_standard(session, data.standard)
    for name, reason in changes.date_problems(data.model_dump()):
        raise ValidationProblem.field(f"/{name}", reason)
    require_published(standard, data.issue_date)
    number_key = normalize_certificate_number(data.certificate_number)
    if certificate_number_taken(session, cb_id, number_key, None):
        raise Conflict(
            f"Certificate number {data.certificate_number!r} already exists for this "
            "certification body (numbers compare on letters and digits only)."
        )
    cert = Certificate(
        certification_body_id=cb_id,
        organization=_organization(session, cb_id, data.organization),
        standard_id=standard.id,
        certificate_number=data.certificate_number,
        number_key=number_key,
        scope=data.scope,
        sectors=list(data.sectors),
        original_issue_date=data.original_issue_date,
        issue_date=data.issue_date,
        expiry_date=data.expiry_date,
        confidential=data.confidential,
    )
    cert.sites = _sites(data.sites)
    stated_status = (
        StatusStatement(Status(data.status)) if "status" in data.model_fields_set else None
    )
    cert.status_events = [
        CertificateStatusEvent(
            status=event.status.value,
            effective_from=event.effective_from,
            reason=reason,
            **_actor(principal),
        )
        for event, reason in changes.initial_status_events(data.issue_date, stated_status)
    ]
    session.add(cert)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError as exc:
        raise Conflict("Certificate number already exists for this certification body.") from exc
    # Its verification facts row, and those of the organisation's other certificates (its
    # aliases may have changed), in this transaction.
    refresh_certificate_facts(session, [cert.id])
    refresh_organization_search(session, [cert.organization_id])
    created = require_visible_certificate(session, principal=principal, certificate_id=cert.id)
    record_audit(
        session,
        principal=principal,
        action="certificate.create",
        target_type="certificate",
        target_id=created.id,
        after={**certificate_snapshot(created), "status": data.status},
    )
    return created


def can_see_confidential(principal: Principal, cert: Certificate) -> bool:
    """Admins and the issuing CB see confidential certificates; nobody else does (API.md)."""
    return principal.acts_for_certification_body(cert.certification_body_id)


def require_visible_certificate(
    session: Session, *, principal: Principal, certificate_id: uuid.UUID
) -> Certificate:
    """The certificate, or 404 when absent or confidential to this caller."""
    cert = get_certificate(session, certificate_id)
    if cert is None or (cert.confidential and not can_see_confidential(principal, cert)):
        raise NotFound(f"No certificate with id {certificate_id}.")
    return cert


def _writable(session: Session, principal: Principal, certificate_id: uuid.UUID) -> Certificate:
    principal.require(Role.ADMIN, Role.CERTIFICATION_BODY)
    cert = require_visible_certificate(session, principal=principal, certificate_id=certificate_id)
    if not principal.acts_for_certification_body(cert.certification_body_id):
        raise Forbidden("This key may only manage its own certification body's certificates.")
    return cert


def organization_snapshot(org: Organization) -> dict[str, Any]:
    """The organisation as a write states it (app/domain/changes.py's shape)."""
    return {
        "name": org.name,
        "country": org.country,
        "aliases": list(org.aliases or []),
        "identifiers": {"lei": org.lei, "vat": org.vat},
    }


def _sites_snapshot(sites: list[CertificateSite]) -> list[dict[str, Any]]:
    return [{"name": s.name, "address": s.address, "country": s.country} for s in sites]


def certificate_snapshot(cert: Certificate) -> dict[str, Any]:
    """The audited fields of a certificate."""
    return {
        "certificate_number": cert.certificate_number,
        "certification_body_id": str(cert.certification_body_id),
        "organization": organization_snapshot(cert.organization),
        "standard": cert.standard.label,
        "scope": cert.scope,
        "sectors": list(cert.sectors or []),
        "sites": _sites_snapshot(cert.sites),
        "original_issue_date": cert.original_issue_date,
        "issue_date": cert.issue_date,
        "expiry_date": cert.expiry_date,
        "confidential": cert.confidential,
    }


def certificate_record(cert: Certificate) -> dict[str, Any]:
    """A certificate's stated fields as app/domain/changes.py reads them."""
    return {
        "certificate_number": cert.certificate_number,
        "organization": organization_snapshot(cert.organization),
        "standard": cert.standard.label,
        "scope": cert.scope,
        "sectors": list(cert.sectors or []),
        "sites": _sites_snapshot(cert.sites),
        "original_issue_date": cert.original_issue_date,
        "issue_date": cert.issue_date,
        "expiry_date": cert.expiry_date,
        "confidential": cert.confidential,
    }


def _stated(data: CertificateUpdate) -> dict[str, Any]:
    """What a PATCH states: the fields it names. null is refused where a certificate must have
    a value (dates), is "no value" for the original issue date, and states nothing elsewhere."""
    stated: dict[str, Any] = {}
    for name, value in data.model_dump(exclude_unset=True).items():
        if value is None and name in ("issue_date", "expiry_date"):
            raise ValidationProblem.field(f"/{name}", "cannot be null")
        if value is None and name != "original_issue_date":
            continue
        stated[name] = value
    if data.sites is not None:  # a site is stated whole: its unset parts are null
        stated["sites"] = [site.model_dump() for site in data.sites]
    return stated


def update_certificate(
    session: Session, *, principal: Principal, certificate_id: uuid.UUID, data: CertificateUpdate
) -> Certificate:
    """Patch a certificate with the rule the import applies too (app/domain/changes.py): only
    the stated fields change, the organisation part by part; each changed field is recorded
    with before, after, who and when."""
    cert = _writable(session, principal, certificate_id)
    before_snapshot = certificate_snapshot(cert)
    current = certificate_record(cert)
    stated = _stated(data)
    standard = None
    if "standard" in stated:
        standard = resolve_standard(session, stated["standard"])
        stated["standard"] = standard.label
    merged = changes.merge(current, stated)
    if "organization" in stated:
        # The stated parts over the record the name and country resolve to, else over the
        # current organisation: renaming to an existing organisation never rewrites its other
        # parts (the import's rule too).
        org_stated = stated["organization"]
        name = org_stated.get("name") or current["organization"]["name"]
        country = (
            org_stated["country"] if "country" in org_stated else current["organization"]["country"]
        )
        target = find_organization(session, cert.certification_body_id, fold_name(name), country)
        base = organization_snapshot(target) if target is not None else current["organization"]
        merged["organization"] = changes.merge_organization(base, org_stated)
    for name, reason in changes.date_problems(merged):
        raise ValidationProblem.field(f"/{name}", reason)
    new_standard = standard is not None and standard.id != cert.standard_id
    if new_standard or merged["issue_date"] != current["issue_date"]:
        # Checked when the edition or the issue date changes (a restated edition is no change,
        # as in the import), so that a certificate written before the rule is not refused an
        # unrelated edit.
        pointer = "/standard" if new_standard else "/issue_date"
        require_published(standard or cert.standard, merged["issue_date"], pointer)
    if merged["certificate_number"] != cert.certificate_number:
        key = normalize_certificate_number(merged["certificate_number"])
        if certificate_number_taken(session, cert.certification_body_id, key, cert.id):
            raise Conflict(f"Certificate number {merged['certificate_number']!r} already exists.")
        cert.certificate_number, cert.number_key = merged["certificate_number"], key
    if standard is not None:
        cert.standard_id = standard.id
    if merged["organization"] != current["organization"]:
        org = _organization(
            session,
            cert.certification_body_id,
            OrganizationIn.model_validate(merged["organization"]),
        )
        session.flush()
        refresh_organization_search(session, [org.id])
        cert.organization_id = org.id
        merged["organization"] = organization_snapshot(org)
    for name in ("scope", "original_issue_date", "issue_date", "expiry_date", "confidential"):
        setattr(cert, name, merged[name])
    cert.sectors = list(merged["sectors"])
    if merged["sites"] != current["sites"]:
        cert.sites.clear()
        session.flush()
        cert.sites.extend(_sites([SiteIn.model_validate(site) for site in merged["sites"]]))
    found = changes.changes(current, merged)
    for change in found:
        session.add(
            CertificateChange(
                certificate_id=cert.id,
                field=change.field,
                before={"value": change.before},
                after={"value": change.after},
                **_actor(principal),
            )
        )
    session.flush()
    # Every write above (number, edition, organisation, sites, dates) is in the facts rows.
    refresh_certificate_facts(session, [cert.id])
    session.expire(cert)
    updated = require_visible_certificate(session, principal=principal, certificate_id=cert.id)
    if found:
        record_certificates(session, [updated.id])
        record_audit(
            session,
            principal=principal,
            action="certificate.update",
            target_type="certificate",
            target_id=updated.id,
            before=before_snapshot,
            after=certificate_snapshot(updated),
        )
    return updated


def change_certificate_status(
    session: Session,
    *,
    principal: Principal,
    certificate_id: uuid.UUID,
    data: StatusChange,
    today: date,
) -> Certificate:
    """Record a dated status change (ISO/IEC 17021-1 §9.6); back- or future-dating allowed.
    A status identical to a recorded one records nothing (app/domain/changes.py, the import's
    rule too)."""
    cert = _writable(session, principal, certificate_id)
    before = certificate_status_today(cert, today)
    recorded = status_events(cert.status_events)
    statement = StatusStatement(Status(data.status), data.effective_from, data.reason)
    event = changes.status_event_to_record(recorded, statement, today)
    if event is None:
        return cert
    row = CertificateStatusEvent(
        status=event.status.value,
        effective_from=event.effective_from,
        reason=data.reason,
        **_actor(principal),
    )
    cert.status_events.append(row)
    session.flush()
    refresh_certificate_facts(session, [cert.id])
    record_certificates(session, [cert.id])
    record_audit(
        session,
        principal=principal,
        action="certificate.status",
        target_type="certificate",
        target_id=cert.id,
        before={"status_today": before},
        after={
            "status": row.status,
            "effective_from": row.effective_from,
            "reason": row.reason,
        },
    )
    return cert


def certificate_status_today(cert: Certificate, today: date) -> str | None:
    """A certificate's status on `today` (None before any status is effective)."""
    status = status_at(status_events(cert.status_events), today, None)
    return status.value if status is not None else None
