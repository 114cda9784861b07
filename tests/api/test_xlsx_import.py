"""Issue 15 item 6: the certificate import takes XLSX (the IAF CertSearch template as a CB keeps
it), with the rules and per-row report of CSV, and refuses hostile workbooks within a memory
bound: each a 413 or 422 problem naming the reason, never a 500."""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from datetime import datetime
from pathlib import Path
from typing import Any

import defusedxml
import openpyxl
import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.services.auth import Role
from app.services.imports.xlsx import (
    OLE_MAGIC,
    XLSX_MEDIA_TYPE,
    WorkbookLimits,
    WorkbookTooLarge,
    read_xlsx,
)
from tests.api import workbooks as wb
from tests.factories import accredit, auth, make_ab, make_cb, make_key

MD28_HEADER = [
    "Certificate Number",
    "Certification Status",
    "Certified Entity Name",
    "Certified Entity Country",
    "Standards/schemes",
    "Certification Scope",
    "Sector code",
    "Certification site address",
    "Certification site country",
    "Certification Original Issue Date",
    "Certification Issue Date",
    "Certification Expiry Date",
    "Confidential Certified Entity",
]
TEMPLATE_ROWS: list[list[Any]] = [
    MD28_HEADER,
    # a number typed as a number, real Excel dates
    [
        700001,
        "Active",
        "Delta Foods SA",
        "ES",
        "ISO 9001:2015",
        "Food packaging",
        3,
        "Calle Mayor 1",
        "ES",
        datetime(2018, 1, 5),
        datetime(2024, 1, 5),
        datetime(2027, 1, 4),
        "No",
    ],
    [],  # a blank row is skipped, and the next keeps its sheet row number (4)
    # dates as text, two sectors and two sites as text, a boolean cell
    [
        "20897-A02",
        "Suspended",
        "Epsilon Pharma Ltd",
        "IE",
        "ISO 9001:2015",
        "Generic tablets",
        "13;17",
        "Unit 4 Park|Unit 9 Park",
        "IE|IE",
        None,
        "20250301",
        "2028-02-28",
        False,
    ],
    # a number stored as a float (as some exporters write it): never "700003.0"
    [
        700003.0,
        "Active",
        "Zeta Builders Inc",
        "US",
        "ISO 9001:2015",
        "Construction",
        28.0,
        "1 Main St",
        "US",
        None,
        datetime(2025, 6, 1),
        datetime(2028, 5, 31),
        "Yes",
    ],
]


@pytest.fixture
def tenant(session: Session) -> dict[str, Any]:
    """A CB accredited for ISO 9001 (all sectors), its key."""
    ab = make_ab(session, "XAB", [{"standard": "ISO 9001"}])
    cb = make_cb(session, "Workbook Certification Ltd", "WCL")
    accredit(session, cb, ab.id)
    t = {"cb": cb, "key": make_key(session, Role.CERTIFICATION_BODY, cb)}
    session.commit()
    return t


def post_xlsx(client: TestClient, key: str, data: bytes, **params: str) -> Any:
    """Upload a workbook as the raw body."""
    return client.post(
        "/v1/certificates/import",
        content=data,
        params=params,
        headers={**auth(key), "Content-Type": XLSX_MEDIA_TYPE},
    )


