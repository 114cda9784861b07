"""Engine, session factory and the request-scoped session dependency."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from datetime import date, datetime
from functools import lru_cache
from typing import Any

from sqlalchemy import Engine, create_engine, event
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


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets foreign keys, WAL and a busy timeout."""
    if url.startswith("sqlite"):
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            pool_pre_ping=True,
            json_serializer=json_serializer,
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
            # Let SQLAlchemy, not pysqlite, emit BEGIN so SAVEPOINTs and rollbacks are exact.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            if ":memory:" not in url:
                cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            conn.exec_driver_sql("BEGIN")

        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=10, json_serializer=json_serializer
    )


@lru_cache
def get_engine() -> Engine:
    """The process-wide engine for the configured primary database."""
    return make_engine(get_settings().database_url)


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
