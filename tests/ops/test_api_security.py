"""API keys at rest and in use, and object properties a client may not set (OWASP API2, API3)."""

from __future__ import annotations

import hashlib
import inspect

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.models import ApiKey
from app.services import auth as auth_service
from app.services.auth import Role, authenticate, create_api_key
from tests.factories import auth, certificate_body, make_cb, make_key


def test_keys_are_stored_as_salted_hashes_compared_in_constant_time(session: Session) -> None:
    """Only sha256(per-key prefix:secret) is stored, never the secret; the comparison is
    hmac.compare_digest; two keys never share a salt."""
    first, plaintext = create_api_key(session, role=Role.CLIENT, body_id=None, name="a")
    second, _ = create_api_key(session, role=Role.CLIENT, body_id=None, name="b")
    _, prefix, secret = plaintext.split("_", 2)
    row = session.get(ApiKey, first.id)
    assert row is not None
    assert row.prefix == prefix
    assert secret not in row.secret_hash
    assert plaintext not in row.secret_hash
    assert row.secret_hash == hashlib.sha256(f"{prefix}:{secret}".encode()).hexdigest()
    assert first.prefix != second.prefix
    assert "hmac.compare_digest" in inspect.getsource(auth_service.authenticate)


def test_last_used_time_is_recorded(session: Session) -> None:
    """Authenticating stamps last_used_at, so stale keys can be found and revoked."""
    key, plaintext = create_api_key(session, role=Role.CLIENT, body_id=None, name="stamp")
    assert key.last_used_at is None
    principal = authenticate(session, plaintext)
    assert principal.key_id == key.id
    assert key.last_used_at is not None


def test_unknown_and_read_only_fields_are_rejected(client: TestClient, session: Session) -> None:
    """Mass assignment: ids, timestamps and another body's binding cannot be set through a body."""
    cb = make_cb(session, "Property Checks Ltd", "PCL")
    key = make_key(session, Role.CERTIFICATION_BODY, cb)
    session.commit()
    for extra in ({"id": "00000000-0000-0000-0000-000000000001"}, {"created_at": "2020-01-01"}):
        response = client.post(
            "/v1/certificates", json={**certificate_body("PROP 1"), **extra}, headers=auth(key)
        )
        assert response.status_code == 422, response.text
        assert response.headers["content-type"] == "application/problem+json"
    created = client.post("/v1/certificates", json=certificate_body("PROP 2"), headers=auth(key))
    assert created.status_code == 201, created.text
    moved = client.patch(
        f"/v1/certificates/{created.json()['id']}",
        json={"certification_body_id": "00000000-0000-0000-0000-000000000002"},
        headers=auth(key),
    )
    assert moved.status_code == 422


def test_numbers_are_not_taken_for_dates_or_booleans(client: TestClient, session: Session) -> None:
    """0 is not 1970-01-01 and not false: the body must say what it means."""
    key = make_key(session, Role.ADMIN)
    session.commit()
    for body in (
        {"certificate_number": "X 1", "as_of": 0},
        {"certificate_number": "X", "as_of": 1.5},
    ):
        response = client.post("/v1/verifications", json=body)
        assert response.status_code == 422, response.text
        assert response.json()["errors"][0]["pointer"] == "/as_of"
    response = client.post(
        "/v1/accreditation-bodies",
        json={"acronym": "ZZAB", "name": "Z", "economy": "GB", "mla_scopes_complete": 0},
        headers=auth(key),
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/mla_scopes_complete"
    audit = client.get("/v1/audit-events", params={"since": "1700000000"}, headers=auth(key))
    assert audit.status_code == 422
