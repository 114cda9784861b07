"""Issue 14, keys at rest: webhook secrets are encrypted in the database (Fernet, with the key
from app/keystore.py), and deliveries still verify with the `standardwebhooks` library."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Uuid, bindparam, text
from sqlalchemy.orm import Session, sessionmaker
from standardwebhooks import Webhook

from app.keystore import load_secret_box
from app.models import WebhookEndpoint
from app.services.integration.delivery import run_once
from tests.api.test_keys_at_rest import _every_stored_value
from tests.factories import auth
from tests.integration.conftest import Receiver

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def _stored_secrets(connection: Connection, endpoint_id: str) -> tuple[str, str | None]:
    """The secret columns as the database holds them (no ORM type in between)."""
    query = text("SELECT secret, previous_secret FROM webhook_endpoints WHERE id = :id")
    row = connection.execute(
        query.bindparams(bindparam("id", type_=Uuid())), {"id": uuid.UUID(endpoint_id)}
    ).one()
    return row[0], row[1]


@pytest.mark.usefixtures("insecure_webhooks")
def test_secrets_in_the_database_are_ciphertexts_and_deliveries_still_verify(
    client: TestClient,
    connection: Connection,
    session: Session,
    world: dict[str, Any],
    receiver: Receiver,
    factory: sessionmaker[Session],
) -> None:
    """Issue 14: neither the secret nor, after a rotation, the previous one is stored in the
    clear anywhere in the database; each column decrypts to what the client was shown, and a
    delivery is signed with both during the grace period (Standard Webhooks verifies each)."""
    created = client.post(
        "/v1/webhooks", json={"url": receiver.url}, headers=auth(world["client"])
    ).json()
    first = created["secret"]
    rotated = client.post(
        f"/v1/webhooks/{created['id']}/rotate-secret", headers=auth(world["client"])
    ).json()
    second = rotated["secret"]
    assert first.startswith("whsec_")
    assert second.startswith("whsec_")

    stored_secret, stored_previous = _stored_secrets(connection, created["id"])
    assert stored_previous is not None
    for stored in (stored_secret, stored_previous):
        assert not stored.startswith("whsec_")
        assert stored.startswith("gAAAAA")  # a Fernet token
    box = load_secret_box()
    assert box is not None
    assert box.decrypt(stored_secret.encode()).decode() == second
    assert box.decrypt(stored_previous.encode()).decode() == first
    plaintexts = {first, second, first.removeprefix("whsec_"), second.removeprefix("whsec_")}
    leaks = [
        (table, column)
        for table, column, value in _every_stored_value(connection)
        if any(secret in value for secret in plaintexts)
    ]
    assert leaks == []
    endpoint = session.get(WebhookEndpoint, uuid.UUID(created["id"]))
    assert endpoint is not None
    assert (endpoint.secret, endpoint.previous_secret) == (second, first)

    client.post(
        "/v1/watches", json={"certificate_id": str(world["c1"])}, headers=auth(world["client"])
    )
    client.post(
        f"/v1/certificates/{world['c1']}/status",
        json={"status": "withdrawn", "effective_from": "2026-11-01"},
        headers=auth(world["admin"]),
    )
    stats = run_once(factory, now=lambda: T0, rng=random.Random(1))
    assert (stats.attempted, stats.succeeded) == (1, 1)
    [request] = receiver.requests
    for secret in (second, first):
        payload = Webhook(secret).verify(request.body, request.headers)
        assert payload["data"]["new_verdict"] == "withdrawn"
