"""Migration 0011: the receipt signing key leaves the database for the key file, webhook secrets
are encrypted at rest (issue 14, part 4)."""

from __future__ import annotations

import stat
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet
from joserfc.jwk import OKPKey
from sqlalchemy.orm import Session

from app import clock
from app.config import get_settings
from app.db import make_engine
from app.keystore import KeyConfigurationError, signing_key_pem
from app.migrate import downgrade, upgrade
from app.models import WebhookEndpoint
from app.services.verification.receipts import reset_key_cache
from tests.conftest import drop_database, fresh_database_url

NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)
MIGRATED_AT = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)

_clients = sa.table(
    "clients",
    sa.column("id", sa.Uuid()),
    sa.column("kind", sa.String()),
    sa.column("name", sa.String()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
_signing_keys = sa.table(
    "signing_keys",
    sa.column("kid", sa.String()),
    sa.column("private_key_pem", sa.Text()),
    sa.column("public_jwk", sa.JSON()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("retired_at", sa.DateTime(timezone=True)),
)
_endpoints = sa.table(
    "webhook_endpoints",
    sa.column("id", sa.Uuid()),
    sa.column("client_id", sa.Uuid()),
    sa.column("url", sa.String()),
    sa.column("events", sa.JSON()),
    sa.column("secret", sa.String()),
    sa.column("previous_secret", sa.String()),
    sa.column("enabled", sa.Boolean()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)
SECRET = "whsec_" + "A" * 43 + "="
PREVIOUS = "whsec_" + "B" * 43 + "="


@pytest.fixture
def keys(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Path]]:
    """This test's key files (not there yet), as CERTVERIFY_SIGNING_KEY_FILE and
    CERTVERIFY_SECRET_KEY_FILE would name them."""
    paths = {"signing": tmp_path / "keys" / "signing.pem", "secret": tmp_path / "keys" / "kek"}
    monkeypatch.setattr(get_settings(), "signing_key_file", str(paths["signing"]))
    monkeypatch.setattr(get_settings(), "secret_key_file", str(paths["secret"]))
    reset_key_cache()
    yield paths
    reset_key_cache()


def _database_at_0010(tmp_path: Path, name: str) -> tuple[str, dict[str, Any]]:
    """A database at 0010 holding what 0010's code wrote: three signing keys with their private
    PEM (the oldest active one signs; a newer active one from a race; a retired one) and an
    endpoint with plaintext secrets."""
    url = fresh_database_url(tmp_path, name)
    upgrade(url, "0010")
    engine = make_engine(url)
    made = {name: OKPKey.generate_key("Ed25519") for name in ("signing", "raced", "retired")}
    client_id, endpoint_id = uuid.uuid4(), uuid.uuid4()
    with engine.begin() as conn:
        for offset, (label, retired_at) in enumerate(
            (("retired", NOW - timedelta(days=30)), ("signing", None), ("raced", None))
        ):
            key = made[label]
            conn.execute(
                sa.insert(_signing_keys).values(
                    kid=key.thumbprint(),
                    private_key_pem=signing_key_pem(key).decode(),
                    public_jwk=key.as_dict(private=False),
                    created_at=NOW - timedelta(days=60) + timedelta(days=offset),
                    retired_at=retired_at,
                )
            )
        conn.execute(
            sa.insert(_clients).values(id=client_id, kind="client", name="old", created_at=NOW)
        )
        conn.execute(
            sa.insert(_endpoints).values(
                id=endpoint_id,
                client_id=client_id,
                url="https://hooks.example.com/in",
                events=[],
                secret=SECRET,
                previous_secret=PREVIOUS,
                enabled=True,
                created_at=NOW,
                updated_at=NOW,
            )
        )
    engine.dispose()
    return url, {"keys": made, "endpoint_id": endpoint_id}


def _rows(url: str, query: str) -> list[tuple[Any, ...]]:
    engine = make_engine(url)
    with engine.connect() as conn:
        rows = [tuple(row) for row in conn.execute(sa.text(query))]
    engine.dispose()
    return rows


def _columns(url: str, table: str) -> set[str]:
    engine = make_engine(url)
    names = {column["name"] for column in sa.inspect(engine).get_columns(table)}
    engine.dispose()
    return names


def _aware(value: Any) -> datetime | None:
    """A timestamp as read by raw SQL (SQLite: text without zone; PostgreSQL: aware)."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def test_upgrade_moves_the_signing_key_to_its_file_and_encrypts_secrets_downgrade_restores(
    tmp_path: Path, keys: dict[str, Path]
) -> None:
    """0011 writes the key that signed (the oldest active one) to the key file, mode 0600,
    retires the raced one, drops private_key_pem, and encrypts both secrets; the application
    reads them in the clear. The downgrade puts the key and the plaintext secrets back."""
    url, made = _database_at_0010(tmp_path, "secrets_0011")
    signing, raced, retired = (made["keys"][n] for n in ("signing", "raced", "retired"))
    with clock.using(clock.FixedClock(MIGRATED_AT, tick=False)):
        upgrade(url, "0011")

    assert keys["signing"].read_bytes() == signing_key_pem(signing)
    assert stat.S_IMODE(keys["signing"].stat().st_mode) == 0o600
    assert "private_key_pem" not in _columns(url, "signing_keys")
    retired_at = {
        kid: _aware(value) for kid, value in _rows(url, "SELECT kid, retired_at FROM signing_keys")
    }
    assert retired_at == {
        retired.thumbprint(): NOW - timedelta(days=30),
        signing.thumbprint(): None,
        raced.thumbprint(): MIGRATED_AT,
    }
    [(stored_secret, stored_previous)] = _rows(
        url, "SELECT secret, previous_secret FROM webhook_endpoints"
    )
    box = Fernet(keys["secret"].read_bytes().strip())
    assert stat.S_IMODE(keys["secret"].stat().st_mode) == 0o600
    assert not stored_secret.startswith("whsec_")
    assert box.decrypt(stored_secret.encode()).decode() == SECRET
    assert box.decrypt(stored_previous.encode()).decode() == PREVIOUS
    engine = make_engine(url)
    with Session(engine) as session:
        endpoint = session.get(WebhookEndpoint, made["endpoint_id"])
        assert endpoint is not None
        assert (endpoint.secret, endpoint.previous_secret) == (SECRET, PREVIOUS)
    engine.dispose()

    with clock.using(clock.FixedClock(MIGRATED_AT, tick=False)):
        downgrade(url, "0010")
    restored = {
        kid: (pem, _aware(value))
        for kid, pem, value in _rows(
            url, "SELECT kid, private_key_pem, retired_at FROM signing_keys"
        )
    }
    assert restored == {
        retired.thumbprint(): ("", NOW - timedelta(days=30)),
        signing.thumbprint(): (signing_key_pem(signing).decode(), None),
        raced.thumbprint(): ("", MIGRATED_AT),
    }
    assert _rows(url, "SELECT secret, previous_secret FROM webhook_endpoints") == [
        (SECRET, PREVIOUS)
    ]
    assert keys["signing"].exists()  # left in place
    upgrade(url, "0011")  # and up again, reading the same files
    assert keys["signing"].read_bytes() == signing_key_pem(signing)
    drop_database(url)


def test_an_existing_key_file_signs_and_every_database_key_retires(
    tmp_path: Path, keys: dict[str, Path]
) -> None:
    """With a key file there already (the operator's), 0011 keeps it as it is and retires
    every key of the database; their public halves stay."""
    url, made = _database_at_0010(tmp_path, "secrets_0011_file")
    operator = OKPKey.generate_key("Ed25519")
    keys["signing"].parent.mkdir(mode=0o700)
    keys["signing"].write_bytes(signing_key_pem(operator))
    with clock.using(clock.FixedClock(MIGRATED_AT, tick=False)):
        upgrade(url, "0011")
    assert keys["signing"].read_bytes() == signing_key_pem(operator)
    retired_at = dict(_rows(url, "SELECT kid, retired_at FROM signing_keys"))
    assert {kid: _aware(value) for kid, value in retired_at.items()} == {
        made["keys"]["retired"].thumbprint(): NOW - timedelta(days=30),
        made["keys"]["signing"].thumbprint(): MIGRATED_AT,
        made["keys"]["raced"].thumbprint(): MIGRATED_AT,
    }
    drop_database(url)


def test_upgrade_refuses_before_changing_anything_when_the_key_file_cannot_be_written(
    tmp_path: Path, keys: dict[str, Path]
) -> None:
    """Where the key file cannot be written the migration stops with what to set, and the
    database is left at 0010 with its keys and plaintext secrets."""
    keys["signing"].parent.write_text("")  # "keys" is a file: nothing can be written under it
    url, made = _database_at_0010(tmp_path, "secrets_0011_refused")
    with pytest.raises(KeyConfigurationError) as refused:
        upgrade(url, "0011")
    message = str(refused.value)
    assert message.startswith(
        "migration 0011 moves the receipt signing key out of the database, and cannot: "
        f"cannot write the key file {keys['signing']}: File exists; set CERTVERIFY_DATA_DIR"
    )
    assert message.endswith("Nothing was changed; run `certverify migrate` again once that is set.")
    assert _rows(url, "SELECT version_num FROM alembic_version") == [("0010",)]
    assert "private_key_pem" in _columns(url, "signing_keys")
    assert len(_rows(url, "SELECT kid FROM signing_keys WHERE private_key_pem <> ''")) == 3
    assert _rows(url, "SELECT secret FROM webhook_endpoints") == [(SECRET,)]
    assert made["keys"]["signing"].thumbprint()
    drop_database(url)
