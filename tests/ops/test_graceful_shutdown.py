"""`certverify serve` stops gracefully: on SIGTERM, requests in flight finish with their answer."""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.ops.servers import running_server, seeded_database, stop

pytestmark = pytest.mark.sqlite_only


def test_sigterm_lets_the_request_in_flight_finish(tmp_path: Path) -> None:
    """A 2-second request started before SIGTERM still answers 200; then the process shuts down
    cleanly, and its log lines are JSON."""
    url = f"sqlite:///{tmp_path / 'shutdown.db'}"
    seeded_database(url)
    env = {
        "CERTVERIFY_DATABASE_URL": url,
        "CERTVERIFY_TESTING_ROUTES": "true",
        "CERTVERIFY_SHUTDOWN_GRACE_SECONDS": "20",
    }
    outcome: dict[str, object] = {}
    with running_server(tmp_path, env, serve_command=True) as server:

        def slow_request() -> None:
            try:
                response = httpx.get(server.base_url + "/_test/sleep?seconds=2", timeout=30)
                outcome["status"], outcome["body"] = response.status_code, response.json()
            except httpx.HTTPError as exc:  # pragma: no cover - reported by the assert below
                outcome["error"] = repr(exc)

        worker = threading.Thread(target=slow_request)
        worker.start()
        time.sleep(0.7)  # the request is in flight
        signalled = time.monotonic()
        server.process.send_signal(signal.SIGTERM)
        worker.join(timeout=30)
        code = stop(server, timeout=20)
        elapsed = time.monotonic() - signalled
        log = server.output()
    assert outcome.get("status") == 200, (outcome, log)
    assert outcome["body"] == {"slept": 2.0}
    # uvicorn finishes its shutdown, then re-raises the signal it caught: -SIGTERM, not a kill.
    assert code in (0, -signal.SIGTERM), log
    assert "Application shutdown complete" in log
    assert elapsed < 10
    json_lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    assert any(line.get("path") == "/_test/sleep" for line in json_lines), log
