"""Alembic environment: the URL comes from the caller's config or from CERTVERIFY_DATABASE_URL."""

from __future__ import annotations

from alembic import context
from sqlalchemy import Connection

from app.config import get_settings
from app.db import make_engine
from app.models import Base
from app.models.registry_version import install_write_tracking

config = context.config
# A migration that rewrites registry rows (0005 re-keys numbers) bumps the registry version, so
# running processes drop their fact caches; migrations are an entry point of their own.
install_write_tracking()
target_metadata = Base.metadata


def _url() -> str:
    return config.attributes.get("database_url") or get_settings().database_url


def run_migrations_offline() -> None:
    """Emit SQL without a connection."""
    url = _url()
    context.configure(
        url=url,
        target_metadata=target_metadata,
        literal_binds=True,
        render_as_batch=url.startswith("sqlite"),
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    """Run migrations on a live connection (or one handed over by the caller)."""
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    engine = make_engine(_url())
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


def _run(connection: Connection) -> None:
    sqlite = connection.dialect.name == "sqlite"
    # Batch mode rebuilds a SQLite table by copy, drop and rename. With foreign keys enforced,
    # dropping a table that others reference deletes their rows (ON DELETE CASCADE) or fails,
    # so enforcement is off for the run (a pragma that only changes outside a transaction),
    # every reference is checked before it is on again (alembic's batch mode documentation,
    # "Dealing with Referencing Tables"; migration 0010 rebuilds api_keys and webhook_endpoints).
    unenforced = sqlite and not connection.in_transaction()
    if unenforced:
        connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
    try:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=sqlite,
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        if unenforced:
            broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
            connection.commit()
            if broken:
                raise RuntimeError(f"the migration left broken foreign keys: {broken[:10]}")
    finally:
        if unenforced:
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
