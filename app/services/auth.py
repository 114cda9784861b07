"""API keys and the clients that hold them: creation (shown once), hashed storage,
constant-time authentication.

A key belongs to a client (a CB, an AB, an admin or an API client account; app/models/auth.py):
resources are owned by the client, so a client rotates keys with overlap and keeps its watches
and webhooks; a disabled client's keys are refused (issue 14)."""

from __future__ import annotations

import enum
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy.orm import Session

from app import clock
from app.errors import Forbidden, Unauthorized
from app.models import ApiKey, Client
from app.repositories.bodies import get_accreditation_body, get_certification_body
from app.repositories.keys import api_key_by_prefix, client_of_body, get_api_key, get_client
from app.services.audit import SystemActor, record_audit

KEY_PREFIX = "cvk"
LAST_USED_RESOLUTION = timedelta(seconds=60)


class Role(enum.StrEnum):
    """API key roles (API.md, Conventions)."""

    ADMIN = "admin"
    ACCREDITATION_BODY = "accreditation_body"
    CERTIFICATION_BODY = "certification_body"
    CLIENT = "client"


BOUND_ROLES = {Role.ACCREDITATION_BODY, Role.CERTIFICATION_BODY}


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: anonymous (key_id None) or an API key with a role and binding, held by
    a client (`client_id`), which owns what the key makes."""

    key_id: uuid.UUID | None = None
    role: Role | None = None
    body_id: uuid.UUID | None = None
    client_id: uuid.UUID | None = None

    @property
    def is_admin(self) -> bool:
        """True for admin keys."""
        return self.role is Role.ADMIN

    def require(self, *roles: Role) -> None:
        """Raise 401 when anonymous, 403 when the role is not among `roles`."""
        if self.role is None:
            raise Unauthorized("This operation needs an API key: send Authorization: Bearer <key>.")
        if self.role not in roles:
            allowed = ", ".join(r.value for r in roles)
            raise Forbidden(f"A {self.role.value} key cannot do this; it needs one of: {allowed}.")

    def acts_for_certification_body(self, certification_body_id: uuid.UUID) -> bool:
        """True when the key may write this CB's certificates (admin, or the CB's own key)."""
        return self.is_admin or (
            self.role is Role.CERTIFICATION_BODY and self.body_id == certification_body_id
        )

    def acts_for_accreditation_body(self, accreditation_body_id: uuid.UUID) -> bool:
        """True when the key may write this AB's accreditations (admin, or the AB's own key)."""
        return self.is_admin or (
            self.role is Role.ACCREDITATION_BODY and self.body_id == accreditation_body_id
        )


ANONYMOUS = Principal()


def _hash(prefix: str, secret: str) -> str:
    """Per-key salted digest: the prefix is unique per key, the secret has 256 bits of entropy."""
    return hashlib.sha256(f"{prefix}:{secret}".encode()).hexdigest()


def key_snapshot(key: ApiKey) -> dict[str, Any]:
    """The audited fields of a key: what identifies it, never its secret or hash."""
    return {
        "prefix": key.prefix,
        "name": key.name,
        "role": key.role,
        "body_id": key.body_id,
        "client_id": key.client_id,
        "revoked_at": key.revoked_at,
    }


def client_snapshot(client: Client) -> dict[str, Any]:
    """The audited fields of a client."""
    return {
        "kind": client.kind,
        "name": client.name,
        "body_id": client.body_id,
        "disabled_at": client.disabled_at,
    }


def _body_name(session: Session, role: Role, body_id: uuid.UUID) -> str | None:
    """The name of the AB or CB a bound key's client stands for."""
    lookup = get_accreditation_body if role is Role.ACCREDITATION_BODY else get_certification_body
    body = lookup(session, body_id)
    return body.name if body is not None else None


