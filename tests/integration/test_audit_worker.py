"""Issue 11, part 6: the delivery worker's own write, disabling a failing endpoint, is audited as
the system's decision, with the endpoint before and after."""

from __future__ import annotations

import random
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.config import get_settings
from app.models import ApiKey, AuditEvent, WebhookDelivery
from app.services.integration.delivery import run_once
from tests.factories import auth
from tests.integration.conftest import Receiver

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _client_id(session: Session, token: str) -> str:
    prefix = token.split("_")[1]
    return str(session.scalars(select(ApiKey.client_id).where(ApiKey.prefix == prefix)).one())


@pytest.mark.usefixtures("insecure_webhooks")
def test_automatic_disabling_is_audited_once_as_the_system(
    client: TestClient,
    session: Session,
    world: dict[str, Any],
    receiver: Receiver,
    factory: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A delivery gives up: one webhook.disable (key None, role "system"), with the enabled
    endpoint before and the failure's reason after. The endpoint's second delivery is never
    attempted in that pass (one in flight per endpoint, issue 14): it waits, pending, for the
    endpoint to be enabled again, and nothing more is recorded."""
    monkeypatch.setattr(get_settings(), "webhook_max_attempts", 1)
    receiver.default_status = 500
    client_key = auth(world["client"])
    hook = client.post("/v1/webhooks", json={"url": receiver.url}, headers=client_key).json()
    for cert in ("c1", "c2"):
        client.post("/v1/watches", json={"certificate_id": str(world[cert])}, headers=client_key)
        client.post(
            f"/v1/certificates/{world[cert]}/status",
            json={"status": "withdrawn", "effective_from": "2026-11-01"},
            headers=auth(world["admin"]),
        )

    stats = run_once(factory, now=lambda: T0, rng=random.Random(3))

    assert (stats.attempted, stats.failed) == (1, 1)
    deliveries = list(session.scalars(select(WebhookDelivery)))
    for delivery in deliveries:
        session.refresh(delivery)
    assert sorted(d.status for d in deliveries) == ["failed", "pending"]
    [event] = session.scalars(select(AuditEvent).where(AuditEvent.action == "webhook.disable"))
    endpoint = {
        "client_id": _client_id(session, world["client"]),
        "url": receiver.url,
        "events": ["certificate.expiring", "certificate.verdict_changed"],
        "enabled": True,
        "disabled_at": None,
        "disabled_reason": None,
        "previous_secret_until": None,
        "deleted_at": None,
    }
    assert (event.actor_key_id, event.actor_role) == (None, "system")
    assert (event.target_type, event.target_id) == ("webhook", hook["id"])
    assert event.request_id is None
    assert event.before == endpoint
    assert event.after is not None
    reason = event.after["disabled_reason"]
    assert any(
        reason
        == f"delivery {d.id} failed 1 times since {d.created_at.isoformat()}; last error: HTTP 500"
        for d in deliveries
    )
    assert event.after == {
        **endpoint,
        "enabled": False,
        "disabled_at": T0.isoformat(),
        "disabled_reason": reason,
    }
    shown = client.get(f"/v1/webhooks/{hook['id']}", headers=client_key).json()
    assert (shown["enabled"], shown["disabled_reason"]) == (False, reason)

    listed = client.get(
        "/v1/audit-events",
        params={"action": "webhook.disable", "target_id": hook["id"]},
        headers=auth(world["admin"]),
    ).json()["items"]
    assert [(e["actor_key_id"], e["actor_role"], e["after"]["enabled"]) for e in listed] == [
        (None, "system", False)
    ]
