"""Issue 15: the imports also take the file as a form upload (multipart/form-data, the part
`file`), which generated clients send; it goes to the same readers as a raw body."""

from __future__ import annotations

import io
from typing import Any

import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.config import get_settings
from app.schemas.imports import ImportReport, ImportRow
from app.services.auth import Role
from tests.factories import accredit, auth, make_ab, make_cb, make_key

HEADER = (
    "certificate_number,status,organization_name,organization_country,standard,scope,sectors,"
    "site_country,issue_date,expiry_date\n"
)
ROW_A = "IMP-001,Active,Alpha Tools Ltd,GB,ISO 9001:2015,Tool making,17,GB,2025-01-10,2028-01-09\n"
CSV = (
    HEADER
    + ROW_A
    + "IMP-002,Active,Beta Logistik GmbH,DE,ISO 14001:2015,Warehousing,31,DE,2024-06-01,"
    "2027-05-31\n"
    + "IMP-003,Suspended,Gamma Software SRL,RO,ISO/IEC 27001:2022,Software,,RO,2024-02-01,"
    "2027-01-31\n"
)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CREATED_3 = {"rows": 3, "created": 3, "updated": 0, "unchanged": 0, "skipped": 0, "error": 0}


@pytest.fixture
def tenant(session: Session) -> dict[str, Any]:
    """A CB accredited for ISO 9001 and ISO 14001, with a key."""
    ab = make_ab(session, "FAB", [{"standard": "ISO 9001"}, {"standard": "ISO 14001"}])
    cb = make_cb(session, "Form Certification Ltd", "FCL")
    accredit(session, cb, ab.id)
    key = make_key(session, Role.CERTIFICATION_BODY, cb)
    session.commit()
    return {"cb": cb, "key": key}


def upload(
    client: TestClient,
    key: str,
    files: dict[str, Any],
    data: dict[str, str] | None = None,
    path: str = "/v1/certificates/import",
) -> Any:
    """POST a multipart form."""
    return client.post(path, files=files, data=data, headers=auth(key))


def test_a_form_upload_imports_like_the_raw_body(
    client: TestClient, tenant: dict[str, Any]
) -> None:
    """The CSV as the part `file` creates the rows; the same bytes as the raw body then change
    nothing (one code path), and the form again changes nothing either."""
    form = {"file": ("certificates.csv", CSV.encode(), "text/csv")}
    first = upload(client, tenant["key"], form)
    assert first.status_code == 200, first.text
    assert first.json()["totals"] == CREATED_3
    assert [r["outcome"] for r in first.json()["rows"]] == ["created"] * 3
    # The documented report (app/schemas/imports.py) names every member the answer has.
    assert set(first.json()) == set(ImportReport.model_fields)
    for row in first.json()["rows"]:
        assert set(row) <= set(ImportRow.model_fields), row
    ImportReport.model_validate(first.json())
    raw = client.post(
        "/v1/certificates/import",
        content=CSV.encode(),
        headers={**auth(tenant["key"]), "Content-Type": "text/csv"},
    )
    assert [r["outcome"] for r in raw.json()["rows"]] == ["unchanged"] * 3
    again = upload(client, tenant["key"], form)
    assert [r["outcome"] for r in again.json()["rows"]] == ["unchanged"] * 3


@pytest.mark.parametrize(
    ("filename", "media_type", "content"),
    [
        # a browser on Windows with Excel sends a .csv as application/vnd.ms-excel
        ("certificates.csv", "application/vnd.ms-excel", (HEADER + ROW_A).encode()),
        (
            "certificates.jsonl",
            "application/octet-stream",
            b'{"certificate_number": "IMP-001", "organization": {"name": "Alpha Tools Ltd", '
            b'"country": "GB"}, "standard": "ISO 9001:2015", "issue_date": "2025-01-10", '
            b'"expiry_date": "2028-01-09"}\n',
        ),
    ],
)
def test_the_file_name_tells_the_format_when_the_media_type_does_not(
    client: TestClient, tenant: dict[str, Any], filename: str, media_type: str, content: bytes
) -> None:
    """A part whose media type names no format we read is read by its extension."""
    response = upload(client, tenant["key"], {"file": (filename, content, media_type)})
    assert response.status_code == 200, response.text
    assert [(r["certificate_number"], r["outcome"]) for r in response.json()["rows"]] == [
        ("IMP-001", "created")
    ]


