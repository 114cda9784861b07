"""In-process cost of one verification and of its parts, without HTTP (BENCHMARKS.md, "Design").

Usage: python bench/inprocess.py SQLITE_OR_POSTGRES_URL NUMBERS_FILE HOT_FILE [--batch-profile]
Prints microseconds per call: a verification served from the fact cache (hot set), one that
misses it (uniform), the same with the cache turned off, the JCS encoders and receipt signing;
with --batch-profile, a pyinstrument profile of verify_batch over 10,000 uniform numbers.
"""

from __future__ import annotations

import json
import random
import sys
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import rfc8785
from joserfc import jws
from sqlalchemy.orm import Session

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from app.db import make_engine
from app.domain.normalize import normalize_certificate_number
from app.repositories.certificates import certificate_fact_rows_by_number_key
from app.schemas.verification import VerificationRequestIn
from app.services.verification.answer import verify_certificate, verify_from_cache
from app.services.verification.cache import configure_cache
from app.services.verification.fact_mapping import certificate_facts_of_rows
from app.services.verification.receipts import (
    ALGORITHM,
    active_signing_key,
    canonical_json,
    receipt_header,
    sign_compact,
)


def per_call_us(fn: Callable[[], Any], calls: int) -> float:
    """Mean microseconds per call after a warm-up of a tenth as many calls."""
    for _ in range(max(calls // 10, 1)):
        fn()
    started = time.perf_counter()
    for _ in range(calls):
        fn()
    return round((time.perf_counter() - started) / calls * 1e6, 1)


def main() -> None:
    """Measure and print a JSON object of microseconds per call."""
    url, numbers_file, hot_file = sys.argv[1:4]
    engine = make_engine(url)
    numbers = Path(numbers_file).read_text().split("\n")
    numbers = [n for n in numbers if n]
    hot = [n for n in Path(hot_file).read_text().split("\n") if n]
    rng = random.Random(1)

    def verify(pool: list[str]) -> Callable[[], Any]:
        def run() -> Any:
            with Session(engine) as session:
                number = rng.choice(pool)
                answer = verify_certificate(
                    session, request=VerificationRequestIn(certificate_number=number)
                )
                session.commit()
            return answer

        return run

    out: dict[str, Any] = {}
    verdicts: Counter[str] = Counter()
    for number in hot:
        with Session(engine) as session:
            request = VerificationRequestIn(certificate_number=number)
            verdicts[verify_certificate(session, request=request)["verdict"]] += 1
    out["hot set verdicts"] = dict(verdicts.most_common())
    configure_cache(engine, refresh_seconds=0.5, max_entries=20_000)
    out["verify, hot set, from the fact cache"] = per_call_us(verify(hot), 3000)
    out["verify, uniform, fact cache (mostly misses)"] = per_call_us(verify(numbers), 3000)
    # The event-loop path of GET /v1/verify: every fact and the answer memoised, no poll due.
    configure_cache(engine, refresh_seconds=3600, max_entries=20_000)
    for number in hot:
        with Session(engine) as session:
            verify_certificate(session, request=VerificationRequestIn(certificate_number=number))
    hot_requests = [VerificationRequestIn(certificate_number=n) for n in hot]
    out["verify_from_cache (event-loop path), hot set"] = per_call_us(
        lambda: verify_from_cache(engine, request=rng.choice(hot_requests)), 3000
    )
    configure_cache(engine, refresh_seconds=0.5, max_entries=0)
    out["verify, hot set, fact cache off"] = per_call_us(verify(hot), 2000)
    out["verify, uniform, fact cache off"] = per_call_us(verify(numbers), 2000)
    with Session(engine) as session:
        keys = [normalize_certificate_number(n) for n in numbers]
        out["certificate facts of one number, read and mapped (uniform)"] = per_call_us(
            lambda: certificate_facts_of_rows(
                certificate_fact_rows_by_number_key(session, rng.choice(keys))
            ),
            3000,
        )

    answer = verify(hot)()
    del answer["receipt"]
    out["JCS: rfc8785.dumps"] = per_call_us(lambda: rfc8785.dumps(answer), 3000)
    out["JCS: canonical_json"] = per_call_us(lambda: canonical_json(answer), 3000)
    with Session(engine) as session:
        key = active_signing_key(session)
    body = json.dumps(answer["query"]).encode()
    out["sign: jws.serialize_compact"] = per_call_us(
        lambda: jws.serialize_compact(receipt_header(key), body, key, algorithms=[ALGORITHM]),
        3000,
    )
    out["sign: sign_compact"] = per_call_us(lambda: sign_compact(key, body), 3000)
    print(json.dumps(out, indent=2))
    if "--batch-profile" in sys.argv:
        batch_profile(engine, numbers)
    engine.dispose()


def batch_profile(engine: Any, numbers: list[str]) -> None:
    """Profile POST /v1/verifications/batch's service call for 10,000 items (pyinstrument)."""
    from pyinstrument import Profiler

    from app.services.verification.batch import verify_batch

    rng = random.Random(2)
    items = [VerificationRequestIn(certificate_number=rng.choice(numbers)) for _ in range(10_000)]
    profiler = Profiler(interval=0.001)
    with Session(engine) as session:
        profiler.start()
        started = time.perf_counter()
        verify_batch(session, items=items)
        seconds = time.perf_counter() - started
        profiler.stop()
        session.rollback()
    print(f"verify_batch, 10,000 items: {seconds:.2f} s")
    print(profiler.output_text(unicode=False, color=False, show_all=False))


if __name__ == "__main__":
    main()
