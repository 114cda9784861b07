"""Issue 15, item 3: receipts are signed with `alg: "EdDSA"` (the JWKS says so too), which PyJWT,
joserfc and Node's jose all verify; receipts stored with `alg: "Ed25519"` (before) still verify.
The README's examples (examples/verify_receipt_pyjwt.py, examples/verify_receipt_joserfc.py,
examples/verify-receipt.mjs) are run here against answers and JWK Sets the app produced."""

from __future__ import annotations

import base64
import json
import os
import shutil
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from fastapi.testclient import TestClient
from joserfc import jws
from joserfc.jwk import OKPKey
from sqlalchemy.orm import Session

from app.migrate import project_root
from app.models import SigningKey
from app.services.verification.receipts import (
    loaded_signing_key,
    receipt_registry,
    verify_receipt,
)
from tests.conftest import unique
from tests.factories import accredit, make_ab, make_cb, make_certificate
from tests.ops.servers import running_server, seeded_database

EXAMPLES = project_root() / "examples"
REQUIRE_NODE = (
    os.environ.get("CERTVERIFY_REQUIRE_NODE") == "1"
    or os.environ.get("CERTVERIFY_REQUIRE_BROWSER") == "1"
)
"""Set by .ci/run (which runs `npm ci` in examples/): the Node example then fails instead of
skipping when node or examples/node_modules is missing."""


def _segment(part: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


@pytest.fixture
def stored(client: TestClient, session: Session) -> dict[str, Any]:
    """A valid certificate's answer and the JWK Set, as a partner stores them."""
    ab = make_ab(session, unique("AB")[:10])
    cb = make_cb(session, unique("Receipt Certification Ltd"), unique("RC")[:10])
    accredit(session, cb, ab.id, "ISO 9001", sectors=[17, 18, 19])
    number = unique("RCPT")
    make_certificate(session, cb, number)
    session.commit()
    answer = client.get("/v1/verify", params={"certificate_number": number}).json()
    jwks = client.get("/.well-known/jwks.json").json()
    assert answer["verdict"] == "valid", answer
    return {"answer": answer, "jwks": jwks, "number": number}


def _as_stored_before(answer: dict[str, Any]) -> dict[str, Any]:
    """The same answer with its receipt signed as before issue 15: `alg: "Ed25519"` (RFC 9864),
    same key, same kid, same payload."""
    header, payload, _ = answer["receipt"].split(".")
    key = loaded_signing_key()
    assert key is not None
    old_header = {**_segment(header), "alg": "Ed25519"}
    body = base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4))
    receipt = jws.serialize_compact(old_header, body, key, registry=receipt_registry())
    return {**answer, "receipt": receipt}


def test_receipts_say_eddsa_and_so_does_the_jwks(stored: dict[str, Any]) -> None:
    """The protected header is EdDSA with kid and typ; the JWK says alg EdDSA, use sig."""
    header = _segment(stored["answer"]["receipt"].split(".")[0])
    [key] = stored["jwks"]["keys"]
    assert header == {"alg": "EdDSA", "kid": key["kid"], "typ": "certverify-receipt+jws"}
    assert key == {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": key["x"],
        "kid": key["kid"],
        "alg": "EdDSA",
        "use": "sig",
    }


def test_pyjwt_verifies_a_receipt_with_its_plain_api(stored: dict[str, Any]) -> None:
    """jwt.decode with the JWK Set's key and algorithms=["EdDSA"]: PyJWT's everyday call (it
    refused the receipts signed as "Ed25519": "Algorithm not supported")."""
    receipt, jwks = stored["answer"]["receipt"], stored["jwks"]
    key = jwt.PyJWKSet.from_dict(jwks)[jwt.get_unverified_header(receipt)["kid"]]
    payload = jwt.decode(receipt, key, algorithms=["EdDSA"])
    assert payload == verify_receipt(receipt, jwks)
    assert payload["certificate_number"] == stored["number"]
    assert payload["verdict"] == "valid"


def test_a_receipt_stored_with_alg_ed25519_still_verifies(stored: dict[str, Any]) -> None:
    """Our own check accepts both names of the same signature, and nothing else."""
    old = _as_stored_before(stored["answer"])["receipt"]
    assert _segment(old.split(".")[0])["alg"] == "Ed25519"
    assert verify_receipt(old, stored["jwks"]) == verify_receipt(
        stored["answer"]["receipt"], stored["jwks"]
    )
    header, payload, signature = stored["answer"]["receipt"].split(".")
    hs256 = base64.urlsafe_b64encode(json.dumps({**_segment(header), "alg": "HS256"}).encode())
    with pytest.raises(Exception, match="HS256"):
        verify_receipt(".".join([hs256.decode().rstrip("="), payload, signature]), stored["jwks"])


def _node() -> str:
    """The node binary, with examples/node_modules installed; else skip (locally) or fail (CI)."""
    node = shutil.which("node")
    if node is None:
        missing = "node is not installed"
    elif not (EXAMPLES / "node_modules" / "jose").is_dir():
        missing = "examples/node_modules is missing (cd examples && npm ci)"
    else:
        return node
    if REQUIRE_NODE:
        demand = "CERTVERIFY_REQUIRE_NODE=1 (or CERTVERIFY_REQUIRE_BROWSER=1) demands it"
        pytest.fail(f"{missing}; {demand}", pytrace=False)
    pytest.skip(missing)