def refused(response: Any, status: int) -> str:
    """The problem's detail, once the answer is the expected problem+json (never a 500)."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    problem = response.json()
    assert problem["type"] == (
        "/problems/payload-too-large" if status == 413 else "/problems/validation-error"
    )
    assert problem["errors"] == [
        {"pointer": "/", "detail": problem["detail"].removeprefix("The file cannot be imported: ")}
    ]
    return str(problem["detail"])


# --- genuine workbooks ----------------------------------------------------------------------


def test_the_iaf_template_as_xlsx_imports_like_csv(
    client: TestClient, tenant: dict[str, Any]
) -> None:
    """IAF MD 28 column names, real Excel dates and dates as text, numbers as certificate
    numbers and sectors (never "700001.0"), row numbers as the sheet's; a second upload of
    the same workbook changes nothing."""
    response = post_xlsx(client, tenant["key"], wb.from_rows(TEMPLATE_ROWS))
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["totals"] == {
        "rows": 3,
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "error": 0,
    }
    assert [(r["row"], r["certificate_number"], r["outcome"]) for r in report["rows"]] == [
        (2, "700001", "created"),
        (4, "20897-A02", "created"),
        (5, "700003", "created"),
    ]
    assert report["status_mappings"] == {
        "Active": {"explanation": "Active → active", "rows": 2},
        "Suspended": {"explanation": "Suspended → suspended (ISO/IEC 17021-1 §9.6)", "rows": 1},
    }
    first, second, third = (
        client.get(f"/v1/certificates/{r['certificate_id']}", headers=auth(tenant["key"])).json()
        for r in report["rows"]
    )
    assert (first["certificate_number"], first["sectors"]) == ("700001", [3])
    assert (first["original_issue_date"], first["issue_date"], first["expiry_date"]) == (
        "2018-01-05",
        "2024-01-05",
        "2027-01-04",
    )
    assert first["confidential"] is False
    assert second["sectors"] == [13, 17]
    assert second["sites"] == [
        {"name": None, "address": "Unit 4 Park", "country": "IE"},
        {"name": None, "address": "Unit 9 Park", "country": "IE"},
    ]
    assert (second["issue_date"], second["expiry_date"], second["status"]) == (
        "2025-03-01",
        "2028-02-28",
        "suspended",
    )
    assert (third["certificate_number"], third["sectors"], third["confidential"]) == (
        "700003",
        [28],
        True,
    )

    again = post_xlsx(client, tenant["key"], wb.from_rows(TEMPLATE_ROWS)).json()
    assert [r["outcome"] for r in again["rows"]] == ["unchanged"] * 3


def test_the_template_fields_the_registry_does_not_hold_are_listed_not_refused(
    client: TestClient, tenant: dict[str, Any]
) -> None:
    """The IAF CertSearch fields beyond ours (MD 28 glossary: identity number, type,
    accreditation status, entity id, registered address, sector name) import without
    ignore_unknown_columns and are listed in ignored_columns; a typo still is an error."""
    extra = [
        "Certification Identity Number",
        "Certification Type",
        "Accreditation Status",
        "Certified Entity Unique ID",
        "Business Registered Address",
        "Sector Name",
    ]
    values = ["CB-INT-1", "Management System", "Accredited", "E-1", "1 Main St", "Food"]
    rows = [TEMPLATE_ROWS[0] + extra, TEMPLATE_ROWS[1] + values]
    response = post_xlsx(client, tenant["key"], wb.from_rows(rows))
    assert response.status_code == 200, response.text
    assert (response.json()["totals"]["created"], response.json()["ignored_columns"]) == (
        1,
        extra,
    )
    typo = [TEMPLATE_ROWS[0] + ["Sector Nmae"], TEMPLATE_ROWS[1] + ["Food"]]
    detail = refused(post_xlsx(client, tenant["key"], wb.from_rows(typo)), 422)
    assert detail.startswith(
        "The file cannot be imported: sheet 'Certificates': unknown column(s) 'Sector Nmae'; "
    )


def test_an_instructions_sheet_before_the_data_is_passed_over(
    client: TestClient, tenant: dict[str, Any]
) -> None:
    """The data sheet is the first whose header row names the certificate number; the title
    rows above a header are blank rows or another sheet, and row numbers stay the sheet's."""
    data = wb.from_rows(
        [["How to fill in this template"], ["One certificate per row."]],
        title="Instructions",
        Certificates=[[], [], TEMPLATE_ROWS[0], TEMPLATE_ROWS[1]],
    )
    report = post_xlsx(client, tenant["key"], data).json()
    assert [(r["row"], r["certificate_number"], r["outcome"]) for r in report["rows"]] == [
        (4, "700001", "created")
    ]


def test_no_sheet_with_a_certificate_number_column_is_a_422(
    client: TestClient, tenant: dict[str, Any]
) -> None:
    """The error lists the sheets and what the first one lacks."""
    data = wb.from_rows([["Name", "Scope"], ["A", "B"]], title="Sheet1", Notes=[["x"]])
    detail = refused(post_xlsx(client, tenant["key"], data), 422)
    assert detail == (
        "The file cannot be imported: no sheet has a header row naming certificate_number (or "
        "'certificate number'); the sheets are 'Sheet1', 'Notes' (first sheet: missing required "
        "column(s): certificate_number (or 'certificate no'))"
    )


