"""Issue 16, item 4: the streamed batch (chunks, the batch's memo, facts carried from chunk to
chunk, half of them from the fact cache) answers exactly what single verifications answer."""

from __future__ import annotations

from datetime import date
from typing import Any

import orjson
import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app.db import make_engine
from app.domain.facts import CheckCode, CheckResult, Outcome
from app.schemas.verification import VerificationRequestIn
from app.services.verification import batch
from app.services.verification import cache as fact_cache
from app.services.verification.answer import (
    PrefetchedFacts,
    _details_json,
    _jsonable,
    evaluate,
)
from app.services.verification.cache import configure_cache
from app.services.verification.receipts import reset_key_cache
from tests.cache.test_fact_cache import (
    NOW,
    Clock,
    _sample_requests,
    _verify,
    demo_database,  # noqa: F401  (the module's registry fixture)
)

UNSIGNED = {"verification_id", "checked_at", "receipt"}


@pytest.mark.parametrize("media", [batch.NDJSON_MEDIA, batch.JSON_MEDIA])
def test_streamed_batch_answers_equal_single_answers(
    demo_database: str,  # noqa: F811
    media: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Every showcase verdict and 190 more requests, each twice (the memo answers the repeat),
    in chunks of 7 then 13 items, with the fact cache off and on (half the facts cached before):
    every answer equals the single verification's but for id, checked_at and receipt."""
    monkeypatch.setattr(batch, "FIRST_CHUNK_ITEMS", 7)
    monkeypatch.setattr(batch, "CHUNK_ITEMS", 13)
    cached, uncached = make_engine(demo_database), make_engine(demo_database)
    reset_key_cache()
    configure_cache(cached, refresh_seconds=3600, max_entries=10_000, clock=Clock())
    configure_cache(uncached, refresh_seconds=3600, max_entries=0, clock=Clock())
    try:
        with Session(cached) as session:
            numbers = session.scalars(text("SELECT certificate_number FROM certificates")).all()
        fields = _sample_requests(numbers, plain=150, with_cb=40)
        fields = fields + fields[::-1]
        singles = [_verify(uncached, **f) for f in fields]
        for i in range(0, len(fields), 2):
            _verify(cached, **fields[i])
        for engine in (uncached, cached):
            with Session(engine) as session:
                stream = batch.BatchStream(
                    session, raw_items=fields, api_key_id=None, media=media, now=NOW
                )
                body = b"".join(stream)
            if media == batch.NDJSON_MEDIA:
                answers = [orjson.loads(line) for line in body.split(b"\n")[:-1]]
            else:
                answers = orjson.loads(body)["results"]
                assert body == orjson.dumps({"results": answers})
            assert len(answers) == len(singles)
            for one, other in zip(singles, answers, strict=True):
                expected: dict[str, Any] = {k: v for k, v in one.items() if k not in UNSIGNED}
                assert expected == {k: v for k, v in other.items() if k not in UNSIGNED}
            ids = {a["verification_id"] for a in answers}
            assert len(ids) == len(answers)
    finally:
        cached.dispose()
        uncached.dispose()
        fact_cache.reset_caches()
        reset_key_cache()


def test_check_details_are_what_the_generic_walk_made(demo_database: str) -> None:  # noqa: F811
    """The details of every check of every showcase verdict and 190 more answers, made by one
    orjson round trip, equal what `_jsonable` makes (so answers and receipts are unchanged)."""
    engine = make_engine(demo_database)
    try:
        with Session(engine) as session:
            numbers = session.scalars(text("SELECT certificate_number FROM certificates")).all()
            facts = PrefetchedFacts(session, [])
            for fields in _sample_requests(numbers, plain=150, with_cb=40):
                request = VerificationRequestIn(**fields)
                checks = evaluate(facts, request=request, as_of=NOW.date()).result.checks
                expected = [_jsonable(dict(c.details)) for c in checks]
                assert _details_json(checks) == expected
    finally:
        engine.dispose()


def test_check_details_of_every_kind_of_value() -> None:
    """Dates, enums, tuples and nesting go through orjson; a set or a key that is not a string
    falls back to the walk; the results equal `_jsonable`'s, as JSON and as values."""
    plain = CheckResult(
        CheckCode.VALIDITY_PERIOD,
        Outcome.PASS,
        "m",
        {
            "day": date(2026, 11, 26),
            "outcome": Outcome.WARN,
            "sectors": (28, 29),
            "nested": [{"since": date(2020, 1, 1), "until": None, "score": 97.5}],
            "flag": True,
        },
    )
    odd = CheckResult(CheckCode.SITE_MATCH, Outcome.FAIL, "m", {"set": {3}, "by_code": {1: "a"}})
    for checks in ([plain], [plain, odd]):
        expected = [_jsonable(dict(c.details)) for c in checks]
        assert _details_json(checks) == expected
    assert _details_json([plain])[0] == {
        "day": "2026-11-26",
        "outcome": "warn",
        "sectors": [28, 29],
        "nested": [{"since": "2020-01-01", "until": None, "score": 97.5}],
        "flag": True,
    }
    assert _details_json([odd]) == [{"set": [3], "by_code": {"1": "a"}}]
