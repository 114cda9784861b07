"""Render bench/results/*.json into BENCHMARKS.md (the generated sections) and the plot.

Usage: python bench/report.py   (bench/run.py calls it at the end of every run)
"""

from __future__ import annotations

import json
import re
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "bench" / "results"
DATA = ROOT / "bench" / ".data"
REPORT = ROOT / "BENCHMARKS.md"
PLOT = "docs/bench/throughput.png"
BASELINE = ROOT / "bench" / "baseline-2026-11-26.json"

BUCKETS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("GET /v1/verify route (all of it)", ("verify_get_cache_first (", "verify_get (")),
    ("  event-loop path: verify_from_cache", ("verify_from_cache (",)),
    ("  database path (thread pool): _answer", ("_answer (",)),
    ("    fact loading from the database", ("FactSource.load (",)),
    ("  answer memo misses: engine + shaping", ("_compute (",)),
    ("  sign_receipt (JCS + SHA-256 + Ed25519)", ("sign_receipt (",)),
    ("  query validation", ("_parse_query (",)),
    ("thread-pool hand-offs", ("run_in_threadpool (", "run_sync (", "WorkerThread.run (")),
    ("JSON response rendering", ("FastJSONResponse.render (", "JSONResponse.render (")),
    ("access log", ("Logger.log (", "Logger.info (", "Logger._log (")),
)
"""Groups of frames whose inclusive share of samples the profile excerpt reports."""


def summarize_profile(raw: Path, top: int = 15) -> list[str]:
    """Inclusive share of GIL-holding samples per bucket, then the largest self-time frames."""
    if not raw.exists():
        return ["(no profile: py-spy could not attach)"]
    total = 0
    buckets: Counter[str] = Counter()
    own: Counter[str] = Counter()
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue
        n = int(count)
        total += n
        frames = [_label(f) for f in stack.split(";")]
        own[frames[-1]] += n
        for name, prefixes in BUCKETS:
            if any(f.startswith(prefixes) for f in frames):
                buckets[name] += n
    if not total:
        return ["(no samples)"]
    lines = [f"{total} samples of the thread holding the GIL; inclusive share:"]
    lines += [f"{100 * buckets[name] / total:5.1f}%  {name}" for name, _ in BUCKETS]
    lines.append("largest self time:")
    lines += [f"{100 * n / total:5.1f}%  {label}" for label, n in own.most_common(top)]
    return lines


def _label(frame: str) -> str:
    name, _, where = frame.partition(" (")
    return f"{name} ({where.rstrip(')').split('/')[-1]})"


def load() -> list[dict[str, Any]]:
    """Every stored result, by database then size."""
    results = [json.loads(p.read_text()) for p in sorted(RESULTS.glob("*.json"))]
    return sorted(results, key=_order)


def _order(r: dict[str, Any]) -> tuple[bool, str, int]:
    return (r["database"] != "sqlite", r["database"], r["size"])


def load_baseline() -> dict[str, Any]:
    """The "before" figures (BENCHMARKS.md's table at commit 82125ef, transcribed)."""
    return json.loads(BASELINE.read_text()) if BASELINE.exists() else {"rows": []}


def _cell(run: dict[str, Any] | None) -> str:
    if not run or "rps" not in run:
        return "—"
    errors = run.get("errors", 0) + run.get("non_2xx", 0)
    flag = f" ({errors} errors)" if errors else ""
    return f"{run['rps']:,.0f} /s · {run['p50_ms']:.1f} / {run['p99_ms']:.1f} ms{flag}"


def _ms(value: float) -> str:
    return f"{value:,.0f} ms" if value >= 100 else f"{value:.1f} ms"


