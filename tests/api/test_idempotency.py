"""Issue 14, API.md (second round): POST writes accept `Idempotency-Key`. The same key with the
same request within 24 hours answers the first response again; with a different request, 409.
Keys are scoped per client principal; error answers are not kept; bulk uploads are exempt."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app import clock
from app.http.idempotency import fingerprint
from app.models import Certificate, IdempotencyKey, Watch
from app.services.auth import Role
from tests.factories import accredit, auth, certificate_body, make_ab, make_cb, make_key


@pytest.fixture
def cb(session: Session) -> dict[str, Any]:
    """An accredited CB with its key, two client keys, and one of its certificates' ids."""
    ab = make_ab(session, "IDAB")
    cb_id = make_cb(session, "Idempotent Certification Ltd", "IDC")
    accredit(session, cb_id, ab.id)
    keys = {
        "cb_id": cb_id,
        "cb": make_key(session, Role.CERTIFICATION_BODY, cb_id),
        "client": make_key(session, Role.CLIENT),
        "client2": make_key(session, Role.CLIENT),
    }
    session.commit()
    return keys


def _post_certificate(
    client: TestClient, cb: dict[str, Any], key: str | None, number: str = "IK-1", **body: Any
) -> Any:
    headers = {**auth(cb["cb"])}
    if key is not None:
        headers["Idempotency-Key"] = key
    return client.post("/v1/certificates", json=certificate_body(number, **body), headers=headers)


def _certificates(session: Session, number_key: str) -> int:
    return (
        session.scalar(
            select(func.count())
            .select_from(Certificate)
            .where(Certificate.number_key == number_key)
        )
        or 0
    )


def test_a_retry_with_the_same_key_answers_the_first_response(
    client: TestClient, session: Session, cb: dict[str, Any]
) -> None:
    """The second POST is not run again: the same 201 and body, marked as a replay (without
    the key it would be a 409 duplicate number)."""
    first = _post_certificate(client, cb, "create-ik-1")
    again = _post_certificate(client, cb, "create-ik-1")
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert again.content == first.content
    assert again.json()["id"] == first.json()["id"]
    assert again.headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in first.headers
    assert again.headers["x-request-id"] != first.headers["x-request-id"]
    assert _certificates(session, "IK1") == 1
    assert _post_certificate(client, cb, None).status_code == 409  # without the key: a retry


def test_the_same_key_with_another_body_is_a_409(client: TestClient, cb: dict[str, Any]) -> None:
    """A different request under a used key: 409 problem, nothing run."""
    assert _post_certificate(client, cb, "create-ik-2", "IK-2").status_code == 201
    response = _post_certificate(client, cb, "create-ik-2", "IK-3")
    assert response.status_code == 409, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["detail"] == (
        "This Idempotency-Key was used with a different request (method, path, query or body) "
        "in the last 24 hours; send a new key for a new request."
    )
    assert client.get("/v1/certificates", params={"certificate_number": "IK-3"}).json() == {
        "items": [],
        "next_page_token": None,
    }


def test_a_key_is_forgotten_after_24_hours(
    client: TestClient, cb: dict[str, Any], test_clock: clock.FixedClock
) -> None:
    """24 hours on, the key is new again: the request runs (here: a 409 duplicate number)."""
    assert _post_certificate(client, cb, "create-ik-4", "IK-4").status_code == 201
    test_clock.advance(timedelta(hours=23, minutes=59))
    assert _post_certificate(client, cb, "create-ik-4", "IK-4").status_code == 201
    test_clock.advance(timedelta(minutes=2))
    again = _post_certificate(client, cb, "create-ik-4", "IK-4")
    assert again.status_code == 409, again.text
    assert again.json()["type"] == "/problems/conflict"
    assert "idempotent-replayed" not in again.headers


def test_an_error_answer_is_not_kept(client: TestClient, cb: dict[str, Any]) -> None:
    """A 422 wrote nothing and keeps nothing: the corrected request may reuse the key."""
    bad = _post_certificate(client, cb, "create-ik-5", "IK-5", expiry_date="2020-01-01")
    assert bad.status_code == 422, bad.text
    fixed = _post_certificate(client, cb, "create-ik-5", "IK-5")
    assert fixed.status_code == 201, fixed.text
    assert "idempotent-replayed" not in fixed.headers


def test_keys_are_scoped_per_client(
    client: TestClient, session: Session, cb: dict[str, Any]
) -> None:
    """Two clients using the same key each get their own watch, never the other's answer."""
    cert = _post_certificate(client, cb, None, "IK-6").json()["id"]
    answers = [
        client.post(
            "/v1/watches",
            json={"certificate_id": cert},
            headers={**auth(cb[name]), "Idempotency-Key": "watch-1"},
        )
        for name in ("client", "client2", "client")
    ]
    assert [a.status_code for a in answers] == [201, 201, 201]
    ids = [a.json()["id"] for a in answers]
    assert ids[0] != ids[1]
    assert ids[2] == ids[0]
    assert answers[2].headers["idempotent-replayed"] == "true"
    assert "idempotent-replayed" not in answers[1].headers
    watches = session.scalar(
        select(func.count()).select_from(Watch).where(Watch.certificate_id == uuid.UUID(cert))
    )
    assert watches == 2


