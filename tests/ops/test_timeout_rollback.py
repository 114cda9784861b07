"""A request answered 503 for running out of time stops its database work (issue 14, part 7):
its next statement or commit raises, its transaction rolls back, and on SQLite its write lock is
released at once instead of blocking every later write until the abandoned thread finishes."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy import Engine, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from app.db import get_session, make_engine
from app.deps import SessionDep
from app.errors import RequestAbandoned
from app.http.limits import abandoned_request, refuse_abandoned_work
from tests.ops.conftest import build_app

TIMEOUT_SECONDS = 1.0


def _sessions_on(engine: Engine, closed: threading.Event) -> Callable[[], Iterator[Session]]:
    """get_session's behaviour (commit at the end, roll back on error) on `engine`; `closed` is
    set when a session is done, committed or not."""

    def _session() -> Iterator[Session]:
        session = Session(engine, autoflush=False)
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()
            closed.set()

    return _session


def _scratch_database(tmp_path: Path) -> tuple[str, Engine]:
    """A SQLite file with one table, `marks(n)`."""
    url = f"sqlite:///{tmp_path / 'timeouts.db'}"
    engine = make_engine(url, busy_timeout_seconds=5)
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE marks (n INTEGER NOT NULL)"))
    return url, engine


class SlowApp:
    """An app with a 1 s request timeout, sessions on a scratch SQLite file, and slow writers
    that record how their work ended."""

    def __init__(self, engine: Engine) -> None:
        self.closed = threading.Event()
        self.ended: list[BaseException | None] = []
        self.app = build_app(
            None, rate_limit_enabled=False, request_timeout_seconds=TIMEOUT_SECONDS
        )
        self.app.dependency_overrides[get_session] = _sessions_on(engine, self.closed)
        ended = self.ended

        def record(work: Callable[[], None]) -> dict[str, str]:
            try:
                work()
            except BaseException as exc:
                ended.append(exc)
                raise
            ended.append(None)
            return {"done": "yes"}

        @self.app.get("/_test/slow-session-writes")
        def slow_session_writes(session: SessionDep) -> dict[str, str]:
            """Like a long import: a row at a time for 10 s in the request's session."""

            def work() -> None:
                for n in range(200):
                    session.execute(text("INSERT INTO marks (n) VALUES (:n)"), {"n": n})
                    time.sleep(0.05)

            return record(work)

        @self.app.get("/_test/slow-writes-beside")
        def slow_writes_beside(_session: SessionDep) -> dict[str, str]:
            """A row at a time for 10 s on a connection of its own, beside the session (as
            writes to the primary beside a replica session do: app.db.primary_bind)."""

            def work() -> None:
                with engine.begin() as conn:
                    for n in range(200):
                        conn.execute(text("INSERT INTO marks (n) VALUES (:n)"), {"n": n})
                        time.sleep(0.05)

            return record(work)

        @self.app.get("/_test/warm-up")
        def warm_up(session: SessionDep) -> dict[str, str]:
            """A first statement, so that the slow routes start at once (pool, thread pool)."""
            session.execute(text("SELECT count(*) FROM marks"))
            return {"done": "yes"}

        @self.app.get("/_test/write-then-think")
        def write_then_think(session: SessionDep) -> dict[str, str]:
            """One write, then work without statements past the deadline, then the commit."""

            def work() -> None:
                session.execute(text("INSERT INTO marks (n) VALUES (1)"))
                time.sleep(2.5)

            return record(work)

    @contextmanager
    def client(self) -> Iterator[TestClient]:
        """A started test client of the app, warmed up by one request with a statement."""
        with TestClient(self.app, raise_server_exceptions=False) as client:
            assert client.get("/healthz").status_code == 200
            assert client.get("/_test/warm-up").status_code == 200
            self.closed.clear()
            yield client


def _marks(engine: Engine) -> list[int]:
    with engine.connect() as conn:
        return [row[0] for row in conn.execute(text("SELECT n FROM marks ORDER BY n"))]


def _write_after_the_503(url: str) -> float:
    """Seconds a write from another connection waits, 0.3 s after the 503 (long enough for the
    abandoned work to have gone on); fails when it is refused "database is locked"."""
    time.sleep(0.3)
    other = make_engine(url, busy_timeout_seconds=3)
    started = time.monotonic()
    try:
        with other.begin() as conn:
            conn.execute(text("INSERT INTO marks (n) VALUES (-1)"))
    except OperationalError as exc:  # pragma: no cover - the defect these tests guard
        raise AssertionError(f"the next write was blocked: {exc}") from exc
    finally:
        other.dispose()
    return time.monotonic() - started


def _assert_503(response: Response) -> None:
    assert response.status_code == 503
    assert response.json()["type"] == "/problems/request-timeout"


def test_a_timed_out_request_releases_its_sqlite_write_lock(tmp_path: Path) -> None:
    """Before issue 14 work on a connection of its own went on for 10 s after its 503, holding
    the write lock: the next write waited its whole busy timeout, then failed "database is
    locked". Now the abandoned work stops at its next statement and its transaction rolls back."""
    url, engine = _scratch_database(tmp_path)
    slow = SlowApp(engine)
    with slow.client() as client:
        _assert_503(client.get("/_test/slow-writes-beside"))
        waited = _write_after_the_503(url)
        assert slow.closed.wait(10)
    assert waited < 1.5, f"the next write waited {waited:.2f} s"
    assert _marks(engine) == [-1]  # the timed-out request's rows were rolled back
    assert len(slow.ended) == 1
    assert isinstance(slow.ended[0], RequestAbandoned)
    engine.dispose()


def test_a_timed_out_session_stops_at_its_next_statement(tmp_path: Path) -> None:
    """The request's own session: before, the task's cancellation rolled the session back and
    closed it from another thread while the route's thread still used it, and the thread
    reopened it at its next statement and wrote on for the rest of its 10 s (holding the lock,
    or dying of the race, at random). Now its next statement raises RequestAbandoned, and the
    session dependency rolls back and closes the session once, after the work stopped."""
    url, engine = _scratch_database(tmp_path)
    slow = SlowApp(engine)
    with slow.client() as client:
        _assert_503(client.get("/_test/slow-session-writes"))
        waited = _write_after_the_503(url)
        assert slow.closed.wait(10)
    assert waited < 1.5, f"the next write waited {waited:.2f} s"
    assert _marks(engine) == [-1]
    assert len(slow.ended) == 1
    assert isinstance(slow.ended[0], RequestAbandoned)
    engine.dispose()


def test_a_timed_out_request_commits_nothing(tmp_path: Path) -> None:
    """The 503 says nothing more will be done: a request that wrote, then ran past its deadline
    without another statement, is refused its commit when it returns, and its session is rolled
    back and closed then (before, the session was torn down under the running thread at the
    503, or never closed at all)."""
    _, engine = _scratch_database(tmp_path)
    slow = SlowApp(engine)
    with slow.client() as client:
        started = time.monotonic()
        _assert_503(client.get("/_test/write-then-think"))
        answered = time.monotonic() - started
        assert not slow.closed.is_set(), f"answered after {answered:.2f} s, {slow.ended}"
        assert slow.closed.wait(10)  # it finished its work and reached the commit
    assert slow.ended == [None]  # the work itself ran to its end
    assert _marks(engine) == []
    engine.dispose()


def test_work_outside_a_timed_request_is_never_refused() -> None:
    """Workers, the CLI and tests have no request: the guard lets their statements through."""
    assert abandoned_request.get() is None
    refuse_abandoned_work()
