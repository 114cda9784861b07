"""Issue 14, part 3: one client can no longer stall everyone's webhooks.

Each worker sends several deliveries at once, at most one per endpoint and a bounded number per
client, taking endpoints and clients in turn; a claimed delivery is leased for longer than an
attempt can take, and renewed while it is still being sent. The receivers below are real HTTP
servers on loopback; the slow ones wait on events the fast ones set, so the assertions are about
order (what had arrived when a slow answer returned), never about speed."""

from __future__ import annotations

import random
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.config import get_settings
from app.models import WebhookDelivery
from app.services.integration.delivery import (
    DeliveryScheduler,
    claim_due,
    dispatch,
    lease_seconds,
    run_once,
)
from tests.factories import auth
from tests.integration.conftest import Receiver

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
HOLD_SECONDS = 6.0
"""How long a held answer waits for what it waits for before giving up (and the test failing)."""


@dataclass
class Gate:
    """A receiver whose answers to the paths in `held` wait until `opens` is set (at most
    HOLD_SECONDS); it records, per path, arrivals, overlapping requests, and whether each held
    answer saw the gate open."""

    url: str
    held: set[str] = field(default_factory=set)
    opens: threading.Event = field(default_factory=threading.Event)
    open_when: set[str] = field(default_factory=set)
    arrivals: list[str] = field(default_factory=list)
    released: list[bool] = field(default_factory=list)
    busy: dict[str, int] = field(default_factory=dict)
    most_at_once: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def path(self, name: str) -> str:
        """The URL of one of this receiver's endpoints."""
        return f"{self.url}/{name}"


@pytest.fixture
def gate() -> Iterator[Gate]:
    """A gated receiver on 127.0.0.1 (allowed with CERTVERIFY_WEBHOOK_ALLOW_INSECURE)."""
    state: dict[str, Gate] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            g = state["g"]
            self.rfile.read(int(self.headers.get("content-length", 0)))
            name = self.path.rsplit("/", 1)[-1]
            with g.lock:
                g.arrivals.append(name)
                g.busy[name] = g.busy.get(name, 0) + 1
                g.most_at_once[name] = max(g.most_at_once.get(name, 0), g.busy[name])
                if g.open_when and g.open_when <= set(g.arrivals):
                    g.opens.set()
            if name in g.held:
                released = g.opens.wait(HOLD_SECONDS)
                with g.lock:
                    g.released.append(released)
            with g.lock:
                g.busy[name] -= 1
            self.send_response(204)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["g"] = Gate(url=f"http://127.0.0.1:{server.server_address[1]}/hooks")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state["g"]
    state["g"].opens.set()
    server.shutdown()
    server.server_close()


def register(client: TestClient, key: str, url: str) -> None:
    """Register a webhook endpoint."""
    response = client.post("/v1/webhooks", json={"url": url}, headers=auth(key))
    assert response.status_code == 201, response.text


def watch(client: TestClient, key: str, cert: Any) -> None:
    """Watch a certificate by id."""
    response = client.post("/v1/watches", json={"certificate_id": str(cert)}, headers=auth(key))
    assert response.status_code == 201, response.text


def suspend(client: TestClient, world: dict[str, Any], cert: str) -> None:
    """Suspend a certificate: one verdict_changed event per watcher."""
    response = client.post(
        f"/v1/certificates/{world[cert]}/status",
        json={"status": "suspended", "effective_from": "2026-11-01"},
        headers=auth(world["admin"]),
    )
    assert response.status_code == 200, response.text


@pytest.fixture
def short_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    """A 2 s delivery timeout: on code that sends one delivery at a time, a held answer times
    out and the test fails in seconds rather than minutes."""
    monkeypatch.setattr(get_settings(), "webhook_timeout_seconds", 2.0)


@pytest.mark.usefixtures("insecure_webhooks", "short_timeout")
def test_six_slow_endpoints_of_one_client_do_not_delay_another_clients_delivery(
    client: TestClient, world: dict[str, Any], gate: Gate, factory: sessionmaker[Session]
) -> None:
    """Issue 14, what is wrong 3: six slow endpoints of one client delayed another client's
    delivery by 53 s. Their deliveries are older, yet the other client's is sent while every
    one of them is still waiting: each slow answer returns only once it has arrived. The slow
    client never has more than `webhook_client_concurrency` (4) in flight."""
    slow = [f"slow{n}" for n in range(6)]
    gate.held, gate.open_when = set(slow), {"fast"}
    for name in slow:
        register(client, world["client"], gate.path(name))
    register(client, world["client2"], gate.path("fast"))
    watch(client, world["client"], world["c1"])
    watch(client, world["client2"], world["c4"])
    suspend(client, world, "c1")
    with factory() as s, s.begin():
        dispatch(s, now=T0)  # six deliveries of the slow client, due first
    suspend(client, world, "c4")

    stats = run_once(factory, now=lambda: T0 + timedelta(seconds=1), rng=random.Random(1))

    assert (stats.attempted, stats.succeeded) == (7, 7)
    assert sorted(gate.arrivals) == ["fast", *slow]
    assert gate.released == [True] * 6  # no slow answer returned before "fast" arrived
    assert max(gate.most_at_once.values()) == 1  # one in flight per endpoint
    assert gate.arrivals.index("fast") <= get_settings().webhook_client_concurrency