def _batch_cell(batch: dict[str, Any] | None) -> str:
    if not batch:
        return "—"
    if not batch.get("available"):
        return f"not measured ({batch.get('error') or batch.get('note') or batch.get('status')})"
    parts = []
    for name in ("json", "ndjson"):
        one = batch.get(name)
        if one and one.get("available"):
            parts.append(
                f"{name.upper()} {one['median_s']:.2f} s, first byte {one['ttfb_median_s']:.2f} s"
            )
        elif one:
            parts.append(f"{name.upper()}: not offered")
    if not parts:  # results of the earlier harness: JSON only, no time to first byte
        parts.append(f"{batch['median_s']:.2f} s")
    return "; ".join(parts) + f" (median of {len(batch['seconds'])})"


def _write_search_cell(search: dict[str, Any] | None) -> str:
    if not search:
        return "—"
    if not search.get("available"):
        return f"not measured ({search.get('error', '')})"
    return (
        f"p95 {_ms(search['p95_ms'])} · max {_ms(search['max_ms'])} "
        f"({search['found']}/{search['writes']} found)"
    )


def _rss_cell(runs: dict[str, Any]) -> str:
    workers = runs.get("rss_workers_mib")
    total = runs.get("rss_mib", 0)
    if not workers or len(workers) == 1:
        return f"{total:,.0f} MiB"
    return f"{' + '.join(f'{w:,.0f}' for w in workers)} MiB (total {total:,.0f})"


def table(results: list[dict[str, Any]]) -> str:
    """The results table: requests/s and p50/p99 per scenario, database, size and workers."""
    lines = [
        "| database | certificates | workers | bare ceiling | verify, hot set of 1,000 "
        "| verify, uniform | organisation search (p95) | first search after a write "
        "| batch of 10,000 | server RSS (per worker) |",
        "|---|---:|---:|---|---|---|---|---|---|---:|",
    ]
    for result in results:
        for workers, runs in sorted(result["runs"].items()):
            search = runs.get("search")
            search_cell = (
                f"{search['rps']:,.1f} /s · p95 {_ms(search['p95_ms'])}" if search else "—"
            )
            lines.append(
                f"| {result['database']} | {result['size']:,} | {workers} "
                f"| {_cell(runs.get('bare'))} | {_cell(runs.get('hot'))} "
                f"| {_cell(runs.get('uniform'))} | {search_cell} "
                f"| {_write_search_cell(runs.get('search_after_write'))} "
                f"| {_batch_cell(runs.get('batch'))} | {_rss_cell(runs)} |"
            )
    return "\n".join(lines)


def _ratio(runs: dict[str, Any] | None, scenario: str) -> float | None:
    if not runs or not runs.get(scenario) or not runs.get("bare"):
        return None
    bare = runs["bare"]["rps"]
    return runs[scenario]["rps"] / bare if bare else None


def _arrow(before: str | None, after: str | None) -> str:
    return f"{before or '—'} → {after or 'not measured'}"


def _x(value: float | None) -> str | None:
    return None if value is None else f"{value:.2f} ×"