def test_unknown_columns_are_named_as_in_csv(client: TestClient, tenant: dict[str, Any]) -> None:
    """An unknown column is an error for the file, naming it; ignore_unknown_columns imports
    without it and lists it."""
    rows = [
        [
            "certificate_number",
            "organization_name",
            "standard",
            "issue_date",
            "expiry_date",
            "scpoe",
        ],
        ["A-1", "Alpha Ltd", "ISO 9001:2015", "2025-01-01", "2027-12-31", "Food"],
    ]
    detail = refused(post_xlsx(client, tenant["key"], wb.from_rows(rows)), 422)
    assert detail.startswith(
        "The file cannot be imported: sheet 'Certificates': unknown column(s) 'scpoe'; the "
        "known ones are certificate_number, "
    )
    lenient = post_xlsx(client, tenant["key"], wb.from_rows(rows), ignore_unknown_columns="true")
    assert lenient.status_code == 200
    assert (lenient.json()["ignored_columns"], lenient.json()["totals"]["created"]) == (
        ["scpoe"],
        1,
    )


def test_a_value_without_a_header_is_a_row_error(
    client: TestClient, tenant: dict[str, Any]
) -> None:
    """A value under a column with no header, or past the header's last column, is reported
    on its row, never dropped; the other rows are still checked."""
    rows: list[list[Any]] = [
        ["certificate_number", None, "scope"],
        ["X-1", "stray", "Food"],
        ["X-2", None, "Food", None, "far"],
    ]
    response = post_xlsx(client, tenant["key"], wb.from_rows(rows))
    assert response.status_code == 422
    assert [(r["row"], r["errors"]) for r in response.json()["report"]["rows"]] == [
        (2, [{"field": "row", "reason": "row 2 has a value in column B, which has no header"}]),
        (3, [{"field": "row", "reason": "row 3 has a value in column E, which has no header"}]),
    ]


def test_the_readme_example_files_import_alike_as_csv_and_xlsx(
    client: TestClient, tenant: dict[str, Any], tmp_path: Path
) -> None:
    """examples/import-certificates.csv and import-iaf-md28.csv hold the same certificates;
    examples/csv_to_xlsx.py turns the IAF one into a workbook that imports as the same rows."""
    root = Path(__file__).resolve().parents[2]
    ours = (root / "examples" / "import-certificates.csv").read_bytes()
    created = client.post(
        "/v1/certificates/import",
        content=ours,
        headers={**auth(tenant["key"]), "Content-Type": "text/csv"},
    ).json()
    assert [(r["row"], r["certificate_number"], r["outcome"]) for r in created["rows"]] == [
        (2, "NBC-X 1001", "created"),
        (3, "NBC-X 1002", "created"),
        (4, "NBC-X 1003", "created"),
    ]
    book = tmp_path / "certificates.xlsx"
    subprocess.run(
        [
            sys.executable,
            str(root / "examples" / "csv_to_xlsx.py"),
            str(root / "examples" / "import-iaf-md28.csv"),
            str(book),
        ],
        check=True,
        capture_output=True,
    )
    again = post_xlsx(client, tenant["key"], book.read_bytes()).json()
    assert [(r["row"], r["certificate_number"], r["outcome"]) for r in again["rows"]] == [
        (2, "NBC-X 1001", "unchanged"),
        (3, "NBC-X 1002", "unchanged"),
        (4, "NBC-X 1003", "unchanged"),
    ]
    assert again["ignored_columns"] == ["Certification Type", "Sector Name"]


def test_an_accreditation_body_imports_a_workbook_too(client: TestClient, session: Session) -> None:
    """The accreditation import reads workbooks through the same reader (its own columns)."""
    ab = make_ab(session, "XLAB")
    make_cb(session, "Sheet Certification Ltd", "SCL")
    key = make_key(session, Role.ACCREDITATION_BODY, ab.id)
    session.commit()
    rows: list[list[Any]] = [
        ["certification_body", "accreditation_number", "standard", "sectors", "valid_from"],
        ["SCL", 4127, "ISO 9001", "17;18", datetime(2020, 1, 1)],
    ]
    response = client.post(
        "/v1/accreditations/import",
        content=wb.from_rows(rows),
        headers={**auth(key), "Content-Type": XLSX_MEDIA_TYPE},
    )
    assert response.status_code == 200, response.text
    assert [(r["row"], r["certificate_number"], r["outcome"]) for r in response.json()["rows"]] == [
        (2, "4127", "created")
    ]


