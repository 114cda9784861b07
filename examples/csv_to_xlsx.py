"""Turn an import CSV into the XLSX workbook a spreadsheet would save, to try the XLSX import.

    .venv/bin/python examples/csv_to_xlsx.py examples/import-iaf-md28.csv certificates.xlsx

Cells of date columns (a header with "date" in it; not the status date, which stays text) become
real Excel dates, numeric certificate numbers become numbers, the rest stays text: the import
reads each as a CSV cell (README, "Bulk import").
"""

from __future__ import annotations

import argparse
import csv
from datetime import date, datetime
from pathlib import Path

from openpyxl import Workbook


def cell(header: str, text: str) -> object:
    """A CSV cell as a spreadsheet would hold it."""
    if not text:
        return None
    name = header.lower()
    if "date" in name and "status" not in name:
        compact = text.replace("-", "")
        if len(compact) == 8 and compact.isdigit():
            day = date(int(compact[:4]), int(compact[4:6]), int(compact[6:]))
            return datetime(day.year, day.month, day.day)
    if "number" in name and text.isdigit():
        return int(text)
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("csv_file", type=Path)
    parser.add_argument("xlsx_file", type=Path)
    args = parser.parse_args()
    with args.csv_file.open(newline="", encoding="utf-8") as source:
        rows = list(csv.reader(source))
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "Certificates"
    header = rows[0]
    sheet.append(header)
    for row in rows[1:]:
        sheet.append([cell(name, text) for name, text in zip(header, row, strict=True)])
    for line in sheet.iter_rows(min_row=2):
        for item in line:
            if isinstance(item.value, datetime):
                item.number_format = "yyyy-mm-dd"  # shown as a date, stored as one
    book.save(args.xlsx_file)
    print(f"wrote {args.xlsx_file} ({len(rows) - 1} rows)")


if __name__ == "__main__":
    main()
