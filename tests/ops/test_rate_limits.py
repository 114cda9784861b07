"""Rate limits: per address without a key, per key with one, 429 problem+json with Retry-After,
RateLimit headers, key guessing throttled, Redis shared across processes (batch items:
tests/ops/test_batch_budget.py)."""

from __future__ import annotations

import os
import re
import uuid

import pytest
import redis
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.http.ratelimit import (
    MemoryStore,
    Policy,
    RateLimiter,
    RedisStore,
    client_bucket,
)
from app.services.auth import Role
from tests.factories import auth, make_key
from tests.ops.conftest import AppFactory

REDIS_URL = "redis://127.0.0.1:6379/0"


def redis_available() -> bool:
    """Is the machine's Redis (127.0.0.1:6379) up?"""
    try:
        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping())
    except redis.RedisError:
        return False


REQUIRE_REDIS = os.environ.get("CERTVERIFY_REQUIRE_REDIS") == "1"
"""Set by .ci/run: Redis down then fails the shared-limit tests instead of skipping them."""


def require_redis() -> None:
    """Skip (locally) or fail (CI) when the machine's Redis is not reachable."""
    if redis_available():
        return
    reason = "Redis on 127.0.0.1:6379 is not reachable"
    if REQUIRE_REDIS:
        pytest.fail(reason + "; CERTVERIFY_REQUIRE_REDIS=1 demands it", pytrace=False)
    pytest.skip(reason)


def _assert_429(response: object) -> dict[str, object]:
    """A 429 problem+json with Retry-After and the RateLimit headers."""
    assert response.status_code == 429, response.text  # type: ignore[attr-defined]
    headers = response.headers  # type: ignore[attr-defined]
    assert headers["content-type"] == "application/problem+json"
    assert int(headers["retry-after"]) >= 1
    assert ";r=0;t=" in headers["ratelimit"]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert body["type"] == "/problems/rate-limited"
    assert body["status"] == 429
    assert body["request_id"] == headers["x-request-id"]
    return body


def test_anonymous_requests_are_limited_per_address(make_client: AppFactory) -> None:
    """Without a key, an address gets its budget, then 429 problem+json with Retry-After."""
    client = make_client(rate_limit_anonymous="3/minute")
    seen = []
    for _ in range(3):
        response = client.get("/v1/standards")
        assert response.status_code == 200
        assert response.headers["ratelimit-policy"] == '"anonymous";q=3;w=60'
        seen.append(response.headers["ratelimit"])
    assert seen[0].startswith('"anonymous";r=2;')
    assert seen[2].startswith('"anonymous";r=0;')
    body = _assert_429(client.get("/v1/standards"))
    assert "anonymous budget of 3 requests per 60 s" in str(body["detail"])
    # Another address has its own budget.
    other = make_client(rate_limit_anonymous="3/minute", client_address="198.51.100.9")
    assert other.get("/v1/standards").status_code == 200


def test_operations_endpoints_are_not_limited(make_client: AppFactory) -> None:
    """Probes, metrics, docs and static files never count against a budget."""
    client = make_client(rate_limit_anonymous="1/minute", metrics_token="ops-metrics-token")
    metrics_token = {"Authorization": "Bearer ops-metrics-token"}
    for _ in range(5):
        assert client.get("/healthz").status_code == 200
        assert client.get("/metrics", headers=metrics_token).status_code == 200
        assert client.get("/openapi.json").status_code == 200
    assert client.get("/v1/sectors").status_code == 200
    assert client.get("/v1/sectors").status_code == 429


def test_a_key_has_its_own_budget(make_client: AppFactory, session: Session) -> None:
    """A valid key is charged to the key, not the address; its budget is the keyed policy."""
    key = make_key(session, Role.CLIENT)
    session.commit()
    client = make_client(rate_limit_anonymous="1/minute", rate_limit_keyed="2/minute")
    assert client.get("/v1/sectors").status_code == 200
    assert client.get("/v1/sectors").status_code == 429  # the address is spent
    first = client.get("/v1/sectors", headers=auth(key))
    assert first.status_code == 200
    assert first.headers["ratelimit-policy"] == '"api-key";q=2;w=60'
    assert first.headers["ratelimit"].startswith('"api-key";r=1;')
    assert client.get("/v1/sectors", headers=auth(key)).status_code == 200
    body = _assert_429(client.get("/v1/sectors", headers=auth(key)))
    assert "api-key budget" in str(body["detail"])


def test_invalid_keys_count_against_the_address(make_client: AppFactory) -> None:
    """Guessing keys: each 401 is charged to the address, and then the answer is 429."""
    client = make_client(rate_limit_anonymous="3/minute")
    bogus = {"Authorization": "Bearer cvk_000000000000_not-a-real-secret"}
    for _ in range(3):
        assert client.get("/v1/sectors", headers=bogus).status_code == 401
    _assert_429(client.get("/v1/sectors", headers=bogus))
    _assert_429(client.get("/v1/sectors"))


def test_limits_off_means_no_headers_and_no_429(make_client: AppFactory) -> None:
    """CERTVERIFY_RATE_LIMIT_ENABLED=false (tests, benchmarks) removes the limiter."""
    client = make_client(rate_limit_enabled=False, rate_limit_anonymous="1/minute")
    for _ in range(3):
        response = client.get("/v1/sectors")
        assert response.status_code == 200
        assert "ratelimit" not in response.headers


