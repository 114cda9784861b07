"""Metrics (/metrics), JSON logs with request ids, no secrets in logs, CORS for the API."""

from __future__ import annotations

import json
import logging
import uuid

import pytest
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.orm import Session

from app.http.observability import JsonFormatter, configure_logging, redact
from app.models import ApiKey, OutboxEvent, WebhookDelivery, WebhookEndpoint
from app.services.auth import Role
from tests.factories import auth, make_key
from tests.ops.conftest import AppFactory


def _samples(client: TestClient) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    """Every sample of /metrics by (name, sorted labels)."""
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    out = {}
    for family in text_string_to_metric_families(response.text):
        for sample in family.samples:
            out[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return out


def test_metrics_count_requests_by_route_template(make_client: AppFactory) -> None:
    """Request counter and latency histogram are labelled by method, route template, status."""
    client = make_client(rate_limit_enabled=False, client_address="127.0.0.1")
    before = _samples(client)
    labels = (("method", "GET"), ("route", "/v1/certificates/{certificate_id}"), ("status", "404"))
    key = ("certverify_http_requests_total", labels)
    client.get(f"/v1/certificates/{uuid.uuid4()}")
    client.get(f"/v1/certificates/{uuid.uuid4()}")
    after = _samples(client)
    assert after[key] - before.get(key, 0.0) == 2
    assert ("certverify_http_request_duration_seconds_count", labels) in after
    unmatched = ("method", "GET"), ("route", "unmatched"), ("status", "404")
    client.get("/no/such/path/" + uuid.uuid4().hex)
    assert _samples(client)[("certverify_http_requests_total", unmatched)] >= 1


def test_metrics_count_verdicts(make_client: AppFactory) -> None:
    """certverify_verdicts_total counts the verdict of every verification."""
    client = make_client(rate_limit_enabled=False, client_address="127.0.0.1")
    key = ("certverify_verdicts_total", (("verdict", "not_found"),))
    before = _samples(client).get(key, 0.0)
    assert client.get("/v1/verify", params={"certificate_number": "NOPE 1"}).status_code == 200
    client.post("/v1/verifications", json={"certificate_number": "NOPE 2"})
    assert _samples(client)[key] - before == 2


def test_metrics_report_the_webhook_backlog(make_client: AppFactory, session: Session) -> None:
    """certverify_webhook_backlog is the number of pending deliveries, counted at the first
    scrape (then at most every CERTVERIFY_METRICS_BACKLOG_REFRESH_SECONDS)."""
    client = make_client(rate_limit_enabled=False, client_address="127.0.0.1")
    make_key(session, Role.CLIENT)
    api_key = session.query(ApiKey).order_by(ApiKey.created_at.desc()).first()
    assert api_key is not None
    endpoint = WebhookEndpoint(
        client_id=api_key.client_id, url="https://example.org/hook", events=[], secret="whsec_x"
    )
    session.add(endpoint)
    session.flush()
    pending_before = session.query(WebhookDelivery).filter_by(status="pending").count()
    for status in ("pending", "pending", "pending", "delivered"):
        event = OutboxEvent(
            event_type="certificate.verdict_changed", client_id=api_key.client_id, payload={}
        )
        session.add(event)
        session.flush()
        session.add(WebhookDelivery(endpoint_id=endpoint.id, event_id=event.id, status=status))
    session.commit()
    assert _samples(client)[("certverify_webhook_backlog", ())] == pending_before + 3


def test_access_log_is_json_with_request_id_and_no_secret(
    make_client: AppFactory, session: Session, capsys: pytest.CaptureFixture[str]
) -> None:
    """One JSON line per request (request_id, method, path, status, duration); the API key, the
    Authorization header and the query string never appear."""
    key = make_key(session, Role.ADMIN)
    session.commit()
    client = make_client(rate_limit_enabled=False, log_format="json")
    capsys.readouterr()
    response = client.get(
        "/v1/audit-events",
        params={"action": "secret-query-value"},
        headers={**auth(key), "X-Request-ID": "trace-42"},
    )
    assert response.status_code == 200
    client.get("/v1/sectors", headers={"Authorization": f"Bearer {key}x"})  # a wrong key: 401
    err = capsys.readouterr().err
    secret = key.rsplit("_", 1)[1]
    assert secret not in err
    assert key not in err
    assert "secret-query-value" not in err
    assert "authorization" not in err.lower()
    lines = [json.loads(line) for line in err.splitlines() if line.startswith("{")]
    access = [line for line in lines if line.get("event") == "request"]
    mine = next(line for line in access if line["request_id"] == "trace-42")
    assert mine["method"] == "GET"
    assert mine["path"] == "/v1/audit-events"
    assert mine["status"] == 200
    assert mine["route"] == "/v1/audit-events"
    assert isinstance(mine["duration_ms"], float)
    assert mine["level"] == "info"
    assert mine["logger"] == "certverify.access"


def test_secrets_are_masked_whoever_logs_them(capsys: pytest.CaptureFixture[str]) -> None:
    """Keys, bearer tokens and webhook secrets written into any log message are masked."""
    configure_logging("INFO", "json")
    secret = "cvk_0123456789ab_S3cr3t-T0ken_value"
    logging.getLogger("anything").warning(
        "called with %s and Bearer abc.def and whsec_c2VjcmV0", secret
    )
    err = capsys.readouterr().err
    assert "S3cr3t" not in err
    assert "abc.def" not in err
    assert "c2VjcmV0" not in err
    assert "cvk_0123456789ab_***" in err
    assert "whsec_***" in err
    assert redact("Authorization: bearer xyz") == "Authorization: bearer ***"


def test_problem_log_lines_carry_the_request_id() -> None:
    """A record logged with a request id renders it as a JSON field."""
    record = logging.LogRecord("certverify", logging.ERROR, __file__, 1, "boom", (), None)
    record.request_id = "rid-1"
    line = json.loads(JsonFormatter().format(record))
    assert line["request_id"] == "rid-1"
    assert line["message"] == "boom"


def test_cors_allows_the_api_from_any_origin_without_credentials(make_client: AppFactory) -> None:
    """Browsers on other origins may call /v1 (GET, POST) without cookies; pages get no CORS."""
    client = make_client(rate_limit_enabled=False)
    origin = {"Origin": "https://buyer.example"}
    simple = client.get("/v1/sectors", headers=origin)
    assert simple.headers["access-control-allow-origin"] == "*"
    assert "access-control-allow-credentials" not in simple.headers
    assert "x-request-id" in simple.headers["access-control-expose-headers"].lower()
    preflight = client.options(
        "/v1/verifications",
        headers={
            **origin,
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type, authorization",
        },
    )
    assert preflight.status_code == 200
    assert "POST" in preflight.headers["access-control-allow-methods"]
    denied = client.options(
        "/v1/certificates/x",
        headers={**origin, "Access-Control-Request-Method": "DELETE"},
    )
    assert denied.status_code == 400
    page = client.get("/", headers=origin)
    assert "access-control-allow-origin" not in page.headers


def test_cors_origins_are_configurable(make_client: AppFactory) -> None:
    """CERTVERIFY_CORS_ALLOW_ORIGINS restricts the origins."""
    client = make_client(rate_limit_enabled=False, cors_allow_origins="https://portal.example")
    allowed = client.get("/v1/sectors", headers={"Origin": "https://portal.example"})
    assert allowed.headers["access-control-allow-origin"] == "https://portal.example"
    other = client.get("/v1/sectors", headers={"Origin": "https://evil.example"})
    assert "access-control-allow-origin" not in other.headers


def test_api_answers_vary_on_origin_with_and_without_one(make_client: AppFactory) -> None:
    """Caches must not reuse an answer across origins: /v1 answers say `Vary: Origin` whether or
    not the request carried an Origin (the no-Origin path skips Starlette's CORS objects)."""
    client = make_client(rate_limit_enabled=False, cors_allow_origins="https://portal.example")
    plain = client.get("/v1/sectors")
    assert plain.headers["vary"] == "Origin"
    assert "access-control-allow-origin" not in plain.headers
    allowed = client.get("/v1/sectors", headers={"Origin": "https://portal.example"})
    assert allowed.headers["vary"] == "Origin"
    page = client.get("/")
    assert "origin" not in page.headers.get("vary", "").lower()
