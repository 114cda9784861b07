"""Read an XLSX workbook (Office Open XML spreadsheet, ISO/IEC 29500) into canonical rows, within
bounds that hold whatever the file says about itself.

A CB keeps its certificates in a spreadsheet and uploads the IAF CertSearch template as XLSX
(IAF MD 28; the column names are those of app/services/imports/formats.py). openpyxl reads the
cells, in read-only (streaming) mode with `data_only` (a formula's last computed value), and
uses defusedxml for every XML part when it is installed (a runtime dependency here, so
`openpyxl.DEFUSEDXML` is true: XML entities are refused by both).

A workbook is a ZIP archive of XML parts, so a small upload can stand for gigabytes (a "zip
bomb") and a sheet's declared dimension (`<dimension ref="A1:B2">`) can lie. Before openpyxl
opens anything, `inspect_archive` checks the archive's directory (its size and entry count from
the end record first, before zipfile reads it): the number of parts, each
part's declared uncompressed size and compression ratio, the total, no encryption, deflate or
stored only (Python's zipfile stops decompressing at the declared size and then fails the CRC,
so a part never yields more than it declares). Then `_PartGuard` streams every XML part once
through expat, counting as it goes, and refuses a document type declaration (entity expansion,
"billion laughs"), nesting deeper than `max_depth`, a token longer than `max_token` bytes,
more sheets, rows, columns, cells, text or shared strings than the limits, and rows or cells
out of order (openpyxl would drop them silently). Only then does openpyxl read the workbook, so
its memory is bounded by what the guard let through. See README, "Bulk import".
"""

from __future__ import annotations

import re
import struct
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any, BinaryIO
from xml.parsers import expat

from app.services.imports.formats import (
    CERTIFICATES,
    FileProblem,
    Header,
    Layout,
    RawRow,
    _norm,
    understand_header,
)
from app.services.safe_text import MAX_CSV_CELL, spreadsheet_literal

XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MIB = 1024 * 1024


class WorkbookTooLarge(FileProblem):
    """The workbook holds more than the import reads (413): decompressed size, compression
    ratio, parts, rows, columns."""


@dataclass(frozen=True, slots=True)
class WorkbookLimits:
    """What a workbook may hold. The row and column limits are Excel's own grid (1,048,576 rows,
    16,384 columns: "Excel specifications and limits"); a cell holds at most as many
    characters as a CSV cell (app/services/safe_text.py, MAX_CSV_CELL; Excel's own limit is
    32,767). The byte limits bound memory: a worksheet is streamed, shared strings and every
    other part are held whole by openpyxl."""

    max_parts: int = 1_000
    max_directory_bytes: int = 1 * MIB
    max_sheets: int = 50
    max_total_bytes: int = 512 * MIB
    max_worksheet_bytes: int = 256 * MIB
    max_shared_strings_bytes: int = 64 * MIB
    max_other_part_bytes: int = 16 * MIB
    max_ratio: int = 200
    ratio_checked_above: int = 1 * MIB
    max_rows: int = 1_048_576
    max_columns: int = 16_384
    max_cell_characters: int = MAX_CSV_CELL
    max_row_characters: int = 1 * MIB
    max_row_elements: int = 100_000
    max_shared_strings: int = 1_000_000
    max_elements: int = 250_000
    max_loose_characters: int = 16 * MIB
    max_depth: int = 64
    max_token: int = 1 * MIB


LIMITS = WorkbookLimits()
OLE_MAGIC = bytes.fromhex("d0cf11e0a1b11ae1")
"""The first bytes of an OLE compound document: a legacy .xls, or an XLSX encrypted with a
password (ECMA-376 part 2 / MS-OFFCRYPTO keep the encrypted package inside OLE)."""
ZIP_MAGIC = (b"PK\x03\x04", b"PK\x05\x06")
_CELL_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?([0-9]{1,7})$")
_ROW_NUMBER = re.compile(r"^[0-9]{1,9}(?:\.0*)?$")


def _kib(count: int) -> str:
    return f"{count // MIB} MiB" if count % MIB == 0 else f"{count:,} bytes"


_EOCD = b"PK\x05\x06"
_ZIP64_LOCATOR = b"PK\x06\x07"
_ZIP64_EOCD = b"PK\x06\x06"


