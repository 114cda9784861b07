"""Many verifications at once: the body read within bounds (JSON or CSV), facts loaded
set-based, answers in input order, CSV answers safe for spreadsheets."""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.errors import UnsupportedMediaType, ValidationProblem, problem_body, validation_errors
from app.repositories.verifications import insert_verifications
from app.schemas.integration import MAX_BATCH_ITEMS as MAX_BATCH_ITEMS  # also documents it
from app.schemas.verification import VerificationRequestIn
from app.services.safe_text import MAX_CSV_CELL, UnreadableJson, load_json, safe_row
from app.services.verification.answer import verify_many

CSV_TYPES = frozenset({"text/csv", "application/csv"})
CSV_FIELDS = (
    "certificate_number",
    "certification_body",
    "accreditation_body",
    "organization",
    "standard",
    "scope",
    "country",
    "as_of",
)
"""The columns a CSV batch may have (the fields of a verification request)."""
CSV_OUT = (
    "item",
    "certificate_number",
    "certification_body",
    "verdict",
    "summary",
    "warnings",
    "certificate_id",
    "verification_id",
    "as_of",
    "error",
    "receipt",
)
"""The columns of a CSV answer, one row per item in input order."""


def _csv_items(raw: bytes) -> list[Any]:
    """The rows of a CSV batch as items; 422 for text that is not UTF-8 or not CSV, a cell
    longer than MAX_CSV_CELL characters included."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValidationProblem.field("/", "the CSV is not valid UTF-8") from exc
    reader = csv.DictReader(io.StringIO(text, newline=""))
    items: list[Any] = []
    where = "the header row"
    try:
        fieldnames = list(reader.fieldnames or [])
        where = "row 2"
        unknown = [f for f in fieldnames if f not in CSV_FIELDS]
        if unknown or "certificate_number" not in fieldnames:
            raise ValidationProblem.field(
                "/",
                f"the header must name fields among {', '.join(CSV_FIELDS)}; "
                f"unknown: {', '.join(unknown) or 'none'}; certificate_number is required",
            )
        for row in reader:
            items.append({k: v for k, v in row.items() if v not in (None, "")})
            where = f"row {len(items) + 2}"
    except csv.Error as exc:
        reason = str(exc)
        if "field larger than field limit" in reason:
            reason = f"a cell is longer than {MAX_CSV_CELL} characters"
        raise ValidationProblem.field("/", f"{where} is not valid CSV: {reason}") from exc
    return items


def parse_batch_body(content_type: str, raw: bytes) -> list[Any]:
    """The items of a batch body (JSON `{"items": [...]}` or CSV with a header row): 422 for
    a body that cannot be read (not UTF-8, not JSON or CSV, nested too deep, a cell too long),
    415 for another media type. Items are validated one by one later (`parse_items`)."""
    if content_type in CSV_TYPES:
        return _csv_items(raw)
    if content_type == "application/json" or content_type.endswith("+json"):
        try:
            body = load_json(raw)
        except UnreadableJson as exc:
            raise ValidationProblem.field("/", f"the body {exc.reason}") from exc
        if not isinstance(body, dict) or not isinstance(body.get("items"), list):
            raise ValidationProblem.field("/items", 'send {"items": [ ... ]}')
        return list(body["items"])
    raise UnsupportedMediaType(
        f"Send application/json or text/csv (got {content_type or 'no content type'})."
    )


def _given(item: Any, field: str) -> str:
    """What an item that failed validation gave for `field`, as text ("" when it gave none)."""
    value = item.get(field) if isinstance(item, dict) else None
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    return str(value).strip()


def batch_csv(results: Sequence[dict[str, Any]], *, items: Sequence[Any]) -> str:
    """The answers as CSV, one row per item; every cell spreadsheet-safe (safe_text). The row
    of an item that failed validation keeps the number and CB the item gave, so it can be
    matched with its input line."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_OUT, lineterminator="\n")
    writer.writeheader()
    for index, r in enumerate(results):
        if "verdict" not in r:
            item = items[index] if index < len(items) else None
            row = {
                "item": index,
                "certificate_number": _given(item, "certificate_number"),
                "certification_body": _given(item, "certification_body"),
                "error": r.get("detail", "invalid item"),
            }
            writer.writerow(safe_row(row))
            continue
        query = r["query"]
        cb = r.get("certification_body") or {}
        row = {
            "item": index,
            "certificate_number": query["certificate_number"],
            "certification_body": cb.get("acronym") or cb.get("name") or "",
            "verdict": r["verdict"],
            "summary": r["summary"],
            "warnings": " | ".join(r["warnings"]),
            "certificate_id": (r.get("certificate") or {}).get("id", ""),
            "verification_id": r["verification_id"],
            "as_of": r["as_of"],
            "error": "",
            "receipt": r["receipt"],
        }
        writer.writerow(safe_row(row))
    return out.getvalue()


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
