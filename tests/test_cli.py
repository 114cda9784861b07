"""The certverify command line end to end on a fresh SQLite file: migrate, seed, demo, keys,
verify, import."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from app.db import get_engine, get_session_factory
from app.demo.showcase import SHOWCASE
from app.models import SigningKey
from app.services.verification.receipts import reset_key_cache


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A runner whose CERTVERIFY_DATABASE_URL is a new SQLite file."""
    monkeypatch.setenv("CERTVERIFY_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    for cached in (get_settings, get_engine, get_session_factory):
        cached.cache_clear()
    reset_key_cache()
    yield CliRunner()
    get_engine().dispose()
    for cached in (get_settings, get_engine, get_session_factory):
        cached.cache_clear()
    reset_key_cache()


def test_cli_builds_a_working_registry(runner: CliRunner, tmp_path: Path) -> None:
    """migrate, seed (twice: idempotent), demo, keys create, verify and import all work."""
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    with get_session_factory()() as session:  # the receipt key exists before any request
        assert session.scalar(select(func.count()).select_from(SigningKey)) == 1
    assert runner.invoke(cli, ["seed"]).exit_code == 0
    again = runner.invoke(cli, ["seed"])
    assert "sectors: 0 created, 0 updated, 39 unchanged" in again.stderr
    demo = runner.invoke(cli, ["demo", "--certificates", "40"])
    assert demo.exit_code == 0, demo.output
    assert runner.invoke(cli, ["demo", "--certificates", "40"]).exit_code == 1
    assert runner.invoke(cli, ["demo", "--if-empty"]).exit_code == 0

    key = runner.invoke(cli, ["keys", "create", "--role", "client", "--name", "ci"])
    assert key.exit_code == 0
    assert key.stdout.strip().startswith("cvk_")
    assert len(key.stdout.strip().splitlines()) == 1
    bad = runner.invoke(cli, ["keys", "create", "--role", "certification_body"])
    assert bad.exit_code == 2

    valid = SHOWCASE["valid"]
    ok = runner.invoke(cli, ["verify", valid.certificate_number, "--cb", "NBC", "--json"])
    assert ok.exit_code == 0
    assert json.loads(ok.stdout)["verdict"] == "valid"
    withdrawn = runner.invoke(cli, ["verify", SHOWCASE["withdrawn"].certificate_number])
    assert withdrawn.exit_code == 1
    assert withdrawn.stdout.startswith("WITHDRAWN")
    missing = runner.invoke(cli, ["verify", "NO-SUCH-NUMBER"])
    assert missing.exit_code == 3

    csv_file = tmp_path / "in.csv"
    csv_file.write_text(
        "certificate_number,organization_name,standard,issue_date,expiry_date\n"
        "CLI-1,Cli Ltd,ISO 9001:2015,2025-01-01,2027-12-31\n"
    )
    imported = runner.invoke(cli, ["import", str(csv_file), "--cb", "NBC"])
    assert imported.exit_code == 0, imported.output
    assert json.loads(imported.stdout)["totals"]["created"] == 1
    reimported = runner.invoke(cli, ["import", str(csv_file), "--cb", "NBC"])
    assert json.loads(reimported.stdout)["totals"]["unchanged"] == 1


def test_signing_key_survives_a_restart(runner: CliRunner) -> None:
    """The receipt key is created on first use, stored, and reused by a new process."""
    runner.invoke(cli, ["migrate"])
    first = runner.invoke(cli, ["verify", "X-1", "--json"])
    kid_1 = json.loads(first.stdout)["receipt"].split(".")[0]
    reset_key_cache()  # a new process
    get_engine().dispose()
    second = runner.invoke(cli, ["verify", "X-2", "--json"])
    kid_2 = json.loads(second.stdout)["receipt"].split(".")[0]
    assert kid_1 == kid_2


def test_keys_create_and_revoke_are_audited_as_the_cli(runner: CliRunner) -> None:
    """Issue 11: `keys create` and `keys revoke` leave api_key.create and api_key.revoke with the
    cli as actor (no key id) and the key's prefix, name, role, binding and client, never its
    secret; issue 14: a client key made without --client starts a client (client.create)."""
    from app import clock
    from app.models import ApiKey, AuditEvent
    from tests.conftest import TEST_NOW

    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    with clock.using(clock.FixedClock(TEST_NOW, tick=False)):
        created = runner.invoke(cli, ["keys", "create", "--role", "client", "--name", "ci"])
        assert created.exit_code == 0, created.output
        token = created.stdout.strip()
        with get_session_factory()() as session:
            key = session.scalars(select(ApiKey)).one()
        revoked = runner.invoke(cli, ["keys", "revoke", str(key.id)])
        assert revoked.exit_code == 0, revoked.output
        assert runner.invoke(cli, ["keys", "revoke", str(key.id)]).exit_code == 0  # no change
    assert runner.invoke(cli, ["keys", "revoke", "not-a-uuid"]).exit_code == 2

    with get_session_factory()() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.action)).all()
    shown = {
        "prefix": key.prefix,
        "name": "ci",
        "role": "client",
        "body_id": None,
        "client_id": str(key.client_id),
    }
    assert [
        (e.action, e.actor_key_id, e.actor_role, e.target_type, e.target_id, e.before, e.after)
        for e in events
    ] == [
        (
            "api_key.create",
            None,
            "cli",
            "api_key",
            str(key.id),
            None,
            {**shown, "revoked_at": None},
        ),
        (
            "api_key.revoke",
            None,
            "cli",
            "api_key",
            str(key.id),
            {**shown, "revoked_at": None},
            {**shown, "revoked_at": TEST_NOW.isoformat()},
        ),
        (
            "client.create",
            None,
            "cli",
            "client",
            str(key.client_id),
            None,
            {"kind": "client", "name": "ci", "body_id": None, "disabled_at": None},
        ),
    ]
    recorded = json.dumps([[e.before, e.after] for e in events])
    assert token not in recorded
    assert token.split("_")[2] not in recorded
    assert key.secret_hash not in recorded


