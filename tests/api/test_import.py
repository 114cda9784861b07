"""Issue 3: bulk import that loses nothing — idempotent upsert, MD 28 layout, bad input, history."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.config import get_settings
from app.models import AuditEvent, Certificate, CertificateChange, CertificateStatusEvent
from app.services.auth import Role
from tests.factories import accredit, auth, make_ab, make_cb, make_certificate, make_key

HEADER = (
    "certificate_number,status,organization_name,organization_country,standard,scope,sectors,"
    "site_name,site_address,site_country,original_issue_date,issue_date,expiry_date,confidential\n"
)
ROW_A = (
    "IMP-001,Active,Alpha Tools Ltd,GB,ISO 9001:2015,Tool making,17;18,Works,1 Mill Lane|2 Dock Rd,"
    "GB|GB,2019-01-10,2025-01-10,2028-01-09,false\n"
)
ROW_B = (
    "IMP-002,Active,Beta Logistik GmbH,DE,ISO 14001:2015,Warehousing,31,,Hafenstr. 1,DE,,"
    "2024-06-01,2027-05-31,no\n"
)
ROW_C = (
    "IMP-003,Suspended,Gamma Software SRL,RO,ISO/IEC 27001:2022,Software,,,,RO,,2024-02-01,"
    "2027-01-31,yes\n"
)
CSV = HEADER + ROW_A + ROW_B + ROW_C

MD28 = (
    "Certificate Number,Certification Status,Certified Entity Name,Certified Entity Country,"
    "Standards/schemes,Certification Scope,Sector code,Certification site address,"
    "Certification site country,Certification Original Issue Date,Certification Issue Date,"
    "Certification Expiry Date,Confidential Certified Entity\n"
    "20897-A01,Active,Delta Foods SA,ES,ISO 9001:2015,Food packaging,3,Calle Mayor 1,ES,"
    "20180105,20240105,20270104,No\n"
    "20897-A02,Suspended,Epsilon Pharma Ltd,IE,ISO 9001:2015,Generic tablets,13,"
    "Unit 4 Park|Unit 9 Park,IE|IE,,20250301,20280228,No\n"
    "20897-A03,Withdrawn,Zeta Builders Inc,US,ISO 45001:2018,Construction,28,1 Main St,US,"
    ",20230101,20251231,No\n"
)


@pytest.fixture
def tenant(session: Session) -> dict[str, Any]:
    """A CB with a key, another CB with a key, an admin key."""
    ab = make_ab(session, "IAB", [{"standard": "ISO 9001"}, {"standard": "ISO 14001"}])
    cb = make_cb(session, "Importing Certification Ltd", "ICL")
    other = make_cb(session, "Other Importer SA", "OIS", "FR")
    accredit(session, cb, ab.id)
    t = {
        "cb": cb,
        "other": other,
        "other_cert": make_certificate(session, other, "OTHER-1"),
        "key": make_key(session, Role.CERTIFICATION_BODY, cb),
        "other_key": make_key(session, Role.CERTIFICATION_BODY, other),
        "admin": make_key(session, Role.ADMIN),
    }
    session.commit()
    return t


def post_csv(client: TestClient, key: str, text: str | bytes, **params: str) -> Any:
    """Upload CSV."""
    return client.post(
        "/v1/certificates/import",
        content=text.encode() if isinstance(text, str) else text,
        params=params,
        headers={**auth(key), "Content-Type": "text/csv"},
    )


def counts(session: Session) -> tuple[int, int, int, int]:
    """(certificates, status events, field changes, audit events)."""
    return (
        session.scalar(select(func.count()).select_from(Certificate)) or 0,
        session.scalar(select(func.count()).select_from(CertificateStatusEvent)) or 0,
        session.scalar(select(func.count()).select_from(CertificateChange)) or 0,
        session.scalar(select(func.count()).select_from(AuditEvent)) or 0,
    )


def test_import_creates_then_reimport_changes_nothing(
    client: TestClient, session: Session, tenant: dict[str, Any]
) -> None:
    """Idempotent upsert keyed by (CB, normalised number): the second import is a no-op."""
    first = post_csv(client, tenant["key"], CSV)
    assert first.status_code == 200, first.text
    report = first.json()
    assert report["committed"] is True
    assert report["totals"] == {
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "error": 0,
    }
    assert [r["outcome"] for r in report["rows"]] == ["created"] * 3
    assert [r["row"] for r in report["rows"]] == [2, 3, 4]
    cert = client.get(f"/v1/certificates/{report['rows'][0]['certificate_id']}").json()
    assert cert["sites"] == [
        {"name": "Works", "address": "1 Mill Lane", "country": "GB"},
        {"name": None, "address": "2 Dock Rd", "country": "GB"},
    ]
    assert cert["sectors"] == [17, 18]
    suspended = client.get(
        f"/v1/certificates/{report['rows'][2]['certificate_id']}", headers=auth(tenant["key"])
    ).json()
    assert suspended["confidential"] is True
    assert suspended["status"] == "suspended"
    before = counts(session)

    second = post_csv(client, tenant["key"], CSV)
    assert second.json()["totals"]["unchanged"] == 3
    assert [r["outcome"] for r in second.json()["rows"]] == ["unchanged"] * 3
    assert counts(session) == before


@pytest.mark.usefixtures("session")
def test_changed_row_updates_and_records_history(
    client: TestClient, tenant: dict[str, Any]
) -> None:
    """A changed row updates the certificate; each change and status change lands in history."""
    post_csv(client, tenant["key"], CSV)
    changed = (
        HEADER
        + ROW_A.replace("Tool making", "Tool and die making").replace(
            "IMP-001,Active", "IMP-001,Withdrawn"
        )
        + ROW_B
        + ROW_C
    )
    changed = changed.replace("status,", "status,", 1)
    report = post_csv(client, tenant["key"], changed).json()
    assert report["totals"]["updated"] == 1
    assert report["totals"]["unchanged"] == 2
    row = report["rows"][0]
    assert row["changes"] == [
        {"field": "scope", "before": "Tool making", "after": "Tool and die making"},
        {
            "field": "status",
            "before": "active",
            "after": "withdrawn",
            "effective_from": "2026-11-26",
        },
    ]
    history = client.get(f"/v1/certificates/{row['certificate_id']}/history").json()["items"]
    fields = [(h["field"], h["before"], h["after"]) for h in history if h["kind"] == "field"]
    assert fields == [("scope", "Tool making", "Tool and die making")]
    statuses = [(h["status"], h["reason"]) for h in history if h["kind"] == "status"]
    assert statuses == [("active", "issued"), ("withdrawn", "imported as Withdrawn")]
    assert all(h["actor"]["role"] == "certification_body" for h in history)
    audit = client.get(
        "/v1/audit-events",
        params={"action": "certificate.import.update", "target_id": row["certificate_id"]},
        headers=auth(tenant["admin"]),
    ).json()["items"]
    assert audit[0]["before"]["scope"] == "Tool making"
    assert audit[0]["after"]["status"] == "withdrawn"


def test_status_change_is_dated_from_the_file(client: TestClient, tenant: dict[str, Any]) -> None:
    """status_effective_from in the file dates the status event."""
    post_csv(client, tenant["key"], CSV)
    text = (
        "certificate_number,status,status_effective_from,organization_name,organization_country,"
        "standard,issue_date,expiry_date,site_country,sectors,scope,site_address,site_name,"
        "original_issue_date\n"
        "IMP-001,Suspended,2026-03-15,Alpha Tools Ltd,GB,ISO 9001:2015,2025-01-10,2028-01-09,"
        "GB|GB,17;18,Tool making,1 Mill Lane|2 Dock Rd,Works,2019-01-10\n"
    )
    report = post_csv(client, tenant["key"], text).json()
    assert report["rows"][0]["changes"] == [
        {
            "field": "status",
            "before": "active",
            "after": "suspended",
            "effective_from": "2026-03-15",
        }
    ]
    cert_id = report["rows"][0]["certificate_id"]
    history = client.get(f"/v1/certificates/{cert_id}").json()["status_history"]
    assert [(h["status"], h["effective_from"]) for h in history] == [
        ("active", "2025-01-10"),
        ("suspended", "2026-03-15"),
    ]
    before = client.get(
        "/v1/verify", params={"certificate_number": "IMP-001", "as_of": "2026-03-14"}
    ).json()
    after = client.get(
        "/v1/verify", params={"certificate_number": "IMP-001", "as_of": "2026-03-15"}
    ).json()
    assert (before["verdict"], after["verdict"]) == ("valid", "suspended")


def test_md28_layout_round_trips(client: TestClient, tenant: dict[str, Any]) -> None:
    """An IAF MD 28 export imports, exports identically, and re-imports as a no-op."""
    report = post_csv(client, tenant["key"], MD28).json()
    assert report["totals"]["created"] == 3
    assert report["status_mappings"] == {
        "Active": {"explanation": "Active → active", "rows": 1},
        "Suspended": {"explanation": "Suspended → suspended (ISO/IEC 17021-1 §9.6)", "rows": 1},
        "Withdrawn": {"explanation": "Withdrawn → withdrawn (ISO/IEC 17021-1 §9.6)", "rows": 1},
    }
    exported = client.get(
        "/v1/certificates/export", params={"format": "iaf-md28"}, headers=auth(tenant["key"])
    )
    assert exported.status_code == 200
    assert exported.text == MD28
    again = post_csv(client, tenant["key"], exported.text).json()
    assert again["totals"]["unchanged"] == 3


def test_status_vocabulary_mapping_is_reported(client: TestClient, tenant: dict[str, Any]) -> None:
    """Cancelled/Inactive become withdrawn, Expired records no status, Draft is not imported."""
    text = HEADER + "".join(
        ROW_B.replace("IMP-002,Active", f"V-{i},{word}")
        for i, word in enumerate(["Cancelled", "Inactive", "Expired", "Draft"])
    )
    report = post_csv(client, tenant["key"], text).json()
    assert report["totals"] == {
        "rows": 4,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "skipped": 1,
        "error": 0,
    }
    assert [r["status_mapping"] for r in report["rows"]] == [
        "Cancelled → withdrawn: the certification body ended the certification",
        "Inactive → withdrawn: an inactive certification is no longer current",
        "Expired → no status change: expiry is judged from the expiry date",
        "Draft → not imported: drafts are not published certifications",
    ]
    assert report["rows"][3]["outcome"] == "skipped"


BAD_ROWS = [
    (
        ROW_A.replace("ISO 9001:2015", "ISO 9999:2015"),
        "standard",
        'unknown standard edition "ISO 9999:2015"',
    ),
    (
        ROW_A.replace("2028-01-09", "2028-02-30"),
        "expiry_date",
        "Input should be a valid date or datetime, day value is outside expected range",
    ),
    (
        ROW_A.replace("2028-01-09", "2024-01-09"),
        "expiry_date",
        "expiry date 2024-01-09 is before issue date 2025-01-10",
    ),
    (ROW_A.replace("17;18", "17;45"), "sectors", "Input should be less than or equal to 39"),
    (
        ROW_A.replace("IMP-001,Active", "IMP-001,Revoked"),
        "status",
        "unknown status 'Revoked'; expected one of Active, Suspended, Withdrawn, Cancelled, "
        "Inactive, Expired, Draft",
    ),
    (
        ROW_A.replace("Alpha Tools Ltd", ""),
        "organization_name",
        "required for a new certificate (the registry has none with this number for this "
        "certification body)",
    ),
    (
        ROW_A.replace("Alpha Tools Ltd", "Alpha\x07Tools Ltd"),
        "organization_name",
        "contains a control character (U+0007) at character 6; control characters are not allowed",
    ),
    (
        ROW_A.replace("IMP-001", "IMP\x00001"),
        "certificate_number",
        "contains a control character (U+0000) at character 4; control characters are not allowed",
    ),
]


@pytest.mark.parametrize(("bad_row", "column", "reason"), BAD_ROWS)
def test_bad_row_rejects_the_whole_file_by_default(
    client: TestClient,
    session: Session,
    tenant: dict[str, Any],
    bad_row: str,
    column: str,
    reason: str,
) -> None:
    """mode=all: one bad row -> 422 with the row, field and reason; the database is unchanged."""
    before = counts(session)
    response = post_csv(client, tenant["key"], HEADER + ROW_B + bad_row + ROW_C)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["report"]["committed"] is False
    bad = [r for r in problem["report"]["rows"] if r["outcome"] == "error"]
    assert [r["row"] for r in bad] == [3]
    assert {"field": column, "reason": reason} in [
        {"field": e["field"], "reason": e["reason"]} for e in bad[0]["errors"]
    ]
    assert problem["errors"][0]["pointer"] == "/rows/3"
    assert counts(session) == before


@pytest.mark.usefixtures("session")
def test_partial_mode_commits_valid_rows_and_reports_errors(
    client: TestClient, tenant: dict[str, Any]
) -> None:
    """mode=partial: valid rows are written, bad ones reported and not written."""
    bad = ROW_A.replace("ISO 9001:2015", "ISO 9001:1987")
    response = post_csv(client, tenant["key"], HEADER + bad + ROW_B + ROW_C, mode="partial")
    assert response.status_code == 200
    report = response.json()
    assert report["committed"] is True
    assert [r["outcome"] for r in report["rows"]] == ["error", "created", "created"]
    numbers = [
        c["certificate_number"]
        for c in client.get("/v1/certificates", params={"certification_body": "ICL"}).json()[
            "items"
        ]
    ]
    assert numbers == ["IMP-002"]  # IMP-003 is confidential, IMP-001 was refused


def test_row_for_another_cb_and_number_of_another_cb_are_refused(
    client: TestClient, session: Session, tenant: dict[str, Any]
) -> None:
    """A row naming another CB, or another CB's certificate id, is an error; nothing is written."""
    text = (
        "certificate_number,certification_body,certificate_id,organization_name,standard,"
        "issue_date,expiry_date\n"
        "X-1,OIS,,Foo Ltd,ISO 9001:2015,2025-01-01,2027-12-31\n"
        f"X-2,,{tenant['other_cert']},Foo Ltd,ISO 9001:2015,2025-01-01,2027-12-31\n"
    )
    before = counts(session)
    problem = post_csv(client, tenant["key"], text).json()
    errors = [
        (r["row"], r["errors"][0]["field"], r["errors"][0]["reason"])
        for r in problem["report"]["rows"]
    ]
    assert errors == [
        (
            2,
            "certification_body",
            "this row names Other Importer SA (OIS); this import acts for Importing "
            "Certification Ltd and never moves a row to another body",
        ),
        (3, "certificate_id", "the certificate belongs to another certification body"),
    ]
    assert counts(session) == before


