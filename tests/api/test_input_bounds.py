"""Issue 14, input: every parser of client input is bounded, and breaking a bound is a 4xx problem,
never a 500 (nesting depth, CSV cell size, page-token offsets, header encodings: RFC 6266)."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.services.auth import Role
from tests.factories import auth, make_cb, make_key

DEEP = 100_000
"""Nesting past Python's recursion limit: json.loads raised RecursionError (a 500)."""


@pytest.fixture
def keys(session: Session) -> dict[str, Any]:
    """A client key, and a CB with its own key."""
    cb = make_cb(session, "Bounded Certification Ltd", "BCL")
    keys = {
        "client": make_key(session, Role.CLIENT),
        "cb": cb,
        "cb_key": make_key(session, Role.CERTIFICATION_BODY, cb),
    }
    session.commit()
    return keys


def _problem(response: Any, status: int) -> dict[str, Any]:
    """The problem body of `response`, checked to be one with `status`."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["status"] == status
    return body


def _nested(depth: int) -> str:
    return "[" * depth + "]" * depth


@pytest.mark.parametrize("depth", [DEEP, 33])
def test_a_batch_nested_too_deep_is_a_422_problem(
    client: TestClient, keys: dict[str, Any], depth: int
) -> None:
    """Batch JSON nested past 32 levels is refused as a whole: 422 naming the bound (deeper
    than Python's recursion limit, it was a 500)."""
    response = client.post(
        "/v1/verifications/batch",
        content='{"items": ' + _nested(depth) + "}",
        headers={**auth(keys["client"]), "Content-Type": "application/json"},
    )
    body = _problem(response, 422)
    assert body["errors"] == [
        {"pointer": "/", "detail": "the body nests arrays or objects deeper than 32 levels"}
    ]


def test_a_batch_at_the_depth_bound_is_read(client: TestClient, keys: dict[str, Any]) -> None:
    """32 levels are still read: the item (a list nested 30 deep) gets its own problem."""
    response = client.post(
        "/v1/verifications/batch",
        content='{"items": [' + _nested(30) + "]}",
        headers={**auth(keys["client"]), "Content-Type": "application/json"},
    )
    assert response.status_code == 200, response.text
    [result] = response.json()["results"]
    assert (result["status"], result["errors"][0]["pointer"]) == (422, "/items/0")


def test_a_batch_number_too_long_to_read_is_a_422_problem(
    client: TestClient, keys: dict[str, Any]
) -> None:
    """An integer of 5,000 digits (over Python's conversion limit, a ValueError) is a 422."""
    response = client.post(
        "/v1/verifications/batch",
        content='{"items": [{"certificate_number": ' + "7" * 5000 + "}]}",
        headers={**auth(keys["client"]), "Content-Type": "application/json"},
    )
    assert _problem(response, 422)["errors"] == [
        {"pointer": "/", "detail": "the body has a number too long to read"}
    ]


def test_a_csv_batch_cell_over_the_field_limit_is_a_422_problem(
    client: TestClient, keys: dict[str, Any]
) -> None:
    """A 200 KB CSV cell (over the csv module's 131,072-character limit) is a 422 naming the
    row (the header is row 1), not `field larger than field limit` as a 500."""
    text = "certificate_number,organization\nX-1," + "a" * 200_000 + "\n"
    response = client.post(
        "/v1/verifications/batch",
        content=text,
        headers={**auth(keys["client"]), "Content-Type": "text/csv"},
    )
    assert _problem(response, 422)["errors"] == [
        {
            "pointer": "/",
            "detail": "row 2 is not valid CSV: a cell is longer than 131072 characters",
        }
    ]


def test_a_csv_batch_with_a_nul_byte_or_a_bare_cr_is_not_a_500(
    client: TestClient, keys: dict[str, Any]
) -> None:
    """Control bytes the csv module trips on are the client's mistake, never a server error."""
    for text in ("certificate_number\n\x00X\n", 'certificate_number\n"X\rY\n'):
        response = client.post(
            "/v1/verifications/batch",
            content=text,
            headers={**auth(keys["client"]), "Content-Type": "text/csv"},
        )
        assert response.status_code in {200, 422}, response.text


def test_an_import_line_nested_too_deep_is_a_row_error(
    client: TestClient, keys: dict[str, Any]
) -> None:
    """A JSON Lines row nested past the bound is that row's error (the file is otherwise
    imported as usual); deeper than the recursion limit it was a 500."""
    lines = (
        '{"certificate_number": "D-1", "organization": ' + _nested(DEEP) + "}\n"
        '{"certificate_number": "D-2", "organization": ' + _nested(40) + "}\n"
    )
    response = client.post(
        "/v1/certificates/import",
        content=lines,
        params={"mode": "partial"},
        headers={**auth(keys["cb_key"]), "Content-Type": "application/x-ndjson"},
    )
    assert response.status_code == 200, response.text
    errors = [(r["row"], r["outcome"], r["errors"][0]["reason"]) for r in response.json()["rows"]]
    assert errors == [
        (1, "error", "row 1 nests arrays or objects deeper than 32 levels"),
        (2, "error", "row 2 nests arrays or objects deeper than 32 levels"),
    ]


def test_an_import_csv_cell_over_the_field_limit_names_the_bound(
    client: TestClient, keys: dict[str, Any]
) -> None:
    """A CSV import cell over 131,072 characters: 422 for the file, in the client's terms."""
    text = "certificate_number,scope\nL-1," + "s" * 200_000 + "\n"
    response = client.post(
        "/v1/certificates/import",
        content=text,
        headers={**auth(keys["cb_key"]), "Content-Type": "text/csv"},
    )
    detail = "row 2 is not valid CSV: a cell is longer than 131072 characters"
    assert _problem(response, 422)["errors"] == [{"pointer": "/", "detail": detail}]


def _token(offset: int | str) -> str:
    return base64.urlsafe_b64encode(f"o:{offset}".encode()).decode().rstrip("=")


@pytest.mark.parametrize(
    "path", ["/v1/certificates", "/v1/certification-bodies", "/v1/accreditation-bodies"]
)
@pytest.mark.parametrize("offset", [2**63, 10**30, 2**31, "+5", " 5"])
def test_a_page_token_past_the_offset_bound_is_a_422(
    client: TestClient, path: str, offset: int | str
) -> None:
    """An anonymous page token whose offset is past 2**31 - 1 (or not plain digits) is 422 on
    the page token; past 2**63 - 1 SQLite raised OverflowError, a 500."""
    response = client.get(path, params={"page_token": _token(offset)})
    assert _problem(response, 422)["errors"] == [
        {"pointer": "/page_token", "detail": "is not a token this service issued"}
    ]


def test_a_page_token_at_the_offset_bound_is_an_empty_page(client: TestClient) -> None:
    """The largest offset accepted answers an empty last page."""
    response = client.get("/v1/certification-bodies", params={"page_token": _token(2**31 - 1)})
    assert response.status_code == 200, response.text
    assert response.json() == {"items": [], "next_page_token": None}


@pytest.mark.parametrize(
    ("number", "fallback", "encoded"),
    [
        ("证书123", "ZhengShu123", "%E8%AF%81%E4%B9%A6123"),
        ("ŁÓDŹ-7", "LODZ7", "%C5%81%C3%93D%C5%B97"),
    ],
)
def test_a_receipt_for_a_non_latin1_number_is_downloadable(
    client: TestClient, number: str, fallback: str, encoded: str
) -> None:
    """/verify/receipt of a number outside Latin-1 answers 200 with an RFC 6266
    Content-Disposition: an ASCII `filename` and the exact name in `filename*` (the header
    could not be encoded: a 500)."""
    response = client.get(
        "/verify/receipt", params={"certificate_number": number, "as_of": "2026-11-26"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == (
        f'attachment; filename="certverify-receipt-{fallback}-2026-11-26.json"; '
        f"filename*=UTF-8''certverify-receipt-{encoded}-2026-11-26.json"
    )


def test_an_ascii_receipt_name_keeps_the_plain_header(client: TestClient) -> None:
    """An ASCII name needs no `filename*`: the header stays as before."""
    response = client.get(
        "/verify/receipt", params={"certificate_number": "FS 612345", "as_of": "2026-11-26"}
    )
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == (
        'attachment; filename="certverify-receipt-FS612345-2026-11-26.json"'
    )


def test_an_export_for_a_cb_with_a_greek_acronym_is_downloadable(
    client: TestClient, session: Session
) -> None:
    """A CB acronym outside Latin-1 (ΕΛΟΤ) in the export's file name: 200, RFC 6266 header."""
    cb = make_cb(session, "Hellenic Certification SA", "ΕΛΟΤ", "GR")
    key = make_key(session, Role.CERTIFICATION_BODY, cb)
    session.commit()
    response = client.get("/v1/certificates/export", headers=auth(key))
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"certificates-ELOT.csv\"; filename*=UTF-8''certificates-"
        "%CE%95%CE%9B%CE%9F%CE%A4.csv"
    )


def test_an_export_file_name_never_carries_a_quote(client: TestClient, session: Session) -> None:
    """A quote or a backslash in an acronym cannot break out of `filename="..."`."""
    cb = make_cb(session, 'Quote "Certification" Ltd', 'Q"C\\L', "GB")
    key = make_key(session, Role.CERTIFICATION_BODY, cb)
    session.commit()
    response = client.get("/v1/certificates/export", headers=auth(key))
    assert response.status_code == 200, response.text
    assert response.headers["content-disposition"] == (
        "attachment; filename=\"certificates-Q_C_L.csv\"; filename*=UTF-8''certificates-"
        "Q%22C%5CL.csv"
    )


def test_an_import_sector_written_with_a_superscript_is_a_row_error(
    client: TestClient, keys: dict[str, Any]
) -> None:
    """A sector cell "²" (str.isdigit is true of it, int() refuses it: a 500, found by the
    property-based test) is that row's error, like any other sector that is not a number."""
    text = "certificate_number,sectors\nS-1,²\n"
    response = client.post(
        "/v1/certificates/import",
        content=text.encode(),
        params={"mode": "partial"},
        headers={**auth(keys["cb_key"]), "Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    [row] = response.json()["rows"]
    assert (row["row"], row["outcome"]) == (2, "error")
    assert row["errors"] == [
        {
            "field": "sectors",
            "pointer": "/sectors/0",
            "reason": "Input should be a valid integer, unable to parse string as an integer",
        }
    ]