def test_formula_cells_import_their_computed_value() -> None:
    """A formula's last computed value is read (data_only), as Excel shows it."""
    sheet = wb.sheet_xml(
        wb.inline_row(1, ["certificate_number", "scope"])
        + '<row r="2"><c r="A2" t="str"><f>CONCATENATE("F-","1")</f><v>F-1</v></c></row>'
    )
    _, rows = read_xlsx(io.BytesIO(wb.build({"Data": sheet})))
    assert [(r.row, r.values) for r in rows] == [(2, {"certificate_number": "F-1", "scope": None})]


# --- hostile workbooks ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def zip_bomb(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A 2.9 MB workbook whose sheet decompresses to 2,000,000,000 bytes (honest sizes)."""
    path = tmp_path_factory.mktemp("bomb") / "bomb.xlsx"
    size = wb.write_zip_bomb(path, 2_000_000_000)
    assert size < 4_000_000
    return path


def test_a_zip_bomb_is_refused_from_its_declared_sizes(
    client: TestClient, tenant: dict[str, Any], zip_bomb: Path
) -> None:
    """2 GB of sheet XML in a 2.9 MB upload: refused before anything is decompressed."""
    detail = refused(post_xlsx(client, tenant["key"], zip_bomb.read_bytes()), 413)
    assert detail == (
        "The file cannot be imported: the workbook decompresses to more than 512 MiB (the sizes "
        "its ZIP directory declares); a zip bomb is refused"
    )


def test_a_zip_bomb_that_understates_its_size_is_capped_while_streaming(
    client: TestClient, tenant: dict[str, Any], zip_bomb: Path
) -> None:
    """The ZIP directory can lie: declared 200 MiB (ratio 70, within limits), the sheet is read
    streaming and refused at its 1,048,577th row; declared 1 MiB, decompression stops there and
    the CRC check fails. Neither ever holds the sheet in memory."""
    bomb = zip_bomb.read_bytes()
    understated = wb.set_declared_size(bomb, wb.BOMB_SHEET, 200 * 1024 * 1024)
    detail = refused(post_xlsx(client, tenant["key"], understated), 413)
    assert detail == (
        "The file cannot be imported: the workbook part 'xl/worksheets/sheet1.xml' has a row "
        "1,048,577; a sheet has at most 1,048,576 rows"
    )
    truncated = wb.set_declared_size(bomb, wb.BOMB_SHEET, 1024 * 1024)
    detail = refused(post_xlsx(client, tenant["key"], truncated), 422)
    assert detail == (
        "The file cannot be imported: the workbook part 'xl/worksheets/sheet1.xml' cannot be "
        "decompressed (Bad CRC-32 for file 'xl/worksheets/sheet1.xml'); it is damaged or its "
        "declared size is false"
    )