def test_key_cannot_import_for_another_cb(client: TestClient, tenant: dict[str, Any]) -> None:
    """A CB key importing for a CB it is not bound to gets 403; clients cannot import."""
    response = post_csv(client, tenant["key"], CSV, certification_body="OIS")
    assert response.status_code == 403
    client_key_response = client.post(
        "/v1/certificates/import", content=CSV.encode(), headers={"Content-Type": "text/csv"}
    )
    assert client_key_response.status_code == 401


@pytest.mark.parametrize(
    ("payload", "detail"),
    [
        (
            "standard,scope\nISO 9001:2015,Tools\n",
            "The file cannot be imported: missing required column(s): certificate_number (or "
            "'certificate no')",
        ),
        (
            (HEADER + ROW_A).replace("Alpha Tools Ltd", "Älpha Tools Ltd").encode("latin-1"),
            "The file cannot be imported: the file is not valid UTF-8 (bad byte at offset 195); "
            "save it as UTF-8 and upload again",
        ),
        ("", "The file cannot be imported: the file is empty; expected a header row"),
        (
            HEADER + 'IMP-9,"Active"x,Foo,GB,ISO 9001:2015,,,,,GB,,2025-01-01,2026-01-01,no\n',
            "The file cannot be imported: row 2 is not valid CSV: ',' expected after '\"'",
        ),
    ],
)
def test_unreadable_file_is_a_problem_and_changes_nothing(
    client: TestClient,
    session: Session,
    tenant: dict[str, Any],
    payload: str | bytes,
    detail: str,
) -> None:
    """Malformed file, wrong encoding, empty file, missing columns: 422 with the reason."""
    before = counts(session)
    response = post_csv(client, tenant["key"], payload)
    assert response.status_code == 422
    assert response.json()["detail"] == detail
    assert counts(session) == before


