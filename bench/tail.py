"""The tail of GET /v1/verify, in one sitting: bare ceiling, the service's stack, the hot set.

Usage:
  python bench/tail.py DATABASE_URL HOT_NUMBERS_FILE [--runs 3] [--duration 10]
      [--connections 32] [--port 8130] [--targets bare,constant,hot] [--profile DIR]
      [--json OUT]

Starts one uvicorn worker per target (as bench/run.py does: rate limits off, the application's
access log on and written to a file, uvicorn's off), each inside a wrapper that records every
garbage collection (generation, pause) with `gc.callbacks`; verifies every hot number once and
warms each server up with 3 s of wrk; then runs `wrk -t2 -cC -dDs --latency` RUNS times per
target, the targets interleaved (bare, constant, hot, bare, ...) so that drift on a shared
machine hits them alike. Prints each run, the medians (requests/s, p50, p99, ratio to bare) and
the collector's pauses inside the timed windows. With --profile, py-spy records the hot target
during its last run (`--gil --idle`, raw and a top-down summary) into DIR.

Targets:
  bare      bench/bare_app.py  GET /v1/verify (a constant from bare FastAPI: the ceiling)
  constant  bench/stack_app.py GET /bench/constant (a constant behind every middleware)
  hot       app.main           GET /v1/verify?certificate_number=<hot set>

  python bench/tail.py serve APP --port P --gc-log FILE
      (internal) run APP under uvicorn, logging collections to FILE as JSON lines at exit.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
LUA = ROOT / "bench" / "wrk" / "numbers.lua"
BIN = Path(sys.executable).parent
TARGETS: dict[str, tuple[str, str]] = {
    "bare": ("bench.bare_app:app", "/v1/verify?certificate_number="),
    "constant": ("bench.stack_app:app", "/bench/constant?x="),
    "hot": ("app.main:app", "/v1/verify?certificate_number="),
}


# --- the server side ----------------------------------------------------------------------------


def serve(app: str, port: int, gc_log: Path) -> None:
    """Run `app` under uvicorn (one worker), recording every collection's pause."""
    pauses: list[tuple[float, int, float, int]] = []
    started = [0.0]

    def note(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            pauses.append(
                (
                    time.time(),
                    info["generation"],
                    time.perf_counter() - started[0],
                    info["collected"],
                )
            )

    def dump(*_: Any) -> None:
        if note in gc.callbacks:
            gc.callbacks.remove(note)
        with gc_log.open("w") as out:
            for at, generation, seconds, collected in pauses:
                out.write(
                    json.dumps({"at": at, "gen": generation, "ms": seconds * 1e3, "n": collected})
                    + "\n"
                )
        sys.exit(0)

    # uvicorn restores this handler after its graceful shutdown and raises the signal again.
    signal.signal(signal.SIGTERM, dump)
    gc.callbacks.append(note)
    sys.path.insert(0, str(ROOT))
    import uvicorn

    uvicorn.run(app, host="127.0.0.1", port=port, log_level="warning", access_log=False)
    dump()


# --- the driver ---------------------------------------------------------------------------------


class Server:
    """One target's server process, its access log and gc log under `workdir`."""

    def __init__(self, name: str, url: str, port: int, workdir: Path) -> None:
        import httpx

        self.name = name
        self.app, self.prefix = TARGETS[name]
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.gc_log = workdir / f"{name}.gc.jsonl"
        self.log_path = workdir / f"{name}.log"
        env = dict(os.environ)
        env.update(
            CERTVERIFY_DATABASE_URL=url,
            CERTVERIFY_RATE_LIMIT_ENABLED="false",
            CERTVERIFY_IN_PROCESS_WORKER="false",
        )
        env.pop("CERTVERIFY_READ_DATABASE_URL", None)
        self.log_file = self.log_path.open("w")
        log = str(self.gc_log)
        self.process = subprocess.Popen(
            [sys.executable, __file__, "serve", self.app, "--port", str(port), "--gc-log", log],
            cwd=ROOT,
            env=env,
            stdout=self.log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/healthz", timeout=2).status_code < 600:
                    return
            except httpx.HTTPError:
                pass
            if self.process.poll() is not None:
                break
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"{name} did not start; see {self.log_path}")

    def stop(self) -> None:
        """SIGTERM (uvicorn stops gracefully and the wrapper writes its gc log)."""
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log_file.close()

    def cpu_seconds(self) -> float:
        """CPU time the server process has used (every thread, user and system)."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def pauses(self) -> list[dict[str, Any]]:
        """Every collection the server noted (after stop)."""
        if not self.gc_log.exists():
            return []
        return [json.loads(line) for line in self.gc_log.read_text().splitlines() if line]


def wrk(base: str, prefix: str, numbers: Path, connections: int, duration: int) -> dict[str, Any]:
    """One wrk run with the line-drawing script: requests/s and latencies (ms), its window."""
    env = dict(os.environ, PATH_PREFIX=prefix, NUMBERS_FILE=str(numbers))
    command = ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "10s"]
    command += ["--latency", "-s", str(LUA), base]
    began = time.time()
    out = subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout
    ended = time.time()
    raw = json.loads(next(ln for ln in out.splitlines() if ln.startswith("WRK_JSON "))[9:])
    return {
        "rps": raw["requests"] / (raw["duration_us"] / 1e6),
        "p50_ms": raw["p50_us"] / 1000,
        "p99_ms": raw["p99_us"] / 1000,
        "max_ms": raw["max_us"] / 1000,
        "errors": raw["connect_errors"] + raw["read_errors"] + raw["write_errors"],
        "non_2xx": raw["status_errors"],
        "window": (began, ended),
    }


def warm(server: Server, numbers: Path, connections: int) -> None:
    """Verify every hot number once (what the caches hold), then 3 s of wrk."""
    import httpx

    if server.name == "hot":
        with httpx.Client(base_url=server.base, timeout=60) as client:
            for number in numbers.read_text().splitlines():
                if number:
                    client.get("/v1/verify", params={"certificate_number": number})
    wrk(server.base, server.prefix, numbers, min(8, connections), 3)


def gc_summary(pauses: list[dict[str, Any]], windows: list[tuple[float, float]]) -> dict[str, Any]:
    """Collections inside the timed windows: count, total and largest pause per generation."""
    inside = [p for p in pauses if any(a <= p["at"] <= b for a, b in windows)]
    seconds = sum(b - a for a, b in windows) or 1.0
    out: dict[str, Any] = {}
    for generation in (0, 1, 2):
        ms = sorted(p["ms"] for p in inside if p["gen"] == generation)
        out[f"gen{generation}"] = {
            "count": len(ms),
            "per_s": round(len(ms) / seconds, 1),
            "total_ms": round(sum(ms), 1),
            "max_ms": round(ms[-1], 2) if ms else 0.0,
            "p50_ms": round(ms[len(ms) // 2], 3) if ms else 0.0,
        }
    out["share_of_time"] = round(sum(p["ms"] for p in inside) / 1e3 / seconds, 4)
    return out


def main() -> None:
    """Parse the arguments and run the sitting (or serve, for the wrapper)."""
    if len(sys.argv) > 1 and sys.argv[1] == "serve":
        parser = argparse.ArgumentParser()
        parser.add_argument("serve")
        parser.add_argument("app")
        parser.add_argument("--port", type=int, required=True)
        parser.add_argument("--gc-log", type=Path, required=True)
        args = parser.parse_args()
        serve(args.app, args.port, args.gc_log)
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("url")
    parser.add_argument("numbers", type=Path)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--port", type=int, default=8130)
    parser.add_argument("--targets", default="bare,constant,hot")
    parser.add_argument("--profile", type=Path, default=None)
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/certverify-tail"))
    args = parser.parse_args()
    args.workdir.mkdir(parents=True, exist_ok=True)
    names = [n for n in args.targets.split(",") if n]
    servers: dict[str, Server] = {}
    results: dict[str, list[dict[str, Any]]] = {n: [] for n in names}
    try:
        for offset, name in enumerate(names):
            servers[name] = Server(name, args.url, args.port + offset, args.workdir)
            warm(servers[name], args.numbers, args.connections)
        for run in range(args.runs):
            for name in names:
                server = servers[name]
                profiler = None
                if args.profile is not None and name == "hot" and run == args.runs - 1:
                    args.profile.mkdir(parents=True, exist_ok=True)
                    spy = [str(BIN / "py-spy"), "record", "-p", str(server.process.pid)]
                    spy += ["-d", str(args.duration), "-r", "250", "--gil", "--idle"]
                    spy += ["-f", "raw", "-o", str(args.profile / "hot.raw")]
                    profiler = subprocess.Popen(
                        spy,
                        stdout=subprocess.DEVNULL,
                        stderr=subprocess.DEVNULL,
                    )
                cpu_before = server.cpu_seconds()
                result = wrk(
                    server.base, server.prefix, args.numbers, args.connections, args.duration
                )
                requests = result["rps"] * args.duration
                result["cpu_us"] = (server.cpu_seconds() - cpu_before) / max(requests, 1) * 1e6
                if profiler is not None:
                    profiler.wait()
                results[name].append(result)
                print(
                    f"run {run + 1} {name:9} {result['rps']:8,.0f} /s  p50 {result['p50_ms']:6.1f}"
                    f"  p99 {result['p99_ms']:6.1f}  max {result['max_ms']:6.1f} ms"
                    f"  cpu {result['cpu_us']:5.0f} us/request"
                    f"  errors {result['errors']} non-2xx {result['non_2xx']}",
                    flush=True,
                )
    finally:
        for server in servers.values():
            server.stop()
    summary: dict[str, Any] = {}
    bare = statistics.median(r["rps"] for r in results["bare"]) if "bare" in results else None
    print("\nmedians:")
    for name in names:
        runs = results[name]
        if not runs:
            continue
        rps = statistics.median(r["rps"] for r in runs)
        entry = {
            "rps": round(rps, 1),
            "p50_ms": round(statistics.median(r["p50_ms"] for r in runs), 2),
            "p99_ms": round(statistics.median(r["p99_ms"] for r in runs), 2),
            "cpu_us": round(statistics.median(r["cpu_us"] for r in runs), 1),
            "ratio": round(rps / bare, 3) if bare else None,
            "runs": [{k: v for k, v in r.items() if k != "window"} for r in runs],
            "gc": gc_summary(servers[name].pauses(), [r["window"] for r in runs]),
        }
        summary[name] = entry
        ratio = f"{entry['ratio']:.2f}x" if entry["ratio"] is not None else "-"
        gen = entry["gc"]
        print(
            f"  {name:9} {rps:8,.0f} /s {ratio:>6}  p50 {entry['p50_ms']:6.1f}  p99 "
            f"{entry['p99_ms']:6.1f} ms, cpu {entry['cpu_us']:.0f} us/request | gc: gen0 "
            f"{gen['gen0']['per_s']}/s, gen1 "
            f"{gen['gen1']['per_s']}/s, gen2 {gen['gen2']['count']} (max {gen['gen2']['max_ms']}"
            f" ms, total {gen['gen2']['total_ms']} ms), {gen['share_of_time']:.1%} of the time"
        )
    if args.json is not None:
        args.json.write_text(json.dumps(summary, indent=2) + "\n")


if __name__ == "__main__":
    main()
