"""The fast canonical encoder writes exactly what the reference RFC 8785 (JCS) encoder writes."""

from __future__ import annotations

from typing import Any

import rfc8785
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from joserfc import jws
from joserfc.jwk import OKPKey
from sqlalchemy.orm import Session

from app.services.verification.receipts import (
    canonical_json,
    receipt_header,
    receipt_registry,
    sign_compact,
)
from tests.factories import accredit, make_ab, make_cb, make_certificate

_keys = st.text(max_size=12)
_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53) + 1, max_value=2**53 - 1)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
)
_documents = st.recursive(
    _scalars,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(_keys, inner, max_size=5),
    max_leaves=40,
)


def _reference(document: Any) -> bytes | None:
    try:
        return rfc8785.dumps(document)
    except Exception:  # the reference refuses it (e.g. lone surrogates): so must we
        return None


@settings(max_examples=1500, deadline=None)
@given(_documents)
def test_equals_rfc8785_on_generated_values(document: Any) -> None:
    """Any JSON value of our types, including non-ASCII and astral keys, floats and controls."""
    expected = _reference(document)
    if expected is None:
        return
    assert canonical_json(document) == expected


def test_equals_rfc8785_on_edge_cases() -> None:
    """Key order by UTF-16 code units, escapes, integral floats, exponents, -0."""
    cases: list[Any] = [
        {"\U0001f600": 1, "\ue000": 2, "a": 3, "é": 4},
        {"s": '\x00\x1f\x7f\u2028"\\/\b\f\n\r\t'},
        [97.0, -0.0, 0.5, 1e-4, 1e-5, 1e16, 1e21, 123456789012345.6, 2.0**53],
        {"deep": [{"b": [1, {"a": None}]}, True, False]},
    ]
    for document in cases:
        assert canonical_json(document) == rfc8785.dumps(document)


def test_equals_rfc8785_on_real_answers(client: TestClient, session: Session) -> None:
    """Real verification answers with non-ASCII names, claims (float scores) and every part."""
    ab = make_ab(session, "JCSAB")
    cb = make_cb(session, "Société Générale de Certification", "SGC", "FR")
    accredit(session, cb, ab.id, "ISO 9001", sectors=[17, 18, 19])
    make_certificate(
        session,
        cb,
        "SGC-Ü 1",
        organization={"name": "Poprad Strojárne a.s.", "country": "SK", "aliases": ["Ωmega"]},
        scope="Výroba strojov – 設計 and \U0001f527 tooling",
    )
    session.commit()
    queries = [
        {"certificate_number": "SGC-Ü 1"},
        {"certificate_number": "sgc ü1", "certification_body": "SGC", "organization": "Poprad"},
        {"certificate_number": "SGC-Ü 1", "organization": "Popradd Strojarne", "country": "SK"},
        {"certificate_number": "SGC-Ü 1", "standard": "ISO 9001", "scope": "výroba"},
        {"certificate_number": "nope ü", "certification_body": "Société Générale"},
    ]
    for query in queries:
        answer = client.get("/v1/verify", params=query).json()
        del answer["receipt"]
        assert canonical_json(answer) == rfc8785.dumps(answer)


def test_receipt_signing_equals_the_jose_library() -> None:
    """The direct Ed25519 compact serialisation is byte for byte joserfc's (signatures are
    deterministic), so receipts verify exactly as before."""
    key = OKPKey.generate_key("Ed25519")
    for body in (b"{}", b'{"a":"\xc3\xa9"}', bytes(range(256)) * 3):
        expected = jws.serialize_compact(
            receipt_header(key), body, key, registry=receipt_registry()
        )
        assert sign_compact(key, body) == expected
