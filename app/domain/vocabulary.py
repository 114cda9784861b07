"""Mapping of external status vocabularies onto certverify's statuses (pure, no I/O)."""

from __future__ import annotations

from dataclasses import dataclass

from app.domain.facts import Status


@dataclass(frozen=True, slots=True)
class StatusMapping:
    """What an incoming status word becomes.

    `status` None means "record no status event" (the dates decide); `skip` means the row is not
    published at all.
    """

    given: str
    status: Status | None
    skip: bool
    explanation: str


# IAF CertSearch upload enum (IAF MD 28 certification data fields: Active, Inactive, Suspended,
# Cancelled, Draft, Withdrawn, Expired) and ISO/IEC 17021-1 §9.6 statuses, mapped onto ours.
_MAPPINGS: dict[str, tuple[Status | None, bool, str]] = {
    "active": (Status.ACTIVE, False, "Active → active"),
    "valid": (Status.ACTIVE, False, "Valid → active"),
    "certified": (Status.ACTIVE, False, "Certified → active"),
    "suspended": (Status.SUSPENDED, False, "Suspended → suspended (ISO/IEC 17021-1 §9.6)"),
    "withdrawn": (Status.WITHDRAWN, False, "Withdrawn → withdrawn (ISO/IEC 17021-1 §9.6)"),
    "cancelled": (
        Status.WITHDRAWN,
        False,
        "Cancelled → withdrawn: the certification body ended the certification",
    ),
    "canceled": (
        Status.WITHDRAWN,
        False,
        "Canceled → withdrawn: the certification body ended the certification",
    ),
    "inactive": (
        Status.WITHDRAWN,
        False,
        "Inactive → withdrawn: an inactive certification is no longer current",
    ),
    "expired": (
        None,
        False,
        "Expired → no status change: expiry is judged from the expiry date",
    ),
    "draft": (None, True, "Draft → not imported: drafts are not published certifications"),
}


def map_status(word: str | None) -> StatusMapping:
    """Map a status word (any case; empty means Active) or raise ValueError naming the choices."""
    given = (word or "").strip()
    key = given.lower() or "active"
    if key not in _MAPPINGS:
        choices = "Active, Suspended, Withdrawn, Cancelled, Inactive, Expired, Draft"
        raise ValueError(f"unknown status {given!r}; expected one of {choices}")
    status, skip, explanation = _MAPPINGS[key]
    return StatusMapping(given=given or "Active", status=status, skip=skip, explanation=explanation)
