"""Audit trail responses."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel


class AuditEventRead(BaseModel):
    """One recorded write."""

    id: uuid.UUID
    occurred_at: datetime
    actor_key_id: uuid.UUID | None
    actor_role: str | None
    action: str
    target_type: str
    target_id: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None
    request_id: str | None
