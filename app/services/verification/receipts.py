"""Signed receipts: Ed25519 compact JWS over a digest of the RFC 8785 canonical response.

The JWS `alg` is "EdDSA" (RFC 8037), the name every common JOSE library verifies: PyJWT knows no
other name for Ed25519, and joserfc, jwcrypto and Node's jose know both. RFC 9864 prefers the
fully specified "Ed25519" (receipts used it until issue 15), but the signature is the same bytes
either way, so receipts stored with `alg: "Ed25519"` still verify: `verify_receipt` accepts both
names (RECEIPT_ALGORITHMS), and the examples/ show how each library does. The database holds only
each key's kty, crv and x (never an `alg`), so the JWKS says "EdDSA" for old keys too.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from dataclasses import dataclass
from typing import Any

import orjson
import rfc8785
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from joserfc import jws
from joserfc.jwa import EdDSAAlgorithm
from joserfc.jwk import OKPKey
from joserfc.util import json_b64encode, urlsafe_b64encode
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app import clock
from app.config import get_settings
from app.db import primary_bind
from app.keystore import (
    KeyConfigurationError,
    load_signing_key,
    reset_key_caches,
    signing_key_pem,
    signing_key_source,
    write_key_file,
)
from app.models import SigningKey
from app.repositories.keys import current_signing_keys, signing_key_by_kid, signing_keys

ALGORITHM = "EdDSA"  # RFC 8037 EdDSA over Ed25519 (see the module docstring)
RECEIPT_ALGORITHMS = ("EdDSA", "Ed25519")
"""The `alg` values a receipt may carry: "EdDSA" since issue 15, "Ed25519" (RFC 9864) before."""
log = logging.getLogger(__name__)
_lock = threading.Lock()
_cache: dict[str, OKPKey] = {}
_kids: dict[int, tuple[OKPKey, str]] = {}
_headers: dict[int, tuple[OKPKey, bytes, Ed25519PrivateKey]] = {}


_JS_SAFE_INTEGER = 2**53 - 1


_NOT_PLAIN, _PLAIN, _INTEGRAL_FLOATS = 0, 1, 2


def _classify(document: Any) -> int:
    """Whether json.dumps writes `document` exactly as JCS does (see canonical_json)."""
    found = _PLAIN
    stack = [document]
    while stack:
        value = stack.pop()
        kind = type(value)
        if kind is str or kind is bool or value is None:
            continue
        if kind is dict:
            try:
                keys = "".join(value)
            except TypeError:
                return _NOT_PLAIN  # a key that is not a string
            # Sorting by code point equals JCS's UTF-16 order for keys below the surrogates.
            if not keys.isascii() and max(keys) > "\ud7ff":
                return _NOT_PLAIN
            stack.extend(value.values())
        elif kind is list or kind is tuple:
            stack.extend(value)
        elif kind is int:
            if not -_JS_SAFE_INTEGER <= value <= _JS_SAFE_INTEGER:
                return _NOT_PLAIN
        elif kind is float:
            if value.is_integer():
                if not -_JS_SAFE_INTEGER <= value <= _JS_SAFE_INTEGER:
                    return _NOT_PLAIN
                found = _INTEGRAL_FLOATS  # ECMAScript writes 97.0 as "97"
            elif not 1e-4 <= abs(value) < 1e16:
                return _NOT_PLAIN  # exponent notation differs (and NaN, infinities)
        else:
            return _NOT_PLAIN  # str/int subclasses, dates, anything else: the reference decides
    return found


def _integral_floats_as_ints(value: Any) -> Any:
    """A copy of `value` with integral floats as ints (how ECMAScript writes them)."""
    kind = type(value)
    if kind is float and value.is_integer():
        return int(value)
    if kind is dict:
        return {key: _integral_floats_as_ints(item) for key, item in value.items()}
    if kind is list or kind is tuple:
        return [_integral_floats_as_ints(item) for item in value]
    return value


def json_kind(document: Any) -> int:
    """How canonical_json may encode `document` (pass it back as `kind` to skip the walk when
    encoding documents that differ from one already classified only by plain strings)."""
    return _classify(document)


def canonical_json(document: Any, *, kind: int | None = None) -> bytes:
    """RFC 8785 (JCS) canonical JSON of `document`, as UTF-8 bytes.

    For strings, booleans, null, integers within +-(2**53 - 1), floats that are integral within
    that range (written as integers) or non-integral of magnitude in [1e-4, 1e16), lists, and
    objects whose keys lie below U+D800, orjson with sorted keys writes exactly the JCS text
    (as json.dumps with sorted keys, no spaces and ensure_ascii=False does, ~15x slower): the same
    escapes (\\b \\t \\n \\f \\r \\" \\\\ and lowercase \\u00xx for the other controls, everything
    else literal) and the same shortest round-trip digits. Anything else goes through the
    reference rfc8785 encoder.
    tests/api/test_canonical_json.py proves the equality on generated values and real answers.
    """
    if kind is None:
        kind = _classify(document)
    if kind != _NOT_PLAIN:
        if kind == _INTEGRAL_FLOATS:
            document = _integral_floats_as_ints(document)
        try:
            return orjson.dumps(document, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:  # a lone surrogate: let the reference encoder decide
            pass
    return rfc8785.dumps(document)


def canonical_sha256(document: dict[str, Any], *, kind: int | None = None) -> str:
    """Lowercase hex SHA-256 of the RFC 8785 (JCS) canonical JSON of `document`."""
    return hashlib.sha256(canonical_json(document, kind=kind)).hexdigest()


def active_signing_key(session: Session) -> OKPKey:
    """The key receipts are signed with: from the environment or the key file (generated on
    first run, app/keystore.py), never from the database, which holds its public half only."""
    if "active" in _cache:
        return _cache["active"]
    with _lock:
        if "active" in _cache:
            return _cache["active"]
        key = load_signing_key()
        assert key is not None
        _publish(session, key)
        _cache["active"] = key
        return key


def _public_row(key: OKPKey) -> SigningKey:
    return SigningKey(kid=key.thumbprint(), public_jwk=key.as_dict(private=False))


def _publish(session: Session, key: OKPKey) -> None:
    """Record the key's public half (the JWKS lists it) unless it is there already."""
    row = signing_key_by_kid(session, key.thumbprint())
    if row is not None:
        if row.retired_at is not None:
            log.warning(
                "receipts are signed with the retired key %s: this process's key file or "
                "CERTVERIFY_SIGNING_KEY is older than the last `certverify keys rotate-signing`",
                row.kid,
            )
        return
    # Its own short transaction, so the key is published even if the caller's request fails;
    # on the primary, also when the caller reads from a replica.
    with Session(primary_bind(session)) as own:
        try:
            own.add(_public_row(key))
            own.commit()
        except IntegrityError:  # another process published it first
            own.rollback()


