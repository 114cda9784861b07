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


# --- found in review: each fails on the first version of the rule --------------------------

SHORT = (
    "certificate_number,organization_name,standard,issue_date,expiry_date,status,"
    "status_effective_from\n"
)


@pytest.mark.parametrize(
    "row",
    [
        "P-1,Alpha Ltd,ISO 9001:2015,2025-01-01,2027-12-31,Active,2026-02-01\n",
        "P-2,Alpha Ltd,ISO 9001:2015,2025-01-01,2027-12-31,Suspended,2024-12-01\n",
        "P-3,Alpha Ltd,ISO 9001:2015,2027-01-01,2029-12-31,Suspended,\n",
    ],
)
def test_a_new_certificates_stated_status_is_kept_so_the_same_file_adds_nothing(
    client: TestClient, session: Session, tenant: dict[str, Any], row: str
) -> None:
    """The stated date is recorded as stated (it was moved to the issue date), and an undated
    status of a certificate issued in the future is the one recorded (it was compared with
    "active")."""
    first = post_csv(client, tenant["key"], SHORT + row).json()
    assert first["rows"][0]["outcome"] == "created"
    before = everything(session)
    again = post_csv(client, tenant["key"], SHORT + row).json()
    assert again["rows"][0]["outcome"] == "unchanged"
    assert everything(session) == before


def test_a_correction_for_the_same_date_is_recorded(
    client: TestClient, tenant: dict[str, Any]
) -> None:
    """Suspended, then withdrawn, then suspended again, all for one date: the last word counts
    (it was ignored because a suspension for that date had been recorded once)."""
    cert_id = post_csv(client, tenant["key"], HEADER + ROW_A).json()["rows"][0]["certificate_id"]
    url = f"/v1/certificates/{cert_id}/status"
    for status in ("suspended", "withdrawn", "suspended"):
        body = {"status": status, "effective_from": "2026-11-20"}
        assert client.post(url, json=body, headers=auth(tenant["key"])).status_code == 200
    cert = client.get(f"/v1/certificates/{cert_id}", headers=auth(tenant["key"])).json()
    assert cert["status"] == "suspended"
    assert [e["status"] for e in cert["status_history"]] == [
        "active",
        "suspended",
        "withdrawn",
        "suspended",
    ]


def test_rows_sharing_an_organisation_never_undo_each_other(
    client: TestClient, session: Session, tenant: dict[str, Any]
) -> None:
    """Row 1 states the LEI and an alias, row 2 (same organisation) leaves them blank: the
    organisation keeps them (row 2 used to write the old values back), and the same file again
    changes nothing."""
    text = (
        "certificate_number,organization_name,organization_country,lei,organization_aliases,"
        "standard,issue_date,expiry_date\n"
        "N-1,Alpha Ltd,GB,5493001KJTIIGC8Y1R12,AlphaCo,ISO 9001:2015,2025-01-01,2027-12-31\n"
        "N-2,Alpha Ltd,GB,,,ISO 9001:2015,2025-01-01,2027-12-31\n"
    )
    first = post_csv(client, tenant["key"], text).json()
    cert = client.get(f"/v1/certificates/{first['rows'][1]['certificate_id']}").json()
    assert cert["organization"] == {
        "name": "Alpha Ltd",
        "country": "GB",
        "aliases": ["AlphaCo"],
        "identifiers": {"lei": "5493001KJTIIGC8Y1R12", "vat": None},
    }
    before = everything(session)
    again = post_csv(client, tenant["key"], text).json()
    assert [r["outcome"] for r in again["rows"]] == ["unchanged", "unchanged"]
    assert everything(session) == before


def test_renaming_to_an_existing_organisation_keeps_its_other_parts(
    client: TestClient, tenant: dict[str, Any]
) -> None:
    """R-1 moves to Beta Ltd by name: Beta's aliases and LEI stay Beta's (they were overwritten
    with Alpha's, which changed R-2 without anyone saying so), by import and by PATCH."""
    text = (
        "certificate_number,organization_name,organization_country,lei,organization_aliases,"
        "standard,issue_date,expiry_date\n"
        "R-1,Alpha Ltd,GB,5493001KJTIIGC8Y1R12,Alpha|AL,ISO 9001:2015,2025-01-01,2027-12-31\n"
        "R-2,Beta Ltd,GB,529900T8BM49AURSDO55,Beta B,ISO 9001:2015,2025-01-01,2027-12-31\n"
        "R-3,Alpha Ltd,GB,,,ISO 9001:2015,2025-01-01,2027-12-31\n"
    )
    ids = [r["certificate_id"] for r in post_csv(client, tenant["key"], text).json()["rows"]]
    beta = {
        "name": "Beta Ltd",
        "country": "GB",
        "aliases": ["Beta B"],
        "identifiers": {"lei": "529900T8BM49AURSDO55", "vat": None},
    }
    post_csv(client, tenant["key"], "certificate_number,organization_name\nR-1,Beta Ltd\n")
    patched = client.patch(
        f"/v1/certificates/{ids[2]}",
        json={"organization": {"name": "Beta Ltd", "country": "GB"}},
        headers=auth(tenant["key"]),
    )
    assert patched.status_code == 200, patched.text
    for cert_id in ids:
        assert client.get(f"/v1/certificates/{cert_id}").json()["organization"] == beta


