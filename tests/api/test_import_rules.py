"""Issue 11: an import changes only what its file states, never moves a row to another CB, never
drops an unknown column silently, and re-importing the same file writes nothing."""

from __future__ import annotations

import json
import random
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Certificate, OutboxEvent
from app.services.auth import Role
from tests.api.test_import import CSV, HEADER, ROW_A, counts, post_csv
from tests.factories import accredit, auth, make_ab, make_cb, make_certificate, make_key


@pytest.fixture
def tenant(session: Session) -> dict[str, Any]:
    """A CB with a key, another CB with a certificate, an admin key and a client key."""
    ab = make_ab(session, "RAB", [{"standard": "ISO 9001"}, {"standard": "ISO 14001"}])
    cb = make_cb(session, "Importing Certification Ltd", "ICL")
    other = make_cb(session, "Other Importer SA", "OIS", "FR")
    accredit(session, cb, ab.id)
    t = {
        "cb": cb,
        "other": other,
        "other_cert": make_certificate(session, other, "OTHER-1"),
        "key": make_key(session, Role.CERTIFICATION_BODY, cb),
        "admin": make_key(session, Role.ADMIN),
        "client": make_key(session, Role.CLIENT),
    }
    session.commit()
    return t


def everything(session: Session) -> tuple[int, ...]:
    """Certificates, status events, field changes, audit events and outbox events."""
    outbox = session.scalar(select(func.count()).select_from(OutboxEvent)) or 0
    return (*counts(session), outbox)


def post_jsonl(client: TestClient, key: str, rows: list[dict[str, Any]], **params: str) -> Any:
    """Upload JSON Lines."""
    return client.post(
        "/v1/certificates/import",
        content="".join(json.dumps(r) + "\n" for r in rows).encode(),
        params=params,
        headers={**auth(key), "Content-Type": "application/x-ndjson"},
    )


def without_column(text: str, column: str) -> str:
    """The CSV without one column (header and cells; the test rows have no quoted commas)."""
    lines = text.strip("\n").split("\n")
    index = lines[0].split(",").index(column)
    kept = [",".join(c for i, c in enumerate(line.split(",")) if i != index) for line in lines]
    return "\n".join(kept) + "\n"


def verdict(client: TestClient, number: str) -> str:
    """The verdict for a number at the test clock's date."""
    return str(client.get("/v1/verify", params={"certificate_number": number}).json()["verdict"])


def test_a_file_without_a_status_column_keeps_a_suspension(
    client: TestClient, session: Session, tenant: dict[str, Any]
) -> None:
    """Before: "imported as Active" turned the suspended certificate back to valid."""
    created = post_csv(client, tenant["key"], CSV).json()
    cert_id = created["rows"][0]["certificate_id"]
    suspended = client.post(
        f"/v1/certificates/{cert_id}/status",
        json={"status": "suspended", "effective_from": "2026-11-01", "reason": "audit missed"},
        headers=auth(tenant["key"]),
    )
    assert suspended.status_code == 200, suspended.text
    before = everything(session)
    report = post_csv(client, tenant["key"], without_column(CSV, "status")).json()
    assert [r["outcome"] for r in report["rows"]] == ["unchanged"] * 3
    assert everything(session) == before
    assert verdict(client, "IMP-001") == "suspended"


def test_a_blank_cell_keeps_the_registrys_value(
    client: TestClient, session: Session, tenant: dict[str, Any]
) -> None:
    """Blank scope, sectors and status cells state nothing; a changed cell is reported with
    its value before and after."""
    post_csv(client, tenant["key"], HEADER + ROW_A)
    blank = ROW_A.replace("IMP-001,Active,", "IMP-001,,").replace(",Tool making,17;18,", ",,,")
    before = everything(session)
    report = post_csv(client, tenant["key"], HEADER + blank).json()
    assert report["rows"][0]["outcome"] == "unchanged"
    assert everything(session) == before
    changed = blank.replace("2028-01-09", "2028-06-30")
    row = post_csv(client, tenant["key"], HEADER + changed).json()["rows"][0]
    assert row["outcome"] == "updated"
    assert row["changes"] == [
        {"field": "expiry_date", "before": "2028-01-09", "after": "2028-06-30"}
    ]
    cert = client.get(f"/v1/certificates/{row['certificate_id']}").json()
    assert (cert["scope"], cert["sectors"], cert["status"]) == ("Tool making", [17, 18], "active")


