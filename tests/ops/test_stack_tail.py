"""Issue 16, item 3 (a flat tail): the collector settled once per serving process, and log lines
formatted and written by a logging thread with what they said at the call."""

from __future__ import annotations

import gc
import io
import json
import logging
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from app.http import collector
from app.http.middleware import current_request_id
from app.http.observability import LogThreadHandler, configure_logging
from app.routers import verify as verify_router
from tests.ops.conftest import AppFactory


@pytest.fixture
def gc_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[Any, ...]]:
    """The collector calls settle_collector makes, recorded instead of made (the test process's
    own collector is never frozen or retuned), as if no app had started in this process yet."""
    calls: list[tuple[Any, ...]] = []
    monkeypatch.setattr(collector, "_settled", False)
    monkeypatch.setattr(gc, "get_threshold", lambda: (700, 10, 10))
    monkeypatch.setattr(gc, "set_threshold", lambda *a: calls.append(("set_threshold", *a)))

    def collect(*args: int) -> int:
        calls.append(("collect", *args))
        return 0

    monkeypatch.setattr(gc, "collect", collect)
    monkeypatch.setattr(gc, "freeze", lambda: calls.append(("freeze",)))
    return calls


def test_the_collector_is_settled_once_per_process(gc_calls: list[tuple[Any, ...]]) -> None:
    """The first start-up raises the young threshold, collects and freezes; later ones (more apps
    in the same process) change nothing."""
    assert collector.settle_collector(freeze=True, gen0_threshold=10_000) is True
    assert gc_calls == [("set_threshold", 10_000, 10, 10), ("collect",), ("freeze",)]
    assert collector.settle_collector(freeze=True, gen0_threshold=50_000) is False
    assert gc_calls == [("set_threshold", 10_000, 10, 10), ("collect",), ("freeze",)]


def test_the_collector_settings_can_turn_both_off(gc_calls: list[tuple[Any, ...]]) -> None:
    """CERTVERIFY_GC_FREEZE=false and CERTVERIFY_GC_GEN0_THRESHOLD=0 leave Python's collector
    as it is."""
    assert collector.settle_collector(freeze=False, gen0_threshold=0) is True
    assert gc_calls == []


def test_the_app_settles_the_collector_at_start_up(
    make_client: AppFactory, gc_calls: list[tuple[Any, ...]]
) -> None:
    """The app's lifespan applies its settings (under uvicorn app.main:app as under serve)."""
    make_client(rate_limit_enabled=False, gc_freeze=True, gc_gen0_threshold=1234)
    assert gc_calls == [("set_threshold", 1234, 10, 10), ("collect",), ("freeze",)]


def test_the_default_settings_freeze_and_raise_the_threshold() -> None:
    """Production defaults: frozen start-up heap, 10,000 allocations between young passes, log
    lines written by the logging thread."""
    from app.config import Settings

    defaults = Settings.model_fields
    assert defaults["gc_freeze"].default is True
    assert defaults["gc_gen0_threshold"].default == 10_000
    assert defaults["log_queue"].default is True


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """The suite's own logging put back afterwards (closing any logging thread first)."""
    yield
    configure_logging("INFO", "json")


def _pipe(monkeypatch: pytest.MonkeyPatch) -> io.StringIO:
    """stderr as a pipe would be (JSON lines); set in the test itself, since pytest puts its
    own capture back between a fixture's setup and the test."""
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    return stream


def _flush() -> None:
    """Write what the logging thread holds: reconfiguring closes it after its last record."""
    configure_logging("INFO", "json")


