"""Issue 15, item 4: batch items are charged to a budget of their own per key
("batch-items", CERTVERIFY_RATE_LIMIT_BATCH_ITEMS), the batch request to the key's request budget
("api-key") like any request: one batch never locks out the rest of the key's API, and the
RateLimit headers say which budget each number belongs to."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.config import Settings
from app.http.ratelimit import MemoryStore, Policy, RateLimiter, RedisStore
from app.services.auth import Role
from tests.factories import auth, make_key
from tests.ops.conftest import AppFactory
from tests.ops.servers import create_key, running_server, seeded_database
from tests.ops.test_rate_limits import REDIS_URL, require_redis

AS_OF = "2026-11-26"


def _items(count: int) -> list[dict[str, str]]:
    return [{"certificate_number": f"NONE {i}", "as_of": AS_OF} for i in range(count)]


def _frozen(client: TestClient) -> list[float]:
    """Stop the app's in-process buckets' clock at 1000 s (returned: move it by editing [0]),
    so every header value is exact."""
    now = [1000.0]
    limiter: RateLimiter = client.app.state.rate_limiter  # type: ignore[attr-defined]
    assert isinstance(limiter.store, MemoryStore)
    limiter.store.clock = lambda: now[0]
    return now


def _batch(client: TestClient, key: str, count: int) -> Any:
    return client.post("/v1/verifications/batch", json={"items": _items(count)}, headers=auth(key))


def test_a_1000_item_batch_leaves_the_rest_of_the_key_working(
    make_client: AppFactory, session: Session
) -> None:
    """With the default budgets a 1,000-item batch costs one request of the key's 600 a minute
    and 1,000 of its 20,000 batch items; webhook management and a verification right after it
    are answered (before issue 15 the key was locked out for about 40 s)."""
    key = make_key(session, Role.CLIENT)
    session.commit()
    client = make_client()
    _frozen(client)
    batch = _batch(client, key, 1000)
    assert batch.status_code == 200, batch.text
    assert len(batch.json()["results"]) == 1000
    assert batch.headers["ratelimit-policy"] == '"api-key";q=600;w=60, "batch-items";q=20000;w=60'
    assert batch.headers["ratelimit"] == '"api-key";r=599;t=1, "batch-items";r=19000;t=3'
    webhooks = client.get("/v1/webhooks", headers=auth(key))
    assert webhooks.status_code == 200, webhooks.text
    assert webhooks.headers["ratelimit-policy"] == '"api-key";q=600;w=60'
    assert webhooks.headers["ratelimit"] == '"api-key";r=598;t=1'
    verified = client.get(
        "/v1/verify", params={"certificate_number": "NONE 1", "as_of": AS_OF}, headers=auth(key)
    )
    assert verified.status_code == 200, verified.text
    assert verified.json()["verdict"] == "not_found"
    assert verified.headers["ratelimit"] == '"api-key";r=597;t=1'


def test_a_batch_larger_than_what_is_left_is_refused_naming_the_batch_budget(
    make_client: AppFactory, session: Session
) -> None:
    """All or nothing: a batch needs all its items free; refused, it is a 429 naming the
    batch-items budget with Retry-After until the whole batch fits, it costs no item, and the
    key's other requests go on."""
    key = make_key(session, Role.CLIENT)
    session.commit()
    client = make_client(rate_limit_batch_items="10/minute")
    now = _frozen(client)
    first = _batch(client, key, 6)
    assert first.status_code == 200, first.text
    assert first.headers["ratelimit"] == '"api-key";r=599;t=1, "batch-items";r=4;t=36'

    refused = _batch(client, key, 6)
    assert refused.status_code == 429, refused.text
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.headers["retry-after"] == "12"
    assert refused.headers["ratelimit-policy"] == '"api-key";q=600;w=60, "batch-items";q=10;w=60'
    assert refused.headers["ratelimit"] == '"api-key";r=598;t=1, "batch-items";r=4;t=36'
    body = refused.json()
    assert body["type"] == "/problems/rate-limited"
    assert body["detail"] == (
        "This batch of 6 items is more than the batch-items budget has left (4 of 10 items per "
        "60 s); the whole batch fits in 12 s. The key's other requests are not affected."
    )

    webhooks = client.get("/v1/webhooks", headers=auth(key))
    assert webhooks.status_code == 200, webhooks.text
    assert webhooks.headers["ratelimit"] == '"api-key";r=597;t=1'
    exact = _batch(client, key, 4)  # the refused batch cost nothing: 4 are still left
    assert exact.status_code == 200, exact.text
    assert exact.headers["ratelimit"] == '"api-key";r=596;t=1, "batch-items";r=0;t=60'
    assert _batch(client, key, 1).headers["retry-after"] == "6"
    now[0] += 12
    later = _batch(client, key, 2)
    assert later.status_code == 200, later.text
    assert later.headers["ratelimit"] == '"api-key";r=599;t=1, "batch-items";r=0;t=60'


