"""Engine, session factory and the request-scoped session dependency."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from functools import lru_cache
from typing import Annotated, Any

from fastapi import Depends
from sqlalchemy import Connection, Engine, create_engine, event, text
from sqlalchemy.orm import Session, sessionmaker

from app.config import get_settings


def _json_default(value: Any) -> str:
    """Dates, timestamps and UUIDs inside JSON columns are stored as ISO text."""
    if isinstance(value, date | datetime | uuid.UUID):
        return value.isoformat() if not isinstance(value, uuid.UUID) else str(value)
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def json_serializer(value: Any) -> str:
    """JSON for JSON columns, compact and UTF-8."""
    return json.dumps(value, default=_json_default, ensure_ascii=False, separators=(",", ":"))


def make_engine(
    url: str,
    *,
    statement_timeout_ms: int | None = None,
    connect_timeout_seconds: int = 5,
    pool_timeout_seconds: float = 30.0,
    busy_timeout_seconds: float = 30.0,
) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and a busy timeout.

    The service's own engines (get_engine, get_read_engine) also pass the configured timeouts, so
    an unreachable database fails a request within seconds (503) instead of hanging it; a pool
    pre-ping replaces dead connections, so the service recovers by itself when the database is back.
    """
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": busy_timeout_seconds},
            pool_pre_ping=True,
            pool_timeout=pool_timeout_seconds,
            json_serializer=json_serializer,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy, not pysqlite, emit BEGIN so SAVEPOINTs and rollbacks are exact.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url and "mode=ro" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN")

        return engine
    connect_args: dict[str, Any] = {
        "connect_timeout": connect_timeout_seconds,
        # A server that vanished without closing the socket is noticed within ~1 minute.
        "keepalives": 1,
        "keepalives_idle": 30,
        "keepalives_interval": 10,
        "keepalives_count": 3,
    }
    if statement_timeout_ms:
        connect_args["options"] = f"-c statement_timeout={int(statement_timeout_ms)}"
    return create_engine(
        url,
        pool_pre_ping=True,
        pool_size=10,
        max_overflow=10,
        pool_timeout=pool_timeout_seconds,
        connect_args=connect_args,
        json_serializer=json_serializer,
    )


def service_engine(url: str) -> Engine:
    """An engine with the configured statement, connect, pool and busy timeouts."""
    settings = get_settings()
    return make_engine(
        url,
        statement_timeout_ms=settings.database_statement_timeout_ms,
        connect_timeout_seconds=settings.database_connect_timeout_seconds,
        pool_timeout_seconds=settings.database_pool_timeout_seconds,
        busy_timeout_seconds=settings.database_busy_timeout_seconds,
    )


@lru_cache
def get_engine() -> Engine:
    """The process-wide engine for the configured primary database."""
    return service_engine(get_settings().database_url)


@lru_cache
def get_session_factory() -> sessionmaker[Session]:
    """The process-wide session factory bound to the primary database."""
    return sessionmaker(bind=get_engine(), expire_on_commit=False, autoflush=False)


def get_session() -> Iterator[Session]:
    """Request-scoped session: one transaction, committed once when the route returns."""
    session = get_session_factory()()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


@lru_cache
def get_read_engine() -> Engine | None:
    """The engine of the read replica (CERTVERIFY_READ_DATABASE_URL), or None when unset."""
    url = get_settings().read_database_url
    return service_engine(url) if url else None


@lru_cache
def get_read_session_factory() -> sessionmaker[Session] | None:
    """Sessions on the read replica, or None when no replica is configured."""
    engine = get_read_engine()
    if engine is None:
        return None
    return sessionmaker(bind=engine, expire_on_commit=False, autoflush=False)


def get_read_session(
    primary: Annotated[Session, Depends(get_session, scope="function")],
) -> Iterator[Session]:
    """Session for read-only routes: the replica when configured, else the request's primary one.

    Taking the primary session as a sub-dependency keeps one transaction per request without a
    replica (and lets tests override `get_session` alone).
    """
    factory = get_read_session_factory()
    if factory is None:
        yield primary
        return
    replica = factory()
    try:
        yield replica
    finally:
        replica.rollback()
        replica.close()


REGISTRY_TABLES = (
    "certificates",
    "certificate_facts",
    "certificate_sites",
    "certificate_status_events",
    "organizations",
    "organization_search_names",
    "organization_search_terms",
    "organization_search_words",
)


def analyze_after_bulk_load(session: Session) -> None:
    """Refresh PostgreSQL's planner statistics of the registry tables after a bulk load.

    Without them, right after a large import and until autovacuum's next analyze, PostgreSQL
    estimated thousands of sites for 20 certificates and scanned all of certificate_sites (27 ms
    at 100k certificates, against 0.15 ms with statistics; BENCHMARKS.md). SQLite plans by its
    indexes and is left alone.
    """
    bind = session.get_bind()
    if bind.dialect.name == "postgresql":
        session.execute(text("ANALYZE " + ", ".join(REGISTRY_TABLES)))
        session.commit()  # the statistics are kept with the transaction that gathered them


def read_engine() -> Engine:
    """The engine read-only work reads from: the replica when configured, else the primary."""
    return get_read_engine() or get_engine()


def primary_bind(session: Session) -> Engine | Connection:
    """Where a write beside `session` goes: the primary, also when `session` reads a replica."""
    bind = session.get_bind()
    replica = get_read_engine()
    if replica is not None and bind is replica:
        return get_engine()
    return bind