def comparison(results: list[dict[str, Any]], baseline: dict[str, Any]) -> str:
    """Before (baseline JSON) and after (bench/results) side by side, per database, size and
    worker count; ratios to the bare endpoint of the same run."""
    after = {(r["database"], r["size"]): r for r in results}
    keys = {(b["database"], b["size"], b["workers"]) for b in baseline["rows"]}
    for r in results:
        keys |= {(r["database"], r["size"], int(w)) for w in r["runs"]}
    before = {(b["database"], b["size"], b["workers"]): b for b in baseline["rows"]}
    lines = [
        f"Before: commit {baseline.get('commit', '?')} ({baseline.get('measured', '')}), "
        f"bench/{BASELINE.name}. After: bench/results/*.json (commands below). "
        "Each cell: before → after.",
        "",
        "| database | certificates | workers | bare /s | hot set × bare | hot p99 "
        "| uniform × bare | uniform p99 | search p95 | first search after a write (p95) "
        "| batch of 10,000 | RSS |",
        "|---|---:|---:|---|---|---|---|---|---|---|---|---|",
    ]
    for db, size, workers in sorted(keys, key=lambda k: (k[0] != "sqlite", k[0], k[1], k[2])):
        b = before.get((db, size, workers), {})
        result = after.get((db, size))
        a = (result or {}).get("runs", {}).get(str(workers), {})
        old_search = "21–28 s (1M)" if size >= 1_000_000 and workers == 1 else None
        new_search = a.get("search_after_write", {})
        batch_before = f"{b['batch']['median_s']:.2f} s" if b.get("batch") else None
        batch_json = (a.get("batch") or {}).get("json") or {}
        batch_after = (
            f"{batch_json['median_s']:.2f} s"
            if batch_json.get("available")
            else (
                f"{a['batch']['median_s']:.2f} s"
                if (a.get("batch") or {}).get("median_s")
                else None
            )
        )
        cells = [
            _arrow(
                f"{b['bare']['rps']:,}" if b else None,
                f"{a['bare']['rps']:,.0f}" if a.get("bare") else None,
            ),
            _arrow(_x(_ratio(b, "hot")), _x(_ratio(a, "hot"))),
            _arrow(
                _ms(b["hot"]["p99_ms"]) if b else None,
                _ms(a["hot"]["p99_ms"]) if a.get("hot") else None,
            ),
            _arrow(_x(_ratio(b, "uniform")), _x(_ratio(a, "uniform"))),
            _arrow(
                _ms(b["uniform"]["p99_ms"]) if b else None,
                _ms(a["uniform"]["p99_ms"]) if a.get("uniform") else None,
            ),
            _arrow(
                _ms(b["search"]["p95_ms"]) if b.get("search") else None,
                _ms(a["search"]["p95_ms"]) if a.get("search") else None,
            ),
            _arrow(old_search, _ms(new_search["p95_ms"]) if new_search.get("p95_ms") else None),
            _arrow(batch_before, batch_after),
            _arrow(
                f"{b['rss_mib']:,} MiB" if b else None,
                f"{a['rss_mib']:,.0f} MiB" if a.get("rss_mib") else None,
            ),
        ]
        if workers != 1:  # search, batch and writes run on one worker only
            cells[5] = cells[6] = cells[7] = "—"
        lines.append(f"| {db} | {size:,} | {workers} | " + " | ".join(cells) + " |")
    imports = baseline.get("import_20000", {})
    lines += [
        "",
        "| database | import, 20,000 rows into an empty registry "
        "| import at 1M: 900,000 rows into the 100,000-certificate registry |",
        "|---|---|---|",
    ]
    for db in sorted({r["database"] for r in results} | set(imports), key=lambda d: d != "sqlite"):
        old = imports.get(db)
        new = next(
            (
                r["import"]
                for r in results
                if r["database"] == db and r.get("import") and r["import"].get("rows_per_second")
            ),
            None,
        )
        bulk = next(
            (r["bulk_import"] for r in results if r["database"] == db and r.get("bulk_import")),
            None,
        )
        old_bulk = baseline.get("import_1m", {}).get(db)
        lines.append(
            f"| {db} | "
            + _arrow(
                f"{old['rows_per_second']:,} rows/s" if old else None,
                f"{new['rows_per_second']:,} rows/s" if new else None,
            )
            + " | "
            + _arrow(
                "≈580 rows/s (26 min, by hand)" if old_bulk else None,
                f"{bulk['rows_per_second']:,} rows/s" if bulk else None,
            )
            + " |"
        )
    return "\n".join(lines)