def reset_key_cache() -> None:
    """Forget the loaded keys (tests switch databases and key files)."""
    with _lock:
        _cache.clear()
    reset_key_caches()


def _public_jwk(kid: str, public: dict[str, Any]) -> dict[str, Any]:
    jwk = {k: v for k, v in public.items() if k in {"kty", "crv", "x"}}
    jwk.update({"kid": kid, "alg": ALGORITHM, "use": "sig"})
    return jwk


def public_jwks(session: Session) -> dict[str, Any]:
    """Every signing key's public half, retired ones included (old receipts still verify), as a
    JWK Set (RFC 7517)."""
    key = active_signing_key(session)
    keys = [_public_jwk(row.kid, row.public_jwk) for row in signing_keys(session)]
    if key.thumbprint() not in {jwk["kid"] for jwk in keys}:
        # Published in a transaction this session cannot see yet (or rolled back with a test's).
        keys.append(_public_jwk(key.thumbprint(), key.as_dict(private=False)))
    return {"keys": keys}


@dataclass(frozen=True)
class Rotation:
    """What `rotate_signing_key` did."""

    kid: str
    retired: list[str]
    source: str


def rotate_signing_key(session: Session) -> Rotation:
    """Make a new receipt signing key current and retire every other one (issue 14).

    With a key file, a new key replaces it (mode 0600) before the database records the change,
    so a failed commit leaves a key that the next start publishes. With CERTVERIFY_SIGNING_KEY
    the operator puts the new key there first; this records it and retires the others. Retired
    public halves stay in the JWKS, so receipts signed before still verify. The caller commits;
    other processes sign with their loaded key until restarted.
    """
    settings = get_settings()
    source = signing_key_source(settings)
    if source.variable is not None:
        key = load_signing_key(settings)
        assert key is not None
        known = signing_key_by_kid(session, key.thumbprint())
        if known is not None and known.retired_at is not None:
            raise KeyConfigurationError(
                f"{source.variable} holds the retired key {known.kid}: put a new Ed25519 key "
                "there (PEM or JWK) and run this again"
            )
        others = [row for row in current_signing_keys(session) if row.kid != key.thumbprint()]
        if known is not None and not others:
            raise KeyConfigurationError(
                f"{source.variable} still holds the current key {known.kid}, and this command "
                "cannot change an environment variable: put a new Ed25519 key there (PEM or JWK; "
                "e.g. `openssl genpkey -algorithm ed25519`) and run this again"
            )
    else:
        assert source.path is not None
        key = OKPKey.generate_key("Ed25519")
        write_key_file(source.path, signing_key_pem(key), replace=True)
        known = signing_key_by_kid(session, key.thumbprint())
        others = [row for row in current_signing_keys(session) if row.kid != key.thumbprint()]
    now = clock.now()
    if known is None:
        published = _public_row(key)
        published.created_at = now
        session.add(published)
    for row in others:
        row.retired_at = now
    session.flush()
    with _lock:
        _cache["active"] = key
    return Rotation(
        kid=key.thumbprint(), retired=[row.kid for row in others], source=source.describe()
    )


