"""The fact cache: every committed registry write bumps the version once, a second worker sees a
write within the documented bound, and a cached answer equals an uncached one."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from typing import Any

import pytest
from sqlalchemy import Engine, insert, select, text
from sqlalchemy.orm import Session

from app.db import make_engine
from app.demo.builder import build_demo_registry
from app.demo.showcase import SHOWCASE
from app.models import ApiKey, CertificationBody, RegistryVersion, registry_version
from app.models.registry_version import writes_registry
from app.schemas.verification import VerificationRequestIn
from app.services.auth import Role, create_api_key
from app.services.verification import cache as fact_cache
from app.services.verification.answer import verify_certificate, verify_from_cache
from app.services.verification.cache import FactSource, configure_cache, read_registry_version
from app.services.verification.receipts import reset_key_cache
from tests.conftest import seeded_database
from tests.factories import (
    accredit,
    make_ab,
    make_cb,
    make_certificate,
    set_certificate_status,
)

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
BOUND = 0.5
"""The refresh interval these tests configure: the staleness bound under test (seconds)."""


class Clock:
    """A monotonic clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(scope="module")
def database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A migrated, seeded database of its own, written with real commits."""
    yield from seeded_database(tmp_path_factory.mktemp("cache"), "cache")


@pytest.fixture
def workers(database: str) -> Iterator[tuple[Engine, Engine]]:
    """Two engines on the same database, standing for two worker processes."""
    first, second = make_engine(database), make_engine(database)
    reset_key_cache()
    fact_cache.reset_caches()
    yield first, second
    fact_cache.reset_caches()
    reset_key_cache()
    first.dispose()
    second.dispose()


def _verify(engine: Engine, certificate_number: str, **claims: Any) -> dict[str, Any]:
    with Session(engine) as session:
        request = VerificationRequestIn(certificate_number=certificate_number, **claims)
        answer = verify_certificate(session, request=request, now=NOW)
        session.commit()
    return answer


def _request(certificate_number: str, **claims: Any) -> VerificationRequestIn:
    return VerificationRequestIn(certificate_number=certificate_number, **claims)


def _fast(engine: Engine, certificate_number: str, **claims: Any) -> dict[str, Any]:
    """The event-loop path's answer, which must exist (every fact cached, no poll due)."""
    answer = verify_from_cache(engine, request=_request(certificate_number, **claims), now=NOW)
    assert answer is not None, "expected an answer from the fact cache alone"
    return answer


def _sample_requests(numbers: Sequence[str], *, plain: int, with_cb: int) -> list[dict[str, Any]]:
    """Every showcase verdict's request, `plain` numbers alone, `with_cb` naming NBC, and an
    unknown CB."""
    requests: list[dict[str, Any]] = [
        {
            "certificate_number": case.certificate_number,
            "certification_body": case.certification_body,
            "organization": case.claimed_organization,
        }
        for case in SHOWCASE.values()
    ]
    requests += [{"certificate_number": n} for n in numbers[:plain]]
    requests += [{"certificate_number": n, "certification_body": "NBC"} for n in numbers[:with_cb]]
    requests += [{"certificate_number": "NOPE 1", "certification_body": "Unknown CB"}]
    return requests


def _registry(engine: Engine) -> dict[str, Any]:
    """A CB accredited for ISO 9001 with one valid certificate, committed; unique per call."""
    tag = uuid.uuid4().hex[:6].upper()
    with Session(engine) as session:
        ab = make_ab(session, f"AB{tag}")
        cb = make_cb(session, f"Cache Test Certification {tag}", f"C{tag}")
        accredit(session, cb, ab.id, "ISO 9001", sectors=[17, 18, 19])
        number = f"CT-{tag}"
        cert = make_certificate(session, cb, number)
        session.commit()
    return {"cb": cb, "number": number, "certificate": cert}


