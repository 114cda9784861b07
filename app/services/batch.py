"""Many verifications at once: facts loaded set-based, answers in input order."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

from pydantic import ValidationError
from sqlalchemy import Table, insert
from sqlalchemy.orm import Session

from app.domain.facts import AccreditationFact, Claims, VerificationRequest
from app.domain.normalize import normalize_certificate_number
from app.domain.verification import verify
from app.errors import validation_errors
from app.models import Verification
from app.repositories.bulk import (
    accreditations_by_certification_body,
    certificates_by_number_keys,
    resolve_certification_bodies,
)
from app.schemas.verification import VerificationRequestIn
from app.services.facts import accreditation_fact, certificate_fact
from app.services.receipts import sign_receipt
from app.services.verification import _shape

MAX_BATCH_ITEMS = 10_000


def item_problem(index: int, errors: list[dict[str, str]]) -> dict[str, Any]:
    """The problem object that stands in place of an item that failed validation."""
    for err in errors:
        err["pointer"] = f"/items/{index}{err['pointer'] if err['pointer'] != '/' else ''}"
    return {
        "type": "/problems/validation-error",
        "title": "Your request is not valid",
        "status": 422,
        "detail": "; ".join(f"{e['pointer']}: {e['detail']}" for e in errors),
        "errors": errors,
    }


def parse_items(raw_items: Sequence[Any]) -> list[VerificationRequestIn | dict[str, Any]]:
    """Validate each item on its own: a valid request, or its problem object in its place."""
    parsed: list[VerificationRequestIn | dict[str, Any]] = []
    for index, raw in enumerate(raw_items):
        try:
            parsed.append(VerificationRequestIn.model_validate(raw))
        except ValidationError as exc:
            parsed.append(item_problem(index, validation_errors(exc.errors())))
    return parsed


def verify_batch(
    session: Session,
    *,
    items: Sequence[VerificationRequestIn | dict[str, Any]],
    now: datetime | None = None,
) -> list[dict[str, Any]]:
    """Verify every valid item (problems stay in place), loading facts set-based."""
    checked_at = (now or datetime.now(UTC)).replace(microsecond=0)
    requests = [i for i in items if isinstance(i, VerificationRequestIn)]
    cbs = resolve_certification_bodies(
        session, (r.certification_body for r in requests if r.certification_body)
    )
    keys = {
        r.certificate_number: normalize_certificate_number(r.certificate_number) for r in requests
    }
    by_key = certificates_by_number_keys(session, keys.values())
    cb_ids = {c.certification_body_id for certs in by_key.values() for c in certs}
    accreditations = accreditations_by_certification_body(session, cb_ids)
    cert_facts = {str(c.id): certificate_fact(c) for certs in by_key.values() for c in certs}
    acc_facts: dict[uuid.UUID, list[AccreditationFact]] = {
        cb_id: [accreditation_fact(a) for a in accs] for cb_id, accs in accreditations.items()
    }
    acc_rows = {str(a.id): a for accs in accreditations.values() for a in accs}

    results: list[dict[str, Any]] = []
    for item in items:
        if not isinstance(item, VerificationRequestIn):
            results.append(item)
            continue
        as_of = item.as_of or checked_at.date()
        number_key = keys[item.certificate_number]
        cb = cbs.get(item.certification_body) if item.certification_body else None
        if item.certification_body and cb is None:
            candidates = []
        else:
            candidates = [
                c
                for c in by_key.get(number_key, [])
                if cb is None or c.certification_body_id == cb.id
            ]
        accs = (
            acc_facts.get(candidates[0].certification_body_id, []) if len(candidates) == 1 else []
        )
        result = verify(
            VerificationRequest(
                certificate_number=item.certificate_number,
                as_of=as_of,
                claims=Claims(
                    organization=item.organization or None,
                    standard=item.standard or None,
                    scope=item.scope or None,
                    country=item.country or None,
                ),
                certification_body_named=item.certification_body,
                certification_body_in_registry=(cb is not None)
                if item.certification_body
                else None,
            ),
            [cert_facts[str(c.id)] for c in candidates],
            accs,
        )
        response = _shape(
            result,
            request=item,
            as_of=as_of,
            checked_at=checked_at,
            number_key=number_key,
            cb=cb,
            certificates={str(c.id): c for c in candidates},
            accreditations=acc_rows,
        )
        response["receipt"] = sign_receipt(session, response)
        results.append(response)
    return results


def store_verifications(
    session: Session, *, api_key_id: uuid.UUID, responses: Sequence[dict[str, Any]]
) -> None:
    """Keep keyed verifications so their maker can fetch them again (one bulk insert)."""
    rows = [
        {
            "id": uuid.UUID(r["verification_id"]),
            "api_key_id": api_key_id,
            "checked_at": datetime.fromisoformat(r["checked_at"].replace("Z", "+00:00")),
            "as_of": datetime.fromisoformat(r["as_of"]).date(),
            "verdict": r["verdict"],
            "certificate_id": uuid.UUID(r["certificate"]["id"]) if r.get("certificate") else None,
            "response": r,
        }
        for r in responses
        if "verification_id" in r
    ]
    if rows:
        session.connection().execute(insert(cast(Table, Verification.__table__)), rows)
