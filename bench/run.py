"""The certverify benchmark: build registries, serve them, drive them with wrk, report.

Usage: python bench/run.py [--sizes 10000,100000] [--databases sqlite,postgres] [--duration 10]
                           [--connections 32] [--no-profile] [--keep]
`make bench` runs the default (SQLite, 10k and 100k certificates, one worker and two);
`make bench BENCH_ARGS="--sizes 1000000"` adds the 1M registry, `--databases postgres` PostgreSQL.
Each run writes bench/results/<database>-<size>.json and rewrites the generated parts of
BENCHMARKS.md (bench/report.py) with the table, the plot, the query plans and the profiles.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import shlex
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psutil
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url

sys.path.insert(0, str(Path(__file__).resolve().parent))
from report import summarize_profile

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
DATA = BENCH / ".data"
RESULTS = BENCH / "results"
LUA = BENCH / "wrk" / "numbers.lua"
BIN = Path(sys.executable).parent
PG_DEFAULT = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
HOT_SET = 1000
BATCH_ITEMS = 10_000
IMPORT_ROWS = 20_000
DEMO_LIMIT = 100_000
"""Certificates made by `certverify demo`; larger registries import the rest (see build)."""
BULK_CBS = ("NBC", "MAI", "HCC", "LQC", "QAS", "SAJ")


def log(message: str) -> None:
    """Progress on stderr."""
    print(f"[bench {datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    """An unused TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli_env(url: str) -> dict[str, str]:
    """Environment for the certverify command and the server: this database, no rate limits."""
    env = dict(os.environ)
    env.update(
        CERTVERIFY_DATABASE_URL=url,
        CERTVERIFY_RATE_LIMIT_ENABLED="false",
        CERTVERIFY_IN_PROCESS_WORKER="false",
    )
    env.pop("CERTVERIFY_READ_DATABASE_URL", None)
    return env


