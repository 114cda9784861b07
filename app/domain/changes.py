"""What a registry write changes: the one rule that the write API and the import both apply.

DESIGN.md, "The registry changes only when someone says so":
- a write changes only what it states: a field it does not name (a column the file lacks, a blank
  cell, a key left out of a PATCH) keeps the registry's value, status included;
- a status event identical to one already recorded is no change;
- a change is reported field by field, with the value before and after.

Pure functions over plain values (no database, no framework), so the rule is the same whether a
request or a file row states it. A record is a dict with the keys in `FIELDS`; dates are `date`
objects, the organisation is `{"name", "country", "aliases", "identifiers": {"lei", "vat"}}`,
sites are `{"name", "address", "country"}` dicts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from app.domain.facts import Status, StatusEvent
from app.domain.verification import status_at

FIELDS: tuple[str, ...] = (
    "certificate_number",
    "organization",
    "standard",
    "scope",
    "sectors",
    "sites",
    "original_issue_date",
    "issue_date",
    "expiry_date",
    "confidential",
)
"""The fields of a certificate that a write may state, in the order changes are reported."""

REQUIRED_TO_CREATE: tuple[str, ...] = (
    "certificate_number",
    "standard",
    "issue_date",
    "expiry_date",
)
"""What a new certificate must state (and the organisation's name), API.md "Registry writes"."""

NEW_CERTIFICATE: Mapping[str, Any] = {
    "scope": "",
    "sectors": [],
    "sites": [],
    "original_issue_date": None,
    "confidential": False,
}
"""What a new certificate holds for a field its write does not state."""

EMPTY_ORGANIZATION: Mapping[str, Any] = {
    "name": None,
    "country": None,
    "aliases": [],
    "identifiers": {"lei": None, "vat": None},
}


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One field's value before and after a write (dates as ISO strings, as history shows)."""

    field: str
    before: Any
    after: Any

    def as_dict(self) -> dict[str, Any]:
        """JSON form, as the import report and the history show it."""
        return {"field": self.field, "before": self.before, "after": self.after}


def merge_organization(
    current: Mapping[str, Any] | None, stated: Mapping[str, Any]
) -> dict[str, Any]:
    """The organisation after a write that states some of its parts; the rest is kept."""
    base = dict(current or EMPTY_ORGANIZATION)
    identifiers = dict(base.get("identifiers") or {"lei": None, "vat": None})
    identifiers.update(stated.get("identifiers") or {})
    merged = {**base, **{k: v for k, v in stated.items() if k != "identifiers"}}
    merged["identifiers"] = identifiers
    merged["aliases"] = list(merged.get("aliases") or [])
    return merged


def merge(current: Mapping[str, Any] | None, stated: Mapping[str, Any]) -> dict[str, Any]:
    """The record after a write that states `stated`: stated fields replace the current ones,
    the organisation part by part; everything not stated keeps its value (for a new
    certificate, `NEW_CERTIFICATE`'s)."""
    unknown = set(stated) - set(FIELDS)
    if unknown:
        raise ValueError(f"not certificate fields: {sorted(unknown)}")
    merged: dict[str, Any] = dict(current) if current is not None else dict(NEW_CERTIFICATE)
    for name, value in stated.items():
        if name == "organization":
            merged[name] = merge_organization(merged.get("organization"), value)
        elif name in ("sectors", "sites"):
            merged[name] = list(value)
        else:
            merged[name] = value
    return merged


def missing_to_create(stated: Mapping[str, Any]) -> list[str]:
    """The fields a new certificate needs that this write does not state."""
    missing = [name for name in REQUIRED_TO_CREATE if stated.get(name) in (None, "")]
    if not (stated.get("organization") or {}).get("name"):
        missing.insert(1, "organization.name")
    return missing


def date_problems(record: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(field, reason) for dates out of order: expiry before issue, original issue after issue
    (ISO/IEC 17021-1 §8.2.2: the certificate's issue and expiry dates, and the original date of
    certification for a recertified one)."""
    problems: list[tuple[str, str]] = []
    issue, expiry = record.get("issue_date"), record.get("expiry_date")
    original = record.get("original_issue_date")
    if issue is not None and expiry is not None and expiry < issue:
        problems.append(("expiry_date", f"expiry date {expiry} is before issue date {issue}"))
    if issue is not None and original is not None and original > issue:
        problems.append(
            ("original_issue_date", f"original issue date {original} is after issue date {issue}")
        )
    return problems


def _shown(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, tuple):
        return list(value)
    return value


def changes(before: Mapping[str, Any] | None, after: Mapping[str, Any]) -> list[FieldChange]:
    """Each field whose value differs, with before and after (none for an identical record)."""
    found: list[FieldChange] = []
    for name in FIELDS:
        old = _shown(before.get(name)) if before is not None else None
        new = _shown(after.get(name))
        if old != new:
            found.append(FieldChange(name, old, new))
    return found


@dataclass(frozen=True, slots=True)
class StatusStatement:
    """A status a write states: the status, and when it takes effect (None: not said)."""

    status: Status
    effective_from: date | None = None
    reason: str | None = None


def status_event_to_record(
    recorded: Sequence[StatusEvent], stated: StatusStatement | None, today: date
) -> StatusEvent | None:
    """The status event a write adds to a certificate's history, or None when it adds nothing.

    `recorded` is in history order (effective date, then recording order).
    - No status stated (no status column, a blank cell, no status in the body): nothing.
    - A dated status identical to the one recorded for that date (the last event recorded with
      that effective date has that status): nothing. A different status for the same date is a
      correction and is recorded.
    - An undated status equal to the status in force today (before any event is in force: the
      first recorded one) is nothing; otherwise it takes effect today (API.md: `effective_from`
      defaults to today).
    So applying the same statement twice records it once (ISO/IEC 17021-1 §9.6: a status is
    changed by a decision of the certification body, not by repeating one).
    """
    if stated is None:
        return None
    if stated.effective_from is not None:
        same_day = [e for e in recorded if e.effective_from == stated.effective_from]
        if same_day and same_day[-1].status == stated.status:
            return None
        return StatusEvent(stated.status, stated.effective_from)
    in_force = status_at(recorded, today, None)
    if in_force is None and recorded:
        in_force = min(recorded, key=lambda e: e.effective_from).status
    if (in_force or Status.ACTIVE) == stated.status:
        return None
    return StatusEvent(stated.status, today)


def status_history_to_record(
    recorded: Sequence[StatusEvent], stated: Sequence[StatusStatement]
) -> list[StatusStatement]:
    """The events of a stated status history (an export's `status_history`, every entry
    dated) that a certificate's history lacks, in the stated order: each entry is applied as a
    dated status statement (`status_event_to_record`) to the history as it stands after the
    entries before it. So a history re-imported into a new registry is recorded whole, with its
    reasons, and re-imported into the same one records nothing; recorded events it leaves out
    stay (a write never removes what it does not state)."""
    history = list(recorded)
    added: list[StatusStatement] = []
    for entry in stated:
        if entry.effective_from is None:
            raise ValueError("a status history entry needs its effective_from date")
        event = status_event_to_record(history, entry, entry.effective_from)
        if event is not None:
            history.append(event)
            added.append(entry)
    return added


def initial_status_events(
    issue_date: date, stated: StatusStatement | None
) -> list[tuple[StatusEvent, str | None]]:
    """A new certificate's first status events with their reasons (API.md: "status", default
    active, effective from the issue date). The stated date is kept as stated, so that the same
    statement applied again adds nothing (`status_event_to_record`):
    - nothing stated: active from the issue date;
    - a status without a date, or dated on the issue date: that status from the issue date;
    - a status dated before the issue date: that status from its date;
    - a status dated later: active from the issue date, then that status from its date.
    """
    if stated is None:
        return [(StatusEvent(Status.ACTIVE, issue_date), "issued")]
    reason = "issued" if stated.status is Status.ACTIVE else stated.reason or "issued"
    effective = stated.effective_from
    if effective is None or effective == issue_date:
        return [(StatusEvent(stated.status, issue_date), reason)]
    if effective < issue_date:
        return [(StatusEvent(stated.status, effective), reason)]
    return [
        (StatusEvent(Status.ACTIVE, issue_date), "issued"),
        (StatusEvent(stated.status, effective), stated.reason),
    ]
