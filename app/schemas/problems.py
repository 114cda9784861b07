"""RFC 9457 problem objects as the OpenAPI document describes them (app/errors.py makes them:
`problem_body` is the one place their bodies are built)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from pydantic.json_schema import SkipJsonSchema

from app.schemas import examples


class ProblemFieldError(BaseModel):
    """One invalid field or parameter, named by JSON pointer."""

    pointer: str = Field(
        description="JSON pointer to the field, relative to the whole request body; for a "
        "parameter, `/` and its name.",
        examples=["/items/3/as_of"],
    )
    detail: str = Field(description="Why the value is refused.")
    parameter: str | SkipJsonSchema[None] = Field(
        default=None, description="For a query, path or header parameter: its name."
    )
    location: Literal["query", "path", "header"] | SkipJsonSchema[None] = Field(
        default=None, description="For a parameter: where it was sent."
    )


class _ProblemFields(BaseModel):
    """The members every problem has (RFC 9457 §3.1), plus the service's `errors`."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(
        description="Relative URI `/problems/{slug}`, a page that explains the problem.",
        examples=["/problems/validation-error"],
    )
    title: str = Field(examples=["Validation error"])
    status: int = Field(ge=400, le=599, examples=[422])
    detail: str
    errors: list[ProblemFieldError] | SkipJsonSchema[None] = Field(
        default=None, description="For validation errors: each invalid field by JSON pointer."
    )


class Problem(_ProblemFields):
    """An RFC 9457 problem (`application/problem+json`): every error the service answers.
    Extension members may follow (an import's `report`)."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.PROBLEM]})

    instance: str | SkipJsonSchema[None] = Field(
        default=None, description="The path that was requested."
    )
    request_id: str | None = Field(
        description="Also in the X-Request-ID header; quote it to the operator."
    )


class BatchItemProblem(_ProblemFields):
    """In a batch's `results`, in place of an item that failed validation (the other items
    still run): status 422, `errors` with pointers relative to the whole request. It has no
    other members, so a client tells it from a verification by `verdict` alone."""

    model_config = ConfigDict(extra="forbid")

    status: Literal[422] = Field(examples=[422])
    errors: list[ProblemFieldError] = Field(description="Each invalid field of the item.")
