"""The OpenAPI document: every 4xx is a Problem (application/problem+json), keys are declared.

FastAPI documents validation errors with its own `HTTPValidationError`; the service answers RFC
9457 problems instead, so the document is post-processed: the 422 schema is replaced, the problem
responses every operation can give (401, 403, 404, 409, 413, 415, 422, 429, 503) are added
from `components.responses`, and the bearer API key is declared (optional on public reads and
verification, required elsewhere). `certverify openapi` writes it to openapi.json; a test keeps
that file equal to what the code serves.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from app.http.openapi_links import add_idempotency_key, add_links

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_SCHEMA: dict[str, Any] = {
    "title": "Problem",
    "type": "object",
    "description": "An RFC 9457 problem: every error the service answers.",
    "required": ["type", "title", "status", "detail", "request_id"],
    "properties": {
        "type": {
            "type": "string",
            "description": "Relative URI `/problems/{slug}`, a page that explains the problem.",
            "examples": ["/problems/validation-error"],
        },
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string"},
        "instance": {"type": "string", "description": "The path that was requested."},
        "request_id": {
            "type": ["string", "null"],
            "description": "Also in the X-Request-ID header; quote it to the operator.",
        },
        "errors": {
            "type": "array",
            "description": "For validation errors: each invalid field by JSON pointer.",
            "items": {
                "type": "object",
                "required": ["pointer", "detail"],
                "properties": {
                    "pointer": {"type": "string", "examples": ["/items/3/as_of"]},
                    "detail": {"type": "string"},
                    "parameter": {"type": "string"},
                    "location": {"type": "string", "enum": ["query", "path", "header"]},
                },
            },
        },
    },
    "additionalProperties": True,
}
_RATE_HEADERS: dict[str, Any] = {
    "RateLimit-Policy": {
        "description": 'The budget, e.g. `"anonymous";q=60;w=60` (draft-ietf-httpapi-ratelimit-'
        "headers).",
        "schema": {"type": "string"},
    },
    "RateLimit": {
        "description": 'What is left, e.g. `"anonymous";r=0;t=42`.',
        "schema": {"type": "string"},
    },
}
# status -> (component name, description, extra headers)
STANDARD_PROBLEMS: dict[str, tuple[str, str, dict[str, Any]]] = {
    "401": ("Unauthorized", "The API key is missing, malformed, unknown or revoked.", {}),
    "403": ("Forbidden", "The key's role or binding does not allow this.", {}),
    "404": ("NotFound", "No such resource, or not visible to this key.", {}),
    "409": ("Conflict", "Conflicts with existing data (e.g. a duplicate number).", {}),
    "413": ("PayloadTooLarge", "The request body is over the limit of this operation.", {}),
    "415": ("UnsupportedMediaType", "The body's media type is not accepted.", {}),
    "422": (
        "ValidationError",
        "A parameter or field is invalid (`errors` names each), or the query string is too long.",
        {},
    ),
    "429": (
        "TooManyRequests",
        "The rate-limit budget is spent.",
        {
            "Retry-After": {
                "description": "Seconds to wait before retrying.",
                "schema": {"type": "integer"},
            },
            **_RATE_HEADERS,
        },
    ),
    "503": (
        "ServiceUnavailable",
        "The database cannot be reached, or the request ran out of time; retry later.",
        {
            "Retry-After": {
                "description": "Seconds to wait before retrying.",
                "schema": {"type": "integer"},
            }
        },
    ),
}
# Operations that work without a key (a key, when sent, must be valid).
PUBLIC_OPERATIONS = frozenset(
    {
        ("get", "/v1/verify"),
        ("post", "/v1/verifications"),
        ("get", "/v1/standards"),
        ("get", "/v1/sectors"),
        ("get", "/v1/accreditation-bodies"),
        ("get", "/v1/accreditation-bodies/{ab_id}"),
        ("get", "/v1/certification-bodies"),
        ("get", "/v1/certification-bodies/{cb_id}"),
        ("get", "/v1/certification-bodies/{cb_id}/accreditations"),
        ("get", "/v1/accreditations/{accreditation_id}"),
        ("get", "/v1/certificates"),
        ("get", "/v1/certificates/{certificate_id}"),
        ("get", "/v1/certificates/{certificate_id}/history"),
        ("get", "/v1/certificates/{certificate_id}/qr.svg"),
        ("get", "/v1/certificates/{certificate_id}/qr.png"),
    }
)
# Outside /v1: problems that can still happen.
OPERATIONS_OUTSIDE_V1: dict[tuple[str, str], tuple[str, ...]] = {
    ("get", "/.well-known/jwks.json"): ("429", "503"),
    ("get", "/problems/{slug}"): ("404",),
    # The metrics token, or loopback only (app/http/observability.py).
    ("get", "/metrics"): ("401", "403"),
}
_WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})


def _problem_codes(method: str, path: str, operation: dict[str, Any]) -> list[str]:
    """The problem statuses an operation can answer."""
    if not path.startswith("/v1/"):
        # A key, when sent, is verified before routing everywhere: a bad one is 401 (issue 14).
        return sorted({"401", "422", *OPERATIONS_OUTSIDE_V1.get((method, path), ())})
    codes = ["401", "422", "429", "503"]
    if (method, path) not in PUBLIC_OPERATIONS:
        codes.append("403")
    if "{" in path or method in _WRITE_METHODS:
        codes.append("404")  # the resource, or one the body refers to, does not exist
    if "requestBody" in operation:
        codes += ["413", "415"]
    if method in _WRITE_METHODS and (method, path) != ("post", "/v1/verifications"):
        codes.append("409")
    return sorted(set(codes))


def _problem_content() -> dict[str, Any]:
    return {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def customise(schema: dict[str, Any]) -> dict[str, Any]:
    """Rewrite FastAPI's document: Problem everywhere for 4xx, standard problems, security."""
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    schemas["Problem"] = PROBLEM_SCHEMA
    components["responses"] = {
        name: {
            "description": description,
            "content": _problem_content(),
            **({"headers": headers} if headers else {}),
        }
        for name, description, headers in STANDARD_PROBLEMS.values()
    }
    components["securitySchemes"] = {
        "apiKey": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API key from `certverify keys create`: "
            "`Authorization: Bearer cvk_...`.",
        }
    }
    for path, item in schema.get("paths", {}).items():
        for method, operation in item.items():
            if method not in {"get", "put", "post", "patch", "delete"}:
                continue
            responses: dict[str, Any] = operation.setdefault("responses", {})
            for code in _problem_codes(method, path, operation):
                responses[code] = {"$ref": f"#/components/responses/{STANDARD_PROBLEMS[code][0]}"}
            for code, response in responses.items():
                if code.startswith("4") and "$ref" not in response:
                    response["content"] = _problem_content()
            if path.startswith("/v1/"):
                public = (method, path) in PUBLIC_OPERATIONS
                operation["security"] = [{}, {"apiKey": []}] if public else [{"apiKey": []}]
            else:
                operation["security"] = []
    license_ = schema.get("info", {}).get("license")
    if license_ and license_.get("name") == "Apache-2.0":
        license_.setdefault("identifier", "Apache-2.0")
    return add_idempotency_key(add_links(schema))  # app/http/openapi_links.py


def install_openapi(app: FastAPI) -> None:
    """Serve the customised document at /openapi.json."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = customise(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                    license_info=app.license_info,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def openapi_document(app: FastAPI) -> str:
    """The OpenAPI document as stable text (sorted keys), as committed in openapi.json."""
    return json.dumps(app.openapi(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
