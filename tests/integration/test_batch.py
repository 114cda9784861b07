"""Issue 5: batch verification — input order, per-item problems, CSV, bounded queries."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func, select
from sqlalchemy.orm import Session

from app.models import CertificationBody, Verification
from app.services.auth import Principal, Role
from app.services.imports.certificates import run_import
from app.services.imports.formats import read_csv
from app.services.verification.receipts import verify_receipt
from tests.factories import TODAY, auth


@pytest.fixture
def many(session: Session, world: dict[str, Any]) -> dict[str, Any]:
    """600 more certificates of the first CB, loaded with the importer."""
    header = (
        "certificate_number,organization_name,organization_country,standard,sectors,"
        "issue_date,expiry_date\n"
    )
    rows = "".join(
        f"B-{i},Batch Org {i} Ltd,GB,ISO 9001:2015,17,2025-01-01,2027-12-31\n" for i in range(600)
    )
    _, data = read_csv(io.BytesIO((header + rows).encode()))
    cb = session.get(CertificationBody, world["cb1"])
    assert cb is not None
    run_import(
        session,
        principal=Principal(role=Role.ADMIN),
        certification_body=cb,
        rows=data,
        mode="all",
        today=TODAY,
    )
    session.commit()
    return world


@pytest.fixture
def query_counter(engine: Engine) -> Iterator[list[str]]:
    """Every SQL statement sent while the test runs."""
    statements: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    yield statements
    event.remove(engine, "before_cursor_execute", count)


def test_ten_thousand_items_in_order_with_a_handful_of_queries(
    client: TestClient, session: Session, many: dict[str, Any], query_counter: list[str]
) -> None:
    """10,000 items answer in input order; facts load with a bounded number of queries."""
    items: list[dict[str, Any]] = []
    for i in range(10_000):
        item: dict[str, Any] = {"certificate_number": f"b {i % 700}", "as_of": "2026-11-26"}
        if i % 3 == 0:
            item["certification_body"] = "WCL"
        items.append(item)
    items[3] = {"certificate_number": "B-3", "as_of": "2026-13-01"}
    items[7] = {"certification_body": "WCL"}
    query_counter.clear()
    response = client.post(
        "/v1/verifications/batch", json={"items": items}, headers=auth(many["client"])
    )
    assert response.status_code == 200
    results = response.json()["results"]
    assert len(results) == 10_000
    selects = [s for s in query_counter if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) <= 30, len(selects)
    for i in (0, 1, 2, 599, 600, 699, 9_999):
        assert results[i]["query"]["certificate_number"] == f"b {i % 700}"
        assert results[i]["verdict"] == ("valid" if i % 700 < 600 else "not_found")
    assert results[3]["status"] == 422
    assert results[3]["errors"][0]["pointer"] == "/items/3/as_of"
    assert results[7]["errors"][0]["pointer"] == "/items/7/certificate_number"
    assert "verdict" in results[4]
    stored = session.scalar(select(func.count()).select_from(Verification))
    assert stored == 9_998
    jwks = client.get("/.well-known/jwks.json").json()
    assert verify_receipt(results[9_999]["receipt"], jwks)["verdict"] == "valid"
    assert verify_receipt(results[650]["receipt"], jwks)["verdict"] == "not_found"


def test_csv_in_and_csv_out(client: TestClient, world: dict[str, Any]) -> None:
    """text/csv in (header of field names), CSV out with Accept: text/csv, in order."""
    body = (
        "certificate_number,certification_body,organization,as_of\n"
        "W-1,WCL,Acme Widgets Ltd,2026-11-26\n"
        "NOPE,,,2026-11-26\n"
        "W-2,WCL,Someone Else,2026-13-40\n"
    )
    response = client.post(
        "/v1/verifications/batch",
        content=body.encode(),
        headers={**auth(world["client"]), "Content-Type": "text/csv", "Accept": "text/csv"},
    )
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["item"], r["certificate_number"], r["verdict"]) for r in rows] == [
        ("0", "W-1", "valid"),
        ("1", "NOPE", "not_found"),
        ("2", "W-2", ""),
    ]
    assert rows[2]["error"].startswith("/items/2/as_of:")
    assert rows[0]["receipt"].count(".") == 2


CSV_HEADER = (
    "item,certificate_number,certification_body,verdict,summary,warnings,certificate_id,"
    "verification_id,as_of,error,receipt\n"
)


def test_csv_rows_of_invalid_items_keep_the_number_and_cb_they_gave(
    client: TestClient, world: dict[str, Any]
) -> None:
    """Issue 15: the CSV row of an item that failed validation names the number and CB the item
    gave (spreadsheet-safe), so it can be matched with its input; blank when it gave none."""
    items: list[Any] = [
        {"certificate_number": " W-2 ", "certification_body": "WCL", "as_of": "2026-13-40"},
        {"certification_body": "WCL"},
        {"certificate_number": 612345, "certification_body": "=HYPERLINK(1)", "country": "Narnia"},
        "junk",
    ]
    response = client.post(
        "/v1/verifications/batch",
        json={"items": items},
        headers={**auth(world["client"]), "Accept": "text/csv"},
    )
    assert response.status_code == 200, response.text
    assert response.text == CSV_HEADER + (
        '0,W-2,WCL,,,,,,,"/items/0/as_of: Input should be a valid date or datetime, month value '
        'is outside expected range of 1-12",\n'
        "1,,WCL,,,,,,,/items/1/certificate_number: Field required,\n"
        "2,612345,'=HYPERLINK(1),,,,,,,\"/items/2/certificate_number: Input should be a valid "
        'string; /items/2/country: ""Narnia"" is not a country: give an ISO 3166-1 code such as '
        'GB or GBR, or an English name such as United Kingdom",\n'
        "3,,,,,,,,,/items/3: Input should be a valid dictionary or instance of "
        "VerificationRequestIn,\n"
    )


def test_csv_rows_of_invalid_csv_items_keep_their_cells(
    client: TestClient, world: dict[str, Any]
) -> None:
    """Issue 15, CSV in: an invalid row's number and CB come back as its cells were."""
    body = "certificate_number,certification_body,as_of\nW-1,WCL,2026-02-30\n"
    response = client.post(
        "/v1/verifications/batch",
        content=body.encode(),
        headers={**auth(world["client"]), "Content-Type": "text/csv", "Accept": "text/csv"},
    )
    assert response.status_code == 200, response.text
    assert response.text == CSV_HEADER + (
        '0,W-1,WCL,,,,,,,"/items/0/as_of: Input should be a valid date or datetime, day value '
        'is outside expected range",\n'
    )