def _kid(key: OKPKey) -> str:
    """The key's RFC 7638 thumbprint, computed once per key."""
    known = _kids.get(id(key))
    if known is None or known[0] is not key:
        known = (key, key.thumbprint())
        _kids[id(key)] = known
    return known[1]


def loaded_signing_key() -> OKPKey | None:
    """The active signing key when this process has already loaded it (no database access)."""
    return _cache.get("active")


def sign_receipt(
    session: Session | None,
    response_without_receipt: dict[str, Any],
    *,
    key: OKPKey | None = None,
    kind: int | None = None,
) -> str:
    """Sign the receipt payload (API.md, Receipts) for a verification response; a response
    with a `document` (POST /v1/documents/verify) adds its SHA-256 as `document_sha256`.

    With `key` (see loaded_signing_key) no session is needed; otherwise the session loads it.
    `kind`: the response's json_kind, when the caller knows it.
    """
    if key is None:
        if session is None:
            raise ValueError("sign_receipt needs a session or a key")
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
        "sha256": canonical_sha256(response_without_receipt, kind=kind),
    }
    document = response_without_receipt.get("document")
    if document is not None:
        # API.md: a verification of a document carries the document's SHA-256 (issue 17).
        payload["document_sha256"] = document["sha256"]
    return sign_compact(key, receipt_payload_bytes(payload))


def receipt_payload_bytes(payload: dict[str, Any]) -> bytes:
    """The JWS payload: `json.dumps(payload, separators=(",", ":"), sort_keys=True)`, the
    bytes receipts have always carried. orjson with sorted keys writes exactly those bytes when
    its output is ASCII without DEL (the same escapes for the controls, quote and backslash;
    json.dumps escapes only non-ASCII and DEL besides), ~40x faster; otherwise json.dumps."""
    try:
        body = orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:  # a lone surrogate, which json.dumps escapes
        body = b"\x80"
    if body.isascii() and b"\x7f" not in body:
        return body
    return json.dumps(payload, separators=(",", ":"), sort_keys=True).encode()


def receipt_header(key: OKPKey) -> dict[str, str]:
    """The protected header of every receipt signed with `key`."""
    return {"alg": ALGORITHM, "kid": _kid(key), "typ": "certverify-receipt+jws"}


def sign_compact(key: OKPKey, body: bytes) -> str:
    """Compact JWS (RFC 7515 §7.1) of `body`: byte for byte what jws.serialize_compact makes.

    The header segment is encoded once per key and Ed25519 signs directly: the library's
    per-call registry, header checks and key lookup cost more than the signature itself.
    """
    known = _headers.get(id(key))
    if known is None or known[0] is not key:
        private = key.get_op_key("sign")
        if not isinstance(private, Ed25519PrivateKey):
            raise TypeError("receipts are signed with an Ed25519 key")
        known = (key, json_b64encode(receipt_header(key)), private)
        _headers[id(key)] = known
    _, header, private = known
    signing_input = header + b"." + urlsafe_b64encode(body)
    return (signing_input + b"." + urlsafe_b64encode(private.sign(signing_input))).decode("ascii")


class _EdDSA(EdDSAAlgorithm):
    """joserfc's EdDSA without its RFC 9864 deprecation warning: receipts use it on purpose."""

    security_warning = ""  # falsy: no warning (joserfc checks `if alg.security_warning`)


_QUIET_EDDSA = _EdDSA()


class ReceiptRegistry(jws.JWSRegistry):
    """joserfc's JWS registry allowing exactly the receipt algorithms, with EdDSA not flagged
    (verify_receipt runs for every test and example; a warning per receipt says nothing the
    module docstring does not)."""

    def __init__(self) -> None:
        super().__init__(algorithms=list(RECEIPT_ALGORITHMS))
        self.algorithms = {**jws.JWSRegistry.algorithms, ALGORITHM: _QUIET_EDDSA}


def receipt_registry() -> ReceiptRegistry:
    """A registry that allows exactly the receipt algorithms."""
    return ReceiptRegistry()


def verify_receipt(receipt: str, jwks: dict[str, Any]) -> dict[str, Any]:
    """Verify a receipt against a JWK Set offline and return its payload (raises on failure).

    Receipts signed as "EdDSA" (now) and as "Ed25519" (before issue 15) both verify; the key is
    taken by `kid` and must be an Ed25519 key, whatever `alg` the JWKS gives it.
    """
    header = json.loads(_b64(receipt.split(".")[0]))
    matching = [k for k in jwks["keys"] if k.get("kid") == header.get("kid")]
    if not matching:
        raise ValueError(f"no key with kid {header.get('kid')!r} in the JWKS")
    if matching[0].get("crv") != "Ed25519":
        raise ValueError(f"the key {header.get('kid')!r} is not an Ed25519 key")
    public = OKPKey.import_key({k: v for k, v in matching[0].items() if k in {"kty", "crv", "x"}})
    obj = jws.deserialize_compact(receipt, public, registry=receipt_registry())
    payload: dict[str, Any] = json.loads(obj.payload)
    return payload


def _b64(segment: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