def _check_directory(stream: BinaryIO, limits: WorkbookLimits) -> None:
    """Refuse an archive whose central directory holds more parts or bytes than the limits,
    from its end record (APPNOTE.TXT 4.3.16, and 4.3.14-15 for ZIP64) before zipfile reads the
    directory into memory: zipfile reads as many bytes as the end record says and makes an
    object per entry, so a 50 MiB upload of directory entries would hold about a million.
    A file without an end record is left to zipfile, which refuses it."""
    stream.seek(0, 2)
    size = stream.tell()
    start = max(0, size - (22 + 0xFFFF))
    stream.seek(start)
    tail = stream.read()
    stream.seek(0)
    at = len(tail) - 22 if tail[-22:-18] == _EOCD else tail.rfind(_EOCD)
    if at < 0 or at + 22 > len(tail):
        return
    entries, directory = struct.unpack_from("<HI", tail, at + 10)
    locator = at - 20
    if locator >= 0 and tail[locator : locator + 4] == _ZIP64_LOCATOR:
        (offset,) = struct.unpack_from("<Q", tail, locator + 8)
        stream.seek(offset)
        record = stream.read(56)
        stream.seek(0)
        if len(record) == 56 and record[:4] == _ZIP64_EOCD:
            entries, directory = struct.unpack_from("<QQ", record, 32)
    if entries > limits.max_parts:
        raise WorkbookTooLarge(
            f"the workbook archive has {entries:,} parts; at most {limits.max_parts:,} are read"
        )
    if directory > limits.max_directory_bytes:
        raise WorkbookTooLarge(
            f"the workbook archive's directory is {directory:,} bytes; at most "
            f"{_kib(limits.max_directory_bytes)} is read"
        )


def inspect_archive(stream: BinaryIO, limits: WorkbookLimits = LIMITS) -> list[zipfile.ZipInfo]:
    """The archive's parts, once its directory is within `limits`; FileProblem (422) for a file
    that is not an XLSX workbook, WorkbookTooLarge (413) for one that decompresses to more
    than the limits. Reads only the directory: nothing is decompressed."""
    stream.seek(0)
    head = stream.read(8)
    stream.seek(0)
    if head.startswith(OLE_MAGIC):
        raise FileProblem(
            "the file is an OLE compound document: a legacy Excel 97-2003 workbook (.xls) or an "
            "XLSX protected with a password (encrypted); save it as an Excel workbook (.xlsx) "
            "without a password and upload again"
        )
    if not head.startswith(ZIP_MAGIC):
        raise FileProblem(
            "the file is not an XLSX workbook (an XLSX file is a ZIP archive; this one does not "
            "start like one); send CSV as text/csv, or save the sheet as .xlsx"
        )
    _check_directory(stream, limits)
    try:
        with zipfile.ZipFile(stream) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise FileProblem(f"the file is not a readable XLSX workbook (ZIP archive: {exc})") from exc
    if len(parts) > limits.max_parts:
        raise WorkbookTooLarge(
            f"the workbook archive has {len(parts):,} parts; at most {limits.max_parts:,} are read"
        )
    names = {part.filename for part in parts}
    if "xl/workbook.xml" not in names and "[Content_Types].xml" not in names:
        raise FileProblem(
            "the file is a ZIP archive but not an XLSX workbook (it has no [Content_Types].xml "
            "or xl/workbook.xml); save the sheet as an Excel workbook (.xlsx)"
        )
    total = 0
    for part in parts:
        if part.flag_bits & 0x1:
            raise FileProblem(
                f"the workbook part {part.filename!r} is encrypted; save the workbook without a "
                "password and upload again"
            )
        if part.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise FileProblem(
                f"the workbook part {part.filename!r} uses ZIP compression method "
                f"{part.compress_type}; XLSX uses deflate"
            )
        total += part.file_size
        if total > limits.max_total_bytes:
            raise WorkbookTooLarge(
                f"the workbook decompresses to more than {_kib(limits.max_total_bytes)} "
                "(the sizes its ZIP directory declares); a zip bomb is refused"
            )
        if part.file_size > limits.ratio_checked_above and part.file_size > limits.max_ratio * max(
            part.compress_size, 1
        ):
            ratio = part.file_size // max(part.compress_size, 1)
            raise WorkbookTooLarge(
                f"the workbook part {part.filename!r} decompresses {ratio:,} times its "
                f"compressed size ({part.file_size:,} bytes); at most {limits.max_ratio} times "
                "is read (a zip bomb is refused)"
            )
    return parts


