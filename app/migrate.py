"""Run Alembic migrations programmatically (used by `certverify migrate` and the tests)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import create_engine, inspect
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from app.repositories.database import applied_migration

ROOT = Path(__file__).resolve().parent.parent


def project_root() -> Path:
    """Where alembic.ini and migrations/ live: the source tree, else the working directory."""
    for candidate in (ROOT, Path.cwd()):
        if (candidate / "alembic.ini").is_file() and (candidate / "migrations").is_dir():
            return candidate
    raise FileNotFoundError("alembic.ini and migrations/ not found beside the code or in the cwd")


def alembic_config(database_url: str | None = None) -> Config:
    """Alembic config pointing at the project's migrations."""
    root = project_root()
    cfg = Config(str(root / "alembic.ini"))
    cfg.set_main_option("script_location", str(root / "migrations"))
    if database_url:
        cfg.attributes["database_url"] = database_url
    return cfg


def upgrade(database_url: str | None = None, revision: str = "head") -> None:
    """Upgrade the database to `revision`."""
    command.upgrade(alembic_config(database_url), revision)


def downgrade(database_url: str | None = None, revision: str = "base") -> None:
    """Downgrade the database to `revision`."""
    command.downgrade(alembic_config(database_url), revision)


def newest_revision() -> str:
    """The newest migration shipped with this code."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None
    return head


def known_revision(revision: str) -> bool:
    """Whether this code ships the migration `revision` (a database may be ahead of it)."""
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:  # "No such revision or branch"
        return False


def sqlite_file(database_url: str) -> Path | None:
    """The file a SQLite URL names (None: another database, or SQLite in memory)."""
    url = make_url(database_url)
    database = url.database or ""
    if database.startswith("file:"):  # a URI filename (sqlite:///file:...?uri=true)
        database = database.removeprefix("file:").split("?")[0]
    if url.get_backend_name() != "sqlite" or database in {"", ":memory:"}:
        return None
    if url.query.get("mode") == "memory":
        return None
    return Path(database)  # as SQLite opens it: no `~` expansion


def display_url(database_url: str) -> str:
    """The URL for messages: as configured, without its password."""
    return make_url(database_url).render_as_string(hide_password=True)


def applied_revision(database_url: str, *, connect_timeout_seconds: int = 5) -> str | None:
    """The migration the database is at (None: none applied, e.g. a new or foreign database).

    Opens a plain connection that writes nothing (no pragmas), so checking an existing SQLite
    file leaves it as it was; the caller checks first that the file exists (sqlite_file), since
    opening a missing one would create it. Raises SQLAlchemyError when the database does not
    answer.
    """
    options = (
        {} if database_url.startswith("sqlite") else {"connect_timeout": connect_timeout_seconds}
    )
    engine = create_engine(database_url, connect_args=options)
    try:
        with engine.connect() as connection:
            if not inspect(connection).has_table("alembic_version"):
                return None
            with Session(bind=connection) as session:
                return applied_migration(session)
    finally:
        engine.dispose()
