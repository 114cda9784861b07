"""Issue 15 item 6: an import warns, on the row, when a certificate it writes will not verify as
valid: sectors outside the CB's accreditation (`not_accredited`), an edition past its transition
deadline (`outdated_standard`). The verification engine decides, as of the import's date."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app import clock
from app.schemas.registry import AccreditationCreate
from app.services.auth import Role
from app.services.registry import bodies as registry
from tests.factories import ADMIN, auth, make_ab, make_cb, make_key

HEADER = "certificate_number,organization_name,standard,sectors,issue_date,expiry_date\n"
INSIDE = "W-1,Inside Ltd,ISO 9001:2015,17;18,2025-01-10,2028-01-09\n"
OUTSIDE = "W-2,Outside Ltd,ISO 9001:2015,17;28;29,2025-01-10,2028-01-09\n"
OLD_EDITION = "W-3,Old Edition Ltd,ISO/IEC 27001:2013,,2024-01-10,2027-01-09\n"

SECTORS_WARNING = {
    "code": "sectors_outside_accreditation",
    "field": "sectors",
    "message": "IAF sectors 28, 29 are outside accreditation WARN-9001; the certificate "
    "verifies as not_accredited (check accreditation_sectors, as of 2026-11-26)",
}
EDITION_WARNING = {
    "code": "edition_past_transition",
    "field": "standard",
    "message": "ISO/IEC 27001:2013 was superseded by ISO/IEC 27001:2022: certificates to it "
    "expired at the end of the transition on 2025-10-31, the deadline set by IAF MD 26; the "
    "certificate verifies as outdated_standard (check standard_edition, as of 2026-11-26)",
}


def accreditation(
    session: Session, cb: Any, ab: Any, number: str, standard: str, sectors: list[int]
) -> None:
    """An accreditation with a known number (the warning names it)."""
    registry.create_accreditation(
        session,
        principal=ADMIN,
        certification_body_id=cb,
        data=AccreditationCreate(
            accreditation_body_id=ab.id,
            accreditation_number=number,
            standard=standard,
            sectors=sectors,
            valid_from=date(2015, 1, 1),
        ),
    )


@pytest.fixture
def tenant(session: Session) -> dict[str, Any]:
    """A CB accredited for ISO 9001 in IAF sectors 17 and 18, and for ISO/IEC 27001."""
    ab = make_ab(session, "WAB", [{"standard": "ISO 9001"}, {"standard": "ISO/IEC 27001"}])
    cb = make_cb(session, "Warned Certification Ltd", "WRN")
    accreditation(session, cb, ab, "WARN-9001", "ISO 9001", [17, 18])
    accreditation(session, cb, ab, "WARN-27001", "ISO/IEC 27001", [])
    t = {"cb": cb, "ab": ab, "key": make_key(session, Role.CERTIFICATION_BODY, cb)}
    session.commit()
    return t


def post(client: TestClient, key: str, text: str, **params: str) -> Any:
    """Upload CSV."""
    return client.post(
        "/v1/certificates/import",
        content=text.encode(),
        params=params,
        headers={**auth(key), "Content-Type": "text/csv"},
    )


def test_rows_that_will_not_verify_valid_are_warned(
    client: TestClient, tenant: dict[str, Any]
) -> None:
    """The rows are written (warnings are not errors), each warning names its code, column and
    the engine's reason, the report counts them, and verification then says the same."""
    response = post(client, tenant["key"], HEADER + INSIDE + OUTSIDE + OLD_EDITION)
    assert response.status_code == 200, response.text
    report = response.json()
    assert report["totals"]["created"] == 3
    assert [(r["row"], r.get("warnings")) for r in report["rows"]] == [
        (2, None),
        (3, [SECTORS_WARNING]),
        (4, [EDITION_WARNING]),
    ]
    assert report["warnings"] == {
        "sectors_outside_accreditation": 1,
        "edition_past_transition": 1,
    }
    verdicts = [
        client.get("/v1/verify", params={"certificate_number": n}).json()["verdict"]
        for n in ("W-1", "W-2", "W-3")
    ]
    assert verdicts == ["valid", "not_accredited", "outdated_standard"]

    again = post(client, tenant["key"], HEADER + INSIDE + OUTSIDE + OLD_EDITION).json()
    assert [(r["outcome"], r.get("warnings")) for r in again["rows"]] == [
        ("unchanged", None),
        ("unchanged", [SECTORS_WARNING]),
        ("unchanged", [EDITION_WARNING]),
    ]


def test_a_warning_names_the_column_as_the_file_does(
    client: TestClient, tenant: dict[str, Any]
) -> None:
    """IAF MD 28 headers: the warning is about "Sector code"."""
    text = (
        "Certificate Number,Certified Entity Name,Standards/schemes,Sector code,"
        "Certification Issue Date,Certification Expiry Date\n" + OUTSIDE
    )
    row = post(client, tenant["key"], text).json()["rows"][0]
    assert row["warnings"] == [{**SECTORS_WARNING, "field": "Sector code"}]


def test_the_engine_chooses_the_accreditation_as_verification_does(
    client: TestClient, session: Session, tenant: dict[str, Any]
) -> None:
    """A second accreditation for ISO 9001 covering 28 and 29 (another record, as renewals
    are): the certificate verifies valid, so the import does not warn."""
    accreditation(session, tenant["cb"], tenant["ab"], "WARN-9001-B", "ISO 9001", [17, 28, 29])
    session.commit()
    row = post(client, tenant["key"], HEADER + OUTSIDE).json()["rows"][0]
    assert "warnings" not in row
    verdict = client.get("/v1/verify", params={"certificate_number": "W-2"}).json()["verdict"]
    assert verdict == "valid"


def test_a_warning_written_in_an_import_that_fails_is_still_shown(
    client: TestClient, tenant: dict[str, Any]
) -> None:
    """mode=all with an error row commits nothing; the report still warns about the others."""
    bad = "W-9,Bad Ltd,ISO 9001:2015,17,2025-01-10,2024-01-09\n"
    response = post(client, tenant["key"], HEADER + OUTSIDE + bad)
    assert response.status_code == 422
    rows = response.json()["report"]["rows"]
    assert [(r["row"], r["outcome"], r.get("warnings")) for r in rows] == [
        (2, "created", [SECTORS_WARNING]),
        (3, "error", None),
    ]


@pytest.mark.parametrize(
    ("now", "warned"),
    [
        (datetime(2025, 10, 31, 23, 0, tzinfo=UTC), False),
        (datetime(2025, 11, 1, 0, 30, tzinfo=UTC), True),
    ],
    ids=["on-the-deadline", "the-day-after"],
)
def test_the_transition_warning_is_as_of_the_import_clock(
    client: TestClient,
    tenant: dict[str, Any],
    test_clock: clock.FixedClock,
    now: datetime,
    warned: bool,
) -> None:
    """An old edition is valid through its deadline (inclusive) and outdated from the day
    after: the import asks the engine as of the app clock's date, never the machine's."""
    test_clock.set(now)
    row = post(client, tenant["key"], HEADER + OLD_EDITION).json()["rows"][0]
    expected = [
        {
            **EDITION_WARNING,
            "message": EDITION_WARNING["message"].replace("2026-11-26", "2025-11-01"),
        }
    ]
    assert row.get("warnings") == (expected if warned else None)
