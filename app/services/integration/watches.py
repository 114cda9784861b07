"""Watches: a client follows certificates; verdict changes and expiry notices become events.

A watch belongs to the client, not to the key that made it: any of the client's keys sees it,
and it is re-evaluated only while the client is active (not disabled, a key not revoked)."""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import Session

from app import clock
from app.domain.facts import (
    CertificateFact,
    Claims,
    Outcome,
    Verdict,
    VerificationRequest,
    VerificationResult,
)
from app.domain.normalize import normalize_certificate_number
from app.domain.verification import effective_expiry, verify
from app.errors import Conflict, NotFound, ValidationProblem
from app.models import Accreditation, OutboxEvent, Watch
from app.repositories.accreditations import certification_bodies_accredited_by
from app.repositories.bodies import find_certification_body
from app.repositories.bulk import accreditations_by_certification_body
from app.repositories.certificates import (
    certificate_by_number,
    certificate_fact_rows_by_ids,
    get_certificate,
)
from app.repositories.watches import (
    active_watches_of_certificates,
    every_active_watch,
    get_watch,
    watch_of_client_on_certificate,
    watched_certificates_of_certification_bodies,
    watches_of_client,
)
from app.services.audit import record_audit
from app.services.auth import Principal, Role
from app.services.clients import listed_client, owner_of
from app.services.registry.certificates import can_see_confidential
from app.services.verification.fact_mapping import (
    accreditation_fact,
    certificate_facts,
    recognition_arrangements,
)

EXPIRY_THRESHOLDS = (90, 30, 7)


def _certificate_facts(
    session: Session, certificate_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, CertificateFact]:
    """The verification facts of these certificates, by id (absent ones are left out)."""
    rows = certificate_fact_rows_by_ids(session, certificate_ids)
    return {uuid.UUID(fact.id): fact for fact in certificate_facts(rows)}


def evaluate(
    certificates: Mapping[uuid.UUID, CertificateFact],
    accreditations: Mapping[uuid.UUID, Sequence[Accreditation]],
    today: date,
) -> dict[uuid.UUID, VerificationResult]:
    """The verdict of each certificate today, from facts already loaded."""
    acc_facts = {
        str(cb): [accreditation_fact(a) for a in accs] for cb, accs in accreditations.items()
    }
    results = {}
    for cert_id, fact in certificates.items():
        results[cert_id] = verify(
            VerificationRequest(
                certificate_number=fact.certificate_number,
                as_of=today,
                claims=Claims(),
                certification_body_named=fact.certification_body.id,
                certification_body_in_registry=True,
                recognition_arrangements=recognition_arrangements(),
            ),
            [fact],
            acc_facts.get(fact.certification_body.id, []),
        )
    return results


def _checks_snapshot(result: VerificationResult) -> dict[str, Any]:
    return {c.code.value: {"outcome": c.outcome.value, "message": c.message} for c in result.checks}


def _certificate_ref(cert: CertificateFact) -> dict[str, Any]:
    cb = cert.certification_body
    return {
        "id": cert.id,
        "certificate_number": cert.certificate_number,
        "standard": cert.standard.label,
        "organization": {"name": cert.organization_name, "country": cert.organization_country},
        "certification_body": {"id": cb.id, "name": cb.name, "acronym": cb.acronym},
    }


def _expiry_notices(cert: CertificateFact, today: date) -> dict[str, Any]:
    """Thresholds already passed for the current effective expiry (so they are not re-sent)."""
    expiry = effective_expiry(cert)
    days = (expiry - today).days
    return {"expiry": expiry.isoformat(), "sent": [t for t in EXPIRY_THRESHOLDS if days <= t]}