def certverify(url: str, *args: str) -> str:
    """Run the certverify command against `url`; its stdout."""
    done = subprocess.run(
        [str(BIN / "certverify"), *args],
        env=cli_env(url),
        cwd=ROOT,
        check=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    return done.stdout


# --- databases ----------------------------------------------------------------------------------


class Database:
    """One benchmark database: a SQLite file under bench/.data or a PostgreSQL database."""

    def __init__(self, kind: str, name: str, pg_url: str) -> None:
        self.kind = kind
        self.name = name
        if kind == "sqlite":
            self.path = DATA / f"{name}.db"
            self.url = f"sqlite:///{self.path}"
        else:
            self.url = make_url(pg_url).set(database=name).render_as_string(hide_password=False)
            self.admin_url = pg_url

    def ready_marker(self) -> Path:
        """Present when a SQLite registry was completely built (reused by later runs)."""
        return DATA / f"{self.name}.ok"

    def create(self) -> None:
        """An empty database (dropping any previous one)."""
        if self.kind == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
            self.ready_marker().unlink(missing_ok=True)
            return
        admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{self.name}"'))
        admin.dispose()

    def drop(self) -> None:
        """Drop a PostgreSQL database (SQLite files stay for the next run)."""
        if self.kind != "postgres":
            return
        admin = create_engine(self.admin_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)'))
        admin.dispose()

    def size_bytes(self) -> int:
        """The database's size on disk."""
        if self.kind == "sqlite":
            engine = create_engine(self.url)
            with engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
            engine.dispose()
            return sum(
                Path(f"{self.path}{s}").stat().st_size
                for s in ("", "-wal")
                if Path(f"{self.path}{s}").exists()
            )
        engine = create_engine(self.url)
        with engine.connect() as conn:
            size = conn.execute(text("SELECT pg_database_size(current_database())")).scalar()
        engine.dispose()
        return int(size or 0)


def build_registry(db: Database, size: int, rebuild: bool) -> float | None:
    """Migrate, seed and load the synthetic registry of `size` certificates; build seconds."""
    if db.kind == "sqlite" and db.ready_marker().exists() and not rebuild:
        log(f"reusing {db.path.name} (built {db.ready_marker().read_text().strip()})")
        return None
    log(f"building {db.kind} registry of {size:,} certificates")
    db.create()
    started = time.perf_counter()
    certverify(db.url, "migrate")
    certverify(db.url, "seed")
    demo = min(size, DEMO_LIMIT)
    certverify(db.url, "demo", "--certificates", str(demo))
    if size > demo:
        # The demo generator is quadratic past ~200k (it searches every organisation of a CB for
        # one to reuse): the rest are imported, spread over CBs, with make_import_file.py rows.
        share, extra = divmod(size - demo, len(BULK_CBS))
        for index, cb in enumerate(BULK_CBS):
            rows = share + (1 if index < extra else 0)
            csv_path = DATA / f"bulk-{cb}.csv"
            subprocess.run(
                [
                    sys.executable,
                    str(BENCH / "make_import_file.py"),
                    str(csv_path),
                    "--rows",
                    str(rows),
                    "--seed",
                    str(index + 1),
                    "--prefix",
                    f"{cb}-BULK",
                ],
                check=True,
            )
            log(f"importing {rows:,} rows for {cb}")
            certverify(db.url, "import", str(csv_path), "--certification-body", cb)
            csv_path.unlink()
    seconds = time.perf_counter() - started
    if db.kind == "sqlite":
        engine = create_engine(db.url)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
        db.ready_marker().write_text(datetime.now(UTC).date().isoformat())
    log(f"built in {seconds:.0f} s")
    return seconds


def draw_inputs(db: Database, size: int) -> dict[str, Path]:
    """Files of certificate numbers (all, hot set) and organisation queries for wrk."""
    engine = create_engine(db.url)
    with engine.connect() as conn:
        numbers = [r[0] for r in conn.execute(text("SELECT certificate_number FROM certificates"))]
        names = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT o.name FROM organizations o WHERE EXISTS (SELECT 1 FROM certificates c"
                    " WHERE c.organization_id = o.id AND c.confidential = :f)"
                ),
                {"f": False},
            )
        ]
    engine.dispose()
    rng = random.Random(size)
    numbers.sort()
    files = {
        "uniform": DATA / f"{db.name}-numbers.txt",
        "hot": DATA / f"{db.name}-hot.txt",
        "search": DATA / f"{db.name}-search.txt",
    }
    files["uniform"].write_text("\n".join(numbers) + "\n")
    files["hot"].write_text("\n".join(rng.sample(numbers, min(HOT_SET, len(numbers)))) + "\n")
    queries = [" ".join(name.split()[:2]) for name in rng.sample(sorted(names), 200)]
    files["search"].write_text("\n".join(queries) + "\n")
    return files


# --- servers and load ---------------------------------------------------------------------------


