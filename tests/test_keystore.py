"""Issue 14, keys at rest: where the signing key and the webhook secret key come from
(app/keystore.py), without a database."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from cryptography.fernet import Fernet
from joserfc.jwk import OKPKey
from pydantic import SecretStr

from app.config import Settings
from app.keystore import (
    KeyConfigurationError,
    load_secret_box,
    load_signing_key,
    signing_key_pem,
)


def _settings(**values: object) -> Settings:
    """Settings with no data directory (the conftest's) unless given."""
    return Settings(**{"data_dir": None, **values})  # type: ignore[arg-type]


def test_embedded_default_generates_keys_beside_the_sqlite_file_with_mode_0600(
    tmp_path: Path,
) -> None:
    """Issue 14: on first run the keys are generated beside the SQLite database, mode 0600,
    under names a copy of `registry.db*` does not take along; later runs read the same keys."""
    settings = _settings(database_url=f"sqlite:///{tmp_path / 'registry.db'}")
    key = load_signing_key(settings)
    box = load_secret_box(settings)
    assert key is not None
    assert box is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "registry.secret-key",
        "registry.signing-key.pem",
    ]
    for name in ("registry.secret-key", "registry.signing-key.pem"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o600
    assert (tmp_path / "registry.signing-key.pem").read_bytes() == signing_key_pem(key)
    again = load_signing_key(settings)
    assert again is not None
    assert again.thumbprint() == key.thumbprint()
    token = box.encrypt(b"whsec_x")
    reopened = load_secret_box(settings)
    assert reopened is not None
    assert reopened.decrypt(token) == b"whsec_x"


def test_data_dir_holds_the_generated_keys(tmp_path: Path) -> None:
    """CERTVERIFY_DATA_DIR, when set, is where the keys are generated (created 0700 if need be)."""
    data = tmp_path / "keys"
    settings = _settings(database_url=f"sqlite:///{tmp_path / 'r.db'}", data_dir=str(data))
    assert load_signing_key(settings) is not None
    assert load_secret_box(settings) is not None
    assert sorted(p.name for p in data.iterdir()) == ["secret-key", "signing-key.pem"]
    assert stat.S_IMODE(data.stat().st_mode) == 0o700


def test_key_settings_set_to_nothing_count_as_unset(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`CERTVERIFY_SIGNING_KEY=` (an env file or a compose file with an empty secret) is not an
    empty key that fails every signing request: the keys are generated beside the database."""
    for name in ("SIGNING_KEY", "SIGNING_KEY_FILE", "SECRET_KEY", "SECRET_KEY_FILE", "DATA_DIR"):
        monkeypatch.setenv(f"CERTVERIFY_{name}", "  ")
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'r.db'}")
    assert (settings.signing_key, settings.signing_key_file, settings.data_dir) == (
        None,
        None,
        None,
    )
    assert (settings.secret_key, settings.secret_key_file) == (None, None)
    assert load_signing_key(settings) is not None
    assert load_secret_box(settings) is not None
    assert sorted(p.name for p in tmp_path.iterdir()) == ["r.secret-key", "r.signing-key.pem"]


@pytest.mark.parametrize("form", ["pem", "jwk"])
def test_signing_key_from_the_environment_as_pem_or_jwk(tmp_path: Path, form: str) -> None:
    """CERTVERIFY_SIGNING_KEY (PEM or JWK) is used as it is, and no file is written."""
    key = OKPKey.generate_key("Ed25519")
    text = signing_key_pem(key).decode() if form == "pem" else json.dumps(key.as_dict(private=True))
    settings = _settings(database_url=f"sqlite:///{tmp_path / 'r.db'}", signing_key=SecretStr(text))
    loaded = load_signing_key(settings)
    assert loaded is not None
    assert loaded.thumbprint() == key.thumbprint()
    assert list(tmp_path.iterdir()) == []


def test_operator_key_file_is_read_and_a_wrong_key_is_refused_without_echoing_it(
    tmp_path: Path,
) -> None:
    """CERTVERIFY_SIGNING_KEY_FILE names the key; a public key or an X25519 key is refused with
    a message that names the file, never the key text."""
    key = OKPKey.generate_key("Ed25519")
    path = tmp_path / "operator.pem"
    path.write_bytes(signing_key_pem(key))
    loaded = load_signing_key(_settings(signing_key_file=str(path)))
    assert loaded is not None
    assert loaded.thumbprint() == key.thumbprint()

    public = key.as_pem(private=False)
    path.write_bytes(public if isinstance(public, bytes) else public.encode())
    with pytest.raises(KeyConfigurationError) as refused:
        load_signing_key(_settings(signing_key_file=str(path)))
    assert str(refused.value) == f"{path} does not hold an Ed25519 private key (PEM or JWK)"

    x25519 = json.dumps(OKPKey.generate_key("X25519").as_dict(private=True))
    with pytest.raises(KeyConfigurationError) as refused:
        load_signing_key(_settings(signing_key=SecretStr(x25519)))
    assert str(refused.value) == (
        "CERTVERIFY_SIGNING_KEY does not hold an Ed25519 private key (PEM or JWK)"
    )
    assert x25519 not in str(refused.value)


def test_secret_key_from_the_environment_and_a_malformed_one_is_refused() -> None:
    """CERTVERIFY_SECRET_KEY is a Fernet key; anything else is refused with what to do."""
    fernet_key = Fernet.generate_key().decode()
    box = load_secret_box(_settings(secret_key=SecretStr(fernet_key)))
    assert box is not None
    assert Fernet(fernet_key).decrypt(box.encrypt(b"s")) == b"s"
    with pytest.raises(KeyConfigurationError, match="does not hold a Fernet key"):
        load_secret_box(_settings(secret_key=SecretStr("not-a-key")))


def test_postgresql_without_a_key_location_is_refused_with_what_to_set() -> None:
    """A database that is not a SQLite file has no "beside": several hosts must not each make
    their own key, so the operator is told what to set instead."""
    settings = _settings(database_url="postgresql+psycopg://u:p@db.internal/certverify")
    with pytest.raises(KeyConfigurationError) as refused:
        load_signing_key(settings)
    message = str(refused.value)
    assert message.startswith(
        "the receipt signing key and the webhook secret key are kept outside the database, "
        "and a postgresql database has no directory to keep them beside: set CERTVERIFY_DATA_DIR"
    )
    for name in ("CERTVERIFY_SIGNING_KEY_FILE", "CERTVERIFY_SIGNING_KEY", "CERTVERIFY_SECRET_KEY"):
        assert name in message
    with pytest.raises(KeyConfigurationError):
        load_secret_box(settings)


def test_key_file_that_cannot_be_written_is_a_clear_error(tmp_path: Path) -> None:
    """A key file under a path that is not a directory: the error names the file and the
    settings to use instead, and nothing is left behind."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    path = blocker / "signing-key.pem"
    with pytest.raises(KeyConfigurationError) as refused:
        load_signing_key(_settings(signing_key_file=str(path)))
    assert str(refused.value).startswith(
        f"cannot write the key file {path}: File exists; set CERTVERIFY_DATA_DIR"
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == ["not-a-directory"]


def test_key_file_that_cannot_be_read_is_a_clear_error(tmp_path: Path) -> None:
    """A key file path that is a directory cannot be read: the error names it."""
    with pytest.raises(KeyConfigurationError) as refused:
        load_signing_key(_settings(signing_key_file=str(tmp_path)))
    assert str(refused.value) == f"cannot read the key file {tmp_path}: Is a directory"


def test_compose_gives_every_process_the_same_key_directory() -> None:
    """With PostgreSQL, docker-compose's migrate, api and worker share one key directory on a
    volume, so they sign with one key and read the same webhook secrets."""
    import yaml

    compose = yaml.safe_load((Path(__file__).parents[1] / "docker-compose.yml").read_text())
    for name in ("migrate", "api", "worker"):
        service = compose["services"][name]
        assert service["environment"]["CERTVERIFY_DATA_DIR"] == "/data/keys"
        assert "certverify-keys:/data" in service["volumes"]
    assert "certverify-keys" in compose["volumes"]