def test_a_future_dated_status_is_recorded_once(
    client: TestClient, session: Session, tenant: dict[str, Any]
) -> None:
    """Before: every re-import added the same future suspension again and said "updated"."""
    text = (
        "certificate_number,status,status_effective_from,organization_name,standard,"
        "issue_date,expiry_date\n"
        "FUT-1,Suspended,2027-01-15,Future Metals Ltd,ISO 9001:2015,2025-01-01,2027-12-31\n"
    )
    first = post_csv(client, tenant["key"], text).json()
    assert first["rows"][0]["outcome"] == "created"
    before = everything(session)
    again = post_csv(client, tenant["key"], text).json()
    assert again["rows"][0]["outcome"] == "unchanged"
    assert everything(session) == before
    history = client.get(f"/v1/certificates/{first['rows'][0]['certificate_id']}").json()
    assert [(e["status"], e["effective_from"]) for e in history["status_history"]] == [
        ("active", "2025-01-01"),
        ("suspended", "2027-01-15"),
    ]


def test_a_status_the_api_already_recorded_records_nothing(
    client: TestClient, session: Session, tenant: dict[str, Any]
) -> None:
    """The write API applies the same rule: the same dated status twice is one event."""
    cert_id = post_csv(client, tenant["key"], HEADER + ROW_A).json()["rows"][0]["certificate_id"]
    body = {"status": "suspended", "effective_from": "2026-11-01", "reason": "audit missed"}
    first = client.post(
        f"/v1/certificates/{cert_id}/status", json=body, headers=auth(tenant["key"])
    )
    assert first.status_code == 200
    before = everything(session)
    second = client.post(
        f"/v1/certificates/{cert_id}/status", json=body, headers=auth(tenant["key"])
    )
    assert second.status_code == 200
    assert second.json()["status"] == "suspended"
    assert everything(session) == before


def test_a_jsonl_row_for_another_cb_is_an_error_never_reattributed(
    client: TestClient, session: Session, tenant: dict[str, Any]
) -> None:
    """Before: `certification_body_id` (API.md's row shape) was ignored and the row created
    under the uploader's CB."""
    row = {
        "certificate_number": "J-1",
        "certification_body_id": str(tenant["other"]),
        "organization": {"name": "Foo Ltd", "country": "GB"},
        "standard": "ISO 9001:2015",
        "issue_date": "2025-01-01",
        "expiry_date": "2027-12-31",
    }
    before = everything(session)
    response = post_jsonl(client, tenant["key"], [row], mode="partial")
    assert response.status_code == 200
    [reported] = response.json()["rows"]
    assert reported["outcome"] == "error"
    assert reported["errors"] == [
        {
            "field": "certification_body_id",
            "code": "other_certification_body",
            "reason": f"this row names Other Importer SA ({tenant['other']}); this import acts "
            "for Importing Certification Ltd and never moves a row to another body",
        }
    ]
    assert everything(session) == before
    own = post_jsonl(client, tenant["key"], [{**row, "certification_body_id": str(tenant["cb"])}])
    assert own.json()["rows"][0]["outcome"] == "created"


def test_an_admin_import_refuses_rows_of_another_cb_than_the_one_named(
    client: TestClient, session: Session, tenant: dict[str, Any]
) -> None:
    """For admin keys a row's CB must agree with the CB named for the import."""
    text = (
        "certificate_number,certification_body,organization_name,standard,issue_date,expiry_date\n"
        "ADM-1,Other Importer SA,Foo Ltd,ISO 9001:2015,2025-01-01,2027-12-31\n"
        "ADM-2,ICL,Foo Ltd,ISO 9001:2015,2025-01-01,2027-12-31\n"
    )
    before = everything(session)
    response = post_csv(client, tenant["admin"], text, certification_body="ICL")
    assert response.status_code == 422
    rows = response.json()["report"]["rows"]
    assert [(r["row"], r["outcome"]) for r in rows] == [(2, "error"), (3, "created")]
    assert rows[0]["errors"][0]["code"] == "other_certification_body"
    assert everything(session) == before  # mode=all: nothing is written


def test_an_unknown_column_is_an_error_for_the_file(
    client: TestClient, session: Session, tenant: dict[str, Any]
) -> None:
    """A typo ("scpoe") never vanishes: 422 naming it and the known columns, nothing written;
    ignore_unknown_columns=true imports without it and lists it."""
    text = (HEADER + ROW_A).replace(",scope,", ",scpoe,", 1)
    before = everything(session)
    response = post_csv(client, tenant["key"], text)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert detail.startswith(
        "The file cannot be imported: unknown column(s) 'scpoe'; the known ones are "
        "certificate_number, certificate_id, certification_body, status, "
    )
    assert detail.endswith("send ignore_unknown_columns=true to import without them")
    assert everything(session) == before
    allowed = post_csv(client, tenant["key"], text, ignore_unknown_columns="true").json()
    assert allowed["ignored_columns"] == ["scpoe"]
    assert allowed["rows"][0]["outcome"] == "created"
    cert = client.get(f"/v1/certificates/{allowed['rows'][0]['certificate_id']}").json()
    assert cert["scope"] == ""