class Server:
    """A uvicorn server in its own process group, stopped on exit."""

    def __init__(self, app: str, url: str, workers: int, log_name: str) -> None:
        self.port = free_port()
        self.log_path = DATA / f"{log_name}.log"
        command = [
            str(BIN / "uvicorn"),
            app,
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
        ]
        self.log_file = self.log_path.open("w")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=cli_env(url),
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code < 500:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"server {app} did not start; see {self.log_path}")

    def rss_bytes(self) -> int:
        """Resident memory of the server and its worker processes."""
        try:
            parent = psutil.Process(self.process.pid)
            procs = [parent, *parent.children(recursive=True)]
            return sum(p.memory_info().rss for p in procs)
        except psutil.Error:
            return 0

    def worker_pids(self) -> list[int]:
        """The processes that serve requests (the workers, or the server itself)."""
        parent = psutil.Process(self.process.pid)
        children = [c.pid for c in parent.children(recursive=True) if "python" in c.name()]
        return children or [parent.pid]

    def stop(self) -> None:
        """Stop the process group."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log_file.close()


def wrk(
    base: str, lines: Path | None, prefix: str, *, connections: int, duration: int
) -> dict[str, Any]:
    """One wrk run (2 threads) with the line-drawing script; requests/s and latencies (ms)."""
    env = dict(os.environ, PATH_PREFIX=prefix)
    if lines is not None:
        env["NUMBERS_FILE"] = str(lines)
    command = [
        "wrk",
        "-t2",
        f"-c{connections}",
        f"-d{duration}s",
        "--timeout",
        "10s",
        "--latency",
        "-s",
        str(LUA),
        base,
    ]
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    raw = json.loads(next(ln for ln in out.splitlines() if ln.startswith("WRK_JSON "))[9:])
    seconds = raw["duration_us"] / 1e6
    return {
        "rps": round(raw["requests"] / seconds, 1),
        "requests": raw["requests"],
        "p50_ms": round(raw["p50_us"] / 1000, 2),
        "p95_ms": round(raw["p95_us"] / 1000, 2),
        "p99_ms": round(raw["p99_us"] / 1000, 2),
        "max_ms": round(raw["max_us"] / 1000, 2),
        "errors": raw["connect_errors"]
        + raw["read_errors"]
        + raw["write_errors"]
        + raw["timeouts"],
        "non_2xx": raw["status_errors"],
        "connections": connections,
        "seconds": duration,
    }


def profile(pid: int, seconds: int, out: Path) -> None:
    """Sample one worker with py-spy (only the thread holding the GIL) into a raw file."""
    subprocess.run(
        [
            str(BIN / "py-spy"),
            "record",
            "-p",
            str(pid),
            "-d",
            str(seconds),
            "-r",
            "250",
            "--gil",
            "-f",
            "raw",
            "-o",
            str(out),
        ],
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def stack_references(db: Database, hot: Path, args: argparse.Namespace) -> dict[str, Any]:
    """The service's middleware stack with a constant answer, with /v1/verify's dependencies,
    and a verification computed in the event loop (bench/stack_app.py), one worker."""
    server = Server("bench.stack_app:app", db.url, 1, f"stack-{db.kind}")
    try:
        wrk(server.base, hot, "/bench/verify-inline?certificate_number=", connections=8, duration=2)
        return {
            name: wrk(
                server.base,
                hot,
                path,
                connections=args.connections,
                duration=args.duration,
            )
            for name, path in (
                ("constant", "/bench/constant?x="),
                ("constant_deps", "/bench/constant-deps?x="),
                ("verify_inline_hot", "/bench/verify-inline?certificate_number="),
            )
        }
    finally:
        server.stop()


# --- batch, import, plans -----------------------------------------------------------------------


def batch(base: str, db: Database, numbers: Path, repeats: int = 3) -> dict[str, Any]:
    """POST /v1/verifications/batch with 10,000 items drawn from the registry; wall time."""
    probe = httpx.post(f"{base}/v1/verifications/batch", json={"items": []}, timeout=30)
    if probe.status_code in (404, 405):
        return {"available": False, "note": "endpoint not available at run time"}
    key = certverify(db.url, "keys", "create", "--role", "client", "--name", "bench").strip()
    rng = random.Random(10)
    pool = numbers.read_text().split("\n")
    items = [{"certificate_number": rng.choice(pool)} for _ in range(BATCH_ITEMS)]
    times = []
    status = None
    for _ in range(repeats):
        started = time.perf_counter()
        response = httpx.post(
            f"{base}/v1/verifications/batch",
            json={"items": items},
            headers={"Authorization": f"Bearer {key}"},
            timeout=300,
        )
        times.append(time.perf_counter() - started)
        status = response.status_code
        if status != 200:
            break
        assert len(response.json()["results"]) == BATCH_ITEMS
    return {
        "available": status == 200,
        "status": status,
        "items": BATCH_ITEMS,
        "seconds": [round(t, 3) for t in times],
        "median_s": round(statistics.median(times), 3),
    }


def import_rate(kind: str, pg_url: str, rows: int) -> dict[str, Any]:
    """`certverify import` of a generated CSV into an empty registry: rows/s and peak RSS."""
    db = Database(kind, "certverify_bench_import" if kind == "postgres" else "import", pg_url)
    db.create()
    certverify(db.url, "migrate")
    certverify(db.url, "seed")
    certverify(db.url, "demo", "--certificates", "0")
    csv_path = DATA / f"import-{rows}.csv"
    subprocess.run(
        [sys.executable, str(BENCH / "make_import_file.py"), str(csv_path), "--rows", str(rows)],
        check=True,
    )
    command = [str(BIN / "certverify"), "import", str(csv_path), "--certification-body", "NBC"]
    process = subprocess.Popen(
        command,
        env=cli_env(db.url),
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    peak = 0

    def watch() -> None:
        nonlocal peak
        try:
            proc = psutil.Process(process.pid)
            while process.poll() is None:
                peak = max(peak, proc.memory_info().rss)
                time.sleep(0.05)
        except psutil.Error:
            pass

    watcher = threading.Thread(target=watch, daemon=True)
    watcher.start()
    out, _ = process.communicate()
    watcher.join()
    summary = json.loads(out)
    db.drop()
    return {
        "rows": summary["totals"]["rows"],
        "seconds": summary["seconds"],
        "rows_per_second": summary["rows_per_second"],
        "peak_rss_mib": round(peak / 2**20, 1),
        "command": shlex.join(["certverify", "import", csv_path.name, "--cb", "NBC"]),
    }


def query_plans(db: Database) -> dict[str, list[str]]:
    """EXPLAIN QUERY PLAN (SQLite) / EXPLAIN ANALYZE (PostgreSQL) of the hot-path statements."""
    sys.path.insert(0, str(ROOT))
    from app.repositories import accreditations, certificates
    from app.services.verification.search import _organization_scores  # noqa: F401  (imports the models)

    engine = create_engine(db.url)
    captured: list[tuple[str, Any]] = []

    @event.listens_for(engine, "before_cursor_execute")
    def _capture(_conn: Any, _cursor: Any, statement: str, params: Any, *_rest: Any) -> None:
        captured.append((statement, params))

    plans: dict[str, list[str]] = {}
    prefix = "EXPLAIN QUERY PLAN " if db.kind == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS) "
    with engine.connect() as conn:
        key, cb_id = conn.execute(
            text("SELECT number_key, certification_body_id FROM certificates LIMIT 1 OFFSET 777")
        ).one()
        from sqlalchemy.orm import Session

        with Session(bind=conn) as session:
            for name in ("certificates", "sites", "status_events"):
                captured.clear()
                certificates.certificate_fact_rows_by_number_key(session, key)
                wanted = {"certificates": 0, "sites": 1, "status_events": 2}[name]
                statement, params = captured[wanted]
                plans[name] = _explain(conn, prefix + statement, params)
            captured.clear()
            accreditations.accreditations_of_certification_body(session, uuid.UUID(str(cb_id)))
            plans["accreditations (cached per CB)"] = _explain(
                conn, prefix + captured[0][0], captured[0][1]
            )
    engine.dispose()
    return plans


def _explain(conn: Any, statement: str, params: Any) -> list[str]:
    cursor = conn.connection.dbapi_connection.cursor()
    try:
        cursor.execute(statement, params)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    return [" | ".join(str(c) for c in row) if len(row) > 1 else str(row[0]) for row in rows]


# --- the run ------------------------------------------------------------------------------------


def warm_hot_set(base: str, numbers: Path, passes: int) -> None:
    """Verify every number of the hot set `passes` times, each pass on a connection of its own
    (the kernel spreads connections over the workers), sequentially: nothing is timed."""
    hot = [n for n in numbers.read_text().splitlines() if n]
    for _ in range(passes):
        with httpx.Client(base_url=base, timeout=60) as client:
            for number in hot:
                client.get("/v1/verify", params={"certificate_number": number})


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    wrk_version = subprocess.run(["wrk", "-v"], capture_output=True, text=True).stdout
    return {
        "cpus": os.cpu_count(),
        "cpu": cpu,
        "memory_gib": round(psutil.virtual_memory().total / 2**30, 1),
        "python": platform.python_version(),
        "wrk": wrk_version.splitlines()[0] if wrk_version else "wrk",
    }


def run_size(kind: str, size: int, args: argparse.Namespace, command: str) -> dict[str, Any]:
    """Everything measured for one database kind and registry size."""
    name = f"registry-{size}" if kind == "sqlite" else f"certverify_bench_{size}"
    db = Database(kind, name, args.pg_url)
    build_seconds = build_registry(db, size, args.rebuild)
    files = draw_inputs(db, size)
    result: dict[str, Any] = {
        "database": kind,
        "size": size,
        "command": command,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "build_seconds": build_seconds,
        "database_mib": round(db.size_bytes() / 2**20, 1),
        "runs": {},
    }
    verify_prefix = "/v1/verify?certificate_number="
    for workers in args.workers:
        log(f"{kind} {size:,}: {workers} worker(s)")
        bare = Server("bench.bare_app:app", db.url, workers, "bare")
        try:
            wrk(bare.base, None, "/v1/verify?certificate_number=", connections=8, duration=2)
            bare_run = wrk(
                bare.base,
                None,
                "/v1/verify?certificate_number=",
                connections=args.connections,
                duration=args.duration,
            )
        finally:
            bare.stop()
        server = Server("app.main:app", db.url, workers, f"server-{kind}-{size}-{workers}")
        runs: dict[str, Any] = {"bare": bare_run}
        try:
            runs["rss_idle_mib"] = round(server.rss_bytes() / 2**20, 1)
            # The hot set is what the caches hold: ask for each of its numbers once (every
            # worker sees them within a few passes), then warm the server up under wrk.
            warm_hot_set(server.base, files["hot"], passes=1 if workers == 1 else 4)
            wrk(server.base, files["hot"], verify_prefix, connections=8, duration=3)
            for scenario in ("hot", "uniform"):
                raw = DATA / f"profile-{kind}-{size}-{workers}-{scenario}.txt"
                spy = None
                if args.profile and workers == 1:
                    raw.unlink(missing_ok=True)
                    spy = threading.Thread(
                        target=profile,
                        args=(server.worker_pids()[0], max(args.duration - 4, 3), raw),
                    )
                    spy.start()
                runs[scenario] = wrk(
                    server.base,
                    files[scenario],
                    verify_prefix,
                    connections=args.connections,
                    duration=args.duration,
                )
                if spy is not None:
                    spy.join()
                    runs[scenario]["profile"] = summarize_profile(raw)
            if workers == 1:
                # The first search after a write builds the name index: warm it, then measure.
                httpx.get(
                    f"{server.base}/v1/certificates",
                    params={"organization": "warm up", "page_size": 20},
                    timeout=300,
                )
                runs["search"] = wrk(
                    server.base,
                    files["search"],
                    "/v1/certificates?page_size=20&organization=",
                    connections=args.search_connections,
                    duration=args.duration,
                )
                runs["batch"] = batch(server.base, db, files["uniform"])
            runs["rss_mib"] = round(server.rss_bytes() / 2**20, 1)
        finally:
            server.stop()
        if workers == 1 and args.stack:
            runs["stack"] = stack_references(db, files["hot"], args)
        result["runs"][str(workers)] = runs
    if args.plans:
        result["plans"] = query_plans(db)
    if not args.keep:
        db.drop()
    return result


def main() -> None:
    """Parse the options, run every database and size, write the results and the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--databases", default="sqlite")
    parser.add_argument("--duration", type=int, default=10, help="Seconds per wrk run.")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--search-connections", type=int, default=4)
    parser.add_argument("--workers", default="1,2")
    parser.add_argument("--pg-url", default=os.environ.get("CERTVERIFY_BENCH_PG_URL", PG_DEFAULT))
    parser.add_argument("--import-rows", type=int, default=IMPORT_ROWS)
    parser.add_argument("--rebuild", action="store_true", help="Rebuild cached SQLite registries.")
    parser.add_argument("--keep", action="store_true", help="Keep PostgreSQL databases.")
    parser.add_argument("--no-profile", dest="profile", action="store_false")
    parser.add_argument("--no-plans", dest="plans", action="store_false")
    parser.add_argument("--no-stack", dest="stack", action="store_false")
    args = parser.parse_args()
    args.workers = [int(w) for w in args.workers.split(",")]
    command = "python bench/run.py " + shlex.join(sys.argv[1:])
    DATA.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    for kind in args.databases.split(","):
        for size in (int(s) for s in args.sizes.split(",")):
            result = run_size(kind, size, args, command)
            if size == max(int(s) for s in args.sizes.split(",")) and args.import_rows:
                log(f"{kind}: import rate ({args.import_rows:,} rows)")
                result["import"] = import_rate(kind, args.pg_url, args.import_rows)
            out = RESULTS / f"{kind}-{size}.json"
            out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
            log(f"wrote {out.relative_to(ROOT)}")
    subprocess.run([sys.executable, str(BENCH / "report.py")], check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