def test_oversized_file_is_413(
    client: TestClient, tenant: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Files above the documented limit are refused with 413 problem+json."""
    monkeypatch.setattr(get_settings(), "import_max_bytes", 100)
    response = post_csv(client, tenant["key"], CSV)
    assert response.status_code == 413
    assert response.json()["type"] == "/problems/payload-too-large"


def test_wrong_media_type_is_415(client: TestClient, tenant: dict[str, Any]) -> None:
    """Only CSV and JSON Lines are accepted."""
    response = client.post(
        "/v1/certificates/import",
        content=b"<xml/>",
        headers={**auth(tenant["key"]), "Content-Type": "application/xml"},
    )
    assert response.status_code == 415


def test_json_lines_import(client: TestClient, tenant: dict[str, Any]) -> None:
    """JSON Lines with nested organisation and sites imports like CSV; a bad line is reported."""
    lines = (
        '{"certificate_number": "J-1", "organization": {"name": "Jot Ltd", "country": "GB"},'
        ' "standard": "ISO 9001:2015", "sectors": [33], "sites": [{"country": "GB"}],'
        ' "issue_date": "2025-01-01", "expiry_date": "2027-12-31"}\n'
        "not json\n"
    )
    response = client.post(
        "/v1/certificates/import",
        content=lines.encode(),
        params={"mode": "partial"},
        headers={**auth(tenant["key"]), "Content-Type": "application/x-ndjson"},
    )
    report = response.json()
    assert [r["outcome"] for r in report["rows"]] == ["created", "error"]
    assert report["rows"][1]["errors"][0]["reason"] == "row 2 is not valid JSON (Expecting value)"


def test_columns_the_file_lacks_keep_the_registry_values(
    client: TestClient, session: Session, tenant: dict[str, Any]
) -> None:
    """A re-import with fewer columns changes nothing it does not name (nothing is lost)."""
    post_csv(client, tenant["key"], CSV)
    minimal = (
        "certificate_number,organization_name,standard,issue_date,expiry_date\n"
        "IMP-001,Alpha Tools Ltd,ISO 9001:2015,2025-01-10,2028-01-09\n"
    )
    before = counts(session)
    report = post_csv(client, tenant["key"], minimal).json()
    assert report["rows"][0]["outcome"] == "unchanged"
    assert counts(session) == before
    cert = client.get(f"/v1/certificates/{report['rows'][0]['certificate_id']}").json()
    assert cert["scope"] == "Tool making"
    assert cert["sectors"] == [17, 18]
    assert [s["address"] for s in cert["sites"]] == ["1 Mill Lane", "2 Dock Rd"]
    assert cert["organization"]["country"] == "GB"
