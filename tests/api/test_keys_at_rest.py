"""Issue 14, keys at rest: the receipt signing key never enters the database, and a rotation
keeps old receipts verifiable through the JWKS (API.md, Receipts)."""

from __future__ import annotations

import base64
import json
import warnings
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from joserfc import jws
from joserfc.errors import SecurityWarning
from joserfc.jwk import KeySet, OKPKey
from sqlalchemy import Connection, delete, inspect, select, text
from sqlalchemy.orm import Session

from app import clock
from app.config import get_settings
from app.keystore import signing_key_pem
from app.models import SigningKey
from app.services.verification.receipts import (
    loaded_signing_key,
    reset_key_cache,
    rotate_signing_key,
    verify_receipt,
)
from tests.conftest import TEST_NOW


def _kid(receipt: str) -> str:
    header = receipt.split(".")[0]
    kid: str = json.loads(base64.urlsafe_b64decode(header + "=" * (-len(header) % 4)))["kid"]
    return kid


def _verify_with_joserfc(receipt: str, jwks: dict[str, Any]) -> dict[str, Any]:
    """What a partner does: joserfc picks the key by kid from the published JWK Set."""
    key_set = KeySet.import_key_set(jwks)  # type: ignore[arg-type]  # a JSON document
    with warnings.catch_warnings():  # joserfc flags EdDSA as deprecated by RFC 9864 (issue 15)
        warnings.simplefilter("ignore", SecurityWarning)
        obj = jws.deserialize_compact(receipt, key_set, algorithms=["EdDSA"])
    payload: dict[str, Any] = json.loads(obj.payload)
    return payload


def _every_stored_value(connection: Connection) -> list[tuple[str, str, str]]:
    """(table, column, text) for every non-null value of every table in the database."""
    found = []
    for table in inspect(connection).get_table_names():
        result = connection.execute(text(f'SELECT * FROM "{table}"'))
        columns = list(result.keys())
        for row in result:
            for column, value in zip(columns, row, strict=True):
                if value is None:
                    continue
                shown = value.decode("latin-1") if isinstance(value, bytes) else str(value)
                if isinstance(value, dict | list):
                    shown = json.dumps(value)
                found.append((table, column, shown))
    return found


@pytest.fixture
def key_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, session: Session) -> Path:
    """This test's own receipt key file (CERTVERIFY_SIGNING_KEY_FILE), generated on first use,
    and no public key of another test's in the database (removed in the rolled-back
    transaction)."""
    path = tmp_path / "receipts.pem"
    monkeypatch.setattr(get_settings(), "signing_key_file", str(path))
    session.execute(delete(SigningKey))
    session.commit()
    reset_key_cache()
    return path


def test_no_private_key_material_in_any_database_column_after_signing(
    client: TestClient, connection: Connection, key_file: Path
) -> None:
    """Issue 14: after a signed verification, no table holds the private key in any form (PEM,
    the JWK's `d`, the raw or DER bytes in base64); signing_keys holds the public half only."""
    body = client.get("/v1/verify", params={"certificate_number": "NO-SUCH-1"}).json()
    key = loaded_signing_key()
    assert key is not None
    assert _kid(body["receipt"]) == key.thumbprint()
    assert key_file.read_bytes() == signing_key_pem(key)
    private = str(key.as_dict(private=True)["d"])
    raw = base64.urlsafe_b64decode(private + "=" * (-len(private) % 4))
    pem_body = "".join(signing_key_pem(key).decode().splitlines()[1:-1])
    markers = {
        "PRIVATE KEY",
        private,
        base64.b64encode(raw).decode(),
        raw.hex(),
        pem_body,
    }
    stored = _every_stored_value(connection)
    assert [(t, c) for t, c, value in stored if any(m in value for m in markers)] == []
    assert {c["name"] for c in inspect(connection).get_columns("signing_keys")} == {
        "kid",
        "public_jwk",
        "created_at",
        "retired_at",
    }
    assert [v for t, c, v in stored if t == "signing_keys" and c == "kid"] == [key.thumbprint()]
    public = [json.loads(v) for t, c, v in stored if t == "signing_keys" and c == "public_jwk"]
    assert all(set(jwk) == {"kty", "crv", "x"} for jwk in public)


def test_rotation_signs_new_receipts_with_the_new_kid_and_old_ones_still_verify(
    client: TestClient, session: Session, key_file: Path
) -> None:
    """Issue 14: `rotate_signing_key` replaces the key file, retires the old key (retired_at
    set) and keeps its public half in /.well-known/jwks.json: a receipt signed before still
    verifies there (with joserfc too), and new receipts carry the new kid."""
    before = client.get("/v1/verify", params={"certificate_number": "OLD-1"}).json()
    old_kid = _kid(before["receipt"])
    old_file = key_file.read_bytes()

    rotated_at = TEST_NOW + timedelta(hours=1)
    with clock.using(clock.FixedClock(rotated_at, tick=False)):
        rotation = rotate_signing_key(session)
    session.commit()
    assert rotation.retired == [old_kid]
    assert rotation.source == str(key_file)
    assert rotation.kid != old_kid
    assert key_file.read_bytes() != old_file
    assert OKPKey.import_key(key_file.read_bytes()).thumbprint() == rotation.kid

    after = client.get("/v1/verify", params={"certificate_number": "NEW-1"}).json()
    assert _kid(after["receipt"]) == rotation.kid
    jwks = client.get("/.well-known/jwks.json").json()
    assert [k["kid"] for k in jwks["keys"]] == [old_kid, rotation.kid]
    assert all(set(k) == {"kty", "crv", "x", "kid", "alg", "use"} for k in jwks["keys"])
    assert verify_receipt(before["receipt"], jwks)["certificate_number"] == "OLD-1"
    assert _verify_with_joserfc(before["receipt"], jwks)["certificate_number"] == "OLD-1"
    assert _verify_with_joserfc(after["receipt"], jwks)["certificate_number"] == "NEW-1"

    rows = session.execute(
        select(SigningKey.kid, SigningKey.retired_at).order_by(SigningKey.created_at)
    ).all()
    assert [(kid, retired_at) for kid, retired_at in rows] == [
        (old_kid, rotated_at),
        (rotation.kid, None),
    ]


def test_a_new_process_signs_with_the_rotated_key(
    client: TestClient, session: Session, key_file: Path
) -> None:
    """After a rotation a restarted process loads the new key from the file, not the old one."""
    client.get("/v1/verify", params={"certificate_number": "R-1"})
    rotation = rotate_signing_key(session)
    session.commit()
    reset_key_cache()  # a new process
    receipt = client.get("/v1/verify", params={"certificate_number": "R-2"}).json()["receipt"]
    assert _kid(receipt) == rotation.kid
    assert key_file.exists()


def test_retired_at_is_a_timestamp_of_the_rotation(session: Session, key_file: Path) -> None:
    """Rotating twice retires each previous key at its own rotation."""
    first = rotate_signing_key(session)
    later = datetime.fromisoformat("2026-11-27T08:30:00+00:00")
    with clock.using(clock.FixedClock(later, tick=False)):
        second = rotate_signing_key(session)
    session.commit()
    retired = dict(session.execute(select(SigningKey.kid, SigningKey.retired_at)).all())
    assert retired[first.kid] == later
    assert retired[second.kid] is None
    assert second.retired == [first.kid]
    assert key_file.exists()
