"""Issue 3: accreditation bodies import their accreditations; changes and statuses are audited."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Accreditation, AccreditationStatusEvent, AuditEvent
from app.services.auth import Role
from tests.factories import auth, make_ab, make_cb, make_key

HEADER = "certification_body,accreditation_number,standard,sectors,valid_from,valid_until,status\n"
ROWS = (
    "ACB,UK-001,ISO 9001,17;18;19,2020-01-01,,Active\n"
    "ACB,UK-002,ISO 14001,,2021-06-01,2029-05-31,Active\n"
    "Beta Certification SA,UK-003,ISO/IEC 27001,,20220101,,Suspended\n"
)


@pytest.fixture
def ab_world(session: Session) -> dict[str, Any]:
    """An AB with a key, another AB's key, two CBs."""
    ab = make_ab(session, "IMPAB")
    other = make_ab(session, "OTHERAB")
    make_cb(session, "Alpha Certification Ltd", "ACB")
    make_cb(session, "Beta Certification SA", "BCS", "FR")
    w = {
        "ab": ab.id,
        "key": make_key(session, Role.ACCREDITATION_BODY, ab.id),
        "other_key": make_key(session, Role.ACCREDITATION_BODY, other.id),
        "client_key": make_key(session, Role.CLIENT),
    }
    session.commit()
    return w


def post(client: TestClient, key: str, text: str, **params: str) -> Any:
    """Upload an accreditation CSV."""
    return client.post(
        "/v1/accreditations/import",
        content=text.encode(),
        params=params,
        headers={**auth(key), "Content-Type": "text/csv"},
    )


def _counts(session: Session) -> tuple[int, int, int]:
    return (
        session.scalar(select(func.count()).select_from(Accreditation)) or 0,
        session.scalar(select(func.count()).select_from(AccreditationStatusEvent)) or 0,
        session.scalar(select(func.count()).select_from(AuditEvent)) or 0,
    )


def test_import_creates_reimport_is_noop(
    client: TestClient, session: Session, ab_world: dict[str, Any]
) -> None:
    """Accreditations upsert by (AB, CB, number, standard); the same file twice changes nothing."""
    first = post(client, ab_world["key"], HEADER + ROWS)
    assert first.status_code == 200, first.text
    assert first.json()["totals"]["created"] == 3
    assert "accreditation_id" in first.json()["rows"][0]
    suspended = client.get(f"/v1/accreditations/{first.json()['rows'][2]['accreditation_id']}")
    assert suspended.json()["status"] == "suspended"
    before = _counts(session)
    second = post(client, ab_world["key"], HEADER + ROWS).json()
    assert second["totals"]["unchanged"] == 3
    assert _counts(session) == before


def test_changes_and_status_are_recorded_and_audited(
    client: TestClient, ab_world: dict[str, Any]
) -> None:
    """Sector reduction and withdrawal become an update and a dated status event, both audited."""
    created = post(client, ab_world["key"], HEADER + ROWS).json()
    acc_id = created["rows"][0]["accreditation_id"]
    changed = HEADER + ROWS.replace("17;18;19,2020-01-01,,Active", "17;18,2020-01-01,,Active")
    report = post(client, ab_world["key"], changed).json()
    assert report["rows"][0]["changes"] == [
        {"field": "sectors", "before": [17, 18, 19], "after": [17, 18]}
    ]
    text = (
        "certification_body,accreditation_number,standard,sectors,valid_from,status,"
        "status_effective_from,status_reason\n"
        "ACB,UK-001,ISO 9001,17;18,2020-01-01,Withdrawn,2026-10-01,scope abuse\n"
    )
    report = post(client, ab_world["key"], text).json()
    assert report["rows"][0]["changes"] == [
        {"field": "status", "before": "active", "after": "withdrawn"}
    ]
    acc = client.get(f"/v1/accreditations/{acc_id}").json()
    assert acc["sectors"] == [17, 18]
    assert [(h["status"], h["effective_from"], h["reason"]) for h in acc["status_history"]] == [
        ("active", "2020-01-01", "accredited"),
        ("withdrawn", "2026-10-01", "scope abuse"),
    ]


@pytest.mark.parametrize(
    ("row", "field", "reason"),
    [
        (
            "NOPE,UK-9,ISO 9001,,2020-01-01,,Active\n",
            "certification_body",
            "no certification body 'NOPE' in the registry",
        ),
        (
            "ACB,UK-9,ISO 9001:2015,,2020-01-01,,Active\n",
            "standard",
            'name the standard without edition, e.g. "ISO 9001"',
        ),
        (
            "ACB,UK-9,ISO 9001,,2020-02-30,,Active\n",
            "valid_from",
            "Input should be a valid date or datetime, day value is outside expected range",
        ),
        (
            "ACB,UK-9,ISO 9001,99,2020-01-01,,Active\n",
            "sectors",
            "Input should be less than or equal to 39",
        ),
    ],
)
def test_bad_rows_change_nothing(
    client: TestClient,
    session: Session,
    ab_world: dict[str, Any],
    row: str,
    field: str,
    reason: str,
) -> None:
    """A bad row rejects the file (mode=all) with the field and the reason."""
    before = _counts(session)
    response = post(client, ab_world["key"], HEADER + ROWS + row)
    assert response.status_code == 422
    bad = [r for r in response.json()["report"]["rows"] if r["outcome"] == "error"]
    assert [(e["field"], e["reason"]) for e in bad[0]["errors"]] == [(field, reason)]
    assert _counts(session) == before


def test_only_the_bound_ab_imports(client: TestClient, ab_world: dict[str, Any]) -> None:
    """Another AB's key, or a client key, cannot import for this AB."""
    assert (
        post(client, ab_world["other_key"], HEADER + ROWS, accreditation_body="IMPAB").status_code
        == 403
    )
    assert post(client, ab_world["client_key"], HEADER + ROWS).status_code == 403