def client_for_new_key(
    session: Session,
    *,
    role: Role,
    body_id: uuid.UUID | None,
    name: str | None,
    client_id: uuid.UUID | None,
    actor: Principal | SystemActor,
) -> Client:
    """The client a new key joins: the one named (its kind must be the role, its body the
    binding), else the body's own client for a bound role (made when it has none), else a new
    client account. A new client is audited as `client.create`; a disabled one takes no key."""
    if client_id is not None:
        client = get_client(session, client_id)
        if client is None:
            raise ValueError(f"no client {client_id}")
        if client.kind != role.value:
            raise ValueError(
                f"client {client_id} is a {client.kind} client: its keys are {client.kind} keys"
            )
        if body_id is not None and body_id != client.body_id:
            raise ValueError(f"client {client_id} is bound to {client.body_id}, not {body_id}")
    elif body_id is not None:
        client = client_of_body(session, kind=role.value, body_id=body_id)
    else:
        client = None
    if client is not None:
        if client.disabled_at is not None:
            raise ValueError(
                f"client {client.id} is disabled (certverify clients enable {client.id})"
            )
        return client
    default = _body_name(session, role, body_id) if body_id is not None else None
    client = Client(
        kind=role.value, name=(default or name or f"{role.value} client")[:300], body_id=body_id
    )
    session.add(client)
    session.flush()
    record_audit(
        session,
        principal=actor,
        action="client.create",
        target_type="client",
        target_id=client.id,
        after=client_snapshot(client),
    )
    return client


def create_api_key(
    session: Session,
    *,
    role: Role,
    body_id: uuid.UUID | None,
    name: str | None,
    actor: Principal | SystemActor = SystemActor.CLI,
    client_id: uuid.UUID | None = None,
) -> tuple[ApiKey, str]:
    """Create a key and return it with its plaintext, which is never stored or shown again.

    The key joins `client_id`, or the body's client, or a new client (client_for_new_key), and
    takes its binding. Audited as `api_key.create` by `actor`: keys are made at the command
    line (no API route creates them), hence the default.
    """
    if client_id is not None and body_id is None:
        named = get_client(session, client_id)
        body_id = named.body_id if named is not None else None
    if role in BOUND_ROLES and body_id is None:
        raise ValueError(f"a {role.value} key must be bound to a body (--body ID)")
    if role not in BOUND_ROLES and body_id is not None:
        raise ValueError(f"a {role.value} key cannot be bound to a body")
    client = client_for_new_key(
        session, role=role, body_id=body_id, name=name, client_id=client_id, actor=actor
    )
    prefix = secrets.token_hex(6)
    secret = secrets.token_urlsafe(32)
    key = ApiKey(
        client_id=client.id,
        prefix=prefix,
        secret_hash=_hash(prefix, secret),
        role=role.value,
        body_id=body_id,
        name=name,
    )
    session.add(key)
    session.flush()
    record_audit(
        session,
        principal=actor,
        action="api_key.create",
        target_type="api_key",
        target_id=key.id,
        after=key_snapshot(key),
    )
    return key, f"{KEY_PREFIX}_{prefix}_{secret}"


def authenticate(session: Session, token: str) -> Principal:
    """Resolve a presented key to a Principal, or raise 401 (unknown, malformed or revoked)."""
    parts = token.split("_", 2)
    if len(parts) != 3 or parts[0] != KEY_PREFIX:
        raise Unauthorized("The API key is malformed.")
    _, prefix, secret = parts
    key = api_key_by_prefix(session, prefix)
    expected = key.secret_hash if key is not None else _hash("x", "y")
    if not hmac.compare_digest(expected, _hash(prefix, secret)) or key is None:
        raise Unauthorized("The API key is not valid.")
    if key.revoked_at is not None:
        raise Unauthorized("The API key has been revoked.")
    if key.client.disabled_at is not None:
        raise Unauthorized("The API key's client has been disabled.")
    now = clock.now()
    if key.last_used_at is None or now - key.last_used_at > LAST_USED_RESOLUTION:
        key.last_used_at = now
    return Principal(
        key_id=key.id, role=Role(key.role), body_id=key.body_id, client_id=key.client_id
    )


def revoke_api_key(
    session: Session, key_id: uuid.UUID, *, actor: Principal | SystemActor = SystemActor.CLI
) -> bool:
    """Revoke a key; return False when no such key exists.

    Audited as `api_key.revoke` by `actor` (the command line by default); revoking a key that
    is already revoked changes nothing and records nothing. The client's other keys go on; once
    none is left, its watches and deliveries stop (app/repositories/keys.py client_is_active).
    """
    key = get_api_key(session, key_id)
    if key is None:
        return False
    if key.revoked_at is None:
        before = key_snapshot(key)
        key.revoked_at = clock.now()
        record_audit(
            session,
            principal=actor,
            action="api_key.revoke",
            target_type="api_key",
            target_id=key.id,
            before=before,
            after=key_snapshot(key),
        )
    return True
