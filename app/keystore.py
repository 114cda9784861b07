"""Key material kept out of the database (issue 14; docs/security.md, "Keys at rest and SSRF").

Two keys: the Ed25519 key that signs receipts, and the key-encryption key (a Fernet key) that
encrypts webhook secrets at rest. Each comes from its environment variable (a secret store:
CERTVERIFY_SIGNING_KEY, CERTVERIFY_SECRET_KEY), else from its key file
(CERTVERIFY_SIGNING_KEY_FILE, CERTVERIFY_SECRET_KEY_FILE), else from a file this module
generates on first run, mode 0600: in CERTVERIFY_DATA_DIR when set, else beside the SQLite
database file (`certverify.db` -> `certverify.signing-key.pem`, `certverify.secret-key`, names
that a copy of `certverify.db*` does not take along). A database that is not a SQLite file
(PostgreSQL) has no "beside": its operator names the keys or a directory every process shares,
so that several hosts never each invent their own key.

The database keeps only public halves (signing_keys) and ciphertexts (webhook_endpoints).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import secrets
import stat
import threading
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from joserfc.jwk import OKPKey
from sqlalchemy.engine import make_url

from app.config import Settings, get_settings

log = logging.getLogger(__name__)

SIGNING_KEY_NAME = "signing-key.pem"
SECRET_KEY_NAME = "secret-key"
HOW_TO_CONFIGURE = (
    "set CERTVERIFY_DATA_DIR to a directory that every certverify process of this deployment "
    "shares (the keys are generated there on first run), or name the key files "
    "(CERTVERIFY_SIGNING_KEY_FILE, CERTVERIFY_SECRET_KEY_FILE), or pass the keys themselves "
    "(CERTVERIFY_SIGNING_KEY: an Ed25519 private key, PEM or JWK; CERTVERIFY_SECRET_KEY: a "
    "Fernet key)"
)


class KeyConfigurationError(RuntimeError):
    """A key is missing, unreadable or not what it should be; the message says what to set."""


@dataclass(frozen=True)
class KeySource:
    """Where a key comes from: an environment variable, or a file (generated when missing)."""

    variable: str | None
    path: Path | None

    def describe(self) -> str:
        """For messages: the variable's name or the file's path (never the key)."""
        return self.variable or str(self.path)


def key_directory(settings: Settings, database_url: str | None = None) -> tuple[Path, str]:
    """The directory of generated keys and the prefix of their file names.

    CERTVERIFY_DATA_DIR, else the directory of the SQLite database file (`database_url`, else
    the configured one) with its stem as prefix.
    """
    if settings.data_dir:
        return Path(settings.data_dir).expanduser(), ""
    url = make_url(database_url or settings.database_url)
    database = url.database or ""
    if database.startswith("file:"):  # a URI filename (sqlite:///file:...?uri=true)
        database = database.removeprefix("file:")
    in_memory = database in {"", ":memory:"} or url.query.get("mode") == "memory"
    if url.get_backend_name() != "sqlite" or in_memory:
        raise KeyConfigurationError(
            "the receipt signing key and the webhook secret key are kept outside the database, "
            f"and a {url.get_backend_name()} database has no directory to keep them beside: "
            + HOW_TO_CONFIGURE
        )
    path = Path(database).resolve()  # as SQLite opens it: no `~` expansion
    return path.parent, f"{path.stem}."


def _source(
    settings: Settings,
    database_url: str | None,
    *,
    variable: str,
    value: object,
    file: str | None,
    name: str,
) -> KeySource:
    if value is not None:
        return KeySource(variable=variable, path=None)
    if file:
        return KeySource(variable=None, path=Path(file).expanduser())
    directory, prefix = key_directory(settings, database_url)
    return KeySource(variable=None, path=directory / f"{prefix}{name}")


def signing_key_source(settings: Settings, database_url: str | None = None) -> KeySource:
    """Where the receipt signing key comes from (see the module docstring)."""
    return _source(
        settings,
        database_url,
        variable="CERTVERIFY_SIGNING_KEY",
        value=settings.signing_key,
        file=settings.signing_key_file,
        name=SIGNING_KEY_NAME,
    )


def secret_key_source(settings: Settings, database_url: str | None = None) -> KeySource:
    """Where the key-encryption key of webhook secrets comes from (see the module docstring)."""
    return _source(
        settings,
        database_url,
        variable="CERTVERIFY_SECRET_KEY",
        value=settings.secret_key,
        file=settings.secret_key_file,
        name=SECRET_KEY_NAME,
    )


def read_key_file(path: Path) -> str | None:
    """The key file's text, or None when there is none; warns when others may read it."""
    try:
        text = path.read_text(encoding="utf-8")
        mode = stat.S_IMODE(path.stat().st_mode)
    except (FileNotFoundError, NotADirectoryError):
        return None
    except OSError as exc:
        raise KeyConfigurationError(f"cannot read the key file {path}: {exc.strerror}") from None
    if mode & 0o077:
        log.warning("key file %s is readable by other users (mode %o): chmod 600 it", path, mode)
    return text


