"""Webhook delivery from the outbox: at least once, leased, retried with backoff, recorded.

- dispatch: each undelivered outbox event becomes one delivery per subscribed endpoint.
- claim: due deliveries are leased (locked_until) in their own transaction, so a worker that
  dies mid-delivery only delays them until the lease ends; another run then delivers them.
- attempt: one HTTP POST per delivery (Standard Webhooks headers), outside any transaction;
  the outcome is recorded in a new transaction: success, or a retry at
  base * 2^(n-1) (capped) scaled by a random factor in [0.5, 1) (jitter), until
  `webhook_max_attempts`; then the delivery is given up and the endpoint disabled with the reason
  (audited as `webhook.disable` by the system).
"""

from __future__ import annotations

import ipaddress
import json
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from sqlalchemy.orm import Session, sessionmaker

from app.config import get_settings
from app.errors import NotFound
from app.models import DeliveryAttempt, OutboxEvent, WebhookDelivery, WebhookEndpoint
from app.repositories.deliveries import due_deliveries, get_delivery
from app.repositories.outbox import get_outbox_event, undispatched_events
from app.repositories.webhooks import endpoints_of_keys, get_endpoint
from app.services.audit import record_audit
from app.services.auth import Principal
from app.services.integration.webhooks import (
    Resolver,
    UnsafeUrl,
    disable_endpoint,
    signature_header,
    system_resolver,
    vet_url,
)

USER_AGENT = "certverify-webhooks/1"


@dataclass
class RunStats:
    """What one worker pass did."""

    dispatched: int = 0
    attempted: int = 0
    succeeded: int = 0
    failed: int = 0


def backoff(attempts: int, rng: random.Random) -> timedelta:
    """Delay before the next attempt after `attempts` failures: exponential, capped, jittered."""
    settings = get_settings()
    base = min(
        settings.webhook_retry_base_seconds * 2 ** (attempts - 1),
        settings.webhook_retry_max_seconds,
    )
    return timedelta(seconds=base * (0.5 + rng.random() / 2))


def dispatch(session: Session, *, now: datetime, limit: int = 500) -> int:
    """Fan undispatched outbox events out to the owner's subscribed endpoints."""
    events = undispatched_events(session, limit=limit)
    if not events:
        return 0
    endpoints = endpoints_of_keys(session, {e.api_key_id for e in events})
    for event in events:
        for endpoint in endpoints:
            if endpoint.api_key_id != event.api_key_id:
                continue
            if endpoint.events and event.event_type not in endpoint.events:
                continue
            session.add(
                WebhookDelivery(
                    endpoint_id=endpoint.id,
                    event_id=event.id,
                    status="pending",
                    next_attempt_at=now,
                )
            )
        event.dispatched_at = now
    session.flush()
    return len(events)


def claim_due(session: Session, *, now: datetime, limit: int = 50) -> list[uuid.UUID]:
    """Lease due deliveries of enabled endpoints; the caller commits before delivering."""
    due = due_deliveries(session, now=now, limit=limit)
    for delivery in due:
        delivery.locked_until = now + timedelta(seconds=get_settings().webhook_lease_seconds)
    session.flush()
    return [d.id for d in due]