def create_watch(
    session: Session,
    *,
    principal: Principal,
    certificate_id: uuid.UUID | None,
    certificate_number: str | None,
    certification_body: str | None,
    today: date,
) -> Watch:
    """Watch a certificate by id, or by number and CB; the current verdict is the baseline."""
    owner = owner_of(principal)
    if certificate_id is not None:
        cert = get_certificate(session, certificate_id)
        if cert is None or (cert.confidential and not can_see_confidential(principal, cert)):
            raise NotFound(f"No certificate with id {certificate_id}.")
    else:
        assert certificate_number is not None and certification_body is not None
        cb = find_certification_body(session, certification_body)
        if cb is None:
            raise ValidationProblem.field(
                "/certification_body", "no such certification body in the registry"
            )
        key = normalize_certificate_number(certificate_number)
        cert = certificate_by_number(session, cb.id, key)
        if cert is None:
            raise ValidationProblem.field(
                "/certificate_number",
                f"{cb.acronym or cb.name} has no certificate with this number",
            )
    existing = watch_of_client_on_certificate(session, owner, cert.id)
    if existing is not None:
        raise Conflict(f"You already watch this certificate (watch {existing.id}).")
    certs = _certificate_facts(session, [cert.id])
    accs = accreditations_by_certification_body(session, [cert.certification_body_id])
    result = evaluate(certs, accs, today)[cert.id]
    watch = Watch(
        client_id=owner,
        certificate_id=cert.id,
        last_verdict=result.verdict.value,
        last_checks=_checks_snapshot(result),
        last_evaluated_at=clock.now(),
        expiry_notices=_expiry_notices(certs[cert.id], today),
    )
    session.add(watch)
    session.flush()
    record_audit(
        session,
        principal=principal,
        action="watch.create",
        target_type="watch",
        target_id=watch.id,
        after=watch_snapshot(watch),
    )
    return watch


def watch_snapshot(watch: Watch) -> dict[str, Any]:
    """The audited fields of a watch: whose it is, which certificate, the baseline verdict."""
    return {
        "client_id": watch.client_id,
        "certificate_id": watch.certificate_id,
        "last_verdict": watch.last_verdict,
    }


def delete_watch(session: Session, *, principal: Principal, watch_id: uuid.UUID) -> None:
    """Stop watching (the caller's watch, or any watch for an admin)."""
    watch = owned_watch(session, principal=principal, watch_id=watch_id)
    before = watch_snapshot(watch)
    session.delete(watch)
    session.flush()
    record_audit(
        session,
        principal=principal,
        action="watch.delete",
        target_type="watch",
        target_id=watch_id,
        before=before,
    )


def owned_watch(session: Session, *, principal: Principal, watch_id: uuid.UUID) -> Watch:
    """The caller's client's watch (any watch for an admin), or 404."""
    owner = owner_of(principal)
    watch = get_watch(session, watch_id)
    if watch is None or (watch.client_id != owner and not principal.is_admin):
        raise NotFound(f"No watch with id {watch_id}.")
    return watch


def list_watches(
    session: Session,
    *,
    principal: Principal,
    client_id: uuid.UUID | None = None,
    offset: int,
    limit: int,
) -> Sequence[Watch]:
    """The caller's client's watches (an admin: any client's), oldest first."""
    owner = listed_client(principal, client_id)
    return watches_of_client(session, owner, offset=offset, limit=limit)


def delete_watches_of_client(
    session: Session, *, principal: Principal, client_id: uuid.UUID
) -> int:
    """Delete every watch of a client (admin), each audited as `watch.delete`; the number."""
    principal.require(Role.ADMIN)
    deleted = 0
    while batch := watches_of_client(session, client_id, offset=0, limit=500):
        for watch in batch:
            before = watch_snapshot(watch)
            session.delete(watch)
            record_audit(
                session,
                principal=principal,
                action="watch.delete",
                target_type="watch",
                target_id=watch.id,
                before=before,
            )
            deleted += 1
        session.flush()
    return deleted


def _affected_certificate_ids(session: Session, scope: dict[str, Any]) -> list[uuid.UUID] | None:
    """Watched certificates a transaction's changes may affect (None: every watch)."""
    if scope.get("all"):
        return None
    ids: set[uuid.UUID] = set(scope["certificates"])
    cbs: set[uuid.UUID] = set(scope["certification_bodies"])
    if scope["accreditation_bodies"]:
        cbs |= certification_bodies_accredited_by(session, scope["accreditation_bodies"])
    if cbs:
        ids |= watched_certificates_of_certification_bodies(session, cbs)
    return sorted(ids)


def reevaluate_scope(session: Session, *, scope: dict[str, Any], today: date) -> int:
    """Re-evaluate the watches a transaction touched; returns the number of events written."""
    ids = _affected_certificate_ids(session, scope)
    if ids is not None and not ids:
        return 0
    return reevaluate(session, certificate_ids=ids, today=today)


