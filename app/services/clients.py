"""Clients: who holds keys and owns watches, webhook endpoints and deliveries (issue 14).

A client is active while it is not disabled and holds a key that is not revoked. Only an
active client's watches are re-evaluated and its deliveries dispatched and claimed
(app/repositories/keys.py `client_is_active`); revoking its last key or disabling it stops
them at once, and an admin can still list and delete what it owns. Keys are made and revoked
in app/services/auth.py; every write here is audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from app import clock
from app.errors import Forbidden, NotFound
from app.models import ApiKey, Client
from app.repositories.keys import (
    client_of_key,
    clients,
    get_client,
    holdings_of_clients,
    keys_of_clients,
)
from app.services.audit import SystemActor, record_audit
from app.services.auth import Principal, Role, client_snapshot


def owner_of(principal: Principal) -> uuid.UUID:
    """The client that owns what the caller makes (client or admin keys; 401/403 otherwise)."""
    principal.require(Role.CLIENT, Role.ADMIN)
    assert principal.client_id is not None
    return principal.client_id


def listed_client(principal: Principal, client_id: uuid.UUID | None) -> uuid.UUID:
    """Whose resources a list shows: the caller's own, or any client's for an admin (the
    `client_id` filter); another client's for anyone else is 403 (OWASP API5, BFLA)."""
    owner = owner_of(principal)
    if client_id is None or client_id == owner:
        return owner
    if not principal.is_admin:
        raise Forbidden("Only an admin key may list or delete another client's resources.")
    return client_id


@dataclass(frozen=True, slots=True)
class ClientView:
    """A client with its keys (oldest first) and what it owns."""

    client: Client
    keys: list[ApiKey]
    watches: int
    webhooks: int

    @property
    def active_keys(self) -> int:
        """Keys not revoked."""
        return sum(1 for k in self.keys if k.revoked_at is None)

    @property
    def active(self) -> bool:
        """Whether its watches are evaluated and its webhooks delivered."""
        return self.client.disabled_at is None and self.active_keys > 0


def _views(session: Session, rows: Sequence[Client]) -> list[ClientView]:
    ids = [c.id for c in rows]
    keys = keys_of_clients(session, ids)
    holdings = holdings_of_clients(session, ids)
    return [
        ClientView(c, keys[c.id], holdings[c.id].watches, holdings[c.id].webhooks) for c in rows
    ]


def list_clients(
    session: Session,
    *,
    principal: Principal | SystemActor,
    kind: str | None = None,
    body_id: uuid.UUID | None = None,
    offset: int,
    limit: int | None,
) -> list[ClientView]:
    """Clients, oldest first, with their keys and holdings (admin, or the command line)."""
    if isinstance(principal, Principal):
        principal.require(Role.ADMIN)
    return _views(session, clients(session, kind=kind, body_id=body_id, offset=offset, limit=limit))


def client_view(
    session: Session, *, principal: Principal | SystemActor, client_id: uuid.UUID
) -> ClientView:
    """One client with its keys and holdings, or 404 (admin, or the command line)."""
    if isinstance(principal, Principal):
        principal.require(Role.ADMIN)
    client = get_client(session, client_id)
    if client is None:
        raise NotFound(f"No client with id {client_id}.")
    return _views(session, [client])[0]


def _set_disabled(
    session: Session,
    *,
    principal: Principal | SystemActor,
    client_id: uuid.UUID,
    disabled_at: datetime | None,
    action: str,
) -> ClientView:
    if isinstance(principal, Principal):
        principal.require(Role.ADMIN)
    client = get_client(session, client_id, for_update=True)
    if client is None:
        raise NotFound(f"No client with id {client_id}.")
    if (client.disabled_at is None) != (disabled_at is None):
        before = client_snapshot(client)
        client.disabled_at = disabled_at
        session.flush()
        record_audit(
            session,
            principal=principal,
            action=action,
            target_type="client",
            target_id=client.id,
            before=before,
            after=client_snapshot(client),
        )
    return _views(session, [client])[0]


def disable_client(
    session: Session, *, principal: Principal | SystemActor, client_id: uuid.UUID
) -> ClientView:
    """Disable a client: its keys are refused (401) and its watches and deliveries stop at
    once; audited as `client.disable` (a disabled client is left as it is, unrecorded)."""
    return _set_disabled(
        session,
        principal=principal,
        client_id=client_id,
        disabled_at=clock.now(),
        action="client.disable",
    )


def enable_client(
    session: Session, *, principal: Principal | SystemActor, client_id: uuid.UUID
) -> ClientView:
    """Enable a disabled client again: its keys that are not revoked work, its watches and
    paused deliveries resume; audited as `client.enable`."""
    return _set_disabled(
        session, principal=principal, client_id=client_id, disabled_at=None, action="client.enable"
    )


def made_by_caller(session: Session, *, principal: Principal, api_key_id: uuid.UUID) -> bool:
    """Whether something made with the key `api_key_id` (a stored verification) is the
    caller's: made by any key of the caller's client, so it survives a rotation (an admin:
    anyone's)."""
    if principal.key_id is None:
        return False
    if principal.is_admin:
        return True
    return principal.client_id is not None and client_of_key(session, api_key_id) == (
        principal.client_id
    )
