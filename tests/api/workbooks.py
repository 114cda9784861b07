"""XLSX workbooks for the import tests, genuine and hostile, built with zipfile (no binary
fixtures): the smallest set of parts openpyxl reads (ECMA-376 part 1, SpreadsheetML)."""

from __future__ import annotations

import io
import struct
import zipfile
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import openpyxl
from openpyxl.utils import get_column_letter

MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL_NS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
SHEET_TYPE = f"{REL_NS}/worksheet"


def content_types(sheets: int, shared_strings: bool) -> str:
    """[Content_Types].xml for `sheets` worksheets."""
    overrides = "".join(
        f'<Override PartName="/xl/worksheets/sheet{i}.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        for i in range(1, sheets + 1)
    )
    if shared_strings:
        overrides += (
            '<Override PartName="/xl/sharedStrings.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>'
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Types xmlns="{CT_NS}">'
        '<Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        f"{overrides}</Types>"
    )


ROOT_RELS = (
    f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
    f'<Relationship Id="rId1" Type="{REL_NS}/officeDocument" Target="xl/workbook.xml"/>'
    "</Relationships>"
)


def workbook_xml(titles: Iterable[str]) -> str:
    """xl/workbook.xml listing the sheets."""
    sheets = "".join(
        f'<sheet name="{escape(title)}" sheetId="{i}" r:id="rId{i}"/>'
        for i, title in enumerate(titles, start=1)
    )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{MAIN_NS}" '
        f'xmlns:r="{REL_NS}"><sheets>{sheets}</sheets></workbook>'
    )


def workbook_rels(sheets: int, shared_strings: bool) -> str:
    """xl/_rels/workbook.xml.rels."""
    rels = "".join(
        f'<Relationship Id="rId{i}" Type="{SHEET_TYPE}" Target="worksheets/sheet{i}.xml"/>'
        for i in range(1, sheets + 1)
    )
    if shared_strings:
        rels += (
            f'<Relationship Id="rId{sheets + 1}" Type="{REL_NS}/sharedStrings" '
            'Target="sharedStrings.xml"/>'
        )
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{PKG_REL_NS}">'
        f"{rels}</Relationships>"
    )


def sheet_xml(rows: str, dimension: str = "A1") -> str:
    """A worksheet part around `rows` (the `<row>` elements), with a declared dimension."""
    return (
        f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{MAIN_NS}">'
        f'<dimension ref="{dimension}"/><sheetData>{rows}</sheetData></worksheet>'
    )


def inline_row(number: int, values: Iterable[str]) -> str:
    """A row of inline-string cells A, B, C, ..."""
    cells = "".join(
        f'<c r="{get_column_letter(i)}{number}" t="inlineStr"><is><t>{escape(value)}</t></is></c>'
        for i, value in enumerate(values, start=1)
        if value != ""
    )
    return f'<row r="{number}">{cells}</row>'


def build(
    sheets: dict[str, str | bytes],
    *,
    shared_strings: str | None = None,
    extra: dict[str, bytes] | None = None,
    compression: int = zipfile.ZIP_DEFLATED,
) -> bytes:
    """An XLSX archive: `sheets` maps titles to worksheet XML, in order."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as archive:
        archive.writestr("[Content_Types].xml", content_types(len(sheets), bool(shared_strings)))
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook_xml(sheets))
        archive.writestr(
            "xl/_rels/workbook.xml.rels", workbook_rels(len(sheets), bool(shared_strings))
        )
        for i, xml in enumerate(sheets.values(), start=1):
            archive.writestr(f"xl/worksheets/sheet{i}.xml", xml)
        if shared_strings is not None:
            archive.writestr("xl/sharedStrings.xml", shared_strings)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return out.getvalue()


def from_rows(
    rows: list[list[Any]], title: str = "Certificates", **others: list[list[Any]]
) -> bytes:
    """A genuine workbook written by openpyxl: `rows` in the first sheet (datetimes become
    real Excel dates), `others` as further sheets."""
    wb = openpyxl.Workbook()
    ws = wb.active
    assert ws is not None
    ws.title = title
    for row in rows:
        ws.append(row)
    for name, sheet_rows in others.items():
        extra = wb.create_sheet(name)
        for row in sheet_rows:
            extra.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def set_declared_size(data: bytes, member: str, size: int) -> bytes:
    """The archive with `member`'s declared uncompressed size replaced in both its local file
    header and the central directory (a lying ZIP directory); sizes up to 4 GiB - 1."""
    raw = bytearray(data)
    name = member.encode()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(member)
    local = info.header_offset
    assert raw[local : local + 4] == b"PK\x03\x04"
    struct.pack_into("<I", raw, local + 22, size)
    central = raw.find(b"PK\x01\x02", local)
    while central != -1:
        name_length = struct.unpack_from("<H", raw, central + 28)[0]
        if raw[central + 46 : central + 46 + name_length] == name:
            struct.pack_into("<I", raw, central + 24, size)
            return bytes(raw)
        central = raw.find(b"PK\x01\x02", central + 4)
    raise AssertionError(f"{member} not in the central directory")


def _bomb_chunks(total: int, chunk: int = 1 << 20) -> Iterator[bytes]:
    head = f'<?xml version="1.0"?><worksheet xmlns="{MAIN_NS}"><sheetData>'.encode()
    yield head
    filler = b"<row/>" * (chunk // 6)
    written = len(head)
    while written < total:
        yield filler
        written += len(filler)
    yield b"</sheetData></worksheet>"


BOMB_SHEET = "xl/worksheets/sheet1.xml"


def write_zip_bomb(path: Path, decompressed: int) -> int:
    """A workbook whose only sheet decompresses to about `decompressed` bytes (under 2 GiB, so
    the ZIP needs no ZIP64 fields) of valid XML (`<row/>` repeated), compressed at deflate's
    best: about 700 times smaller. Written streaming; returns the file's size."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", content_types(1, False))
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", workbook_xml(["Bomb"]))
        archive.writestr("xl/_rels/workbook.xml.rels", workbook_rels(1, False))
        with archive.open(BOMB_SHEET, "w") as member:
            for chunk in _bomb_chunks(decompressed):
                member.write(chunk)
    return path.stat().st_size
