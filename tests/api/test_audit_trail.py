"""Issue 11, part 6: a complete audit trail. Every write operation of the API leaves exactly the
audit events it should, with its actor and before/after values, and never a secret."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from app import clock
from app.main import create_app
from app.models import ApiKey, AuditEvent, OutboxEvent, WebhookDelivery
from app.services import clients as client_service
from app.services.audit import SystemActor
from app.services.auth import Role, authenticate
from app.services.integration import watches as watch_service
from app.services.integration import webhooks as webhook_service
from tests.conftest import TEST_NOW
from tests.documents.sample_files import certificate_pdf
from tests.factories import (
    TODAY,
    accredit,
    auth,
    certificate_body,
    make_ab,
    make_cb,
    make_certificate,
    make_key,
)

WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
PUBLIC_HOOK = "https://93.184.216.34/hook"  # a public address literal: no DNS, no delivery


def write_operations() -> set[tuple[str, str]]:
    """(method, path) of every write operation in the OpenAPI document."""
    document = create_app().openapi()
    return {
        (method.upper(), path)
        for path, operations in document["paths"].items()
        for method in operations
        if method.upper() in WRITE_METHODS
    }


@dataclass(frozen=True)
class Case:
    """One write operation: who calls it, with what, and the audit events it must leave.

    `params` maps path parameters, and `query` query parameters, to world entries; `expected`
    lists (action, target type, target), where a target is a world entry or, with a leading
    "$", a path into the response JSON ("$id", "$rows/0/certificate_id").
    """

    key: str
    status: int
    expected: list[tuple[str, str, str]]
    body: dict[str, Any] | None = None
    csv: str | None = None
    files: dict[str, tuple[str, bytes, str]] | None = None
    """A multipart form's file parts (a certificate document), with `form` its text fields."""
    form: dict[str, str] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    query: dict[str, str] = field(default_factory=dict)


CERT_CSV = (
    "certificate_number,organization_name,standard,issue_date,expiry_date\n"
    "AUD-IMP-1,Imported Ltd,ISO 9001:2015,2025-01-01,2027-12-31\n"
)
ACC_CSV = (
    "certification_body,accreditation_number,standard,valid_from\n"
    "ATC,AUD-ACC-9,ISO 14001,2021-06-01\n"
)

