"""Fault test: the database goes away under load and comes back.

A PostgreSQL server of the test's own (tests/faults/pg.py) serves a uvicorn process while four
threads keep verifying certificates. The server is stopped: every request must answer quickly
with 503 problem+json (never hang, never 500) and /readyz must fail. The server is started
again: without touching the service, requests must succeed again and /readyz must pass.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.orm import Session

from app.db import make_engine
from tests.factories import accredit, make_ab, make_cb, make_certificate
from tests.faults.pg import PostgresServer, postgres_bin, private_postgres
from tests.ops.servers import running_server, seeded_database

REQUIRED = os.environ.get("CERTVERIFY_REQUIRE_FAULT_TEST") == "1"
"""Set by .ci/run: a machine without PostgreSQL binaries then fails instead of skipping."""
CLIENTS = 4
QUERY = {"certificate_number": "FAULT 1", "certification_body": "FCB", "as_of": "2026-11-26"}
MAX_SECONDS_WHILE_DOWN = 4.0


@dataclass
class Outcome:
    """One request of the load."""

    started: float
    seconds: float
    status: int
    content_type: str
    problem_type: str | None


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    """A private PostgreSQL server with a migrated, seeded `certverify` database."""
    if postgres_bin() is None:
        reason = "PostgreSQL server binaries (/usr/lib/postgresql/*/bin) are not installed"
        if REQUIRED:
            pytest.fail(reason + "; CERTVERIFY_REQUIRE_FAULT_TEST=1 demands them", pytrace=False)
        pytest.skip(reason)
    with private_postgres() as server:
        admin = create_engine(server.url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("CREATE DATABASE certverify"))
        admin.dispose()
        url = server.url.rsplit("/", 1)[0] + "/certverify"
        seeded_database(url)
        engine = make_engine(url)
        with Session(engine) as session:
            ab = make_ab(session, "FAB")
            cb = make_cb(session, "Fault Certification Ltd", "FCB")
            accredit(session, cb, ab.id, "ISO 9001", sectors=[])
            make_certificate(session, cb, "FAULT 1", sectors=[])
            session.commit()
        engine.dispose()
        yield server


def _load(base_url: str, stop: threading.Event, out: list[Outcome]) -> None:
    """Verify in a loop until told to stop (bounded by the test's own timeline)."""
    with httpx.Client(base_url=base_url, timeout=15) as http:
        while not stop.is_set():
            started = time.monotonic()
            try:
                response = http.get("/v1/verify", params=QUERY)
            except httpx.HTTPError:
                out.append(Outcome(started, time.monotonic() - started, 0, "", None))
                continue
            ctype = response.headers.get("content-type", "")
            problem = response.json().get("type") if "problem+json" in ctype else None
            out.append(
                Outcome(started, time.monotonic() - started, response.status_code, ctype, problem)
            )
            time.sleep(0.02)


def _wait_for(predicate: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False


def test_database_outage_answers_503_then_recovers(
    postgres: PostgresServer, tmp_path: Path
) -> None:
    """Stop PostgreSQL under load: fast 503 problems and a failing /readyz; start it again: the
    service recovers by itself."""
    url = postgres.url.rsplit("/", 1)[0] + "/certverify"
    env = {
        "CERTVERIFY_DATABASE_URL": url,
        "CERTVERIFY_RATE_LIMIT_ENABLED": "false",
        "CERTVERIFY_DATABASE_CONNECT_TIMEOUT_SECONDS": "2",
        "CERTVERIFY_DATABASE_POOL_TIMEOUT_SECONDS": "2",
    }
    outcomes: list[Outcome] = []
    stop = threading.Event()
    with running_server(tmp_path, env) as server, ThreadPoolExecutor(CLIENTS) as pool:

        def ready() -> int:
            return httpx.get(server.base_url + "/readyz", timeout=10).status_code

        assert ready() == 200
        for _ in range(CLIENTS):
            pool.submit(_load, server.base_url, stop, outcomes)
        try:
            time.sleep(1.5)
            went_down = time.monotonic()
            postgres.stop("fast")
            stopped = time.monotonic()
            assert _wait_for(lambda: ready() == 503, 10), "/readyz did not fail"
            time.sleep(3.0)
            came_back = time.monotonic()
            postgres.start()
            assert _wait_for(lambda: ready() == 200, 20), "/readyz did not recover"
            recovered = time.monotonic()
            time.sleep(1.5)
        finally:
            stop.set()
        log = server.output()

    before = [o for o in outcomes if o.started + o.seconds < went_down]
    during = [
        o for o in outcomes if o.started > stopped + 0.5 and o.started + o.seconds < came_back
    ]
    after = [o for o in outcomes if o.started > recovered]
    assert before, "no request finished before the database went down"
    assert all(o.status == 200 for o in before), before[:5]
    assert len(during) >= CLIENTS, f"too few requests while the database was down: {during}"
    assert all(o.status == 503 for o in during), [o.status for o in during]
    assert all(o.content_type == "application/problem+json" for o in during)
    assert {o.problem_type for o in during} == {"/problems/database-unavailable"}
    slowest = max(o.seconds for o in during)
    assert slowest < MAX_SECONDS_WHILE_DOWN, f"a request took {slowest:.1f} s while down"
    assert after, "no request started after the service recovered"
    assert all(o.status == 200 for o in after), [o.status for o in after][:20]
    assert {o.status for o in outcomes} <= {200, 503}, "no 5xx other than 503, no dropped request"
    assert "Traceback" not in log
    sys.stdout.write(
        f"requests: {len(outcomes)}; while down: {len(during)} x 503, slowest {slowest:.2f} s; "
        f"recovered {recovered - came_back:.1f} s after the restart\n"
    )


def test_service_connections_carry_the_statement_timeout(postgres: PostgresServer) -> None:
    """The service's engine sets statement_timeout and connect_timeout on PostgreSQL."""
    engine = make_engine(postgres.url, statement_timeout_ms=1500, connect_timeout_seconds=2)
    with engine.connect() as conn:
        assert conn.execute(text("SHOW statement_timeout")).scalar() == "1500ms"
        with pytest.raises(Exception, match="statement timeout"):
            conn.execute(text("SELECT pg_sleep(3)"))
    engine.dispose()