def test_a_site_stated_without_a_name_is_the_same_site_next_time(
    client: TestClient, session: Session, tenant: dict[str, Any]
) -> None:
    """PATCH the same sites twice: one change (a site without "name" differed from the stored
    one with a null name every time)."""
    cert_id = post_csv(client, tenant["key"], HEADER + ROW_A).json()["rows"][0]["certificate_id"]
    body = {"sites": [{"address": "9 New Rd", "country": "GB"}]}
    url = f"/v1/certificates/{cert_id}"
    assert client.patch(url, json=body, headers=auth(tenant["key"])).status_code == 200
    before = everything(session)
    assert client.patch(url, json=body, headers=auth(tenant["key"])).status_code == 200
    assert everything(session) == before


def test_an_md28_export_of_any_certificate_reimports_unchanged(
    client: TestClient, tenant: dict[str, Any]
) -> None:
    """The IAF MD 28 layout has no site name: re-importing the export keeps the site names
    (they were erased)."""
    post_csv(client, tenant["key"], CSV)
    exported = client.get(
        "/v1/certificates/export", params={"format": "iaf-md28"}, headers=auth(tenant["key"])
    ).text
    again = post_csv(client, tenant["key"], exported).json()
    assert [r["outcome"] for r in again["rows"]] == ["unchanged"] * 3


def test_a_number_repeated_in_a_later_batch_is_refused(
    session: Session, tenant: dict[str, Any]
) -> None:
    """Repeats are refused across batches too (a repeat of an unchanged row was applied)."""
    from app.models import CertificationBody
    from app.services.auth import Principal
    from app.services.imports.certificates import run_import
    from app.services.imports.formats import read_csv
    from tests.factories import TODAY

    rows = "".join(f"B-{i},Alpha Ltd,ISO 9001:2015,2025-01-01,2027-12-31,,\n" for i in range(3))
    text = SHORT + "DUP,Alpha Ltd,ISO 9001:2015,2025-01-01,2027-12-31,,\n" + rows
    text += "DUP,Beta Ltd,ISO 9001:2015,2025-01-01,2027-12-31,,\n"
    import io

    cb = session.get(CertificationBody, tenant["cb"])
    assert cb is not None

    def run(text: str) -> Any:
        _, parsed = read_csv(io.BytesIO(text.encode()))
        return run_import(
            session,
            principal=Principal(role=Role.ADMIN),
            certification_body=cb,
            rows=parsed,
            mode="partial",
            today=TODAY,
            batch_size=2,
        )

    run(SHORT + "DUP,Alpha Ltd,ISO 9001:2015,2025-01-01,2027-12-31,,\n")  # DUP is then unchanged
    report = run(text)
    assert report.totals["error"] == 1
    assert report.totals["created"] == 3
    assert report.totals["unchanged"] == 1


def test_jsonl_values_of_the_wrong_shape_are_row_errors(
    client: TestClient, tenant: dict[str, Any]
) -> None:
    """A list where a number is expected was turned into the text "['O-1']"; an organisation
    given as a name is that name (it was dropped)."""
    base = {
        "certificate_number": "O-1",
        "organization": "Omega Ltd",
        "standard": "ISO 9001:2015",
        "issue_date": "2025-01-01",
        "expiry_date": "2027-12-31",
    }
    created = post_jsonl(client, tenant["key"], [base]).json()["rows"][0]
    assert created["outcome"] == "created"
    cert = client.get(f"/v1/certificates/{created['certificate_id']}").json()
    assert cert["organization"]["name"] == "Omega Ltd"
    bad = post_jsonl(
        client, tenant["key"], [{**base, "certificate_number": ["O-1"], "sites": "x"}]
    ).json()["report"]["rows"][0]
    assert bad["errors"] == [
        {
            "field": "certificate_number",
            "reason": "must be a single value, not a list or an object",
        },
        {"field": "sites", "reason": "must be a list of sites"},
    ]
