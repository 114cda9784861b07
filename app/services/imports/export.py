"""Export a certification body's certificates as CSV (ours or IAF MD 28 layout) or JSON Lines.

CSV cells are spreadsheet-safe: one that starts with `=`, `+`, `-`, `@`, a tab or a carriage
return gets a leading single quote (OWASP, CSV Injection; app/services/safe_text.py), which the
import reads back off, so an export still imports unchanged."""

from __future__ import annotations

import csv
import io
import json
import uuid
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from app.domain.verification import status_event_at
from app.models import Certificate
from app.repositories.certificates import certificates_of_certification_body
from app.services.imports.formats import LIST_SEPARATOR, MD28_HEADERS
from app.services.registry.certificates import certificate_status_today
from app.services.safe_text import safe_row
from app.services.verification.fact_mapping import status_events

OUR_COLUMNS = [
    "certificate_number",
    "status",
    "status_effective_from",
    "status_reason",
    "status_history",
    "organization_name",
    "organization_country",
    "organization_aliases",
    "lei",
    "vat",
    "standard",
    "scope",
    "sectors",
    "site_name",
    "site_address",
    "site_country",
    "original_issue_date",
    "issue_date",
    "expiry_date",
    "confidential",
]


def status_history(cert: Certificate) -> list[dict[str, Any]]:
    """Every recorded status event, in history order (effective date, then recording time),
    as the import's `status_history` reads it back."""
    return [
        {
            "status": e.status.value,
            "effective_from": e.effective_from.isoformat(),
            "reason": e.reason,
        }
        for e in status_events(cert.status_events)
    ]


def status_in_force(cert: Certificate, today: date) -> tuple[str, str]:
    """(effective from, reason) of the status event in force on `today`, beside the status
    column; blank before any event is in force."""
    event = status_event_at(status_events(cert.status_events), today)
    if event is None:
        return "", ""
    return event.effective_from.isoformat(), event.reason or ""


def _flat(cert: Certificate, today: date, md28: bool) -> dict[str, str]:
    org = cert.organization

    def day(value: date | None) -> str:
        if value is None:
            return ""
        return value.strftime("%Y%m%d") if md28 else value.isoformat()

    status = certificate_status_today(cert, today) or "active"
    effective_from, reason = status_in_force(cert, today)
    return {
        "certificate_number": cert.certificate_number,
        "status": status.capitalize() if md28 else status,
        "status_effective_from": effective_from,
        "status_reason": reason,
        "status_history": json.dumps(status_history(cert), ensure_ascii=False),
        "organization_name": org.name,
        "organization_country": org.country or "",
        "organization_aliases": LIST_SEPARATOR.join(org.aliases or []),
        "lei": org.lei or "",
        "vat": org.vat or "",
        "standard": cert.standard.label,
        "scope": cert.scope,
        "sectors": ";".join(str(s) for s in cert.sectors or []),
        "site_name": LIST_SEPARATOR.join(s.name or "" for s in cert.sites),
        "site_address": LIST_SEPARATOR.join(s.address or "" for s in cert.sites),
        "site_country": LIST_SEPARATOR.join(s.country for s in cert.sites),
        "original_issue_date": day(cert.original_issue_date),
        "issue_date": day(cert.issue_date),
        "expiry_date": day(cert.expiry_date),
        "confidential": ("Yes" if cert.confidential else "No")
        if md28
        else str(cert.confidential).lower(),
    }


def _nested(cert: Certificate, today: date) -> dict[str, Any]:
    org = cert.organization
    effective_from, reason = status_in_force(cert, today)
    return {
        "certificate_number": cert.certificate_number,
        "status": certificate_status_today(cert, today) or "active",
        "status_effective_from": effective_from or None,
        "status_reason": reason or None,
        "status_history": status_history(cert),
        "organization": {
            "name": org.name,
            "country": org.country,
            "aliases": list(org.aliases or []),
            "identifiers": {"lei": org.lei, "vat": org.vat},
        },
        "standard": cert.standard.label,
        "scope": cert.scope,
        "sectors": list(cert.sectors or []),
        "sites": [{"name": s.name, "address": s.address, "country": s.country} for s in cert.sites],
        "original_issue_date": cert.original_issue_date.isoformat()
        if cert.original_issue_date
        else None,
        "issue_date": cert.issue_date.isoformat(),
        "expiry_date": cert.expiry_date.isoformat(),
        "confidential": cert.confidential,
    }


def export_certificates(
    session: Session, *, cb_id: uuid.UUID, format: str, today: date
) -> tuple[str, str]:
    """The CB's certificates in `format` ("csv", "iaf-md28" or "jsonl") and its media type."""
    if format == "jsonl":
        lines = [
            json.dumps(_nested(c, today), ensure_ascii=False)
            for c in certificates_of_certification_body(session, cb_id)
        ]
        return "".join(line + "\n" for line in lines), "application/x-ndjson"
    out = io.StringIO()
    md28 = format == "iaf-md28"
    if md28:
        writer = csv.DictWriter(out, fieldnames=list(MD28_HEADERS.values()), lineterminator="\n")
        writer.writeheader()
        for cert in certificates_of_certification_body(session, cb_id):
            flat = _flat(cert, today, md28=True)
            writer.writerow(safe_row({MD28_HEADERS[k]: flat[k] for k in MD28_HEADERS}))
    else:
        writer = csv.DictWriter(out, fieldnames=OUR_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for cert in certificates_of_certification_body(session, cb_id):
            writer.writerow(safe_row(_flat(cert, today, md28=False)))
    return out.getvalue(), "text/csv; charset=utf-8"
