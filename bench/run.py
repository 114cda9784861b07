"""The certverify benchmark: build registries, serve them, drive them with wrk, report.

Usage: python bench/run.py [--sizes 10000,100000,1000000] [--databases sqlite,postgres]
                           [--duration 10] [--connections 32] [--workers 1,2]
                           [--scale-workers 1,2,4] [--write-searches 20] [--only PARTS]
                           [--no-profile] [--no-plans] [--no-stack] [--no-scale-out] [--keep]
`make bench` runs every database and size (BENCH_ARGS passes options, e.g.
`make bench BENCH_ARGS="--sizes 10000 --duration 3"`). Per database and size it measures the bare
ceiling, hot-set and uniform verification, organisation search and the first search after a
registry write, the batch of 10,000 (JSON and, when offered, NDJSON; time to first byte), server
RSS per worker, and on PostgreSQL the scale-out over 1, 2 and 4 workers with rate limits shared
through Redis and the cache invalidation that crosses workers; building the 1M registry times
the import of its 900,000 rows, and the largest size adds the 20,000-row import into an empty
registry. Each (database, size) writes bench/results/<database>-<size>.json; bench/report.py then
rewrites the generated parts of BENCHMARKS.md (before and after, targets, commands, plot).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import math
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
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
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
REDIS_DEFAULT = "redis://127.0.0.1:6379/0"
HOT_SET = 1000
BATCH_ITEMS = 10_000
IMPORT_ROWS = 20_000
DEMO_LIMIT = 100_000
"""Certificates made by `certverify demo`; larger registries import the rest (see build)."""
BULK_CBS = ("NBC", "MAI", "HCC", "LQC", "QAS", "SAJ")
NDJSON = "application/x-ndjson"
UNLIMITED = "1000000000/minute"
"""A rate-limit budget no benchmark reaches: the limiter runs (and charges Redis), never refuses."""
PARTS = ("verify", "search", "write-search", "batch", "stack", "scale-out", "import", "plans")
"""What `--only` can select; the bare ceiling is measured with every verification run."""
RUN_ID = datetime.now(UTC).strftime("%Y%m%d%H%M%S")
"""Makes the numbers and names this run writes unique (a kept registry may be reused)."""


def log(message: str) -> None:
    """Progress on stderr."""
    print(f"[bench {datetime.now().strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


def free_port() -> int:
    """An unused TCP port on the loopback interface."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def cli_env(url: str, extra: dict[str, str] | None = None) -> dict[str, str]:
    """Environment for the certverify command and the server: this database, no rate limits.

    PostgreSQL keeps no keys: the receipt signing key and the webhook secret key of each
    benchmark database are generated under bench/.data/keys-<database>."""
    env = dict(os.environ)
    env.update(
        CERTVERIFY_DATABASE_URL=url,
        CERTVERIFY_RATE_LIMIT_ENABLED="false",
        CERTVERIFY_IN_PROCESS_WORKER="false",
    )
    for name in ("CERTVERIFY_READ_DATABASE_URL", "CERTVERIFY_REDIS_URL"):
        env.pop(name, None)
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite" and not os.environ.get("CERTVERIFY_DATA_DIR"):
        keys = DATA / f"keys-{parsed.database}"
        keys.mkdir(parents=True, exist_ok=True)
        env["CERTVERIFY_DATA_DIR"] = str(keys)
    env.update(extra or {})
    return env