def test_policy_parsing() -> None:
    """Budgets are written N/second|minute|hour|day."""
    assert Policy.parse("anonymous", "60/minute") == Policy("anonymous", 60, 60)
    assert Policy.parse("api-key", " 10 / second ") == Policy("api-key", 10, 1)
    assert Policy.parse("x", "5/day").window == 86400
    for bad in ("60", "0/minute", "1/week", "abc/minute"):
        with pytest.raises(ValueError, match=re.escape(f"rate limit {bad!r} is not N/")):
            Policy.parse("x", bad)


def test_bucket_refills_over_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """GCRA: N per window, one unit back every window/N seconds."""
    clock = [1000.0]
    monkeypatch.setattr("app.http.ratelimit.time.monotonic", lambda: clock[0])
    store, policy = MemoryStore(), Policy("p", 2, 10)
    assert store.hit("b", policy, 1).remaining == 1
    assert store.hit("b", policy, 1).remaining == 0
    refused = store.hit("b", policy, 1)
    assert not refused.allowed
    assert refused.retry_after_seconds == 5
    clock[0] += 5
    assert store.hit("b", policy, 1).allowed
    clock[0] += 10
    assert store.hit("b", policy, 1).remaining == 1


def test_ipv6_clients_share_a_64() -> None:
    """IPv6 addresses are limited per /64, IPv4 per address."""
    a = client_bucket({"client": ("2001:db8:1:2::1", 1)})
    b = client_bucket({"client": ("2001:db8:1:2:ffff::9", 1)})
    assert a == b == "addr:2001:db8:1:2::/64"
    assert client_bucket({"client": ("192.0.2.1", 1)}) == "addr:192.0.2.1"
    assert client_bucket({"client": None}) == "addr:unknown"


def test_redis_store_is_one_budget_for_two_limiters() -> None:
    """Two limiters (as in two workers) on one Redis share a budget."""
    require_redis()
    prefix = f"certverify-test-{uuid.uuid4().hex}:"
    policy = Policy("api-key", 5, 60)
    first, second = RedisStore(REDIS_URL, prefix), RedisStore(REDIS_URL, prefix)
    outcomes = [(first if i % 2 else second).hit("key:x", policy, 1).allowed for i in range(7)]
    assert outcomes == [True] * 5 + [False] * 2


def test_redis_outage_falls_back_to_per_process_limits() -> None:
    """When Redis cannot be reached, requests are still limited, per process, and never fail."""
    store = RedisStore("redis://127.0.0.1:1/0", "certverify-test:")
    policy = Policy("anonymous", 2, 60)
    assert [store.hit("addr:x", policy, 1).allowed for _ in range(3)] == [True, True, False]


def test_limiter_from_settings() -> None:
    """Memory without a Redis URL, Redis with one, none when disabled."""
    from app.config import Settings

    assert RateLimiter.from_settings(Settings(rate_limit_enabled=False)) is None
    memory = RateLimiter.from_settings(Settings(rate_limit_enabled=True, redis_url=None))
    assert memory is not None
    assert isinstance(memory.store, MemoryStore)
    shared = RateLimiter.from_settings(Settings(rate_limit_enabled=True, redis_url=REDIS_URL))
    assert shared is not None
    assert isinstance(shared.store, RedisStore)


def test_client_keeps_unrelated_state(client: TestClient) -> None:
    """The suite's own fixtures run without limits (no RateLimit headers)."""
    assert "ratelimit" not in client.get("/v1/sectors").headers


def test_apps_built_by_tests_never_share_buckets(make_client: AppFactory) -> None:
    """Two apps on one Redis, same address: each test's app starts with a full budget (before,
    they shared the default key prefix, so one test's spending made another's 429)."""
    require_redis()
    first = make_client(rate_limit_anonymous="1/minute", redis_url=REDIS_URL)
    assert first.get("/v1/sectors").status_code == 200
    assert first.get("/v1/sectors").status_code == 429
    second = make_client(rate_limit_anonymous="1/minute", redis_url=REDIS_URL)
    assert second.get("/v1/sectors").status_code == 200


def test_the_developers_settings_do_not_reach_the_suite() -> None:
    """A CERTVERIFY_REDIS_URL (or any setting) in the shell that runs the tests is not read."""
    from tests.conftest import TEST_RUN_VARIABLES

    leaked = [n for n in os.environ if n.startswith("CERTVERIFY_") and n not in TEST_RUN_VARIABLES]
    # Only what tests/conftest.py sets itself (the keys' directory is the run's own temporary one).
    assert sorted(leaked) == [
        "CERTVERIFY_DATA_DIR",
        "CERTVERIFY_GC_FREEZE",
        "CERTVERIFY_GC_GEN0_THRESHOLD",
        "CERTVERIFY_LOG_QUEUE",
        "CERTVERIFY_RATE_LIMIT_ENABLED",
        "CERTVERIFY_TEST_CLOCK",
    ]


def test_a_fresh_bucket_is_never_refused_by_float_rounding(monkeypatch: pytest.MonkeyPatch) -> None:
    """At this monotonic reading `(now + 60000) - now > 60000` in floating point: a fresh
    1-per-minute bucket refused its first request and a 2-per-minute one reported no unit
    left after one (the suite's flaky 429s)."""
    monkeypatch.setattr("app.http.ratelimit.time.monotonic", lambda: 8384.0099289538)
    assert (8384.0099289538 * 1000 + 60000.0) - 8384.0099289538 * 1000 > 60000.0
    store = MemoryStore()
    assert store.hit("a", Policy("anonymous", 1, 60), 1).allowed
    assert store.hit("k", Policy("api-key", 2, 60), 1).remaining == 1
