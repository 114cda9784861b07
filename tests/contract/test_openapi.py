"""The committed openapi.json is what the service serves, every 4xx in it is a Problem, and it
is precise enough for generated clients (issue 15): enums, typed batch items and results, a
schema for every answer, named operations, examples. (CI also lints openapi.json with Redocly
CLI, tools/openapi-lint, and builds clients from it, tools/clients.)"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from app.config import Settings
from app.domain.facts import CheckCode, Outcome, Verdict
from app.http.openapi import PUBLIC_OPERATIONS, openapi_document
from app.http.operation_ids import OPERATION_IDS
from app.main import create_app
from app.schemas import examples
from app.schemas.integration import BatchResponse
from app.schemas.problems import Problem
from app.schemas.verification import VerificationRead, VerificationRequestIn
from app.services.verification.batch import parse_items

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
    # Public operations take the document's security, a key optional (a generated client then
    # calls them without one); the others require a key.
    assert doc["security"] == [{}, {"apiKey": []}]
    v1 = [(m, p, o) for m, p, o in _operations(doc) if p.startswith("/v1/")]
    assert len(v1) >= 30
    for method, path, operation in v1:
        assert {"401", "422", "429", "503"} <= set(operation["responses"]), (method, path)
        if (method, path) in PUBLIC_OPERATIONS:
            assert "security" not in operation, (method, path)
        else:
            assert operation["security"] == [{"apiKey": []}], (method, path)
        if "requestBody" in operation:
            assert {"413", "415"} <= set(operation["responses"]), (method, path)
    rate_limited = _resolve(doc, {"$ref": "#/components/responses/TooManyRequests"})
    assert {"Retry-After", "RateLimit", "RateLimit-Policy"} <= set(rate_limited["headers"])


# API.md's names, written out: the document must say exactly these.
VERDICTS = [
    "not_found",
    "ambiguous",
    "withdrawn",
    "suspended",
    "expired",
    "not_yet_valid",
    "outdated_standard",
    "not_accredited",
    "mismatch",
    "valid",
]
CHECK_CODES = [
    "certificate_found",
    "certificate_status",
    "validity_period",
    "standard_edition",
    "cb_accreditation",
    "accreditation_sectors",
    "ab_recognition",
    "organization_match",
    "standard_match",
    "site_match",
    "scope_match",
    "document_certificate_number",
    "document_certification_body",
    "document_accreditation_body",
    "document_organization",
    "document_identity",
    "document_standard",
    "document_scope",
    "document_countries",
    "document_sites",
    "document_issue_date",
    "document_original_issue_date",
    "document_expiry_date",
]
CAMEL_CASE = re.compile(r"^[a-z]+(?:[A-Z][a-z0-9]*)+$")


def _schema(doc: dict[str, Any], name: str) -> dict[str, Any]:
    schema: dict[str, Any] = doc["components"]["schemas"][name]
    return schema


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def test_verdicts_outcomes_and_check_codes_are_enums_of_the_domain() -> None:
    """Verdict, Outcome and CheckCode are enums with API.md's values, taken from the domain's
    own enums (app/domain/facts.py), and the verification answer uses them."""
    doc = _document()
    assert _schema(doc, "Verdict")["enum"] == VERDICTS == [v.value for v in Verdict]
    assert _schema(doc, "CheckCode")["enum"] == CHECK_CODES == [c.value for c in CheckCode]
    assert _schema(doc, "Outcome")["enum"] == ["pass", "fail", "warn", "skipped"]
    assert [o.value for o in Outcome] == ["pass", "fail", "warn", "skipped"]
    verification = _schema(doc, "VerificationRead")["properties"]
    assert verification["verdict"]["$ref"] == _ref("Verdict")["$ref"]
    check = _schema(doc, "CheckRead")["properties"]
    assert check["code"]["$ref"] == _ref("CheckCode")["$ref"]
    assert check["outcome"] == _ref("Outcome")
    watch = _schema(doc, "WatchRead")["properties"]["last_verdict"]
    assert watch["anyOf"] == [_ref("Verdict"), {"type": "null"}]
    status = _schema(doc, "Status")["enum"]
    assert status == ["active", "suspended", "withdrawn"]
    certificate = _schema(doc, "VerifiedCertificate")["properties"]["status"]
    assert certificate["anyOf"] == [_ref("Status"), {"type": "null"}]


def test_batch_items_are_typed_and_results_are_one_of_a_verification_or_a_problem() -> None:
    """The batch body's items are verification requests (at most 10,000); each result is
    `oneOf` a verification or an item's problem, which has no other members."""
    doc = _document()
    operation = doc["paths"]["/v1/verifications/batch"]["post"]
    assert operation["requestBody"]["content"]["application/json"]["schema"] == _ref("BatchRequest")
    items = _schema(doc, "BatchRequest")["properties"]["items"]
    assert (items["type"], items["items"], items["maxItems"]) == (
        "array",
        _ref("VerificationRequestIn"),
        10_000,
    )
    ok = operation["responses"]["200"]["content"]
    assert ok["application/json"]["schema"] == _ref("BatchResponse")
    assert ok["text/csv"]["schema"]["format"] == "binary"
    results = _schema(doc, "BatchResponse")["properties"]["results"]
    assert results["items"] == {"oneOf": [_ref("VerificationRead"), _ref("BatchItemProblem")]}
    problem = _schema(doc, "BatchItemProblem")
    assert problem["additionalProperties"] is False
    assert sorted(problem["required"]) == ["detail", "errors", "status", "title", "type"]
    assert problem["properties"]["status"]["const"] == 422
    assert "verdict" in _schema(doc, "VerificationRead")["required"]


