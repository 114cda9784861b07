"""Read your writes (DESIGN.md): the process that commits a registry write reflects it in every
answer it gives afterwards; another worker process within the documented bound."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from app.db import make_engine
from app.schemas.registry import StatusChange
from app.schemas.verification import VerificationRequestIn
from app.services.auth import Role
from app.services.registry import bodies as registry
from app.services.verification import cache as fact_cache
from app.services.verification.answer import verify_certificate
from app.services.verification.receipts import reset_key_cache
from tests.conftest import TEST_NOW, seeded_database
from tests.factories import ADMIN, TODAY, accredit, auth, make_ab, make_cb, make_certificate
from tests.ops.servers import create_key, running_server

BOUND_MS = 500
"""The documented staleness bound for other workers (CERTVERIFY_FACT_CACHE_REFRESH_MS)."""


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    """A database of this test's own, written with real commits, and its engine."""
    databases = seeded_database(tmp_path, "ryw")
    url = next(databases)
    eng = make_engine(url)
    reset_key_cache()
    fact_cache.reset_caches()
    yield eng
    fact_cache.reset_caches()
    reset_key_cache()
    eng.dispose()
    next(databases, None)


def _registry(engine: Engine) -> dict[str, Any]:
    """A CB accredited for ISO 9001 with one valid certificate, committed."""
    tag = uuid.uuid4().hex[:6].upper()
    with Session(engine) as session:
        ab = make_ab(session, f"AB{tag}")
        cb = make_cb(session, f"Read Your Writes Certification {tag}", f"R{tag}")
        accreditation = accredit(session, cb, ab.id, "ISO 9001", sectors=[17, 18, 19])
        number = f"RYW-{tag}"
        make_certificate(session, cb, number)
        session.commit()
    return {"number": number, "accreditation": accreditation}


def _verdict(engine: Engine, number: str) -> str:
    with Session(engine) as session:
        answer = verify_certificate(
            session, request=VerificationRequestIn(certificate_number=number), now=TEST_NOW
        )
        session.commit()
    return str(answer["verdict"])


def test_the_committing_process_reflects_its_write_at_once(engine: Engine) -> None:
    """With a refresh bound of an hour, only invalidation at commit can explain the new answer
    (before: `valid` until the next poll)."""
    fact_cache.configure_cache(engine, refresh_seconds=3600, max_entries=10_000)
    world = _registry(engine)
    assert _verdict(engine, world["number"]) == "valid"  # facts now cached
    assert _verdict(engine, world["number"]) == "valid"
    with Session(engine) as session:
        registry.change_accreditation_status(
            session,
            principal=ADMIN,
            accreditation_id=world["accreditation"],
            data=StatusChange(status="suspended", effective_from=TODAY),
            today=TODAY,
        )
        session.commit()
    assert _verdict(engine, world["number"]) == "not_accredited"


def test_a_rolled_back_write_keeps_the_cache(engine: Engine) -> None:
    """Only a committed write drops the cache: a rolled-back one changed nothing."""
    cache = fact_cache.configure_cache(engine, refresh_seconds=3600, max_entries=10_000)
    world = _registry(engine)
    assert _verdict(engine, world["number"]) == "valid"
    held = cache.size("certificates") + cache.size("accreditations")
    assert held > 0
    with Session(engine) as session:
        registry.change_accreditation_status(
            session,
            principal=ADMIN,
            accreditation_id=world["accreditation"],
            data=StatusChange(status="suspended", effective_from=TODAY),
            today=TODAY,
        )
        session.rollback()
    assert cache.size("certificates") + cache.size("accreditations") == held
    assert _verdict(engine, world["number"]) == "valid"


def _get_verdict(server_url: str, number: str) -> str:
    response = httpx.get(
        server_url + "/v1/verify", params={"certificate_number": number}, timeout=10
    )
    assert response.status_code == 200, response.text
    return str(response.json()["verdict"])


def test_two_worker_processes_one_writes_the_other_sees_it_within_the_bound(
    tmp_path: Path, engine: Engine
) -> None:
    """Two uvicorn processes on one database: a suspension through the first's API is in the
    first's next answer, and in the second's within the bound (plus one request's time)."""
    world = _registry(engine)
    url = engine.url.render_as_string(hide_password=False)
    admin = create_key(url, Role.ADMIN)
    env = {"CERTVERIFY_DATABASE_URL": url, "CERTVERIFY_FACT_CACHE_REFRESH_MS": str(BOUND_MS)}
    with running_server(tmp_path, env) as first, running_server(tmp_path, env) as second:
        for server in (first, second):  # both caches warm
            assert _get_verdict(server.base_url, world["number"]) == "valid"
            assert _get_verdict(server.base_url, world["number"]) == "valid"
        written = httpx.post(
            f"{first.base_url}/v1/accreditations/{world['accreditation']}/status",
            json={"status": "suspended", "effective_from": TODAY.isoformat()},
            headers=auth(admin),
            timeout=10,
        )
        committed_at = time.monotonic()
        assert written.status_code == 200, written.text
        assert _get_verdict(first.base_url, world["number"]) == "not_accredited"
        seen = None
        while time.monotonic() - committed_at < 10:
            if _get_verdict(second.base_url, world["number"]) == "not_accredited":
                seen = time.monotonic() - committed_at
                break
            time.sleep(0.02)
    assert seen is not None, "the second worker never saw the write"
    assert seen < BOUND_MS / 1000 + 1.0, f"seen after {seen:.2f} s"
