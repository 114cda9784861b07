"""Batch verification, watches and webhooks (API.md, Registry writes: watches and webhooks)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    HttpUrl,
    StringConstraints,
    Tag,
    model_validator,
)

from app.domain.facts import Verdict
from app.schemas import examples
from app.schemas.common import SingleLine, Strict
from app.schemas.problems import BatchItemProblem
from app.schemas.verification import VerificationRead, VerificationRequestIn

EventType = Literal["certificate.verdict_changed", "certificate.expiring"]


def _all_events() -> list[EventType]:
    return ["certificate.verdict_changed", "certificate.expiring"]


MAX_BATCH_ITEMS = 10_000
"""The most items one batch may have (API.md); more is a 422 for the whole request."""


class BatchRequest(BaseModel):
    """Up to 10,000 verifications; each item has the fields of POST /v1/verifications.

    Documents the body only: the batch reads it itself (services/verification/batch.py), so that
    each item is validated on its own and a bad one gets a problem in its place."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.BATCH_REQUEST]})

    items: list[VerificationRequestIn] = Field(
        max_length=MAX_BATCH_ITEMS,
        description="Each item is validated on its own; a bad item gets a problem in its place.",
    )


def _result_kind(result: Any) -> str:
    """Which of the two a batch result is: a verification has a `verification_id`."""
    if isinstance(result, dict):
        return "verification" if "verification_id" in result else "problem"
    return "verification" if isinstance(result, VerificationRead) else "problem"


BatchResult = Annotated[
    Annotated[VerificationRead, Tag("verification")] | Annotated[BatchItemProblem, Tag("problem")],
    Discriminator(_result_kind),
]
"""One item's answer: a verification, or the problem of an item that failed validation (no
wire field tells them apart, so the schema is a `oneOf`: a verification always has
`verification_id` and `verdict`, a problem `type` and `status`)."""


class BatchResponse(BaseModel):
    """One result per item, in input order: a verification or a problem object."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.BATCH_RESPONSE]})

    results: list[BatchResult]


class WebhookCreate(Strict):
    """A webhook endpoint to receive events (https; private addresses are refused)."""

    url: HttpUrl = Field(description="https URL of a public host.")
    events: list[EventType] = Field(
        default_factory=_all_events,
        min_length=1,
        max_length=2,
    )


class WebhookRead(BaseModel):
    """A webhook endpoint; `secret` appears only when created or rotated."""

    id: uuid.UUID
    url: str
    events: list[str]
    enabled: bool
    disabled_at: datetime | None
    disabled_reason: str | None = Field(description="Why delivery stopped, when it did.")
    created_at: datetime
    secret: str | None = Field(
        default=None, description="Standard Webhooks secret (whsec_...), shown once."
    )


class DeliveryAttemptRead(BaseModel):
    """One HTTP attempt."""

    attempted_at: datetime
    status_code: int | None
    error: str | None
    duration_ms: int


class DeliveryRead(BaseModel):
    """A delivery of one event to one endpoint, with every attempt."""

    id: uuid.UUID
    event_id: uuid.UUID = Field(description="Sent as webhook-id; stable across retries.")
    event_type: str
    status: Literal["pending", "succeeded", "failed"]
    attempts: int
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    last_status_code: int | None
    last_error: str | None
    created_at: datetime
    attempt_log: list[DeliveryAttemptRead]


class WatchCreate(Strict):
    """Watch a certificate by id, or by number and certification body."""

    certificate_id: uuid.UUID | None = None
    certificate_number: (
        Annotated[str, StringConstraints(min_length=1, max_length=100), SingleLine] | None
    ) = None
    certification_body: (
        Annotated[str, StringConstraints(min_length=1, max_length=300), SingleLine] | None
    ) = None

    @model_validator(mode="after")
    def _one_way(self) -> WatchCreate:
        by_number = self.certificate_number is not None or self.certification_body is not None
        if (self.certificate_id is None) == (not by_number):
            raise ValueError(
                "give either certificate_id, or certificate_number and certification_body"
            )
        if by_number and (self.certificate_number is None or self.certification_body is None):
            raise ValueError("certificate_number and certification_body go together")
        return self


class WatchRead(BaseModel):
    """A watch with the verdict last seen."""

    id: uuid.UUID
    certificate_id: uuid.UUID
    created_at: datetime
    last_verdict: Verdict | None
    last_evaluated_at: datetime | None
