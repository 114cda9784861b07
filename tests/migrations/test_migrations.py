"""Every migration upgrades and downgrades cleanly, and the models match the migrated schema."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from app.db import make_engine
from app.migrate import downgrade, upgrade
from app.models import Base
from app.models.search_index import engine_specific_object
from tests.conftest import drop_database, fresh_database_url


def test_upgrade_downgrade_upgrade(tmp_path: Path) -> None:
    """Upgrade to head creates every table; downgrade to base removes them; upgrade again works."""
    url = fresh_database_url(tmp_path, "migrations")
    upgrade(url)
    engine = make_engine(url)
    tables = set(inspect(engine).get_table_names())
    assert set(Base.metadata.tables) <= tables
    engine.dispose()

    downgrade(url, "base")
    engine = make_engine(url)
    assert set(inspect(engine).get_table_names()) - {"alembic_version"} == set()
    engine.dispose()

    upgrade(url)
    engine = make_engine(url)
    assert set(Base.metadata.tables) <= set(inspect(engine).get_table_names())
    engine.dispose()
    drop_database(url)


def test_models_match_migrations(tmp_path: Path) -> None:
    """No model change is missing a migration (autogenerate finds no difference)."""
    url = fresh_database_url(tmp_path, "drift")
    upgrade(url)
    engine = make_engine(url)
    with engine.connect() as conn:
        diff = compare_metadata(
            MigrationContext.configure(
                conn,
                opts={
                    "compare_type": True,
                    # the text-index parts the models leave to DDL (app/models/search_index.py)
                    "include_name": lambda name, _type, _parents: not engine_specific_object(name),
                },
            ),
            Base.metadata,
        )
    engine.dispose()
    drop_database(url)
    assert diff == []
