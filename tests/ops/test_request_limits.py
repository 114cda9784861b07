"""Request limits: body size (413), query length, page size and parameter lengths (422),
and the request timeout (503), all as problem+json."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import get_args

import pytest
from sqlalchemy.orm import Session

from app.routers.params import PageSize
from app.services.auth import Role
from tests.factories import auth, make_key
from tests.ops.conftest import AppFactory


def _problem(response: object, status: int, slug: str) -> dict[str, object]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert body["type"] == f"/problems/{slug}"
    assert body["request_id"] == response.headers["x-request-id"]  # type: ignore[attr-defined]
    return body


def test_json_body_over_the_limit_is_413(make_client: AppFactory, session: Session) -> None:
    """A declared Content-Length over CERTVERIFY_MAX_BODY_BYTES is refused before reading."""
    key = make_key(session, Role.ADMIN)
    session.commit()
    client = make_client(rate_limit_enabled=False, max_body_bytes=1000)
    body = '{"name": "' + "x" * 2000 + '"}'
    response = client.post(
        "/v1/certification-bodies",
        content=body,
        headers={**auth(key), "Content-Type": "application/json"},
    )
    problem = _problem(response, 413, "payload-too-large")
    assert "1000-byte limit" in str(problem["detail"])


def test_chunked_body_over_the_limit_is_413(make_client: AppFactory) -> None:
    """A body without Content-Length is read only up to the limit."""
    client = make_client(rate_limit_enabled=False, max_body_bytes=1000)

    def chunks() -> Iterator[bytes]:
        yield b'{"certificate_number": "'
        for _ in range(20):
            yield b"x" * 100
        yield b'"}'

    response = client.post(
        "/v1/verifications", content=chunks(), headers={"Content-Type": "application/json"}
    )
    _problem(response, 413, "payload-too-large")


def test_chunked_body_under_the_limit_is_served(make_client: AppFactory) -> None:
    """A small chunked body is replayed to the route untouched."""
    client = make_client(rate_limit_enabled=False, max_body_bytes=1000)

    def chunks() -> Iterator[bytes]:
        yield b'{"certificate_number": '
        yield b'"NO-SUCH-1"}'

    response = client.post(
        "/v1/verifications", content=chunks(), headers={"Content-Type": "application/json"}
    )
    assert response.status_code == 200, response.text
    assert response.json()["verdict"] == "not_found"


def test_batch_route_has_its_own_larger_limit(make_client: AppFactory) -> None:
    """The batch route allows CERTVERIFY_BATCH_MAX_BODY_BYTES, more than other routes."""
    client = make_client(rate_limit_enabled=False, max_body_bytes=100, batch_max_body_bytes=500)
    small_batch = '{"items": [' + ",".join(['{"certificate_number": "X-1"}'] * 5) + "]}"
    assert 100 < len(small_batch) < 500
    response = client.post(
        "/v1/verifications/batch", content=small_batch, headers={"Content-Type": "application/json"}
    )
    assert response.status_code != 413  # 401: the batch needs a client key
    big = '{"items": [' + ",".join(['{"certificate_number": "X-1"}'] * 50) + "]}"
    response = client.post(
        "/v1/verifications/batch", content=big, headers={"Content-Type": "application/json"}
    )
    _problem(response, 413, "payload-too-large")


def test_long_query_string_is_422(make_client: AppFactory) -> None:
    """A query string over CERTVERIFY_MAX_QUERY_BYTES is refused whatever the route."""
    client = make_client(rate_limit_enabled=False, max_query_bytes=200)
    _problem(
        client.get("/v1/certificates", params={"organization": "a" * 300}), 422, "validation-error"
    )
    assert client.get("/v1/certificates", params={"organization": "acme"}).status_code == 200


@pytest.mark.parametrize(
    ("path", "params"),
    [
        ("/v1/certificates", {"page_size": "501"}),
        ("/v1/certificates", {"organization": "a" * 201}),
        ("/v1/certificates", {"page_token": "t" * 201}),
        ("/v1/verify", {"certificate_number": "n" * 101}),
        ("/v1/verify", {"certificate_number": "X", "scope": "s" * 501}),
        ("/v1/certification-bodies", {"q": "q" * 201}),
        ("/v1/accreditation-bodies", {"page_size": "0"}),
    ],
)
def test_page_size_and_parameter_lengths_are_capped(
    make_client: AppFactory, path: str, params: dict[str, str]
) -> None:
    """page_size is 1..500 and every text parameter has a maximum length: 422 problems."""
    client = make_client(rate_limit_enabled=False)
    _problem(client.get(path, params=params), 422, "validation-error")


def test_page_size_cap_is_500() -> None:
    """The shared PageSize parameter allows at most 500 items."""
    metadata = get_args(PageSize)[1]
    assert any(getattr(m, "le", None) == 500 for m in metadata.metadata)


def test_slow_request_is_answered_503_problem(make_client: AppFactory) -> None:
    """A request that has not started answering within the timeout gets 503 problem+json fast."""
    client = make_client(rate_limit_enabled=False, request_timeout_seconds=0.3, testing_routes=True)
    started = time.monotonic()
    response = client.get("/_test/sleep", params={"seconds": 2})
    assert time.monotonic() - started < 1.5
    problem = _problem(response, 503, "request-timeout")
    assert response.headers["retry-after"] == "5"
    assert "0.3 s" in str(problem["detail"])
    assert client.get("/_test/sleep", params={"seconds": 0}).status_code == 200


def test_testing_routes_are_off_by_default(make_client: AppFactory) -> None:
    """/_test/sleep exists only with CERTVERIFY_TESTING_ROUTES=true."""
    client = make_client(rate_limit_enabled=False)
    assert client.get("/_test/sleep", params={"seconds": 0}).status_code == 404