def _local(name: str) -> str:
    """An XML element's name without its namespace prefix."""
    return name.rpartition(":")[2]


def _column_index(letters: str) -> int:
    index = 0
    for char in letters.upper():
        index = index * 26 + ord(char) - ord("A") + 1
    return index


class _PartGuard:
    """One XML part streamed through expat, counting against the limits (see the module doc).

    What openpyxl keeps while it reads decides what is counted: a worksheet's row, and a shared
    string (`si`), are parsed and then cleared one at a time, so their elements and text are
    counted per row or string; everything else in a part stays in memory (openpyxl parses most
    parts whole), so it is counted for the part."""

    def __init__(self, name: str, limits: WorkbookLimits) -> None:
        self.name = name
        self.limits = limits
        self.parser = expat.ParserCreate()
        self.parser.buffer_text = True
        self.parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        self.parser.StartDoctypeDeclHandler = self._doctype
        self.parser.EntityDeclHandler = self._entity
        self.parser.StartElementHandler = self._start
        self.parser.EndElementHandler = self._end
        self.parser.CharacterDataHandler = self._text
        self.root: str | None = None
        self.depth = 0
        self.fed = 0
        self.last_event = 0
        self.sheets = 0
        self.elements = 0
        self.loose_characters = 0
        # a worksheet's current row / a shared string (the unit openpyxl clears)
        self.unit_depth = 0
        self.unit_elements = 0
        self.unit_characters = 0
        self.cell_characters = 0
        self.in_cell = False
        self.row = 0
        self.column = 0
        self.units = 0

    def refuse(self, reason: str, *, too_large: bool = False) -> None:
        """Stop reading: the part breaks a limit."""
        problem = WorkbookTooLarge if too_large else FileProblem
        raise problem(f"the workbook part {self.name!r} {reason}")

    def _doctype(self, *_: Any) -> None:
        self.refuse(
            "declares an XML document type (DTD); XML entities are refused (entity expansion, "
            "'billion laughs')"
        )

    def _entity(self, *_: Any) -> None:
        self.refuse("declares an XML entity; XML entities are refused (entity expansion)")

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        self.last_event = self.parser.CurrentByteIndex
        self.depth += 1
        if self.depth > self.limits.max_depth:
            self.refuse(f"nests XML elements deeper than {self.limits.max_depth} levels")
        local = _local(name)
        if self.depth == 1:
            self.root = local
        if self.unit_depth:
            self.unit_elements += 1
            if self.unit_elements > self.limits.max_row_elements:
                self.refuse(
                    f"has more than {self.limits.max_row_elements:,} XML elements in one "
                    f"{'row' if self.root == 'worksheet' else 'shared string'}",
                    too_large=True,
                )
            if self.root == "worksheet" and local == "c" and self.unit_depth == self.depth - 1:
                self._cell(attrs)
            return
        if self.root == "worksheet" and local == "row":
            self._row(attrs)
            return
        if self.root == "sst" and local == "si":
            self.units += 1
            if self.units > self.limits.max_shared_strings:
                self.refuse(
                    f"holds more than {self.limits.max_shared_strings:,} shared strings",
                    too_large=True,
                )
            self._open_unit()
            return
        if self.root == "workbook" and local == "sheet":
            self.sheets += 1
            if self.sheets > self.limits.max_sheets:
                self.refuse(
                    f"lists more than {self.limits.max_sheets} sheets; at most "
                    f"{self.limits.max_sheets} are read"
                )
        self.elements += 1
        if self.elements > self.limits.max_elements:
            self.refuse(
                f"has more than {self.limits.max_elements:,} XML elements outside its rows",
                too_large=True,
            )

    def _open_unit(self) -> None:
        self.unit_depth = self.depth
        self.unit_elements = 0
        self.unit_characters = 0

    def _row(self, attrs: dict[str, str]) -> None:
        given = attrs.get("r")
        if given is None:
            number = self.row + 1
        elif _ROW_NUMBER.match(given):
            number = int(float(given))
        else:
            self.refuse(f"has a row numbered {given[:20]!r}; rows are numbered 1, 2, 3, ...")
        if number > self.limits.max_rows:
            self.refuse(
                f"has a row {number:,}; a sheet has at most {self.limits.max_rows:,} rows",
                too_large=True,
            )
        if number <= self.row:
            self.refuse(f"has row {number} after row {self.row}; rows must be in order")
        self.row = number
        self.column = 0
        self._open_unit()

    def _cell(self, attrs: dict[str, str]) -> None:
        given = attrs.get("r")
        if given is None:
            column = self.column + 1
        else:
            match = _CELL_REF.match(given)
            if match is None:
                self.refuse(f"has a cell named {given[:20]!r} in row {self.row}")
            assert match is not None
            column = _column_index(match[1])
            if int(match[2]) != self.row:
                self.refuse(f"has cell {given} in row {self.row}")
        if column > self.limits.max_columns:
            self.refuse(
                f"has a cell in column {column:,} of row {self.row}; a sheet has at most "
                f"{self.limits.max_columns:,} columns",
                too_large=True,
            )
        if column <= self.column:
            self.refuse(f"has cells out of order in row {self.row}")
        self.column = column
        self.in_cell = True
        self.cell_characters = 0

    def _end(self, name: str) -> None:
        self.last_event = self.parser.CurrentByteIndex
        if self.unit_depth == self.depth:
            self.unit_depth = 0
        elif self.in_cell and _local(name) == "c" and self.unit_depth == self.depth - 1:
            self.in_cell = False
        self.depth -= 1

    def _text(self, data: str) -> None:
        self.last_event = self.parser.CurrentByteIndex
        if not self.unit_depth:
            self.loose_characters += len(data)
            if self.loose_characters > self.limits.max_loose_characters:
                self.refuse(
                    f"holds more than {_kib(self.limits.max_loose_characters)} of text outside "
                    "its rows",
                    too_large=True,
                )
            return
        self.unit_characters += len(data)
        if self.in_cell:
            self.cell_characters += len(data)
            if self.cell_characters > self.limits.max_cell_characters:
                self.refuse(
                    f"has a cell longer than {self.limits.max_cell_characters} characters "
                    f"(row {self.row})"
                )
        if self.root == "sst" and self.unit_characters > self.limits.max_cell_characters:
            self.refuse(
                f"has a shared string longer than {self.limits.max_cell_characters} characters"
            )
        if self.unit_characters > self.limits.max_row_characters:
            self.refuse(
                f"holds more than {_kib(self.limits.max_row_characters)} of text in row {self.row}",
                too_large=True,
            )

    def feed(self, data: bytes, final: bool = False) -> None:
        """Parse the next bytes; FileProblem when they break a limit or are not XML."""
        self.fed += len(data)
        try:
            self.parser.Parse(data, final)
        except expat.ExpatError as exc:
            self.refuse(
                f"is not well-formed XML ({expat.ErrorString(exc.code)}, line {exc.lineno})"
            )
        if self.fed - self.last_event > self.limits.max_token:
            self.refuse(
                f"has an XML tag, comment or text run longer than {_kib(self.limits.max_token)}"
            )


