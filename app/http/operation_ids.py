"""Stable, readable OpenAPI operationIds: one table, (method, path) -> a camelCase name.

The scheme: verb + resource in camelCase, the verb one of `list` (a page of a collection),
`get` (one resource or document), `create`, `update` (PATCH), `delete`, or the action itself
(`verify...`, `import...`, `export...`, `change...Status`, `enable...`, `replay...`). Generated
clients name their functions after these (openapi-python-client: `verify_certificate`,
`verify_batch`; openapi-typescript: `operations["verifyBatch"]`), so a name never changes once
published. FastAPI's default (`verify_get_v1_verify_get`, the Python function's name and the
path) would change with any rename of a route function; `operation_id` is installed as the app's
`generate_unique_id_function` instead. A route missing from the table is named from its function
in camelCase, and tests/contract/test_openapi.py fails until it is added here.
"""

from __future__ import annotations

from fastapi.routing import APIRoute

OPERATION_IDS: dict[tuple[str, str], str] = {
    # verification
    ("GET", "/v1/verify"): "verifyCertificate",
    ("POST", "/v1/verifications"): "createVerification",
    ("POST", "/v1/verifications/batch"): "verifyBatch",
    ("GET", "/v1/verifications/{verification_id}"): "getVerification",
    ("POST", "/v1/documents/verify"): "verifyDocument",
    ("GET", "/v1/verifications/{verification_id}/document"): "getVerificationDocument",
    # reference data
    ("GET", "/v1/standards"): "listStandards",
    ("GET", "/v1/sectors"): "listSectors",
    # accreditation bodies
    ("GET", "/v1/accreditation-bodies"): "listAccreditationBodies",
    ("POST", "/v1/accreditation-bodies"): "createAccreditationBody",
    ("GET", "/v1/accreditation-bodies/{ab_id}"): "getAccreditationBody",
    ("PATCH", "/v1/accreditation-bodies/{ab_id}"): "updateAccreditationBody",
    # certification bodies and their accreditations
    ("GET", "/v1/certification-bodies"): "listCertificationBodies",
    ("POST", "/v1/certification-bodies"): "createCertificationBody",
    ("GET", "/v1/certification-bodies/{cb_id}"): "getCertificationBody",
    ("PATCH", "/v1/certification-bodies/{cb_id}"): "updateCertificationBody",
    ("GET", "/v1/certification-bodies/{cb_id}/accreditations"): "listAccreditationsOfBody",
    ("POST", "/v1/certification-bodies/{cb_id}/accreditations"): "createAccreditation",
    ("GET", "/v1/accreditations/{accreditation_id}"): "getAccreditation",
    ("PATCH", "/v1/accreditations/{accreditation_id}"): "updateAccreditation",
    ("POST", "/v1/accreditations/{accreditation_id}/status"): "changeAccreditationStatus",
    ("POST", "/v1/accreditations/import"): "importAccreditations",
    # certificates
    ("GET", "/v1/certificates"): "listCertificates",
    ("POST", "/v1/certificates"): "createCertificate",
    ("GET", "/v1/certificates/{certificate_id}"): "getCertificate",
    ("PATCH", "/v1/certificates/{certificate_id}"): "updateCertificate",
    ("POST", "/v1/certificates/{certificate_id}/status"): "changeCertificateStatus",
    ("GET", "/v1/certificates/{certificate_id}/history"): "getCertificateHistory",
    ("GET", "/v1/certificates/{certificate_id}/qr.svg"): "getCertificateQrSvg",
    ("GET", "/v1/certificates/{certificate_id}/qr.png"): "getCertificateQrPng",
    ("POST", "/v1/certificates/import"): "importCertificates",
    ("GET", "/v1/certificates/export"): "exportCertificates",
    # audit and clients (admin)
    ("GET", "/v1/audit-events"): "listAuditEvents",
    ("GET", "/v1/clients"): "listClients",
    ("GET", "/v1/clients/{client_id}"): "getClient",
    ("POST", "/v1/clients/{client_id}/disable"): "disableClient",
    ("POST", "/v1/clients/{client_id}/enable"): "enableClient",
    # watches
    ("GET", "/v1/watches"): "listWatches",
    ("POST", "/v1/watches"): "createWatch",
    ("DELETE", "/v1/watches"): "deleteWatchesOfClient",
    ("GET", "/v1/watches/{watch_id}"): "getWatch",
    ("DELETE", "/v1/watches/{watch_id}"): "deleteWatch",
    # webhooks
    ("GET", "/v1/webhooks"): "listWebhooks",
    ("POST", "/v1/webhooks"): "createWebhook",
    ("DELETE", "/v1/webhooks"): "deleteWebhooksOfClient",
    ("GET", "/v1/webhooks/{webhook_id}"): "getWebhook",
    ("DELETE", "/v1/webhooks/{webhook_id}"): "deleteWebhook",
    ("POST", "/v1/webhooks/{webhook_id}/rotate-secret"): "rotateWebhookSecret",
    ("POST", "/v1/webhooks/{webhook_id}/enable"): "enableWebhook",
    ("GET", "/v1/webhooks/{webhook_id}/deliveries"): "listWebhookDeliveries",
    (
        "POST",
        "/v1/webhooks/{webhook_id}/deliveries/{delivery_id}/replay",
    ): "replayWebhookDelivery",
    # outside /v1
    ("GET", "/.well-known/jwks.json"): "getJwks",
    ("GET", "/problems/{slug}"): "getProblemType",
    ("GET", "/healthz"): "getHealth",
    ("GET", "/readyz"): "getReadiness",
    ("GET", "/metrics"): "getMetrics",
}


def camel_case(name: str) -> str:
    """`verify_many` -> `verifyMany`."""
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def operation_id(route: APIRoute) -> str:
    """The operationId of a route (FastAPI's `generate_unique_id_function`): its entry in
    OPERATION_IDS, else its function's name in camelCase (a test requires the entry)."""
    for method in sorted(route.methods or ()):
        if (method, route.path) in OPERATION_IDS:
            return OPERATION_IDS[(method, route.path)]
    return camel_case(route.name)
