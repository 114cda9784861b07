"""Standards, sectors, accreditation bodies, certification bodies and accreditations."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, StringConstraints

from app.domain.standards import standard_code_of
from app.schemas.common import (
    AccreditationBodyRef,
    Country,
    MultiLine,
    SectorList,
    ShortText,
    SingleLine,
    Strict,
)

Url = Annotated[str, StringConstraints(strip_whitespace=True, max_length=300), SingleLine]
Acronym = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=40), SingleLine
]


def _standard_code(value: str) -> str:
    """A standard named without edition, read by the one grammar (app/domain/standards.py)."""
    return standard_code_of(value)


StandardCode = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=3, max_length=40),
    AfterValidator(_standard_code),
    SingleLine,
]
StatusValue = Literal["active", "suspended", "withdrawn"]


class StandardRead(BaseModel):
    """A standard edition and its transition deadline."""

    id: uuid.UUID
    standard: str = Field(description='As printed: "ISO 9001:2015".')
    code: str
    edition: str
    title: str
    family: str | None
    status: str | None
    superseded_by: str | None
    transition_deadline: date | None = Field(
        description="Certificates to this edition are outdated from the next day (the latest "
        "date an authoritative source gives; the decision is transition_rule_source)."
    )
    transition_deadline_earliest: date | None = Field(
        description="Where sources disagree, the earliest deadline one gives: the days after "
        "it up to transition_deadline are disputed (a warning, never outdated_standard).",
    )
    transition_rule_source: str | None = Field(
        description='The decision that set the deadline, e.g. "IAF MD 26"; null when none is '
        "on record.",
    )
    in_mla_scope: bool = Field(
        description="Within the MLA's management-system scope; false: accreditation can be "
        "national only, so MLA recognition is not expected (ab_recognition warns).",
    )
    published: str | None = Field(
        description='Publication date as sourced: "YYYY-MM-DD", "YYYY-MM" or "YYYY"; null when '
        "unknown. Certificates issued before it, or to a draft, are refused.",
    )
    amendments: list[str] = Field(
        description="Amendments to the edition (not editions; no transition).",
    )
    uses_iaf_sectors: bool
    uncertain: bool
    source: str | None


class SectorRead(BaseModel):
    """An IAF sector code (IAF ID 1)."""

    code: int
    name: str
    nace_rev2: list[str]
    nace_uncertain: bool


class MlaScopeIn(Strict):
    """MLA recognition for one standard (code without edition)."""

    standard: StandardCode
    since: date | None = None
    until: date | None = None


class MlaScopeRead(BaseModel):
    """MLA recognition for one standard."""

    standard: str
    since: date | None
    until: date | None
    source: str | None = None


class AccreditationBodyCreate(Strict):
    """A new accreditation body (admin)."""

    acronym: Acronym
    name: ShortText
    economy: Country | None = None
    website: Url | None = None
    mla_scopes: list[MlaScopeIn] = Field(default_factory=list, max_length=100)
    mla_scopes_complete: bool = Field(
        default=True, description="False when the list is known to be incomplete."
    )


class AccreditationBodyUpdate(Strict):
    """Changes to an accreditation body (admin); `mla_scopes` replaces the list when given."""

    acronym: Acronym | None = None
    name: ShortText | None = None
    economy: Country | None = None
    website: Url | None = None
    mla_scopes: list[MlaScopeIn] | None = Field(default=None, max_length=100)
    mla_scopes_complete: bool | None = None


class AccreditationBodyRead(BaseModel):
    """An accreditation body with its MLA recognitions."""

    id: uuid.UUID
    acronym: str
    name: str
    economy: str | None
    economy_name: str | None
    region: str | None
    website: str | None
    mla_scopes: list[MlaScopeRead]
    mla_scopes_complete: bool
    reference_data: bool = Field(description="True when loaded from the shipped reference data.")
    uncertain: bool
    source: str | None
    created_at: datetime
    updated_at: datetime


class CertificationBodyCreate(Strict):
    """A new certification body (admin)."""

    name: ShortText
    acronym: Acronym | None = None
    aliases: list[ShortText] = Field(
        default_factory=list,
        max_length=50,
        description="Other names the CB is known by (former names, group names, "
        "translations), tried last when a CB is named (DESIGN.md, CB resolution).",
    )
    country: Country | None = None
    website: Url | None = None


class CertificationBodyUpdate(Strict):
    """Changes to a certification body (admin); `aliases` replaces the list when given."""

    name: ShortText | None = None
    acronym: Acronym | None = None
    aliases: list[ShortText] | None = Field(default=None, max_length=50)
    country: Country | None = None
    website: Url | None = None


class CertificationBodyRead(BaseModel):
    """A certification body."""

    id: uuid.UUID
    name: str
    acronym: str | None
    aliases: list[str]
    country: str | None
    website: str | None
    created_at: datetime
    updated_at: datetime


class StatusChange(Strict):
    """A dated status change; `effective_from` defaults to today, may be back- or future-dated."""

    status: StatusValue
    effective_from: date | None = None
    reason: Annotated[str, StringConstraints(max_length=1000), MultiLine] | None = None


class StatusEventRead(BaseModel):
    """One recorded status change."""

    status: str
    effective_from: date
    reason: str | None
    recorded_at: datetime


class AccreditationCreate(Strict):
    """A new accreditation of a CB for one standard (admin, or the accrediting AB's key)."""

    accreditation_body_id: uuid.UUID | None = Field(
        default=None, description="Defaults to the AB an accreditation_body key is bound to."
    )
    accreditation_number: ShortText
    standard: StandardCode
    sectors: SectorList = Field(
        default_factory=list, description="Empty: not restricted by sector."
    )
    valid_from: date
    valid_until: date | None = None


class AccreditationUpdate(Strict):
    """Changes to an accreditation's number, sectors or validity."""

    accreditation_number: ShortText | None = None
    sectors: SectorList | None = None
    valid_from: date | None = None
    valid_until: date | None = None


class AccreditationRead(BaseModel):
    """An accreditation with its status today and its status history."""

    id: uuid.UUID
    certification_body_id: uuid.UUID
    accreditation_body: AccreditationBodyRef
    accreditation_number: str
    standard: str
    sectors: list[int]
    valid_from: date
    valid_until: date | None
    status: str | None = Field(description="Status today (UTC).")
    status_history: list[StatusEventRead]
    created_at: datetime
    updated_at: datetime
