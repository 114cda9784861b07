"""Shared field types and the list envelope."""

from __future__ import annotations

import re
import uuid
from datetime import date, datetime
from typing import Annotated, Any, Generic, TypeVar, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationInfo,
    field_validator,
)

from app.domain.countries import country_code

T = TypeVar("T")

_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Unicode general category Cc (U+0000-U+001F, U+007F-U+009F: C0, DEL and C1) without the
layout characters tab, line feed and carriage return, which `_LAYOUT` finds."""
_LAYOUT = re.compile("[\t\n\r]")


def _control_character_error(value: str, *, multiline: bool) -> str | None:
    """Why `value` has a control character it must not have, or None when it has none."""
    found = _CONTROL.search(value)
    if found is not None:
        return (
            f"contains a control character (U+{ord(found.group()):04X}) at character "
            f"{found.start() + 1}; control characters are not allowed"
        )
    if multiline:
        return None
    inner = value.strip()
    found = _LAYOUT.search(inner)
    if found is None:
        return None
    start = len(value) - len(value.lstrip()) + found.start()
    return (
        f"contains a control character (U+{ord(found.group()):04X}) at character {start + 1}; "
        "tabs and line breaks are allowed only in free text such as a scope or a reason"
    )


def single_line(value: Any) -> Any:
    """Refuse control characters in a one-line value: numbers, names, codes (issue 11, part 5).

    Any character of Unicode general category Cc (U+0000-U+001F, U+007F-U+009F) is refused:
    PostgreSQL `text` and `jsonb` cannot store U+0000 (PostgreSQL manual, "Character Types"), and
    no certificate number, name or code contains one. Tab, line feed and carriage return around the
    value are whitespace and are trimmed (a number pasted with its line break still verifies);
    inside it they are refused. Runs before the type's own checks, so nothing is stripped first.
    """
    if isinstance(value, str) and (problem := _control_character_error(value, multiline=False)):
        raise ValueError(problem)
    return value


def multi_line(value: Any) -> Any:
    """Refuse control characters in free text (scope, status reason, site address) except tab,
    line feed and carriage return, which lay out text of several lines (issue 11, part 5).

    Every other character of Unicode general category Cc is refused, as in `single_line`.
    """
    if isinstance(value, str) and (problem := _control_character_error(value, multiline=True)):
        raise ValueError(problem)
    return value


SingleLine = BeforeValidator(single_line)
"""Annotated metadata: the value is one line without control characters (`single_line`)."""
MultiLine = BeforeValidator(multi_line)
"""Annotated metadata: free text without control characters but tabs and line breaks."""


Country = Annotated[str, AfterValidator(country_code), SingleLine]
"""A country as a person writes it (alpha-2, alpha-3, an English name or an alias such as "UK"),
stored and answered as its ISO 3166-1 alpha-2 code (app/domain/countries.py); anything else is a
422 naming the field."""
SectorCode = Annotated[int, Field(ge=1, le=39, description="IAF sector code (IAF ID 1), 1..39")]
ShortText = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300), SingleLine
]


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


_FIELD_KINDS: dict[tuple[type, str], set[Any]] = {}
"""(model, field) -> _scalar_kinds of its annotation (the import validates every row)."""


class Strict(BaseModel):
    """Request bodies reject unknown fields so typos are reported, not ignored; dates and booleans
    must be written as such (no 0 taken for 1970-01-01 or for false)."""

    model_config = ConfigDict(extra="forbid")

    @field_validator("*", mode="before")
    @classmethod
    def _no_lax_scalars(cls, value: Any, info: ValidationInfo) -> Any:
        if value is None or info.field_name is None:
            return value
        kinds = _FIELD_KINDS.get((cls, info.field_name))
        if kinds is None:  # a field's annotation never changes: walked once per field
            kinds = _scalar_kinds(cls.model_fields[info.field_name].annotation)
            _FIELD_KINDS[(cls, info.field_name)] = kinds
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
