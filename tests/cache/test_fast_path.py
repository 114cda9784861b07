"""The event-loop path of GET /v1/verify answers only from the fact cache of the app's own read
engine, so an app whose session dependency is overridden always answers through its sessions."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from app.db import make_engine
from app.services.verification.cache import FastPathCache
from tests.factories import accredit, make_ab, make_cb, make_certificate


def test_only_a_session_on_the_apps_own_engine_arms_the_fast_path(
    engine: Engine, connection: Connection, database_url: str
) -> None:
    """A session joined to an outside connection, or bound to another engine, never names the
    cache to answer from; a session on the app's own read engine does."""
    fast_path = FastPathCache(own_engine=lambda: engine)
    with Session(bind=connection) as joined:
        fast_path.adopt(joined)
    assert fast_path.engine is None
    other = make_engine(database_url)
    try:
        with Session(other) as elsewhere:
            fast_path.adopt(elsewhere)
        assert fast_path.engine is None
    finally:
        other.dispose()
    with Session(engine) as own:
        fast_path.adopt(own)
    assert fast_path.engine is engine


@pytest.mark.parametrize("requests", [1, 3])
def test_an_overridden_session_is_used_by_every_anonymous_verification(
    client: TestClient, session: Session, requests: int
) -> None:
    """With get_session overridden (the test's rolled-back transaction), every GET /v1/verify
    reads through the override: it finds a certificate only that transaction holds, and the
    app's fast-path cache is never armed."""
    ab = make_ab(session, "FPAB")
    cb = make_cb(session, "Fast Path Certification Ltd", "FPCL")
    accredit(session, cb, ab.id, "ISO 9001", sectors=[17, 18, 19])
    make_certificate(session, cb, "FP 1")
    session.commit()
    for _ in range(requests):
        answer = client.get("/v1/verify", params={"certificate_number": "FP 1"})
        assert answer.status_code == 200, answer.text
        assert answer.json()["verdict"] == "valid"
    app = client.app
    assert app.state.fast_path_cache.engine is None  # type: ignore[attr-defined]
