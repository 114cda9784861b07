"""Queries about the registry version: the counter every committed registry write bumps."""

from __future__ import annotations

from sqlalchemy import Connection, Engine, text

from app.models.registry_version import REGISTRY_VERSION_ROW

_READ_SQL = text(f"SELECT version FROM registry_version WHERE id = {REGISTRY_VERSION_ROW}")


def committed_registry_version(bind: Engine | Connection) -> int | None:
    """The registry version `bind` sees (None when the row or table is missing): on an Engine
    the latest committed one, on a Connection the one its transaction's snapshot shows."""
    if isinstance(bind, Engine):
        with bind.connect() as conn:
            value = conn.execute(_READ_SQL).scalar()
    else:
        value = bind.execute(_READ_SQL).scalar()
    return int(value) if value is not None else None
