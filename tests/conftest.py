"""Test harness: a migrated database per test run (SQLite, or PostgreSQL when
CERTVERIFY_TEST_DATABASE_URL is set), each test inside a transaction that is rolled back."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app import clock
from app.config import get_settings
from app.db import get_session, make_engine
from app.main import create_app
from app.migrate import upgrade
from app.models.registry_version import install_write_tracking
from app.services.integration.outbox import install_reevaluation
from app.services.registry.seed import seed_reference_data
from app.services.verification.receipts import reset_key_cache
from tests import clock_ahead

PG_URL = os.environ.get("CERTVERIFY_TEST_DATABASE_URL")
TEST_NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
"""Where every test's clock starts (tests/factories.py's TODAY is its date). No test reads the
real date: the suite passes on any day, which .ci/run proves by running it a year ahead."""
CLOCK_ENV = "CERTVERIFY_TEST_CLOCK"
"""Servers and workers that tests start in subprocesses read the test's clock from here
(tests/clocked.py)."""
# The suite is hermetic: a developer's CERTVERIFY_* settings (a Redis URL, a database, limits)
# never reach the apps the tests build, only the variables that steer the test run itself.
TEST_RUN_VARIABLES = frozenset(
    {
        "CERTVERIFY_TEST_DATABASE_URL",
        "CERTVERIFY_REQUIRE_BROWSER",
        "CERTVERIFY_REQUIRE_OCR",
        "CERTVERIFY_REQUIRE_NODE",
        "CERTVERIFY_REQUIRE_FAULT_TEST",
        "CERTVERIFY_REQUIRE_REDIS",
        "CERTVERIFY_TEST_CLOCK_AHEAD_DAYS",
    }
)
for _name in [n for n in os.environ if n.startswith("CERTVERIFY_")]:
    if _name not in TEST_RUN_VARIABLES:
        del os.environ[_name]
# CERTVERIFY_TEST_CLOCK_AHEAD_DAYS=N moves the machine's clock N days ahead for the whole run
# (time-machine; in subprocesses too, through tests/clocked.py). .ci/run runs the suite a year
# ahead: a test that reads the real date instead of the test clock then fails.
clock_ahead.start_from_environment()
# Fixtures never run into rate limits (tests/ops turn them on explicitly); servers that tests
# start in subprocesses inherit this.
os.environ["CERTVERIFY_RATE_LIMIT_ENABLED"] = "false"
# Log lines are written as they are logged (capsys reads them right after a request); the
# logging thread (CERTVERIFY_LOG_QUEUE) has tests of its own in tests/ops/test_stack_tail.py.
os.environ["CERTVERIFY_LOG_QUEUE"] = "false"
# The test process's own collector stays Python's (a frozen heap would keep every later cycle
# among the first test's objects); tests/ops/test_stack_tail.py tests the settling itself.
os.environ["CERTVERIFY_GC_FREEZE"] = "false"
os.environ["CERTVERIFY_GC_GEN0_THRESHOLD"] = "0"
# The keys the service generates on first run (app/keystore.py: the receipt signing key, the
# webhook secret key) go to this test process's own directory, never into the working tree;
# servers and workers started in subprocesses inherit it and read the same keys.
os.environ["CERTVERIFY_DATA_DIR"] = tempfile.mkdtemp(prefix="certverify-keys-")
atexit.register(shutil.rmtree, os.environ["CERTVERIFY_DATA_DIR"], ignore_errors=True)
os.environ[CLOCK_ENV] = TEST_NOW.isoformat()
# Session fixtures (demo databases, live servers) run on the test clock too; each test then gets
# a fresh one (`test_clock`), so a test that moves its clock never moves another's.
clock.install(clock.FixedClock(TEST_NOW))
get_settings.cache_clear()
# The test run is an entry point: many tests call services with a bare Session and commit, and
# rely on the watch re-evaluation that create_app(), the CLI and the worker subscribe in
# production (app/services/integration/outbox.py). Installed once, here, for the whole run.
install_reevaluation()
install_write_tracking()


@pytest.fixture(autouse=True)
def test_clock() -> Iterator[clock.FixedClock]:
    """Every test runs on a clock set to TEST_NOW that moves on with elapsed time; a test may
    `set()` or `advance()` it. Subprocesses the test starts get the same starting instant."""
    fixed = clock.FixedClock(TEST_NOW)
    with clock.using(fixed):
        yield fixed


def worker_id() -> str:
    """This test process's name, unique per run, so concurrent runs never share a database."""
    run = os.environ.get("PYTEST_XDIST_TESTRUNUID", str(os.getpid()))[:8]
    return f"{os.environ.get('PYTEST_XDIST_WORKER', 'master')}_{run}"


def fresh_database_url(tmp_dir: Path, name: str) -> str:
    """A new, empty database of the configured kind, named `name`."""
    if PG_URL:
        url = make_url(PG_URL)
        db_name = f"{url.database}_{name}_{worker_id()}".lower()
        admin = create_engine(url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{db_name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{db_name}"'))
        admin.dispose()
        return url.set(database=db_name).render_as_string(hide_password=False)
    return f"sqlite:///{tmp_dir / f'{name}.db'}"


def drop_database(url: str) -> None:
    """Drop a PostgreSQL database made by fresh_database_url (SQLite files go with tmp_path)."""
    if not PG_URL:
        return
    admin = create_engine(make_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))
    admin.dispose()


def seeded_database(tmp_dir: Path, name: str) -> Iterator[str]:
    """A new database migrated to head and seeded with the shipped reference data; dropped
    after the caller's use."""
    url = fresh_database_url(tmp_dir, name)
    upgrade(url)
    engine = make_engine(url)
    with Session(engine) as session:
        seed_reference_data(session)
        session.commit()
    engine.dispose()
    yield url
    drop_database(url)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A database migrated to head and seeded with the shipped reference data, once per run."""
    yield from seeded_database(tmp_path_factory.mktemp("db"), "suite")


@pytest.fixture(scope="session")
def engine(database_url: str) -> Iterator[Engine]:
    """The engine of the test database."""
    eng = make_engine(database_url)
    yield eng
    eng.dispose()


@pytest.fixture
def connection(engine: Engine) -> Iterator[Connection]:
    """A connection whose outer transaction is rolled back after the test."""
    conn = engine.connect()
    trans = conn.begin()
    reset_key_cache()
    try:
        yield conn
    finally:
        trans.rollback()
        conn.close()
        reset_key_cache()


@pytest.fixture
def session(connection: Connection) -> Iterator[Session]:
    """A session inside the test's transaction; its commits only release savepoints."""
    with Session(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    ) as s:
        yield s


def session_override(connection: Connection) -> Callable[[], Iterator[Session]]:
    """A get_session replacement whose sessions share the test's (rolled back) transaction."""

    def _session() -> Iterator[Session]:
        s = Session(bind=connection, join_transaction_mode="create_savepoint", autoflush=False)
        try:
            yield s
            s.commit()
        except BaseException:
            s.rollback()
            raise
        finally:
            s.close()

    return _session


@pytest.fixture
def client(connection: Connection) -> Iterator[TestClient]:
    """An HTTP client whose requests share the test's transaction."""
    app = create_app()
    app.dependency_overrides[get_session] = session_override(connection)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


def unique(prefix: str) -> str:
    """A short unique string for names and numbers."""
    return f"{prefix}-{uuid.uuid4().hex[:8]}"