@pytest.mark.parametrize(
    ("statement", "expected"),
    [
        ("INSERT INTO certificates (id) VALUES (?)", True),
        ('INSERT INTO "certificate_sites" (id) VALUES (%(id)s)', True),
        ("UPDATE certificates SET scope=? WHERE certificates.id = ?", True),
        ("  update accreditations set sectors = '[]'", True),
        ("DELETE FROM mla_recognitions WHERE id = ?", True),
        ("INSERT OR REPLACE INTO organizations (id) VALUES (?)", True),
        ("INSERT INTO audit_events (id) VALUES (?)", False),
        ("UPDATE api_keys SET last_used_at=? WHERE id = ?", False),
        ("INSERT INTO verifications (id) VALUES (?)", False),
        ("SELECT * FROM certificates", False),
        ("UPDATE registry_version SET version = version + 1 WHERE id = 1", False),
    ],
)
def test_registry_writes_are_recognised(statement: str, expected: bool) -> None:
    """Exactly the statements that change verification facts bump the version."""
    assert writes_registry(statement) is expected


def test_each_committed_registry_transaction_bumps_the_version_once(
    workers: tuple[Engine, Engine],
) -> None:
    """ORM writes, Core inserts and text SQL bump once per commit; reads, other tables and
    rollbacks do not."""
    engine, _ = workers
    start = read_registry_version(engine)
    assert start is not None

    _registry(engine)  # many ORM rows in one transaction
    assert read_registry_version(engine) == start + 1

    cb_id = uuid.uuid4()
    with engine.begin() as conn:  # a Core insert straight on the connection
        conn.execute(
            insert(CertificationBody),
            [{"id": cb_id, "name": "Core Insert Ltd", "name_key": "core insert"}],
        )
    assert read_registry_version(engine) == start + 2

    with engine.begin() as conn:  # hand-written SQL
        conn.execute(
            text("UPDATE certification_bodies SET website = 'https://x.example' WHERE name_key=:k"),
            {"k": "core insert"},
        )
    assert read_registry_version(engine) == start + 3

    with Session(engine) as session:  # reads and non-registry writes
        session.scalars(select(CertificationBody)).all()
        create_api_key(session, role=Role.CLIENT, body_id=None, name="no bump")
        session.commit()
    assert read_registry_version(engine) == start + 3

    with Session(engine) as session:  # a rolled-back registry write
        session.execute(
            text("UPDATE certification_bodies SET website = NULL WHERE name_key = 'core insert'")
        )
        session.rollback()
    assert read_registry_version(engine) == start + 3

    with Session(engine) as session:
        assert session.get(RegistryVersion, 1) is not None


