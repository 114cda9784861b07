"""Certificate requests and responses."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

from app.schemas.common import (
    BodyRef,
    Country,
    MultiLine,
    SectorList,
    ShortText,
    SingleLine,
    Strict,
)
from app.schemas.registry import StatusEventRead, StatusValue
from app.schemas.verification import CertificateNumber

LongText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=5000), MultiLine]
Lei = Annotated[
    str, StringConstraints(strip_whitespace=True, pattern=r"^[A-Za-z0-9]{20}$"), SingleLine
]
Vat = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=2, max_length=40), SingleLine
]
StandardLabel = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=60), SingleLine
]


class Identifiers(Strict):
    """Registry identifiers of the certified entity."""

    lei: Lei | None = None
    vat: Vat | None = None


class OrganizationIn(Strict):
    """The certified entity as printed on the certificate."""

    name: ShortText
    country: Country | None = None
    aliases: list[ShortText] = Field(default_factory=list, max_length=50)
    identifiers: Identifiers = Field(default_factory=Identifiers)


class SiteIn(Strict):
    """A site within the scope (ISO/IEC 17021-1 §8.2.2 a)."""

    name: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=300), SingleLine] | None
    ) = None
    # A postal address may span lines, so it is free text (MultiLine); a site name is one line.
    address: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=1000), MultiLine] | None
    ) = None
    country: Country


class CertificateCreate(Strict):
    """A new certificate (admin, or the issuing CB's key)."""

    certificate_number: CertificateNumber
    certification_body_id: uuid.UUID | None = Field(
        default=None, description="Defaults to the CB a certification_body key is bound to."
    )
    organization: OrganizationIn
    standard: StandardLabel = Field(description='Standard and edition: "ISO 9001:2015".')
    scope: LongText = ""
    sectors: SectorList = Field(default_factory=list)
    sites: list[SiteIn] = Field(default_factory=list, max_length=500)
    original_issue_date: date | None = None
    issue_date: date
    expiry_date: date
    confidential: bool = False
    status: StatusValue = Field(default="active", description="Status effective from issue_date.")


class CertificateUpdate(Strict):
    """Changes to a certificate; every change is recorded in its history."""

    certificate_number: CertificateNumber | None = None
    organization: OrganizationIn | None = None
    standard: StandardLabel | None = None
    scope: LongText | None = None
    sectors: SectorList | None = None
    sites: list[SiteIn] | None = Field(default=None, max_length=500)
    original_issue_date: date | None = None
    issue_date: date | None = None
    expiry_date: date | None = None
    confidential: bool | None = None


class OrganizationStated(Strict):
    """The parts of the certified entity a file row states (the others are kept)."""

    name: ShortText | None = None
    country: Country | None = None
    aliases: list[ShortText] | None = Field(default=None, max_length=50)
    identifiers: Identifiers | None = None


class CertificateStated(CertificateUpdate):
    """What one import row states: any fields, the organisation part by part. A new certificate
    must still state what CertificateCreate requires (checked by app/domain/changes.py)."""

    organization: OrganizationStated | None = None  # type: ignore[assignment]


class OrganizationRead(BaseModel):
    """The certified entity."""

    name: str
    country: str | None
    aliases: list[str]
    identifiers: dict[str, str | None]


class SiteOut(BaseModel):
    """A certified site."""

    name: str | None
    address: str | None
    country: str


class CertificateRead(BaseModel):
    """A certificate with its status today and its status history."""

    id: uuid.UUID
    certificate_number: str
    number_key: str
    certification_body: BodyRef
    organization: OrganizationRead
    standard: str
    scope: str
    sectors: list[int]
    sites: list[SiteOut]
    original_issue_date: date | None
    issue_date: date
    expiry_date: date
    confidential: bool
    status: str | None = Field(description="Status today (UTC).")
    status_history: list[StatusEventRead]
    created_at: datetime
    updated_at: datetime


class Actor(BaseModel):
    """Who made a change: its role for everyone; the key id only for admins and for the
    certificate's own CB (its own keys' changes)."""

    key_id: uuid.UUID | None = Field(
        description="The API key's id: shown to admins, and to the certificate's own CB for the "
        "changes its keys made; null for everyone else (and for the command line or seed)."
    )
    role: str | None = Field(
        description="The role the change was made with (`admin`, `certification_body`); the "
        "command line acts as `admin` without a key id. Null when not recorded."
    )


class HistoryEntry(BaseModel):
    """One recorded change of a certificate."""

    kind: Literal["status", "field"]
    recorded_at: datetime
    actor: Actor
    field: str | None = None
    before: Any = None
    after: Any = None
    status: str | None = None
    effective_from: date | None = None
    reason: str | None = None


class CertificateHistory(BaseModel):
    """Every recorded change of a certificate, oldest first."""

    certificate_id: uuid.UUID
    items: list[HistoryEntry]
