"""Issue 14, part 2: watches, webhooks and stored verifications belong to a client, not to a key.

A client rotates its keys and keeps what it owns; revoking its last key, or disabling it, stops
its deliveries and watches at once (dispatch, claim and re-evaluation each check), and an admin
can still list and delete what it owns."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from app.config import get_settings
from app.models import ApiKey, AuditEvent, OutboxEvent, Watch
from app.services.auth import Role, create_api_key, revoke_api_key
from app.services.integration.delivery import dispatch, run_once
from app.services.integration.watches import reevaluate
from tests.factories import auth, make_key
from tests.integration.conftest import Receiver

T0 = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)


def client_of(session: Session, token: str) -> uuid.UUID:
    """The client that holds the key behind a plaintext token (revoked or not)."""
    prefix = token.split("_")[1]
    return session.scalars(select(ApiKey.client_id).where(ApiKey.prefix == prefix)).one()


def key_of(session: Session, token: str) -> uuid.UUID:
    """The id of the key behind a plaintext token."""
    return session.scalars(select(ApiKey.id).where(ApiKey.prefix == token.split("_")[1])).one()


def second_key(session: Session, token: str) -> str:
    """A new key of the same client as `token` (a rotation's overlap)."""
    _, plaintext = create_api_key(
        session,
        role=Role.CLIENT,
        body_id=None,
        name="rotated",
        client_id=client_of(session, token),
    )
    session.commit()
    return plaintext


def suspend(client: TestClient, world: dict[str, Any], cert: str) -> None:
    """Suspend a certificate (a verdict change for its watchers)."""
    response = client.post(
        f"/v1/certificates/{world[cert]}/status",
        json={"status": "suspended", "effective_from": "2026-11-01"},
        headers=auth(world["admin"]),
    )
    assert response.status_code == 200, response.text


def outbox_of(session: Session, client_id: uuid.UUID) -> list[OutboxEvent]:
    """The client's outbox events, oldest first."""
    return list(
        session.scalars(
            select(OutboxEvent)
            .where(OutboxEvent.client_id == client_id)
            .order_by(OutboxEvent.created_at)
        )
    )


def test_a_rotated_key_keeps_the_clients_watches_webhooks_and_verifications(
    client: TestClient, session: Session, world: dict[str, Any]
) -> None:
    """Rotation with overlap: a second key of the client sees, and deletes, what the first one
    made; once the first is revoked nothing is orphaned. Another client still sees nothing."""
    old = world["client"]
    hook = client.post(
        "/v1/webhooks", json={"url": "https://93.184.216.34/hook"}, headers=auth(old)
    ).json()
    watch = client.post(
        "/v1/watches", json={"certificate_id": str(world["c1"])}, headers=auth(old)
    ).json()
    made = client.get(
        "/v1/verify",
        params={"certificate_number": "W-1", "certification_body": "WCL"},
        headers=auth(old),
    ).json()
    new = second_key(session, old)
    revoke_api_key(session, key_of(session, old))
    session.commit()

    assert client.get("/v1/watches", headers=auth(old)).status_code == 401
    listed = client.get("/v1/watches", headers=auth(new)).json()["items"]
    assert [w["id"] for w in listed] == [watch["id"]]
    hooks = client.get("/v1/webhooks", headers=auth(new)).json()["items"]
    assert [h["id"] for h in hooks] == [hook["id"]]
    again = client.get(f"/v1/verifications/{made['verification_id']}", headers=auth(new))
    assert (again.status_code, again.json()["verdict"]) == (200, "valid")
    other = auth(world["client2"])
    assert client.get(f"/v1/watches/{watch['id']}", headers=other).status_code == 404
    assert client.get(f"/v1/webhooks/{hook['id']}", headers=other).status_code == 404
    assert (
        client.get(f"/v1/verifications/{made['verification_id']}", headers=other).status_code == 404
    )
    assert client.delete(f"/v1/watches/{watch['id']}", headers=auth(new)).status_code == 204
    assert client.delete(f"/v1/webhooks/{hook['id']}", headers=auth(new)).status_code == 204


def test_keys_bound_to_one_body_share_its_client(session: Session, world: dict[str, Any]) -> None:
    """Every key of a CB (or AB) joins the body's one client; each admin or client key made
    without a client starts its own."""
    another_cb_key = make_key(session, Role.CERTIFICATION_BODY, world["cb1"])
    assert client_of(session, another_cb_key) == client_of(session, world["cb_key"])
    assert client_of(session, world["client"]) != client_of(session, world["client2"])
    with pytest.raises(ValueError, match="is a client client: its keys are client keys"):
        create_api_key(
            session,
            role=Role.ADMIN,
            body_id=None,
            name="wrong kind",
            client_id=client_of(session, world["client"]),
        )


@pytest.mark.usefixtures("insecure_webhooks")
def test_revoking_the_last_key_stops_dispatch_claim_and_reevaluation_until_a_new_key(
    client: TestClient,
    session: Session,
    world: dict[str, Any],
    receiver: Receiver,
    factory: sessionmaker[Session],
) -> None:
    """Issue 14, what is wrong 2: deliveries went on after `keys revoke`. Now, once the client's
    last key is revoked: a pending delivery is not claimed, an undispatched event is not fanned
    out, and a verdict change of a watched certificate writes no event; with a new key of the
    client, all three resume (the change seen meanwhile included)."""
    key = world["client"]
    owner = client_of(session, key)
    client.post("/v1/webhooks", json={"url": receiver.url}, headers=auth(key))
    for cert in ("c1", "c2", "c3"):
        client.post("/v1/watches", json={"certificate_id": str(world[cert])}, headers=auth(key))
    suspend(client, world, "c1")
    with factory() as s, s.begin():
        assert dispatch(s, now=T0) == 1  # c1's event: one pending delivery
    suspend(client, world, "c2")  # c2's event: in the outbox, not dispatched yet

    revoke_api_key(session, key_of(session, key))
    session.commit()
    suspend(client, world, "c3")  # re-evaluated while the client is stopped

    stopped = run_once(factory, now=lambda: T0 + timedelta(seconds=1))
    assert (stopped.dispatched, stopped.attempted) == (0, 0)
    assert receiver.requests == []
    events = outbox_of(session, owner)
    assert [e.payload["data"]["certificate"]["certificate_number"] for e in events] == [
        "W-1",
        "W-2",
    ]
    assert [e.dispatched_at is None for e in events] == [False, True]
    c3_watch = session.scalars(select(Watch).where(Watch.certificate_id == world["c3"])).one()
    session.refresh(c3_watch)
    assert c3_watch.last_verdict == "valid"  # the change is not seen yet

    second_key(session, key)  # the client is active again
    assert reevaluate(session, certificate_ids=None, today=T0.date()) == 1  # c3, seen now
    session.commit()
    resumed = run_once(factory, now=lambda: T0 + timedelta(seconds=2))
    assert (resumed.dispatched, resumed.attempted, resumed.succeeded) == (2, 3, 3)
    numbers = sorted(
        json.loads(r.body)["data"]["certificate"]["certificate_number"] for r in receiver.requests
    )
    assert numbers == ["W-1", "W-2", "W-3"]


@pytest.mark.usefixtures("insecure_webhooks")
def test_a_disabled_client_is_refused_and_stopped_and_an_enabled_one_resumes(
    client: TestClient,
    session: Session,
    world: dict[str, Any],
    receiver: Receiver,
    factory: sessionmaker[Session],
) -> None:
    """POST /v1/clients/{id}/disable (admin): the client's keys get 401 and its pending
    deliveries wait; /enable lets both through again. Both are audited."""
    key = world["client"]
    owner = client_of(session, key)
    client.post("/v1/webhooks", json={"url": receiver.url}, headers=auth(key))
    client.post("/v1/watches", json={"certificate_id": str(world["c1"])}, headers=auth(key))
    suspend(client, world, "c1")
    admin = auth(world["admin"])

    disabled = client.post(f"/v1/clients/{owner}/disable", headers=admin)
    assert disabled.status_code == 200
    assert disabled.json()["active"] is False
    assert disabled.json()["disabled_at"] is not None
    refused = client.get("/v1/watches", headers=auth(key))
    assert refused.status_code == 401
    assert refused.json()["detail"] == "The API key's client has been disabled."
    assert run_once(factory, now=lambda: T0).attempted == 0
    assert receiver.requests == []

    enabled = client.post(f"/v1/clients/{owner}/enable", headers=admin)
    assert (enabled.status_code, enabled.json()["active"]) == (200, True)
    assert client.get("/v1/watches", headers=auth(key)).status_code == 200
    assert run_once(factory, now=lambda: T0).succeeded == 1
    assert len(receiver.requests) == 1
    actions = session.scalars(
        select(AuditEvent.action)
        .where(AuditEvent.target_type == "client", AuditEvent.target_id == str(owner))
        .order_by(AuditEvent.occurred_at)
    ).all()
    assert actions == ["client.create", "client.disable", "client.enable"]


def test_an_admin_lists_and_deletes_a_stopped_clients_watches_and_webhooks(
    client: TestClient, session: Session, world: dict[str, Any]
) -> None:
    """With the client's last key revoked, an admin lists its watches and endpoints with
    `client_id` and deletes them all (each audited); a client key cannot name another client."""
    key = world["client"]
    owner = client_of(session, key)
    for url in ("https://93.184.216.34/a", "https://93.184.216.34/b"):
        client.post("/v1/webhooks", json={"url": url}, headers=auth(key))
    for cert in ("c1", "c2"):
        client.post("/v1/watches", json={"certificate_id": str(world[cert])}, headers=auth(key))
    revoke_api_key(session, key_of(session, key))
    session.commit()
    admin = auth(world["admin"])
    mine = {"client_id": str(owner)}

    other = auth(world["client2"])
    assert client.get("/v1/watches", params=mine, headers=other).status_code == 403
    assert client.delete("/v1/watches", params=mine, headers=other).status_code == 403
    assert client.get("/v1/clients", headers=other).status_code == 403
    assert client.get("/v1/watches", headers=admin).json()["items"] == []  # the admin's own
    watches = client.get("/v1/watches", params=mine, headers=admin).json()["items"]
    assert sorted(w["certificate_id"] for w in watches) == sorted(
        [str(world["c1"]), str(world["c2"])]
    )
    hooks = client.get("/v1/webhooks", params=mine, headers=admin).json()["items"]
    assert [h["url"] for h in hooks] == ["https://93.184.216.34/a", "https://93.184.216.34/b"]
    shown = client.get(f"/v1/clients/{owner}", headers=admin).json()
    assert (shown["kind"], shown["active"], shown["watches"], shown["webhooks"]) == (
        "client",
        False,
        2,
        2,
    )
    assert [k["revoked_at"] is not None for k in shown["keys"]] == [True]

    assert client.delete("/v1/watches", params=mine, headers=admin).json() == {"deleted": 2}
    assert client.delete("/v1/webhooks", params=mine, headers=admin).json() == {"deleted": 2}
    assert client.get("/v1/watches", params=mine, headers=admin).json()["items"] == []
    assert client.get("/v1/webhooks", params=mine, headers=admin).json()["items"] == []
    deleted = session.scalars(
        select(AuditEvent.action).where(AuditEvent.action.in_(["watch.delete", "webhook.delete"]))
    ).all()
    assert sorted(deleted) == ["watch.delete"] * 2 + ["webhook.delete"] * 2
    listed = client.get("/v1/clients", params={"kind": "client"}, headers=admin).json()["items"]
    assert str(owner) in [c["id"] for c in listed]


def test_a_client_has_at_most_the_configured_number_of_endpoints(
    client: TestClient, session: Session, world: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 14, what is wrong 3: no cap on endpoints. Over the cap (all the client's keys
    together) is a 409 naming /url; deleting one makes room; another client is not affected."""
    monkeypatch.setattr(get_settings(), "webhook_max_endpoints_per_client", 2)
    key = world["client"]
    made = [
        client.post(
            "/v1/webhooks", json={"url": f"https://93.184.216.34/{n}"}, headers=auth(key)
        ).json()
        for n in range(2)
    ]
    rotated = second_key(session, key)
    over = client.post(
        "/v1/webhooks", json={"url": "https://93.184.216.34/3"}, headers=auth(rotated)
    )
    assert over.status_code == 409
    detail = (
        "this client already has 2 webhook endpoints, the most allowed "
        "(CERTVERIFY_WEBHOOK_MAX_ENDPOINTS_PER_CLIENT); delete one first"
    )
    assert over.json()["errors"] == [{"pointer": "/url", "detail": detail}]
    other = client.post(
        "/v1/webhooks", json={"url": "https://93.184.216.34/x"}, headers=auth(world["client2"])
    )
    assert other.status_code == 201
    client.delete(f"/v1/webhooks/{made[0]['id']}", headers=auth(key))
    room = client.post("/v1/webhooks", json={"url": "https://93.184.216.34/3"}, headers=auth(key))
    assert room.status_code == 201
