"""Shared field types and the list envelope."""

from __future__ import annotations

import uuid
from typing import Annotated, Generic, TypeVar

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

T = TypeVar("T")


def _country(value: str) -> str:
    value = value.strip().upper()
    if len(value) != 2 or not value.isascii() or not value.isalpha():
        raise ValueError("must be an ISO 3166-1 alpha-2 country code such as GB")
    return value


Country = Annotated[str, AfterValidator(_country)]
SectorCode = Annotated[int, Field(ge=1, le=39, description="IAF sector code (IAF ID 1), 1..39")]
ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]


def _unique_sorted(values: list[int]) -> list[int]:
    if len(set(values)) != len(values):
        raise ValueError("sector codes must not repeat")
    return sorted(values)


SectorList = Annotated[list[SectorCode], AfterValidator(_unique_sorted), Field(max_length=39)]


class Strict(BaseModel):
    """Request bodies reject unknown fields so typos are reported, not ignored."""

    model_config = ConfigDict(extra="forbid")


class Page(BaseModel, Generic[T]):
    """A page of a list; pass `next_page_token` as `page_token` for the next one."""

    items: list[T]
    next_page_token: str | None = Field(
        description="Opaque token of the next page; null on the last."
    )


class BodyRef(BaseModel):
    """A reference to a certification body."""

    id: uuid.UUID
    name: str
    acronym: str | None = None


class AccreditationBodyRef(BaseModel):
    """A reference to an accreditation body."""

    id: uuid.UUID
    acronym: str
    name: str
    economy: str | None = None
