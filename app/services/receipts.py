"""Signed receipts: Ed25519 compact JWS over a digest of the RFC 8785 canonical response."""

from __future__ import annotations

import hashlib
import json
import threading
from typing import Any

import rfc8785
from joserfc import jws
from joserfc.jwk import OKPKey
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.models import SigningKey

ALGORITHM = "Ed25519"  # RFC 9864 fully-specified EdDSA over Ed25519
_lock = threading.Lock()
_cache: dict[str, OKPKey] = {}


def canonical_sha256(document: dict[str, Any]) -> str:
    """Lowercase hex SHA-256 of the RFC 8785 (JCS) canonical JSON of `document`."""
    return hashlib.sha256(rfc8785.dumps(document)).hexdigest()


def _load_active(session: Session) -> SigningKey | None:
    return session.scalars(
        select(SigningKey).where(SigningKey.retired_at.is_(None)).order_by(SigningKey.created_at)
    ).first()


def active_signing_key(session: Session) -> OKPKey:
    """The current signing key; created and stored on first use so it survives restarts."""
    if "active" in _cache:
        return _cache["active"]
    with _lock:
        if "active" in _cache:
            return _cache["active"]
        row = _load_active(session)
        if row is None:
            key = OKPKey.generate_key("Ed25519")
            pem = key.as_pem(private=True)
            row = SigningKey(
                kid=key.thumbprint(),
                private_key_pem=pem.decode() if isinstance(pem, bytes) else pem,
                public_jwk=key.as_dict(private=False),
            )
            # Its own short transaction, so the key is kept even if the caller's request fails.
            with Session(session.get_bind()) as own:
                try:
                    own.add(row)
                    own.commit()
                except IntegrityError:
                    own.rollback()
                # Two processes racing converge on the oldest active key; both are published.
                row = _load_active(own)
                assert row is not None
        okp = OKPKey.import_key(row.private_key_pem)
        _cache["active"] = okp
        return okp


def reset_key_cache() -> None:
    """Forget the cached key (tests switch databases)."""
    with _lock:
        _cache.clear()


def public_jwks(session: Session) -> dict[str, Any]:
    """Every signing key's public half, as a JWK Set (RFC 7517)."""
    active_signing_key(session)
    keys = []
    for row in session.scalars(select(SigningKey).order_by(SigningKey.created_at)):
        jwk = dict(row.public_jwk)
        jwk.update({"kid": row.kid, "alg": ALGORITHM, "use": "sig"})
        keys.append(jwk)
    return {"keys": keys}


def sign_receipt(session: Session, response_without_receipt: dict[str, Any]) -> str:
    """Sign the receipt payload (API.md, Receipts) for a verification response."""
    key = active_signing_key(session)
    certificate = response_without_receipt.get("certificate") or {}
    cb = response_without_receipt.get("certification_body") or {}
    query = response_without_receipt.get("query") or {}
    payload = {
        "verification_id": response_without_receipt["verification_id"],
        "checked_at": response_without_receipt["checked_at"],
        "as_of": response_without_receipt["as_of"],
        "verdict": response_without_receipt["verdict"],
        "certificate_number": certificate.get("certificate_number")
        or query.get("certificate_number"),
        "certificate_id": certificate.get("id"),
        "certification_body_id": cb.get("id"),
        "sha256": canonical_sha256(response_without_receipt),
    }
    body = json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()
    return jws.serialize_compact(
        {"alg": ALGORITHM, "kid": key.thumbprint(), "typ": "certverify-receipt+jws"},
        body,
        key,
        algorithms=[ALGORITHM],
    )


def verify_receipt(receipt: str, jwks: dict[str, Any]) -> dict[str, Any]:
    """Verify a receipt against a JWK Set offline and return its payload (raises on failure)."""
    header = json.loads(_b64(receipt.split(".")[0]))
    matching = [k for k in jwks["keys"] if k.get("kid") == header.get("kid")]
    if not matching:
        raise ValueError(f"no key with kid {header.get('kid')!r} in the JWKS")
    public = OKPKey.import_key({k: v for k, v in matching[0].items() if k in {"kty", "crv", "x"}})
    obj = jws.deserialize_compact(receipt, public, algorithms=[ALGORITHM])
    payload: dict[str, Any] = json.loads(obj.payload)
    return payload


def _b64(segment: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
