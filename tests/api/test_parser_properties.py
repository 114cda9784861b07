"""Issue 14, property-based (Hypothesis): whatever a client sends to the batch and import parsers,
the answer is a 4xx problem or a success, never a 5xx; the parsers alone raise nothing but their
own 4xx errors (derandomised and without an example database, so every run, in CI too, draws
the same examples and no run depends on another's leftovers)."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session

from app.errors import AppError
from app.services.auth import Role
from app.services.imports.formats import (
    ACCREDITATIONS,
    CERTIFICATES,
    COLUMN_ALIASES,
    FileProblem,
    canonical,
    read_csv,
    read_jsonl,
    type_problems,
)
from app.services.verification.batch import CSV_FIELDS, parse_batch_body, parse_items
from tests.factories import accredit, auth, make_ab, make_cb, make_key

PARSER_RUNS = settings(
    max_examples=300,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
HTTP_RUNS = settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Cells that mean something to the parsers (dates, sectors, booleans, statuses, standards), the
# characters the csv module trips on, and text of any kind.
MEANINGFUL_CELLS = (
    "",
    " ",
    "2024-01-01",
    "20240101",
    "2024-13-45",
    "99999999",
    "ISO 9001:2015",
    "ISO 9001",
    "17;18",
    "IAF 28",
    "IAF",
    "²",
    "١٢",
    "-1",
    "0",
    "yes",
    "no",
    "maybe",
    "Active",
    "Suspended",
    "Withdrawn",
    "Draft",
    "GB",
    "UK",
    "Deutschland",
    "x|y|z",
    "|",
    '"',
    '"unterminated',
    "\x00",
    "\r",
    "\n",
    "=1+1",
    "'=1",
)
MEANINGFUL = st.sampled_from(MEANINGFUL_CELLS)
TEXT = st.characters(codec="utf-8")
CELLS = st.one_of(MEANINGFUL, st.text(TEXT, max_size=12))
PLAIN_CELLS = st.one_of(
    st.sampled_from([c for c in MEANINGFUL_CELLS if not any(ch in c for ch in '",\r\n')]),
    st.text(st.characters(codec="utf-8", exclude_characters='",\r\n'), max_size=12),
)
"""Cells that keep a CSV well-formed, so the rows reach the row rules."""
SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    CELLS,
)
JSON_VALUES = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(CELLS, inner, max_size=3),
    max_leaves=12,
)
CERTIFICATE_KEYS = st.sampled_from(
    [*COLUMN_ALIASES, "organization", "sites", "Certificate Number", "unknown_column"]
)


def _csv_text(header: list[str], rows: list[list[str]]) -> str:
    """CSV joined by hand: cells are not quoted, so quotes and line breaks in them make
    malformed CSV on purpose."""
    return "".join(",".join(cells) + "\n" for cells in [header, *rows])


DIGITS = st.characters(categories=["Nd"])
"""Decimal digits of every script."""
DIGIT_LIKE = st.sampled_from(["²", "³¹", "①", "⑴", "٣²", "IAF ²", "IAF ①"])
"""Signs str.isdigit accepts but int() refuses."""
SECTOR_CELLS = st.lists(
    st.one_of(
        st.integers(-5, 100).map(str),
        st.text(DIGITS, min_size=1, max_size=3),
        st.text(DIGITS, min_size=1, max_size=2).map(lambda d: f"IAF {d}"),
        DIGIT_LIKE,
        MEANINGFUL,
    ),
    max_size=3,
).map(";".join)
DATE_CELLS = st.one_of(
    st.dates().map(lambda d: d.isoformat()),
    st.dates().map(lambda d: d.strftime("%Y%m%d")),
    st.text(DIGITS, min_size=8, max_size=8),
    MEANINGFUL,
)
COLUMN_CELLS: dict[str, st.SearchStrategy[str]] = {
    "sectors": SECTOR_CELLS,
    "original_issue_date": DATE_CELLS,
    "issue_date": DATE_CELLS,
    "expiry_date": DATE_CELLS,
    "status_effective_from": DATE_CELLS,
    "valid_from": DATE_CELLS,
    "valid_until": DATE_CELLS,
}
"""Cells that look like what their column holds, so generated rows reach the rules behind it."""


def csv_files(columns: list[str]) -> st.SearchStrategy[str]:
    """Well-formed CSV text with every one of `columns` in any order (so each column's rules
    run in every example) and rows of one cell per column, shaped like the column's values."""

    def with_rows(header: list[str]) -> st.SearchStrategy[str]:
        shaped = st.tuples(*(COLUMN_CELLS.get(c, PLAIN_CELLS) for c in header)).map(list)
        return st.builds(_csv_text, st.just(header), st.lists(shaped, min_size=1, max_size=3))

    return st.permutations(columns).flatmap(with_rows)


