"""OpenAPI links between the operations that create a resource and those that use it.

A link tells a client (and Schemathesis's stateful phase, tests/contract) that the id in a
create's answer is the path parameter of a read, change or delete: POST /v1/certificates ->
GET /v1/certificates/{certificate_id}, POST /v1/watches -> DELETE /v1/watches/{watch_id}, and so
on. Without them the contract tests only ever sent random ids, so 15 operations saw nothing but
404 (issue 14, part 8). Operations are named by `operationRef` (a JSON pointer into `paths`), so
the links do not depend on operation ids (app/http/operation_ids.py).

The header `Idempotency-Key` is declared here too, on every POST it applies to
(app/http/idempotency.py).
"""

from __future__ import annotations

from typing import Any

from app.http.idempotency import EXEMPT_PATHS, TTL_HOURS

# (method, path, status) of a creating operation -> (link name, method, path, parameter, source)
CREATES: dict[tuple[str, str, str], list[tuple[str, str, str, str, str]]] = {
    ("post", "/v1/certificates", "201"): [
        ("GetCertificate", "get", "/v1/certificates/{certificate_id}", "certificate_id", "id"),
        ("PatchCertificate", "patch", "/v1/certificates/{certificate_id}", "certificate_id", "id"),
        (
            "ChangeCertificateStatus",
            "post",
            "/v1/certificates/{certificate_id}/status",
            "certificate_id",
            "id",
        ),
        (
            "GetCertificateHistory",
            "get",
            "/v1/certificates/{certificate_id}/history",
            "certificate_id",
            "id",
        ),
        (
            "GetCertificateQrSvg",
            "get",
            "/v1/certificates/{certificate_id}/qr.svg",
            "certificate_id",
            "id",
        ),
        (
            "GetCertificateQrPng",
            "get",
            "/v1/certificates/{certificate_id}/qr.png",
            "certificate_id",
            "id",
        ),
    ],
    ("post", "/v1/accreditation-bodies", "201"): [
        ("GetAccreditationBody", "get", "/v1/accreditation-bodies/{ab_id}", "ab_id", "id"),
        ("PatchAccreditationBody", "patch", "/v1/accreditation-bodies/{ab_id}", "ab_id", "id"),
    ],
    ("post", "/v1/certification-bodies", "201"): [
        ("GetCertificationBody", "get", "/v1/certification-bodies/{cb_id}", "cb_id", "id"),
        ("PatchCertificationBody", "patch", "/v1/certification-bodies/{cb_id}", "cb_id", "id"),
        (
            "GetCertificationBodyAccreditations",
            "get",
            "/v1/certification-bodies/{cb_id}/accreditations",
            "cb_id",
            "id",
        ),
        (
            "AccreditCertificationBody",
            "post",
            "/v1/certification-bodies/{cb_id}/accreditations",
            "cb_id",
            "id",
        ),
    ],
    ("post", "/v1/certification-bodies/{cb_id}/accreditations", "201"): [
        (
            "GetAccreditation",
            "get",
            "/v1/accreditations/{accreditation_id}",
            "accreditation_id",
            "id",
        ),
        (
            "PatchAccreditation",
            "patch",
            "/v1/accreditations/{accreditation_id}",
            "accreditation_id",
            "id",
        ),
        (
            "ChangeAccreditationStatus",
            "post",
            "/v1/accreditations/{accreditation_id}/status",
            "accreditation_id",
            "id",
        ),
    ],
    ("post", "/v1/verifications", "200"): [
        (
            "GetVerification",
            "get",
            "/v1/verifications/{verification_id}",
            "verification_id",
            "verification_id",
        ),
    ],
    ("post", "/v1/watches", "201"): [
        ("GetWatch", "get", "/v1/watches/{watch_id}", "watch_id", "id"),
        ("DeleteWatch", "delete", "/v1/watches/{watch_id}", "watch_id", "id"),
    ],
    ("post", "/v1/webhooks", "201"): [
        ("GetWebhook", "get", "/v1/webhooks/{webhook_id}", "webhook_id", "id"),
        ("DeleteWebhook", "delete", "/v1/webhooks/{webhook_id}", "webhook_id", "id"),
        (
            "GetWebhookDeliveries",
            "get",
            "/v1/webhooks/{webhook_id}/deliveries",
            "webhook_id",
            "id",
        ),
        (
            "RotateWebhookSecret",
            "post",
            "/v1/webhooks/{webhook_id}/rotate-secret",
            "webhook_id",
            "id",
        ),
        ("EnableWebhook", "post", "/v1/webhooks/{webhook_id}/enable", "webhook_id", "id"),
    ],
}

