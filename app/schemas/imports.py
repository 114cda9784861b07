"""Bulk import: the upload form and the per-row report (README, "Bulk import"; the report is
built by app/services/imports/report.py)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, Field

ImportRowOutcome = Literal["created", "updated", "unchanged", "skipped", "error"]


class ImportUpload(BaseModel):
    """An import as a form upload (`multipart/form-data`): the file in the part `file`.

    The file's format is the part's media type (`text/csv`, `application/x-ndjson`, ...) or,
    when that is `application/octet-stream` or absent, the file name's extension (`.csv`,
    `.jsonl` or `.ndjson`, ...). The same file may be sent as the raw body instead."""

    file: bytes = Field(description="The file, as exported; its name tells the format.")


class ImportTotals(BaseModel):
    """How many rows had each outcome."""

    rows: int
    created: int
    updated: int
    unchanged: int
    skipped: int
    error: int


class StatusMappingUse(BaseModel):
    """How an incoming status word was read, and on how many rows."""

    explanation: str = Field(examples=["Cancelled → withdrawn: the CB ended the certification"])
    rows: int


class ImportRowError(BaseModel):
    """Why a row is an error: the column as the file named it, and the reason."""

    field: str
    reason: str
    code: str | None = Field(
        default=None,
        description="Where a program should react: `other_certification_body` (the row names "
        "another CB than the import's; never moved).",
    )


class ImportRowWarning(BaseModel):
    """A row that was written but will not verify as valid, and why."""

    code: str = Field(
        description="`sectors_outside_accreditation` (it verifies `not_accredited`) or "
        "`edition_past_transition` (it verifies `outdated_standard`)."
    )
    field: str = Field(description="The column as the file named it.")
    message: str


class ImportRowChange(BaseModel):
    """One value a row changed."""

    field: str
    before: Any
    after: Any


class ImportRow(BaseModel):
    """What happened to one row (row 2 is the first data row of a CSV file)."""

    row: int
    certificate_number: str | None = Field(
        description="The row's number (an accreditation import: its accreditation number)."
    )
    outcome: ImportRowOutcome
    certificate_id: str | None = Field(default=None, description="Certificate import.")
    accreditation_id: str | None = Field(default=None, description="Accreditation import.")
    changes: list[ImportRowChange] = Field(default_factory=list)
    status_mapping: str | None = None
    errors: list[ImportRowError] = Field(default_factory=list)
    warnings: list[ImportRowWarning] = Field(default_factory=list)


class ImportReport(BaseModel):
    """The per-row report of an import, and whether anything was committed."""

    mode: Literal["all", "partial"]
    certification_body_id: str = Field(
        description="The CB imported for (empty for an accreditation import)."
    )
    committed: bool
    totals: ImportTotals
    status_mappings: dict[str, StatusMappingUse] = Field(
        description="Each status word of the file, as read (IAF MD 28 and ISO/IEC 17021-1)."
    )
    ignored_columns: list[str] = Field(
        description="Columns left out with `ignore_unknown_columns=true`."
    )
    warnings: dict[str, int] = Field(description="How many rows have each warning code.")
    rows: list[ImportRow]
