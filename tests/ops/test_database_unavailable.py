"""When the database cannot be reached, requests answer 503 problem+json fast and /readyz fails.
(The PostgreSQL stop-and-restart test under load is tests/faults/test_database_outage.py.)"""

from __future__ import annotations

import socket
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine
from sqlalchemy.orm import Session

from app.config import Settings
from app.db import get_session, make_engine
from app.main import create_app
from app.migrate import upgrade
from tests.ops.servers import free_port


def _client_on(engine: Engine) -> TestClient:
    """An app whose sessions come from `engine`, limits off."""
    app = create_app(Settings(rate_limit_enabled=False))

    def _session() -> Iterator[Session]:
        with Session(engine) as s:
            yield s
            s.commit()

    app.dependency_overrides[get_session] = _session
    # From loopback: /metrics answers loopback clients only without a metrics token.
    return TestClient(app, raise_server_exceptions=False, client=("127.0.0.1", 50000))


def _assert_503(call: Callable[[], httpx.Response], within: float) -> None:
    started = time.monotonic()
    response = call()
    elapsed = time.monotonic() - started
    assert response.status_code == 503, response.text
    assert elapsed < within, f"took {elapsed:.1f} s"
    headers = response.headers
    assert headers["content-type"] == "application/problem+json"
    assert headers["retry-after"] == "5"
    body = response.json()
    assert body["type"] == "/problems/database-unavailable"
    assert body["request_id"] == headers["x-request-id"]
    assert "psycopg" not in response.text.lower()
    assert "sql" not in body["detail"].lower()


def test_refused_connection_is_503_problem_and_not_ready() -> None:
    """Nothing listens on the database port: 503 problem+json at once, /readyz 503."""
    engine = make_engine(
        f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/gone", connect_timeout_seconds=2
    )
    with _client_on(engine) as client:
        _assert_503(lambda: client.get("/v1/standards"), within=3)
        _assert_503(
            lambda: client.post("/v1/verifications", json={"certificate_number": "Q 1"}),
            within=3,
        )
        ready = client.get("/readyz")
        assert ready.status_code == 503
        assert ready.json()["database"] == "unreachable"
        assert client.get("/healthz").status_code == 200
        assert client.get("/metrics").status_code == 200
    engine.dispose()


def test_silent_database_times_out_at_the_connect_timeout() -> None:
    """A server that accepts TCP but never answers: 503 after the connect timeout, not a hang."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(16)
        port = silent.getsockname()[1]
        engine = make_engine(
            f"postgresql+psycopg://postgres@127.0.0.1:{port}/silent", connect_timeout_seconds=2
        )
        with _client_on(engine) as client:
            _assert_503(lambda: client.get("/v1/sectors"), within=5)
        engine.dispose()


@pytest.mark.sqlite_only
def test_exhausted_pool_is_503_problem(tmp_path: Path) -> None:
    """No free pooled connection within the pool timeout: 503, not a queue that never ends."""
    url = f"sqlite:///{tmp_path / 'pool.db'}"
    upgrade(url)
    engine = create_engine(url, pool_size=1, max_overflow=0, pool_timeout=0.2)
    held = engine.connect()
    try:
        with _client_on(engine) as client:
            _assert_503(lambda: client.get("/v1/sectors"), within=2)
    finally:
        held.close()
        engine.dispose()