def reevaluate(
    session: Session, *, certificate_ids: Sequence[uuid.UUID] | None, today: date
) -> int:
    """Compare each watched certificate's verdict today with the last one seen; write events.

    Called before commit for changes (same transaction) and by the worker on a schedule for
    time-driven changes (expiry, transition deadlines, future-dated status changes). Only the
    watches of active clients: a stopped client's keep the last verdict they saw, so when it is
    active again the next re-evaluation reports what changed meanwhile.
    """
    if certificate_ids is None:
        watches = every_active_watch(session)
    else:
        watches = active_watches_of_certificates(session, certificate_ids)
    if not watches:
        return 0
    certs = _certificate_facts(session, {w.certificate_id for w in watches})
    accs = accreditations_by_certification_body(
        session, {uuid.UUID(c.certification_body.id) for c in certs.values()}
    )
    results = evaluate(certs, accs, today)
    now = clock.now()
    written = 0
    for watch in watches:
        cert = certs.get(watch.certificate_id)
        if cert is None:
            continue
        result = results[watch.certificate_id]
        written += _verdict_event(session, watch, cert, result, today, now)
        written += _expiry_event(session, watch, cert, result, today, now)
        watch.last_evaluated_at = now
    session.flush()
    return written


def _verdict_event(
    session: Session,
    watch: Watch,
    cert: CertificateFact,
    result: VerificationResult,
    today: date,
    now: datetime,
) -> int:
    new_checks = _checks_snapshot(result)
    old_checks = watch.last_checks or {}
    old_verdict = watch.last_verdict
    watch.last_checks = new_checks
    if old_verdict == result.verdict.value:
        return 0
    watch.last_verdict = result.verdict.value
    changed = [
        {
            "code": code,
            "old_outcome": (old_checks.get(code) or {}).get("outcome"),
            "new_outcome": check["outcome"],
            "message": check["message"],
        }
        for code, check in new_checks.items()
        if (old_checks.get(code) or {}).get("outcome") != check["outcome"]
    ]
    _emit(
        session,
        watch,
        cert,
        "certificate.verdict_changed",
        {
            "old_verdict": old_verdict,
            "new_verdict": result.verdict.value,
            "summary": result.summary,
            "as_of": today.isoformat(),
            "changed_checks": changed,
        },
        now,
    )
    return 1


def _expiry_event(
    session: Session,
    watch: Watch,
    cert: CertificateFact,
    result: VerificationResult,
    today: date,
    now: datetime,
) -> int:
    expiry = effective_expiry(cert)
    notices = dict(watch.expiry_notices or {})
    if notices.get("expiry") != expiry.isoformat():
        notices = {"expiry": expiry.isoformat(), "sent": []}
    days = (expiry - today).days
    due = [t for t in EXPIRY_THRESHOLDS if days <= t and t not in notices["sent"]]
    written = 0
    if due and result.verdict is Verdict.VALID and days >= 0:
        threshold = min(due)
        _emit(
            session,
            watch,
            cert,
            "certificate.expiring",
            {
                "expiry_date": expiry.isoformat(),
                "days_left": days,
                "threshold_days": threshold,
                "as_of": today.isoformat(),
                "warnings": [c.message for c in result.checks if c.outcome is Outcome.WARN],
            },
            now,
        )
        written = 1
    notices["sent"] = sorted(set(notices["sent"]) | set(due))
    watch.expiry_notices = notices
    return written


def _emit(
    session: Session,
    watch: Watch,
    cert: CertificateFact,
    event_type: str,
    data: dict[str, Any],
    now: datetime,
) -> None:
    event_id = uuid.uuid4()
    payload = {
        "type": event_type,
        "timestamp": now.isoformat().replace("+00:00", "Z"),
        "data": {"watch_id": str(watch.id), "certificate": _certificate_ref(cert), **data},
    }
    session.add(
        OutboxEvent(
            id=event_id,
            event_type=event_type,
            client_id=watch.client_id,
            certificate_id=uuid.UUID(cert.id),
            payload=payload,
            created_at=now,
        )
    )
