"""Shared field types and the list envelope."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

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


def _scalar_kinds(annotation: Any) -> set[Any]:
    """The date/datetime/bool types an annotation admits (through Optional and unions)."""
    if annotation in (date, datetime, bool):
        return {annotation}
    return {k for arg in get_args(annotation) for k in _scalar_kinds(arg)}


def reject_numeric_timestamp(value: Any) -> Any:
    """Timestamps are written RFC 3339 / ISO 8601, never as numbers (no Unix-time guessing)."""
    if isinstance(value, bool | int | float) or (
        isinstance(value, str) and value.strip().lstrip("+-").replace(".", "", 1).isdigit()
    ):
        raise ValueError("must be a date-time such as 2026-11-26T10:00:00Z")
    return value


class Strict(BaseModel):
    """Request bodies reject unknown fields so typos are reported, not ignored; dates and booleans
    must be written as such (no 0 taken for 1970-01-01 or for false)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_lax_scalars(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None or info.field_name is None:
            return value
        kinds = _scalar_kinds(cls.model_fields[info.field_name].annotation)
        if bool in kinds and not isinstance(value, bool):
            raise ValueError("must be true or false")
        if kinds & {date, datetime} and isinstance(value, bool | int | float):
            raise ValueError("must be a date written YYYY-MM-DD")
        return value


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
