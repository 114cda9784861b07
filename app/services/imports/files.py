"""One entry to every import file format: the bytes of an upload (a raw body, a multipart part,
a file on disk) and its format in, the header and the rows out.

The HTTP routes (raw body or multipart) and the command line all call `read_upload`, so a
file reads the same whichever way it came.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import BinaryIO, Literal, get_args

from app.services.imports.formats import CERTIFICATES, Header, Layout, RawRow, read_csv, read_jsonl
from app.services.imports.xlsx import XLSX_MEDIA_TYPE, read_xlsx

FileFormat = Literal["csv", "jsonl", "xlsx"]
FILE_FORMATS: tuple[FileFormat, ...] = get_args(FileFormat)
MEDIA_TYPES: dict[str, FileFormat] = {
    "text/csv": "csv",
    "application/csv": "csv",
    "application/x-ndjson": "jsonl",
    "application/jsonl": "jsonl",
    "application/json-lines": "jsonl",
    "application/x-jsonlines": "jsonl",
    XLSX_MEDIA_TYPE: "xlsx",
}
"""Accepted media types (parameters such as `charset` aside) and the format each one means."""
EXTENSIONS: dict[str, FileFormat] = {
    ".csv": "csv",
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".xlsx": "xlsx",
}


def format_of_media_type(content_type: str | None) -> FileFormat | None:
    """The format a Content-Type names, or None when it names none we read."""
    essence = (content_type or "").split(";")[0].strip().lower()
    return MEDIA_TYPES.get(essence)


def format_of_filename(name: str) -> FileFormat | None:
    """The format a file name's extension names (case-insensitive), or None."""
    lowered = name.lower()
    return next((fmt for ext, fmt in EXTENSIONS.items() if lowered.endswith(ext)), None)


def read_upload(
    stream: BinaryIO,
    file_format: FileFormat,
    layout: Layout = CERTIFICATES,
    *,
    ignore_unknown: bool = False,
) -> tuple[Header, Iterator[RawRow]]:
    """The header and the rows of an import file (FileProblem when it cannot be read; for a
    workbook, WorkbookTooLarge beyond its limits). `stream` must be seekable for JSON Lines
    (a first pass finds unknown keys) and for XLSX (a ZIP archive is read from its end)."""
    if file_format == "xlsx":
        return read_xlsx(stream, layout, ignore_unknown=ignore_unknown)
    if file_format == "jsonl":
        return read_jsonl(stream, layout, ignore_unknown=ignore_unknown)
    return read_csv(stream, layout, ignore_unknown=ignore_unknown)
