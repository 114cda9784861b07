"""Keys are verified and requests charged before routing, on every route (issue 14, part 1):
a junk, unknown or revoked key is 401 everywhere, public routes and pages included, and no
`Authorization` header escapes the per-address budget; every 401 says `WWW-Authenticate: Bearer`
(RFC 6750)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from app.errors import BEARER_CHALLENGE, INVALID_TOKEN_CHALLENGE
from app.services.auth import Role, create_api_key, revoke_api_key
from tests.factories import auth, make_key
from tests.ops.conftest import AppFactory

UNKNOWN_KEY = "Bearer cvk_000000000000_not-a-real-secret"
PAGES = (
    "/",
    "/verify?certificate_number=FS+612345",
    "/search",
    "/search?organization=Northbridge",
    "/verify/NBC/FS%20612345",
)
"""The HTML routes (app/routers/web.py), which are not in the OpenAPI document."""
OTHER_PATHS = (
    "/verify/receipt?certificate_number=FS+612345",
    "/docs",
    "/redoc",
    "/static/site.css",
    "/no-such-route",
)
"""Outside the OpenAPI document too: the receipt download, docs, static files, an unknown path."""
PLACEHOLDERS = {"slug": "not-found"}
OWN_CREDENTIALS = frozenset({("GET", "/metrics")})
"""Operations whose `Authorization` is not an API key: /metrics takes the metrics token, checked
before key verification (app/http/observability.py, its own tests)."""


def _revoked_key(session: Session) -> str:
    """The plaintext of a key that has been revoked."""
    key, plaintext = create_api_key(session, role=Role.ADMIN, body_id=None, name="revoked")
    session.flush()
    assert revoke_api_key(session, key.id)
    session.flush()
    return plaintext


def _operations(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path with placeholders) of every operation in the app's OpenAPI document."""
    out = []
    for template, item in app.openapi()["paths"].items():
        for method, operation in item.items():
            if method not in {"get", "put", "post", "patch", "delete"}:
                continue
            path = template
            for parameter in operation.get("parameters", []):
                if parameter["in"] != "path":
                    continue
                name = parameter["name"]
                value = PLACEHOLDERS.get(name, str(uuid.uuid4()))
                path = path.replace("{" + name + "}", value)
            assert "{" not in path, template
            out.append((method.upper(), path))
    return out


def _assert_refused(response: Response, challenge: str, where: str, *, page: bool) -> None:
    """401 with the challenge: a page on the site's pages, problem+json elsewhere."""
    assert response.status_code == 401, f"{where}: {response.status_code} {response.text[:200]}"
    assert response.headers["www-authenticate"] == challenge, where
    ctype = response.headers["content-type"]
    if page:
        assert ctype == "text/html; charset=utf-8", where
        assert "<h1>Authentication failed</h1>" in response.text, where
    else:
        assert ctype == "application/problem+json", where
        assert response.json()["type"] == "/problems/unauthorized", where


def test_bad_keys_are_401_on_every_route_and_valid_keys_are_not(
    client: TestClient, session: Session
) -> None:
    """API.md: "An invalid or revoked key is 401, also on public endpoints": every operation of
    the OpenAPI document, the pages, the receipt, docs and static files refuse a junk, unknown
    or revoked key (before issue 14, routes that take no key answered 200 to any of them);
    a valid key is never 401 there."""
    valid = make_key(session, Role.ADMIN)
    revoked = _revoked_key(session)
    session.commit()
    assert isinstance(client.app, FastAPI)
    operations = _operations(client.app)
    assert set(operations) >= OWN_CREDENTIALS
    targets = [op for op in operations if op not in OWN_CREDENTIALS]
    targets += [("GET", p) for p in PAGES + OTHER_PATHS]
    assert len(targets) > 60
    assert ("GET", "/.well-known/jwks.json") in targets
    bad: list[tuple[dict[str, str], str]] = [
        ({"Authorization": "x"}, BEARER_CHALLENGE),
        ({"Authorization": "Basic dXNlcjpwYXNz"}, BEARER_CHALLENGE),
        ({"Authorization": "Bearer junk"}, INVALID_TOKEN_CHALLENGE),
        ({"Authorization": UNKNOWN_KEY}, INVALID_TOKEN_CHALLENGE),
        (auth(revoked), INVALID_TOKEN_CHALLENGE),
    ]
    for method, path in targets:
        where = f"{method} {path}"
        page = path in PAGES
        for headers, challenge in bad:
            response = client.request(method, path, headers=headers)
            _assert_refused(response, challenge, where, page=page)
        accepted = client.request(method, path, headers=auth(valid))
        assert accepted.status_code != 401, f"{where}: {accepted.text[:200]}"
        assert accepted.status_code < 500, f"{where}: {accepted.text[:200]}"