def malformed_csv_files(columns: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """CSV-ish text: ragged rows, stray quotes and line breaks, any header."""
    return st.builds(
        _csv_text,
        st.lists(st.one_of(columns, CELLS), min_size=1, max_size=6),
        st.lists(st.lists(CELLS, max_size=7), max_size=4),
    )


def _jsonl_text(lines: list[Any]) -> str:
    return "".join(
        (line if isinstance(line, str) else json.dumps(line, ensure_ascii=False)) + "\n"
        for line in lines
    )


JSONL_FILES = st.builds(
    _jsonl_text,
    st.lists(
        st.one_of(
            st.dictionaries(CERTIFICATE_KEYS, JSON_VALUES, max_size=6),
            JSON_VALUES,
            st.text(TEXT, max_size=30),
            st.just("[" * 2000 + "]" * 2000),
        ),
        max_size=4,
    ),
)
BATCH_ITEMS = st.lists(
    st.one_of(
        st.fixed_dictionaries({}, optional={f: st.one_of(CELLS, JSON_VALUES) for f in CSV_FIELDS}),
        JSON_VALUES,
    ),
    max_size=4,
)
BATCH_JSON = st.one_of(
    st.builds(lambda items: json.dumps({"items": items}), BATCH_ITEMS),
    st.builds(json.dumps, JSON_VALUES),
    st.text(TEXT, max_size=40),
    st.just('{"items": ' + "[" * 5000 + "]" * 5000 + "}"),
)
BATCH_CSV = st.one_of(
    csv_files(list(CSV_FIELDS)),
    malformed_csv_files(st.sampled_from(CSV_FIELDS)),
    st.text(TEXT, max_size=60),
)


def _assert_4xx(exc: AppError) -> None:
    assert 400 <= exc.status < 500, (exc.status, exc.detail)


@PARSER_RUNS
@given(body=st.one_of(BATCH_JSON, BATCH_CSV), content_type=st.sampled_from(["json", "csv"]))
def test_the_batch_parser_raises_only_its_own_4xx_problems(body: str, content_type: str) -> None:
    """parse_batch_body, then parse_items: items or a 4xx AppError, nothing else."""
    ctype = "application/json" if content_type == "json" else "text/csv"
    try:
        items = parse_batch_body(ctype, body.encode())
    except AppError as exc:
        _assert_4xx(exc)
        return
    assert len(parse_items(items)) == len(items)


def _read_everything(raw: bytes) -> None:
    """Read `raw` as CSV and as JSON Lines, certificates and accreditations, down to what each
    row states; only FileProblem may escape."""
    for reader in (read_csv, read_jsonl):
        for layout in (CERTIFICATES, ACCREDITATIONS):
            try:
                _, rows = reader(io.BytesIO(raw), layout, ignore_unknown=True)
                for row in rows:
                    if "__error__" not in row.values and not type_problems(row):
                        canonical(row)
            except FileProblem:
                continue


@PARSER_RUNS
@given(text=csv_files(list(COLUMN_ALIASES)))
def test_the_import_readers_read_any_csv_or_raise_file_problems(text: str) -> None:
    """Well-formed CSV files of any cells: rows, or a FileProblem for the file, nothing else."""
    _read_everything(text.encode())


@PARSER_RUNS
@given(text=malformed_csv_files(CERTIFICATE_KEYS))
def test_the_import_readers_read_malformed_csv_or_raise_file_problems(text: str) -> None:
    """Malformed CSV: a FileProblem (or a row error), nothing else."""
    _read_everything(text.encode())


@PARSER_RUNS
@given(text=JSONL_FILES)
def test_the_import_readers_read_any_json_lines_or_raise_file_problems(text: str) -> None:
    """JSON Lines-ish files: rows (a line that is not JSON is that row's error) or a
    FileProblem, nothing else."""
    _read_everything(text.encode())


@PARSER_RUNS
@given(raw=st.binary(max_size=80))
def test_the_import_readers_read_any_bytes_or_raise_file_problems(raw: bytes) -> None:
    """Any bytes at all (not UTF-8 included)."""
    _read_everything(raw)


@pytest.fixture
def keys(session: Session) -> dict[str, str]:
    """A client key, a key of an accredited CB and one of its AB."""
    ab = make_ab(session, "HYPAB")
    cb = make_cb(session, "Property Certification Ltd", "HYPCL")
    accredit(session, cb, ab.id)
    keys = {
        "client": make_key(session, Role.CLIENT),
        "cb": make_key(session, Role.CERTIFICATION_BODY, cb),
        "ab": make_key(session, Role.ACCREDITATION_BODY, ab.id),
    }
    session.commit()
    return keys


def _assert_no_server_error(response: Any) -> None:
    assert response.status_code < 500, response.text
    if response.status_code >= 400:
        assert response.headers["content-type"] == "application/problem+json", response.text
        assert response.json()["status"] == response.status_code


@HTTP_RUNS
@given(body=BATCH_JSON, csv_body=BATCH_CSV)
def test_a_batch_answers_4xx_or_200_never_5xx(
    client: TestClient, keys: dict[str, str], body: str, csv_body: str
) -> None:
    """POST /v1/verifications/batch with any JSON-ish or CSV-ish body."""
    for content, ctype in ((body, "application/json"), (csv_body, "text/csv")):
        response = client.post(
            "/v1/verifications/batch",
            content=content.encode(),
            headers={**auth(keys["client"]), "Content-Type": ctype},
        )
        _assert_no_server_error(response)


@HTTP_RUNS
@given(
    csv_body=csv_files(list(COLUMN_ALIASES)),
    jsonl_body=JSONL_FILES,
    mode=st.sampled_from(["all", "partial"]),
)
def test_an_import_answers_4xx_or_200_never_5xx(
    client: TestClient, keys: dict[str, str], csv_body: str, jsonl_body: str, mode: str
) -> None:
    """POST /v1/certificates/import with any CSV-ish or JSON Lines-ish file."""
    for content, ctype in ((csv_body, "text/csv"), (jsonl_body, "application/x-ndjson")):
        response = client.post(
            "/v1/certificates/import",
            content=content.encode(),
            params={"mode": mode, "ignore_unknown_columns": "true"},
            headers={**auth(keys["cb"]), "Content-Type": ctype},
        )
        _assert_no_server_error(response)


@HTTP_RUNS
@given(csv_body=csv_files(list(ACCREDITATIONS.aliases)), mode=st.sampled_from(["all", "partial"]))
def test_an_accreditation_import_answers_4xx_or_200_never_5xx(
    client: TestClient, keys: dict[str, str], csv_body: str, mode: str
) -> None:
    """POST /v1/accreditations/import with any CSV-ish file."""
    response = client.post(
        "/v1/accreditations/import",
        content=csv_body.encode(),
        params={"mode": mode, "ignore_unknown_columns": "true"},
        headers={**auth(keys["ab"]), "Content-Type": "text/csv"},
    )
    _assert_no_server_error(response)
