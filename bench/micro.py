"""Micro-measurements quoted in BENCHMARKS.md, each reproducible on its own.

Usage:
  python bench/micro.py middleware
      µs per call of the request-timeout middleware around a trivial ASGI app (uvloop, as under
      uvicorn), and of redact() on an access-log line.
  python bench/micro.py search REGISTRY_URL QUERIES_FILE [--exhaustive]
      organisation search (services/verification/search.py, on the databases' text indexes)
      over the queries, in-process: p50/p95 ms and the organisations matched; then one write
      (a certificate of a new organisation, committed: it stays in the registry) and the time
      of the first search after it; with --exhaustive also what a WRatio scan of every name
      and alias (the rule before issue 15) matched.
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
    """Per-call cost of RequestTimeoutMiddleware, of the edge layer and of redact()."""
    from app.config import Settings
    from app.http.edge import EdgeMiddleware
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

        edge = EdgeMiddleware(inner, Settings())
        scope = {"type": "http", "path": "/v1/verify", "method": "GET", "headers": []}
        layers = (("bare app", inner), ("timeout middleware", timed), ("edge middleware", edge))
        for label, app in layers:  # the edge without a log handler: the access log is off
            started = time.perf_counter()
            for _ in range(50_000):
                await app(dict(scope), receive, send)
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
    """Scoring time of the benchmark's queries through the databases' text indexes, the first
    search after a committed write, and (--exhaustive) what a WRatio scan of every public name
    and alias would match."""
    import uuid

    from rapidfuzz import fuzz, process
    from sqlalchemy.orm import Session

    from app.db import make_engine
    from app.domain.names import SEARCH_THRESHOLD, fold_name
    from app.models import CertificationBody
    from app.repositories.certificates import public_organization_names
    from app.schemas.certificates import CertificateCreate
    from app.services.auth import Principal, Role
    from app.services.registry.certificates import create_certificate
    from app.services.verification import search as service

    queries = [q for q in Path(queries_file).read_text().splitlines() if q]
    engine = make_engine(url)
    times, cpu, matched = [], [], 0
    with Session(engine) as session:
        for query in queries:
            started, started_cpu = time.perf_counter(), time.process_time()
            matched += len(service._organization_scores(session, query, None))
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)

    def p50_p95(values: list[float]) -> str:
        values = sorted(values)
        p95 = values[int(len(values) * 0.95) - 1]
        return f"p50 {statistics.median(values) * 1e3:.1f} ms, p95 {p95 * 1e3:.1f} ms"

    # CPU time of this process: on SQLite (in-process) the whole cost, on a shared machine
    # steadier than the wall clock; on PostgreSQL the server's part is not in it.
    print(
        f"{len(queries)} queries: wall {p50_p95(times)}; this process's CPU {p50_p95(cpu)}; "
        f"organisations matched {matched:,}"
    )
    # The first search after a write: a new organisation, committed, then searched for from a
    # new session (nothing to rebuild: the write path updated the index).
    tag = uuid.uuid4().hex[:8]
    with Session(engine) as session:
        cb_id = session.query(CertificationBody.id).order_by(CertificationBody.id).first()[0]
        principal = Principal(key_id=uuid.uuid4(), role=Role.ADMIN)
        started = time.perf_counter()
        create_certificate(
            session,
            principal=principal,
            data=CertificateCreate.model_validate(
                {
                    "certification_body_id": str(cb_id),
                    "certificate_number": f"BENCH-{tag}",
                    "organization": {"name": f"Benchwrite {tag} Logistics Ltd", "country": "GB"},
                    "standard": "ISO 9001:2015",
                    "sectors": [31],
                    "issue_date": "2024-03-01",
                    "expiry_date": "2027-02-28",
                }
            ),
        )
        session.commit()
        wrote = time.perf_counter() - started
    with Session(engine) as session:
        started = time.perf_counter()
        found = service._organization_scores(session, f"benchwrite {tag} logistics", None)
        first = time.perf_counter() - started
    assert len(found) == 1, found
    print(
        f"write (create_certificate + commit) {wrote * 1e3:.1f} ms; first search after it "
        f"{first * 1e3:.1f} ms"
    )
    if exhaustive:
        with Session(engine) as session:
            choices, owners = [], []
            for org_id, name_key, aliases in public_organization_names(session, None):
                for choice in (name_key, *(fold_name(a) for a in aliases)):
                    choices.append(choice)
                    owners.append(org_id)
        previous = 0
        for query in queries:
            hits = process.extract(
                fold_name(query),
                choices,
                scorer=fuzz.WRatio,
                score_cutoff=SEARCH_THRESHOLD,
                limit=None,
            )
            previous += len({owners[i] for _, _, i in hits})
        print(f"every-name WRatio scan matched {previous:,}")
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