def test_operation_ids_are_named_camel_case_and_unique() -> None:
    """Every operation has a readable operationId from app/http/operation_ids.py: camelCase,
    unique, none of FastAPI's defaults (`verify_get_v1_verify_get`)."""
    doc = _document()
    named = {(m.upper(), p): o.get("operationId") for m, p, o in _operations(doc)}
    assert all(isinstance(name, str) and CAMEL_CASE.match(name) for name in named.values()), named
    assert len(set(named.values())) == len(named)
    missing = sorted(set(named) - set(OPERATION_IDS))
    assert not missing, f"name these in app/http/operation_ids.py: {missing}"
    assert named == {key: OPERATION_IDS[key] for key in named}
    assert named[("GET", "/v1/verify")] == "verifyCertificate"
    assert named[("POST", "/v1/verifications/batch")] == "verifyBatch"
    assert named[("GET", "/v1/certificates")] == "listCertificates"
    assert named[("POST", "/v1/certificates/import")] == "importCertificates"
    assert named[("POST", "/v1/accreditations/import")] == "importAccreditations"


def test_every_response_of_every_operation_has_a_schema() -> None:
    """Each status of each operation documents a schema for each media type it answers (a
    204 answers none); images and files are binary strings."""
    doc = _document()
    for method, path, operation in _operations(doc):
        for status, response in operation["responses"].items():
            content = _resolve(doc, response).get("content")
            if status == "204":
                assert content is None, (method, path)
                continue
            assert content, (method, path, status)
            for media_type, body in content.items():
                assert body.get("schema"), (method, path, status, media_type)
    binary = {"type": "string", "format": "binary"}
    paths = doc["paths"]
    qr = "/v1/certificates/{certificate_id}/qr"
    assert paths[f"{qr}.png"]["get"]["responses"]["200"]["content"]["image/png"]["schema"] == binary
    svg = paths[f"{qr}.svg"]["get"]["responses"]["200"]["content"]["image/svg+xml"]["schema"]
    assert svg == binary
    export = paths["/v1/certificates/export"]["get"]["responses"]["200"]["content"]
    assert {media: body["schema"] for media, body in export.items()} == {
        "text/csv": binary,
        "application/x-ndjson": binary,
    }
    assert paths["/.well-known/jwks.json"]["get"]["responses"]["200"]["content"][
        "application/json"
    ]["schema"] == _ref("JwkSet")
    readyz = paths["/readyz"]["get"]["responses"]
    for status in ("200", "503"):
        assert readyz[status]["content"]["application/json"]["schema"] == _ref("Readiness")


@pytest.mark.parametrize("path", ["/v1/certificates/import", "/v1/accreditations/import"])
def test_imports_take_a_form_upload_or_the_raw_file(path: str) -> None:
    """Both imports take `multipart/form-data` (the part `file`, what generators send) or the
    file as the raw body, and answer the typed per-row report."""
    doc = _document()
    operation = doc["paths"][path]["post"]
    content = operation["requestBody"]["content"]
    assert content["multipart/form-data"]["schema"] == _ref("ImportUpload")
    assert {"text/csv", "application/x-ndjson"} <= set(content)
    upload = _schema(doc, "ImportUpload")
    assert upload["required"] == ["file"]
    assert upload["properties"]["file"]["format"] == "binary"
    ok = operation["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == _ref("ImportReport")
    row = _schema(doc, "ImportRow")["properties"]
    assert row["outcome"]["enum"] == [
        "created",
        "updated",
        "unchanged",
        "skipped",
        "error",
    ]


@pytest.mark.parametrize(
    ("model", "example"),
    [
        (VerificationRequestIn, examples.VERIFICATION_REQUEST),
        (VerificationRead, examples.VERIFICATION),
        (BatchResponse, examples.BATCH_RESPONSE),
        (Problem, examples.PROBLEM),
    ],
)
def test_examples_are_in_the_document_and_valid(
    model: type[BaseModel], example: dict[str, Any]
) -> None:
    """The main request and answer schemas carry an example, and it is valid for its model
    (and the same when serialized: the document keeps it as written)."""
    doc = _document()
    assert _schema(doc, model.__name__)["examples"] == [example]
    parsed = model.model_validate(example)
    assert parsed.model_dump(mode="json", exclude_unset=True) == example


def test_the_batch_examples_are_a_request_and_its_answer() -> None:
    """The batch request example's second item is refused exactly as the answer example says
    (the batch's own item validation), and the answer's results are read as one of the two."""
    assert _schema(_document(), "BatchRequest")["examples"] == [examples.BATCH_REQUEST]
    first, second = parse_items(examples.BATCH_REQUEST["items"])
    assert isinstance(first, VerificationRequestIn)
    assert first.certificate_number == examples.VERIFICATION["query"]["certificate_number"]
    assert second == examples.BATCH_ITEM_PROBLEM
    parsed = BatchResponse.model_validate(examples.BATCH_RESPONSE)
    assert [type(r).__name__ for r in parsed.results] == ["VerificationRead", "BatchItemProblem"]
