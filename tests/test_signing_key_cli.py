"""Issue 14: `certverify migrate` generates the receipt key beside the SQLite database (never in
it), and `certverify keys rotate-signing` retires it while old receipts still verify."""

from __future__ import annotations

import base64
import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from joserfc.jwk import OKPKey
from sqlalchemy import select
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from app.db import get_engine, get_session_factory
from app.keystore import signing_key_pem
from app.models import SigningKey
from app.services.verification.receipts import public_jwks, reset_key_cache, verify_receipt


def _forget() -> None:
    """What a new process starts without: cached settings, engine and keys."""
    if get_engine.cache_info().currsize:
        get_engine().dispose()
    for cached in (get_settings, get_engine, get_session_factory):
        cached.cache_clear()
    reset_key_cache()


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A runner on a new SQLite file, with no data directory: keys go beside the database."""
    monkeypatch.setenv("CERTVERIFY_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    monkeypatch.delenv("CERTVERIFY_DATA_DIR", raising=False)
    _forget()
    yield CliRunner()
    _forget()


def _flat(text: str) -> str:
    """Console output without the terminal's line wrapping."""
    return " ".join(text.split())


def _kid(receipt: str) -> str:
    header = receipt.split(".")[0]
    kid: str = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"]
    return kid


def _receipt(runner: CliRunner, number: str) -> str:
    result = runner.invoke(cli, ["verify", number, "--json"])
    assert result.exit_code == 0, result.output
    receipt: str = json.loads(result.stdout)["receipt"]
    return receipt


def _signing_keys() -> list[tuple[str, bool]]:
    with get_session_factory()() as session:
        rows = session.execute(
            select(SigningKey.kid, SigningKey.retired_at).order_by(SigningKey.created_at)
        ).all()
    return [(kid, retired_at is not None) for kid, retired_at in rows]


def test_migrate_generates_the_key_beside_the_database_and_rotate_signing_retires_it(
    runner: CliRunner, tmp_path: Path
) -> None:
    """migrate writes cli.signing-key.pem and cli.secret-key (mode 0600) beside cli.db and
    publishes the public half; rotate-signing prints the new kid, replaces the file, retires the
    old key; a new process signs with the new key and the old receipt still verifies."""
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    key_file = tmp_path / "cli.signing-key.pem"
    for name in ("cli.signing-key.pem", "cli.secret-key"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    old_kid = OKPKey.import_key(key_file.read_bytes()).thumbprint()
    assert _signing_keys() == [(old_kid, False)]
    old_receipt = _receipt(runner, "BEFORE-1")
    assert _kid(old_receipt) == old_kid

    rotated = runner.invoke(cli, ["keys", "rotate-signing"])
    assert rotated.exit_code == 0, rotated.output
    new_kid = rotated.stdout.strip()
    assert new_kid != old_kid
    assert _flat(rotated.stderr) == (
        f"receipts are now signed with {new_kid} ({key_file}); retired: {old_kid}. Restart the "
        "API and worker processes so that they load it."
    )
    assert OKPKey.import_key(key_file.read_bytes()).thumbprint() == new_kid
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert _signing_keys() == [(old_kid, True), (new_kid, False)]

    _forget()  # a new process
    assert _kid(_receipt(runner, "AFTER-1")) == new_kid
    with get_session_factory()() as session:
        jwks = public_jwks(session)
    assert [k["kid"] for k in jwks["keys"]] == [old_kid, new_kid]
    assert verify_receipt(old_receipt, jwks)["certificate_number"] == "BEFORE-1"


def test_rotate_signing_with_the_key_in_the_environment(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With CERTVERIFY_SIGNING_KEY the command cannot change the key: it refuses while the
    variable holds the current key, and records a new one put there, retiring the old."""
    first = OKPKey.generate_key("Ed25519")
    monkeypatch.setenv("CERTVERIFY_SIGNING_KEY", signing_key_pem(first).decode())
    _forget()
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    assert not (tmp_path / "cli.signing-key.pem").exists()
    refused = runner.invoke(cli, ["keys", "rotate-signing"])
    assert refused.exit_code == 2
    assert refused.stdout == ""
    assert _flat(refused.stderr) == (
        f"CERTVERIFY_SIGNING_KEY still holds the current key {first.thumbprint()}, and this "
        "command cannot change an environment variable: put a new Ed25519 key there (PEM or "
        "JWK; e.g. `openssl genpkey -algorithm ed25519`) and run this again"
    )
    assert _signing_keys() == [(first.thumbprint(), False)]

    second = OKPKey.generate_key("Ed25519")
    monkeypatch.setenv("CERTVERIFY_SIGNING_KEY", json.dumps(second.as_dict(private=True)))
    _forget()
    rotated = runner.invoke(cli, ["keys", "rotate-signing"])
    assert rotated.exit_code == 0, rotated.output
    assert rotated.stdout.strip() == second.thumbprint()
    assert _signing_keys() == [(first.thumbprint(), True), (second.thumbprint(), False)]


def test_migrate_says_what_to_set_when_the_key_file_cannot_be_used(
    runner: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A key file the process cannot write is a clear message and exit status 2, not a
    traceback."""
    (tmp_path / "plain-file").write_text("")
    path = tmp_path / "plain-file" / "key.pem"
    monkeypatch.setenv("CERTVERIFY_SIGNING_KEY_FILE", str(path))
    _forget()
    result = runner.invoke(cli, ["migrate"])
    assert result.exit_code == 2
    assert result.stderr.splitlines()[-1].startswith(
        f"cannot write the key file {path}: File exists; set CERTVERIFY_DATA_DIR"
    )