def _target(url: str, addresses: list[str]) -> tuple[str, dict[str, str], dict[str, Any]]:
    """Connect to the vetted address itself (no second DNS lookup), keeping Host and TLS SNI."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    try:
        ipaddress.ip_address(host)
        return url, {}, {}
    except ValueError:
        pass
    ip = addresses[0]
    literal = f"[{ip}]" if ":" in ip else ip
    netloc = f"{literal}:{parts.port}" if parts.port else literal
    pinned = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
    host_header = f"{host}:{parts.port}" if parts.port else host
    return pinned, {"Host": host_header}, {"sni_hostname": host}


def send(
    endpoint: WebhookEndpoint,
    event: OutboxEvent,
    *,
    client: httpx.Client,
    resolver: Resolver,
) -> tuple[int | None, str | None, int]:
    """POST one event; returns (HTTP status or None, error or None, duration in ms)."""
    settings = get_settings()
    body = json.dumps(event.payload, separators=(",", ":"), ensure_ascii=False).encode()
    webhook_id = str(event.id)
    timestamp = int(time.time())
    started = time.perf_counter()
    try:
        addresses = vet_url(
            endpoint.url, allow_insecure=settings.webhook_allow_insecure, resolver=resolver
        )
        url, extra_headers, extensions = _target(endpoint.url, addresses)
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            "webhook-id": webhook_id,
            "webhook-timestamp": str(timestamp),
            "webhook-signature": signature_header(endpoint, webhook_id, timestamp, body),
            **extra_headers,
        }
        with client.stream(
            "POST", url, content=body, headers=headers, extensions=extensions
        ) as response:
            received = 0
            for chunk in response.iter_bytes():
                received += len(chunk)
                if received >= settings.webhook_max_response_bytes:
                    break
            status = response.status_code
        elapsed = int((time.perf_counter() - started) * 1000)
        if 200 <= status < 300:
            return status, None, elapsed
        return status, f"HTTP {status}", elapsed
    except UnsafeUrl as exc:
        return None, f"refused: {exc}", int((time.perf_counter() - started) * 1000)
    except httpx.HTTPError as exc:
        kind = type(exc).__name__
        return None, f"{kind}: {exc}"[:500], int((time.perf_counter() - started) * 1000)


def record_attempt(
    session: Session,
    delivery: WebhookDelivery,
    endpoint: WebhookEndpoint,
    *,
    status: int | None,
    error: str | None,
    duration_ms: int,
    now: datetime,
    rng: random.Random,
) -> bool:
    """Record an attempt and decide what comes next; True when delivered."""
    settings = get_settings()
    session.add(
        DeliveryAttempt(
            delivery_id=delivery.id,
            attempted_at=now,
            status_code=status,
            error=error,
            duration_ms=duration_ms,
        )
    )
    delivery.attempts += 1
    delivery.last_attempt_at = now
    delivery.last_status_code = status
    delivery.last_error = error
    delivery.locked_until = None
    if error is None:
        delivery.status = "succeeded"
        delivery.delivered_at = now
        return True
    if delivery.attempts >= settings.webhook_max_attempts:
        delivery.status = "failed"
        disable_endpoint(
            session,
            endpoint,
            f"delivery {delivery.id} failed {delivery.attempts} times since "
            f"{delivery.created_at.isoformat()}; last error: {error}",
            now,
        )
        return False
    delivery.next_attempt_at = now + backoff(delivery.attempts, rng)
    return False


def run_once(
    factory: sessionmaker[Session],
    *,
    now: Callable[[], datetime],
    rng: random.Random | None = None,
    client: httpx.Client | None = None,
    resolver: Resolver = system_resolver,
) -> RunStats:
    """One worker pass: dispatch the outbox, then attempt every due delivery."""
    rng = rng or random.Random()
    stats = RunStats()
    with factory() as session, session.begin():
        stats.dispatched = dispatch(session, now=now())
    with factory() as session, session.begin():
        claimed = claim_due(session, now=now())
    if not claimed:
        return stats
    settings = get_settings()
    own_client = client is None
    http = client or httpx.Client(
        timeout=settings.webhook_timeout_seconds, follow_redirects=False, trust_env=False
    )
    try:
        for delivery_id in claimed:
            with factory() as session:
                delivery = get_delivery(session, delivery_id)
                if delivery is None:
                    continue
                endpoint = get_endpoint(session, delivery.endpoint_id)
                event = get_outbox_event(session, delivery.event_id)
                assert endpoint is not None and event is not None
                session.expunge_all()
            status, error, duration = send(endpoint, event, client=http, resolver=resolver)
            with factory() as session, session.begin():
                delivery = get_delivery(session, delivery_id)
                endpoint = get_endpoint(session, delivery.endpoint_id) if delivery else None
                if delivery is None or endpoint is None:
                    continue
                ok = record_attempt(
                    session,
                    delivery,
                    endpoint,
                    status=status,
                    error=error,
                    duration_ms=duration,
                    now=now(),
                    rng=rng,
                )
            stats.attempted += 1
            stats.succeeded += int(ok)
            stats.failed += int(not ok)
    finally:
        if own_client:
            http.close()
    return stats


def delivery_snapshot(delivery: WebhookDelivery) -> dict[str, Any]:
    """The audited fields of a delivery."""
    return {
        "webhook_id": delivery.endpoint_id,
        "event_id": delivery.event_id,
        "status": delivery.status,
        "attempts": delivery.attempts,
        "next_attempt_at": delivery.next_attempt_at,
    }


def replay(
    session: Session, delivery: WebhookDelivery, *, principal: Principal, now: datetime
) -> None:
    """Send a delivery again (same webhook-id, so receivers can de-duplicate); audited."""
    before = delivery_snapshot(delivery)
    delivery.status = "pending"
    delivery.attempts = 0
    delivery.next_attempt_at = now
    delivery.locked_until = None
    record_audit(
        session,
        principal=principal,
        action="delivery.replay",
        target_type="webhook_delivery",
        target_id=delivery.id,
        before=before,
        after=delivery_snapshot(delivery),
    )


def replay_endpoint_delivery(
    session: Session,
    *,
    principal: Principal,
    endpoint_id: uuid.UUID,
    delivery_id: uuid.UUID,
    now: datetime,
) -> None:
    """Send one of the endpoint's deliveries again (see replay); 404 when it has no such one.
    The caller has checked that the endpoint is the principal's."""
    delivery = get_delivery(session, delivery_id)
    if delivery is None or delivery.endpoint_id != endpoint_id:
        raise NotFound(f"No delivery with id {delivery_id} for this endpoint.")
    replay(session, delivery, principal=principal, now=now)
    session.flush()
