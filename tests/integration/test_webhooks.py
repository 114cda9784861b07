"""Issue 5: watches, verdict-change events from every cause, signed delivery that loses nothing."""

from __future__ import annotations

import json
import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from standardwebhooks import Webhook

from app.models import OutboxEvent, WebhookDelivery
from app.services.integration.delivery import claim_due, run_once
from app.services.integration.watches import reevaluate
from app.services.integration.webhooks import UnsafeUrl, vet_url
from tests.factories import auth
from tests.integration.conftest import Receiver

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def watch(client: TestClient, key: str, cert_id: Any) -> dict[str, Any]:
    """Watch a certificate by id."""
    response = client.post("/v1/watches", json={"certificate_id": str(cert_id)}, headers=auth(key))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def register(client: TestClient, key: str, url: str) -> dict[str, Any]:
    """Register a webhook endpoint."""
    response = client.post("/v1/webhooks", json={"url": url}, headers=auth(key))
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def events(session: Session, event_type: str = "certificate.verdict_changed") -> list[OutboxEvent]:
    """Outbox events of a type, oldest first."""
    return list(
        session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.event_type == event_type)
            .order_by(OutboxEvent.created_at)
        )
    )


@pytest.mark.usefixtures("insecure_webhooks")
def test_suspending_an_accreditation_emits_one_event_per_watched_affected_certificate(
    client: TestClient,
    session: Session,
    world: dict[str, Any],
    receiver: Receiver,
    factory: sessionmaker[Session],
) -> None:
    """Exactly one verdict_changed per watched affected certificate, signed (Standard Webhooks)."""
    hook = register(client, world["client"], receiver.url)
    for cert in ("c1", "c2", "c4"):
        watch(client, world["client"], world[cert])
    response = client.post(
        f"/v1/accreditations/{world['acc1']}/status",
        json={"status": "suspended", "effective_from": "2026-01-01", "reason": "audit"},
        headers=auth(world["admin"]),
    )
    assert response.status_code == 200
    written = events(session)
    assert sorted(e.payload["data"]["certificate"]["certificate_number"] for e in written) == [
        "W-1",
        "W-2",
    ]
    data = written[0].payload["data"]
    assert (data["old_verdict"], data["new_verdict"]) == ("valid", "not_accredited")
    changed = {c["code"]: (c["old_outcome"], c["new_outcome"]) for c in data["changed_checks"]}
    assert changed["cb_accreditation"] == ("pass", "fail")

    stats = run_once(factory, now=lambda: T0, rng=random.Random(1))
    assert (stats.attempted, stats.succeeded) == (2, 2)
    assert len(receiver.requests) == 2
    verifier = Webhook(hook["secret"])
    for request in receiver.requests:
        payload = verifier.verify(request.body, request.headers)
        assert payload["type"] == "certificate.verdict_changed"
        assert request.headers["webhook-id"] in {str(e.id) for e in written}
    assert run_once(factory, now=lambda: T0, rng=random.Random(1)).attempted == 0


@pytest.mark.parametrize("cause", ["certificate_status", "sectors_reduced", "mla_removed", "data"])
def test_every_cause_of_a_verdict_change_is_detected(
    client: TestClient, session: Session, world: dict[str, Any], cause: str
) -> None:
    """Certificate status or data, accreditation sectors, AB recognition: each emits an event."""
    watch(client, world["client"], world["c2"])
    admin = auth(world["admin"])
    if cause == "certificate_status":
        client.post(
            f"/v1/certificates/{world['c2']}/status",
            json={"status": "withdrawn", "effective_from": "2026-11-01"},
            headers=admin,
        )
        expected = "withdrawn"
    elif cause == "sectors_reduced":
        client.patch(
            f"/v1/accreditations/{world['acc1']}", json={"sectors": [17, 18]}, headers=admin
        )
        expected = "not_accredited"
    elif cause == "mla_removed":
        client.patch(
            f"/v1/accreditation-bodies/{world['ab']}",
            json={"mla_scopes": [{"standard": "ISO 14001"}]},
            headers=admin,
        )
        expected = "not_accredited"
    else:
        client.patch(
            f"/v1/certificates/{world['c2']}", json={"expiry_date": "2026-01-31"}, headers=admin
        )
        expected = "expired"
    [event] = events(session)
    assert event.payload["data"]["new_verdict"] == expected