def test_revoked_key_is_401_with_its_reason(client: TestClient, session: Session) -> None:
    """A revoked key is refused on a route that never asks for a key, saying why."""
    revoked = _revoked_key(session)
    session.commit()
    response = client.get("/.well-known/jwks.json", headers=auth(revoked))
    assert response.status_code == 401
    assert response.json()["detail"] == "The API key has been revoked."
    assert (
        response.headers["www-authenticate"] == 'Bearer realm="certverify", error="invalid_token"'
    )


def test_every_401_carries_www_authenticate(client: TestClient) -> None:
    """RFC 6750 §3: a 401 for a missing key says `Bearer` with no error code; for a bearer key
    that is not valid, `error="invalid_token"`."""
    missing = client.get("/v1/audit-events")
    assert missing.status_code == 401
    assert missing.headers["www-authenticate"] == 'Bearer realm="certverify"'
    junk = client.get("/v1/audit-events", headers={"Authorization": "Bearer junk"})
    assert junk.status_code == 401
    assert junk.headers["www-authenticate"] == 'Bearer realm="certverify", error="invalid_token"'
    other_scheme = client.get("/v1/sectors", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert other_scheme.status_code == 401
    assert other_scheme.headers["www-authenticate"] == 'Bearer realm="certverify"'
    assert other_scheme.json()["detail"] == (
        "Send the API key as: Authorization: Bearer <api key>."
    )


def _statuses(client: TestClient, path: str, n: int, headers: dict[str, str]) -> list[int]:
    return [client.get(path, headers=headers).status_code for _ in range(n)]


def test_a_junk_header_does_not_bypass_the_anonymous_budget(make_client: AppFactory) -> None:
    """The reproduction of issue 14: 300 of 300 `/verify/receipt` calls with `Authorization: x`
    got 200 against a budget of 60 a minute. Now the first 60 are 401 (charged to the address)
    and the 61st is 429, and the address is spent for anonymous calls too."""
    client = make_client()  # the default budget: 60/minute per address
    receipt = "/verify/receipt?certificate_number=FS+612345"
    statuses = _statuses(client, receipt, 61, {"Authorization": "x"})
    assert statuses == [401] * 60 + [429]
    refused = client.get(receipt)
    assert refused.status_code == 429
    assert int(refused.headers["retry-after"]) >= 1
    assert refused.headers["ratelimit"].startswith('"anonymous";r=0;')
    other = make_client(client_address="198.51.100.9")
    assert other.get(receipt).status_code == 200


@pytest.mark.parametrize(
    "path",
    [
        "/verify?certificate_number=FS+612345",
        "/verify/receipt?certificate_number=FS+612345",
        "/verify/NBC/FS%20612345",
        "/search?organization=Northbridge",
        "/.well-known/jwks.json",
    ],
)
def test_routes_without_a_principal_charge_bad_keys_to_the_address(
    make_client: AppFactory, path: str
) -> None:
    """The routes issue 14 names (they never resolve a principal): a junk or unknown key is 401
    and counts against the address, so the fourth call of a 3/minute budget is 429."""
    client = make_client(rate_limit_anonymous="3/minute")
    assert _statuses(client, path, 2, {"Authorization": "x"}) == [401, 401]
    assert _statuses(client, path, 1, {"Authorization": UNKNOWN_KEY}) == [401]
    assert _statuses(client, path, 1, {"Authorization": "x"}) == [429]
    assert client.get(path).status_code == 429


def test_a_valid_key_is_charged_to_itself_on_routes_that_take_no_key(
    make_client: AppFactory, session: Session
) -> None:
    """A verified key is charged to its own budget before routing, also on a route that never
    asks for it (before, such a request was charged to the address after it had been served)."""
    key = make_key(session, Role.CLIENT)
    session.commit()
    client = make_client(rate_limit_anonymous="1/minute", rate_limit_keyed="2/minute")
    seen: list[dict[str, Any]] = []
    for _ in range(2):
        response = client.get("/.well-known/jwks.json", headers=auth(key))
        assert response.status_code == 200
        seen.append(dict(response.headers))
    assert seen[0]["ratelimit-policy"] == '"api-key";q=2;w=60'
    assert seen[1]["ratelimit"].startswith('"api-key";r=0;')
    refused = client.get("/verify?certificate_number=FS+612345", headers=auth(key))
    assert refused.status_code == 429
    assert refused.headers["ratelimit-policy"] == '"api-key";q=2;w=60'
    assert client.get("/.well-known/jwks.json").status_code == 200  # the address is untouched


def test_keys_are_verified_with_limits_off(make_client: AppFactory) -> None:
    """CERTVERIFY_RATE_LIMIT_ENABLED=false turns off budgets, never key verification."""
    client = make_client(rate_limit_enabled=False)
    response = client.get("/.well-known/jwks.json", headers={"Authorization": UNKNOWN_KEY})
    assert response.status_code == 401
    assert "ratelimit" not in response.headers
