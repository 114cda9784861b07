"""Issue 15, item 5: the command line on a missing, empty or old database says what to do in one
line and exits 2 (no traceback, no empty `certverify.db` left behind); `certverify migrate`
says what it did."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from joserfc.jwk import OKPKey
from sqlalchemy import create_engine, text
from typer.testing import CliRunner

from app.cli import cli
from app.config import Settings, get_settings
from app.db import get_engine, get_session_factory
from app.keystore import key_directory, signing_key_pem
from app.migrate import newest_revision, sqlite_file, upgrade
from app.services.verification.receipts import reset_key_cache

NEEDS_THE_DATABASE = [
    ["seed"],
    ["demo", "--certificates", "5"],
    ["keys", "create", "--role", "admin"],
    ["keys", "list"],
    ["keys", "rotate-signing"],
    ["clients", "list"],
    ["verify", "Q 700001"],
    ["import", "rows.csv", "--cb", "NBC"],
    ["worker", "--once"],
    ["serve", "--no-worker"],
]


def _forget() -> None:
    for cached in (get_settings, get_engine, get_session_factory):
        cached.cache_clear()
    reset_key_cache()


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A runner in an empty directory outside the clone, with the default database URL
    (sqlite:///./certverify.db); uvicorn is never started."""
    import uvicorn

    def no_server(*_args: Any, **_kwargs: Any) -> None:
        raise AssertionError("serve went on to start uvicorn")

    monkeypatch.setattr(uvicorn, "run", no_server)
    monkeypatch.setenv("CERTVERIFY_IN_PROCESS_WORKER", "false")  # serve sets it; restored after
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("CERTVERIFY_DATABASE_URL", raising=False)
    (tmp_path / "rows.csv").write_text("certificate_number\nQ 1\n")
    _forget()
    yield CliRunner()
    get_engine().dispose()
    _forget()


def _use(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("CERTVERIFY_DATABASE_URL", url)
    _forget()


@pytest.mark.parametrize("command", NEEDS_THE_DATABASE, ids=lambda c: " ".join(c[:2]))
def test_a_missing_database_is_one_line_and_no_file(
    runner: CliRunner, tmp_path: Path, command: list[str]
) -> None:
    """Run outside the clone, a command says the database is not there, exits 2 and leaves no
    empty certverify.db (it printed a 200-line traceback ending in "no such table: api_keys")."""
    result = runner.invoke(cli, command)
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"certverify: the database sqlite:///./certverify.db does not exist (no file "
        f"{tmp_path.resolve() / 'certverify.db'}); run `certverify migrate` to create it, or set "
        "CERTVERIFY_DATABASE_URL to the database you meant\n"
    )
    assert result.stdout == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rows.csv"]


@pytest.mark.parametrize("command", NEEDS_THE_DATABASE, ids=lambda c: " ".join(c[:2]))
def test_a_database_without_tables_is_one_line(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, command: list[str]
) -> None:
    """An existing file without certverify's tables (an empty certverify.db) is named, and the
    way out too; the file is left as it was."""
    empty = tmp_path / "empty.db"
    empty.touch()
    _use(monkeypatch, f"sqlite:///{empty}")
    result = runner.invoke(cli, command)
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"certverify: the database sqlite:///{empty} has no certverify tables; run `certverify "
        "migrate` (or set CERTVERIFY_DATABASE_URL)\n"
    )
    assert empty.stat().st_size == 0


