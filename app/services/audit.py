"""Record every write in the audit trail, with the key, role, action, target, before and after."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.orm import Session

from app.http.middleware import current_request_id
from app.models import AuditEvent
from app.repositories.audit import audit_events

if TYPE_CHECKING:  # app.services.auth records its own writes here: no import cycle at run time
    from app.services.auth import Principal


class SystemActor(enum.StrEnum):
    """Who wrote when no API key did; stored as the event's `actor_role`, with no key id.

    - `cli`: an operator at the `certverify` command line (keys create/revoke).
    - `system`: the service itself, on its own decision (the delivery worker disabling an
      endpoint after repeated failures).
    """

    CLI = "cli"
    SYSTEM = "system"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    return value


def record_audit(
    session: Session,
    *,
    principal: Principal | SystemActor,
    action: str,
    target_type: str,
    target_id: uuid.UUID | str | None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add one audit event to the caller's transaction (it commits or rolls back with the write).

    The actor is the calling key (its id and role) or, for writes no key made, a `SystemActor`
    (key id None, role "cli" or "system"). Never pass secrets in `before` or `after`.
    """
    actor_key_id: uuid.UUID | None
    actor_role: str | None
    if isinstance(principal, SystemActor):
        actor_key_id, actor_role = None, principal.value
    else:
        actor_key_id = principal.key_id
        actor_role = principal.role.value if principal.role else None
    event = AuditEvent(
        actor_key_id=actor_key_id,
        actor_role=actor_role,
        action=action,
        target_type=target_type,
        target_id=str(target_id) if target_id is not None else None,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        request_id=current_request_id.get(),
    )
    session.add(event)
    return event


def audit_row(
    *,
    actor_key_id: uuid.UUID | None,
    actor_role: str | None,
    action: str,
    target_type: str,
    target_id: str | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    occurred_at: datetime,
) -> dict[str, Any]:
    """A plain row for bulk inserts of audit events (the engine's JSON serializer handles dates)."""
    return {
        "id": uuid.uuid4(),
        "occurred_at": occurred_at,
        "actor_key_id": actor_key_id,
        "actor_role": actor_role,
        "action": action,
        "target_type": target_type,
        "target_id": target_id,
        "before": before,
        "after": after,
        "request_id": current_request_id.get(),
    }


@dataclass(frozen=True, slots=True)
class AuditFilters:
    """Filters of GET /v1/audit-events."""

    action: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    actor_key_id: uuid.UUID | None = None
    since: datetime | None = None
    until: datetime | None = None


def list_audit_events(
    session: Session, *, filters: AuditFilters, offset: int, limit: int
) -> Sequence[AuditEvent]:
    """Audit events matching the filters, newest first."""
    return audit_events(
        session,
        action=filters.action,
        target_type=filters.target_type,
        target_id=filters.target_id,
        actor_key_id=filters.actor_key_id,
        since=filters.since,
        until=filters.until,
        offset=offset,
        limit=limit,
    )