def test_a_webhook_secret_is_replayed_but_never_stored_in_clear(
    client: TestClient, session: Session, cb: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The retried creation of a webhook answers the same endpoint and secret (the loopback
    target is allowed as with CERTVERIFY_WEBHOOK_ALLOW_INSECURE); the kept answer is sealed
    (the secret is not in the database in clear)."""
    from app.config import get_settings

    monkeypatch.setattr(get_settings(), "webhook_allow_insecure", True)
    headers = {**auth(cb["client"]), "Idempotency-Key": "hook-1"}
    body = {"url": "http://127.0.0.1:9/certverify"}
    first = client.post("/v1/webhooks", json=body, headers=headers)
    again = client.post("/v1/webhooks", json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201), again.text
    assert again.json() == first.json()
    secret = first.json()["secret"]
    assert secret.startswith("whsec_")
    [kept] = session.scalars(
        select(IdempotencyKey).where(IdempotencyKey.idempotency_key == "hook-1")
    ).all()
    assert kept.response is not None
    assert secret not in kept.response
    assert secret.removeprefix("whsec_") not in kept.response


@pytest.mark.parametrize(
    ("key", "reason"),
    [
        (b"", "empty"),
        (b"x" * 256, "too long"),
        (b"bad\tkey", "control"),
        ("ключ".encode(), "non-ASCII"),
        (b" padded ", "spaces at the ends"),
    ],
)
def test_a_malformed_key_is_a_422_naming_the_header(
    client: TestClient, cb: dict[str, Any], key: bytes, reason: str
) -> None:
    """1 to 255 printable ASCII characters, else 422 on the header; nothing is run."""
    response = client.post(
        "/v1/certificates",
        json=certificate_body("IK-7"),
        headers=[*auth(cb["cb"]).items(), ("Idempotency-Key", key)],
    )
    assert response.status_code == 422, (reason, response.text)
    assert response.json()["errors"] == [
        {
            "pointer": "/Idempotency-Key",
            "detail": "one key of 1 to 255 printable ASCII characters",
            "parameter": "Idempotency-Key",
            "location": "header",
        }
    ]


BODY = json.dumps(certificate_body("IK-8")).encode()


def _reserve(session: Session, cb: dict[str, Any], key: str, age: timedelta) -> None:
    """A reservation of `key` for POSTing BODY by the CB's key, made `age` ago and still
    without an answer (a request running, or one that died)."""
    from app.repositories.keys import api_key_by_prefix

    api_key = api_key_by_prefix(session, cb["cb"].split("_")[1])
    assert api_key is not None
    client_id = getattr(api_key, "client_id", None)
    scope = {"method": "POST", "path": "/v1/certificates", "query_string": b""}
    session.add(
        IdempotencyKey(
            principal=f"client:{client_id}" if client_id else f"key:{api_key.id}",
            idempotency_key=key,
            fingerprint=fingerprint(scope, b"application/json", BODY),
            method="POST",
            path="/v1/certificates",
            created_at=clock.now() - age,
        )
    )
    session.commit()


def _post_body(client: TestClient, cb: dict[str, Any], key: str) -> Any:
    headers = {**auth(cb["cb"]), "Idempotency-Key": key, "Content-Type": "application/json"}
    return client.post("/v1/certificates", content=BODY, headers=headers)


def test_a_key_whose_request_is_still_running_is_a_409_to_retry(
    client: TestClient, session: Session, cb: dict[str, Any]
) -> None:
    """Two retries in flight never both run: the second is 409 with Retry-After."""
    _reserve(session, cb, "running-1", timedelta(seconds=2))
    response = _post_body(client, cb, "running-1")
    assert response.status_code == 409, response.text
    assert response.headers["retry-after"] == "1"
    assert response.json()["detail"] == (
        "A request with this Idempotency-Key is still being processed; retry once it has answered."
    )


def test_a_key_whose_request_died_is_refused(
    client: TestClient, session: Session, cb: dict[str, Any]
) -> None:
    """A reservation unanswered for over 5 minutes: outcome unknown, so never run again."""
    _reserve(session, cb, "died-1", timedelta(minutes=6))
    response = _post_body(client, cb, "died-1")
    assert response.status_code == 409, response.text
    assert "retry-after" not in response.headers
    assert response.json()["detail"] == (
        "The first request with this Idempotency-Key never finished answering, so whether it "
        "was done is unknown: check, then send a new key."
    )
    assert _certificates(session, "IK8") == 0


def test_anonymous_requests_and_bulk_uploads_are_not_kept(
    client: TestClient, cb: dict[str, Any]
) -> None:
    """Without a key nothing is kept (a verification writes nothing then); a batch runs again
    (exempt: it writes no registry data), each answer with its own verification id."""
    headers = {"Idempotency-Key": "verify-1"}
    body = {"certificate_number": "IK-NONE"}
    ids = [
        client.post("/v1/verifications", json=body, headers=headers).json()["verification_id"]
        for _ in range(2)
    ]
    assert ids[0] != ids[1]
    batch = {"items": [body]}
    keyed = {**auth(cb["client"]), "Idempotency-Key": "batch-1"}
    answers = [client.post("/v1/verifications/batch", json=batch, headers=keyed) for _ in range(2)]
    assert [a.status_code for a in answers] == [200, 200]
    assert "idempotent-replayed" not in answers[1].headers
    assert (
        answers[0].json()["results"][0]["verification_id"]
        != answers[1].json()["results"][0]["verification_id"]
    )
