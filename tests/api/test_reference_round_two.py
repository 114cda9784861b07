"""Reference data round two through HTTP (issue 13, part 5): every shipped edition can be
certified, an edition not published on the issue date is refused by the write API and the
import alike, GET /v1/standards shows the new fields, and answers name the arrangement by date
and warn for standards outside the MLA's scope."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Certificate, Standard
from app.services.auth import Role
from tests.factories import accredit, auth, certificate_body, make_ab, make_cb, make_key


@pytest.fixture
def body_keys(session: Session) -> dict[str, Any]:
    """A CB accredited for ISO 9001 and ISO 22301 by an AB whose complete MLA list is ISO 9001."""
    ab = make_ab(session, "RAB", [{"standard": "ISO 9001", "since": "1998-01-01"}])
    cb = make_cb(session, "Round Two Certification Ltd", "RTC")
    accredit(session, cb, ab.id)
    accredit(session, cb, ab.id, standard="ISO 22301")
    keys = {"cb": cb, "key": make_key(session, Role.CERTIFICATION_BODY, cb)}
    session.commit()
    return keys


def _create(client: TestClient, key: str, number: str, **overrides: Any) -> Any:
    return client.post(
        "/v1/certificates", json=certificate_body(number, **overrides), headers=auth(key)
    )


def _certificates(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Certificate)) or 0


@pytest.mark.parametrize(
    ("standard", "issue_date"),
    [
        ("ISO 22301:2019", "2024-03-01"),
        ("ISO/IEC 42001:2023", "2024-03-01"),
        ("ISO/IEC 20000-1:2018", "2024-03-01"),
        ("ISO/IEC 27701:2025", "2025-10-01"),
        ("ISO 55001:2024", "2024-07-01"),
        ("ISO 37001:2025", "2025-06-01"),
        ("ISO 14001:2026", "2026-05-01"),
    ],
)
def test_new_editions_can_be_certified(
    client: TestClient, body_keys: dict[str, Any], standard: str, issue_date: str
) -> None:
    """The 15 editions added in round two are known (201, not "unknown standard edition");
    ISO 37001:2025 has no publication date and is no draft, so it is allowed."""
    response = _create(
        client,
        body_keys["key"],
        f"NEW-{uuid.uuid4().hex[:6]}",
        standard=standard,
        original_issue_date=None,
        issue_date=issue_date,
        expiry_date="2028-02-28",
    )
    assert response.status_code == 201, response.text
    assert response.json()["standard"] == standard


@pytest.mark.parametrize(
    ("overrides", "pointer", "detail"),
    [
        pytest.param(
            {"standard": "ISO 9001:2026", "issue_date": "2026-03-01"},
            "/standard",
            "ISO 9001:2026 was not published on the issue date 2026-03-01 (it is a draft)",
            id="draft",
        ),
        pytest.param(
            {"standard": "ISO 14001:2026", "issue_date": "2026-04-01"},
            "/standard",
            "ISO 14001:2026 was not published on the issue date 2026-04-01 (published 2026-04-15)",
            id="before-publication",
        ),
    ],
)
def test_create_refuses_an_edition_not_published_on_the_issue_date(
    client: TestClient,
    session: Session,
    body_keys: dict[str, Any],
    overrides: dict[str, str],
    pointer: str,
    detail: str,
) -> None:
    """DESIGN.md "Deadlines": refused at write time, 422 naming the field; nothing written."""
    before = _certificates(session)
    response = _create(
        client,
        body_keys["key"],
        "DRAFT-1",
        original_issue_date=None,
        expiry_date="2029-02-28",
        **overrides,
    )
    assert response.status_code == 422, response.text
    error = response.json()["errors"][0]
    assert (error["pointer"], error["detail"]) == (pointer, detail)
    assert _certificates(session) == before


def test_patch_refuses_an_unpublished_edition_or_an_earlier_issue_date(
    client: TestClient, body_keys: dict[str, Any]
) -> None:
    """PATCH checks the rule when the edition or the issue date changes, naming that field."""
    headers = auth(body_keys["key"])
    created = _create(
        client,
        body_keys["key"],
        "EMS-2026",
        standard="ISO 14001:2026",
        original_issue_date=None,
        issue_date="2026-05-01",
        expiry_date="2029-04-30",
    )
    assert created.status_code == 201, created.text
    path = f"/v1/certificates/{created.json()['id']}"
    earlier = client.patch(path, json={"issue_date": "2026-04-14"}, headers=headers)
    assert earlier.status_code == 422, earlier.text
    assert earlier.json()["errors"][0] == {
        **earlier.json()["errors"][0],
        "pointer": "/issue_date",
        "detail": "ISO 14001:2026 was not published on the issue date 2026-04-14 (published "
        "2026-04-15)",
    }
    draft = client.patch(path, json={"standard": "ISO 9001:2026"}, headers=headers)
    assert draft.status_code == 422, draft.text
    assert draft.json()["errors"][0]["pointer"] == "/standard"
    assert "(it is a draft)" in draft.json()["errors"][0]["detail"]
    on_the_day = client.patch(path, json={"issue_date": "2026-04-15"}, headers=headers)
    assert on_the_day.status_code == 200, on_the_day.text
    assert client.get(path, headers=headers).json()["standard"] == "ISO 14001:2026"


def test_an_unrelated_edit_of_an_older_record_is_not_refused(
    client: TestClient, session: Session, body_keys: dict[str, Any]
) -> None:
    """A record written before the rule (here: to the draft) keeps accepting other edits."""
    created = _create(client, body_keys["key"], "LEGACY-1")
    assert created.status_code == 201, created.text
    draft = session.scalars(
        select(Standard).where(Standard.code_key == "ISO9001", Standard.edition == "2026")
    ).one()
    cert = session.get(Certificate, uuid.UUID(created.json()["id"]))
    assert cert is not None
    cert.standard_id = draft.id
    session.commit()
    response = client.patch(
        f"/v1/certificates/{cert.id}",
        json={"scope": "Design of widgets"},
        headers=auth(body_keys["key"]),
    )
    assert response.status_code == 200, response.text
    # A full-record PATCH restates the edition: no change, so not refused either (the import
    # calls the same row `unchanged`).
    restated = client.patch(
        f"/v1/certificates/{cert.id}",
        json={"standard": "ISO 9001:2026", "scope": "Design of widgets"},
        headers=auth(body_keys["key"]),
    )
    assert restated.status_code == 200, restated.text


def test_standards_show_the_new_reference_fields(client: TestClient) -> None:
    """GET /v1/standards: 33 editions with disputed dates, decisions, scope and publication."""
    items = client.get("/v1/standards", params={"page_size": 100}).json()["items"]
    standards = {s["standard"]: s for s in items}
    assert len(standards) == 33
    food = standards["ISO 22000:2005"]
    assert (food["transition_deadline_earliest"], food["transition_deadline"]) == (
        "2021-12-29",
        "2021-12-31",
    )
    assert food["transition_rule_source"] == "IAF Resolution 2018-15, extended by IAF FAQ Q20"
    assert standards["ISO/IEC 27001:2013"]["transition_rule_source"] == "IAF MD 26"
    assert standards["ISO 22301:2019"]["in_mla_scope"] is False
    assert standards["ISO 9001:2015"]["in_mla_scope"] is True
    assert standards["ISO 45001:2018"]["published"] == "2018-03"
    assert standards["ISO 9001:2026"]["published"] is None
    assert standards["ISO 9001:2015"]["amendments"] == [
        "ISO 9001:2015/Amd 1:2024 (climate change; no transition period; published Feb 2024)"
    ]


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("2024-05-01", "RAB is recognised under the IAF MLA for ISO 9001 since 1998-01-01"),
        ("2025-12-31", "RAB is recognised under the IAF MLA for ISO 9001 since 1998-01-01"),
        ("2026-01-01", "RAB is recognised under the Global ACI MRA for ISO 9001 since 1998-01-01"),
        (None, "RAB is recognised under the Global ACI MRA for ISO 9001 since 1998-01-01"),
    ],
)
def test_answers_name_the_arrangement_in_force_on_as_of(
    client: TestClient, body_keys: dict[str, Any], as_of: str | None, message: str
) -> None:
    """The arrangement is shipped data, named by as_of (default: the test clock, 2026-11-26)."""
    number = f"QMS-{uuid.uuid4().hex[:6]}"
    created = _create(client, body_keys["key"], number, issue_date="2024-03-01")
    assert created.status_code == 201, created.text
    params = {"certificate_number": number, **({"as_of": as_of} if as_of else {})}
    body = client.get("/v1/verify", params=params).json()
    recognition = next(c for c in body["checks"] if c["code"] == "ab_recognition")
    assert (recognition["outcome"], recognition["message"]) == ("pass", message)


def test_a_standard_outside_the_mla_scope_warns_with_a_complete_list(
    client: TestClient, body_keys: dict[str, Any]
) -> None:
    """ISO 22301: the AB's complete MLA list lacks it, yet ab_recognition warns, never fails."""
    created = _create(
        client,
        body_keys["key"],
        "BCMS-1",
        standard="ISO 22301:2019",
        sectors=[],
        original_issue_date=None,
    )
    assert created.status_code == 201, created.text
    body = client.get("/v1/verify", params={"certificate_number": "BCMS-1"}).json()
    assert body["verdict"] == "valid"
    recognition = next(c for c in body["checks"] if c["code"] == "ab_recognition")
    assert (recognition["outcome"], recognition["message"]) == (
        "warn",
        "ISO 22301 is outside the MLA's scope; accredited nationally by RAB (recognition under "
        "the Global ACI MRA is not expected)",
    )
    assert recognition["message"] in body["warnings"]