TABLE: dict[tuple[str, str], Case] = {
    # Verifications read the registry; the copy kept for GET /v1/verifications/{id} is the
    # caller's own evidence (with its receipt), not a change to the registry: no audit event.
    ("POST", "/v1/verifications"): Case(
        key="client", status=200, body={"certificate_number": "AUD-1"}, expected=[]
    ),
    ("POST", "/v1/verifications/batch"): Case(
        key="client",
        status=200,
        body={"items": [{"certificate_number": "AUD-1"}, {"certificate_number": "NOPE"}]},
        expected=[],
    ),
    # A certificate document (issue 17): a verification, kept with its document (store=true).
    ("POST", "/v1/documents/verify"): Case(
        key="client",
        status=200,
        files={
            "file": ("c.pdf", certificate_pdf(["Certificate number: AUD-1"]), "application/pdf")
        },
        form={"store": "true"},
        expected=[],
    ),
    # The registry.
    ("POST", "/v1/accreditation-bodies"): Case(
        key="admin",
        status=201,
        body={"acronym": "NEWAB", "name": "New Accreditation Body", "economy": "FR"},
        expected=[("accreditation_body.create", "accreditation_body", "$id")],
    ),
    ("PATCH", "/v1/accreditation-bodies/{ab_id}"): Case(
        key="admin",
        status=200,
        body={"name": "Renamed Accreditation Service"},
        params={"ab_id": "ab"},
        expected=[("accreditation_body.update", "accreditation_body", "ab")],
    ),
    ("POST", "/v1/certification-bodies"): Case(
        key="admin",
        status=201,
        body={"name": "Brand New Certification Ltd", "acronym": "BNC", "country": "GB"},
        expected=[("certification_body.create", "certification_body", "$id")],
    ),
    ("PATCH", "/v1/certification-bodies/{cb_id}"): Case(
        key="admin",
        status=200,
        body={"website": "https://audited.example"},
        params={"cb_id": "cb"},
        expected=[("certification_body.update", "certification_body", "cb")],
    ),
    ("POST", "/v1/certification-bodies/{cb_id}/accreditations"): Case(
        key="ab_key",
        status=201,
        body={
            "accreditation_number": "AUD-A-2",
            "standard": "ISO 14001",
            "valid_from": "2020-01-01",
        },
        params={"cb_id": "cb"},
        expected=[("accreditation.create", "accreditation", "$id")],
    ),
    ("PATCH", "/v1/accreditations/{accreditation_id}"): Case(
        key="ab_key",
        status=200,
        body={"sectors": [17, 18]},
        params={"accreditation_id": "acc"},
        expected=[("accreditation.update", "accreditation", "acc")],
    ),
    ("POST", "/v1/accreditations/{accreditation_id}/status"): Case(
        key="ab_key",
        status=200,
        body={"status": "suspended", "effective_from": "2026-11-01", "reason": "audit"},
        params={"accreditation_id": "acc"},
        expected=[("accreditation.status", "accreditation", "acc")],
    ),
    ("POST", "/v1/accreditations/import"): Case(
        key="ab_key",
        status=200,
        csv=ACC_CSV,
        expected=[("accreditation.create", "accreditation", "$rows/0/accreditation_id")],
    ),
    ("POST", "/v1/certificates"): Case(
        key="cb_key",
        status=201,
        body=certificate_body("AUD-NEW-1"),
        expected=[("certificate.create", "certificate", "$id")],
    ),
    ("PATCH", "/v1/certificates/{certificate_id}"): Case(
        key="cb_key",
        status=200,
        body={"scope": "Audited scope"},
        params={"certificate_id": "cert"},
        expected=[("certificate.update", "certificate", "cert")],
    ),
    ("POST", "/v1/certificates/{certificate_id}/status"): Case(
        key="cb_key",
        status=200,
        body={"status": "suspended", "effective_from": "2026-11-01"},
        params={"certificate_id": "cert"},
        expected=[("certificate.status", "certificate", "cert")],
    ),
    ("POST", "/v1/certificates/import"): Case(
        key="cb_key",
        status=200,
        csv=CERT_CSV,
        expected=[("certificate.import.create", "certificate", "$rows/0/certificate_id")],
    ),
    # Webhook endpoints and deliveries.
    ("POST", "/v1/webhooks"): Case(
        key="client",
        status=201,
        body={"url": PUBLIC_HOOK},
        expected=[("webhook.create", "webhook", "$id")],
    ),
    ("DELETE", "/v1/webhooks/{webhook_id}"): Case(
        key="client",
        status=204,
        params={"webhook_id": "hook"},
        expected=[("webhook.delete", "webhook", "hook")],
    ),
    ("POST", "/v1/webhooks/{webhook_id}/rotate-secret"): Case(
        key="client",
        status=200,
        params={"webhook_id": "hook"},
        expected=[("webhook.rotate_secret", "webhook", "hook")],
    ),
    ("POST", "/v1/webhooks/{webhook_id}/enable"): Case(
        key="client",
        status=200,
        params={"webhook_id": "disabled_hook"},
        expected=[("webhook.enable", "webhook", "disabled_hook")],
    ),
    ("POST", "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/replay"): Case(
        key="client",
        status=200,
        params={"webhook_id": "hook", "delivery_id": "delivery"},
        expected=[("delivery.replay", "webhook_delivery", "delivery")],
    ),
    # Watches.
    ("POST", "/v1/watches"): Case(
        key="client",
        status=201,
        body={"certificate_id": "{cert}"},
        expected=[("watch.create", "watch", "$id")],
    ),
    ("DELETE", "/v1/watches/{watch_id}"): Case(
        key="client",
        status=204,
        params={"watch_id": "watch"},
        expected=[("watch.delete", "watch", "watch")],
    ),
    # Clients (issue 14): an admin stops a client, and deletes what it owns, one event each.
    ("DELETE", "/v1/watches"): Case(
        key="admin",
        status=200,
        query={"client_id": "client_id"},
        expected=[("watch.delete", "watch", "watch")],
    ),
    ("DELETE", "/v1/webhooks"): Case(
        key="admin",
        status=200,
        query={"client_id": "client_id"},
        expected=[
            ("webhook.delete", "webhook", "hook"),
            ("webhook.delete", "webhook", "disabled_hook"),
        ],
    ),
    ("POST", "/v1/clients/{client_id}/disable"): Case(
        key="admin",
        status=200,
        params={"client_id": "client_id"},
        expected=[("client.disable", "client", "client_id")],
    ),
    ("POST", "/v1/clients/{client_id}/enable"): Case(
        key="admin",
        status=200,
        params={"client_id": "disabled_client"},
        expected=[("client.enable", "client", "disabled_client")],
    ),
}
WRITE_OPERATIONS = sorted(write_operations())


def key_id(session: Session, token: str) -> uuid.UUID:
    """The id of the key behind a plaintext token."""
    return session.scalars(select(ApiKey.id).where(ApiKey.prefix == token.split("_")[1])).one()


