"""Claims extraction accuracy on a generated certificate corpus (BENCHMARKS.md, "Claims
extraction accuracy"; `make bench-documents`).

Makes `--text` text PDFs and `--scans` scans (scripts/certificate_corpus.py, deterministic from
their seeds), reads each through the service's reader (`read_document`: pypdf's text layer in
layout mode, Tesseract OCR for scans, in its confined reading process) and finds the claims
(`extract_claims`), then prints, in Markdown, per field and for text PDFs and scans apart: the
claims printed, right, wrong, missed, invented, the accuracy, the wrong and right claims below
MIN_CONFIDENCE, and the time per document (reading, and finding the claims).

    python bench/documents.py --text 140 --scans 42
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.domain.document_claims import MIN_CONFIDENCE, extract_claims
from app.domain.documents import CLAIM_FIELDS
from app.services.documents.reader import read_document
from scripts.certificate_corpus import (
    CorpusDocument,
    FieldScore,
    accuracy,
    add_scores,
    scan_corpus,
    score,
    text_corpus,
)


def _machine() -> str:
    """The machine the numbers were measured on."""
    cpu = platform.processor() or platform.machine()
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    tesseract = "not installed"
    if shutil.which("tesseract"):
        version = subprocess.run(
            ["tesseract", "--version"], capture_output=True, text=True, check=False
        ).stdout.splitlines()
        tesseract = version[0] if version else "unknown"
    return (
        f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"{platform.system()} {platform.release()}, {tesseract}"
    )


def _measure(
    documents: Sequence[CorpusDocument],
) -> tuple[dict[str, FieldScore], list[float], list[float], list[str]]:
    """Scores per field, reading and extraction seconds per document, and the wrong claims."""
    total: dict[str, FieldScore] = {}
    reading: list[float] = []
    finding: list[float] = []
    wrong: list[str] = []
    for document in documents:
        started = time.perf_counter()
        text = read_document(document.data, media_type=document.media_type, filename=document.name)
        read_at = time.perf_counter()
        claims = extract_claims(text)
        found_at = time.perf_counter()
        reading.append(read_at - started)
        finding.append(found_at - read_at)
        scores = score(document.truth, claims, MIN_CONFIDENCE)
        add_scores(total, scores)
        for name, outcome in scores.items():
            if outcome.wrong or outcome.invented or outcome.missed:
                claim = claims.get(name)
                got = (claim.values or claim.value, claim.confidence) if claim else None
                wrong.append(
                    f"{document.name} ({document.certificate.language}, "
                    f"{document.certificate.layout}) {name}: printed "
                    f"{document.truth.get(name)!r}, read {got!r}"
                )
    return total, reading, finding, wrong


def _table(title: str, total: dict[str, FieldScore]) -> list[str]:
    """A Markdown table of the per-field scores."""
    lines = [
        f"#### {title}",
        "",
        "| field | printed | right | wrong | missed | invented | accuracy | wrong < min | "
        "right < min |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in CLAIM_FIELDS:
        value = total.get(name, FieldScore())
        share = f"{value.right / value.printed:.1%}" if value.printed else "-"
        lines.append(
            f"| {name} | {value.printed} | {value.right} | {value.wrong} | {value.missed} | "
            f"{value.invented} | {share} | {value.wrong_below_threshold} | "
            f"{value.right_below_threshold} |"
        )
    printed = sum(value.printed for value in total.values())
    right = sum(value.right for value in total.values())
    lines.append(
        f"| **all fields** | {printed} | {right} | "
        f"{sum(value.wrong for value in total.values())} | "
        f"{sum(value.missed for value in total.values())} | "
        f"{sum(value.invented for value in total.values())} | **{accuracy(total):.1%}** | "
        f"{sum(value.wrong_below_threshold for value in total.values())} | "
        f"{sum(value.right_below_threshold for value in total.values())} |"
    )
    return lines


def _seconds(values: Sequence[float]) -> str:
    """Mean and maximum seconds."""
    if not values:
        return "-"
    return f"{sum(values) / len(values):.3f} s mean, {max(values):.3f} s max"


def main(argv: Sequence[str] | None = None) -> None:
    """Measure and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("--text", type=int, default=140, help="text PDFs (default 140)")
    parser.add_argument("--scans", type=int, default=42, help="scans (default 42)")
    parser.add_argument("--text-seed", type=int, default=20000)
    parser.add_argument("--scan-seed", type=int, default=30000)
    parser.add_argument("--errors", action="store_true", help="list every claim not right")
    args = parser.parse_args(argv)
    print(f"Machine: {_machine()}")
    print(f"Command: python bench/documents.py --text {args.text} --scans {args.scans}")
    print(f"MIN_CONFIDENCE = {MIN_CONFIDENCE}")
    errors: list[str] = []
    for title, documents in (
        (f"Text PDFs ({args.text})", text_corpus(args.text, first_seed=args.text_seed)),
        (f"Scans ({args.scans}, PNG, JPEG, image-only PDF)", scan_corpus(
            args.scans, first_seed=args.scan_seed
        )),
    ):  # fmt: skip
        if not documents:
            continue
        started = time.perf_counter()
        total, reading, finding, wrong = _measure(documents)
        elapsed = time.perf_counter() - started
        print()
        print("\n".join(_table(title, total)))
        print()
        print(
            f"Time per document: reading {_seconds(reading)}; finding the claims "
            f"{_seconds(finding)} ({len(documents)} documents in {elapsed:.1f} s)"
        )
        errors += wrong
    if args.errors:
        print()
        print("Claims not right:")
        for line in errors:
            print(f"- {line}")


if __name__ == "__main__":
    main()
