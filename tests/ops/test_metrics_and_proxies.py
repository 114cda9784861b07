"""Issue 14: /metrics is behind a setting (a bearer token, else loopback only) and runs no query
per scrape; `certverify serve` trusts no proxy's X-Forwarded-For unless told which."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import Connection, event
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from tests.ops.conftest import AppFactory
from tests.ops.servers import running_server, seeded_database

TOKEN = "metrics-token-for-tests"


def _problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    return body


def test_metrics_are_refused_to_a_remote_client_without_a_token(make_client: AppFactory) -> None:
    """No token configured: a client that is not on loopback gets 403 (it read every
    counter anonymously before)."""
    client = make_client(rate_limit_enabled=False, client_address="203.0.113.7")
    body = _problem(client.get("/metrics"), 403)
    assert (body["type"], body["instance"]) == ("/problems/forbidden", "/metrics")
    assert body["detail"] == (
        "The metrics are served to loopback clients only; set CERTVERIFY_METRICS_TOKEN to "
        "scrape them from elsewhere."
    )


@pytest.mark.parametrize("address", ["127.0.0.1", "::1"])
def test_metrics_answer_loopback_clients_without_a_token(
    make_client: AppFactory, address: str
) -> None:
    """No token configured: loopback (IPv4 or IPv6) reads the metrics."""
    client = make_client(rate_limit_enabled=False, client_address=address)
    response = client.get("/metrics")
    assert response.status_code == 200, response.text
    assert "certverify_http_requests_total" in response.text


@pytest.mark.parametrize(
    "authorization", [None, "Bearer wrong-token", f"Basic {TOKEN}", f"Bearer {TOKEN}x"]
)
def test_metrics_with_a_token_need_that_token(
    make_client: AppFactory, authorization: str | None
) -> None:
    """A token configured: without it (from loopback too) 401 with WWW-Authenticate."""
    client = make_client(rate_limit_enabled=False, metrics_token=TOKEN, client_address="127.0.0.1")
    headers = {"Authorization": authorization} if authorization else {}
    response = client.get("/metrics", headers=headers)
    body = _problem(response, 401)
    assert body["type"] == "/problems/unauthorized"
    assert response.headers["www-authenticate"] == 'Bearer realm="metrics"'


def test_metrics_with_the_token_answer_any_client(make_client: AppFactory) -> None:
    """The right token reads the metrics from any address, with rate limits and key checks
    on: the token is not taken for an API key."""
    client = make_client(metrics_token=TOKEN, client_address="203.0.113.7")
    for _ in range(3):
        response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
        assert response.status_code == 200, response.text


@pytest.fixture
def statements(connection: Connection) -> Iterator[list[str]]:
    """The SQL sent on the test's connection while the test runs."""
    sent: list[str] = []

    def note(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    event.listen(connection, "before_cursor_execute", note)
    yield sent
    event.remove(connection, "before_cursor_execute", note)


def test_scraping_the_metrics_runs_no_query_per_scrape(
    make_client: AppFactory, statements: list[str]
) -> None:
    """Ten scrapes count the webhook backlog once (it was a COUNT on every hit)."""
    client = make_client(rate_limit_enabled=False, client_address="127.0.0.1")
    statements.clear()
    for _ in range(10):
        assert client.get("/metrics").status_code == 200
    counts = [s for s in statements if "count(" in s.lower()]
    assert len(counts) == 1, statements


def test_a_refused_scrape_runs_no_query(make_client: AppFactory, statements: list[str]) -> None:
    """A refused scrape touches nothing: no session, no SQL."""
    client = make_client(rate_limit_enabled=False, client_address="203.0.113.7")
    statements.clear()
    for _ in range(5):
        assert client.get("/metrics").status_code == 403
    assert statements == []


def _serve_kwargs(monkeypatch: pytest.MonkeyPatch, database_url: str, *args: str) -> dict[str, Any]:
    """What `certverify serve ARGS` passes to uvicorn.run (which is not started), on the
    suite's migrated database (serve refuses one without certverify tables)."""
    import uvicorn

    seen: dict[str, Any] = {}
    monkeypatch.setattr(uvicorn, "run", lambda _app, **kwargs: seen.update(kwargs))
    monkeypatch.setenv("CERTVERIFY_IN_PROCESS_WORKER", "false")  # restored after the test
    monkeypatch.setenv("CERTVERIFY_DATABASE_URL", database_url)
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(cli, ["serve", "--no-worker", *args])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0, result.output
    return seen


def test_serve_trusts_no_proxy_by_default(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    """Default: no proxy headers at all (uvicorn would trust 127.0.0.1)."""
    monkeypatch.delenv("CERTVERIFY_FORWARDED_ALLOW_IPS", raising=False)
    monkeypatch.delenv("FORWARDED_ALLOW_IPS", raising=False)
    kwargs = _serve_kwargs(monkeypatch, database_url)
    assert (kwargs["proxy_headers"], kwargs["forwarded_allow_ips"]) == (False, None)


def test_serve_trusts_the_configured_proxies(
    monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    """CERTVERIFY_FORWARDED_ALLOW_IPS, or --forwarded-allow-ips over it, is passed on."""
    monkeypatch.setenv("CERTVERIFY_FORWARDED_ALLOW_IPS", "10.0.0.5, 10.1.0.0/16")
    kwargs = _serve_kwargs(monkeypatch, database_url)
    assert (kwargs["proxy_headers"], kwargs["forwarded_allow_ips"]) == (
        True,
        "10.0.0.5, 10.1.0.0/16",
    )
    kwargs = _serve_kwargs(monkeypatch, database_url, "--forwarded-allow-ips", "192.0.2.1")
    assert (kwargs["proxy_headers"], kwargs["forwarded_allow_ips"]) == (True, "192.0.2.1")


def _logged_client(log: str, path: str) -> str:
    """The client address of the access-log line of `path`."""
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    [client] = [line["client"] for line in lines if line.get("path") == path]
    return str(client)


def _log_with(server: Any, path: str) -> str:
    """The server's output once its access-log line of `path` is written: the line follows
    the response, so a loaded machine may print it a moment after the client has its answer."""
    deadline = time.monotonic() + 10
    while True:
        log: str = server.output()
        if f'"path": "{path}"' in log or time.monotonic() > deadline:
            return log
        time.sleep(0.05)


@pytest.mark.sqlite_only
def test_a_served_instance_ignores_x_forwarded_for_from_loopback(tmp_path: Path) -> None:
    """`certverify serve` on 127.0.0.1: X-Forwarded-For from a loopback client no longer
    becomes the client address (of rate limits and logs); with 127.0.0.1 configured as the
    proxy it does."""
    url = f"sqlite:///{tmp_path / 'proxies.db'}"
    seeded_database(url)
    forwarded = {"X-Forwarded-For": "203.0.113.99"}
    env = {"CERTVERIFY_DATABASE_URL": url, "CERTVERIFY_DATA_DIR": str(tmp_path)}
    with running_server(tmp_path, env, serve_command=True) as server:
        assert httpx.get(server.base_url + "/v1/sectors", headers=forwarded).status_code == 200
        assert httpx.get(server.base_url + "/metrics").status_code == 200  # loopback
        log = _log_with(server, "/v1/sectors")
    assert _logged_client(log, "/v1/sectors") == "127.0.0.1", log
    env["CERTVERIFY_FORWARDED_ALLOW_IPS"] = "127.0.0.1"
    with running_server(tmp_path, env, serve_command=True) as server:
        assert httpx.get(server.base_url + "/v1/sectors", headers=forwarded).status_code == 200
        log = _log_with(server, "/v1/sectors")
    assert _logged_client(log, "/v1/sectors") == "203.0.113.99", log
