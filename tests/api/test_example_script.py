"""The README's offline receipt check (examples/verify.py) accepts real answers, rejects edits."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import accredit, make_ab, make_cb, make_certificate


def _example() -> ModuleType:
    path = Path(__file__).resolve().parents[2] / "examples" / "verify.py"
    spec = importlib.util.spec_from_file_location("example_verify", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_example_checks_a_stored_receipt_offline(client: TestClient, session: Session) -> None:
    """A stored answer verifies against the JWKS; an edited answer does not."""
    ab = make_ab(session, "EXAB")
    cb = make_cb(session, "Example Certification Ltd", "EXC")
    accredit(session, cb, ab.id)
    make_certificate(session, cb, "EX-1")
    session.commit()
    answer = client.get("/v1/verify", params={"certificate_number": "EX-1"}).json()
    jwks = client.get("/.well-known/jwks.json").json()
    check_receipt = _example().check_receipt
    assert check_receipt(answer, jwks)["verdict"] == "valid"
    with pytest.raises(ValueError, match="does not cover this answer"):
        check_receipt({**answer, "verdict": "withdrawn"}, jwks)
