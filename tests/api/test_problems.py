"""Every error is RFC 9457 problem+json: unknown routes, wrong methods, media types, bad JSON."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.services.auth import Role
from tests.factories import auth, make_key


def _is_problem(response: object, status: int, slug: str) -> dict[str, object]:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == "application/problem+json"  # type: ignore[attr-defined]
    body: dict[str, object] = response.json()  # type: ignore[attr-defined]
    assert body["type"] == f"/problems/{slug}"
    assert body["status"] == status
    assert body["request_id"] == response.headers["x-request-id"]  # type: ignore[attr-defined]
    assert "Traceback" not in response.text  # type: ignore[attr-defined]
    return body


def test_unknown_route_is_404_problem(client: TestClient) -> None:
    """404 for an unknown route."""
    _is_problem(client.get("/v1/nothing-here"), 404, "not-found")


def test_unknown_id_is_404_problem(client: TestClient) -> None:
    """404 for an unknown resource id; a malformed id is 422 naming the path parameter."""
    _is_problem(
        client.get("/v1/certificates/00000000-0000-0000-0000-000000000000"), 404, "not-found"
    )
    body = _is_problem(client.get("/v1/certificates/not-a-uuid"), 422, "validation-error")
    assert body["errors"] == [
        {
            "pointer": "/certificate_id",
            "detail": body["errors"][0]["detail"],  # type: ignore[index]
            "parameter": "certificate_id",
            "location": "path",
        }
    ]


def test_wrong_method_is_405_problem(client: TestClient) -> None:
    """405 for a method the route does not take, with Allow."""
    response = client.delete("/v1/standards")
    _is_problem(response, 405, "method-not-allowed")
    assert "GET" in response.headers["allow"]


def test_non_json_body_is_415_problem(client: TestClient, session: Session) -> None:
    """415 when a write sends something other than JSON."""
    key = make_key(session, Role.ADMIN)
    session.commit()
    response = client.post(
        "/v1/certification-bodies",
        content="name=x",
        headers={**auth(key), "Content-Type": "application/x-www-form-urlencoded"},
    )
    _is_problem(response, 415, "unsupported-media-type")


def test_malformed_json_is_422_problem(client: TestClient, session: Session) -> None:
    """A body that is not valid JSON is a validation problem, not a crash."""
    key = make_key(session, Role.ADMIN)
    session.commit()
    response = client.post(
        "/v1/certification-bodies",
        content='{"name": ',
        headers={**auth(key), "Content-Type": "application/json"},
    )
    body = _is_problem(response, 422, "validation-error")
    assert body["detail"] == "The request body is not valid JSON."


def test_problem_types_have_pages(client: TestClient) -> None:
    """Every problem type is a relative URI the service serves as a human-readable page."""
    response = client.get("/problems/validation-error")
    assert response.status_code == 200
    assert "Your request is not valid" in response.text


def test_request_id_is_echoed(client: TestClient) -> None:
    """A safe incoming X-Request-ID is kept and echoed in the header and in problems."""
    response = client.get("/v1/nothing", headers={"X-Request-ID": "abc-123"})
    assert response.headers["x-request-id"] == "abc-123"
    assert response.json()["request_id"] == "abc-123"


def test_health_and_readiness(client: TestClient) -> None:
    """/healthz is up; /readyz checks the database is at the newest migration."""
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ok"