def test_keys_rotate_within_a_client_and_clients_disable(runner: CliRunner) -> None:
    """Issue 14: `keys create --client` adds a key to a client (rotation with overlap), a body's
    keys share its client, revoking the last key says the client is stopped, and `clients
    disable`/`enable` stop and resume it; `clients list` and `keys list` show it all."""
    from app.models import ApiKey, Client
    from app.repositories.bodies import accreditation_body_by_acronym

    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    assert runner.invoke(cli, ["seed"]).exit_code == 0
    first = runner.invoke(cli, ["keys", "create", "--role", "client", "--name", "acme"])
    assert first.exit_code == 0, first.output
    with get_session_factory()() as session:
        [key] = session.scalars(select(ApiKey)).all()
        owner = str(key.client_id)
        ukas = accreditation_body_by_acronym(session, "UKAS")
        assert ukas is not None
    assert f"created client key {key.id} of client {owner}" in first.stderr
    second = runner.invoke(cli, ["keys", "create", "--client", owner, "--name", "acme 2"])
    assert second.exit_code == 0, second.output
    assert f"of client {owner}" in second.stderr
    wrong = runner.invoke(cli, ["keys", "create", "--client", owner, "--role", "admin"])
    assert wrong.exit_code == 2
    assert f"client {owner} is a client client: its keys are client keys" in wrong.stderr
    for _ in range(2):
        ab = runner.invoke(
            cli, ["keys", "create", "--role", "accreditation_body", "--body", str(ukas.id)]
        )
        assert ab.exit_code == 0, ab.output
    with get_session_factory()() as session:
        clients = {c.kind: c for c in session.scalars(select(Client))}
        ab_keys = session.scalars(select(ApiKey).where(ApiKey.role == "accreditation_body")).all()
    assert set(clients) == {"client", "accreditation_body"}
    assert [k.client_id for k in ab_keys] == [clients["accreditation_body"].id] * 2
    assert clients["accreditation_body"].name == ukas.name

    listed = runner.invoke(cli, ["keys", "list", "--client", owner]).stdout.splitlines()
    assert len(listed) == 2
    assert listed[0].split()[:5] == [str(key.id), "client", owner, "client", f"cvk_{key.prefix}_…"]
    assert [line.split()[5] for line in listed] == ["active", "active"]
    assert [line.split()[-1] for line in listed] == ["acme", "2"]  # names "acme", "acme 2"
    revoked = runner.invoke(cli, ["keys", "revoke", str(key.id)])
    assert "no active key left" not in revoked.stderr  # the second key goes on
    stopped = runner.invoke(cli, ["keys", "revoke", listed[1].split()[0]])
    assert f"client {owner} has no active key left" in stopped.stderr

    rows = runner.invoke(cli, ["clients", "list", "--kind", "client"]).stdout.splitlines()
    assert len(rows) == 1
    assert rows[0].split()[:5] == [owner, "client", "no", "key", "0/2"]
    assert runner.invoke(cli, ["clients", "disable", owner]).exit_code == 0
    refused = runner.invoke(cli, ["keys", "create", "--client", owner])
    assert refused.exit_code == 2
    assert "is disabled" in refused.stderr
    assert runner.invoke(cli, ["clients", "list", "--kind", "client"]).stdout.split()[2] == (
        "disabled"
    )
    assert runner.invoke(cli, ["clients", "enable", owner]).exit_code == 0
    assert runner.invoke(cli, ["keys", "create", "--client", owner]).exit_code == 0
    active = runner.invoke(cli, ["clients", "list", "--kind", "client"]).stdout.split()
    assert active[:4] == [owner, "client", "active", "1/3"]
    assert runner.invoke(cli, ["clients", "disable", str(key.id)]).exit_code == 2  # a key id
