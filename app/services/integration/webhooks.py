"""Webhook endpoints: SSRF-safe URLs, Standard Webhooks secrets and signatures, CRUD."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.orm import Session

from app import clock
from app.config import get_settings
from app.errors import Conflict, NotFound, ValidationProblem
from app.models import WebhookEndpoint
from app.repositories.keys import get_client
from app.repositories.webhooks import endpoint_count_of_client, endpoints_of_client, get_endpoint
from app.services.audit import SystemActor, record_audit
from app.services.auth import Principal, Role
from app.services.clients import listed_client, owner_of
from app.services.integration.url_guard import Resolver as Resolver
from app.services.integration.url_guard import UnsafeUrl as UnsafeUrl
from app.services.integration.url_guard import system_resolver as system_resolver
from app.services.integration.url_guard import vet_url as vet_url

EVENT_TYPES = ("certificate.verdict_changed", "certificate.expiring")
PREVIOUS_SECRET_GRACE = timedelta(hours=24)


def new_secret() -> str:
    """A Standard Webhooks secret: whsec_ + base64 of 32 random bytes."""
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


def sign(secret: str, webhook_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256>` over "id.timestamp.body" (Standard Webhooks)."""
    key = base64.b64decode(secret.removeprefix("whsec_"))
    message = f"{webhook_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, message, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def signature_header(
    endpoint: WebhookEndpoint, webhook_id: str, timestamp: int, body: bytes
) -> str:
    """Signatures with the current secret, and the previous one during a rotation's grace period."""
    sigs = [sign(endpoint.secret, webhook_id, timestamp, body)]
    if (
        endpoint.previous_secret
        and endpoint.previous_secret_until
        and endpoint.previous_secret_until > clock.now()
    ):
        sigs.append(sign(endpoint.previous_secret, webhook_id, timestamp, body))
    return " ".join(sigs)


def endpoint_snapshot(endpoint: WebhookEndpoint) -> dict[str, Any]:
    """The audited fields of an endpoint; never its secrets (only until when the previous one
    still signs)."""
    return {
        "client_id": endpoint.client_id,
        "url": endpoint.url,
        "events": list(endpoint.events or []),
        "enabled": endpoint.enabled,
        "disabled_at": endpoint.disabled_at,
        "disabled_reason": endpoint.disabled_reason,
        "previous_secret_until": endpoint.previous_secret_until,
        "deleted_at": endpoint.deleted_at,
    }


def _check_endpoint_cap(session: Session, client_id: uuid.UUID) -> None:
    """409 when the client already has as many endpoints as a client may (a setting): one
    client's endpoints share the workers with everyone's (issue 14, OWASP API4)."""
    cap = get_settings().webhook_max_endpoints_per_client
    get_client(session, client_id, for_update=True)  # concurrent creates count one at a time
    if endpoint_count_of_client(session, client_id) >= cap:
        detail = (
            f"this client already has {cap} webhook endpoints, the most allowed "
            "(CERTVERIFY_WEBHOOK_MAX_ENDPOINTS_PER_CLIENT); delete one first"
        )
        raise Conflict(f"url: {detail}", errors=[{"pointer": "/url", "detail": detail}])


def create_endpoint(
    session: Session, *, principal: Principal, url: str, events: list[str]
) -> WebhookEndpoint:
    """Register an endpoint for the caller's client (client or admin key); its secret is
    returned once. A client has at most `webhook_max_endpoints_per_client` of them."""
    owner = owner_of(principal)
    _check_endpoint_cap(session, owner)
    try:
        vet_url(url, allow_insecure=get_settings().webhook_allow_insecure, owner=str(owner))
    except UnsafeUrl as exc:
        raise ValidationProblem.field("/url", str(exc)) from exc
    endpoint = WebhookEndpoint(
        client_id=owner, url=url, events=sorted(set(events)), secret=new_secret()
    )
    session.add(endpoint)
    session.flush()
    record_audit(
        session,
        principal=principal,
        action="webhook.create",
        target_type="webhook",
        target_id=endpoint.id,
        after=endpoint_snapshot(endpoint),
    )
    return endpoint


