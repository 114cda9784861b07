"""The committed openapi.json is what the service serves, and every 4xx in it is a Problem.
(CI also lints openapi.json with Redocly CLI: tools/openapi-lint.)"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.config import Settings
from app.http.openapi import PUBLIC_OPERATIONS, openapi_document
from app.main import create_app

ROOT = Path(__file__).resolve().parents[2]
PROBLEM_REF = "#/components/schemas/Problem"


def _document() -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(
        openapi_document(create_app(Settings(rate_limit_enabled=False)))
    )
    return doc


def _operations(doc: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in doc["paths"].items()
        for method, operation in item.items()
        if method in {"get", "post", "put", "patch", "delete"}
    ]


def _resolve(doc: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        *_, kind, name = node["$ref"].split("/")
        node = doc["components"][kind][name]
    return node


def test_committed_openapi_json_matches_the_app() -> None:
    """openapi.json is current: after changing routes or schemas, run `make openapi`."""
    committed = (ROOT / "openapi.json").read_text(encoding="utf-8")
    live = openapi_document(create_app(Settings(rate_limit_enabled=False)))
    assert committed == live, "openapi.json is out of date: run `make openapi` and commit it"


def test_every_4xx_response_is_a_problem() -> None:
    """Each 4xx response of each operation is application/problem+json with the Problem schema;
    FastAPI's HTTPValidationError is gone."""
    doc = _document()
    assert "HTTPValidationError" not in doc["components"]["schemas"]
    for method, path, operation in _operations(doc):
        for status, response in operation["responses"].items():
            if not status.startswith("4"):
                continue
            content = _resolve(doc, response).get("content", {})
            assert list(content) == ["application/problem+json"], (method, path, status)
            assert content["application/problem+json"]["schema"] == {"$ref": PROBLEM_REF}


def test_every_api_operation_declares_its_problems_and_keys() -> None:
    """Every /v1 operation documents 401, 422, 429 and 503, and how it takes the API key."""
    doc = _document()
    assert doc["components"]["securitySchemes"]["apiKey"]["scheme"] == "bearer"
    v1 = [(m, p, o) for m, p, o in _operations(doc) if p.startswith("/v1/")]
    assert len(v1) >= 30
    for method, path, operation in v1:
        assert {"401", "422", "429", "503"} <= set(operation["responses"]), (method, path)
        public = (method, path) in PUBLIC_OPERATIONS
        expected: list[dict[str, list[str]]] = [{}, {"apiKey": []}] if public else [{"apiKey": []}]
        assert operation["security"] == expected, (method, path)
        if "requestBody" in operation:
            assert {"413", "415"} <= set(operation["responses"]), (method, path)
    rate_limited = _resolve(doc, {"$ref": "#/components/responses/TooManyRequests"})
    assert {"Retry-After", "RateLimit", "RateLimit-Policy"} <= set(rate_limited["headers"])
