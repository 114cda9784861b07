"""One facts row per certificate (issue 16, item 2): written by every writer in the transaction
of its write, equal to a recomputation from the registry tables, and what a verification reads."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import delete, select, text, update
from sqlalchemy.orm import Session

from app.demo.builder import build_demo_registry
from app.models import Certificate, CertificateFacts, CertificationBody, Standard
from app.repositories.certificate_facts import refresh_certificate_facts, stale_certificate_facts
from app.repositories.certificates import (
    certificate_fact_rows_by_ids,
    certificate_fact_rows_by_number_key,
    certificate_fact_rows_by_number_keys,
)
from app.schemas.verification import VerificationRequestIn
from app.services.auth import Role
from app.services.registry.seed import seed_reference_data
from app.services.verification.answer import verify_certificate
from app.services.verification.fact_mapping import certificate_facts, certificate_facts_of_rows
from tests.factories import TODAY, accredit, auth, make_ab, make_cb, make_certificate, make_key

HEADER = (
    "certificate_number,status,organization_name,organization_country,standard,scope,sectors,"
    "site_name,site_address,site_country,original_issue_date,issue_date,expiry_date,confidential\n"
)


def _verify(session: Session, number: str) -> dict[str, Any]:
    return verify_certificate(session, request=VerificationRequestIn(certificate_number=number))


def _facts_row(session: Session, cert_id: uuid.UUID) -> CertificateFacts | None:
    session.expire_all()
    return session.get(CertificateFacts, cert_id)


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    """An accredited CB with a key, an admin key."""
    ab = make_ab(session, "FAB", [{"standard": "ISO 9001"}, {"standard": "ISO 14001"}])
    cb = make_cb(session, "Facts Row Certification Ltd", "FRC")
    accredit(session, cb, ab.id, "ISO 9001", sectors=[17, 18, 19])
    w = {
        "cb": cb,
        "key": make_key(session, Role.CERTIFICATION_BODY, cb),
        "admin": make_key(session, Role.ADMIN),
    }
    session.commit()
    return w


def test_every_api_write_leaves_no_stale_row(
    client: TestClient, session: Session, world: dict[str, Any]
) -> None:
    """Create, update (fields, sites, number, organisation), status change and withdrawal through
    the API: after each, every facts row equals its recomputation, and the verification reads
    the new facts."""
    key = auth(world["key"])
    body: dict[str, Any] = {
        "certificate_number": "FR-001",
        "organization": {"name": "Facts Tools Ltd", "country": "GB", "aliases": ["Facts"]},
        "standard": "ISO 9001:2015",
        "scope": "Tool making",
        "sectors": [18],
        "sites": [{"name": "Works", "address": "1 Mill Lane", "country": "GB"}],
        "issue_date": "2025-01-10",
        "expiry_date": "2028-01-09",
    }
    created = client.post("/v1/certificates", json=body, headers=key)
    assert created.status_code == 201, created.text
    cert_id = created.json()["id"]
    assert stale_certificate_facts(session) == []

    # A second certificate of the same organisation, restating its aliases: the first
    # certificate's row holds the organisation too, so it must be rewritten as well.
    second = client.post(
        "/v1/certificates",
        json={
            **body,
            "certificate_number": "FR-002",
            "organization": {**body["organization"], "aliases": ["Facts", "FT"]},
        },
        headers=key,
    )
    assert second.status_code == 201, second.text
    assert stale_certificate_facts(session) == []
    first = _verify(session, "FR-001")
    assert first["verdict"] == "valid"
    first_row = _facts_row(session, uuid.UUID(cert_id))
    assert first_row is not None
    assert '["Facts","FT"]' in first_row.facts.replace(" ", "")

    patched = client.patch(
        f"/v1/certificates/{cert_id}",
        json={
            "scope": "Tool making and repair",
            "sectors": [17, 18],
            "sites": [
                {"name": "Works", "address": "1 Mill Lane", "country": "GB"},
                {"name": "Depot", "address": "2 Dock Rd", "country": "IE"},
            ],
            "organization": {"name": "Facts Tools Limited"},
        },
        headers=key,
    )
    assert patched.status_code == 200, patched.text
    assert stale_certificate_facts(session) == []
    answer = _verify(session, "FR-001")
    assert answer["certificate"]["scope"] == "Tool making and repair"
    assert answer["certificate"]["sectors"] == [17, 18]
    assert answer["certificate"]["sites"] == [
        {"name": "Works", "address": "1 Mill Lane", "country": "GB"},
        {"name": "Depot", "address": "2 Dock Rd", "country": "IE"},
    ]
    assert answer["certificate"]["organization"] == {
        "name": "Facts Tools Limited",
        "country": "GB",
    }

    renumbered = client.patch(
        f"/v1/certificates/{cert_id}", json={"certificate_number": "FR-101"}, headers=key
    )
    assert renumbered.status_code == 200, renumbered.text
    assert stale_certificate_facts(session) == []
    assert _verify(session, "FR-001")["verdict"] == "not_found"
    assert _verify(session, "FR-101")["certificate"]["id"] == cert_id

    suspended = client.post(
        f"/v1/certificates/{cert_id}/status",
        json={"status": "suspended", "effective_from": "2026-06-01", "reason": "audit"},
        headers=key,
    )
    assert suspended.status_code == 200, suspended.text
    assert stale_certificate_facts(session) == []
    assert _verify(session, "FR-101")["verdict"] == "suspended"

    withdrawn = client.post(
        f"/v1/certificates/{cert_id}/status",
        json={"status": "withdrawn", "effective_from": "2026-11-01"},
        headers=key,
    )
    assert withdrawn.status_code == 200, withdrawn.text
    assert stale_certificate_facts(session) == []
    assert _verify(session, "FR-101")["verdict"] == "withdrawn"


def test_import_new_and_changed_rows_leave_no_stale_row(
    client: TestClient, session: Session, world: dict[str, Any]
) -> None:
    """The import (new rows, then changed rows and a status change) leaves every row current."""

    def post(csv: str) -> Any:
        response = client.post(
            "/v1/certificates/import",
            content=(HEADER + csv).encode(),
            headers={**auth(world["key"]), "Content-Type": "text/csv"},
        )
        assert response.status_code == 200, response.text
        return response.json()

    rows = (
        "IMPF-1,Active,Alpha Facts Ltd,GB,ISO 9001:2015,Tool making,17;18,Works,1 Mill Lane,GB,"
        "2019-01-10,2025-01-10,2028-01-09,false\n"
        "IMPF-2,Active,Alpha Facts Ltd,GB,ISO 9001:2015,Assembly,18,,2 Dock Rd,GB,,"
        "2024-06-01,2027-05-31,no\n"
    )
    assert post(rows)["totals"]["created"] == 2
    assert stale_certificate_facts(session) == []
    changed = rows.replace("Tool making", "Tool making and repair").replace(
        "IMPF-2,Active", "IMPF-2,Suspended"
    )
    assert post(changed)["totals"]["updated"] == 2
    assert stale_certificate_facts(session) == []
    assert _verify(session, "IMPF-1")["certificate"]["scope"] == "Tool making and repair"
    assert _verify(session, "IMPF-2")["verdict"] == "suspended"


def test_demo_and_seed_leave_no_stale_row(session: Session) -> None:
    """The demo builder writes every row in its transaction; seeding again (a changed standard
    edition) changes no row, and the verification reads the edition's new data at once: the
    edition is joined when read, never copied into the row."""
    build_demo_registry(session, certificates=40, today=TODAY)
    assert stale_certificate_facts(session) == []
    number = session.scalars(
        select(Certificate.certificate_number)
        .join(Standard, Standard.id == Certificate.standard_id)
        .where(Standard.code == "ISO 9001", Standard.edition == "2015")
        .order_by(Certificate.number_key)
    ).first()
    assert number is not None
    session.execute(
        update(Standard)
        .where(Standard.code == "ISO 9001", Standard.edition == "2015")
        .values(transition_deadline=date(2027, 1, 1))
    )
    before = session.scalars(select(CertificateFacts.facts)).all()
    seed_reference_data(session)
    session.flush()
    assert session.scalars(select(CertificateFacts.facts)).all() == before
    assert stale_certificate_facts(session) == []
    rows = certificate_fact_rows_by_number_key(session, number.replace(" ", "").upper())
    facts = certificate_facts_of_rows(rows)
    iso_9001 = [f for f in facts if f.standard.code == "ISO 9001"]
    assert iso_9001
    assert all(f.standard.transition_deadline is None for f in iso_9001)


def test_facts_rows_give_the_registry_tables_facts(session: Session) -> None:
    """For every certificate of a demo registry (sites, histories, confidential ones, several
    CBs per number), the facts decoded from its row equal those mapped from the registry
    tables, in the same order per number."""
    build_demo_registry(session, certificates=300, today=TODAY)
    ids = list(session.scalars(select(Certificate.id)))
    keys = set(session.scalars(select(Certificate.number_key)))
    by_key = certificate_fact_rows_by_number_keys(session, keys)
    from_rows = {f.id: f for rows in by_key.values() for f in certificate_facts_of_rows(rows)}
    from_tables = {f.id: f for f in certificate_facts(certificate_fact_rows_by_ids(session, ids))}
    assert len(from_rows) == len(ids)
    assert from_rows == from_tables
    assert any(len(f.sites) > 1 for f in from_rows.values())
    assert any(len(f.status_events) > 1 for f in from_rows.values())
    assert any(f.confidential for f in from_rows.values())
    for key, rows in by_key.items():
        assert [r.id for r in rows] == [
            c.id for c in certificate_fact_rows_by_ids(session, [r.id for r in rows]).certificates
        ], key


def test_a_write_that_bypasses_the_refresh_is_caught(
    session: Session, world: dict[str, Any]
) -> None:
    """stale_certificate_facts names each certificate a write changed without refreshing its row
    (a Core update, a status event inserted by hand, a row deleted), and a refresh mends it."""
    cert = make_certificate(session, world["cb"], "BYPASS-1")
    other = make_certificate(session, world["cb"], "BYPASS-2", organization={"name": "Other Ltd"})
    assert stale_certificate_facts(session) == []

    session.execute(update(Certificate).where(Certificate.id == cert).values(scope="changed"))
    assert stale_certificate_facts(session) == [cert]
    refresh_certificate_facts(session, [cert])
    assert stale_certificate_facts(session) == []

    sqlite = session.get_bind().dialect.name == "sqlite"  # Uuid columns are hex text there
    session.execute(
        text(
            "INSERT INTO certificate_status_events (id, certificate_id, status, effective_from,"
            " recorded_at) VALUES (:id, :cert, 'withdrawn', :day, :at)"
        ),
        {
            "id": uuid.uuid4().hex if sqlite else uuid.uuid4(),
            "cert": cert.hex if sqlite else cert,
            "day": date(2026, 1, 1),
            "at": "2026-11-26 12:00:00.000000",
        },
    )
    assert stale_certificate_facts(session) == [cert]
    assert _verify(session, "BYPASS-1")["verdict"] == "valid"  # the row is what is read
    refresh_certificate_facts(session, [cert])
    assert _verify(session, "BYPASS-1")["verdict"] == "withdrawn"

    session.execute(delete(CertificateFacts).where(CertificateFacts.certificate_id == other))
    assert stale_certificate_facts(session) == [other]
    refresh_certificate_facts(session, [other])
    assert stale_certificate_facts(session) == []


def test_a_renamed_certification_body_is_read_at_once(
    session: Session, world: dict[str, Any]
) -> None:
    """The CB's name is joined when read, not copied: a rename needs no refresh."""
    make_certificate(session, world["cb"], "RENAME-1")
    session.execute(
        update(CertificationBody)
        .where(CertificationBody.id == world["cb"])
        .values(name="Renamed Certification Ltd")
    )
    assert stale_certificate_facts(session) == []
    answer = _verify(session, "RENAME-1")
    assert answer["certificate"] is not None
    assert answer["certification_body"]["name"] == "Renamed Certification Ltd"
