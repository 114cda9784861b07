"""Rate limits hold across two server processes that share Redis (as several workers would)."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest

from app.services.auth import Role
from tests.ops.servers import create_key, running_server, seeded_database
from tests.ops.test_rate_limits import REDIS_URL, require_redis

pytestmark = pytest.mark.sqlite_only


def test_two_workers_sharing_redis_enforce_one_budget(tmp_path: Path) -> None:
    """Two uvicorn processes with one Redis: the anonymous and the keyed budgets are each spent
    once across both, not once per process."""
    require_redis()
    url = f"sqlite:///{tmp_path / 'shared.db'}"
    seeded_database(url)
    key = create_key(url, Role.CLIENT)
    env = {
        "CERTVERIFY_DATABASE_URL": url,
        "CERTVERIFY_RATE_LIMIT_ENABLED": "true",
        "CERTVERIFY_RATE_LIMIT_ANONYMOUS": "10/minute",
        "CERTVERIFY_RATE_LIMIT_KEYED": "6/minute",
        "CERTVERIFY_REDIS_URL": REDIS_URL,
        "CERTVERIFY_REDIS_KEY_PREFIX": f"certverify-test-{uuid.uuid4().hex}:",
    }
    with running_server(tmp_path, env) as first, running_server(tmp_path, env) as second:
        anonymous = [
            httpx.get(server.base_url + "/v1/sectors", timeout=10).status_code
            for _ in range(8)
            for server in (first, second)
        ]
        keyed = [
            httpx.get(
                server.base_url + "/v1/sectors",
                headers={"Authorization": f"Bearer {key}"},
                timeout=10,
            )
            for _ in range(5)
            for server in (first, second)
        ]
    assert anonymous.count(200) == 10, anonymous
    assert anonymous.count(429) == 6, anonymous
    assert [r.status_code for r in keyed].count(200) == 6
    assert [r.status_code for r in keyed].count(429) == 4
    refused = next(r for r in keyed if r.status_code == 429)
    assert refused.headers["content-type"] == "application/problem+json"
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["ratelimit-policy"] == '"api-key";q=6;w=60'