def list_endpoints(
    session: Session, *, principal: Principal, client_id: uuid.UUID | None = None
) -> Sequence[WebhookEndpoint]:
    """The caller's client's endpoints (an admin: any client's), not deleted."""
    return endpoints_of_client(session, listed_client(principal, client_id))


def owned_endpoint(
    session: Session, *, principal: Principal, endpoint_id: uuid.UUID
) -> WebhookEndpoint:
    """The caller's client's endpoint (any for an admin), or 404 (another client's endpoints
    are not revealed)."""
    owner = owner_of(principal)
    endpoint = get_endpoint(session, endpoint_id)
    if (
        endpoint is None
        or endpoint.deleted_at is not None
        or (endpoint.client_id != owner and not principal.is_admin)
    ):
        raise NotFound(f"No webhook endpoint with id {endpoint_id}.")
    return endpoint


def delete_endpoint(session: Session, *, principal: Principal, endpoint_id: uuid.UUID) -> None:
    """Stop delivering to an endpoint (kept for the delivery history)."""
    endpoint = owned_endpoint(session, principal=principal, endpoint_id=endpoint_id)
    _delete(session, principal, endpoint)


def delete_endpoints_of_client(
    session: Session, *, principal: Principal, client_id: uuid.UUID
) -> int:
    """Delete every endpoint of a client (admin), each audited as `webhook.delete`: its pending
    deliveries are never sent; the number deleted."""
    principal.require(Role.ADMIN)
    endpoints = endpoints_of_client(session, client_id)
    for endpoint in endpoints:
        _delete(session, principal, endpoint)
    session.flush()
    return len(endpoints)


def _delete(session: Session, principal: Principal, endpoint: WebhookEndpoint) -> None:
    before = endpoint_snapshot(endpoint)
    endpoint.deleted_at = clock.now()
    endpoint.enabled = False
    record_audit(
        session,
        principal=principal,
        action="webhook.delete",
        target_type="webhook",
        target_id=endpoint.id,
        before=before,
        after=endpoint_snapshot(endpoint),
    )


def rotate_secret(session: Session, *, principal: Principal, endpoint_id: uuid.UUID) -> str:
    """A new secret (shown once); the previous one keeps signing for 24 hours alongside it."""
    endpoint = owned_endpoint(session, principal=principal, endpoint_id=endpoint_id)
    before = endpoint_snapshot(endpoint)
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_secret_until = clock.now() + PREVIOUS_SECRET_GRACE
    endpoint.secret = new_secret()
    record_audit(
        session,
        principal=principal,
        action="webhook.rotate_secret",
        target_type="webhook",
        target_id=endpoint.id,
        before=before,
        after=endpoint_snapshot(endpoint),
    )
    return endpoint.secret


def enable_endpoint(
    session: Session, *, principal: Principal, endpoint_id: uuid.UUID
) -> WebhookEndpoint:
    """Re-enable a disabled endpoint; its paused deliveries resume (an enabled one is left as it
    is, and nothing is recorded)."""
    endpoint = owned_endpoint(session, principal=principal, endpoint_id=endpoint_id)
    if endpoint.enabled:
        return endpoint
    before = endpoint_snapshot(endpoint)
    endpoint.enabled = True
    endpoint.disabled_at = None
    endpoint.disabled_reason = None
    record_audit(
        session,
        principal=principal,
        action="webhook.enable",
        target_type="webhook",
        target_id=endpoint.id,
        before=before,
        after=endpoint_snapshot(endpoint),
    )
    return endpoint


def disable_endpoint(
    session: Session, endpoint: WebhookEndpoint, reason: str, at: datetime
) -> None:
    """Stop delivering to a failing endpoint and say why; audited as the system's decision.

    An endpoint that is already disabled (or deleted) keeps the reason it was disabled for.
    """
    if not endpoint.enabled:
        return
    before = endpoint_snapshot(endpoint)
    endpoint.enabled = False
    endpoint.disabled_at = at
    endpoint.disabled_reason = reason
    record_audit(
        session,
        principal=SystemActor.SYSTEM,
        action="webhook.disable",
        target_type="webhook",
        target_id=endpoint.id,
        before=before,
        after=endpoint_snapshot(endpoint),
    )