def test_an_older_database_asks_for_the_migration(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A database behind the code: one-shot commands ask for `certverify migrate`; serve and
    the worker start (a rolling deploy; /readyz answers 503 until it is migrated)."""
    url = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(url, "0011")
    _use(monkeypatch, url)
    refused = runner.invoke(cli, ["keys", "create", "--role", "admin"])
    assert refused.exit_code == 2
    assert refused.stderr == (
        f"certverify: the database {url} is at migration 0011 and this certverify needs "
        f"{newest_revision()}; run `certverify migrate`\n"
    )
    served = runner.invoke(cli, ["serve", "--no-worker"])
    assert served.exit_code == 1  # got past the check, to uvicorn.run (refused by the test)
    assert isinstance(served.exception, AssertionError)
    assert str(served.exception) == "serve went on to start uvicorn"


def test_a_database_that_does_not_answer_is_one_line(
    runner: CliRunner, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL that refuses the connection: named without its password, and the setting."""
    _use(monkeypatch, "postgresql+psycopg://certverify:s3cret@127.0.0.1:1/certverify")
    result = runner.invoke(cli, ["clients", "list"])
    assert result.exit_code == 2
    assert result.stderr.startswith(
        "certverify: cannot open the database postgresql+psycopg://certverify:***@127.0.0.1:1/"
        "certverify: connection failed: "
    )
    assert result.stderr.endswith("; check CERTVERIFY_DATABASE_URL\n")
    assert "s3cret" not in result.stderr
    assert len(result.stderr.splitlines()) == 1


def test_migrate_says_what_it_did(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Created at revision N on a new database, upgraded from M to N on an old one, "already at
    the newest migration" only when there was nothing to do."""
    newest = newest_revision()
    created = runner.invoke(cli, ["migrate"])
    assert created.exit_code == 0, created.output
    assert created.stderr.splitlines()[-1] == (
        f"created the certverify tables in sqlite:///./certverify.db, at migration {newest} "
        "(the newest)"
    )
    again = runner.invoke(cli, ["migrate"])
    assert again.stderr.splitlines()[-1] == (
        f"sqlite:///./certverify.db is already at the newest migration, {newest}; nothing to do"
    )
    assert runner.invoke(cli, ["clients", "list"]).exit_code == 0  # usable now

    old = f"sqlite:///{tmp_path / 'old.db'}"
    upgrade(old, "0010")
    _use(monkeypatch, old)
    upgraded = runner.invoke(cli, ["migrate"])
    assert upgraded.exit_code == 0, upgraded.output
    assert upgraded.stderr.splitlines()[-1] == (
        f"upgraded {old} from migration 0010 to {newest} (the newest)"
    )


def test_migrate_into_a_missing_directory_is_one_line(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A SQLite file in a directory that does not exist: one line naming the directory, exit 2
    (it was a traceback ending in "unable to open database file"), and nothing created."""
    url = f"sqlite:///{tmp_path / 'missing' / 'cv.db'}"
    _use(monkeypatch, url)
    result = runner.invoke(cli, ["migrate"])
    assert result.exit_code == 2, result.output
    assert result.stderr == (
        f"certverify: cannot migrate the database {url}: unable to open database file; check "
        f"CERTVERIFY_DATABASE_URL (the directory {(tmp_path / 'missing').resolve()} does not "
        "exist)\n"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["rows.csv"]


def test_a_tilde_in_a_sqlite_url_is_the_file_sqlite_opens(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SQLite does not expand `~`: `sqlite:///~/r.db` is the file `~/r.db` under the working
    directory, so the database checks and the key files look there too, not in the home."""
    monkeypatch.chdir(tmp_path)
    assert sqlite_file("sqlite:///~/r.db") == Path("~/r.db")
    directory, prefix = key_directory(Settings(data_dir=None), "sqlite:///~/r.db")
    assert (directory, prefix) == (tmp_path / "~", "r.")


def test_serve_publishes_a_signing_key_set_for_it_alone(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key given to `serve` only (CERTVERIFY_SIGNING_KEY) is published before the first
    request: published inside a request, on SQLite that request could no longer write (its batch
    answered 503)."""
    url = f"sqlite:///{tmp_path / 'r.db'}"
    upgrade(url)
    key = OKPKey.generate_key("Ed25519")
    monkeypatch.setenv("CERTVERIFY_SIGNING_KEY", signing_key_pem(key).decode())
    _use(monkeypatch, url)
    served = runner.invoke(cli, ["serve", "--no-worker"])
    assert str(served.exception) == "serve went on to start uvicorn"
    engine = create_engine(url)
    with engine.connect() as connection:
        kids = connection.execute(text("SELECT kid FROM signing_keys")).scalars().all()
    engine.dispose()
    assert kids == [key.thumbprint()]