@pytest.mark.usefixtures("restore_logging")
def test_the_logging_thread_writes_what_the_call_said(monkeypatch: pytest.MonkeyPatch) -> None:
    """The message with its arguments as they were at the call, and the request id of the
    request that logged it (a context variable the thread cannot see), in JSON, in order."""
    stderr = _pipe(monkeypatch)
    configure_logging("INFO", "json", in_thread=True)
    [handler] = [h for h in logging.getLogger().handlers if isinstance(h, LogThreadHandler)]
    items = ["first"]
    token = current_request_id.set("rid-thread-1")
    try:
        logging.getLogger("certverify.test").info("items %s", items, extra={"event": "probe"})
    finally:
        current_request_id.reset(token)
    items.append("changed after the call")
    for n in range(300):
        logging.getLogger("certverify.test").warning("line %d", n)
    _flush()
    assert not handler._thread.is_alive()
    lines = [json.loads(line) for line in stderr.getvalue().splitlines()]
    assert len(lines) == 301
    first = {k: v for k, v in lines[0].items() if k != "ts"}
    assert first == {
        "level": "info",
        "logger": "certverify.test",
        "message": "items ['first']",
        "request_id": "rid-thread-1",
        "event": "probe",
    }
    assert [line["message"] for line in lines[1:]] == [f"line {n}" for n in range(300)]
    assert all("request_id" not in line for line in lines[1:])


@pytest.mark.usefixtures("restore_logging")
def test_the_access_log_through_the_logging_thread(
    make_client: AppFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With CERTVERIFY_LOG_QUEUE on, a request's access line carries its request id, route,
    status and duration, as when written in the request."""
    stderr = _pipe(monkeypatch)
    client = make_client(rate_limit_enabled=False, log_format="json", log_queue=True)
    assert any(isinstance(h, LogThreadHandler) for h in logging.getLogger().handlers)
    response = client.get("/v1/sectors", headers={"X-Request-ID": "thread-42"})
    assert response.status_code == 200
    _flush()
    lines = [json.loads(line) for line in stderr.getvalue().splitlines() if line.startswith("{")]
    [mine] = [line for line in lines if line.get("request_id") == "thread-42"]
    assert {k: mine[k] for k in ("logger", "message", "route", "status", "event")} == {
        "logger": "certverify.access",
        "message": "GET /v1/sectors 200",
        "route": "/v1/sectors",
        "status": 200,
        "event": "request",
    }
    assert isinstance(mine["duration_ms"], float)


def test_a_repeated_verify_query_is_parsed_once(
    client: TestClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """GET /v1/verify keeps the verification request of a valid query string (a pure function
    of its bytes), at most PARSED_QUERIES_KEPT of them, the oldest dropped first; an invalid
    query is refused with the same 422 problem every time and never kept."""
    monkeypatch.setattr(verify_router, "_parsed_queries", {})
    monkeypatch.setattr(verify_router, "PARSED_QUERIES_KEPT", 2)
    parsed: list[bytes] = []
    real = verify_router._verification_request

    def counting(http_request: Any) -> Any:
        parsed.append(http_request.scope["query_string"])
        return real(http_request)

    monkeypatch.setattr(verify_router, "_verification_request", counting)
    first = client.get("/v1/verify?certificate_number=NOPE-1")
    again = client.get("/v1/verify?certificate_number=NOPE-1")
    assert (first.status_code, again.status_code) == (200, 200)
    assert first.json()["verdict"] == again.json()["verdict"] == "not_found"
    assert parsed == [b"certificate_number=NOPE-1"]
    client.get("/v1/verify?certificate_number=NOPE-2")
    client.get("/v1/verify?certificate_number=NOPE-3")
    assert list(verify_router._parsed_queries) == [
        b"certificate_number=NOPE-2",
        b"certificate_number=NOPE-3",
    ]
    too_long = "certificate_number=" + "9" * 101
    refusals = [client.get(f"/v1/verify?{too_long}") for _ in range(2)]
    assert [r.status_code for r in refusals] == [422, 422]
    assert refusals[0].json()["errors"] == refusals[1].json()["errors"]
    assert refusals[0].json()["errors"][0]["pointer"] == "/certificate_number"
    assert too_long.encode() not in verify_router._parsed_queries
    assert parsed.count(too_long.encode()) == 2