def test_a_part_compressed_beyond_the_ratio_is_refused(
    client: TestClient, tenant: dict[str, Any]
) -> None:
    """20 MiB of sheet XML that deflates 700-fold: within the size limits, beyond the ratio."""
    data = wb.build({"Data": wb.sheet_xml("<row/>" * (20 * 1024 * 1024 // 6))})
    detail = refused(post_xlsx(client, tenant["key"], data), 413)
    compressed = zipfile.ZipFile(io.BytesIO(data)).getinfo(wb.BOMB_SHEET)
    ratio = compressed.file_size // compressed.compress_size
    assert ratio > 200
    assert detail == (
        "The file cannot be imported: the workbook part 'xl/worksheets/sheet1.xml' decompresses "
        f"{ratio:,} times its compressed size ({compressed.file_size:,} bytes); at most 200 "
        "times is read (a zip bomb is refused)"
    )


def test_a_sheet_longer_than_its_declared_dimension_is_counted_while_streaming(
    client: TestClient, tenant: dict[str, Any]
) -> None:
    """The dimension says A1:B2; the sheet has 1,048,577 rows (Excel's grid has 1,048,576)."""
    rows = wb.inline_row(1, ["certificate_number"]) + "<row/>" * 1_048_576
    sheet = wb.sheet_xml(rows, dimension="A1:B2")
    data = wb.build({"Data": sheet}, compression=zipfile.ZIP_STORED)
    detail = refused(post_xlsx(client, tenant["key"], data), 413)
    assert detail == (
        "The file cannot be imported: the workbook part 'xl/worksheets/sheet1.xml' has a row "
        "1,048,577; a sheet has at most 1,048,576 rows"
    )


@pytest.mark.parametrize(
    ("rows", "detail"),
    [
        (
            '<row r="1048577"><c r="A1048577" t="inlineStr"><is><t>x</t></is></c></row>',
            "has a row 1,048,577; a sheet has at most 1,048,576 rows",
        ),
        (
            '<row r="1"><c r="XFE1" t="inlineStr"><is><t>x</t></is></c></row>',
            "has a cell in column 16,385 of row 1; a sheet has at most 16,384 columns",
        ),
        (
            '<row r="1">' + "<c/>" * 16_385 + "</row>",
            "has a cell in column 16,385 of row 1; a sheet has at most 16,384 columns",
        ),
    ],
    ids=["row-number", "column-reference", "cells-without-references"],
)
def test_rows_and_columns_beyond_excel_grid_are_413(
    client: TestClient, tenant: dict[str, Any], rows: str, detail: str
) -> None:
    """Row and column numbers beyond the grid, given or counted (openpyxl would pad every
    row to them)."""
    response = post_xlsx(client, tenant["key"], wb.build({"Data": wb.sheet_xml(rows)}))
    assert refused(response, 413) == (
        f"The file cannot be imported: the workbook part 'xl/worksheets/sheet1.xml' {detail}"
    )


@pytest.mark.parametrize(
    "padding", [" " * 100, "\r\n\t " * 20_000], ids=["100-blanks", "80000-blanks-over-chunks"]
)
def test_a_sheet_padded_with_white_space_is_still_guarded(
    client: TestClient, tenant: dict[str, Any], padding: str
) -> None:
    """White space before the root element is well-formed XML (no XML declaration), and
    openpyxl reads such a sheet: the guard must not take it for a binary part and pass it by
    (a row of 16,385 cells would then reach openpyxl)."""
    rows = '<row r="1">' + "<c/>" * 16_385 + "</row>"
    sheet = padding + wb.sheet_xml(rows).removeprefix('<?xml version="1.0" encoding="UTF-8"?>')
    response = post_xlsx(client, tenant["key"], wb.build({"Data": sheet}))
    assert refused(response, 413) == (
        "The file cannot be imported: the workbook part 'xl/worksheets/sheet1.xml' has a cell "
        "in column 16,385 of row 1; a sheet has at most 16,384 columns"
    )


def _workbook_with_shared_strings_at(path: str, strings: list[str]) -> bytes:
    """A workbook whose shared strings part is `path` (the relationships name it)."""
    sst = (
        f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{wb.MAIN_NS}">'
        + "".join(f"<si><t>{s}</t></si>" for s in strings)
        + "</sst>"
    )
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>{n - 1}</v></c></row>' for n in (1, 2))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            wb.content_types(1, True).replace("/xl/sharedStrings.xml", f"/{path}"),
        )
        archive.writestr("_rels/.rels", wb.ROOT_RELS)
        archive.writestr("xl/workbook.xml", wb.workbook_xml(["Data"]))
        archive.writestr(
            "xl/_rels/workbook.xml.rels",
            wb.workbook_rels(1, True).replace(
                'Target="sharedStrings.xml"', f'Target="{path.removeprefix("xl/")}"'
            ),
        )
        archive.writestr("xl/worksheets/sheet1.xml", wb.sheet_xml(rows))
        archive.writestr(path, sst)
    return out.getvalue()


@pytest.mark.parametrize("path", ["xl/sharedStrings.xml", "xl/worksheets/sheet2.xml"])
def test_shared_strings_keep_their_limit_whatever_their_part_is_named(path: str) -> None:
    """openpyxl finds the shared strings through the relationships, whatever the part's name,
    and holds them whole: named like a worksheet they must not get a worksheet's limit."""
    strings = ["certificate_number", *(f"N{i}" for i in range(300))]
    data = _workbook_with_shared_strings_at(path, strings)
    limits = WorkbookLimits(max_shared_strings_bytes=2000)
    with pytest.raises(WorkbookTooLarge) as refused:  # refused before any row is read
        read_xlsx(io.BytesIO(data), limits=limits)
    assert str(refused.value) == (
        f"the workbook part {path!r} decompresses to 6,039 bytes; the shared strings may hold "
        "at most 2,000 bytes"
    )
    _, rows = read_xlsx(io.BytesIO(data))  # within the default limits: read as usual
    assert [row.values for row in rows] == [{"certificate_number": "N0"}]


@pytest.mark.parametrize(
    ("rows", "detail"),
    [
        (
            '<row r="5"/><row r="3"/>',
            "has row 3 after row 5; rows must be in order",
        ),
        (
            '<row r="1"><c r="C1"/><c r="B1"/></row>',
            "has cells out of order in row 1",
        ),
        (
            '<row r="2"><c r="A7"/></row>',
            "has cell A7 in row 2",
        ),
        (
            '<row r="1"><c r="A1" t="inlineStr"><is><t>' + "x" * 131_073 + "</t></is></c></row>",
            "has a cell longer than 131072 characters (row 1)",
        ),
        (
            '<row r="1"><c r="A1" t="inlineStr" x="' + "y" * (2 * 1024 * 1024) + '"/></row>',
            "has an XML tag, comment or text run longer than 1 MiB",
        ),
        (
            "<row>" + "<x>" * 70 + "</x>" * 70 + "</row>",
            "nests XML elements deeper than 64 levels",
        ),
        ("<row><c></row>", "is not well-formed XML (mismatched tag, line 1)"),
    ],
    ids=[
        "rows-backwards",
        "cells-backwards",
        "cell-of-another-row",
        "long-cell",
        "long-tag",
        "deep",
        "truncated",
    ],
)
def test_malformed_sheets_are_422(
    client: TestClient, tenant: dict[str, Any], rows: str, detail: str
) -> None:
    """What openpyxl would drop, merge or hold whole is refused, naming the part and why."""
    data = wb.build({"Data": wb.sheet_xml(rows)}, compression=zipfile.ZIP_STORED)
    assert refused(post_xlsx(client, tenant["key"], data), 422) == (
        f"The file cannot be imported: the workbook part 'xl/worksheets/sheet1.xml' {detail}"
    )


@pytest.mark.parametrize(
    ("parts", "name_length", "detail"),
    [
        (1_001, 8, "the workbook archive has 1,006 parts; at most 1,000 are read"),
        (
            900,
            1_200,
            "the workbook archive's directory is 1,133,425 bytes; at most 1 MiB is read",
        ),
    ],
    ids=["parts", "directory-bytes"],
)
def test_an_archive_directory_beyond_the_limits_is_refused_from_its_end_record(
    client: TestClient, tenant: dict[str, Any], parts: int, name_length: int, detail: str
) -> None:
    """zipfile reads the whole central directory and makes an object per entry: the count
    and the size are checked from the end record first."""
    extra = {f"xl/media/{i:0{name_length}d}.bin": b"" for i in range(parts)}
    data = wb.build({"Data": wb.sheet_xml("")}, extra=extra)
    assert refused(post_xlsx(client, tenant["key"], data), 413) == (
        f"The file cannot be imported: {detail}"
    )


def test_more_than_fifty_sheets_are_refused(client: TestClient, tenant: dict[str, Any]) -> None:
    """Each sheet costs openpyxl an object and a pass: at most 50 are read."""
    sheets: dict[str, str | bytes] = {f"S{i}": wb.sheet_xml("") for i in range(51)}
    detail = refused(post_xlsx(client, tenant["key"], wb.build(sheets)), 422)
    assert detail == (
        "The file cannot be imported: the workbook part 'xl/workbook.xml' lists more than 50 "
        "sheets; at most 50 are read"
    )


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
    '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>'
)


def test_xml_entity_expansion_is_refused(client: TestClient, tenant: dict[str, Any]) -> None:
    """A document type declaration (the 'billion laughs' entities) in any part is a 422."""
    strings = BILLION_LAUGHS + f'<sst xmlns="{wb.MAIN_NS}" count="1"><si><t>&lol3;</t></si></sst>'
    sheet = wb.sheet_xml(wb.inline_row(1, ["certificate_number"]))
    data = wb.build({"Data": sheet}, shared_strings=strings)
    detail = refused(post_xlsx(client, tenant["key"], data), 422)
    assert detail == (
        "The file cannot be imported: the workbook part 'xl/sharedStrings.xml' declares an XML "
        "document type (DTD); XML entities are refused (entity expansion, 'billion laughs')"
    )


def test_openpyxl_itself_refuses_entities_through_defusedxml() -> None:
    """The second lock: openpyxl parses through defusedxml (a runtime dependency), so even a
    workbook that reached it unguarded could not expand entities."""
    assert openpyxl.DEFUSEDXML is True
    strings = BILLION_LAUGHS + f'<sst xmlns="{wb.MAIN_NS}" count="1"><si><t>&lol3;</t></si></sst>'
    data = wb.build({"Data": wb.sheet_xml("")}, shared_strings=strings)
    with pytest.raises(ValueError, match="could not read strings") as raised:
        openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    assert isinstance(raised.value.__cause__, defusedxml.EntitiesForbidden)


@pytest.mark.parametrize(
    ("data", "detail"),
    [
        (
            b"certificate_number\nA-1\n",
            "the file is not an XLSX workbook (an XLSX file is a ZIP archive; this one does not "
            "start like one); send CSV as text/csv, or save the sheet as .xlsx",
        ),
        (
            OLE_MAGIC + bytes(504),
            "the file is an OLE compound document: a legacy Excel 97-2003 workbook (.xls) or an "
            "XLSX protected with a password (encrypted); save it as an Excel workbook (.xlsx) "
            "without a password and upload again",
        ),
        (
            b"PK\x03\x04" + bytes(40),
            "the file is not a readable XLSX workbook (ZIP archive: File is not a zip file)",
        ),
    ],
    ids=["csv-bytes", "xls-or-encrypted", "broken-zip"],
)
def test_files_that_are_not_workbooks_are_422(
    client: TestClient, tenant: dict[str, Any], data: bytes, detail: str
) -> None:
    """The XLSX media type on other bytes: named for what they are."""
    assert refused(post_xlsx(client, tenant["key"], data), 422) == (
        f"The file cannot be imported: {detail}"
    )


def test_a_zip_that_is_not_a_workbook_is_422(client: TestClient, tenant: dict[str, Any]) -> None:
    """A ZIP archive without the parts of a workbook."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("readme.txt", "hello")
    detail = refused(post_xlsx(client, tenant["key"], out.getvalue()), 422)
    assert detail == (
        "The file cannot be imported: the file is a ZIP archive but not an XLSX workbook (it "
        "has no [Content_Types].xml or xl/workbook.xml); save the sheet as an Excel workbook "
        "(.xlsx)"
    )


def test_an_encrypted_zip_part_is_422(client: TestClient, tenant: dict[str, Any]) -> None:
    """ZIP-level encryption (flag bit 0) on a part."""
    data = bytearray(wb.build({"Data": wb.sheet_xml("")}))
    central = data.find(b"PK\x01\x02")
    data[central + 8] |= 0x1
    detail = refused(post_xlsx(client, tenant["key"], bytes(data)), 422)
    assert detail == (
        "The file cannot be imported: the workbook part '[Content_Types].xml' is encrypted; "
        "save the workbook without a password and upload again"
    )


MEASURE = """
import io, resource
from pathlib import Path
from app.services.imports.formats import FileProblem
from app.services.imports.xlsx import read_xlsx
from tests.api import workbooks as wb


def peak_kib():  # this process's own peak (ru_maxrss also counts the parent's, from fork)
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])


