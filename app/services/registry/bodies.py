"""Writes and reads of accreditation bodies, certification bodies and accreditations."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.change_sink import record_accreditation_body, record_certification_body
from app.domain.bodies import resolve_body
from app.domain.facts import Status
from app.domain.names import fold_name
from app.domain.normalize import standard_code_key
from app.domain.verification import status_at
from app.errors import Conflict, Forbidden, NotFound, ValidationProblem
from app.models import (
    Accreditation,
    AccreditationBody,
    AccreditationStatusEvent,
    CertificationBody,
    MlaRecognition,
)
from app.repositories.accreditations import get_accreditation
from app.repositories.bodies import (
    accreditation_body_id_with_acronym,
    certification_body_id_with_acronym,
    certification_body_names,
    get_accreditation_body,
    get_certification_body,
)
from app.schemas.registry import (
    AccreditationBodyCreate,
    AccreditationBodyUpdate,
    AccreditationCreate,
    AccreditationUpdate,
    CertificationBodyCreate,
    CertificationBodyUpdate,
    MlaScopeIn,
    StatusChange,
)
from app.services.audit import record_audit
from app.services.auth import Principal, Role
from app.services.verification.fact_mapping import status_events


def ab_snapshot(ab: AccreditationBody) -> dict[str, Any]:
    """The audited fields of an AB."""
    return {
        "acronym": ab.acronym,
        "name": ab.name,
        "economy": ab.economy,
        "website": ab.website,
        "mla_scopes_complete": ab.mla_scopes_complete,
        "mla_scopes": [
            {"standard": m.standard_code, "since": m.since, "until": m.until} for m in ab.mla_scopes
        ],
    }


def cb_snapshot(cb: CertificationBody) -> dict[str, Any]:
    """The audited fields of a CB."""
    return {
        "name": cb.name,
        "acronym": cb.acronym,
        "aliases": list(cb.aliases or []),
        "country": cb.country,
        "website": cb.website,
    }


def _distinct_aliases(aliases: list[str]) -> list[str]:
    """Aliases in the order given, without repeats of one folded name (DESIGN.md: names are
    compared folded, so "BV Cert" and "B.V. Cert" are one alias)."""
    seen: set[str] = set()
    kept: list[str] = []
    for alias in aliases:
        key = fold_name(alias)
        if key not in seen:
            seen.add(key)
            kept.append(alias)
    return kept


def accreditation_snapshot(acc: Accreditation) -> dict[str, Any]:
    """The audited fields of an accreditation."""
    return {
        "certification_body_id": acc.certification_body_id,
        "accreditation_body_id": acc.accreditation_body_id,
        "accreditation_number": acc.accreditation_number,
        "standard": acc.standard_code,
        "sectors": list(acc.sectors or []),
        "valid_from": acc.valid_from,
        "valid_until": acc.valid_until,
    }


def _check_range(since: date | None, until: date | None, pointer: str) -> None:
    if since is not None and until is not None and until < since:
        raise ValidationProblem.field(pointer, "must be on or after the start date")


def _mla_rows(scopes: list[MlaScopeIn]) -> list[MlaRecognition]:
    seen: set[str] = set()
    rows = []
    for i, scope in enumerate(scopes):
        _check_range(scope.since, scope.until, f"/mla_scopes/{i}/until")
        key = standard_code_key(scope.standard)
        if key in seen:
            raise ValidationProblem.field(f"/mla_scopes/{i}/standard", "standard listed twice")
        seen.add(key)
        rows.append(
            MlaRecognition(
                standard_code=scope.standard,
                standard_code_key=key,
                since=scope.since,
                until=scope.until,
                source="API",
            )
        )
    return rows


def _acronym_free(session: Session, acronym: str, exclude: uuid.UUID | None) -> None:
    existing = accreditation_body_id_with_acronym(session, acronym)
    if existing is not None and existing != exclude:
        raise Conflict(f"An accreditation body with acronym {acronym!r} already exists.")


def create_accreditation_body(
    session: Session, *, principal: Principal, data: AccreditationBodyCreate
) -> AccreditationBody:
    """Create an AB; its MLA scopes are authoritative unless `mla_scopes_complete` is false."""
    principal.require(Role.ADMIN)
    _acronym_free(session, data.acronym, None)
    ab = AccreditationBody(
        acronym=data.acronym,
        acronym_key=data.acronym.upper(),
        name=data.name,
        economy=data.economy,
        website=data.website,
        mla_scopes_complete=data.mla_scopes_complete,
        reference_data=False,
    )
    ab.mla_scopes = _mla_rows(data.mla_scopes)
    session.add(ab)
    session.flush()
    record_audit(
        session,
        principal=principal,
        action="accreditation_body.create",
        target_type="accreditation_body",
        target_id=ab.id,
        after=ab_snapshot(ab),
    )
    return ab


def update_accreditation_body(
    session: Session, *, principal: Principal, ab_id: uuid.UUID, data: AccreditationBodyUpdate
) -> AccreditationBody:
    """Change an AB; an edited reference AB becomes API-managed and seed no longer overwrites it."""
    principal.require(Role.ADMIN)
    ab = require_accreditation_body(session, ab_id)
    before = ab_snapshot(ab)
    fields = data.model_fields_set
    if "acronym" in fields and data.acronym is not None:
        _acronym_free(session, data.acronym, ab.id)
        ab.acronym, ab.acronym_key = data.acronym, data.acronym.upper()
    if "name" in fields and data.name is not None:
        ab.name = data.name
    if "economy" in fields:
        ab.economy = data.economy
    if "website" in fields:
        ab.website = data.website
    if "mla_scopes" in fields and data.mla_scopes is not None:
        ab.mla_scopes.clear()
        session.flush()
        ab.mla_scopes.extend(_mla_rows(data.mla_scopes))
        ab.mla_scopes_complete = (
            data.mla_scopes_complete if data.mla_scopes_complete is not None else True
        )
    elif "mla_scopes_complete" in fields and data.mla_scopes_complete is not None:
        ab.mla_scopes_complete = data.mla_scopes_complete
    ab.reference_data = False
    session.flush()
    record_accreditation_body(session, ab.id)
    record_audit(
        session,
        principal=principal,
        action="accreditation_body.update",
        target_type="accreditation_body",
        target_id=ab.id,
        before=before,
        after=ab_snapshot(ab),
    )
    return ab


def require_accreditation_body(session: Session, ab_id: uuid.UUID) -> AccreditationBody:
    """The AB, or 404."""
    ab = get_accreditation_body(session, ab_id)
    if ab is None:
        raise NotFound(f"No accreditation body with id {ab_id}.")
    return ab


def require_certification_body(session: Session, cb_id: uuid.UUID) -> CertificationBody:
    """The CB, or 404."""
    cb = get_certification_body(session, cb_id)
    if cb is None:
        raise NotFound(f"No certification body with id {cb_id}.")
    return cb


def _cb_aliases_free(session: Session, aliases: list[str], exclude: uuid.UUID | None) -> None:
    """409 when an alias already names another CB (its acronym, name or an alias of it): a
    named CB is resolved in one order (DESIGN.md), and an alias there would be shadowed."""
    others = [body for body in certification_body_names(session) if body.id != str(exclude)]
    for alias in aliases:
        taken = resolve_body(alias, others)
        if taken is not None:
            raise Conflict(f"The alias {alias!r} already names certification body {taken}.")


def _cb_acronym_free(session: Session, acronym: str, exclude: uuid.UUID | None) -> None:
    existing = certification_body_id_with_acronym(session, acronym)
    if existing is not None and existing != exclude:
        raise Conflict(f"A certification body with acronym {acronym!r} already exists.")


def create_certification_body(
    session: Session, *, principal: Principal, data: CertificationBodyCreate
) -> CertificationBody:
    """Create a CB (admin)."""
    principal.require(Role.ADMIN)
    if data.acronym:
        _cb_acronym_free(session, data.acronym, None)
    _cb_aliases_free(session, data.aliases, None)
    cb = CertificationBody(
        name=data.name,
        name_key=fold_name(data.name),
        acronym=data.acronym,
        acronym_key=data.acronym.upper() if data.acronym else None,
        aliases=_distinct_aliases(data.aliases),
        country=data.country,
        website=data.website,
    )
    session.add(cb)
    session.flush()
    record_audit(
        session,
        principal=principal,
        action="certification_body.create",
        target_type="certification_body",
        target_id=cb.id,
        after=cb_snapshot(cb),
    )
    return cb


def update_certification_body(
    session: Session, *, principal: Principal, cb_id: uuid.UUID, data: CertificationBodyUpdate
) -> CertificationBody:
    """Change a CB (admin)."""
    principal.require(Role.ADMIN)
    cb = require_certification_body(session, cb_id)
    before = cb_snapshot(cb)
    fields = data.model_fields_set
    if "name" in fields and data.name is not None:
        cb.name, cb.name_key = data.name, fold_name(data.name)
    if "acronym" in fields:
        if data.acronym:
            _cb_acronym_free(session, data.acronym, cb.id)
        cb.acronym = data.acronym
        cb.acronym_key = data.acronym.upper() if data.acronym else None
    if "aliases" in fields:
        _cb_aliases_free(session, data.aliases or [], cb.id)
        cb.aliases = _distinct_aliases(data.aliases or [])
    if "country" in fields:
        cb.country = data.country
    if "website" in fields:
        cb.website = data.website
    session.flush()
    record_audit(
        session,
        principal=principal,
        action="certification_body.update",
        target_type="certification_body",
        target_id=cb.id,
        before=before,
        after=cb_snapshot(cb),
    )
    return cb


def create_accreditation(
    session: Session,
    *,
    principal: Principal,
    certification_body_id: uuid.UUID,
    data: AccreditationCreate,
) -> Accreditation:
    """Accredit a CB for one standard (admin, or the accrediting AB's own key)."""
    principal.require(Role.ADMIN, Role.ACCREDITATION_BODY)
    require_certification_body(session, certification_body_id)
    ab_id = data.accreditation_body_id
    if ab_id is None:
        if principal.role is not Role.ACCREDITATION_BODY:
            raise ValidationProblem.field("/accreditation_body_id", "is required for admin keys")
        ab_id = principal.body_id
    assert ab_id is not None
    if not principal.acts_for_accreditation_body(ab_id):
        raise Forbidden("This key may only manage its own accreditation body's accreditations.")
    if get_accreditation_body(session, ab_id) is None:
        raise ValidationProblem.field("/accreditation_body_id", f"no accreditation body {ab_id}")
    _check_range(data.valid_from, data.valid_until, "/valid_until")
    acc = Accreditation(
        certification_body_id=certification_body_id,
        accreditation_body_id=ab_id,
        accreditation_number=data.accreditation_number,
        standard_code=data.standard,
        standard_code_key=standard_code_key(data.standard),
        sectors=list(data.sectors),
        valid_from=data.valid_from,
        valid_until=data.valid_until,
    )
    acc.status_events = [
        AccreditationStatusEvent(
            status=Status.ACTIVE.value,
            effective_from=data.valid_from,
            reason="accredited",
            actor_key_id=principal.key_id,
            actor_role=principal.role.value if principal.role else None,
        )
    ]
    session.add(acc)
    session.flush()
    record_certification_body(session, acc.certification_body_id)
    record_audit(
        session,
        principal=principal,
        action="accreditation.create",
        target_type="accreditation",
        target_id=acc.id,
        after=accreditation_snapshot(acc),
    )
    return require_accreditation(session, acc.id)


def require_accreditation(session: Session, accreditation_id: uuid.UUID) -> Accreditation:
    """The accreditation with its AB and history, or 404."""
    acc = get_accreditation(session, accreditation_id)
    if acc is None:
        raise NotFound(f"No accreditation with id {accreditation_id}.")
    return acc


def _owned_accreditation(
    session: Session, principal: Principal, accreditation_id: uuid.UUID
) -> Accreditation:
    principal.require(Role.ADMIN, Role.ACCREDITATION_BODY)
    acc = require_accreditation(session, accreditation_id)
    if not principal.acts_for_accreditation_body(acc.accreditation_body_id):
        raise Forbidden("This key may only manage its own accreditation body's accreditations.")
    return acc


def update_accreditation(
    session: Session,
    *,
    principal: Principal,
    accreditation_id: uuid.UUID,
    data: AccreditationUpdate,
) -> Accreditation:
    """Change an accreditation's number, sectors or validity (admin or the owning AB)."""
    acc = _owned_accreditation(session, principal, accreditation_id)
    before = accreditation_snapshot(acc)
    fields = data.model_fields_set
    if "accreditation_number" in fields and data.accreditation_number is not None:
        acc.accreditation_number = data.accreditation_number
    if "sectors" in fields and data.sectors is not None:
        acc.sectors = list(data.sectors)
    if "valid_from" in fields:
        if data.valid_from is None:
            raise ValidationProblem.field("/valid_from", "cannot be null")
        acc.valid_from = data.valid_from
    if "valid_until" in fields:
        acc.valid_until = data.valid_until
    _check_range(acc.valid_from, acc.valid_until, "/valid_until")
    session.flush()
    record_certification_body(session, acc.certification_body_id)
    record_audit(
        session,
        principal=principal,
        action="accreditation.update",
        target_type="accreditation",
        target_id=acc.id,
        before=before,
        after=accreditation_snapshot(acc),
    )
    return acc


def change_accreditation_status(
    session: Session,
    *,
    principal: Principal,
    accreditation_id: uuid.UUID,
    data: StatusChange,
    today: date,
) -> Accreditation:
    """Record a dated status change of an accreditation (admin or the owning AB)."""
    acc = _owned_accreditation(session, principal, accreditation_id)
    before = accreditation_status_today(acc, today)
    event = AccreditationStatusEvent(
        status=data.status,
        effective_from=data.effective_from or today,
        reason=data.reason,
        actor_key_id=principal.key_id,
        actor_role=principal.role.value if principal.role else None,
    )
    acc.status_events.append(event)
    session.flush()
    record_certification_body(session, acc.certification_body_id)
    record_audit(
        session,
        principal=principal,
        action="accreditation.status",
        target_type="accreditation",
        target_id=acc.id,
        before={"status_today": before},
        after={
            "status": event.status,
            "effective_from": event.effective_from,
            "reason": event.reason,
        },
    )
    return acc


def accreditation_status_today(acc: Accreditation, today: date) -> str | None:
    """An accreditation's status on `today`, or None before it starts."""
    if today < acc.valid_from:
        return None
    status = status_at(status_events(acc.status_events), today, Status.ACTIVE)
    return status.value if status is not None else None
