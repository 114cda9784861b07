"""A small registry with one certificate per verdict, built through the factories."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy.orm import Session

from tests.factories import (
    accredit,
    make_ab,
    make_cb,
    make_certificate,
    set_certificate_status,
)

AS_OF = "2026-11-26"


@pytest.fixture
def registry(session: Session) -> dict[str, Any]:
    """NBC and QAS accredited by TAB; certificates for every verdict as of AS_OF."""
    ab = make_ab(session, "TAB")
    nbc = make_cb(session, "Northbridge Certification Ltd", "NBC")
    qas = make_cb(session, "Qualis Auditores SA", "QAS", "ES")
    accredit(session, nbc, ab.id, "ISO 9001", sectors=[17, 18, 19])
    accredit(session, nbc, ab.id, "ISO 14001")
    accredit(session, qas, ab.id, "ISO 9001")
    ids = {
        "valid": make_certificate(session, nbc, "FS 612345"),
        "withdrawn": make_certificate(session, nbc, "FS-700001"),
        "suspended": make_certificate(session, nbc, "FS-700002"),
        "expired": make_certificate(session, nbc, "FS-700003", expiry_date="2026-11-25"),
        "not_yet_valid": make_certificate(
            session,
            nbc,
            "FS-700004",
            original_issue_date=None,
            issue_date="2026-12-01",
            expiry_date="2029-11-30",
        ),
        "not_accredited": make_certificate(session, nbc, "FS-700005", sectors=[28]),
        "outdated_standard": make_certificate(
            session,
            nbc,
            "EMS-1",
            standard="ISO 14001:2004",
            sectors=[18],
            original_issue_date="2016-01-01",
            issue_date="2016-01-01",
            expiry_date="2028-01-01",
        ),
        "shared_nbc": make_certificate(session, nbc, "DUP-1"),
        "shared_qas": make_certificate(
            session, qas, "dup 1", organization={"name": "Qualis Cliente SL", "country": "ES"}
        ),
        "slashed": make_certificate(session, nbc, "TCS/7010/24"),
        "confidential": make_certificate(session, nbc, "SECRET-1", confidential=True),
    }
    set_certificate_status(session, ids["withdrawn"], "withdrawn", date(2026, 6, 1))
    set_certificate_status(session, ids["suspended"], "suspended", date(2026, 11, 26))
    session.commit()
    return {"ab": ab.id, "nbc": nbc, "qas": qas, "ids": ids}