def client_id(session: Session, token: str) -> uuid.UUID:
    """The id of the client that holds the key behind a plaintext token."""
    prefix = token.split("_")[1]
    return session.scalars(select(ApiKey.client_id).where(ApiKey.prefix == prefix)).one()


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    """A small registry, a key per role, a client's endpoints (one disabled, one with a failed
    delivery) and a watch; another client, disabled."""
    ab = make_ab(session, "AUDAB", [{"standard": "ISO 9001"}, {"standard": "ISO 14001"}])
    cb = make_cb(session, "Audit Trail Certification Ltd", "ATC")
    w: dict[str, Any] = {
        "ab": ab.id,
        "cb": cb,
        "acc": accredit(session, cb, ab.id, sectors=[17, 18, 19]),
        "cert": make_certificate(session, cb, "AUD-1"),
        "cert2": make_certificate(session, cb, "AUD-2"),
        "admin": make_key(session, Role.ADMIN),
        "client": make_key(session, Role.CLIENT),
        "cb_key": make_key(session, Role.CERTIFICATION_BODY, cb),
        "ab_key": make_key(session, Role.ACCREDITATION_BODY, ab.id),
    }
    client = authenticate(session, w["client"])
    stopped = authenticate(session, make_key(session, Role.CLIENT))
    assert stopped.client_id is not None
    client_service.disable_client(session, principal=SystemActor.CLI, client_id=stopped.client_id)
    w.update(client_id=client.client_id, disabled_client=stopped.client_id)
    hook = webhook_service.create_endpoint(session, principal=client, url=PUBLIC_HOOK, events=[])
    disabled = webhook_service.create_endpoint(
        session, principal=client, url=PUBLIC_HOOK + "/2", events=[]
    )
    disabled.enabled, disabled.disabled_at = False, TEST_NOW - timedelta(hours=2)
    disabled.disabled_reason = "failing in the fixture"
    event = OutboxEvent(
        event_type="certificate.verdict_changed",
        client_id=client.client_id,
        certificate_id=w["cert"],
        payload={"type": "certificate.verdict_changed", "data": {}},
        dispatched_at=clock.now(),
    )
    session.add(event)
    session.flush()
    delivery = WebhookDelivery(
        endpoint_id=hook.id,
        event_id=event.id,
        status="failed",
        attempts=4,
        next_attempt_at=TEST_NOW - timedelta(hours=1),
        last_error="HTTP 500",
    )
    session.add(delivery)
    watch = watch_service.create_watch(
        session,
        principal=client,
        certificate_id=w["cert2"],
        certificate_number=None,
        certification_body=None,
        today=TODAY,
    )
    session.flush()
    w.update(hook=hook.id, disabled_hook=disabled.id, delivery=delivery.id, watch=watch.id)
    session.commit()
    return w


def _fill(value: Any, world: dict[str, Any]) -> Any:
    """A request body with "{entry}" placeholders replaced by world entries."""
    if isinstance(value, dict):
        return {k: _fill(v, world) for k, v in value.items()}
    if isinstance(value, list):
        return [_fill(v, world) for v in value]
    if isinstance(value, str) and re.fullmatch(r"\{\w+\}", value):
        return str(world[value[1:-1]])
    return value


def _target(spec: str, world: dict[str, Any], response: Response) -> str:
    if not spec.startswith("$"):
        return str(world[spec])
    node: Any = response.json()
    for part in spec[1:].split("/"):
        node = node[int(part)] if isinstance(node, list) else node[part]
    return str(node)


def _call(client: TestClient, method: str, path: str, case: Case, world: dict[str, Any]) -> Any:
    url = path.format(**{name: world[entry] for name, entry in case.params.items()})
    if case.query:
        url += "?" + "&".join(f"{name}={world[entry]}" for name, entry in case.query.items())
    headers = auth(world[case.key])
    if case.csv is not None:
        return client.request(
            method,
            url,
            content=case.csv.encode(),
            headers={**headers, "Content-Type": "text/csv"},
        )
    if case.files is not None:
        return client.request(method, url, files=case.files, data=case.form, headers=headers)
    if case.body is None:
        return client.request(method, url, headers=headers)
    return client.request(method, url, json=_fill(case.body, world), headers=headers)


def new_events(session: Session, seen: set[uuid.UUID]) -> list[AuditEvent]:
    """Audit events not in `seen`, oldest first."""
    rows = session.scalars(select(AuditEvent).order_by(AuditEvent.occurred_at, AuditEvent.id))
    return [e for e in rows if e.id not in seen]


