"""Many verifications at once: facts loaded set-based, answers in input order."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.errors import problem_body, validation_errors
from app.repositories.verifications import insert_verifications
from app.schemas.verification import VerificationRequestIn
from app.services.verification.answer import verify_many

MAX_BATCH_ITEMS = 10_000


def item_problem(index: int, errors: list[dict[str, str]]) -> dict[str, Any]:
    """The problem object that stands in place of an item that failed validation."""
    for err in errors:
        err["pointer"] = f"/items/{index}{err['pointer'] if err['pointer'] != '/' else ''}"
    return problem_body(
        status=422,
        slug="validation-error",
        detail="; ".join(f"{e['pointer']}: {e['detail']}" for e in errors),
        errors=errors,
    )


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
    """Verify every valid item (problems stay in place), loading facts set-based: the same
    engine, shaping and receipts as a single verification (services/verification.py)."""
    requests = [i for i in items if isinstance(i, VerificationRequestIn)]
    answers = iter(verify_many(session, requests=requests, now=now))
    return [next(answers) if isinstance(i, VerificationRequestIn) else i for i in items]


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
        insert_verifications(session, rows)
