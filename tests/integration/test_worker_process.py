"""Issue 5: a real `certverify worker` process killed mid-delivery; a restarted one delivers."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.orm import Session
from standardwebhooks import Webhook

from app import clock
from app.db import make_engine
from app.migrate import upgrade
from app.models import WebhookDelivery
from app.schemas.registry import StatusChange
from app.services.auth import Principal, Role
from app.services.integration.watches import create_watch
from app.services.integration.webhooks import create_endpoint
from app.services.registry import certificates as certificate_service
from app.services.registry.seed import seed_reference_data
from app.services.verification.receipts import reset_key_cache
from tests.factories import ADMIN, accredit, make_ab, make_cb, make_certificate, make_key

pytestmark = pytest.mark.sqlite_only


class SlowThenFine:
    """A receiver whose first request hangs (the worker is mid-delivery), later ones answer 204."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.first_arrived = threading.Event()
        self.release = threading.Event()
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("content-length", 0)))
                outer.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                if len(outer.requests) == 1:
                    outer.first_arrived.set()
                    outer.release.wait(30)
                    return
                self.send_response(204)
                self.send_header("content-length", "0")
                self.end_headers()

            def log_message(self, *_args: Any) -> None:
                return

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hooks"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.release.set()
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver() -> Iterator[SlowThenFine]:
    """The hanging-then-fine receiver."""
    r = SlowThenFine()
    yield r
    r.close()


def _worker(env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "tests.clocked", "app", "worker"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def test_killed_worker_then_restart_delivers(
    tmp_path: Path, receiver: SlowThenFine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SIGKILL while a delivery is in flight; the restarted worker sends it after the lease."""
    url = f"sqlite:///{tmp_path / 'worker.db'}"
    upgrade(url)
    engine = make_engine(url)
    from app.config import get_settings

    monkeypatch.setattr(get_settings(), "webhook_allow_insecure", True)
    reset_key_cache()
    with Session(engine) as session:
        seed_reference_data(session)
        ab = make_ab(session, "KILLAB")
        cb = make_cb(session, "Kill Test Certification", "KTC")
        accredit(session, cb, ab.id)
        cert = make_certificate(session, cb, "K-1")
        make_key(session, Role.CLIENT)
        from sqlalchemy import select

        from app.models import ApiKey

        key = session.scalars(select(ApiKey)).one()
        client = Principal(key_id=key.id, role=Role.CLIENT, client_id=key.client_id)
        endpoint = create_endpoint(session, principal=client, url=receiver.url, events=[])
        secret = endpoint.secret
        create_watch(
            session,
            principal=client,
            certificate_id=cert,
            certificate_number=None,
            certification_body=None,
            today=clock.today(),
        )
        session.commit()
        certificate_service.change_certificate_status(
            session,
            principal=ADMIN,
            certificate_id=cert,
            data=StatusChange(status="withdrawn"),
            today=clock.today(),
        )
        session.commit()  # the outbox event is committed with the change

    env = {
        **os.environ,
        "CERTVERIFY_DATABASE_URL": url,
        "CERTVERIFY_WEBHOOK_ALLOW_INSECURE": "true",
        # The lease never ends before the worst case of an attempt (4 timeouts + 10 s, issue 14):
        # a 1 s timeout keeps it at 14 s; the kill comes long before the first attempt times out.
        "CERTVERIFY_WEBHOOK_LEASE_SECONDS": "2",
        "CERTVERIFY_WEBHOOK_TIMEOUT_SECONDS": "1",
        "CERTVERIFY_LOG_FORMAT": "text",
    }
    first = _worker(env)
    try:
        assert receiver.first_arrived.wait(20), "the worker never started the delivery"
        first.send_signal(signal.SIGKILL)  # dies mid-delivery, after leasing, before any answer
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    receiver.release.set()
    second = _worker(env)
    try:
        deadline = time.monotonic() + 40
        while len(receiver.requests) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(10)
    assert len(receiver.requests) >= 2
    headers, body = receiver.requests[1]
    assert headers["webhook-id"] == receiver.requests[0][0]["webhook-id"]
    assert Webhook(secret).verify(body, headers)["data"]["new_verdict"] == "withdrawn"
    with Session(engine) as session:
        from sqlalchemy import select

        delivery = session.scalars(select(WebhookDelivery)).one()
        assert delivery.status == "succeeded"
    engine.dispose()