def event_ids(session: Session) -> set[uuid.UUID]:
    """Every audit event id so far."""
    return set(session.scalars(select(AuditEvent.id)))


def test_the_table_covers_every_write_operation_of_the_api() -> None:
    """A new write operation needs an entry here saying which audit events it leaves."""
    assert set(WRITE_OPERATIONS) == set(TABLE)


@pytest.mark.parametrize(("method", "path"), WRITE_OPERATIONS, ids=lambda v: str(v))
def test_every_write_operation_leaves_exactly_its_audit_events(
    client: TestClient, session: Session, world: dict[str, Any], method: str, path: str
) -> None:
    """A successful call leaves the table's events, in order, made by the calling key, and no
    secret in any before/after value."""
    assert (method, path) in TABLE, f"{method} {path} has no entry in TABLE"
    case = TABLE[(method, path)]
    seen = event_ids(session)
    response = _call(client, method, path, case, world)
    assert response.status_code == case.status, response.text
    if case.csv is not None:
        assert response.json()["committed"] is True, response.text
    events = new_events(session, seen)
    expected = [(a, t, _target(spec, world, response)) for a, t, spec in case.expected]
    assert [(e.action, e.target_type, e.target_id) for e in events] == expected
    actor = key_id(session, world[case.key])
    role = authenticate(session, world[case.key]).role
    assert role is not None
    assert [(e.actor_key_id, e.actor_role) for e in events] == [(actor, role.value)] * len(events)
    assert all(e.request_id == response.headers["x-request-id"] for e in events)
    hashes = set(session.scalars(select(ApiKey.secret_hash)))
    for e in events:
        values = json.dumps([e.before, e.after])
        assert "whsec_" not in values
        assert "cvk_" not in values
        assert not any(h in values for h in hashes)


@pytest.fixture
def frozen() -> Iterator[clock.FixedClock]:
    """A clock that stands still at TEST_NOW, so recorded instants can be compared exactly."""
    fixed = clock.FixedClock(TEST_NOW, tick=False)
    with clock.using(fixed):
        yield fixed


def _only(session: Session, seen: set[uuid.UUID]) -> AuditEvent:
    [event] = new_events(session, seen)
    return event


NOW = TEST_NOW.isoformat()


def test_watch_create_and_delete_record_the_watch(
    client: TestClient, session: Session, world: dict[str, Any]
) -> None:
    """watch.create has the watch after, watch.delete the watch before; both by the client."""
    owner = str(client_id(session, world["client"]))
    seen = event_ids(session)
    created = client.post(
        "/v1/watches", json={"certificate_id": str(world["cert"])}, headers=auth(world["client"])
    ).json()
    event = _only(session, seen)
    watch = {"client_id": owner, "certificate_id": str(world["cert"]), "last_verdict": "valid"}
    assert (event.action, event.before, event.after) == ("watch.create", None, watch)

    seen = event_ids(session)
    response = client.delete(f"/v1/watches/{created['id']}", headers=auth(world["client"]))
    assert response.status_code == 204
    event = _only(session, seen)
    assert (event.action, event.target_id, event.before, event.after) == (
        "watch.delete",
        created["id"],
        watch,
        None,
    )


@pytest.mark.usefixtures("frozen")
def test_webhook_writes_record_before_and_after_without_secrets(
    client: TestClient, session: Session, world: dict[str, Any]
) -> None:
    """Create, rotate, delete: the endpoint's fields before and after; its secrets never."""
    owner = str(client_id(session, world["client"]))
    headers = auth(world["client"])
    seen = event_ids(session)
    created = client.post(
        "/v1/webhooks",
        json={"url": PUBLIC_HOOK, "events": ["certificate.expiring"]},
        headers=headers,
    ).json()
    fresh = {
        "client_id": owner,
        "url": PUBLIC_HOOK,
        "events": ["certificate.expiring"],
        "enabled": True,
        "disabled_at": None,
        "disabled_reason": None,
        "previous_secret_until": None,
        "deleted_at": None,
    }
    event = _only(session, seen)
    assert (event.action, event.before, event.after) == ("webhook.create", None, fresh)

    seen = event_ids(session)
    rotated = client.post(f"/v1/webhooks/{created['id']}/rotate-secret", headers=headers).json()
    event = _only(session, seen)
    grace_ends = (TEST_NOW + timedelta(hours=24)).isoformat()
    assert (event.action, event.before, event.after) == (
        "webhook.rotate_secret",
        fresh,
        {**fresh, "previous_secret_until": grace_ends},
    )
    for secret in (created["secret"], rotated["secret"]):
        assert secret not in json.dumps([event.before, event.after])

    seen = event_ids(session)
    assert client.delete(f"/v1/webhooks/{created['id']}", headers=headers).status_code == 204
    event = _only(session, seen)
    rotated_state = {**fresh, "previous_secret_until": grace_ends}
    assert (event.action, event.before, event.after) == (
        "webhook.delete",
        rotated_state,
        {**rotated_state, "enabled": False, "deleted_at": NOW},
    )


