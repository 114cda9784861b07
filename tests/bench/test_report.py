"""bench/report.py: every target of issue 16 judged from a result, and before beside after."""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def load_report() -> ModuleType:
    """bench/report.py as a module (bench/ is not a package)."""
    spec = importlib.util.spec_from_file_location("bench_report", ROOT / "bench" / "report.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(rps: float, p99: float) -> dict[str, Any]:
    return {"rps": rps, "p50_ms": 5.0, "p99_ms": p99, "errors": 0, "non_2xx": 0}


def result() -> dict[str, Any]:
    """A PostgreSQL 1M result on the edge of every target."""
    return {
        "database": "postgres",
        "size": 1_000_000,
        "runs": {
            "1": {
                "bare": run(1000, 10),
                "hot": run(500, 25),
                "uniform": run(299, 25.1),
                "search": {**run(80, 60), "p95_ms": 50.0},
                "search_after_write": {
                    "available": True,
                    "writes": 20,
                    "found": 19,
                    "p95_ms": 12.0,
                    "max_ms": 30.0,
                },
                "batch": {
                    "available": True,
                    "median_s": 1.6,
                    "seconds": [1.6, 1.6, 1.6],
                    "json": {"available": True, "median_s": 1.6, "ttfb_median_s": 1.5},
                    "ndjson": {"available": True, "median_s": 1.5, "ttfb_median_s": 0.01},
                },
                "rss_mib": 540.0,
                "rss_workers_mib": [500.0],
                "rss_worker_max_mib": 500.0,
            }
        },
        "bulk_import": {"rows": 900_000, "rows_per_second": 9_999},
        "scale_out": {
            "available": True,
            "ratio_2_1": {"bare": 1.7, "hot": 1.8, "uniform": 1.79},
            "workers": {
                "1": {"invalidation": {"available": True, "max_stale_ms": 120.0}},
                "2": {"invalidation": {"available": True, "max_stale_ms": 501.0}},
            },
        },
    }


def test_every_target_is_judged_against_the_issue_16_thresholds() -> None:
    cells = load_report()._target_cells(result())
    assert cells == {
        "hot": ("0.50 ×", True),
        "uniform": ("0.30 ×", False),  # 0.299: the issue's 0.3, not the old 0.2
        "p99 hot": ("25.0 ms", True),
        "p99 uniform": ("25.1 ms", False),
        "batch": ("1.50 s", True),  # the faster of JSON and NDJSON
        "search": ("50.0 ms", True),
        "after write": ("p95 12.0 ms, max 30.0 ms, 19/20 found", False),
        "import": ("9,999 rows/s", False),
        "rss": ("500 MiB", True),
        "scale": ("hot 1.80 ×, uniform 1.79 × (Redis limits)", False),
        "stale": ("max 501 ms", False),
    }


def test_the_targets_table_has_a_column_per_database_and_size() -> None:
    report = load_report()
    small = {**result(), "database": "sqlite", "size": 10_000, "scale_out": None}
    lines = report.ratios([small, result()]).splitlines()
    assert lines[0] == "| target | sqlite 10k | postgres 1M |"
    assert (
        lines[3]
        == "| uniform verification ≥ 0.3 × bare | 0.30 × **not met** | 0.30 × **not met** |"
    )
    assert lines[-2] == (
        "| two workers ≥ 1.8 × one worker (PostgreSQL: Redis-shared limits) | — "
        "| hot 1.80 ×, uniform 1.79 × (Redis limits) **not met** |"
    )


def test_before_and_after_sit_side_by_side() -> None:
    report = load_report()
    baseline = {
        "commit": "82125ef",
        "rows": [
            {
                "database": "postgres",
                "size": 1_000_000,
                "workers": 1,
                "bare": {"rps": 4349, "p50_ms": 7.7, "p99_ms": 22.7},
                "hot": {"rps": 995, "p50_ms": 30.2, "p99_ms": 207.7},
                "uniform": {"rps": 199, "p50_ms": 194.7, "p99_ms": 529.8},
                "search": {"rps": 2.3, "p95_ms": 2175},
                "batch": {"median_s": 9.32, "runs": 3},
                "rss_mib": 652,
            }
        ],
    }
    table = report.comparison([result()], baseline).splitlines()
    row = next(line for line in table if line.startswith("| postgres | 1,000,000 | 1 |"))
    assert row == (
        "| postgres | 1,000,000 | 1 | 4,349 → 1,000 | 0.23 × → 0.50 × | 208 ms → 25.0 ms "
        "| 0.05 × → 0.30 × | 530 ms → 25.1 ms | 2,175 ms → 50.0 ms | 21–28 s (1M) → 12.0 ms "
        "| 9.32 s → 1.60 s | 652 MiB → 540 MiB |"
    )


def test_the_checked_in_baseline_is_the_table_of_commit_82125ef() -> None:
    baseline = json.loads((ROOT / "bench" / "baseline-2026-11-26.json").read_text())
    assert baseline["commit"] == "82125ef"
    assert len(baseline["rows"]) == 12
    pg_1m = next(
        r
        for r in baseline["rows"]
        if (r["database"], r["size"], r["workers"]) == ("postgres", 1_000_000, 1)
    )
    assert pg_1m["hot"] == {"rps": 995, "p50_ms": 30.2, "p99_ms": 207.7}
    assert pg_1m["search"] == {"rps": 2.3, "p95_ms": 2175}
    assert baseline["import_20000"]["sqlite"]["rows_per_second"] == 1691


def load_run() -> ModuleType:
    """bench/run.py as a module (it imports bench/report.py as `report`, from bench/)."""
    spec = importlib.util.spec_from_file_location("bench_run", ROOT / "bench" / "run.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(ROOT / "bench"))
    return module


def test_percentiles_are_nearest_rank() -> None:
    percentile = load_run().percentile
    twenty = [float(v) for v in range(20, 0, -1)]
    assert percentile(twenty, 95) == 19.0  # the 19th of 20, not the maximum
    assert percentile(twenty, 50) == 10.0
    assert percentile(twenty, 100) == 20.0
    assert percentile([7.5], 95) == 7.5
