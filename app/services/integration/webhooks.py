"""Webhook endpoints: SSRF-safe URLs, Standard Webhooks secrets and signatures, CRUD."""

from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import secrets
import socket
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy.orm import Session

from app import clock
from app.config import get_settings
from app.errors import NotFound, ValidationProblem
from app.models import WebhookEndpoint
from app.repositories.webhooks import endpoints_of_key, get_endpoint
from app.services.audit import SystemActor, record_audit
from app.services.auth import Principal, Role

EVENT_TYPES = ("certificate.verdict_changed", "certificate.expiring")
PREVIOUS_SECRET_GRACE = timedelta(hours=24)
Resolver = Callable[[str, int], Sequence[str]]


class UnsafeUrl(ValueError):
    """A webhook URL that could be used to reach internal networks, or is otherwise refused."""


def system_resolver(host: str, port: int) -> list[str]:
    """Every address `host` resolves to."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return sorted({str(info[4][0]) for info in infos})


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or (isinstance(ip, ipaddress.IPv4Address) and ip in ipaddress.ip_network("100.64.0.0/10"))
    )


def vet_url(url: str, *, allow_insecure: bool, resolver: Resolver = system_resolver) -> list[str]:
    """Check a webhook URL and return the addresses it may be delivered to.

    https only, no credentials in the URL, and every address the host resolves to must be
    public: private, loopback, link-local (cloud metadata), multicast, reserved and CGNAT ranges
    are refused so the service cannot probe internal networks. `allow_insecure` (configuration,
    for tests and closed networks) allows http and those addresses.
    """
    parts = urlsplit(url)
    if parts.scheme not in {"https", "http"}:
        raise UnsafeUrl(f"scheme {parts.scheme or '(none)'!r} is not allowed; use https")
    if parts.scheme == "http" and not allow_insecure:
        raise UnsafeUrl("webhook URLs must use https")
    if parts.username or parts.password:
        raise UnsafeUrl("credentials in the URL are not allowed")
    host = parts.hostname
    if not host:
        raise UnsafeUrl("the URL has no host")
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise UnsafeUrl("the URL's port is not valid") from exc
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            addresses = list(resolver(host, port))
        except OSError as exc:
            raise UnsafeUrl(f"the host {host!r} does not resolve") from exc
    if not addresses:
        raise UnsafeUrl(f"the host {host!r} does not resolve")
    if not allow_insecure:
        blocked = [a for a in addresses if not _is_public(a)]
        if blocked:
            raise UnsafeUrl(
                f"the host {host!r} resolves to a private, loopback, link-local or reserved "
                f"address ({blocked[0]}); webhooks may only target public addresses"
            )
    return addresses


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
        "api_key_id": endpoint.api_key_id,
        "url": endpoint.url,
        "events": list(endpoint.events or []),
        "enabled": endpoint.enabled,
        "disabled_at": endpoint.disabled_at,
        "disabled_reason": endpoint.disabled_reason,
        "previous_secret_until": endpoint.previous_secret_until,
        "deleted_at": endpoint.deleted_at,
    }


def _owner_check(principal: Principal) -> uuid.UUID:
    principal.require(Role.CLIENT, Role.ADMIN)
    assert principal.key_id is not None
    return principal.key_id


def create_endpoint(
    session: Session, *, principal: Principal, url: str, events: list[str]
) -> WebhookEndpoint:
    """Register an endpoint (client or admin key); its secret is returned once."""
    owner = _owner_check(principal)
    try:
        vet_url(url, allow_insecure=get_settings().webhook_allow_insecure)
    except UnsafeUrl as exc:
        raise ValidationProblem.field("/url", str(exc)) from exc
    endpoint = WebhookEndpoint(
        api_key_id=owner, url=url, events=sorted(set(events)), secret=new_secret()
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


def list_endpoints(session: Session, *, principal: Principal) -> Sequence[WebhookEndpoint]:
    """The caller's endpoints (not deleted)."""
    owner = _owner_check(principal)
    return endpoints_of_key(session, owner)


def owned_endpoint(
    session: Session, *, principal: Principal, endpoint_id: uuid.UUID
) -> WebhookEndpoint:
    """The caller's endpoint, or 404 (another client's endpoints are not revealed)."""
    owner = _owner_check(principal)
    endpoint = get_endpoint(session, endpoint_id)
    if (
        endpoint is None
        or endpoint.deleted_at is not None
        or (endpoint.api_key_id != owner and not principal.is_admin)
    ):
        raise NotFound(f"No webhook endpoint with id {endpoint_id}.")
    return endpoint


def delete_endpoint(session: Session, *, principal: Principal, endpoint_id: uuid.UUID) -> None:
    """Stop delivering to an endpoint (kept for the delivery history)."""
    endpoint = owned_endpoint(session, principal=principal, endpoint_id=endpoint_id)
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