def test_enable_records_the_disabled_state_and_an_enabled_endpoint_records_nothing(
    client: TestClient, session: Session, world: dict[str, Any]
) -> None:
    """webhook.enable has the disabled state before; enabling an enabled endpoint changes
    nothing and leaves no event."""
    headers = auth(world["client"])
    seen = event_ids(session)
    response = client.post(f"/v1/webhooks/{world['disabled_hook']}/enable", headers=headers)
    assert response.json()["enabled"] is True
    event = _only(session, seen)
    enabled = {
        "client_id": str(client_id(session, world["client"])),
        "url": PUBLIC_HOOK + "/2",
        "events": [],  # every event type
        "enabled": True,
        "disabled_at": None,
        "disabled_reason": None,
        "previous_secret_until": None,
        "deleted_at": None,
    }
    disabled = {
        **enabled,
        "enabled": False,
        "disabled_at": (TEST_NOW - timedelta(hours=2)).isoformat(),
        "disabled_reason": "failing in the fixture",
    }
    assert (event.action, event.before, event.after) == ("webhook.enable", disabled, enabled)
    seen = event_ids(session)
    again = client.post(f"/v1/webhooks/{world['disabled_hook']}/enable", headers=headers)
    assert again.status_code == 200
    assert new_events(session, seen) == []


@pytest.mark.usefixtures("frozen")
def test_replay_records_the_delivery_before_and_after(
    client: TestClient, session: Session, world: dict[str, Any]
) -> None:
    """delivery.replay: a failed delivery becomes pending now, with its attempts reset."""
    delivery = session.get(WebhookDelivery, world["delivery"])
    assert delivery is not None
    seen = event_ids(session)
    response = client.post(
        f"/v1/webhooks/{world['hook']}/deliveries/{world['delivery']}/replay",
        headers=auth(world["client"]),
    )
    assert response.json()["status"] == "pending"
    event = _only(session, seen)
    ids = {"webhook_id": str(world["hook"]), "event_id": str(delivery.event_id)}
    assert (event.action, event.target_type, event.target_id) == (
        "delivery.replay",
        "webhook_delivery",
        str(world["delivery"]),
    )
    assert event.before == {
        **ids,
        "status": "failed",
        "attempts": 4,
        "next_attempt_at": (TEST_NOW - timedelta(hours=1)).isoformat(),
    }
    assert event.after == {**ids, "status": "pending", "attempts": 0, "next_attempt_at": NOW}
    assert event.actor_key_id == key_id(session, world["client"])


def test_audit_events_show_the_new_writes_to_admins_only(
    client: TestClient, session: Session, world: dict[str, Any]
) -> None:
    """GET /v1/audit-events lists watch, replay and key events, filterable, for admins (the
    worker's webhook.disable: tests/integration/test_audit_worker.py)."""
    created = client.post(
        "/v1/watches", json={"certificate_id": str(world["cert"])}, headers=auth(world["client"])
    ).json()
    client.post(
        f"/v1/webhooks/{world['hook']}/deliveries/{world['delivery']}/replay",
        headers=auth(world["client"]),
    )
    assert client.get("/v1/audit-events", headers=auth(world["client"])).status_code == 403
    admin = auth(world["admin"])
    page = client.get("/v1/audit-events", params={"target_type": "watch"}, headers=admin).json()
    assert [(e["action"], e["target_id"]) for e in page["items"]] == [
        ("watch.create", created["id"]),
        ("watch.create", str(world["watch"])),  # the fixture's, older
    ]
    assert page["items"][0]["actor_key_id"] == str(key_id(session, world["client"]))
    assert page["items"][0]["actor_role"] == "client"
    [replay] = client.get(
        "/v1/audit-events", params={"action": "delivery.replay"}, headers=admin
    ).json()["items"]
    assert replay["target_id"] == str(world["delivery"])
    assert replay["after"]["status"] == "pending"
    keys = client.get(
        "/v1/audit-events",
        params={"action": "api_key.create", "target_id": str(key_id(session, world["admin"]))},
        headers=admin,
    ).json()["items"]
    assert [(k["actor_key_id"], k["actor_role"], k["after"]["role"]) for k in keys] == [
        (None, "cli", "admin")
    ]