XML_BLANKS = b" \t\r\n"
"""XML 1.0 white space (production S)."""


def _looks_like_xml(head: bytes) -> bool:
    """Whether a part's first bytes start an XML document (a UTF-8 or UTF-16 byte order mark,
    or `<` after blanks): only those are parsed, images and other binary parts are not."""
    if head.startswith((b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")):
        return True
    return head.lstrip(XML_BLANKS).startswith(b"<")


def _part_limit(part: zipfile.ZipInfo, limits: WorkbookLimits) -> tuple[int, str]:
    name = part.filename.lower()
    if name.startswith("xl/worksheets/"):
        return limits.max_worksheet_bytes, "a worksheet"
    if name.endswith("sharedstrings.xml"):
        return limits.max_shared_strings_bytes, "the shared strings"
    return limits.max_other_part_bytes, "a workbook part other than a worksheet"


_ROOT_LIMITS = {
    "worksheet": ("max_worksheet_bytes", "a worksheet"),
    "sst": ("max_shared_strings_bytes", "the shared strings"),
}


def _check_root_limit(
    part: zipfile.ZipInfo, guard: _PartGuard, read: int, limit: int, limits: WorkbookLimits
) -> None:
    """Hold a part to the byte limit of what its root element says it is, too: openpyxl finds
    the worksheets and the shared strings through the workbook's relationships, whatever their
    names, so a limit chosen by name alone (_part_limit) would let shared strings named like a
    worksheet be held whole at a worksheet's limit."""
    if guard.root is None:
        return
    attribute, what = _ROOT_LIMITS.get(
        guard.root, ("max_other_part_bytes", "a workbook part other than a worksheet")
    )
    by_root = getattr(limits, attribute)
    if by_root >= limit:
        return
    if part.file_size > by_root:
        size = f"{part.file_size:,} bytes"
    elif read > by_root:
        size = f"more than {_kib(by_root)}"
    else:
        return
    raise WorkbookTooLarge(
        f"the workbook part {part.filename!r} decompresses to {size}; {what} may hold at "
        f"most {_kib(by_root)}"
    )


def guard_parts(
    stream: BinaryIO, parts: list[zipfile.ZipInfo], limits: WorkbookLimits = LIMITS
) -> None:
    """Stream every XML part through `_PartGuard` (see the module doc), decompressing at most
    its declared size; FileProblem or WorkbookTooLarge at the first limit broken."""
    with zipfile.ZipFile(stream) as archive:
        for part in parts:
            if part.is_dir():
                continue
            limit, what = _part_limit(part, limits)
            if part.file_size > limit:
                raise WorkbookTooLarge(
                    f"the workbook part {part.filename!r} decompresses to {part.file_size:,} "
                    f"bytes; {what} may hold at most {_kib(limit)}"
                )
            guard: _PartGuard | None = None
            read = 0
            try:
                with archive.open(part) as member:
                    while chunk := member.read(64 * 1024):
                        read += len(chunk)
                        if read > limit:  # zipfile enforces the declared size; belt and braces
                            raise WorkbookTooLarge(
                                f"the workbook part {part.filename!r} decompresses to more "
                                f"than {_kib(limit)}"
                            )
                        if guard is None:
                            # An XML document may start with any amount of white space (XML
                            # 1.0 `Misc`), which openpyxl's parser skips: look past all of it,
                            # or a part padded with blanks would escape the guard.
                            if not _looks_like_xml(chunk[:64]):
                                chunk = chunk.lstrip(XML_BLANKS)
                                if not chunk:
                                    continue
                                if not _looks_like_xml(chunk[:64]):
                                    break
                            guard = _PartGuard(part.filename, limits)
                        assert guard is not None
                        guard.feed(chunk)
                        _check_root_limit(part, guard, read, limit, limits)
                if guard is not None:
                    guard.feed(b"", final=True)
            except (zipfile.BadZipFile, OSError, EOFError, ValueError) as exc:
                if isinstance(exc, FileProblem):
                    raise
                raise FileProblem(
                    f"the workbook part {part.filename!r} cannot be decompressed ({exc}); it "
                    "is damaged or its declared size is false"
                ) from exc


def cell_text(value: Any) -> str | None:
    """A cell's value as the text a CSV cell would hold: numbers without a spurious ".0"
    (a certificate number typed as 700001 is "700001", never "700001.0"), Excel dates as
    YYYY-MM-DD (a date and time keeps its time, which the date fields then refuse), booleans
    as true/false, text as written (a quote that export put before a formula is read off)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return spreadsheet_literal(str(value))


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


@dataclass
class _Sheet:
    title: str
    rows: Iterator[tuple[Any, ...]]


def _open_workbook(stream: BinaryIO) -> Any:
    import openpyxl

    if not openpyxl.DEFUSEDXML:  # the guard refuses DTDs already; this keeps the second lock
        raise RuntimeError("openpyxl must use defusedxml (unset OPENPYXL_DEFUSEDXML=False)")
    stream.seek(0)
    try:
        return openpyxl.load_workbook(stream, read_only=True, data_only=True, keep_links=False)
    except FileProblem:
        raise
    except Exception as exc:  # openpyxl's many errors for a damaged file: the client's problem
        raise FileProblem(_unreadable(exc)) from exc


def _unreadable(exc: Exception) -> str:
    return (
        f"the workbook cannot be read ({type(exc).__name__}); open it in Excel or LibreOffice "
        "and save it again as an Excel workbook (.xlsx)"
    )


def read_xlsx(
    stream: BinaryIO,
    layout: Layout = CERTIFICATES,
    *,
    ignore_unknown: bool = False,
    limits: WorkbookLimits = LIMITS,
) -> tuple[Header, Iterator[RawRow]]:
    """Header and rows of the workbook's data sheet: the first sheet whose first non-blank row
    names the layout's first required column (a certificate import: `certificate_number` or
    "Certificate Number"), so an instructions sheet before the data is passed over. Row
    numbers are the sheet's; blank rows are skipped, as in CSV. A value under a column without
    a header, or beyond the header's last column, is a row error (never dropped)."""
    parts = inspect_archive(stream, limits)
    guard_parts(stream, parts, limits)
    workbook = _open_workbook(stream)
    try:
        header, sheet, names, number = _data_sheet(workbook, layout, ignore_unknown)
    except BaseException:
        workbook.close()
        raise
    return header, _rows(workbook, sheet, header, names, number)


def _data_sheet(
    workbook: Any, layout: Layout, ignore_unknown: bool
) -> tuple[Header, _Sheet, list[str | None], int]:
    """The data sheet, its header, its column names by position and the header's row number."""
    key = layout.required[0]
    first_problem: FileProblem | None = None
    titles: list[str] = []
    for worksheet in workbook.worksheets:
        titles.append(worksheet.title)
        worksheet.reset_dimensions()  # the declared dimension can lie: never trust it
        rows = worksheet.iter_rows(values_only=True)
        names: list[str | None] = []
        number = 0
        try:
            for cells in rows:
                number += 1
                texts = [cell_text(value) for value in cells]
                if not all(_blank(text) for text in texts):
                    names = [None if _blank(t) else t for t in texts]
                    break
        except FileProblem:
            raise
        except Exception as exc:
            raise FileProblem(_unreadable(exc)) from exc
        named = [n for n in names if n is not None]
        if not any(layout.lookup.get(_norm(n)) == key for n in named):
            rows.close()
            if first_problem is None and named:
                try:
                    understand_header(named, layout, ignore_unknown=ignore_unknown)
                except FileProblem as exc:
                    first_problem = exc
            continue
        try:
            header = understand_header(named, layout, ignore_unknown=ignore_unknown)
        except FileProblem as exc:
            raise FileProblem(f"sheet {worksheet.title!r}: {exc}") from exc
        return header, _Sheet(worksheet.title, rows), names, number
    listed = ", ".join(repr(t) for t in titles) or "none"
    reason = f" (first sheet: {first_problem})" if first_problem is not None else ""
    raise FileProblem(
        f"no sheet has a header row naming {key} (or {layout.aliases[key][1]!r}); the sheets "
        f"are {listed}{reason}"
    )


def _rows(
    workbook: Any, sheet: _Sheet, header: Header, names: list[str | None], number: int
) -> Iterator[RawRow]:
    """The data rows after the header row (`number`), numbered as the sheet numbers them."""
    from openpyxl.utils import get_column_letter

    index = {ours: names.index(theirs) for ours, theirs in header.columns.items()}
    width = len(names)
    try:
        for cells in sheet.rows:
            number += 1
            texts = [cell_text(value) for value in cells]
            if all(_blank(text) for text in texts):
                continue
            stray = [
                i
                for i, text in enumerate(texts)
                if not _blank(text) and (i >= width or names[i] is None)
            ]
            if stray:
                where = ", ".join(get_column_letter(i + 1) for i in stray[:5])
                yield RawRow(
                    number, {"__error__": f"has a value in column {where}, which has no header"}
                )
                continue
            values = {ours: texts[i] if i < len(texts) else None for ours, i in index.items()}
            yield RawRow(number, values, dict(header.columns))
    except FileProblem:
        raise
    except Exception as exc:
        raise FileProblem(_unreadable(exc)) from exc
    finally:
        workbook.close()
