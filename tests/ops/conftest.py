"""Apps built with explicit settings (rate limits on, small budgets) over the test's transaction."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any
from uuid import uuid4

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Connection

from app.config import Settings
from app.db import get_session
from app.main import create_app
from tests.conftest import session_override

AppFactory = Callable[..., TestClient]


def build_app(connection: Connection | None, **settings: Any) -> FastAPI:
    """create_app with these settings (rate limits on unless told), sessions on `connection`."""
    # Each app keeps its own buckets: in its process (a new MemoryStore), or under a Redis key
    # prefix of its own, so no test spends a budget another test relies on.
    defaults = {"rate_limit_enabled": True, "redis_key_prefix": f"certverify-test-{uuid4().hex}:"}
    app = create_app(Settings(**{**defaults, **settings}))
    if connection is not None:
        app.dependency_overrides[get_session] = session_override(connection)
    return app


@pytest.fixture
def make_client(connection: Connection) -> Iterator[AppFactory]:
    """Build TestClients for apps with the given settings; closed after the test."""
    clients: list[TestClient] = []

    def make(*, client_address: str = "203.0.113.7", **settings: Any) -> TestClient:
        app = build_app(connection, **settings)
        client = TestClient(app, raise_server_exceptions=False, client=(client_address, 50000))
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)