def _command(library: str, answer: Path, jwks: str) -> list[str]:
    """The README's command for `library`, with the JWK Set from a file or a base URL."""
    if library == "jose":
        return [_node(), str(EXAMPLES / "verify-receipt.mjs"), str(answer), jwks]
    option = "--base" if jwks.startswith("http") else "--jwks"
    script = EXAMPLES / f"verify_receipt_{library.lower()}.py"
    return [sys.executable, str(script), str(answer), option, jwks]


def run_example(library: str, answer: dict[str, Any], jwks: Any, directory: Path) -> Any:
    """Run the example of `library` on `answer` (saved to a file) and `jwks` (a JWK Set, saved
    to a file, or a base URL)."""
    answer_file = directory / f"answer-{library}.json"
    answer_file.write_text(json.dumps(answer, ensure_ascii=False), encoding="utf-8")
    if isinstance(jwks, dict):
        jwks_file = directory / "jwks.json"
        jwks_file.write_text(json.dumps(jwks), encoding="utf-8")
        jwks = str(jwks_file)
    return subprocess.run(
        _command(library, answer_file, jwks),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
        cwd=project_root(),
    )


LIBRARIES = ("PyJWT", "joserfc", "jose")


@pytest.mark.parametrize("library", LIBRARIES)
@pytest.mark.parametrize("signed_as", ["EdDSA", "Ed25519"])
def test_the_readme_examples_verify_receipts(
    library: str, signed_as: str, stored: dict[str, Any], tmp_path: Path
) -> None:
    """Each example verifies the signature and the digest, for today's receipts and for those
    stored before issue 15."""
    answer = stored["answer"] if signed_as == "EdDSA" else _as_stored_before(stored["answer"])
    result = run_example(library, answer, stored["jwks"], tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        f"receipt verified with {library} (alg {signed_as}): valid for {stored['number']} "
        f"as of {answer['as_of']}, checked at {answer['checked_at']}\n"
    )


@pytest.mark.parametrize("library", LIBRARIES)
def test_the_readme_examples_refuse_an_edited_answer(
    library: str, stored: dict[str, Any], tmp_path: Path
) -> None:
    """An answer edited after signing (as_of moved) keeps a valid signature that no longer
    covers it; a receipt whose payload was edited fails the signature."""
    edited = {**stored["answer"], "as_of": "2026-12-16"}
    result = run_example(library, edited, stored["jwks"], tmp_path)
    assert (result.returncode, result.stdout) == (1, "")
    assert result.stderr == (
        "receipt NOT verified: the signature is valid, but the receipt does not cover this answer\n"
    )
    header, payload, signature = stored["answer"]["receipt"].split(".")
    claims = {**_segment(payload), "verdict": "expired"}
    forged_payload = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    forged = {**stored["answer"], "receipt": ".".join([header, forged_payload, signature])}
    refused = run_example(library, forged, stored["jwks"], tmp_path)
    assert (refused.returncode, refused.stdout) == (1, "")
    assert refused.stderr.startswith("receipt NOT verified: ")
    assert "does not cover" not in refused.stderr  # the signature itself failed


@pytest.mark.sqlite_only
def test_the_readme_examples_fetch_the_jwks_from_a_live_server(tmp_path: Path) -> None:
    """With a base URL instead of a saved JWK Set, each example fetches
    /.well-known/jwks.json from the running service."""
    url = f"sqlite:///{tmp_path / 'live.db'}"
    seeded_database(url)
    with running_server(tmp_path, {"CERTVERIFY_DATABASE_URL": url}) as server:
        answer = httpx.get(
            server.base_url + "/v1/verify", params={"certificate_number": "LIVE 1"}, timeout=10
        ).json()
        for library in LIBRARIES:  # jose last: it skips without node_modules
            result = run_example(library, answer, server.base_url, tmp_path)
            assert (result.returncode, result.stderr) == (0, ""), library
            assert result.stdout == (
                f"receipt verified with {library} (alg EdDSA): not_found for LIVE 1 as of "
                f"{answer['as_of']}, checked at {answer['checked_at']}\n"
            )


def test_a_retired_key_stored_with_alg_ed25519_is_published_as_eddsa(
    client: TestClient, session: Session, tmp_path: Path
) -> None:
    """A stored public key is published by kty, crv and x with `alg: "EdDSA"`, whatever it was
    stored with (no migration: rows hold no `alg`, and one that did would not matter), and a
    receipt it signed as "Ed25519" before issue 15 verifies against the live JWK Set."""
    old_key = OKPKey.generate_key("Ed25519")
    stored_jwk = {**old_key.as_dict(private=False), "alg": "Ed25519"}
    session.add(
        SigningKey(
            kid=old_key.thumbprint(),
            public_jwk=stored_jwk,
            retired_at=datetime(2026, 6, 1, tzinfo=UTC),
        )
    )
    session.commit()
    jwks = client.get("/.well-known/jwks.json").json()
    [published] = [k for k in jwks["keys"] if k["kid"] == old_key.thumbprint()]
    assert published == {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": stored_jwk["x"],
        "kid": old_key.thumbprint(),
        "alg": "EdDSA",
        "use": "sig",
    }
    header = {"alg": "Ed25519", "kid": old_key.thumbprint(), "typ": "certverify-receipt+jws"}
    answer = client.get("/v1/verify", params={"certificate_number": unique("OLD")}).json()
    claims = verify_receipt(answer["receipt"], jwks)
    body = json.dumps(claims, separators=(",", ":"), sort_keys=True).encode()
    old = {
        **answer,
        "receipt": jws.serialize_compact(header, body, old_key, registry=receipt_registry()),
    }
    assert verify_receipt(old["receipt"], jwks) == claims
    result = run_example("PyJWT", old, jwks, tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout.startswith("receipt verified with PyJWT (alg Ed25519): not_found for OLD-")