def test_a_withdrawal_reaches_another_worker_within_the_bound(
    workers: tuple[Engine, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Worker A caches a valid certificate; worker B withdraws it; A answers `withdrawn` as soon
    as the refresh interval has passed since B's commit (BENCHMARKS.md, "Cache")."""
    # B stands for another process: its commit is not announced to A's caches, which learn of
    # it only by polling (in one process, a commit drops them at once: test_read_your_writes).
    monkeypatch.setattr(registry_version, "_commit_listeners", [])
    worker_a, worker_b = workers
    clock = Clock()
    cache = configure_cache(worker_a, refresh_seconds=BOUND, max_entries=100, clock=clock)
    data = _registry(worker_b)

    assert _verify(worker_a, data["number"])["verdict"] == "valid"
    assert cache.size("certificates") == 1
    assert cache.size("accreditations") == 1

    with Session(worker_b) as session:
        set_certificate_status(session, data["certificate"], "withdrawn", date(2026, 11, 1))
        session.commit()

    clock.now += BOUND / 2  # inside the bound the cached facts may still be served
    assert _verify(worker_a, data["number"])["verdict"] == "valid"
    assert _fast(worker_a, data["number"])["verdict"] == "valid"  # the event-loop path too

    clock.now += BOUND / 2  # the bound has passed since the commit: every worker sees it
    # The event-loop path never polls: with a poll due it declines, and the route goes to the
    # database path, which polls.
    assert verify_from_cache(worker_a, request=_request(data["number"]), now=NOW) is None
    answer = _verify(worker_a, data["number"])
    assert answer["verdict"] == "withdrawn"
    assert answer["certificate"]["status"] == "withdrawn"
    assert _fast(worker_a, data["number"])["verdict"] == "withdrawn"
    assert _verify(worker_b, data["number"])["verdict"] == "withdrawn"


def test_time_alone_never_makes_an_answer_stale(workers: tuple[Engine, Engine]) -> None:
    """The cache keeps facts, not verdicts: `as_of` is evaluated on every request."""
    worker_a, worker_b = workers
    configure_cache(worker_a, refresh_seconds=3600, max_entries=100, clock=Clock())
    data = _registry(worker_b)
    with Session(worker_b) as session:
        set_certificate_status(session, data["certificate"], "withdrawn", date(2026, 12, 15))
        session.commit()

    assert _verify(worker_a, data["number"])["verdict"] == "valid"
    assert _verify(worker_a, data["number"], as_of=date(2026, 12, 15))["verdict"] == "withdrawn"
    assert _verify(worker_a, data["number"], as_of=date(2027, 3, 1))["verdict"] == "withdrawn"


def test_a_session_reads_its_own_uncommitted_writes(workers: tuple[Engine, Engine]) -> None:
    """A transaction that wrote registry rows bypasses the cache, and nothing it saw is kept."""
    worker_a, _ = workers
    configure_cache(worker_a, refresh_seconds=3600, max_entries=100, clock=Clock())
    data = _registry(worker_a)
    number = f"{data['number']}-NEW"
    assert _verify(worker_a, number)["verdict"] == "not_found"

    with Session(worker_a) as session:
        make_certificate(session, data["cb"], number)
        session.flush()
        assert FactSource(session).cache is None
        answer = verify_certificate(
            session, request=VerificationRequestIn(certificate_number=number), now=NOW
        )
        assert answer["verdict"] == "valid"
        session.rollback()

    assert _verify(worker_a, number)["verdict"] == "not_found"


def test_a_session_joined_to_an_outside_transaction_reads_the_database(database: str) -> None:
    """A session bound to a connection (a caller-managed transaction) never uses the cache."""
    engine = make_engine(database)
    try:
        with engine.connect() as conn, Session(bind=conn) as session:
            assert FactSource(session).cache is None
    finally:
        engine.dispose()


def test_an_old_snapshot_is_never_cached(workers: tuple[Engine, Engine]) -> None:
    """A session whose transaction began before a commit the cache has seen stores nothing."""
    worker_a, worker_b = workers
    clock = Clock()
    configure_cache(worker_a, refresh_seconds=BOUND, max_entries=100, clock=clock)
    data = _registry(worker_b)
    number = f"{data['number']}-LATE"
    assert _verify(worker_a, number)["verdict"] == "not_found"

    with Session(worker_a) as early:
        early.scalars(select(ApiKey.id).limit(1)).all()  # its snapshot starts here (SQLite)
        with Session(worker_b) as session:
            make_certificate(session, data["cb"], number)
            session.commit()
        clock.now += BOUND  # the cache polls and moves to the new version
        verify_certificate(early, request=VerificationRequestIn(certificate_number=number), now=NOW)
        early.commit()

    assert _verify(worker_a, number)["verdict"] == "valid"


@pytest.fixture(scope="module")
def demo_database(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A small demo registry (every verdict in its showcase) in a database of its own."""
    for url in seeded_database(tmp_path_factory.mktemp("demo"), "cachedemo"):
        engine = make_engine(url)
        with Session(engine) as session:
            build_demo_registry(session, certificates=300, today=NOW.date())
            session.commit()
        engine.dispose()
        yield url


def test_cached_answers_equal_uncached_answers(demo_database: str) -> None:
    """Every showcase verdict and 300 random certificates answer the same from the cache."""
    cached, uncached = make_engine(demo_database), make_engine(demo_database)
    reset_key_cache()
    cache = configure_cache(cached, refresh_seconds=3600, max_entries=10_000, clock=Clock())
    configure_cache(uncached, refresh_seconds=3600, max_entries=0, clock=Clock())
    try:
        with Session(cached) as session:
            numbers = session.scalars(text("SELECT certificate_number FROM certificates")).all()
        requests = _sample_requests(numbers, plain=len(numbers), with_cb=50)
        verdicts = set()
        for round_ in range(2):  # the second round is served from the cache
            for request in requests:
                first = _verify(cached, **request)
                second = _verify(uncached, **request)  # same request, the cache turned off
                answers = [first, second]
                if round_ == 1:  # every fact is cached now: the event-loop path answers too
                    answers.append(_fast(cached, **request))
                    assert verify_from_cache(uncached, request=_request(**request)) is None
                for answer in answers:
                    del answer["verification_id"], answer["receipt"]
                assert all(answer == first for answer in answers)
                verdicts.add(first["verdict"])
        assert verdicts >= {case.verdict for case in SHOWCASE.values()}
        assert cache.hits > 0
    finally:
        cached.dispose()
        uncached.dispose()
        fact_cache.reset_caches()
        reset_key_cache()


@pytest.fixture
def served(demo_database: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[Any, Engine]]:
    """The application on the demo database as `serve` runs it: no session override, the
    process's own engine and fact cache (a hand-moved clock: no poll falls due mid-test)."""
    from fastapi.testclient import TestClient

    from app.config import get_settings
    from app.db import get_engine, get_session_factory
    from app.main import create_app

    monkeypatch.setenv("CERTVERIFY_DATABASE_URL", demo_database)
    for cached in (get_settings, get_engine, get_session_factory):
        cached.cache_clear()
    reset_key_cache()
    fact_cache.reset_caches()
    engine = get_engine()
    configure_cache(engine, refresh_seconds=3600, max_entries=1000, clock=Clock())
    try:
        with TestClient(create_app()) as client:
            yield client, engine
    finally:
        engine.dispose()
        for cached in (get_settings, get_engine, get_session_factory):
            cached.cache_clear()
        fact_cache.reset_caches()
        reset_key_cache()


def test_a_cached_anonymous_verification_reads_nothing_from_the_database(
    served: tuple[Any, Engine],
) -> None:
    """GET /v1/verify answers a cached certificate in the event loop with no SQL at all, the
    same answer (and a valid receipt) as the database path; a keyed request always takes the
    database path, so its verification is kept."""
    from sqlalchemy import event

    from app.services.verification.receipts import canonical_sha256, verify_receipt

    client, engine = served
    statements: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *a: statements.append(a[2]))
    case = SHOWCASE["valid"]
    params = {"certificate_number": case.certificate_number, "organization": "Wrong Name Ltd"}

    first = client.get("/v1/verify", params=params)
    assert first.status_code == 200
    assert statements  # the database path filled the cache
    statements.clear()
    second = client.get("/v1/verify", params=params)
    assert second.status_code == 200
    assert statements == []
    one, two = first.json(), second.json()
    assert one["verification_id"] != two["verification_id"]
    for answer in (one, two):
        del answer["verification_id"], answer["checked_at"], answer["receipt"]
    assert one == two
    jwks = client.get("/.well-known/jwks.json").json()
    payload = verify_receipt(second.json()["receipt"], jwks)
    assert payload["verification_id"] == second.json()["verification_id"]
    assert payload["verdict"] == one["verdict"]
    unsigned = {k: v for k, v in second.json().items() if k != "receipt"}
    assert payload["sha256"] == canonical_sha256(unsigned)  # the memoised body, as served

    with Session(engine) as session:
        _, token = create_api_key(session, role=Role.CLIENT, body_id=None, name="fast path")
        session.commit()
    statements.clear()
    keyed = client.get("/v1/verify", params=params, headers={"Authorization": f"Bearer {token}"})
    assert keyed.status_code == 200
    assert statements
    kept = client.get(
        f"/v1/verifications/{keyed.json()['verification_id']}",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert kept.status_code == 200
    assert kept.json()["verdict"] == keyed.json()["verdict"]


def test_query_errors_are_the_same_problems_as_before(served: tuple[Any, Engine]) -> None:
    """GET /v1/verify validates its query itself (one call instead of FastAPI's per-parameter
    work) and answers the same 422 problem+json, naming the parameter."""
    client, _ = served
    missing = client.get("/v1/verify")
    assert missing.status_code == 422
    assert missing.headers["content-type"] == "application/problem+json"
    problem = missing.json()
    assert problem["detail"] == "certificate_number: Field required"
    assert problem["errors"] == [
        {
            "pointer": "/certificate_number",
            "detail": "Field required",
            "parameter": "certificate_number",
            "location": "query",
        }
    ]
    bad = client.get("/v1/verify", params={"certificate_number": "X" * 101, "as_of": "26/11/2026"})
    assert bad.status_code == 422
    assert [e["parameter"] for e in bad.json()["errors"]] == ["certificate_number", "as_of"]
    assert "at most 100 characters" in bad.json()["errors"][0]["detail"]


def test_batch_answers_equal_single_answers(demo_database: str) -> None:
    """verify_many (the batch) loads facts set-based, from the cache where it holds them, and
    answers exactly what one verification at a time answers."""
    from app.services.verification.answer import verify_many

    cached, uncached = make_engine(demo_database), make_engine(demo_database)
    reset_key_cache()
    configure_cache(cached, refresh_seconds=3600, max_entries=10_000, clock=Clock())
    configure_cache(uncached, refresh_seconds=3600, max_entries=0, clock=Clock())
    try:
        with Session(cached) as session:
            numbers = session.scalars(text("SELECT certificate_number FROM certificates")).all()
        fields = _sample_requests(numbers, plain=150, with_cb=40)
        singles = [_verify(uncached, **f) for f in fields]
        for i in range(0, len(fields), 2):  # half of them cached before the batch runs
            _verify(cached, **fields[i])
        for engine in (uncached, cached):
            with Session(engine) as session:
                batch = verify_many(session, requests=[_request(**f) for f in fields], now=NOW)
            assert len(batch) == len(singles)
            for one, other in zip(singles, batch, strict=True):
                assert {
                    k: v for k, v in one.items() if k not in {"verification_id", "receipt"}
                } == {k: v for k, v in other.items() if k not in {"verification_id", "receipt"}}
    finally:
        cached.dispose()
        uncached.dispose()
        fact_cache.reset_caches()
        reset_key_cache()


def test_the_refresher_polls_without_requests(workers: tuple[Engine, Engine]) -> None:
    """The background refresher (the event-loop path's) notices a committed write on its own,
    so requests find the cache fresh; caches made by tests and tools never start one."""
    import time as real_time

    worker_a, worker_b = workers
    quiet = configure_cache(worker_a, refresh_seconds=0.05, max_entries=100)
    quiet.start_refresher()
    assert quiet._refresher is None
    cache = fact_cache.FactCache(
        worker_a, refresh_seconds=0.05, max_entries=100, background_refresh=True
    )
    before = cache.state()
    assert before is not None
    cache.start_refresher()
    try:
        _registry(worker_b)  # a committed registry write in "another worker"
        deadline = real_time.monotonic() + 10
        while real_time.monotonic() < deadline:
            now = cache.fresh_state()
            if now is not None and now[1] > before[1]:
                break
            real_time.sleep(0.01)
        else:
            raise AssertionError("the refresher did not see the write within 10 s")
        assert now[0] > before[0]  # the generation moved on: the old facts are dropped
    finally:
        cache.stop_refresher()
    assert cache._refresher is not None
    assert not cache._refresher.is_alive()


def test_bulk_loads_refresh_the_planner_statistics(database: str) -> None:
    """After `certverify import` and `demo`, PostgreSQL has statistics for the registry tables
    (without them it scanned every site to page 20 certificates); SQLite is left alone."""
    from app.db import REGISTRY_TABLES, analyze_after_bulk_load

    engine = make_engine(database)
    try:
        with Session(engine) as session:
            analyze_after_bulk_load(session)
        with engine.connect() as conn:
            if engine.dialect.name == "postgresql":
                tuples = conn.execute(
                    text("SELECT relname, reltuples FROM pg_class WHERE relname = ANY(:names)"),
                    {"names": list(REGISTRY_TABLES)},
                ).all()
                assert {name for name, _ in tuples} == set(REGISTRY_TABLES)
                assert all(count >= 0 for _, count in tuples)  # -1: never analyzed
            else:
                stat = "SELECT count(*) FROM sqlite_master WHERE name = 'sqlite_stat1'"
                assert conn.execute(text(stat)).scalar() == 0
    finally:
        engine.dispose()
