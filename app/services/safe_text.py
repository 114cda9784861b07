"""Client text read within bounds, and CSV cells written so spreadsheets never run them.

Reading: JSON nested at most `MAX_JSON_DEPTH` levels (Python's parser raises RecursionError near
1,000; a batch item or an import line needs 3), integers of at most 4,300 digits (Python's own
limit, which raises ValueError, not JSONDecodeError) and CSV cells of at most `MAX_CSV_CELL`
characters (the csv module's default field limit): whatever breaks a bound is the client's
mistake, a 4xx problem, never a 500 (issue 14).

Writing: a cell that starts with `=`, `+`, `-`, `@`, a tab or a carriage return is prefixed with
a single quote, as the OWASP "CSV Injection" guidance recommends, so a spreadsheet shows it as
text instead of evaluating `=HYPERLINK(...)` or `=cmd|...`; the certificate import reads such a
quote back off (`spreadsheet_literal`), so an export imports again unchanged.
"""

from __future__ import annotations

import csv
import json
from typing import Any

MAX_JSON_DEPTH = 32
"""Deepest nesting of arrays and objects accepted in a JSON body or a JSON Lines line."""
MAX_CSV_CELL = csv.field_size_limit()
"""Longest CSV cell read (characters): the csv module's limit, which is process-wide, so it is
named here rather than changed."""
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""First characters that make a spreadsheet treat a cell as a formula (OWASP, CSV Injection)."""


class UnreadableJson(ValueError):
    """The text is not JSON this service reads; `reason` says why, for the client."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def nesting_depth_exceeds(value: Any, limit: int = MAX_JSON_DEPTH) -> bool:
    """True when arrays and objects in `value` nest deeper than `limit` levels (iterative, and
    it stops at the first container past the limit)."""
    pending: list[tuple[Any, int]] = [(value, 1)]
    while pending:
        node, depth = pending.pop()
        if isinstance(node, dict):
            children: Any = node.values()
        elif isinstance(node, list):
            children = node
        else:
            continue
        if depth > limit:
            return True
        pending.extend((child, depth + 1) for child in children if isinstance(child, dict | list))
    return False


def load_json(text: str | bytes, *, max_depth: int = MAX_JSON_DEPTH) -> Any:
    """Parse JSON, or raise UnreadableJson: not JSON, nested too deep, a number too long."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise UnreadableJson(f"is not valid JSON ({exc.msg})") from exc
    except RecursionError as exc:
        raise UnreadableJson(f"nests arrays or objects deeper than {max_depth} levels") from exc
    except UnicodeDecodeError as exc:
        raise UnreadableJson(f"is not valid UTF-8 (byte offset {exc.start})") from exc
    except ValueError as exc:  # an integer longer than Python's 4,300-digit conversion limit
        raise UnreadableJson("has a number too long to read") from exc
    if nesting_depth_exceeds(value, max_depth):
        raise UnreadableJson(f"nests arrays or objects deeper than {max_depth} levels")
    return value


def spreadsheet_safe(cell: str) -> str:
    """The cell prefixed with a single quote when a spreadsheet would read it as a formula."""
    return "'" + cell if cell.startswith(FORMULA_TRIGGERS) else cell


def spreadsheet_literal(cell: str) -> str:
    """A cell as written before `spreadsheet_safe` (its quote removed), else unchanged."""
    return cell[1:] if cell.startswith("'") and cell[1:].startswith(FORMULA_TRIGGERS) else cell


def safe_row(row: dict[str, Any]) -> dict[str, Any]:
    """A CSV row whose text cells are spreadsheet-safe (numbers and empty cells unchanged)."""
    return {k: spreadsheet_safe(v) if isinstance(v, str) else v for k, v in row.items()}