def test_no_event_when_the_verdict_does_not_change(
    client: TestClient, session: Session, world: dict[str, Any]
) -> None:
    """A change that leaves the verdict as it was emits nothing."""
    watch(client, world["client"], world["c1"])
    client.patch(
        f"/v1/certificates/{world['c1']}", json={"scope": "Widgets"}, headers=auth(world["admin"])
    )
    assert events(session) == []


def test_time_driven_changes_expiry_notices_and_deadlines(
    client: TestClient, session: Session, world: dict[str, Any]
) -> None:
    """The scheduled re-evaluation sends 90/30/7-day notices once each, then the expiry change."""
    watch(client, world["client"], world["c1"])  # expires 2027-02-28
    seen: list[tuple[str, Any]] = []
    for day in [
        date(2026, 11, 29),
        date(2026, 11, 30),
        date(2027, 1, 29),
        date(2027, 2, 21),
        date(2027, 2, 22),
        date(2027, 3, 1),
    ]:
        reevaluate(session, certificate_ids=None, today=day)
        session.flush()
    for e in events(session, "certificate.expiring"):
        seen.append((e.payload["data"]["as_of"], e.payload["data"]["threshold_days"]))
    assert seen == [("2026-11-30", 90), ("2027-01-29", 30), ("2027-02-21", 7)]
    [expired] = events(session)
    assert expired.payload["data"]["as_of"] == "2027-03-01"
    assert expired.payload["data"]["new_verdict"] == "expired"


def test_transition_deadline_passing_is_a_verdict_change(
    client: TestClient, session: Session, world: dict[str, Any]
) -> None:
    """An old edition becomes outdated_standard the day after its deadline (IAF Res 2017-13)."""
    from tests.factories import accredit, make_certificate

    accredit(session, world["cb1"], world["ab"], "ISO 14001")
    old = make_certificate(
        session,
        world["cb1"],
        "OLD-1",
        standard="ISO 14001:2004",
        original_issue_date="2016-01-01",
        issue_date="2016-01-01",
        expiry_date="2019-01-01",
    )
    session.commit()
    reevaluate(session, certificate_ids=None, today=date(2018, 9, 15))
    created = watch(client, world["client"], old)
    assert created["last_verdict"] == "expired"  # today is past everything
    reevaluate(session, certificate_ids=None, today=date(2018, 9, 15))
    reevaluate(session, certificate_ids=None, today=date(2018, 9, 16))
    changes = [
        (e.payload["data"]["old_verdict"], e.payload["data"]["new_verdict"])
        for e in events(session)
    ]
    assert changes == [("expired", "valid"), ("valid", "outdated_standard")]


@pytest.mark.usefixtures("session", "insecure_webhooks")
def test_worker_killed_between_commit_and_delivery_still_delivers(
    client: TestClient,
    world: dict[str, Any],
    receiver: Receiver,
    factory: sessionmaker[Session],
) -> None:
    """A worker that leased a delivery and died: after the lease the next run delivers it once."""
    register(client, world["client"], receiver.url)
    watch(client, world["client"], world["c1"])
    client.post(
        f"/v1/certificates/{world['c1']}/status",
        json={"status": "suspended", "effective_from": "2026-11-01"},
        headers=auth(world["admin"]),
    )
    from app.services.integration.delivery import dispatch

    with factory() as s, s.begin():
        dispatch(s, now=T0)
    with factory() as s, s.begin():
        leased = claim_due(s, now=T0)  # ... and the worker dies here, before sending
    assert len(leased) == 1
    assert run_once(factory, now=lambda: T0 + timedelta(seconds=30)).attempted == 0  # still leased
    restarted = run_once(factory, now=lambda: T0 + timedelta(seconds=61))
    assert (restarted.attempted, restarted.succeeded) == (1, 1)
    assert len(receiver.requests) == 1