# Links whose target takes the id in its body: (name, method, path, request body).
BODY_LINKS: dict[tuple[str, str, str], list[tuple[str, str, str, dict[str, str]]]] = {
    ("post", "/v1/certificates", "201"): [
        ("WatchCertificate", "post", "/v1/watches", {"certificate_id": "$response.body#/id"}),
    ],
    ("get", "/v1/certificates", "200"): [
        (
            "WatchListedCertificate",
            "post",
            "/v1/watches",
            {"certificate_id": "$response.body#/items/0/id"},
        ),
    ],
    ("post", "/v1/certification-bodies", "201"): [
        (
            "CreateCertificate",
            "post",
            "/v1/certificates",
            {"certification_body_id": "$response.body#/id"},
        ),
    ],
    ("get", "/v1/certification-bodies", "200"): [
        (
            "CreateCertificateOfListedBody",
            "post",
            "/v1/certificates",
            {"certification_body_id": "$response.body#/items/0/id"},
        ),
    ],
}

IDEMPOTENCY_KEY_PARAMETER: dict[str, Any] = {
    "name": "Idempotency-Key",
    "in": "header",
    "required": False,
    "description": "Makes a retry safe: the same key with the same request (method, path, "
    f"query and body, byte for byte) within {TTL_HOURS} hours answers the first 2xx response "
    "again, with `Idempotent-Replayed: true`; with a different request it is 409. Keys are "
    "per client; an error answer is not kept. 1 to 255 printable ASCII characters.",
    "schema": {
        "type": "string",
        "minLength": 1,
        "maxLength": 255,
        "pattern": "^[!-~]([ -~]*[!-~])?$",
    },
}


def _operation_ref(method: str, path: str) -> str:
    """A JSON pointer to an operation of this document."""
    return "#/paths/" + path.replace("~", "~0").replace("/", "~1") + "/" + method


def add_links(schema: dict[str, Any]) -> dict[str, Any]:
    """Put the links of CREATES and BODY_LINKS on the producing operations' responses
    (operations absent from the document, such as a route removed, are skipped)."""
    paths: dict[str, Any] = schema.get("paths", {})
    for method, path, status in {**CREATES, **BODY_LINKS}:
        links = CREATES.get((method, path, status), [])
        response = paths.get(path, {}).get(method, {}).get("responses", {}).get(status)
        if response is None:
            continue
        found = {
            name: {
                "operationRef": _operation_ref(target_method, target_path),
                "parameters": {parameter: f"$response.body#/{source}"},
                "description": f"The `{source}` in the answer is `{parameter}` of "
                f"{target_method.upper()} {target_path}.",
            }
            for name, target_method, target_path, parameter, source in links
            if target_method in paths.get(target_path, {})
        }
        for name, target_method, target_path, body in BODY_LINKS.get((method, path, status), []):
            if target_method in paths.get(target_path, {}):
                found[name] = {
                    "operationRef": _operation_ref(target_method, target_path),
                    "requestBody": body,
                    "description": "The id in the answer goes in the body of "
                    f"{target_method.upper()} {target_path}.",
                }
        if found:
            response["links"] = found
    return schema


def add_idempotency_key(schema: dict[str, Any]) -> dict[str, Any]:
    """Declare the `Idempotency-Key` header on every POST under /v1 it applies to."""
    for path, item in schema.get("paths", {}).items():
        operation = item.get("post")
        if operation is None or not path.startswith("/v1/") or path in EXEMPT_PATHS:
            continue
        parameters = operation.setdefault("parameters", [])
        if not any(p.get("name") == "Idempotency-Key" for p in parameters):
            parameters.append(dict(IDEMPOTENCY_KEY_PARAMETER))
        # The key used with another request is a 409 on every operation that takes it.
        operation.setdefault("responses", {}).setdefault(
            "409", {"$ref": "#/components/responses/Conflict"}
        )
    return schema
