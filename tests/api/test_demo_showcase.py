"""The demo registry gives every verdict through the real HTTP API, with a verifiable receipt."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.demo.builder import build_demo_registry
from app.demo.showcase import SHOWCASE
from app.services.verification.receipts import verify_receipt

TODAY = date(2026, 11, 26)


@pytest.fixture
def demo_client(client: TestClient, session: Session) -> TestClient:
    """A client over a small demo registry built for TODAY."""
    build_demo_registry(session, certificates=300, today=TODAY)
    session.commit()
    return client


@pytest.mark.parametrize("case", sorted(SHOWCASE))
def test_showcase_gives_its_verdict(demo_client: TestClient, case: str) -> None:
    """Each documented demo number answers the verdict the README promises."""
    showcase = SHOWCASE[case]
    params = {"certificate_number": showcase.certificate_number, "as_of": TODAY.isoformat()}
    if showcase.certification_body:
        params["certification_body"] = showcase.certification_body
    if showcase.claimed_organization:
        params["organization"] = showcase.claimed_organization
    body = demo_client.get("/v1/verify", params=params).json()
    assert body["verdict"] == showcase.verdict
    assert bool(body["warnings"]) is showcase.warnings
    jwks = demo_client.get("/.well-known/jwks.json").json()
    assert verify_receipt(body["receipt"], jwks)["verdict"] == showcase.verdict


def test_showcase_covers_every_verdict() -> None:
    """Every verdict of DESIGN.md is represented in the demo."""
    assert {c.verdict for c in SHOWCASE.values()} == {
        "valid",
        "not_found",
        "ambiguous",
        "withdrawn",
        "suspended",
        "expired",
        "not_yet_valid",
        "outdated_standard",
        "not_accredited",
        "mismatch",
    }
