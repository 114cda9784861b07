"""Examples in the OpenAPI document: answers of the demo registry (`certverify demo`) on the
suite's clock (2026-11-26), shortened where long (a receipt, sector lists, check details).
tests/contract/test_openapi.py validates each against its model. No example holds a null: the
document drops nulls (FastAPI writes it without them), so a required nullable field would go."""

from __future__ import annotations

from typing import Any

VERIFICATION_REQUEST: dict[str, Any] = {
    "certificate_number": "Q 700001",
    "certification_body": "NBC",
    "organization": "Albion Precision Engineering Ltd",
    "standard": "ISO 9001:2015",
    "scope": "machined components",
    "country": "GB",
    "as_of": "2026-11-26",
}

_NBC = {
    "id": "6513270e-269e-4d37-b2a7-4de452e6b438",
    "name": "Northbridge Certification Ltd",
    "acronym": "NBC",
}
_CHECK_MESSAGES = (
    ("certificate_found", "pass", "Certificate Q 700001 issued by Northbridge Certification Ltd"),
    ("certificate_status", "pass", "Active since 2025-10-22"),
    ("validity_period", "pass", "Valid from 2019-10-22 through 2028-10-21"),
    ("standard_edition", "pass", "ISO 9001:2015 is current (no transition deadline)"),
    (
        "cb_accreditation",
        "pass",
        "Northbridge Certification Ltd was accredited for ISO 9001 on the issue date 2025-10-22 "
        "and is on 2026-11-26",
    ),
    ("accreditation_sectors", "pass", "IAF sectors 17, 18 are within accreditation UKAS 4127"),
    ("ab_recognition", "pass", "UKAS is recognised under the Global ACI MRA for ISO 9001"),
    (
        "organization_match",
        "pass",
        'Matches the certified organisation "Albion Precision Engineering Ltd"',
    ),
    ("standard_match", "pass", "The certificate is for ISO 9001:2015"),
    ("site_match", "pass", "The certificate covers a site in GB"),
    ("scope_match", "pass", "The claimed activity is within the certified scope"),
)

VERIFICATION: dict[str, Any] = {
    "verification_id": "e89665a8-db1b-4cf7-a576-b8343744e7bc",
    "checked_at": "2026-11-26T12:00:03Z",
    "as_of": "2026-11-26",
    "verdict": "valid",
    "summary": "Certificate Q 700001 for ISO 9001:2015 held by Albion Precision Engineering Ltd "
    "is valid on 2026-11-26.",
    "checks": [
        {"code": code, "outcome": outcome, "message": message, "details": {}}
        for code, outcome, message in _CHECK_MESSAGES
    ],
    "warnings": [],
    "certificate": {
        "id": "fc132d0d-113d-417d-b0cb-c97d0fef7928",
        "certificate_number": "Q 700001",
        "standard": "ISO 9001:2015",
        "organization": {"name": "Albion Precision Engineering Ltd", "country": "GB"},
        "scope": "Design and manufacture of precision machined components for the aerospace "
        "and rail industries",
        "sectors": [17, 18],
        "sites": [
            {
                "name": "Head office",
                "address": "Unit 4, Tinsley Park Road, Sheffield S9 5DL",
                "country": "GB",
            }
        ],
        "issue_date": "2025-10-22",
        "expiry_date": "2028-10-21",
        "original_issue_date": "2019-10-22",
        "effective_expiry_date": "2028-10-21",
        "status": "active",
    },
    "certification_body": _NBC,
    "accreditation": {
        "id": "d23f0824-128b-4f33-8c5c-7fd0a6a3a450",
        "accreditation_number": "UKAS 4127",
        "standard": "ISO 9001",
        "sectors": [17, 18, 28],
        "status": "active",
        "valid_from": "2004-03-01",
        "valid_until": "2029-05-14",
    },
    "accreditation_body": {
        "id": "e248004c-f345-449d-961f-fedfcf0e63a5",
        "acronym": "UKAS",
        "name": "United Kingdom Accreditation Service",
        "economy": "GB",
    },
    "candidates": [],
    "query": {
        "certificate_number": "Q 700001",
        "number_key": "Q700001",
        "certification_body": {"given": "NBC", "resolved": _NBC},
        "organization": "Albion Precision Engineering Ltd",
        "standard": "ISO 9001:2015",
        "scope": "machined components",
        "country": "GB",
        "as_of": "2026-11-26",
    },
    "receipt": "eyJhbGciOiJFZERTQSIsImtpZCI6InhKVHN5eG5lYzVQeFhIY09WQmtWYzVNckJSUnlSTF9ZeEY3bDF"
    "kWFJfTEUiLCJ0eXAiOiJjZXJ0dmVyaWZ5LXJlY2VpcHQrandzIn0.eyJ2ZXJkaWN0IjoidmFsaWQifQ.91etTSnDc9v"
    "MXPoi2angDvzFcSU2eOc8MwrJnqBeywN_rSa-_LPl2bB2OamLkf5e9VKjHSpncfDV0G6sHuhIAw",
}

_NARNIA = (
    '"Narnia" is not a country: give an ISO 3166-1 code such as GB or GBR, or an English name '
    "such as United Kingdom"
)
BATCH_ITEM_PROBLEM: dict[str, Any] = {
    "type": "/problems/validation-error",
    "title": "Your request is not valid",
    "status": 422,
    "detail": f"/items/1/country: {_NARNIA}",
    "errors": [{"pointer": "/items/1/country", "detail": _NARNIA}],
}
BATCH_REQUEST: dict[str, Any] = {
    "items": [
        {"certificate_number": "Q 700001", "certification_body": "NBC"},
        {"certificate_number": "Q 700007", "certification_body": "NBC", "country": "Narnia"},
    ]
}
BATCH_RESPONSE: dict[str, Any] = {"results": [VERIFICATION, BATCH_ITEM_PROBLEM]}

PROBLEM: dict[str, Any] = {
    "type": "/problems/validation-error",
    "title": "Your request is not valid",
    "status": 422,
    "detail": f"country: {_NARNIA}",
    "instance": "/v1/verify",
    "request_id": "58e9bbc2013c44489b379102a8c81088",
    "errors": [
        {"pointer": "/country", "detail": _NARNIA, "parameter": "country", "location": "query"}
    ],
}
