"""Bulk import of an accreditation body's accreditations: upsert, dated status changes, audited.

Rows are keyed by (AB, CB, accreditation number, standard code). Writes go through the same
service functions as the API, so each create, change and status change is audited. The same
all-or-nothing / partial policy as certificate imports applies (see
app/services/imports/certificates.py).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

from pydantic import ValidationError
from sqlalchemy.orm import Session

from app.domain.facts import Status
from app.domain.normalize import standard_code_key
from app.domain.vocabulary import map_status
from app.errors import AppError, validation_errors
from app.models import AccreditationBody
from app.repositories.accreditations import find_accreditation
from app.repositories.bodies import find_certification_body
from app.schemas.registry import AccreditationCreate, AccreditationUpdate, StatusChange
from app.services.auth import Principal
from app.services.imports.formats import RawRow, sector_code
from app.services.imports.report import ImportAborted, ImportReport, Mode, RowReport
from app.services.registry import bodies as registry

_COMPACT_DATE = re.compile(r"^[0-9]{8}$")


def _date_text(value: Any) -> str | None:
    text = str(value).strip() if value is not None else ""
    if not text:
        return None
    return f"{text[:4]}-{text[4:6]}-{text[6:]}" if _COMPACT_DATE.match(text) else text


def _sectors(value: Any) -> Any:
    if isinstance(value, list):
        return value
    text = str(value or "").strip()
    return [sector_code(p) for p in re.split(r"[;,|]", text) if p.strip()]


def import_accreditations(
    session: Session,
    *,
    principal: Principal,
    accreditation_body: AccreditationBody,
    rows: Iterable[RawRow],
    mode: Mode,
    today: date,
    on_row: Callable[[RowReport], None] | None = None,
    ignored_columns: list[str] | None = None,
) -> ImportReport:
    """Validate and upsert every row; in `all` mode nothing is kept when any row is an error."""
    report = ImportReport(mode=mode, certification_body_id="")
    report.ignored_columns = list(ignored_columns or [])
    seen: dict[tuple[str, str, str], int] = {}

    def done(row: RowReport) -> None:
        report.count(row, row.mapping)
        if on_row is not None:
            on_row(row)

    savepoint = session.begin_nested()
    try:
        for raw in rows:
            row = _one(session, principal, accreditation_body, raw, today, seen)
            done(row)
        if mode == "all" and report.totals["error"]:
            raise ImportAborted
    except ImportAborted:
        savepoint.rollback()
        return report
    except BaseException:
        if savepoint.is_active:
            savepoint.rollback()
        raise
    savepoint.commit()
    report.committed = True
    return report


def _one(
    session: Session,
    principal: Principal,
    ab: AccreditationBody,
    raw: RawRow,
    today: date,
    seen: dict[tuple[str, str, str], int],
) -> RowReport:
    """Validate and write one row inside its own savepoint (a row is never half-written)."""
    v = raw.values
    number = str(v.get("accreditation_number") or "").strip()
    report = RowReport(raw.row, number or None, "error", target="accreditation")
    if "__error__" in raw.values:
        report.errors.append({"field": "row", "reason": f"row {raw.row} {v['__error__']}"})
        return report
    src = raw.sources
    errors = report.errors
    cb = find_certification_body(session, str(v.get("certification_body") or ""))
    if cb is None:
        errors.append(
            {
                "field": src.get("certification_body", "certification_body"),
                "reason": f"no certification body {v.get('certification_body')!r} in the registry",
            }
        )
    try:
        mapping = map_status(v.get("status"))
        report.mapping, report.status_mapping = mapping, mapping.explanation
    except ValueError as exc:
        errors.append({"field": src.get("status", "status"), "reason": str(exc)})
        mapping = None
    code = str(v.get("standard") or "").strip()
    body = {
        "accreditation_body_id": str(ab.id),
        "accreditation_number": number,
        "standard": code,
        "sectors": _sectors(v.get("sectors")),
        "valid_from": _date_text(v.get("valid_from")),
        "valid_until": _date_text(v.get("valid_until")),
    }
    try:
        data = AccreditationCreate.model_validate(body)
    except ValidationError as exc:
        for err in validation_errors(exc.errors()):
            name = err["pointer"].split("/")[1] if err["pointer"].count("/") else "row"
            errors.append({"field": src.get(name, name), "reason": err["detail"]})
        return report
    effective = _date_text(v.get("status_effective_from"))
    if effective is not None:
        try:
            effective_day: date | None = date.fromisoformat(effective)
        except ValueError:
            errors.append(
                {
                    "field": src.get("status_effective_from", "status_effective_from"),
                    "reason": f"{effective!r} is not a real date (YYYY-MM-DD)",
                }
            )
            effective_day = None
    else:
        effective_day = None
    if errors or cb is None or mapping is None:
        return report
    if mapping.skip:
        report.outcome = "skipped"
        return report
    key = (str(cb.id), number.upper(), standard_code_key(data.standard))
    if key in seen:
        errors.append(
            {
                "field": src.get("accreditation_number", "accreditation_number"),
                "reason": f"the same accreditation is on row {seen[key]} of this file",
            }
        )
        return report
    seen[key] = raw.row
    try:
        with session.begin_nested():
            _upsert(
                session, principal, ab, cb.id, data, mapping.status, effective_day, v, today, report
            )
    except AppError as exc:
        report.outcome = "error"
        report.changes = []
        errors.append({"field": "row", "reason": exc.detail})
    return report


def _upsert(
    session: Session,
    principal: Principal,
    ab: AccreditationBody,
    cb_id: Any,
    data: AccreditationCreate,
    status: Status | None,
    effective: date | None,
    values: dict[str, Any],
    today: date,
    report: RowReport,
) -> None:
    existing = find_accreditation(
        session,
        accreditation_body_id=ab.id,
        certification_body_id=cb_id,
        accreditation_number=data.accreditation_number,
        standard_code_key=standard_code_key(data.standard),
    )
    reason = str(values.get("status_reason") or "").strip() or None
    if existing is None:
        acc = registry.create_accreditation(
            session, principal=principal, certification_body_id=cb_id, data=data
        )
        report.outcome, report.certificate_id = "created", str(acc.id)
        if status not in (None, Status.ACTIVE):
            assert status is not None
            registry.change_accreditation_status(
                session,
                principal=principal,
                accreditation_id=acc.id,
                data=StatusChange(status=status.value, effective_from=effective, reason=reason),
                today=today,
            )
        return
    acc = registry.require_accreditation(session, existing.id)
    report.certificate_id = str(acc.id)
    changes: dict[str, Any] = {}
    reported: list[dict[str, Any]] = []

    def note(name: str, before: Any, after: Any) -> None:
        changes[name] = after
        shown = [v.isoformat() if isinstance(v, date) else v for v in (before, after)]
        reported.append({"field": name, "before": shown[0], "after": shown[1]})

    if list(acc.sectors or []) != list(data.sectors):
        note("sectors", list(acc.sectors or []), list(data.sectors))
    if acc.valid_from != data.valid_from:
        note("valid_from", acc.valid_from, data.valid_from)
    if acc.valid_until != data.valid_until:
        note("valid_until", acc.valid_until, data.valid_until)
    if changes:
        registry.update_accreditation(
            session,
            principal=principal,
            accreditation_id=acc.id,
            data=AccreditationUpdate(**changes),
        )
        report.changes += reported
    current = registry.accreditation_status_today(acc, today)
    if status is not None and current != status.value:
        registry.change_accreditation_status(
            session,
            principal=principal,
            accreditation_id=acc.id,
            data=StatusChange(status=status.value, effective_from=effective, reason=reason),
            today=today,
        )
        report.changes.append({"field": "status", "before": current, "after": status.value})
    report.outcome = "updated" if report.changes else "unchanged"