def certverify(url: str, *args: str) -> str:
    """Run the certverify command against `url`; its stdout."""
    done = subprocess.run(
        [str(BIN / "certverify"), *args],
        env=cli_env(url),
        cwd=ROOT,
        check=False,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        tail = "\n".join(done.stderr.strip().splitlines()[-15:])
        raise RuntimeError(f"certverify {shlex.join(args)} failed ({done.returncode}):\n{tail}")
    return done.stdout


def migration_heads() -> list[str]:
    """The newest Alembic revision(s): a kept registry is reused only when it matches them."""
    from alembic.config import Config
    from alembic.script import ScriptDirectory

    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    return sorted(ScriptDirectory.from_config(config).get_heads())


def git_commit() -> str:
    """The checkout the figures describe (with `+dirty` when it has uncommitted changes)."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except OSError:
        return "unknown"
    return f"{commit}+dirty" if dirty else commit or "unknown"


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
        """Present when a registry was completely built: what built it (JSON), for reuse."""
        return DATA / f"{self.kind}-{self.name}.ok.json"

    def exists(self) -> bool:
        """Whether the database is there (the SQLite file, or the PostgreSQL database)."""
        if self.kind == "sqlite":
            return self.path.exists()
        admin = create_engine(self.admin_url)
        with admin.connect() as conn:
            found = conn.execute(
                text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": self.name}
            ).first()
        admin.dispose()
        return found is not None

    def create(self) -> None:
        """An empty database (dropping any previous one)."""
        self.ready_marker().unlink(missing_ok=True)
        if self.kind == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(f"{self.path}{suffix}").unlink(missing_ok=True)
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
        self.ready_marker().unlink(missing_ok=True)
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


def relation_sizes(db: Database, top: int = 16) -> list[dict[str, Any]]:
    """PostgreSQL: the largest tables and indexes (MiB), what docs/deploy.md sizes memory from."""
    if db.kind != "postgres":
        return []
    engine = create_engine(db.url)
    with engine.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT c.relname, c.relkind, pg_relation_size(c.oid), c.reltuples,"
                " coalesce(i.indrelid::regclass::text, '') FROM pg_class c"
                " JOIN pg_namespace n ON n.oid = c.relnamespace"
                " LEFT JOIN pg_index i ON i.indexrelid = c.oid"
                " WHERE n.nspname = 'public' AND c.relkind IN ('r', 'i')"
                " ORDER BY pg_relation_size(c.oid) DESC LIMIT :top"
            ),
            {"top": top},
        ).all()
    engine.dispose()
    return [
        {
            "name": name,
            "kind": "table" if kind == "r" else f"index on {table}",
            "mib": round(size / 2**20, 1),
            "rows_estimate": int(tuples) if tuples and tuples > 0 else None,
        }
        for name, kind, size, tuples, table in rows
    ]


def timed_import(db: Database, csv_path: Path, cb: str) -> dict[str, Any]:
    """`certverify import` of one file: the importer's own summary and the command's wall time."""
    started = time.perf_counter()
    out = certverify(db.url, "import", str(csv_path), "--certification-body", cb)
    wall = time.perf_counter() - started
    summary = json.loads(out)
    rows = int(summary["totals"]["rows"])
    return {
        "cb": cb,
        "rows": rows,
        "seconds": summary.get("seconds"),
        "rows_per_second": summary.get("rows_per_second"),
        "wall_seconds": round(wall, 2),
        "created": summary["totals"].get("created"),
        "failed": summary["totals"].get("failed", summary["totals"].get("errors")),
    }


def build_registry(
    db: Database, size: int, rebuild: bool, reuse_built: bool = False
) -> dict[str, Any]:
    """Migrate, seed and load the synthetic registry of `size` certificates.

    Returns what the build measured: its seconds and, past the demo's 100,000 certificates,
    the import of the rest (the 1M registry: 900,000 rows in six files). A registry built by
    an earlier run is reused (with that run's build figures) when it is still there, its
    marker says it was completely built, and it was built from this very commit with no
    uncommitted changes (code that writes the registry may change without a migration);
    `reuse_built` (--reuse-built) reuses any completely built registry on the same migrations."""
    heads = migration_heads()
    commit = git_commit()
    marker = db.ready_marker()
    if not rebuild and marker.exists() and db.exists():
        built = json.loads(marker.read_text())
        same_code = built.get("commit") == commit and not commit.endswith("+dirty")
        if built.get("migration_heads") == heads and (same_code or reuse_built):
            log(f"reusing {db.kind} {db.name} (built {built.get('built_at')})")
            return {**built, "reused": True}
        log(
            f"{db.name} was built from {built.get('commit')} on migrations "
            f"{built.get('migration_heads')} (now {commit}, {heads}): rebuilding"
        )
    log(f"building {db.kind} registry of {size:,} certificates")
    db.create()
    started = time.perf_counter()
    certverify(db.url, "migrate")
    certverify(db.url, "seed")
    demo = min(size, DEMO_LIMIT)
    certverify(db.url, "demo", "--certificates", str(demo))
    demo_seconds = time.perf_counter() - started
    imports: list[dict[str, Any]] = []
    if size > demo:
        # The demo generator is quadratic past ~200k (it searches every organisation of a CB for
        # one to reuse): the rest are imported, spread over CBs, with make_import_file.py rows.
        share, extra = divmod(size - demo, len(BULK_CBS))
        for index, cb in enumerate(BULK_CBS):
            rows = share + (1 if index < extra else 0)
            csv_path = DATA / f"bulk-{db.kind}-{size}-{cb}.csv"
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
            imports.append(timed_import(db, csv_path, cb))
            log(f"  {imports[-1]['rows_per_second']} rows/s")
            csv_path.unlink()
    seconds = time.perf_counter() - started
    if db.kind == "sqlite":
        engine = create_engine(db.url)
        with engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
        engine.dispose()
    built: dict[str, Any] = {
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "commit": commit,
        "migration_heads": heads,
        "build_seconds": round(seconds, 1),
        "demo_seconds": round(demo_seconds, 1),
        "demo_certificates": demo,
    }
    if imports:
        rows = sum(i["rows"] for i in imports)
        import_seconds = sum(float(i["seconds"] or i["wall_seconds"]) for i in imports)
        wall = sum(i["wall_seconds"] for i in imports)
        built["bulk_import"] = {
            "rows": rows,
            "files": imports,
            "seconds": round(import_seconds, 1),
            "wall_seconds": round(wall, 1),
            "rows_per_second": round(rows / import_seconds) if import_seconds else None,
            "registry_rows_after": size,
            "command": f"certverify import bulk-<CB>.csv --certification-body <CB> "
            f"(6 files, {rows:,} rows, into the {demo:,}-certificate demo registry)",
        }
    marker.write_text(json.dumps(built, indent=2) + "\n")
    log(f"built in {seconds:.0f} s")
    return {**built, "reused": False}


def draw_inputs(db: Database, size: int) -> dict[str, Path]:
    """Files of certificate numbers (all, hot set) and organisation queries for wrk."""
    engine = create_engine(db.url)
    with engine.connect() as conn:
        numbers = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT certificate_number FROM certificates WHERE certificate_number"
                    " NOT LIKE 'BENCH-%'"
                )
            )
        ]
        names = [
            r[0]
            for r in conn.execute(
                text(
                    "SELECT o.name FROM organizations o WHERE EXISTS (SELECT 1 FROM certificates c"
                    " WHERE c.organization_id = o.id AND c.confidential = :f"
                    " AND c.certificate_number NOT LIKE 'BENCH-%')"
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

    def __init__(
        self,
        app: str,
        url: str,
        workers: int,
        log_name: str,
        env: dict[str, str] | None = None,
    ) -> None:
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
        self.workers = workers
        self.log_file = self.log_path.open("w")
        self.process = subprocess.Popen(
            command,
            cwd=ROOT,
            env=cli_env(url, env),
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                up = httpx.get(f"{self.base}/healthz", timeout=2).status_code < 500
                if up and (workers == 1 or len(self.worker_pids()) >= workers):
                    return
            except (httpx.HTTPError, psutil.Error):
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

    def worker_rss_mib(self) -> list[float]:
        """Resident memory of each process that serves requests (MiB), largest first."""
        out = []
        for pid in self.worker_pids():
            with contextlib.suppress(psutil.Error):
                out.append(round(psutil.Process(pid).memory_info().rss / 2**20, 1))
        return sorted(out, reverse=True)

    def worker_pids(self) -> list[int]:
        """The processes that serve requests (the workers, or the server itself)."""
        parent = psutil.Process(self.process.pid)
        if self.workers == 1:
            return [parent.pid]
        # uvicorn's supervisor forks a multiprocessing resource tracker too: workers are the
        # children that run the server (spawned with multiprocessing's spawn_main).
        children = [
            c.pid
            for c in parent.children()
            if "python" in c.name() and "resource_tracker" not in " ".join(c.cmdline())
        ]
        return children or [parent.pid]

    def memory(self) -> dict[str, Any]:
        """RSS per worker, the largest worker and the total (supervisor included)."""
        workers = self.worker_rss_mib()
        return {
            "rss_mib": round(self.rss_bytes() / 2**20, 1),
            "rss_workers_mib": workers,
            "rss_worker_max_mib": max(workers) if workers else None,
        }

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


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (nearest rank) of `values`."""
    ordered = sorted(values)
    rank = max(1, min(len(ordered), math.ceil(q / 100 * len(ordered))))
    return ordered[rank - 1]


def guarded(name: str, measure: Callable[..., Any], *args: Any) -> Any:
    """Run one measurement; a failure is recorded in the results instead of ending the run
    (the service changes under the benchmark: a part that breaks must not lose the others)."""
    try:
        return measure(*args)
    except Exception as exc:  # recorded in the results and reported, never hidden
        log(f"{name} failed: {type(exc).__name__}: {exc}")
        return {"available": False, "error": f"{type(exc).__name__}: {exc}"[:500]}


# --- keys and registry writes through the API -----------------------------------------------------


def api_key(db: Database, role: str) -> str:
    """A new key with `role` (client or admin) on this database."""
    return certverify(db.url, "keys", "create", "--role", role, "--name", f"bench-{role}").strip()


def certificate_template(base: str) -> dict[str, Any]:
    """A public certificate of the registry, the model of the certificates the bench creates."""
    items = httpx.get(f"{base}/v1/certificates", params={"page_size": 1}, timeout=60).json()
    return dict(items["items"][0])


def create_certificate(
    client: httpx.Client, admin: str, template: dict[str, Any], number: str, name: str
) -> dict[str, Any]:
    """POST /v1/certificates: a new active certificate of the template's CB and standard."""
    body = {
        "certificate_number": number,
        "certification_body_id": template["certification_body"]["id"],
        "organization": {"name": name, "country": template["organization"]["country"]},
        "standard": template["standard"],
        "scope": template["scope"],
        "sectors": template["sectors"],
        "sites": template["sites"],
        # Current whatever the template: issued a month ago, valid for two more years.
        "issue_date": (date.today() - timedelta(days=30)).isoformat(),
        "expiry_date": (date.today() + timedelta(days=730)).isoformat(),
    }
    response = client.post(
        "/v1/certificates", json=body, headers={"Authorization": f"Bearer {admin}"}
    )
    if response.status_code != 201:
        raise RuntimeError(f"creating {number}: {response.status_code} {response.text[:300]}")
    return dict(response.json())


SYLLABLES = ("zor", "vel", "quin", "tar", "mub", "fen", "lix", "drav", "osk", "pim", "rau", "sel")


def made_up_name(rng: random.Random) -> str:
    """An organisation name no registry holds (three invented words)."""
    words = ["".join(rng.choice(SYLLABLES) for _ in range(3)).capitalize() for _ in range(2)]
    return f"{words[0]} {words[1]} Bench Works"


def search_after_write(base: str, db: Database, repeats: int) -> dict[str, Any]:
    """The first organisation search after a registry write, `repeats` times.

    Each round creates a certificate through the API (an admin key; a new organisation with an
    invented name) and then times the very next search, one for that new name: what a live
    registry's users see right after any write, and proof that the write is searchable at once
    (`found`). Sequential, one connection, one worker."""
    admin = api_key(db, "admin")
    template = certificate_template(base)
    rng = random.Random(RUN_ID)
    times: list[float] = []
    found = 0
    with httpx.Client(base_url=base, timeout=600) as client:
        for index in range(repeats):
            name = made_up_name(rng)
            create_certificate(client, admin, template, f"BENCH-S{RUN_ID}-{index}", name)
            started = time.perf_counter()
            response = client.get(
                "/v1/certificates", params={"organization": name, "page_size": 20}
            )
            times.append(time.perf_counter() - started)
            if response.status_code == 200 and any(
                item["organization"]["name"] == name for item in response.json()["items"]
            ):
                found += 1
    ms = [round(t * 1000, 1) for t in times]
    return {
        "available": True,
        "writes": repeats,
        "found": found,
        "ms": ms,
        "p50_ms": percentile(ms, 50),
        "p95_ms": percentile(ms, 95),
        "max_ms": max(ms),
        "write": "POST /v1/certificates (a new organisation), then GET /v1/certificates?"
        "organization=<its name>",
    }


def invalidation_across_workers(
    base: str, db: Database, workers: int, repeats: int = 5, window: float = 2.0
) -> dict[str, Any]:
    """How long a withdrawal takes to reach every worker's fact cache.

    Each round creates a certificate, verifies it on many fresh connections (the kernel hands
    each to some worker, so every worker caches it), withdraws it through the API and then
    verifies it on fresh connections for `window` seconds: the staleness is the time from the
    withdrawal's response (the commit) to the last answer still giving the verdict from before
    (`valid` for a current certificate). The documented bound is
    CERTVERIFY_FACT_CACHE_REFRESH_MS (500 ms by default)."""
    admin = api_key(db, "admin")
    template = certificate_template(base)
    auth = {"Authorization": f"Bearer {admin}"}
    rounds = []
    with httpx.Client(base_url=base, timeout=60) as client:
        for index in range(repeats):
            number = f"BENCH-I{RUN_ID}-{workers}-{index}"
            cert = create_certificate(
                client, admin, template, number, f"Bench Invalidation {index}"
            )
            time.sleep(1.2)  # past the creation's own invalidation
            seen = {
                str(
                    httpx.get(
                        f"{base}/v1/verify", params={"certificate_number": number}, timeout=60
                    ).json()["verdict"]
                )
                for _ in range(8 * workers)
            }
            if len(seen) != 1 or "withdrawn" in seen:
                raise RuntimeError(f"{number} answered {sorted(seen)} before the withdrawal")
            before = seen.pop()
            response = client.post(
                f"/v1/certificates/{cert['id']}/status", json={"status": "withdrawn"}, headers=auth
            )
            committed = time.perf_counter()
            if response.status_code != 200:
                raise RuntimeError(f"withdrawing {number}: {response.status_code}")
            last_stale = None
            probes = 0
            verdicts: dict[str, int] = {}
            while time.perf_counter() - committed < window:
                answer = httpx.get(
                    f"{base}/v1/verify",
                    params={"certificate_number": number},
                    headers={"Connection": "close"},
                    timeout=60,
                ).json()
                probes += 1
                verdict = str(answer.get("verdict"))
                verdicts[verdict] = verdicts.get(verdict, 0) + 1
                if verdict == before:  # the answer from before the withdrawal: stale
                    last_stale = time.perf_counter() - committed
            rounds.append(
                {
                    "stale_ms": round(last_stale * 1000, 1) if last_stale is not None else 0.0,
                    "probes": probes,
                    "verdict_before": before,
                    "verdicts": verdicts,
                }
            )
    changed = all(r["verdicts"].get("withdrawn") for r in rounds)
    if not changed:
        raise RuntimeError(f"a withdrawal never showed within {window} s: {rounds}")
    stale = [r["stale_ms"] for r in rounds]
    return {
        "available": True,
        "workers": workers,
        "rounds": rounds,
        "max_stale_ms": max(stale),
        "bound_ms": int(os.environ.get("CERTVERIFY_FACT_CACHE_REFRESH_MS", "500")),
        "within_bound": max(stale)
        <= int(os.environ.get("CERTVERIFY_FACT_CACHE_REFRESH_MS", "500")),
    }


# --- batch, import, plans -----------------------------------------------------------------------


def _timed_batch(client: httpx.Client, body: bytes, key: str, accept: str | None) -> dict[str, Any]:
    """One batch request, read as it arrives: status, type, time to first byte and in all."""
    headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
    if accept:
        headers["Accept"] = accept
    started = time.perf_counter()
    first = None
    chunks = []
    with client.stream("POST", "/v1/verifications/batch", content=body, headers=headers) as reply:
        for chunk in reply.iter_raw():
            if first is None and chunk:
                first = time.perf_counter()
            chunks.append(chunk)
        ended = time.perf_counter()
        status = reply.status_code
        media = reply.headers.get("content-type", "").split(";")[0].strip()
        encoding = reply.headers.get("content-encoding")
    payload = b"".join(chunks)
    items = None
    if status == 200 and not encoding:
        if media == NDJSON:
            items = sum(1 for line in payload.splitlines() if line.strip())  # one per item
        else:
            items = len(json.loads(payload).get("results", []))
    return {
        "status": status,
        "media_type": media,
        "seconds": ended - started,
        "ttfb": (first or ended) - started,
        "items": items,
        "bytes": len(payload),
    }


def batch(base: str, db: Database, numbers: Path, repeats: int = 3) -> dict[str, Any]:
    """POST /v1/verifications/batch with 10,000 items drawn from the registry, `repeats` times,
    as JSON and (when the server offers it) as NDJSON: wall time and time to first byte."""
    probe = httpx.post(f"{base}/v1/verifications/batch", json={"items": []}, timeout=30)
    if probe.status_code in (404, 405):
        return {"available": False, "note": "endpoint not available at run time"}
    key = api_key(db, "client")
    rng = random.Random(10)
    pool = [n for n in numbers.read_text().split("\n") if n]
    body = json.dumps(
        {"items": [{"certificate_number": rng.choice(pool)} for _ in range(BATCH_ITEMS)]}
    ).encode()
    out: dict[str, Any] = {"available": False, "items": BATCH_ITEMS}
    with httpx.Client(base_url=base, timeout=600) as client:
        for name, accept in (("json", "application/json"), ("ndjson", NDJSON)):
            runs = []
            for _ in range(repeats):
                one = _timed_batch(client, body, key, accept)
                runs.append(one)
                if one["status"] != 200 or (name == "ndjson" and one["media_type"] != NDJSON):
                    break
            last = runs[-1]
            if last["status"] != 200:
                out[name] = {"available": False, "status": last["status"]}
                continue
            if name == "ndjson" and last["media_type"] != NDJSON:
                out[name] = {"available": False, "note": f"server answered {last['media_type']}"}
                continue
            seconds = [r["seconds"] for r in runs]
            ttfb = [r["ttfb"] for r in runs]
            out[name] = {
                "available": True,
                "seconds": [round(s, 3) for s in seconds],
                "median_s": round(statistics.median(seconds), 3),
                "ttfb_s": [round(t, 3) for t in ttfb],
                "ttfb_median_s": round(statistics.median(ttfb), 3),
                "items_returned": [r["items"] for r in runs],
                "bytes": last["bytes"],
            }
    # The figures of the JSON answer stay at the top level (the shape of earlier results).
    if out.get("json", {}).get("available"):
        out.update(
            available=True,
            status=200,
            seconds=out["json"]["seconds"],
            median_s=out["json"]["median_s"],
        )
    return out


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
    """EXPLAIN QUERY PLAN (SQLite) / EXPLAIN ANALYZE (PostgreSQL) of every statement the
    verification's fact lookup issues (whatever their number) and of the accreditations'."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy.orm import Session

    import app.models  # noqa: F401  (every mapper)
    from app.repositories import accreditations, certificates

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
        with Session(bind=conn) as session:
            captured.clear()
            certificates.certificate_fact_rows_by_number_key(session, key)
            statements = list(captured)
            for index, (statement, params) in enumerate(statements, 1):
                table = _main_table(statement)
                plans[f"verification {index}/{len(statements)}: {table}"] = _explain(
                    conn, prefix + statement, params
                )
            captured.clear()
            accreditations.accreditations_of_certification_body(session, uuid.UUID(str(cb_id)))
            plans["accreditations (cached per CB)"] = _explain(
                conn, prefix + captured[0][0], captured[0][1]
            )
    engine.dispose()
    return plans


def _main_table(statement: str) -> str:
    words = statement.replace("\n", " ").split()
    lowered = [w.lower() for w in words]
    if "from" in lowered:
        return words[lowered.index("from") + 1].strip('"')
    return "statement"


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
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
    }


def bare_ceiling(db: Database, workers: int, args: argparse.Namespace) -> dict[str, Any]:
    """The bare FastAPI endpoint under the same uvicorn, wrk and worker count."""
    bare = Server("bench.bare_app:app", db.url, workers, "bare")
    try:
        wrk(bare.base, None, "/v1/verify?certificate_number=", connections=8, duration=2)
        return wrk(
            bare.base,
            None,
            "/v1/verify?certificate_number=",
            connections=args.connections,
            duration=args.duration,
        )
    finally:
        bare.stop()


VERIFY = "/v1/verify?certificate_number="


def verification_runs(
    server: Server, files: dict[str, Path], args: argparse.Namespace, tag: str, profile_it: bool
) -> dict[str, Any]:
    """Warm the hot set into every worker, then hot-set and uniform verification under wrk."""
    runs: dict[str, Any] = {}
    # The hot set is what the caches hold: ask for each of its numbers once (every worker sees
    # them within a few passes), then warm the server up under wrk.
    warm_hot_set(server.base, files["hot"], passes=1 if server.workers == 1 else 2 * server.workers)
    wrk(server.base, files["hot"], VERIFY, connections=8, duration=3)
    for scenario in ("hot", "uniform"):
        raw = DATA / f"profile-{tag}-{scenario}.txt"
        spy = None
        if profile_it:
            raw.unlink(missing_ok=True)
            spy = threading.Thread(
                target=profile,
                args=(server.worker_pids()[0], max(args.duration - 4, 3), raw),
            )
            spy.start()
        runs[scenario] = wrk(
            server.base,
            files[scenario],
            VERIFY,
            connections=args.connections,
            duration=args.duration,
        )
        if spy is not None:
            spy.join()
            runs[scenario]["profile"] = summarize_profile(raw)
    return runs


def redis_client(url: str) -> Any:
    """A Redis client that answers PING, or None."""
    try:
        import redis

        client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        client.ping()
        return client
    except Exception:  # any failure means: no Redis for the scale-out
        return None


def scale_out(db: Database, files: dict[str, Path], args: argparse.Namespace) -> dict[str, Any]:
    """1, 2 and 4 workers (--scale-workers) with rate limits on and shared through Redis.

    Quotas are set far above what the run sends, so the limiter does all its work (a Lua script
    in Redis per request) and never refuses. Each worker count gets its own bare ceiling, the
    hot-set and uniform runs, RSS per worker and the invalidation that crosses workers."""
    redis = redis_client(args.redis_url)
    if redis is None:
        return {"available": False, "error": f"Redis unreachable at {args.redis_url}"}
    prefix = f"certverify-bench-{RUN_ID}:"
    env = {
        "CERTVERIFY_RATE_LIMIT_ENABLED": "true",
        "CERTVERIFY_REDIS_URL": args.redis_url,
        "CERTVERIFY_REDIS_KEY_PREFIX": prefix,
        "CERTVERIFY_RATE_LIMIT_ANONYMOUS": UNLIMITED,
        "CERTVERIFY_RATE_LIMIT_KEYED": UNLIMITED,
        "CERTVERIFY_RATE_LIMIT_BATCH_ITEMS": UNLIMITED,
    }
    out: dict[str, Any] = {
        "available": True,
        "redis_url": args.redis_url,
        "rate_limits": {k.removeprefix("CERTVERIFY_"): v for k, v in env.items()},
        "cpus": os.cpu_count(),
        "workers": {},
    }
    hot_number = next(n for n in files["hot"].read_text().splitlines() if n)
    for workers in args.scale_workers:
        log(f"{db.kind} scale-out: {workers} worker(s), rate limits through Redis")
        runs: dict[str, Any] = {"bare": bare_ceiling(db, workers, args)}
        server = Server("app.main:app", db.url, workers, f"scale-{db.kind}-{workers}", env=env)
        try:
            probe = httpx.get(
                f"{server.base}/v1/verify", params={"certificate_number": hot_number}, timeout=60
            )
            runs["ratelimit_header"] = probe.headers.get("ratelimit")
            runs.update(verification_runs(server, files, args, f"scale-{db.kind}-{workers}", False))
            runs.update(server.memory())
            runs["invalidation"] = guarded(
                "invalidation", invalidation_across_workers, server.base, db, workers
            )
        finally:
            server.stop()
        keys = list(redis.scan_iter(match=f"{prefix}*", count=1000))
        runs["redis_keys"] = len(keys)
        for chunk in range(0, len(keys), 500):
            redis.delete(*keys[chunk : chunk + 500])
        out["workers"][str(workers)] = runs
    one = out["workers"].get("1")
    if one:
        for workers, runs in out["workers"].items():
            if workers == "1":
                continue
            out[f"ratio_{workers}_1"] = {
                scenario: round(runs[scenario]["rps"] / one[scenario]["rps"], 2)
                for scenario in ("bare", "hot", "uniform")
                if runs.get(scenario) and one.get(scenario) and one[scenario]["rps"]
            }
    return out


def run_size(
    kind: str, size: int, args: argparse.Namespace, command: str, previous: dict[str, Any] | None
) -> dict[str, Any]:
    """Everything measured for one database kind and registry size."""
    name = f"registry-{size}" if kind == "sqlite" else f"certverify_bench_{size}"
    db = Database(kind, name, args.pg_url)
    build = build_registry(db, size, args.rebuild, args.reuse_built)
    files = draw_inputs(db, size)
    parts = args.parts
    now = datetime.now(UTC).isoformat(timespec="seconds")
    if previous:
        # A partial run (--only) keeps the other figures and the command that measured them,
        # and records what it measured again, when, with which command.
        result = previous
        result.setdefault("partial_runs", []).append(
            {"command": command, "measured_at": now, "parts": sorted(parts), "commit": git_commit()}
        )
    else:
        result = {
            "runs": {},
            "command": command,
            "measured_at": now,
            "commit": git_commit(),
            "machine": machine(),
            "parts": sorted(parts),
        }
    result.update(
        database=kind,
        size=size,
        build=build,
        build_seconds=build.get("build_seconds"),
        database_mib=round(db.size_bytes() / 2**20, 1),
    )
    if db.kind == "postgres":
        result["relations"] = guarded("relation sizes", relation_sizes, db)
    if build.get("bulk_import"):
        result["bulk_import"] = build["bulk_import"]
    served = parts & {"verify", "search", "write-search", "batch", "stack"}
    # Search, batch, writes and the stack run on one worker; more workers only verify.
    counts = [w for w in args.workers if w == 1 or "verify" in parts] if served else []
    for workers in counts:
        log(f"{kind} {size:,}: {workers} worker(s)")
        runs: dict[str, Any] = dict(result["runs"].get(str(workers), {}))
        if "verify" in parts:
            runs["bare"] = bare_ceiling(db, workers, args)
        server = Server("app.main:app", db.url, workers, f"server-{kind}-{size}-{workers}")
        try:
            runs["rss_idle_mib"] = round(server.rss_bytes() / 2**20, 1)
            if "verify" in parts:
                tag = f"{kind}-{size}-{workers}"
                runs.update(
                    verification_runs(server, files, args, tag, args.profile and workers == 1)
                )
            if workers == 1 and "search" in parts:
                # Warm whatever the search keeps (an index, the ORM), then measure.
                httpx.get(
                    f"{server.base}/v1/certificates",
                    params={"organization": "warm up", "page_size": 20},
                    timeout=600,
                )
                runs["search"] = wrk(
                    server.base,
                    files["search"],
                    "/v1/certificates?page_size=20&organization=",
                    connections=args.search_connections,
                    duration=args.duration,
                )
            if workers == 1 and "batch" in parts:
                runs["batch"] = guarded("batch", batch, server.base, db, files["uniform"])
            if workers == 1 and "write-search" in parts and args.write_searches:
                runs["search_after_write"] = guarded(
                    "search after a write",
                    search_after_write,
                    server.base,
                    db,
                    args.write_searches,
                )
            runs.update(server.memory())
        finally:
            server.stop()
        if workers == 1 and "stack" in parts and args.stack:
            runs["stack"] = guarded("stack", stack_references, db, files["hot"], args)
        result["runs"][str(workers)] = runs
    if "scale-out" in parts and args.scale_out and kind in args.scale_out_databases:
        result["scale_out"] = scale_out(db, files, args)
    if "plans" in parts and args.plans:
        result["plans"] = guarded("plans", query_plans, db)
    if not args.keep:
        db.drop()
    return result


def preflight(args: argparse.Namespace) -> None:
    """Say at once what a fresh machine lacks, instead of failing an hour into the run."""
    if "postgres" in args.databases.split(","):
        try:
            engine = create_engine(args.pg_url, connect_args={"connect_timeout": 5})
            with engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            engine.dispose()
        except Exception as exc:  # the message names the URL and the way out
            raise SystemExit(
                f"bench: PostgreSQL is not reachable at {make_url(args.pg_url)!r} ({exc}); "
                "start it, pass --pg-url (or CERTVERIFY_BENCH_PG_URL), or run "
                "--databases sqlite"
            ) from exc
    wants_redis = "scale-out" in args.parts and args.scale_out
    scaled = args.scale_out_databases & set(args.databases.split(","))
    if wants_redis and scaled and redis_client(args.redis_url) is None:
        log(
            f"Redis is not reachable at {args.redis_url}: the scale-out will be reported as "
            "not measured (start Redis or pass --redis-url / CERTVERIFY_BENCH_REDIS_URL)"
        )


def main() -> None:
    """Parse the options, run every database and size, write the results and the report."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--databases", default="sqlite,postgres")
    parser.add_argument("--duration", type=int, default=10, help="Seconds per wrk run.")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--search-connections", type=int, default=4)
    parser.add_argument("--workers", default="1,2", help="Worker counts (rate limits off).")
    parser.add_argument(
        "--scale-workers", default="1,2,4", help="Scale-out worker counts (Redis rate limits)."
    )
    parser.add_argument("--scale-out-databases", default="postgres")
    parser.add_argument("--no-scale-out", dest="scale_out", action="store_false")
    parser.add_argument(
        "--redis-url", default=os.environ.get("CERTVERIFY_BENCH_REDIS_URL", REDIS_DEFAULT)
    )
    parser.add_argument(
        "--write-searches", type=int, default=20, help="Writes, each followed by a timed search."
    )
    parser.add_argument("--pg-url", default=os.environ.get("CERTVERIFY_BENCH_PG_URL", PG_DEFAULT))
    parser.add_argument("--import-rows", type=int, default=IMPORT_ROWS)
    parser.add_argument(
        "--only",
        default=",".join(PARTS),
        help=f"Comma-separated parts to measure ({', '.join(PARTS)}); the others keep the "
        "figures already in bench/results/<database>-<size>.json.",
    )
    parser.add_argument("--rebuild", action="store_true", help="Rebuild kept registries.")
    parser.add_argument(
        "--reuse-built",
        action="store_true",
        help="Reuse a kept registry built from other (or uncommitted) code on the same migrations.",
    )
    parser.add_argument(
        "--keep", action="store_true", help="Keep PostgreSQL databases (reused by the next run)."
    )
    parser.add_argument("--no-profile", dest="profile", action="store_false")
    parser.add_argument("--no-plans", dest="plans", action="store_false")
    parser.add_argument("--no-stack", dest="stack", action="store_false")
    parser.add_argument("--no-report", dest="report", action="store_false")
    args = parser.parse_args()
    args.workers = [int(w) for w in args.workers.split(",") if w]
    args.scale_workers = [int(w) for w in args.scale_workers.split(",") if w]
    args.scale_out_databases = set(args.scale_out_databases.split(","))
    args.parts = {p.strip() for p in args.only.split(",") if p.strip()}
    unknown = args.parts - set(PARTS)
    if unknown:
        parser.error(f"--only: unknown part(s) {', '.join(sorted(unknown))}; parts: {PARTS}")
    partial = args.parts != set(PARTS)
    preflight(args)
    # SIGTERM (make interrupted, a CI timeout) unwinds like Ctrl-C: servers are stopped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    command = "python bench/run.py " + shlex.join(sys.argv[1:])
    DATA.mkdir(parents=True, exist_ok=True)
    RESULTS.mkdir(parents=True, exist_ok=True)
    sizes = [int(s) for s in args.sizes.split(",")]
    for kind in args.databases.split(","):
        for size in sizes:
            out = RESULTS / f"{kind}-{size}.json"
            previous = json.loads(out.read_text()) if partial and out.exists() else None
            if args.parts == {"import"}:  # the import needs no registry of this size
                if size != max(sizes):
                    continue
                result = previous or {"database": kind, "size": size, "runs": {}}
                result.setdefault("partial_runs", []).append(
                    {
                        "command": command,
                        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                        "parts": ["import"],
                        "commit": git_commit(),
                    }
                )
                result.setdefault("command", command)
                result.setdefault("measured_at", result["partial_runs"][-1]["measured_at"])
                result.setdefault("machine", machine())
                result.setdefault("database_mib", 0.0)
            else:
                result = run_size(kind, size, args, command, previous)
            if size == max(sizes) and args.import_rows and "import" in args.parts:
                log(f"{kind}: import rate ({args.import_rows:,} rows)")
                result["import"] = guarded(
                    "import", import_rate, kind, args.pg_url, args.import_rows
                )
            out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
            log(f"wrote {out.relative_to(ROOT)}")
    if args.report:
        subprocess.run([sys.executable, str(BENCH / "report.py")], check=True, cwd=ROOT)


if __name__ == "__main__":
    main()
