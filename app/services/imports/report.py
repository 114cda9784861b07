"""The per-row report of an import: what happened to each row, the totals, the status
mappings applied, and whether anything was committed (README, "Bulk import")."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from app.domain.vocabulary import StatusMapping

Mode = Literal["all", "partial"]
Outcome = Literal["created", "updated", "unchanged", "skipped", "error"]


@dataclass
class RowReport:
    """What happened to one row."""

    row: int
    certificate_number: str | None
    outcome: Outcome
    certificate_id: str | None = None
    changes: list[dict[str, Any]] = field(default_factory=list)
    status_mapping: str | None = None
    errors: list[dict[str, str]] = field(default_factory=list)
    warnings: list[dict[str, str]] = field(default_factory=list)
    mapping: StatusMapping | None = field(default=None, repr=False)
    target: str = field(default="certificate", repr=False)

    def as_dict(self) -> dict[str, Any]:
        """JSON form."""
        out: dict[str, Any] = {
            "row": self.row,
            "certificate_number": self.certificate_number,
            "outcome": self.outcome,
        }
        if self.certificate_id:
            out[f"{self.target}_id"] = self.certificate_id
        if self.changes:
            out["changes"] = self.changes
        if self.status_mapping:
            out["status_mapping"] = self.status_mapping
        if self.errors:
            out["errors"] = self.errors
        if self.warnings:
            out["warnings"] = self.warnings
        return out


@dataclass
class ImportReport:
    """Totals, the status mappings applied, and whether anything was committed."""

    mode: Mode
    certification_body_id: str
    totals: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("rows", "created", "updated", "unchanged", "skipped", "error"), 0
        )
    )
    status_mappings: dict[str, dict[str, Any]] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    warnings: dict[str, int] = field(default_factory=dict)
    committed: bool = False
    rows: list[dict[str, Any]] = field(default_factory=list)

    def count(self, report: RowReport, mapping: StatusMapping | None) -> None:
        """Add one row to the totals."""
        self.totals["rows"] += 1
        self.totals[report.outcome] += 1
        for warning in report.warnings:
            self.warnings[warning["code"]] = self.warnings.get(warning["code"], 0) + 1
        if mapping is not None:
            entry = self.status_mappings.setdefault(
                mapping.given, {"explanation": mapping.explanation, "rows": 0}
            )
            entry["rows"] += 1

    def as_dict(self, include_rows: bool = True) -> dict[str, Any]:
        """JSON form."""
        out: dict[str, Any] = {
            "mode": self.mode,
            "certification_body_id": self.certification_body_id,
            "committed": self.committed,
            "totals": self.totals,
            "status_mappings": self.status_mappings,
            "ignored_columns": self.ignored_columns,
            "warnings": self.warnings,
        }
        if include_rows:
            out["rows"] = self.rows
        return out


class ImportAborted(Exception):
    """Raised inside the import to roll back an all-or-nothing import that found errors."""