def test_csv_batches_count_their_rows(make_client: AppFactory, session: Session) -> None:
    """A text/csv batch is charged one batch item per data row."""
    key = make_key(session, Role.CLIENT)
    session.commit()
    client = make_client(rate_limit_batch_items="10/minute")
    _frozen(client)
    csv = "certificate_number,as_of\nNONE 1,2026-11-26\nNONE 2,2026-11-26\nNONE 3,2026-11-26\n"
    response = client.post(
        "/v1/verifications/batch",
        content=csv,
        headers={**auth(key), "Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    assert response.headers["ratelimit"] == '"api-key";r=599;t=1, "batch-items";r=7;t=18'


def test_a_batch_larger_than_the_whole_batch_budget_is_422(
    make_client: AppFactory, session: Session
) -> None:
    """A batch that could never fit is no 429 to wait out: a 422 on /items says to split it."""
    key = make_key(session, Role.CLIENT)
    session.commit()
    client = make_client(rate_limit_batch_items="5/minute")
    response = _batch(client, key, 6)
    assert response.status_code == 422, response.text
    detail = (
        "at most 5 items per batch: the batch-items budget of this service is 5 items per 60 s "
        "(got 6); split the batch"
    )
    assert response.json()["errors"] == [{"pointer": "/items", "detail": detail}]
    assert _batch(client, key, 5).status_code == 200


def test_every_key_has_its_own_batch_budget(make_client: AppFactory, session: Session) -> None:
    """One key's spent batch budget is not another's."""
    first, second = make_key(session, Role.CLIENT), make_key(session, Role.CLIENT)
    session.commit()
    client = make_client(rate_limit_batch_items="10/minute")
    assert _batch(client, first, 10).status_code == 200
    assert _batch(client, first, 1).status_code == 429
    assert _batch(client, second, 10).status_code == 200


def test_the_batch_budget_setting() -> None:
    """CERTVERIFY_RATE_LIMIT_BATCH_ITEMS, 20000/minute by default, is the limiter's batch policy."""
    assert Settings().rate_limit_batch_items == "20000/minute"
    limiter = RateLimiter.from_settings(
        Settings(rate_limit_enabled=True, rate_limit_batch_items="50/second")
    )
    assert limiter is not None
    assert limiter.batch == Policy("batch-items", 50, 1)
    with pytest.raises(ValueError, match="rate_limit_batch_items"):
        Settings(rate_limit_batch_items="lots")


def test_whole_charges_need_every_unit_free() -> None:
    """MemoryStore.hit(whole=True): allowed only when all units are free; refused, it charges
    nothing and says when they will be."""
    now = [50.0]
    store, policy = MemoryStore(clock=lambda: now[0]), Policy("batch-items", 10, 10)
    assert store.hit("b", policy, 7, whole=True).remaining == 3
    refused = store.hit("b", policy, 4, whole=True)
    assert (refused.allowed, refused.remaining, refused.retry_after_seconds) == (False, 3, 1)
    assert store.hit("b", policy, 3, whole=True).remaining == 0
    now[0] += 2.5
    assert store.hit("b", policy, 2, whole=True).allowed
    assert not store.hit("b", policy, 1, whole=True).allowed


def test_redis_store_shares_the_batch_budget() -> None:
    """Two limiters on one Redis (two workers): whole charges see each other's items."""
    require_redis()
    prefix = f"certverify-test-{uuid.uuid4().hex}:"
    policy = Policy("batch-items", 10, 60)
    first, second = RedisStore(REDIS_URL, prefix), RedisStore(REDIS_URL, prefix)
    assert first.hit("batch:k", policy, 6, whole=True).remaining == 4
    refused = second.hit("batch:k", policy, 6, whole=True)
    assert (refused.allowed, refused.remaining, refused.retry_after_seconds) == (False, 4, 12)
    assert second.hit("batch:k", policy, 4, whole=True).remaining == 0


@pytest.mark.sqlite_only
def test_two_workers_sharing_redis_share_the_batch_budget(tmp_path: Path) -> None:
    """Two uvicorn processes on one Redis: a batch on one spends the items the other sees;
    the key's other requests on either go on."""
    require_redis()
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    seeded_database(url)
    key = create_key(url, Role.CLIENT)
    env = {
        "CERTVERIFY_DATABASE_URL": url,
        "CERTVERIFY_RATE_LIMIT_ENABLED": "true",
        "CERTVERIFY_RATE_LIMIT_BATCH_ITEMS": "10/minute",
        "CERTVERIFY_REDIS_URL": REDIS_URL,
        "CERTVERIFY_REDIS_KEY_PREFIX": f"certverify-test-{uuid.uuid4().hex}:",
    }
    headers = {"Authorization": f"Bearer {key}"}

    def batch(server: Any, count: int) -> httpx.Response:
        return httpx.post(
            server.base_url + "/v1/verifications/batch",
            json={"items": _items(count)},
            headers=headers,
            timeout=30,
        )

    with running_server(tmp_path, env) as first, running_server(tmp_path, env) as second:
        # Publish the receipt key first, as `certverify migrate` does: on SQLite a batch that
        # read before the key's own transaction wrote it could not write afterwards.
        assert httpx.get(first.base_url + "/.well-known/jwks.json", timeout=10).status_code == 200
        answer = batch(first, 6)
        assert answer.status_code == 200, answer.text
        refused = batch(second, 6)
        webhooks = httpx.get(second.base_url + "/v1/webhooks", headers=headers, timeout=10)
        rest = batch(second, 4)
    assert refused.status_code == 429
    assert refused.json()["detail"].startswith(
        "This batch of 6 items is more than the batch-items budget has left (4 of 10 items"
    )
    assert refused.headers["ratelimit-policy"] == '"api-key";q=600;w=60, "batch-items";q=10;w=60'
    assert int(refused.headers["retry-after"]) >= 1
    assert webhooks.status_code == 200
    assert rest.status_code == 200
    assert rest.headers["ratelimit"].endswith('"batch-items";r=0;t=60')
