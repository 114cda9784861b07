"""Issue 14, input: replaying a delivery older than the newest 1,000 of its endpoint answers that
delivery (the route once looked it up among the newest 1,000 only: StopIteration, a 500)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, inspect, select
from sqlalchemy.orm import Session

from app import clock
from app.models import OutboxEvent, WebhookDelivery
from app.services.integration.delivery import dispatch
from tests.factories import auth

NEWER = 1000


def _copies(row: Any, count: int, **changes: Any) -> list[dict[str, Any]]:
    """`count` copies of an ORM row as insert values (every column, whatever the model holds),
    without its id, with `changes` applied (each a function of the copy's index)."""
    columns = [c.key for c in inspect(type(row)).column_attrs if c.key != "id"]
    base = {name: getattr(row, name) for name in columns}
    return [{**base, **{k: f(i) for k, f in changes.items()}} for i in range(count)]


@pytest.mark.usefixtures("insecure_webhooks")
def test_replaying_a_delivery_older_than_the_newest_thousand(
    client: TestClient, session: Session, world: dict[str, Any]
) -> None:
    """1,001 deliveries: the oldest is replayed (200, pending again, the same id)."""
    key = auth(world["client"])
    hook = client.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/hook"}, headers=key)
    assert hook.status_code == 201, hook.text
    watched = client.post("/v1/watches", json={"certificate_id": str(world["c1"])}, headers=key)
    assert watched.status_code == 201, watched.text
    suspended = client.post(
        f"/v1/certificates/{world['c1']}/status",
        json={"status": "suspended", "effective_from": "2026-11-01", "reason": "audit"},
        headers=auth(world["admin"]),
    )
    assert suspended.status_code == 200, suspended.text
    dispatch(session, now=clock.now())
    session.commit()
    endpoint_id = uuid.UUID(hook.json()["id"])
    [oldest] = session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    ).all()
    event = session.get(OutboxEvent, oldest.event_id)
    assert event is not None
    events = _copies(event, NEWER)
    ids = session.scalars(insert(OutboxEvent).returning(OutboxEvent.id), events).all()
    later = oldest.created_at
    session.execute(
        insert(WebhookDelivery),
        _copies(
            oldest,
            NEWER,
            event_id=lambda i: ids[i],
            created_at=lambda i: later + timedelta(seconds=i + 1),
        ),
    )
    oldest.status = "failed"
    session.commit()
    page = client.get(
        f"/v1/webhooks/{endpoint_id}/deliveries", params={"page_size": 1}, headers=key
    ).json()
    assert page["items"][0]["id"] != str(oldest.id)  # the newest is another one

    response = client.post(f"/v1/webhooks/{endpoint_id}/deliveries/{oldest.id}/replay", headers=key)
    assert response.status_code == 200, response.text
    assert (response.json()["id"], response.json()["status"]) == (str(oldest.id), "pending")


@pytest.mark.usefixtures("insecure_webhooks")
def test_a_delivery_being_sent_is_not_replayed(
    client: TestClient, session: Session, world: dict[str, Any]
) -> None:
    """Review of issue 14: replaying a delivery whose lease runs cleared the lease, so a second
    worker claimed and sent it at the same time; now 409 until the attempt ends."""
    key = auth(world["client"])
    hook = client.post("/v1/webhooks", json={"url": "http://127.0.0.1:9/hook"}, headers=key)
    assert hook.status_code == 201, hook.text
    watched = client.post("/v1/watches", json={"certificate_id": str(world["c1"])}, headers=key)
    assert watched.status_code == 201, watched.text
    suspended = client.post(
        f"/v1/certificates/{world['c1']}/status",
        json={"status": "suspended", "effective_from": "2026-11-01", "reason": "audit"},
        headers=auth(world["admin"]),
    )
    assert suspended.status_code == 200, suspended.text
    dispatch(session, now=clock.now())
    endpoint_id = uuid.UUID(hook.json()["id"])
    [delivery] = session.scalars(
        select(WebhookDelivery).where(WebhookDelivery.endpoint_id == endpoint_id)
    ).all()
    delivery.locked_until = clock.now() + timedelta(seconds=60)  # a worker is sending it
    session.commit()
    url = f"/v1/webhooks/{endpoint_id}/deliveries/{delivery.id}/replay"
    busy = client.post(url, headers=key)
    assert busy.status_code == 409, busy.text
    assert busy.json()["detail"] == (
        "The delivery is being sent; replay it once this attempt has ended."
    )
    session.refresh(delivery)
    assert delivery.locked_until is not None
    delivery.locked_until = clock.now() - timedelta(seconds=1)  # the attempt has ended
    session.commit()
    assert client.post(url, headers=key).status_code == 200
