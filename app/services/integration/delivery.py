"""Webhook delivery from the outbox: at least once, leased, retried with backoff, recorded,
and isolated between clients (issue 14).

- dispatch: each undelivered outbox event of an active client becomes one delivery per
  subscribed endpoint of that client (a stopped client's events wait, undispatched).
- claim: fair and bounded. Each endpoint offers only its oldest due delivery, and none while one
  of its deliveries is in flight (at most one per endpoint, on every worker); the offers are
  taken round-robin across clients, at most `webhook_client_concurrency` of one client in flight
  across workers, into the free slots of the worker (`webhook_concurrency`). Claimed deliveries
  are leased (locked_until) for `lease_seconds()`, longer than the worst case of one attempt, in
  their own transaction; the worker renews the leases of what it is still sending, so no other
  worker takes them, while a worker that dies only delays them until the lease ends.
- attempt: one HTTP POST per delivery (Standard Webhooks headers), outside any transaction, on
  one of the worker's threads; the scheduler records each as soon as it ends and claims the
  next delivery into its slot, so a slow endpoint holds one slot, never a batch. The outcome is
  recorded in a new transaction: success, or a retry at base * 2^(n-1) (capped) scaled by a
  random factor in [0.5, 1) (jitter), until `webhook_max_attempts`; then the delivery is given up
  and the endpoint disabled with the reason (audited as `webhook.disable` by the system).
- only an active client (not disabled, a key not revoked) is dispatched to and claimed for:
  revoking its last key or disabling it stops its deliveries at the next claim.

The database is only used by the thread that drives the scheduler (sessions are not shared
between threads); the pool's threads only send.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import random
import time
import uuid
from collections import Counter
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
from sqlalchemy.orm import Session, sessionmaker

from app.config import get_settings
from app.errors import Conflict, NotFound
from app.models import DeliveryAttempt, OutboxEvent, WebhookDelivery, WebhookEndpoint
from app.repositories.deliveries import (
    Claimable,
    endpoint_heads,
    get_delivery,
    in_flight_by_client,
    lease_delivery,
    renew_leases,
    undispatched_events_of_active_clients,
)
from app.repositories.outbox import get_outbox_event
from app.repositories.webhooks import endpoints_of_clients, get_endpoint
from app.services.audit import record_audit
from app.services.auth import Principal
from app.services.integration.url_guard import attempt_error
from app.services.integration.webhooks import (
    Resolver,
    UnsafeUrl,
    disable_endpoint,
    signature_header,
    system_resolver,
    vet_url,
)

USER_AGENT = "certverify-webhooks/1"
LEASE_RECORDING_SECONDS = 10.0
"""Time a lease leaves, beyond the attempt itself, to record its outcome."""
log = logging.getLogger("certverify.worker")
SendResult = tuple[int | None, str | None, int]


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
    """Fan undispatched outbox events of active clients out to their subscribed endpoints."""
    events = undispatched_events_of_active_clients(session, limit=limit)
    if not events:
        return 0
    endpoints = endpoints_of_clients(session, {e.client_id for e in events})
    for event in events:
        for endpoint in endpoints:
            if endpoint.client_id != event.client_id:
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


def lease_seconds() -> float:
    """How long a claimed delivery is held: the configured lease, but never less than the worst
    case of one attempt (resolving the host, connecting, sending and reading the answer may
    each take the timeout: four of them) plus time to record it. A claim takes only what starts
    at once, so one attempt is the worst case of the batch a claim makes."""
    settings = get_settings()
    worst_case = 4 * settings.webhook_timeout_seconds + LEASE_RECORDING_SECONDS
    return max(settings.webhook_lease_seconds, worst_case)


def _round_robin(heads: list[Claimable], served: Counter[uuid.UUID]) -> list[Claimable]:
    """Round-robin over clients, then over each client's endpoints: the client served least so
    far first, and within a client its endpoint served least (`served` counts earlier claims of
    both; ties go to the oldest due delivery, the order of `heads`). Each client's first
    endpoint, then each client's second, and so on: an endpoint with a long queue, or a client
    with many endpoints, takes turns like the others."""
    by_client: dict[uuid.UUID, list[Claimable]] = {}
    for head in heads:
        by_client.setdefault(head.client_id, []).append(head)
    queues = [
        sorted(queue, key=lambda h: served[h.endpoint_id])
        for client_id, queue in sorted(by_client.items(), key=lambda item: served[item[0]])
    ]
    depth = max((len(q) for q in queues), default=0)
    return [q[rank] for rank in range(depth) for q in queues if rank < len(q)]


def claim_due(
    session: Session,
    *,
    now: datetime,
    limit: int = 50,
    served: Counter[uuid.UUID] | None = None,
) -> list[Claimable]:
    """Lease up to `limit` due deliveries, fairly (one per endpoint, none of an endpoint with
    one in flight, round-robin across clients and endpoints by `served`, which this counts the
    claims into; at most `webhook_client_concurrency` of a client in flight on all workers); the
    caller commits before sending."""
    settings = get_settings()
    served = Counter() if served is None else served
    heads = endpoint_heads(
        session, now=now, limit=max(200, limit * settings.webhook_max_endpoints_per_client)
    )
    if not heads:
        return []
    in_flight = Counter(in_flight_by_client(session, now=now))
    until = now + timedelta(seconds=lease_seconds())
    claimed: list[Claimable] = []
    for head in _round_robin(heads, served):
        if len(claimed) >= limit:
            break
        if in_flight[head.client_id] >= settings.webhook_client_concurrency:
            continue
        if lease_delivery(session, head.delivery_id, now=now, until=until):
            claimed.append(head)
            in_flight[head.client_id] += 1
            served[head.client_id] += 1
            served[head.endpoint_id] += 1
    return claimed


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
            endpoint.url,
            allow_insecure=settings.webhook_allow_insecure,
            resolver=resolver,
            owner=str(endpoint.client_id),
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
                if time.perf_counter() - started > settings.webhook_timeout_seconds:
                    break  # a trickling answer holds its slot no longer (lease_seconds)
            status = response.status_code
        elapsed = int((time.perf_counter() - started) * 1000)
        if 200 <= status < 300:
            return status, None, elapsed
        return status, f"HTTP {status}", elapsed
    except UnsafeUrl as exc:
        return None, f"refused: {exc}", int((time.perf_counter() - started) * 1000)
    except httpx.HTTPError as exc:
        return None, attempt_error(exc), int((time.perf_counter() - started) * 1000)


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


@dataclass(frozen=True, slots=True)
class _Job:
    """A delivery being sent: what to record its outcome against."""

    delivery_id: uuid.UUID
    endpoint_id: uuid.UUID
    client_id: uuid.UUID


class DeliveryScheduler:
    """Sends due deliveries on `webhook_concurrency` threads, claiming fairly into each slot as
    it frees (see the module docstring); the thread that calls it does every database read and
    write. `pump()` is one step of the worker's loop; `drain()` runs until nothing is due."""

    def __init__(
        self,
        factory: sessionmaker[Session],
        *,
        now: Callable[[], datetime],
        rng: random.Random | None = None,
        client: httpx.Client | None = None,
        resolver: Resolver = system_resolver,
    ) -> None:
        settings = get_settings()
        self.factory = factory
        self.now = now
        self.rng = rng or random.Random()
        self.resolver = resolver
        self.slots = settings.webhook_concurrency
        self._own_client = client is None
        self.http = client or httpx.Client(
            timeout=settings.webhook_timeout_seconds,
            follow_redirects=False,
            trust_env=False,
            limits=httpx.Limits(max_connections=self.slots, max_keepalive_connections=self.slots),
        )
        self.pool = ThreadPoolExecutor(max_workers=self.slots, thread_name_prefix="webhook")
        self.in_flight: dict[Future[SendResult], _Job] = {}
        self.served: Counter[uuid.UUID] = Counter()  # claims per client and endpoint: turns
        self._renewed_at = now()

    def __enter__(self) -> DeliveryScheduler:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def pump(self, *, wait_seconds: float) -> RunStats:
        """Record the sends that ended, dispatch the outbox, claim into the free slots, then
        wait up to `wait_seconds` for a send to end and record it."""
        stats = RunStats()
        self._record_finished(stats, timeout=0)
        with self.factory() as session, session.begin():
            stats.dispatched = dispatch(session, now=self.now())
        self._fill()
        self._renew_leases()
        if self.in_flight and wait_seconds > 0:
            self._record_finished(stats, timeout=wait_seconds)
        return stats

    def drain(self) -> RunStats:
        """Dispatch, then send until nothing is due or in flight, claiming into each slot as a
        send ends (`run_once`, `certverify worker --once`)."""
        stats = RunStats()
        with self.factory() as session, session.begin():
            stats.dispatched = dispatch(session, now=self.now())
        while True:
            self._fill()
            if not self.in_flight:
                return stats
            self._record_finished(stats, timeout=None)
            self._renew_leases()

    def close(self) -> RunStats:
        """Wait for the sends in flight and record them, then stop the threads."""
        stats = RunStats()
        try:
            while self.in_flight:
                self._record_finished(stats, timeout=None)
        finally:
            self.pool.shutdown(wait=True)
            if self._own_client:
                self.http.close()
        return stats

    def _fill(self) -> None:
        """Claim due deliveries into the free slots and start sending them."""
        free = self.slots - len(self.in_flight)
        if free <= 0:
            return
        started: list[tuple[_Job, WebhookEndpoint, OutboxEvent]] = []
        with self.factory() as session, session.begin():
            for claim in claim_due(session, now=self.now(), limit=free, served=self.served):
                delivery = get_delivery(session, claim.delivery_id)
                endpoint = get_endpoint(session, claim.endpoint_id)
                event = get_outbox_event(session, delivery.event_id) if delivery else None
                assert endpoint is not None and event is not None
                job = _Job(claim.delivery_id, claim.endpoint_id, claim.client_id)
                started.append((job, endpoint, event))
            session.expunge_all()  # read on the sending threads, detached from this session
        if started and not self.in_flight:
            self._renewed_at = self.now()
        for job, endpoint, event in started:
            future = self.pool.submit(
                send, endpoint, event, client=self.http, resolver=self.resolver
            )
            self.in_flight[future] = job

    def _record_finished(self, stats: RunStats, *, timeout: float | None) -> None:
        """Record every send that has ended, waiting up to `timeout` for the first one."""
        if not self.in_flight:
            return
        done, _ = wait(list(self.in_flight), timeout=timeout, return_when=FIRST_COMPLETED)
        for future in done:
            job = self.in_flight.pop(future)
            try:
                status, error, duration = future.result()
            except Exception:  # send() answers for what HTTP raises; anything else is a bug
                log.exception("sending delivery %s failed", job.delivery_id)
                status, error, duration = None, "internal error while sending", 0
            ok = self._record(job, status=status, error=error, duration_ms=duration)
            if ok is None:
                continue
            stats.attempted += 1
            stats.succeeded += int(ok)
            stats.failed += int(not ok)

    def _record(
        self, job: _Job, *, status: int | None, error: str | None, duration_ms: int
    ) -> bool | None:
        """Record one attempt in its own transaction (None: the delivery is gone)."""
        with self.factory() as session, session.begin():
            delivery = get_delivery(session, job.delivery_id)
            endpoint = get_endpoint(session, job.endpoint_id) if delivery else None
            if delivery is None or endpoint is None:
                return None
            return record_attempt(
                session,
                delivery,
                endpoint,
                status=status,
                error=error,
                duration_ms=duration_ms,
                now=self.now(),
                rng=self.rng,
            )

    def _renew_leases(self) -> None:
        """Every third of a lease (by the scheduler's clock), hold what is still being sent for
        a whole lease again: a send that outlasts the lease is never taken by another worker."""
        lease = timedelta(seconds=lease_seconds())
        now = self.now()
        if not self.in_flight or now - self._renewed_at < lease / 3:
            return
        with self.factory() as session, session.begin():
            renew_leases(
                session, [job.delivery_id for job in self.in_flight.values()], until=now + lease
            )
        self._renewed_at = now


def run_once(
    factory: sessionmaker[Session],
    *,
    now: Callable[[], datetime],
    rng: random.Random | None = None,
    client: httpx.Client | None = None,
    resolver: Resolver = system_resolver,
) -> RunStats:
    """One full pass: dispatch the outbox, then send every due delivery (fairly, up to
    `webhook_concurrency` at once) until none is due or in flight."""
    with DeliveryScheduler(
        factory, now=now, rng=rng, client=client, resolver=resolver
    ) as scheduler:
        return scheduler.drain()


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
    """Send a delivery again (same webhook-id, so receivers can de-duplicate); audited.

    409 while it is being sent (its lease runs): clearing the lease would let a second worker
    send it at the same time, outside the one-in-flight-per-endpoint and per-client limits."""
    if delivery.locked_until is not None and delivery.locked_until > now:
        raise Conflict("The delivery is being sent; replay it once this attempt has ended.")
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