def write_key_file(path: Path, data: bytes, *, replace: bool = False) -> bool:
    """Write a key file with mode 0600, whole or not at all; False when one exists already and
    `replace` is false (two processes racing on first run keep the first one's key)."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.fchmod(descriptor, 0o600)
            os.write(descriptor, data)
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
        if replace:
            os.replace(temporary, path)
            return True
        try:
            os.link(temporary, path)  # atomic, and never over an existing file
        except FileExistsError:
            return False
        except OSError:  # a file system without hard links: exclusive creation instead
            return _create_exclusively(path, data)
        return True
    except OSError as exc:
        raise KeyConfigurationError(
            f"cannot write the key file {path}: {exc.strerror}; " + HOW_TO_CONFIGURE
        ) from None
    finally:
        with contextlib.suppress(OSError):  # its directory may not be there either
            temporary.unlink(missing_ok=True)


def _create_exclusively(path: Path, data: bytes) -> bool:
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return False
    try:
        os.fchmod(descriptor, 0o600)
        os.write(descriptor, data)
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    return True


def parse_signing_key(text: str, origin: str) -> OKPKey:
    """An Ed25519 private key from PEM (PKCS#8) or JWK text; `origin` names it in errors."""
    try:
        stripped = text.strip()
        key = OKPKey.import_key(json.loads(stripped) if stripped.startswith("{") else stripped)
    except Exception:  # the library's many parse errors; the key text is never repeated
        raise KeyConfigurationError(
            f"{origin} does not hold an Ed25519 private key (PEM or JWK)"
        ) from None
    if not key.is_private or key.as_dict(private=False).get("crv") != "Ed25519":
        raise KeyConfigurationError(f"{origin} does not hold an Ed25519 private key (PEM or JWK)")
    return key


def signing_key_pem(key: OKPKey) -> bytes:
    """The private key as PKCS#8 PEM, the format of the key file."""
    pem = key.as_pem(private=True)
    return pem if isinstance(pem, bytes) else pem.encode()


def load_signing_key(
    settings: Settings | None = None, *, database_url: str | None = None, create: bool = True
) -> OKPKey | None:
    """The receipt signing key from its source; generated into its file when there is none
    (None instead when `create` is false)."""
    settings = settings or get_settings()
    source = signing_key_source(settings, database_url)
    if source.variable is not None:
        assert settings.signing_key is not None
        return parse_signing_key(settings.signing_key.get_secret_value(), source.variable)
    assert source.path is not None
    text = read_key_file(source.path)
    if text is None:
        if not create:
            return None
        if write_key_file(source.path, signing_key_pem(OKPKey.generate_key("Ed25519"))):
            log.info("generated the receipt signing key in %s", source.path)
        text = read_key_file(source.path)
        assert text is not None
    return parse_signing_key(text, str(source.path))


def parse_secret_key(text: str, origin: str) -> Fernet:
    """A Fernet key (URL-safe base64 of 32 bytes); `origin` names it in errors."""
    try:
        return Fernet(text.strip().encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise KeyConfigurationError(
            f"{origin} does not hold a Fernet key (URL-safe base64 of 32 bytes; "
            "generate one with `python -c 'from cryptography.fernet import Fernet; "
            "print(Fernet.generate_key().decode())'`)"
        ) from None


def load_secret_box(
    settings: Settings | None = None, *, database_url: str | None = None, create: bool = True
) -> Fernet | None:
    """The key-encryption key of webhook secrets from its source; generated into its file when
    there is none (None instead when `create` is false)."""
    settings = settings or get_settings()
    source = secret_key_source(settings, database_url)
    if source.variable is not None:
        assert settings.secret_key is not None
        return parse_secret_key(settings.secret_key.get_secret_value(), source.variable)
    assert source.path is not None
    text = read_key_file(source.path)
    if text is None:
        if not create:
            return None
        if write_key_file(source.path, Fernet.generate_key() + b"\n"):
            log.info("generated the webhook secret key in %s", source.path)
        text = read_key_file(source.path)
        assert text is not None
    return parse_secret_key(text, str(source.path))


_lock = threading.Lock()
_boxes: dict[tuple[str, str], Fernet] = {}


def _box() -> Fernet:
    """The configured key-encryption key, loaded once per source."""
    settings = get_settings()
    source = secret_key_source(settings)
    if source.variable is not None:
        assert settings.secret_key is not None
        digest = hashlib.sha256(settings.secret_key.get_secret_value().encode()).hexdigest()
        cache_key = (source.variable, digest)
    else:
        cache_key = ("file", str(source.path))
    box = _boxes.get(cache_key)
    if box is None:
        with _lock:
            box = _boxes.get(cache_key)
            if box is None:
                box = load_secret_box(settings)
                assert box is not None
                _boxes[cache_key] = box
    return box


def seal(plaintext: str) -> str:
    """Encrypt a secret for storage (Fernet: AES-128-CBC with HMAC-SHA256, a fresh IV each)."""
    return _box().encrypt(plaintext.encode()).decode("ascii")


def unseal(token: str) -> str:
    """Decrypt a stored secret; a token the configured key did not make is a loud error."""
    try:
        return _box().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, UnicodeEncodeError):
        raise KeyConfigurationError(
            "a stored webhook secret cannot be decrypted with the configured secret key "
            f"({secret_key_source(get_settings()).describe()}): it is not the key this database "
            "was written with"
        ) from None


def reset_key_caches() -> None:
    """Forget loaded keys (tests change the configuration)."""
    with _lock:
        _boxes.clear()
