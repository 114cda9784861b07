"""Micro-measurements quoted in BENCHMARKS.md, each reproducible on its own.

Usage:
  python bench/micro.py middleware
      µs per call of the request-timeout middleware around a trivial ASGI app (uvloop, as under
      uvicorn), and of redact() on an access-log line.
  python bench/micro.py search REGISTRY_URL QUERIES_FILE [--exhaustive]
      organisation search scoring (services/search.py) over the queries, in-process: p50/p95 ms
      and the organisations matched; with --exhaustive also what a WRatio scan of every name and
      alias (the previous rule) matched.
  python bench/micro.py batch REGISTRY_URL NUMBERS_FILE
      verify_batch of 10,000 random numbers, three rounds, with the garbage collector on and
      then off.
"""

from __future__ import annotations

import gc
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def middleware() -> None:
    """Per-call cost of RequestTimeoutMiddleware and of redact()."""
    from app.config import Settings
    from app.http.limits import RequestTimeoutMiddleware
    from app.http.observability import redact

    async def inner(_scope: Any, _receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    async def run() -> None:
        timed = RequestTimeoutMiddleware(inner, Settings(request_timeout_seconds=10))

        async def receive() -> dict[str, Any]:
            return {}

        async def send(_message: Any) -> None:
            return None

        scope = {"type": "http", "path": "/v1/verify"}
        for label, app in (("bare app", inner), ("timeout middleware", timed)):
            started = time.perf_counter()
            for _ in range(50_000):
                await app(scope, receive, send)
            print(f"{label}: {(time.perf_counter() - started) / 50_000 * 1e6:.1f} µs a request")

    import uvloop  # the event loop uvicorn runs the service on

    uvloop.run(run())
    line = (
        '{"ts": "2026-11-26T12:00:00.000+00:00", "level": "info", "logger": "certverify.access", '
        '"message": "GET /v1/verify 200", "request_id": "0123456789abcdef", "path": "/v1/verify"}'
    )
    started = time.perf_counter()
    for _ in range(50_000):
        redact(line)
    print(f"redact(access-log line): {(time.perf_counter() - started) / 50_000 * 1e6:.2f} µs")


def search(url: str, queries_file: str, exhaustive: bool) -> None:
    """Scoring time of the benchmark's queries, and the matches under both rules."""
    from rapidfuzz import fuzz, process

    from app.db import make_engine
    from app.domain.names import SEARCH_THRESHOLD, fold_name
    from app.services.verification import search as service

    queries = [q for q in Path(queries_file).read_text().splitlines() if q]
    engine = make_engine(url)
    with engine.connect() as conn:
        from sqlalchemy.orm import Session

        session = Session(bind=conn)
        started = time.perf_counter()
        index = service._name_index(session, None)
        print(f"index: {time.perf_counter() - started:.1f} s, {len(index.choices):,} names")
        times, matched, previous = [], 0, 0
        for query in queries:
            started = time.perf_counter()
            candidates = service._candidates(index, fold_name(query))
            scores = process.cdist(
                [fold_name(query)],
                [index.choices[c] for c in candidates.tolist()],
                scorer=fuzz.WRatio,
                score_cutoff=SEARCH_THRESHOLD,
            )[0]
            times.append(time.perf_counter() - started)
            matched += len({index.owner[c] for c in candidates[scores.nonzero()[0]].tolist()})
            if exhaustive:
                hits = process.extract(
                    fold_name(query),
                    index.choices,
                    scorer=fuzz.WRatio,
                    score_cutoff=SEARCH_THRESHOLD,
                    limit=None,
                )
                previous += len({index.owner[i] for _, _, i in hits})
    times.sort()
    p95 = times[int(len(times) * 0.95) - 1]
    print(
        f"{len(queries)} queries: p50 {statistics.median(times) * 1e3:.1f} ms, "
        f"p95 {p95 * 1e3:.1f} ms; organisations matched {matched:,}"
        + (f" (every-name WRatio scan: {previous:,})" if exhaustive else "")
    )
    engine.dispose()


def batch(url: str, numbers_file: str) -> None:
    """verify_batch of 10,000 uniform numbers, GC on, then off."""
    from sqlalchemy.orm import Session

    from app.db import make_engine
    from app.schemas.verification import VerificationRequestIn
    from app.services.verification.batch import verify_batch

    numbers = [n for n in Path(numbers_file).read_text().splitlines() if n]
    engine = make_engine(url)
    rng = random.Random(1)
    for collector in ("on", "off"):
        if collector == "off":
            gc.disable()
        for _ in range(3):
            items = [
                VerificationRequestIn(certificate_number=n) for n in rng.sample(numbers, 10_000)
            ]
            with Session(engine) as session:
                started = time.perf_counter()
                verify_batch(session, items=list(items))
                print(f"gc {collector}: {time.perf_counter() - started:.2f} s")
    gc.enable()
    engine.dispose()


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "middleware":
        middleware()
    elif command == "search":
        search(args[0], args[1], "--exhaustive" in args)
    elif command == "batch":
        batch(args[0], args[1])
    else:
        raise SystemExit(__doc__)
