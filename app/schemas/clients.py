"""Clients and their keys, for admins (issue 14: resources are owned by a client, not a key)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

ClientKind = Literal["admin", "accreditation_body", "certification_body", "client"]


class ApiKeyRead(BaseModel):
    """One key of a client: what identifies it, never its secret or hash."""

    id: uuid.UUID
    prefix: str = Field(description="The public part of the key: cvk_<prefix>_<secret>.")
    name: str | None
    role: ClientKind
    created_at: datetime
    revoked_at: datetime | None
    last_used_at: datetime | None = Field(description="To the minute.")


class ClientRead(BaseModel):
    """A client: who holds keys and owns watches, webhook endpoints and their deliveries."""

    id: uuid.UUID
    kind: ClientKind = Field(description="The role of every key it holds.")
    name: str
    body_id: uuid.UUID | None = Field(description="The AB or CB it is bound to (AB/CB kinds).")
    disabled_at: datetime | None
    created_at: datetime
    active: bool = Field(
        description="Not disabled and holds a key that is not revoked: only then are its "
        "watches re-evaluated and its webhooks delivered."
    )
    keys: list[ApiKeyRead] = Field(description="Its keys, oldest first, revoked ones included.")
    watches: int = Field(description="Its watches.")
    webhooks: int = Field(description="Its webhook endpoints that are not deleted.")


class Deleted(BaseModel):
    """What a bulk delete removed (each one is in the audit trail)."""

    deleted: int