bomb = Path({path!r}).read_bytes()
data = wb.set_declared_size(bomb, wb.BOMB_SHEET, 200 * 1024 * 1024) if {lie!r} else bomb
before = peak_kib()
outcome = "read"
try:
    read_xlsx(io.BytesIO(data))
except FileProblem as exc:
    outcome = type(exc).__name__
print(outcome, before, peak_kib(), resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("lie", [False, True], ids=["declared", "understated"])
def test_a_zip_bomb_is_refused_within_a_memory_bound(zip_bomb: Path, lie: bool) -> None:
    """Peak resident memory (VmHWM) of a fresh process that reads the 2 GB bomb (refused from
    its directory) or the understated one (streamed through the guard to its row limit): the
    refusal adds less than 16 MiB to the process's peak, and the whole process (Python, the
    app's modules, openpyxl, the 2.9 MB file twice) stays under 128 MiB."""
    root = str(Path(__file__).resolve().parents[2])
    script = MEASURE.format(path=str(zip_bomb), lie=lie)
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, cwd=root
    )
    outcome, before, after, _ = done.stdout.split()
    assert outcome == "WorkbookTooLarge"
    sys.stderr.write(json.dumps({"lie": lie, "peak_kib": int(after), "before_kib": int(before)}))
    assert int(after) - int(before) < 16 * 1024
    assert int(after) < 128 * 1024