# --- the same rule through the import -----------------------------------------------------------

HEADER = (
    "certificate_number,status,organization_name,organization_country,standard,scope,sectors,"
    "site_name,site_address,site_country,original_issue_date,issue_date,expiry_date,confidential\n"
)


def _row(number: str, standard: str, issue: str) -> str:
    return (
        f"{number},Active,Alpha Tools Ltd,GB,{standard},Tool making,,Works,1 Mill Lane,GB,,"
        f"{issue},2029-01-09,false\n"
    )


def _import(client: TestClient, key: str, text: str, **params: str) -> Any:
    return client.post(
        "/v1/certificates/import",
        content=text.encode(),
        params=params,
        headers={**auth(key), "Content-Type": "text/csv"},
    )


def test_import_refuses_unpublished_editions_per_row_naming_the_column(
    client: TestClient, body_keys: dict[str, Any]
) -> None:
    """The import applies the write API's rule: a row error naming the standard column."""
    text = (
        HEADER
        + _row("IMP-DRAFT", "ISO 9001:2026", "2026-03-01")
        + _row("IMP-EARLY", "ISO 14001:2026", "2026-04-01")
        + _row("IMP-LATER", "ISO 14001:2026", "2026-05-01")
        + _row("IMP-BCMS", "ISO 22301:2019", "2024-03-01")
        + _row("IMP-AIMS", "ISO/IEC 42001:2023", "2024-03-01")
    )
    response = _import(client, body_keys["key"], text, mode="partial")
    assert response.status_code == 200, response.text
    rows = response.json()["rows"]
    assert [r["outcome"] for r in rows] == ["error", "error", "created", "created", "created"]
    assert rows[0]["errors"] == [
        {
            "field": "standard",
            "reason": "ISO 9001:2026 was not published on the issue date 2026-03-01 (it is a "
            "draft)",
        }
    ]
    assert rows[1]["errors"] == [
        {
            "field": "standard",
            "reason": "ISO 14001:2026 was not published on the issue date 2026-04-01 "
            "(published 2026-04-15)",
        }
    ]


def test_import_refuses_moving_the_issue_date_before_publication(
    client: TestClient, body_keys: dict[str, Any]
) -> None:
    """A re-import that only moves the issue date names the issue date column; mode=all
    rejects the file."""
    first = _import(
        client, body_keys["key"], HEADER + _row("IMP-EMS", "ISO 14001:2026", "2026-05-01")
    )
    assert first.status_code == 200, first.text
    moved = "certificate_number,Certification Issue Date\nIMP-EMS,2026-04-14\n"
    response = _import(client, body_keys["key"], moved)
    assert response.status_code == 422, response.text
    row = response.json()["report"]["rows"][0]
    assert row["errors"] == [
        {
            "field": "Certification Issue Date",
            "reason": "ISO 14001:2026 was not published on the issue date 2026-04-14 "
            "(published 2026-04-15)",
        }
    ]
    unchanged = _import(
        client, body_keys["key"], HEADER + _row("IMP-EMS", "ISO 14001:2026", "2026-05-01")
    )
    assert [r["outcome"] for r in unchanged.json()["rows"]] == ["unchanged"]
