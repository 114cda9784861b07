"""Fixtures for batch, watches and webhooks: a small registry, keys, a real HTTP receiver."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from sqlalchemy import Connection
from sqlalchemy.orm import Session, sessionmaker

from app.config import get_settings
from app.services.auth import Role
from tests.factories import accredit, make_ab, make_cb, make_certificate, make_key


@dataclass
class Received:
    """One request the receiver got."""

    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A real HTTP server on loopback that records deliveries and answers scripted statuses."""

    url: str
    requests: list[Received] = field(default_factory=list)
    statuses: list[int] = field(default_factory=list)
    default_status: int = 204


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    """An HTTP endpoint on 127.0.0.1 (allowed only with CERTVERIFY_WEBHOOK_ALLOW_INSECURE)."""
    state: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("content-length", 0))
            body = self.rfile.read(length)
            rec = state["r"]
            rec.requests.append(
                Received(self.path, {k.lower(): v for k, v in self.headers.items()}, body)
            )
            status = rec.statuses.pop(0) if rec.statuses else rec.default_status
            self.send_response(status)
            self.send_header("content-length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state["r"] = Receiver(url=f"http://127.0.0.1:{server.server_address[1]}/hooks")
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield state["r"]
    server.shutdown()
    server.server_close()


@pytest.fixture
def insecure_webhooks(monkeypatch: pytest.MonkeyPatch) -> None:
    """Allow http and loopback webhook targets, as CERTVERIFY_WEBHOOK_ALLOW_INSECURE does."""
    monkeypatch.setattr(get_settings(), "webhook_allow_insecure", True)


@pytest.fixture
def factory(connection: Connection) -> sessionmaker[Session]:
    """A session factory inside the test's transaction, for the worker."""
    return sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    """Two CBs accredited by one AB; three certificates of the first, one of the second."""
    ab = make_ab(session, "WAB", [{"standard": "ISO 9001"}, {"standard": "ISO 14001"}])
    cb1 = make_cb(session, "Watched Certification Ltd", "WCL")
    cb2 = make_cb(session, "Other Watched Certification Ltd", "OWC")
    w: dict[str, Any] = {
        "ab": ab.id,
        "cb1": cb1,
        "cb2": cb2,
        "acc1": accredit(session, cb1, ab.id, "ISO 9001", sectors=[17, 18, 28]),
        "acc2": accredit(session, cb2, ab.id, "ISO 9001"),
        "c1": make_certificate(session, cb1, "W-1"),
        "c2": make_certificate(session, cb1, "W-2", sectors=[28]),
        "c3": make_certificate(session, cb1, "W-3"),
        "c4": make_certificate(session, cb2, "W-4"),
        "client": make_key(session, Role.CLIENT),
        "client2": make_key(session, Role.CLIENT),
        "admin": make_key(session, Role.ADMIN),
        "cb_key": make_key(session, Role.CERTIFICATION_BODY, cb1),
    }
    session.commit()
    return w