@pytest.mark.usefixtures("insecure_webhooks", "short_timeout")
def test_an_endpoint_with_a_queue_has_one_delivery_in_flight_while_others_are_served(
    client: TestClient, world: dict[str, Any], gate: Gate, factory: sessionmaker[Session]
) -> None:
    """Three older deliveries to one endpoint go one at a time, and the first one's answer
    waits until the two endpoints of another client have both been served."""
    gate.held, gate.open_when = {"queue"}, {"y", "z"}
    register(client, world["client"], gate.path("queue"))
    register(client, world["client2"], gate.path("y"))
    register(client, world["client2"], gate.path("z"))
    for cert in ("c1", "c2", "c3"):
        watch(client, world["client"], world[cert])
    watch(client, world["client2"], world["c4"])
    for cert in ("c1", "c2", "c3"):
        suspend(client, world, cert)
    with factory() as s, s.begin():
        dispatch(s, now=T0)  # the queue: three deliveries, due first
    suspend(client, world, "c4")

    stats = run_once(factory, now=lambda: T0 + timedelta(seconds=1))

    assert (stats.attempted, stats.succeeded) == (5, 5)
    assert gate.most_at_once == {"queue": 1, "y": 1, "z": 1}
    assert gate.released == [True, True, True]
    assert sorted(gate.arrivals[:3]) == ["queue", "y", "z"]
    assert gate.arrivals[3:] == ["queue", "queue"]


@pytest.mark.usefixtures("insecure_webhooks")
def test_with_one_slot_endpoints_take_turns(
    client: TestClient,
    world: dict[str, Any],
    receiver: Receiver,
    factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Round-robin: with one delivery at a time, another client's endpoint is served after the
    first of three older deliveries to a busy endpoint, not after all three."""
    monkeypatch.setattr(get_settings(), "webhook_concurrency", 1)
    base = receiver.url.rsplit("/", 1)[0]
    register(client, world["client"], f"{base}/busy")
    register(client, world["client2"], f"{base}/other")
    for cert in ("c1", "c2", "c3"):
        watch(client, world["client"], world[cert])
        suspend(client, world, cert)
    with factory() as s, s.begin():
        dispatch(s, now=T0)
    watch(client, world["client2"], world["c4"])
    suspend(client, world, "c4")

    stats = run_once(factory, now=lambda: T0 + timedelta(seconds=1))

    assert stats.succeeded == 4
    assert [r.path for r in receiver.requests] == ["/busy", "/other", "/busy", "/busy"]


def test_a_claim_is_leased_for_longer_than_an_attempt_can_take(
    client: TestClient,
    session: Session,
    world: dict[str, Any],
    factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A lease configured shorter than one attempt's worst case (connect, send, read, each up
    to the timeout, and recording) is lengthened to it, so a second worker never re-claims a
    delivery that is still being sent."""
    monkeypatch.setattr(get_settings(), "webhook_lease_seconds", 5.0)
    monkeypatch.setattr(get_settings(), "webhook_timeout_seconds", 10.0)
    assert lease_seconds() == 50.0
    register(client, world["client"], "https://93.184.216.34/hook")
    watch(client, world["client"], world["c1"])
    suspend(client, world, "c1")
    with factory() as s, s.begin():
        dispatch(s, now=T0)
    with factory() as s, s.begin():
        [claimed] = claim_due(s, now=T0)
    delivery = session.get(WebhookDelivery, claimed.delivery_id)
    assert delivery is not None
    session.refresh(delivery)
    assert delivery.locked_until == T0 + timedelta(seconds=50)
    with factory() as s, s.begin():
        assert claim_due(s, now=T0 + timedelta(seconds=49)) == []  # a second worker
    with factory() as s, s.begin():
        assert len(claim_due(s, now=T0 + timedelta(seconds=51))) == 1  # the first one died


@pytest.mark.usefixtures("insecure_webhooks")
def test_the_lease_of_a_delivery_still_being_sent_is_renewed(
    client: TestClient,
    session: Session,
    world: dict[str, Any],
    gate: Gate,
    factory: sessionmaker[Session],
) -> None:
    """While a send outlasts a third of its lease (by the scheduler's clock), the scheduler
    holds it for a whole lease again: past the first lease, another worker still claims
    nothing; once the answer comes, the delivery is recorded as delivered."""
    gate.held = {"held"}
    register(client, world["client"], gate.path("held"))
    watch(client, world["client"], world["c1"])
    suspend(client, world, "c1")
    lease = timedelta(seconds=lease_seconds())
    instant = [T0]
    scheduler = DeliveryScheduler(factory, now=lambda: instant[0])
    try:
        scheduler.pump(wait_seconds=0)
        assert len(scheduler.in_flight) == 1
        instant[0] = T0 + lease / 2
        scheduler.pump(wait_seconds=0)
        [delivery] = session.scalars(select(WebhookDelivery)).all()
        session.refresh(delivery)
        assert delivery.locked_until == T0 + lease / 2 + lease
        with factory() as s, s.begin():
            assert claim_due(s, now=T0 + lease + timedelta(seconds=1)) == []
        gate.opens.set()
    finally:
        stats = scheduler.close()
    assert (stats.attempted, stats.succeeded) == (1, 1)
    session.expire_all()
    done = session.scalars(select(WebhookDelivery)).one()
    assert (done.status, done.locked_until) == ("succeeded", None)
