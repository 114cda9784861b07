"""The OpenAPI document: every 4xx is a Problem (application/problem+json), keys are declared.

FastAPI documents validation errors with its own `HTTPValidationError`; the service answers RFC
9457 problems instead, so the document is post-processed: the 422 schema is replaced, the problem
responses every operation can give (401, 403, 404, 409, 413, 415, 422, 429, 503) are added
from `components.responses`, and the bearer API key is declared (optional on public reads and
verification, required elsewhere). The models no route declares (Problem, the batch body, the
import form) are added as components, so that generators type them (issue 15; operation ids:
app/http/operation_ids.py). `certverify openapi` writes it to openapi.json; a test keeps that
file equal to what the code serves, and `make clients` builds clients from it.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import FastAPI
from fastapi.encoders import jsonable_encoder
from fastapi.openapi.models import Schema
from fastapi.openapi.utils import get_openapi
from pydantic import BaseModel
from pydantic.json_schema import JsonSchemaMode, models_json_schema

from app.http.openapi_links import add_idempotency_key, add_links
from app.schemas.documents import DocumentUpload
from app.schemas.imports import ImportUpload
from app.schemas.integration import BatchRequest
from app.schemas.problems import Problem

PROBLEM_MEDIA_TYPE = "application/problem+json"
DOCUMENTED_MODELS: tuple[tuple[type[BaseModel], JsonSchemaMode], ...] = (
    (Problem, "serialization"),
    (BatchRequest, "validation"),
    (ImportUpload, "validation"),
    (DocumentUpload, "validation"),
)
"""Components no route declares, as an answer (serialization) or a body (validation): problems
come from the error handlers, and the batch and the imports read their bodies themselves (their
`openapi_extra` refers to these by name)."""
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
        ("post", "/v1/documents/verify"),
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
    if method in _WRITE_METHODS and (method, path) not in {
        ("post", "/v1/verifications"),
        ("post", "/v1/documents/verify"),
    }:
        codes.append("409")
    return sorted(set(codes))


def _problem_content() -> dict[str, Any]:
    return {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}


def add_models(
    schemas: dict[str, Any], models: tuple[tuple[type[BaseModel], JsonSchemaMode], ...]
) -> None:
    """Add `models` and the models they use to `schemas` (components), as FastAPI writes
    them (through its OpenAPI `Schema`, without nulls); a name FastAPI already wrote must be the
    same schema, or the document is wrong."""
    _, top = models_json_schema(list(models), ref_template="#/components/schemas/{model}")
    for name, raw in top.get("$defs", {}).items():
        definition = jsonable_encoder(Schema(**raw), by_alias=True, exclude_none=True)
        if schemas.setdefault(name, definition) != definition:
            raise ValueError(f"two different schemas are named {name}")


def customise(schema: dict[str, Any]) -> dict[str, Any]:
    """Rewrite FastAPI's document: Problem everywhere for 4xx, standard problems, security."""
    components = schema.setdefault("components", {})
    schemas = components.setdefault("schemas", {})
    for name in ("HTTPValidationError", "ValidationError"):
        schemas.pop(name, None)
    add_models(schemas, DOCUMENTED_MODELS)
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
            if not path.startswith("/v1/"):
                operation["security"] = []
            elif (method, path) in PUBLIC_OPERATIONS:
                operation.pop("security", None)  # the document's: a key is optional
            else:
                operation["security"] = [{"apiKey": []}]
    # Public operations take the document's security, a key optional, rather than stating it
    # themselves: openapi-python-client reads an operation's own non-empty `security` as "a key
    # is required" and would demand an AuthenticatedClient for an anonymous verification.
    schema["security"] = [{}, {"apiKey": []}]
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
