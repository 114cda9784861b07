"""Verification facts: the plain, frozen data the verification engine reads and returns.

Fact mapping (app/services/verification/fact_mapping.py) builds them from what the repositories
load, and the fact cache (app/services/verification/cache.py) keeps them per process; the engine
in `verification.py` never touches I/O.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any


class Verdict(enum.StrEnum):
    """The answer to "can I rely on this certificate?", in precedence order (DESIGN.md)."""

    NOT_FOUND = "not_found"
    AMBIGUOUS = "ambiguous"
    WITHDRAWN = "withdrawn"
    SUSPENDED = "suspended"
    EXPIRED = "expired"
    NOT_YET_VALID = "not_yet_valid"
    OUTDATED_STANDARD = "outdated_standard"
    NOT_ACCREDITED = "not_accredited"
    MISMATCH = "mismatch"
    VALID = "valid"


# The verdict is the first failure in this order (DESIGN.md, "Verification rules").
VERDICT_PRECEDENCE: tuple[Verdict, ...] = tuple(Verdict)


class Outcome(enum.StrEnum):
    """Outcome of one check."""

    PASS = "pass"
    FAIL = "fail"
    WARN = "warn"
    SKIPPED = "skipped"


class CheckCode(enum.StrEnum):
    """The checks, in the order they run (DESIGN.md)."""

    CERTIFICATE_FOUND = "certificate_found"
    CERTIFICATE_STATUS = "certificate_status"
    VALIDITY_PERIOD = "validity_period"
    STANDARD_EDITION = "standard_edition"
    CB_ACCREDITATION = "cb_accreditation"
    ACCREDITATION_SECTORS = "accreditation_sectors"
    AB_RECOGNITION = "ab_recognition"
    ORGANIZATION_MATCH = "organization_match"
    STANDARD_MATCH = "standard_match"
    SITE_MATCH = "site_match"
    SCOPE_MATCH = "scope_match"


class Status(enum.StrEnum):
    """Status of a certificate or an accreditation at a date (ISO/IEC 17021-1 §9.6)."""

    ACTIVE = "active"
    SUSPENDED = "suspended"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class StatusEvent:
    """A dated status change; the status at D is the latest change effective on or before D."""

    status: Status
    effective_from: date
    reason: str | None = None


@dataclass(frozen=True, slots=True)
class StandardFact:
    """A standard edition as certified, e.g. code "ISO 9001", edition "2015"."""

    code: str
    edition: str
    transition_deadline: date | None = None
    superseded_by: str | None = None

    @property
    def label(self) -> str:
        """The standard as printed on certificates: "ISO 9001:2015"."""
        return f"{self.code}:{self.edition}"


@dataclass(frozen=True, slots=True)
class SiteFact:
    """A certified site."""

    country: str
    name: str | None = None
    address: str | None = None


@dataclass(frozen=True, slots=True)
class CertificationBodyFact:
    """The issuing certification body."""

    id: str
    name: str
    acronym: str | None = None


@dataclass(frozen=True, slots=True)
class MlaScopeFact:
    """An AB's MLA recognition for one standard code (no edition), dated."""

    standard_code: str
    since: date | None = None
    until: date | None = None


@dataclass(frozen=True, slots=True)
class AccreditationBodyFact:
    """An accreditation body and its MLA recognitions.

    `mla_scopes_complete` False means the list is known to be incomplete (shipped reference data):
    a missing standard is "not confirmed", never "not a signatory".
    """

    id: str
    acronym: str
    name: str
    economy: str | None = None
    mla_scopes: tuple[MlaScopeFact, ...] = ()
    mla_scopes_complete: bool = True


@dataclass(frozen=True, slots=True)
class AccreditationFact:
    """One accreditation of a CB by an AB for one standard code (no edition).

    Empty `sectors` means the accreditation is not restricted by sector.
    """

    id: str
    certification_body_id: str
    accreditation_body: AccreditationBodyFact
    accreditation_number: str
    standard_code: str
    sectors: tuple[int, ...]
    valid_from: date
    valid_until: date | None
    status_events: tuple[StatusEvent, ...] = ()


@dataclass(frozen=True, slots=True)
class CertificateFact:
    """A certificate with everything the checks read."""

    id: str
    certificate_number: str
    number_key: str
    certification_body: CertificationBodyFact
    standard: StandardFact
    organization_name: str
    organization_country: str | None
    organization_aliases: tuple[str, ...]
    scope: str
    sectors: tuple[int, ...]
    sites: tuple[SiteFact, ...]
    issue_date: date
    expiry_date: date
    original_issue_date: date | None = None
    status_events: tuple[StatusEvent, ...] = ()
    confidential: bool = False


@dataclass(frozen=True, slots=True)
class Claims:
    """What the asker claims about the certificate (all optional)."""

    organization: str | None = None
    standard: str | None = None
    scope: str | None = None
    country: str | None = None


@dataclass(frozen=True, slots=True)
class VerificationRequest:
    """A verification question, as understood.

    `certification_body_in_registry`: True/False when the asker named a CB (resolved or not),
    None when no CB was named. `certificate_number` is as queried.
    """

    certificate_number: str
    as_of: date
    claims: Claims = Claims()
    certification_body_named: str | None = None
    certification_body_in_registry: bool | None = None


@dataclass(frozen=True, slots=True)
class CheckResult:
    """One check's outcome with a plain-language message and machine-readable details."""

    code: CheckCode
    outcome: Outcome
    message: str
    details: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class VerificationResult:
    """The engine's answer: verdict, summary, every check, warnings, and what was found."""

    verdict: Verdict
    summary: str
    checks: tuple[CheckResult, ...]
    warnings: tuple[str, ...]
    certificate: CertificateFact | None
    accreditation: AccreditationFact | None
    candidates: tuple[CertificateFact, ...] = ()
    certificate_status: Status | None = None