def test_a_workbook_as_a_form_upload(client: TestClient, tenant: dict[str, Any]) -> None:
    """An XLSX file in the form imports as the raw XLSX body does (H4's reader)."""
    book = openpyxl.Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(
        ["certificate_number", "organization_name", "standard", "issue_date", "expiry_date"]
    )
    sheet.append(["X-1", "Xylo Instruments Ltd", "ISO 9001:2015", "2025-01-10", "2028-01-09"])
    data = io.BytesIO()
    book.save(data)
    response = upload(client, tenant["key"], {"file": ("certificates.xlsx", data.getvalue(), XLSX)})
    assert response.status_code == 200, response.text
    assert [(r["certificate_number"], r["outcome"]) for r in response.json()["rows"]] == [
        ("X-1", "created")
    ]


def test_a_part_of_no_known_format_is_415(client: TestClient, tenant: dict[str, Any]) -> None:
    """Neither the media type nor the name says CSV, JSON Lines or XLSX: 415 naming both."""
    response = upload(client, tenant["key"], {"file": ("notes.txt", b"hello", "text/plain")})
    assert response.status_code == 415
    assert response.json()["detail"] == (
        "Send the form part 'file' as text/csv, application/x-ndjson or "
        f"{XLSX}, or with a file name ending .csv, .jsonl, .ndjson or .xlsx "
        "(got text/plain, 'notes.txt')."
    )


@pytest.mark.parametrize(
    ("files", "data", "pointer", "detail"),
    [
        (
            {"document": ("c.csv", b"x", "text/csv")},
            None,
            "/document",
            "unknown form field(s) document; the form has one part, 'file', with the file "
            "(options are query parameters)",
        ),
        (
            {"file": ("c.csv", CSV.encode(), "text/csv")},
            {"mode": "partial"},
            "/mode",
            "unknown form field(s) mode; the form has one part, 'file', with the file "
            "(options are query parameters)",
        ),
        (
            None,
            {"file": CSV},
            "/file",
            "send the file in the form part 'file', as a file (with a file name)",
        ),
    ],
)
def test_a_form_without_just_the_file_part_is_422(
    client: TestClient,
    tenant: dict[str, Any],
    files: dict[str, Any] | None,
    data: dict[str, str] | None,
    pointer: str,
    detail: str,
) -> None:
    """The form has one part, `file`, holding a file: anything else is named in a 422."""
    if files is None:  # a text field alone: httpx sends a urlencoded body without files
        response = client.post(
            "/v1/certificates/import",
            content=b'--b\r\nContent-Disposition: form-data; name="file"\r\n\r\n'
            + CSV.encode()
            + b"\r\n--b--\r\n",
            headers={**auth(tenant["key"]), "Content-Type": "multipart/form-data; boundary=b"},
        )
    else:
        response = upload(client, tenant["key"], files, data)
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [{"pointer": pointer, "detail": detail}]


def test_a_body_that_is_not_a_form_is_422(client: TestClient, tenant: dict[str, Any]) -> None:
    """multipart/form-data without a boundary, or not multipart at all, is a 422 problem."""
    response = client.post(
        "/v1/certificates/import",
        content=b"certificate_number\nX\n",
        headers={**auth(tenant["key"]), "Content-Type": "multipart/form-data"},
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"pointer": "/file", "detail": "the form cannot be read: Missing boundary in multipart."}
    ]


def test_an_oversized_form_is_413(
    client: TestClient, tenant: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The form counts against the import limit as a raw body does, before it is parsed."""
    monkeypatch.setattr(get_settings(), "import_max_bytes", 100)
    response = upload(client, tenant["key"], {"file": ("c.csv", CSV.encode(), "text/csv")})
    assert response.status_code == 413
    assert response.json()["type"] == "/problems/payload-too-large"


def test_accreditations_as_a_form_upload(client: TestClient, session: Session) -> None:
    """The accreditation import takes the form too."""
    ab = make_ab(session, "FORMAB")
    make_cb(session, "Alpha Certification Ltd", "ACB")
    key = make_key(session, Role.ACCREDITATION_BODY, ab.id)
    session.commit()
    text = (
        "certification_body,accreditation_number,standard,valid_from\nACB,F-1,ISO 9001,2020-01-01\n"
    )
    response = upload(
        client,
        key,
        {"file": ("accreditations.csv", text.encode(), "text/csv")},
        path="/v1/accreditations/import",
    )
    assert response.status_code == 200, response.text
    assert [(r["certificate_number"], r["outcome"]) for r in response.json()["rows"]] == [
        ("F-1", "created")
    ]