def commands(results: list[dict[str, Any]]) -> str:
    """The command and moment of every stored result."""
    lines = []
    for r in results:
        m = r["machine"]
        load = m.get("load_average_at_start")
        extra = f", load average {load[0]:.2f} at start" if load else ""
        commit = f", commit {r['commit']}" if r.get("commit") else ""
        lines.append(
            f"- {r['database']} {r['size']:,}: `{r['command']}` — {r['measured_at']}{commit}, "
            f"{m['cpus']} × {m['cpu']}, {m['memory_gib']} GiB, Python {m['python']}, "
            f"{m['wrk']}{extra}; registry {r['database_mib']:,} MiB on disk"
        )
        for partial in r.get("partial_runs", []):
            lines.append(
                f"  - {', '.join(partial['parts'])} measured again: `{partial['command']}` — "
                f"{partial['measured_at']}, commit {partial.get('commit')}"
            )
        build = r.get("build") or {}
        if build.get("reused"):
            lines.append(
                f"  - registry reused, built {build.get('built_at')} (commit {build.get('commit')})"
            )
        elif build.get("build_seconds"):
            lines.append(f"  - registry built in {build['build_seconds']:,.0f} s")
        if r.get("bulk_import"):
            b = r["bulk_import"]
            lines.append(
                f"  - import while building: `{b['command']}`: {b['seconds']:,} s, "
                f"**{b['rows_per_second']:,} rows/s** (wall time of the commands "
                f"{b['wall_seconds']:,} s)"
            )
        relations = r.get("relations")
        if isinstance(relations, list) and relations:
            lines.append(
                "  - largest relations: "
                + "; ".join(f"{x['name']} {x['mib']:,} MiB" for x in relations[:10])
            )
        if r.get("import"):
            i = r["import"]
            if i.get("rows_per_second"):
                lines.append(
                    f"  - import: `{i['command']}` ({i['rows']:,} rows): {i['seconds']} s, "
                    f"**{i['rows_per_second']:,} rows/s**, peak RSS {i['peak_rss_mib']} MiB"
                )
            else:
                lines.append(f"  - import: not measured ({i.get('error')})")
    return "\n".join(lines)


def _met(ok: bool | None) -> str:
    return "—" if ok is None else ("met" if ok else "**not met**")


def _target_cells(r: dict[str, Any]) -> dict[str, tuple[str, bool | None]]:
    """Every target of issue 16 measured in one result: (measured, met)."""
    one = r["runs"].get("1", {})
    cells: dict[str, tuple[str, bool | None]] = {}
    hot, uniform = _ratio(one, "hot"), _ratio(one, "uniform")
    if hot is not None:
        cells["hot"] = (f"{hot:.2f} ×", hot >= 0.5)
    if uniform is not None:
        cells["uniform"] = (f"{uniform:.2f} ×", uniform >= 0.3)
    for scenario in ("hot", "uniform"):
        if one.get(scenario):
            p99 = one[scenario]["p99_ms"]
            cells[f"p99 {scenario}"] = (_ms(p99), p99 <= 25)
    batch = one.get("batch") or {}
    if batch.get("available"):
        best = min(
            (
                batch[n]["median_s"]
                for n in ("json", "ndjson")
                if (batch.get(n) or {}).get("available")
            ),
            default=batch["median_s"],
        )
        cells["batch"] = (f"{best:.2f} s", best <= 1.5)
    if one.get("search"):
        p95 = one["search"]["p95_ms"]
        cells["search"] = (_ms(p95), p95 <= 50)
    after_write = one.get("search_after_write") or {}
    if after_write.get("available"):
        p95 = after_write["p95_ms"]
        found = after_write["found"] == after_write["writes"]
        note = "" if found else f", {after_write['found']}/{after_write['writes']} found"
        cells["after write"] = (
            f"p95 {_ms(p95)}, max {_ms(after_write['max_ms'])}{note}",
            p95 <= 50 and found,
        )
    bulk = r.get("bulk_import")
    if bulk and bulk.get("rows_per_second"):
        cells["import"] = (f"{bulk['rows_per_second']:,} rows/s", bulk["rows_per_second"] >= 10_000)
    worker = one.get("rss_worker_max_mib") or one.get("rss_mib")
    if worker:
        cells["rss"] = (f"{worker:,.0f} MiB", worker <= 500)
    scale = r.get("scale_out") or {}
    ratio = scale.get("ratio_2_1")
    if ratio and "hot" in ratio:
        uniform_ratio = ratio.get("uniform")
        worst = min(ratio["hot"], uniform_ratio or ratio["hot"])
        cells["scale"] = (
            f"hot {ratio['hot']:.2f} ×, uniform {uniform_ratio or 0:.2f} × (Redis limits)",
            worst >= 1.8,
        )
    elif one.get("hot") and r["runs"].get("2", {}).get("hot"):
        two = r["runs"]["2"]
        h = two["hot"]["rps"] / one["hot"]["rps"]
        u = two["uniform"]["rps"] / one["uniform"]["rps"]
        cells["scale"] = (f"hot {h:.2f} ×, uniform {u:.2f} × (no limits)", min(h, u) >= 1.8)
    stale = [
        runs["invalidation"]["max_stale_ms"]
        for runs in scale.get("workers", {}).values()
        if (runs.get("invalidation") or {}).get("available")
    ]
    if stale:
        cells["stale"] = (f"max {max(stale):,.0f} ms", max(stale) <= 500)
    return cells