@pytest.mark.usefixtures("insecure_webhooks")
def test_failing_endpoint_is_retried_on_schedule_then_disabled(
    client: TestClient,
    session: Session,
    world: dict[str, Any],
    receiver: Receiver,
    factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Exponential backoff with jitter, every attempt recorded; then the endpoint is disabled."""
    from app.config import get_settings

    monkeypatch.setattr(get_settings(), "webhook_max_attempts", 4)
    monkeypatch.setattr(get_settings(), "webhook_retry_base_seconds", 30.0)
    receiver.default_status = 500
    hook = register(client, world["client"], receiver.url)
    watch(client, world["client"], world["c1"])
    client.post(
        f"/v1/certificates/{world['c1']}/status",
        json={"status": "withdrawn", "effective_from": "2026-11-01"},
        headers=auth(world["admin"]),
    )
    rng = random.Random(7)
    clock = T0
    gaps: list[float] = []
    for _ in range(4):
        at = clock
        run_once(factory, now=lambda at=at: at, rng=rng)  # type: ignore[misc]
        delivery = session.scalars(select(WebhookDelivery)).one()
        session.refresh(delivery)
        if delivery.status != "pending":
            break
        gaps.append((delivery.next_attempt_at - clock).total_seconds())
        before = delivery.next_attempt_at - timedelta(seconds=1)
        early = run_once(factory, now=lambda before=before: before)  # type: ignore[misc]
        assert early.attempted == 0  # not before its time
        clock = delivery.next_attempt_at
    assert len(gaps) == 3
    for n, gap in enumerate(gaps):
        assert 30 * 2**n * 0.5 <= gap < 30 * 2**n
    assert len(receiver.requests) == 4
    shown = client.get(f"/v1/webhooks/{hook['id']}", headers=auth(world["client"])).json()
    assert shown["enabled"] is False
    assert "failed 4 times" in shown["disabled_reason"]
    assert "HTTP 500" in shown["disabled_reason"]
    log = client.get(f"/v1/webhooks/{hook['id']}/deliveries", headers=auth(world["client"])).json()
    assert [a["status_code"] for a in log["items"][0]["attempt_log"]] == [500, 500, 500, 500]
    assert log["items"][0]["status"] == "failed"

    receiver.default_status = 200
    client.post(f"/v1/webhooks/{hook['id']}/enable", headers=auth(world["client"]))
    delivery_id = log["items"][0]["id"]
    replayed = client.post(
        f"/v1/webhooks/{hook['id']}/deliveries/{delivery_id}/replay", headers=auth(world["client"])
    )
    assert replayed.json()["status"] == "pending"
    assert run_once(factory, now=lambda: clock.now() + timedelta(seconds=1)).succeeded == 1
    assert receiver.requests[-1].headers["webhook-id"] == receiver.requests[0].headers["webhook-id"]


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://example.com/hook", "webhook URLs must use https"),
        ("https://127.0.0.1/hook", "resolves to a private, loopback"),
        ("https://10.1.2.3/hook", "resolves to a private, loopback"),
        ("https://169.254.169.254/latest/meta-data", "resolves to a private, loopback"),
        ("https://[::1]/hook", "resolves to a private, loopback"),
        ("https://[::ffff:192.168.0.1]/hook", "resolves to a private, loopback"),
        ("https://0.0.0.0/hook", "resolves to a private, loopback"),
        ("https://100.64.0.1/hook", "resolves to a private, loopback"),
        ("https://user:pw@example.com/hook", "credentials in the URL are not allowed"),
        ("ftp://example.com/hook", "URL scheme should be 'http' or 'https'"),
    ],
)
def test_ssrf_targets_are_refused(
    client: TestClient, world: dict[str, Any], url: str, reason: str
) -> None:
    """Private, loopback, link-local and reserved targets are refused unless configured."""
    response = client.post("/v1/webhooks", json={"url": url}, headers=auth(world["client"]))
    assert response.status_code == 422
    assert reason in response.json()["errors"][0]["detail"]


def test_dns_names_resolving_inside_are_refused_at_delivery_too() -> None:
    """A public-looking name that resolves to an internal address is refused (no rebinding),
    without saying what it resolves to (issue 14)."""
    with pytest.raises(UnsafeUrl, match="does not resolve to a public address") as refused:
        vet_url(
            "https://hooks.example.com/x",
            allow_insecure=False,
            resolver=lambda _host, _port: ["10.0.0.7"],
        )
    assert "10.0.0.7" not in str(refused.value)
    assert vet_url(
        "https://hooks.example.com/x",
        allow_insecure=False,
        resolver=lambda _host, _port: ["93.184.216.34"],
    ) == ["93.184.216.34"]


def test_secret_is_shown_once_and_rotates(client: TestClient, world: dict[str, Any]) -> None:
    """The whsec_ secret appears at creation and rotation only; other clients see nothing."""
    created = client.post(
        "/v1/webhooks",
        json={"url": "https://93.184.216.34/hook", "events": ["certificate.expiring"]},
        headers=auth(world["client"]),
    ).json()
    assert created["secret"].startswith("whsec_")
    shown = client.get(f"/v1/webhooks/{created['id']}", headers=auth(world["client"])).json()
    assert shown["secret"] is None
    rotated = client.post(
        f"/v1/webhooks/{created['id']}/rotate-secret", headers=auth(world["client"])
    ).json()
    assert rotated["secret"].startswith("whsec_")
    assert rotated["secret"] != created["secret"]
    assert (
        client.get(f"/v1/webhooks/{created['id']}", headers=auth(world["client2"])).status_code
        == 404
    )
    assert (
        client.delete(f"/v1/webhooks/{created['id']}", headers=auth(world["client2"])).status_code
        == 404
    )
    assert (
        client.delete(f"/v1/webhooks/{created['id']}", headers=auth(world["client"])).status_code
        == 204
    )


def test_watches_by_number_and_cross_client_isolation(
    client: TestClient, session: Session, world: dict[str, Any]
) -> None:
    """Watch by number and CB; one client's watches are invisible to another."""
    response = client.post(
        "/v1/watches",
        json={"certificate_number": "w 3", "certification_body": "WCL"},
        headers=auth(world["client"]),
    )
    assert response.status_code == 201
    created = response.json()
    assert created["last_verdict"] == "valid"
    dup = client.post(
        "/v1/watches",
        json={"certificate_id": created["certificate_id"]},
        headers=auth(world["client"]),
    )
    assert dup.status_code == 409
    assert (
        client.get(f"/v1/watches/{created['id']}", headers=auth(world["client2"])).status_code
        == 404
    )
    mine = client.get("/v1/watches", headers=auth(world["client"])).json()["items"]
    assert [w["id"] for w in mine] == [created["id"]]
    assert client.get("/v1/watches", headers=auth(world["client2"])).json()["items"] == []
    both = client.post(
        "/v1/watches",
        json={"certificate_id": created["certificate_id"], "certificate_number": "W-3"},
        headers=auth(world["client"]),
    )
    assert both.status_code == 422
    assert (
        client.delete(f"/v1/watches/{created['id']}", headers=auth(world["client"])).status_code
        == 204
    )
    assert session.scalar(select(func.count()).select_from(OutboxEvent)) == 0


def test_event_payload_shape(client: TestClient, session: Session, world: dict[str, Any]) -> None:
    """The event carries the certificate, the old and new verdicts and the checks that changed."""
    watch(client, world["client"], world["c3"])
    client.post(
        f"/v1/certificates/{world['c3']}/status",
        json={"status": "suspended", "effective_from": "2026-11-01", "reason": "audit"},
        headers=auth(world["admin"]),
    )
    [event] = events(session)
    payload = json.loads(json.dumps(event.payload))
    assert payload["type"] == "certificate.verdict_changed"
    assert payload["data"]["certificate"]["certificate_number"] == "W-3"
    assert payload["data"]["certificate"]["certification_body"]["acronym"] == "WCL"
    assert payload["data"]["changed_checks"] == [
        {
            "code": "certificate_status",
            "old_outcome": "pass",
            "new_outcome": "fail",
            "message": payload["data"]["changed_checks"][0]["message"],
        }
    ]
    assert "Suspended" in payload["data"]["changed_checks"][0]["message"]


def test_an_import_that_changes_a_watched_certificate_emits_its_event(
    client: TestClient, session: Session, world: dict[str, Any]
) -> None:
    """Imported status changes reach watchers too (same transaction as the import)."""
    watch(client, world["client"], world["c1"])
    text = (
        "certificate_number,status,organization_name,organization_country,standard,sectors,"
        "scope,site_name,site_address,site_country,original_issue_date,issue_date,expiry_date\n"
        "W-1,Suspended,Acme Widgets Ltd,GB,ISO 9001:2015,18,"
        'Design and manufacture of industrial widgets,Head office,"1 High St, Leeds",GB,'
        "2018-03-01,2024-03-01,2027-02-28\n"
    )
    response = client.post(
        "/v1/certificates/import",
        content=text.encode(),
        headers={**auth(world["cb_key"]), "Content-Type": "text/csv"},
    )
    assert response.json()["rows"][0]["changes"] == [
        {
            "field": "status",
            "before": "active",
            "after": "suspended",
            "effective_from": "2026-11-26",
        }
    ]
    [event] = events(session)
    assert event.payload["data"]["new_verdict"] == "suspended"
