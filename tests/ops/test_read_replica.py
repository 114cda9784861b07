"""CERTVERIFY_READ_DATABASE_URL: verification and public reads use the replica, writes (the
receipt signing key, stored verifications, registry writes) go to the primary."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.config import get_settings
from app.db import (
    get_engine,
    get_read_engine,
    get_read_session,
    get_read_session_factory,
    get_session_factory,
    primary_bind,
)
from app.main import create_app
from app.services.auth import Role
from app.services.verification.receipts import reset_key_cache
from tests.factories import accredit, auth, make_ab, make_cb, make_certificate, make_key
from tests.ops.servers import seeded_database

pytestmark = pytest.mark.sqlite_only
AS_OF = "2026-11-26"


def _clear_caches() -> None:
    """Forget the process-wide settings, engines and signing key (the test changes them)."""
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    replica = get_read_engine() if get_read_engine.cache_info().currsize else None
    if replica is not None:
        replica.dispose()
    for cached in (
        get_settings,
        get_engine,
        get_session_factory,
        get_read_engine,
        get_read_session_factory,
    ):
        cached.cache_clear()
    reset_key_cache()


@pytest.fixture
def replica_setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A primary SQLite file with one certificate, and a read-only URL of the same file."""
    path = tmp_path / "primary.db"
    primary = f"sqlite:///{path}"
    seeded_database(primary)
    _clear_caches()
    monkeypatch.setenv("CERTVERIFY_DATABASE_URL", primary)
    monkeypatch.setenv("CERTVERIFY_READ_DATABASE_URL", f"sqlite:///file:{path}?mode=ro&uri=true")
    with get_session_factory()() as session:
        ab = make_ab(session, "RAB")
        cb = make_cb(session, "Replica Certification Ltd", "RCL")
        accredit(session, cb, ab.id, "ISO 9001", sectors=[])
        make_certificate(session, cb, "RC 1", sectors=[])
        admin = make_key(session, Role.ADMIN)
        client_key = make_key(session, Role.CLIENT)
        session.commit()
    yield {"admin": admin, "client": client_key}
    _clear_caches()


def test_reads_use_the_replica_and_writes_the_primary(replica_setup: dict[str, str]) -> None:
    """With a read-only replica URL, verification and public reads work; the signing key, the
    stored verification and registry writes land on the primary."""
    with TestClient(create_app(), raise_server_exceptions=False) as client:
        answer = client.get("/v1/verify", params={"certificate_number": "RC 1", "as_of": AS_OF})
        assert answer.status_code == 200, answer.text
        assert answer.json()["verdict"] == "valid"
        assert answer.json()["receipt"].count(".") == 2
        keyed = client.post(
            "/v1/verifications",
            json={"certificate_number": "RC 1", "certification_body": "RCL", "as_of": AS_OF},
            headers=auth(replica_setup["client"]),
        )
        assert keyed.status_code == 200, keyed.text
        assert client.get("/v1/standards").status_code == 200
        assert client.get("/v1/certificates", params={"organization": "Acme"}).status_code == 200
        created = client.post(
            "/v1/certification-bodies",
            json={"name": "Written To Primary Ltd", "acronym": "WTP", "country": "GB"},
            headers=auth(replica_setup["admin"]),
        )
        assert created.status_code == 201, created.text
        ready = client.get("/readyz").json()
        assert ready["read_replica"] == "ok"


@pytest.mark.usefixtures("replica_setup")
def test_read_dependency_uses_the_replica_engine() -> None:
    """get_read_session yields a session on the replica engine, and primary_bind maps it back."""
    replica = get_read_engine()
    assert replica is not None
    assert replica is not get_engine()
    with get_session_factory()() as primary:
        dependency = get_read_session(primary)
        assert isinstance(dependency, Generator)
        session = next(dependency)
        assert session is not primary
        assert session.get_bind() is replica
        assert primary_bind(session) is get_engine()
        dependency.close()


def test_without_a_replica_reads_share_the_request_session(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No CERTVERIFY_READ_DATABASE_URL: the read dependency hands back the primary session."""
    _clear_caches()
    monkeypatch.setenv("CERTVERIFY_DATABASE_URL", f"sqlite:///{tmp_path / 'solo.db'}")
    monkeypatch.delenv("CERTVERIFY_READ_DATABASE_URL", raising=False)
    try:
        assert get_read_engine() is None
        primary = Session(get_engine())
        dependency = get_read_session(primary)
        assert next(dependency) is primary
        assert primary_bind(primary) is get_engine()
        primary.close()
    finally:
        _clear_caches()
