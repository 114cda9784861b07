"""Verification request and response (API.md, Verification)."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from app.domain.facts import CheckCode, Outcome, Status, Verdict
from app.schemas import examples
from app.schemas.common import (
    AccreditationBodyRef,
    BodyRef,
    Country,
    MultiLine,
    SingleLine,
    Strict,
)


def _has_alnum(value: str) -> str:
    if not any(ch.isalnum() for ch in value):
        raise ValueError("must contain at least one letter or digit")
    return value


CertificateNumber = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100),
    AfterValidator(_has_alnum),
    SingleLine,
]


class VerificationRequestIn(Strict):
    """What to verify: a certificate number plus optional claims and a date."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.VERIFICATION_REQUEST]})

    certificate_number: CertificateNumber = Field(
        description="As printed; matched on a normalised key (upper case, letters and digits only)."
    )
    certification_body: Annotated[str, StringConstraints(max_length=300), SingleLine] | None = (
        Field(default=None, description="The issuing CB's id, acronym or name.")
    )
    accreditation_body: Annotated[str, StringConstraints(max_length=300), SingleLine] | None = (
        Field(
            default=None,
            description="The accreditation body printed on the certificate, by its full name "
            '(an acronym alone identifies no body for certain: "SAC" is Singapore\'s, Saudi '
            "Arabia's and a look-alike's). Checked in `chain` when the certificate is not found.",
        )
    )
    organization: Annotated[str, StringConstraints(max_length=300), SingleLine] | None = Field(
        default=None, description="The organisation claimed to hold the certificate."
    )
    standard: Annotated[str, StringConstraints(max_length=60), SingleLine] | None = Field(
        default=None, description='Claimed standard, with or without edition: "ISO 9001:2015".'
    )
    scope: Annotated[str, StringConstraints(max_length=500), MultiLine] | None = Field(
        default=None, description="Claimed activity, checked against the certified scope."
    )
    country: Country | None = Field(
        default=None,
        description='Claimed site country: alpha-2, alpha-3 or an English name ("UK" = GB); '
        "understood as its alpha-2 code.",
    )
    as_of: date | None = Field(default=None, description="Date to verify on; default today (UTC).")


class CheckRead(BaseModel):
    """One check's outcome."""

    code: CheckCode = Field(description="The check, in the order checks run (DESIGN.md).")
    outcome: Outcome
    message: str = Field(description="What was found, in plain language.")
    details: dict[str, Any] = Field(
        default_factory=dict,
        description=(
            "Machine-readable facts behind the message, per check. `certificate_found` on "
            "`not_found`: `certification_body_in_registry` (the named CB has at least one public "
            "certificate here; null when none was named), `certification_body_recognised` (the "
            "named CB resolved to a CB of this registry; null when none was named) and "
            "`same_number_elsewhere` (the public certificates with this number at other CBs: "
            "`{id, certificate_number, certification_body: {id, name, acronym}}`); when found, "
            "`certification_body_recognised` too (false: the answer is about the certificate the "
            "number finds, with a warning). `standard_edition`: `transition_deadline`, "
            "`transition_deadline_earliest` and `transition_deadline_disputed` (sources disagree: "
            "warn until the latest date), `transition_rule_source`. `ab_recognition`: "
            "`in_mla_scope`, `arrangement` (IAF MLA up to 2025-12-31, Global ACI MRA from "
            "2026-01-01). `standard_match`: `claimed_code` and `claimed_edition` as read. "
            "`document_*` (a document's verification): `field`, `document` and `registry` (the "
            "two values compared), `confidence` and `page` of the claim read."
        ),
    )


class OrganizationBrief(BaseModel):
    """The certified entity."""

    name: str
    country: str | None = None


class SiteRead(BaseModel):
    """A certified site."""

    name: str | None = None
    address: str | None = None
    country: str


class VerifiedCertificate(BaseModel):
    """The certificate as found, with its status at `as_of`."""

    id: uuid.UUID
    certificate_number: str
    standard: str
    organization: OrganizationBrief
    scope: str
    sectors: list[int]
    sites: list[SiteRead]
    issue_date: date
    expiry_date: date
    original_issue_date: date | None
    effective_expiry_date: date = Field(
        description="Printed expiry or the edition's transition deadline, whichever is earlier."
    )
    status: Status | None = Field(description="Status at `as_of`.")


class AccreditationBrief(BaseModel):
    """The accreditation the verdict relied on."""

    id: uuid.UUID
    accreditation_number: str
    standard: str
    sectors: list[int]
    status: Status | None = Field(description="Status at `as_of`.")
    valid_from: date
    valid_until: date | None


class Candidate(BaseModel):
    """A certificate that matched an ambiguous number."""

    id: uuid.UUID
    certificate_number: str
    certification_body: BodyRef
    organization: OrganizationBrief


class ResolvedBody(BaseModel):
    """How the named certification body was understood."""

    given: str
    resolved: BodyRef | None


class QueryEcho(BaseModel):
    """The inputs as understood, so the receipt proves what was asked."""

    certificate_number: str
    number_key: str
    certification_body: ResolvedBody | None
    accreditation_body: str | None = Field(
        default=None, description="The accreditation body as named, when one was."
    )
    organization: str | None
    standard: str | None
    scope: str | None
    country: str | None
    as_of: date


class ChainAccreditationBody(BaseModel):
    """The named accreditation body, judged from reference data (app/domain/chain.py)."""

    named: str | None = Field(description="As named; null when none was.")
    recognised: bool | None = Field(
        description="An MLA signatory for the standard on `as_of` (the engine's recognition "
        "rule); null when that cannot be told: not in the reference data, no standard named, "
        "outside the MLA's scope, or not confirmed by the shipped (incomplete) scopes."
    )
    lookalike: bool = Field(
        description="A known look-alike of the sourced list, matched on its full name and "
        "country, never on an acronym alone."
    )
    message: str = Field(description="What was found, in words, with the source.")


class ChainCertificationBody(BaseModel):
    """The named certification body, judged from the registry's bodies and accreditations."""

    named: str | None = Field(description="As named; null when none was.")
    known: bool = Field(description="The name resolves to a certification body of this registry.")
    accredited_for_standard: bool | None = Field(
        description="Accredited for the standard on `as_of` by the named accreditation body (by "
        "a recognised one when none was named); null when that cannot be told."
    )
    message: str = Field(description="What was found, in words.")


class ChainRead(BaseModel):
    """The chain section (API.md): checked from reference data when the registry has no
    record of the certificate."""

    accreditation_body: ChainAccreditationBody
    certification_body: ChainCertificationBody


class VerificationRead(BaseModel):
    """A verification: verdict first, every check explained, and a signed receipt."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.VERIFICATION]})

    verification_id: uuid.UUID
    checked_at: datetime
    as_of: date
    verdict: Verdict = Field(
        description="The first failure in precedence order (DESIGN.md), else `valid`."
    )
    summary: str
    checks: list[CheckRead]
    warnings: list[str]
    certificate: VerifiedCertificate | None
    certification_body: BodyRef | None
    accreditation: AccreditationBrief | None
    accreditation_body: AccreditationBodyRef | None
    candidates: list[Candidate]
    query: QueryEcho
    chain: ChainRead | None = Field(
        default=None,
        description="What reference data says about the accreditation body and certification "
        "body named (typed or read from a document), when the registry has no record: present "
        "on every `not_found` that named either, null otherwise (for a found certificate the "
        "`cb_accreditation` and `ab_recognition` checks judge the chain from the registry's "
        "own records).",
    )
    receipt: str = Field(description="Compact JWS (Ed25519) over a digest of this response.")