TARGET_ROWS = (
    ("hot", "hot-set verification ≥ 0.5 × bare (1 worker, 32 connections)"),
    ("uniform", "uniform verification ≥ 0.3 × bare"),
    ("p99 hot", "p99 ≤ 25 ms at 32 connections, hot set"),
    ("p99 uniform", "p99 ≤ 25 ms at 32 connections, uniform"),
    ("batch", "batch of 10,000 ≤ 1.5 s (median of 3; the faster of JSON and NDJSON)"),
    ("search", "organisation search p95 ≤ 50 ms (the issue: at 1M)"),
    ("after write", "first search after a write p95 ≤ 50 ms, and the write found (at 1M)"),
    ("import", "import ≥ 10,000 rows/s at 1M rows (the 900,000 rows that build the 1M registry)"),
    ("rss", "server RSS ≤ 500 MiB per worker (the issue: at 1M), after every 1-worker run"),
    ("scale", "two workers ≥ 1.8 × one worker (PostgreSQL: Redis-shared limits)"),
    ("stale", "a withdrawal reaches every worker within the 500 ms bound (correctness)"),
)


def ratios(results: list[dict[str, Any]]) -> str:
    """Every target of issue 16, met or not, per database and size (a column each)."""
    columns = [(f"{r['database']} {_short(r['size'])}", _target_cells(r)) for r in results]
    lines = [
        "| target | " + " | ".join(name for name, _ in columns) + " |",
        "|---|" + "---|" * len(columns),
    ]
    for key, label in TARGET_ROWS:
        cells = []
        for _, measured in columns:
            if key in measured:
                value, ok = measured[key]
                cells.append(f"{value} {_met(ok)}")
            else:
                cells.append("—")
        lines.append(f"| {label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _short(size: int) -> str:
    return f"{size // 1_000_000}M" if size >= 1_000_000 else f"{size // 1000}k"


def _times(one: dict[str, Any], runs: dict[str, Any], scenario: str) -> str:
    base = one.get(scenario, {}).get("rps")
    now = runs.get(scenario, {}).get("rps")
    return f"{now / base:.2f} ×" if base and now else "—"


def scaleout(results: list[dict[str, Any]]) -> str:
    """1, 2 and 4 workers with rate limits shared through Redis, per database and size."""
    lines = [
        "| database | certificates | workers | bare ceiling | verify, hot set | verify, uniform "
        "| hot × 1 worker | uniform × 1 worker | bare × 1 worker | RSS per worker "
        "| withdrawal seen by every worker after (max of 5) | Redis keys |",
        "|---|---:|---:|---|---|---|---|---|---|---|---|---:|",
    ]
    cpus = None
    most = 0
    for r in results:
        scale = r.get("scale_out")
        if not scale:
            continue
        if not scale.get("available"):
            lines.append(
                f"| {r['database']} | {r['size']:,} | — | not measured: "
                f"{scale.get('error')} | | | | | | | | |"
            )
            continue
        cpus = scale.get("cpus")
        most = max(int(w) for w in scale["workers"])
        one = scale["workers"].get("1", {})
        for workers, runs in sorted(scale["workers"].items(), key=lambda kv: int(kv[0])):
            inval = runs.get("invalidation") or {}
            stale = (
                f"{inval['max_stale_ms']:,.0f} ms ({sum(x['probes'] for x in inval['rounds'])}"
                " probes)"
                if inval.get("available")
                else f"not measured ({inval.get('error', '')})"
            )
            lines.append(
                f"| {r['database']} | {r['size']:,} | {workers} | {_cell(runs.get('bare'))} "
                f"| {_cell(runs.get('hot'))} | {_cell(runs.get('uniform'))} "
                f"| {_times(one, runs, 'hot')} | {_times(one, runs, 'uniform')} "
                f"| {_times(one, runs, 'bare')} "
                f"| {', '.join(f'{w:,.0f}' for w in runs.get('rss_workers_mib', []))} MiB "
                f"| {stale} | {runs.get('redis_keys', '—')} |"
            )
    costs = []
    for r in results:
        limited = ((r.get("scale_out") or {}).get("workers") or {}).get("1", {})
        free = r["runs"].get("1", {})
        parts = [
            f"{scenario} {limited[scenario]['rps'] / free[scenario]['rps']:.2f} ×"
            for scenario in ("hot", "uniform")
            if limited.get(scenario) and free.get(scenario)
        ]
        if parts:
            costs.append(f"{r['database']} {r['size']:,}: {', '.join(parts)}")
    if costs:
        lines += [
            "",
            "The limiter's cost (1 worker, rate limits through Redis ÷ the same run without "
            "limits): " + "; ".join(costs) + ".",
        ]
    if cpus:
        lines += [
            "",
            f"Measured on {cpus} cores shared by wrk (2 threads), every worker and the database "
            "server (and Redis). The bare column is the same measurement of an endpoint that "
            "costs almost nothing: there wrk itself takes much of the cores, so it scales little "
            "or not at all, and shows how much of the machine the load generator leaves. "
            f"With {cpus} cores, {most} workers cannot each "
            "have a core (nor can 2 beside wrk and PostgreSQL): the largest worker counts "
            "measure contention (workers, wrk and PostgreSQL time-sharing the cores), not "
            "capacity. A deployment scales by adding cores or machines, each worker on a core of "
            "its own, with the clients elsewhere; docs/deploy.md sizes it that way.",
        ]
    return "\n".join(lines)


def stack(results: list[dict[str, Any]]) -> str:
    """Where a request's time goes: the service's stack with constant answers (stack_app.py)."""
    lines = [
        "| database | certificates | bare FastAPI | service stack, constant async "
        "| + /v1/verify's dependencies (sync) | /v1/verify, hot set | verification in the event "
        "loop, hot set |",
        "|---|---:|---|---|---|---|---|",
    ]
    for r in results:
        one = r["runs"].get("1", {})
        refs = one.get("stack")
        if not refs or refs.get("available") is False:
            continue
        lines.append(
            f"| {r['database']} | {r['size']:,} | {_cell(one.get('bare'))} "
            f"| {_cell(refs.get('constant'))} | {_cell(refs.get('constant_deps'))} "
            f"| {_cell(one.get('hot'))} | {_cell(refs.get('verify_inline_hot'))} |"
        )
    return "\n".join(lines)


def plans(results: list[dict[str, Any]]) -> str:
    """The query plans stored with the largest registry of each database."""
    out = []
    seen = set()
    for r in sorted(results, key=lambda r: -r["size"]):
        if r["database"] in seen or not r.get("plans"):
            continue
        if r["plans"].get("available") is False:
            out.append(f"#### {r['database']}, {r['size']:,}: not measured ({r['plans']['error']})")
            continue
        seen.add(r["database"])
        out.append(f"#### {r['database']}, {r['size']:,} certificates")
        for name, rows in r["plans"].items():
            out.append(f"`{name}`:\n```\n" + "\n".join(rows) + "\n```")
    return "\n\n".join(out)


def profiles(results: list[dict[str, Any]]) -> str:
    """py-spy excerpts of the largest registry per database (one worker)."""
    out = []
    seen = set()
    for r in sorted(results, key=lambda r: -r["size"]):
        if r["database"] in seen:
            continue
        one = r["runs"].get("1", {})
        parts = []
        for s in ("hot", "uniform"):
            # The raw py-spy file, when kept, is summarised again with the current buckets.
            raw = DATA / f"profile-{r['database']}-{r['size']}-1-{s}.txt"
            if raw.exists():
                parts.append((s, summarize_profile(raw)))
            elif one.get(s, {}).get("profile"):
                parts.append((s, one[s]["profile"]))
        if not parts:
            continue
        seen.add(r["database"])
        for scenario, lines in parts:
            out.append(
                f"#### {r['database']}, {r['size']:,} certificates, {scenario}\n```\n"
                + "\n".join(lines)
                + "\n```"
            )
    return "\n\n".join(out)


def plot(results: list[dict[str, Any]]) -> None:
    """Throughput and p99 against registry size, one line per database and scenario."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(12, 4.5))
    by_db: dict[str, list[dict[str, Any]]] = {}
    for r in results:
        if all(s in r["runs"].get("1", {}) for s in ("bare", "hot", "uniform")):
            by_db.setdefault(r["database"], []).append(r)
    styles = {"bare": ":", "hot": "-", "uniform": "--"}
    for db, rs in by_db.items():
        sizes = [r["size"] for r in rs]
        for scenario, style in styles.items():
            rps = [r["runs"]["1"][scenario]["rps"] for r in rs]
            p99 = [r["runs"]["1"][scenario]["p99_ms"] for r in rs]
            label = f"{db} {scenario}"
            left.plot(sizes, rps, style, marker="o", label=label)
            if scenario != "bare":
                right.plot(sizes, p99, style, marker="o", label=label)
    for ax, title, unit in (
        (left, "throughput, one worker, 32 connections", "requests/s"),
        (right, "p99 latency, one worker, 32 connections", "ms"),
    ):
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xlabel("certificates in the registry")
        ax.set_ylabel(unit)
        ax.set_title(title)
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=8)
    right.axhline(25, color="red", linewidth=0.8, label="target: p99 ≤ 25 ms")
    right.legend(fontsize=8)
    fig.tight_layout()
    out = ROOT / PLOT
    out.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(out, dpi=110)


def replace(document: str, name: str, body: str) -> str:
    """Replace the generated section `name` (between its markers), or append it."""
    start, end = f"<!-- generated:{name} -->", f"<!-- /generated:{name} -->"
    block = f"{start}\n{body}\n{end}"
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(document):
        return pattern.sub(lambda _: block, document)
    return document.rstrip("\n") + f"\n\n{block}\n"


def main() -> None:
    """Rewrite the generated sections of BENCHMARKS.md and the plot."""
    results = load()
    if not results:
        raise SystemExit("no results in bench/results: run bench/run.py first")
    baseline = load_baseline()
    plot(results)
    document = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n"
    for name, body in (
        ("table", table(results)),
        ("comparison", comparison(results, baseline)),
        ("commands", commands(results)),
        ("targets", ratios(results)),
        ("scaleout", scaleout(results)),
        ("stack", stack(results)),
        ("plans", plans(results)),
        ("profiles", profiles(results)),
    ):
        document = replace(document, name, body)
    REPORT.write_text(document)


if __name__ == "__main__":
    main()
