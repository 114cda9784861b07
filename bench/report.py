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

TARGETS = """| target | measured | met |
|---|---|---|
"""


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
    return sorted(results, key=lambda r: (r["database"] != "sqlite", r["database"], r["size"]))


def _cell(run: dict[str, Any] | None) -> str:
    if not run:
        return "—"
    errors = run.get("errors", 0) + run.get("non_2xx", 0)
    flag = f" ({errors} errors)" if errors else ""
    return f"{run['rps']:,.0f} /s · {run['p50_ms']:.1f} / {run['p99_ms']:.1f} ms{flag}"


def table(results: list[dict[str, Any]]) -> str:
    """The results table: requests/s and p50/p99 per scenario, database, size and workers."""
    lines = [
        "| database | certificates | workers | bare ceiling | verify, hot set of 1,000 "
        "| verify, uniform | organisation search (p95) | batch of 10,000 | server RSS |",
        "|---|---:|---:|---|---|---|---|---|---:|",
    ]
    for result in results:
        for workers, runs in sorted(result["runs"].items()):
            search = runs.get("search")
            search_cell = (
                f"{search['rps']:,.1f} /s · p95 {search['p95_ms']:,.0f} ms" if search else "—"
            )
            batch = runs.get("batch")
            if not batch:
                batch_cell = "—"
            elif not batch.get("available"):
                batch_cell = f"not measured ({batch.get('note', batch.get('status'))})"
            else:
                batch_cell = f"{batch['median_s']:.2f} s (median of {len(batch['seconds'])})"
            lines.append(
                f"| {result['database']} | {result['size']:,} | {workers} "
                f"| {_cell(runs.get('bare'))} | {_cell(runs.get('hot'))} "
                f"| {_cell(runs.get('uniform'))} | {search_cell} | {batch_cell} "
                f"| {runs.get('rss_mib', 0):,.0f} MiB |"
            )
    return "\n".join(lines)


def commands(results: list[dict[str, Any]]) -> str:
    """The command and moment of every stored result."""
    lines = []
    for r in results:
        m = r["machine"]
        lines.append(
            f"- {r['database']} {r['size']:,}: `{r['command']}` — {r['measured_at']}, "
            f"{m['cpus']} × {m['cpu']}, {m['memory_gib']} GiB, Python {m['python']}, "
            f"{m['wrk']}; registry {r['database_mib']:,} MiB on disk"
        )
        if r.get("import"):
            i = r["import"]
            lines.append(
                f"  - import: `{i['command']}` ({i['rows']:,} rows): {i['seconds']} s, "
                f"**{i['rows_per_second']:,} rows/s**, peak RSS {i['peak_rss_mib']} MiB"
            )
    return "\n".join(lines)


def ratios(results: list[dict[str, Any]]) -> str:
    """Every target of the issue against the runs that test it."""
    lines = [TARGETS.rstrip("\n")]
    for r in results:
        one = r["runs"].get("1")
        if not one:
            continue
        where = f"{r['database']} {r['size']:,}"
        bare = one["bare"]["rps"]
        hot, uniform = one["hot"], one["uniform"]
        met = "yes" if hot["rps"] >= 0.5 * bare else "no"
        lines.append(
            f"| hot-set verification ≥ 0.5 × bare ({where}) | {hot['rps'] / bare:.2f} × "
            f"({hot['rps']:,.0f} of {bare:,.0f} /s) | {met} |"
        )
        lines.append(
            f"| uniform verification ≥ 0.2 × bare ({where}) | {uniform['rps'] / bare:.2f} × "
            f"({uniform['rps']:,.0f} /s) | {'yes' if uniform['rps'] >= 0.2 * bare else 'no'} |"
        )
        lines.append(
            f"| p99 ≤ 25 ms at {hot['connections']} connections ({where}) | hot "
            f"{hot['p99_ms']:.1f} ms, uniform {uniform['p99_ms']:.1f} ms "
            f"| {'yes' if max(hot['p99_ms'], uniform['p99_ms']) <= 25 else 'no'} |"
        )
        batch = one.get("batch") or {}
        if batch.get("available"):
            lines.append(
                f"| batch of 10,000 ≤ 1.5 s ({where}) | {batch['median_s']:.2f} s "
                f"| {'yes' if batch['median_s'] <= 1.5 else 'no'} |"
            )
        search = one.get("search")
        if search and r["size"] >= 1_000_000:
            lines.append(
                f"| organisation search p95 ≤ 50 ms at 1M ({where}) | {search['p95_ms']:,.0f} ms "
                f"| {'yes' if search['p95_ms'] <= 50 else 'no'} |"
            )
    by_db: dict[str, list[dict[str, Any]]] = {}
    for r in results:
        by_db.setdefault(r["database"], []).append(r)
    for db, rs in by_db.items():
        rs = [r for r in rs if "1" in r["runs"]]
        if len(rs) < 2:
            continue
        small, large = rs[0], rs[-1]
        for scenario in ("hot", "uniform"):
            a = small["runs"]["1"][scenario]["rps"]
            b = large["runs"]["1"][scenario]["rps"]
            lines.append(
                f"| {scenario} throughput at {large['size']:,} within 20% of {small['size']:,} "
                f"({db}) | {b / a:.2f} × ({b:,.0f} vs {a:,.0f} /s) "
                f"| {'yes' if b >= 0.8 * a else 'no'} |"
            )
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
        if not refs:
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
        if "1" in r["runs"]:
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
    plot(results)
    document = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n"
    for name, body in (
        ("table", table(results)),
        ("commands", commands(results)),
        ("targets", ratios(results)),
        ("stack", stack(results)),
        ("plans", plans(results)),
        ("profiles", profiles(results)),
    ):
        document = replace(document, name, body)
    REPORT.write_text(document)


if __name__ == "__main__":
    main()