def test_batch_limits_and_roles(client: TestClient, world: dict[str, Any]) -> None:
    """More than 10,000 items is 422; batch needs a client or admin key."""
    too_many = {"items": [{"certificate_number": "X"}] * 10_001}
    response = client.post("/v1/verifications/batch", json=too_many, headers=auth(world["client"]))
    assert response.status_code == 422
    assert response.json()["errors"][0]["pointer"] == "/items"
    small = {"items": [{"certificate_number": "W-1"}]}
    assert client.post("/v1/verifications/batch", json=small).status_code == 401
    assert (
        client.post(
            "/v1/verifications/batch", json=small, headers=auth(world["cb_key"])
        ).status_code
        == 403
    )
    assert (
        client.post("/v1/verifications/batch", json=small, headers=auth(world["admin"])).status_code
        == 200
    )
    bad_shape = client.post("/v1/verifications/batch", json=[1, 2], headers=auth(world["client"]))
    assert bad_shape.status_code == 422


def test_a_verification_can_be_fetched_again_by_its_maker(
    client: TestClient, world: dict[str, Any]
) -> None:
    """Evidence for tenders: GET /v1/verifications/{id} returns the same answer and receipt."""
    answer = client.get(
        "/v1/verify",
        params={"certificate_number": "W-1", "as_of": "2026-06-30"},
        headers=auth(world["client"]),
    ).json()
    again = client.get(
        f"/v1/verifications/{answer['verification_id']}", headers=auth(world["client"])
    )
    assert again.status_code == 200
    assert again.json() == answer
    other = client.get(
        f"/v1/verifications/{answer['verification_id']}", headers=auth(world["client2"])
    )
    assert other.status_code == 404
    anonymous = client.get(f"/v1/verifications/{answer['verification_id']}")
    assert anonymous.status_code == 404