def test_an_unknown_jsonl_field_is_an_error_for_the_file(
    client: TestClient, session: Session, tenant: dict[str, Any]
) -> None:
    """Before: unknown keys were dropped without a word, while the write API answers 422."""
    good = {
        "certificate_number": "J-2",
        "organization": {"name": "Foo Ltd"},
        "standard": "ISO 9001:2015",
        "issue_date": "2025-01-01",
        "expiry_date": "2027-12-31",
    }
    before = everything(session)
    response = post_jsonl(client, tenant["key"], [good, {**good, "expiry": "2028-01-01"}])
    assert response.status_code == 422
    assert "unknown field(s) 'expiry'; the known ones are" in response.json()["detail"]
    assert everything(session) == before


STATUSES = [None, "Active", "Suspended", "Withdrawn"]
DATES = [None, "2025-06-01", "2026-11-26", "2027-03-01"]
OPTIONAL = ["status", "scope", "sectors", "site_country", "original_issue_date", "confidential"]


def random_file(rng: random.Random, prefix: str) -> str:
    """A CSV of three rows with a random choice of optional columns, cells and statuses."""
    columns = ["certificate_number", "organization_name", "standard", "issue_date", "expiry_date"]
    columns += [c for c in OPTIONAL if rng.random() < 0.6]
    if "status" in columns and rng.random() < 0.5:
        columns.append("status_effective_from")
    lines = [",".join(columns)]
    for i in range(3):
        cells = {
            "certificate_number": f"{prefix}-{i}",
            "organization_name": rng.choice(["Alpha Ltd", "Beta GmbH"]),
            "standard": rng.choice(["ISO 9001:2015", "ISO 14001:2015"]),
            "issue_date": "2025-01-01",
            "expiry_date": rng.choice(["2027-12-31", "2028-01-09"]),
            "status": rng.choice(STATUSES) or "",
            "status_effective_from": rng.choice(DATES) or "",
            "scope": rng.choice(["", "Tools", "Dies"]),
            "sectors": rng.choice(["", "17", "17;18"]),
            "site_country": rng.choice(["", "GB", "GB|IE"]),
            "original_issue_date": rng.choice(["", "2019-01-10"]),
            "confidential": rng.choice(["", "no", "yes"]),
        }
        lines.append(",".join(cells[c] for c in columns))
    return "\n".join(lines) + "\n"


@pytest.mark.parametrize("seed", range(8))
def test_reimporting_the_same_file_writes_nothing_whatever_the_registry_held(
    client: TestClient, session: Session, tenant: dict[str, Any], seed: int
) -> None:
    """Start from a random registry state (an earlier file, then statuses set through the API,
    watched), import a random file, import it again: every row unchanged, no status, field
    change, audit or outbox event."""
    rng = random.Random(seed)
    prefix = f"RND{seed}"
    post_csv(client, tenant["key"], random_file(rng, prefix), mode="partial")
    ids = session.scalars(select(Certificate.id).where(Certificate.number_key.like(f"RND{seed}%")))
    for cert_id in ids:
        client.post(
            "/v1/watches", json={"certificate_id": str(cert_id)}, headers=auth(tenant["client"])
        )
        status = rng.choice(["suspended", "withdrawn", "active", None])
        if status:
            client.post(
                f"/v1/certificates/{cert_id}/status",
                json={"status": status, "effective_from": rng.choice(DATES[1:])},
                headers=auth(tenant["key"]),
            )
    text = random_file(rng, prefix)
    first = post_csv(client, tenant["key"], text, mode="partial")
    assert first.status_code == 200, first.text
    before = everything(session)
    second = post_csv(client, tenant["key"], text, mode="partial").json()
    assert [r["outcome"] for r in second["rows"]] == [
        "unchanged" if r["outcome"] != "error" else "error" for r in first.json()["rows"]
    ]
    assert everything(session) == before


def test_control_characters_in_import_only_cells_are_row_errors(
    client: TestClient, session: Session, tenant: dict[str, Any]
) -> None:
    """A NUL in a status reason or a CB name is a row error naming the column, never a lookup
    or a stored value (PostgreSQL refuses NUL in text)."""
    text = (
        "certificate_number,status,status_reason,certification_body,organization_name,standard,"
        "issue_date,expiry_date\n"
        "NUL-1,Suspended,bad\x00reason,,Foo Ltd,ISO 9001:2015,2025-01-01,2027-12-31\n"
        "NUL-2,,,IC\x00L,Foo Ltd,ISO 9001:2015,2025-01-01,2027-12-31\n"
    )
    before = everything(session)
    response = post_csv(client, tenant["key"], text, mode="partial")
    assert response.status_code == 200, response.text
    rows = response.json()["rows"]
    assert [(r["row"], r["outcome"], r["errors"][0]["field"]) for r in rows] == [
        (2, "error", "status_reason"),
        (3, "error", "certification_body"),
    ]
    assert rows[0]["errors"][0]["reason"].startswith("contains a control character (U+0000)")
    assert everything(session) == before
