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
    """The checks, in the order they run (DESIGN.md): the engine's, then, for a verification of
    a document (POST /v1/documents/verify), the document's claims against the registry's
    certificate (app/domain/document_checks.py, in this order: what identifies the certificate,
    the chain printed, the holder, what is certified, then the dates)."""

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
    DOCUMENT_CERTIFICATE_NUMBER = "document_certificate_number"
    DOCUMENT_CERTIFICATION_BODY = "document_certification_body"
    DOCUMENT_ACCREDITATION_BODY = "document_accreditation_body"
    DOCUMENT_ORGANIZATION = "document_organization"
    DOCUMENT_IDENTITY = "document_identity"
    DOCUMENT_STANDARD = "document_standard"
    DOCUMENT_SCOPE = "document_scope"
    DOCUMENT_COUNTRIES = "document_countries"
    DOCUMENT_SITES = "document_sites"
    DOCUMENT_ISSUE_DATE = "document_issue_date"
    DOCUMENT_ORIGINAL_ISSUE_DATE = "document_original_issue_date"
    DOCUMENT_EXPIRY_DATE = "document_expiry_date"


ENGINE_CHECKS: tuple[CheckCode, ...] = tuple(
    code for code in CheckCode if not code.value.startswith("document_")
)
"""The checks every verification runs (DESIGN.md's table); the `document_*` checks run only
for a document."""
DOCUMENT_CHECKS: tuple[CheckCode, ...] = tuple(
    code for code in CheckCode if code.value.startswith("document_")
)
"""The checks of a document's claims, in the order they run, after the engine's."""


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
    """A standard edition as certified, e.g. code "ISO 9001", edition "2015".

    `transition_deadline` is the latest deadline an authoritative source gives;
    `transition_deadline_earliest`, when set, the earliest one where sources disagree (the days
    after it up to the latest are disputed). `transition_rule_source` is the decision that set
    the deadline ("IAF MD 26"), `transition_sources` the sourced text behind the dates.
    `in_mla_scope` False: the standard is outside the MLA's management-system scope, so MLA
    recognition is not expected (DESIGN.md, "Recognition scope").
    """

    code: str
    edition: str
    transition_deadline: date | None = None
    superseded_by: str | None = None
    transition_deadline_earliest: date | None = None
    transition_rule_source: str | None = None
    transition_sources: str | None = None
    in_mla_scope: bool = True

    @property
    def label(self) -> str:
        """The standard as printed on certificates: "ISO 9001:2015"."""
        return f"{self.code}:{self.edition}"


@dataclass(frozen=True, slots=True)
class RecognitionArrangement:
    """The arrangement under which ABs are recognised during a period (inclusive; None = open),
    e.g. the IAF MLA up to 2025-12-31, the Global ACI MRA from 2026-01-01 (DESIGN.md). Shipped
    as reference data; `short_name` is how messages say it."""

    name: str
    short_name: str
    valid_from: date | None = None
    valid_until: date | None = None
    source: str | None = None

    def covers(self, day: date) -> bool:
        """True when `day` lies within the arrangement's period."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


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
    publishes: bool | None = None
    """Whether it has at least one public certificate in this registry (DESIGN.md): filled
    when the CB was named in a request, None where it was not looked up."""


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

    `certification_body_recognised`: whether a named CB resolved to a CB of this registry
    (None when no CB was named). `certification_body_in_registry`: whether the named CB has at
    least one public certificate here (False when it was not recognised; None when no CB was
    named). `certification_body_name`: the resolved CB's name. `elsewhere`: the public
    certificates with the queried number at other CBs than the named one (a copied number).
    `certificate_number` is as queried. `recognition_arrangements`:
    the shipped arrangements by date, so that messages name the one in force at `as_of`
    (none given: messages say "MLA recognition").
    """

    certificate_number: str
    as_of: date
    claims: Claims = Claims()
    certification_body_named: str | None = None
    certification_body_in_registry: bool | None = None
    certification_body_recognised: bool | None = None
    certification_body_name: str | None = None
    elsewhere: tuple[CertificateFact, ...] = ()
    recognition_arrangements: tuple[RecognitionArrangement, ...] = ()


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
