"""Issue 16, item 5: the import writes through each engine's bulk path (PostgreSQL COPY into a
staging table and one set-based merge per table; SQLite one DB-API executemany per table), and
the registry it leaves is the one the earlier SQLAlchemy executemany path left, column for
column: certificates, sites, status events, field changes, organisations, audit events, the
per-row report. Errors mid-file, re-import and the derived-data hooks are tested on it too."""

from __future__ import annotations

import io
import json
import re
import uuid
from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from app import clock
from app.models import CertificationBody
from app.repositories.certificate_import import WriteMethod
from app.services.auth import Principal, Role
from app.services.imports import certificates as importer_module
from app.services.imports.certificates import run_import
from app.services.imports.formats import read_csv
from app.services.imports.report import ImportReport, Mode
from tests.conftest import TEST_NOW
from tests.factories import TODAY, accredit, make_ab, make_cb

HEADER = (
    "certificate_number,status,status_effective_from,organization_name,organization_country,"
    "organization_aliases,lei,standard,scope,sectors,site_name,site_address,site_country,"
    "original_issue_date,issue_date,expiry_date,confidential\n"
)
STANDARDS = ("ISO 9001:2015", "ISO 14001:2015", "ISO 45001:2018", "ISO/IEC 27001:2022")
STATUSES = ("Active", "Active", "Active", "Suspended", "Withdrawn", "Expired", "")
ROWS = 5000
UUID_TEXT = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def row(i: int, *, version: int = 0) -> str:
    """One deterministic row; `version` 1 changes some of them (scope, sites, status, org)."""
    org = i // 3  # three certificates per organisation
    scope = f"Scope {i % 7}" + (" and more" if version and i % 5 == 0 else "")
    sites = i % 3
    addresses = "|".join(f"{n} Road {i % 11}" for n in range(1, sites + 1))
    if version and i % 4 == 0:
        addresses = "|".join(f"{n} New Road {i % 11}" for n in range(1, sites + 2))
        sites += 1
    countries = "|".join(["DE"] * sites)
    names = "|".join(f"Site {n}" for n in range(sites)) if i % 2 else ""
    status = STATUSES[i % len(STATUSES)]
    if version and i % 6 == 0:
        status = "Suspended"
    effective = "2025-03-01" if status and i % 2 else ""
    aliases = f"Org {org} Trading|O{org}" if org % 4 == 0 else ""
    if version and org % 10 == 0:
        aliases = f"Org {org} Renamed"
    lei = f"5299000J2N45DDNE{org % 10000:04d}" if org % 5 == 0 else ""
    standard = STANDARDS[i % len(STANDARDS)]
    sectors = ";".join(str(s) for s in (1 + i % 39, 1 + (i + 7) % 39)) if i % 4 != 3 else ""
    issue = f"2024-{1 + i % 12:02d}-{1 + i % 28:02d}"
    expiry = f"2027-{1 + i % 12:02d}-{1 + i % 28:02d}"
    original = f"2018-{1 + i % 12:02d}-01" if i % 3 == 0 else ""
    confidential = "true" if i % 17 == 0 else "false"
    return (
        f"BLK-{i:05d},{status},{effective},Org {org} Ltd,DE,{aliases},{lei},{standard},{scope},"
        f"{sectors},{names},{addresses},{countries},{original},{issue},{expiry},{confidential}\n"
    )


def csv_text(rows: range, *, version: int = 0, extra: dict[int, str] | None = None) -> str:
    """A file of these rows; `extra` replaces the row at an index (bad rows)."""
    lines = [(extra or {}).get(i) or row(i, version=version) for i in rows]
    return HEADER + "".join(lines)


def bad_issue_date(i: int) -> str:
    """Row i with an issue date that is no real date."""
    cells = row(i).split(",")
    cells[14] = "2024-02-30"
    return ",".join(cells)


@pytest.fixture
def cb(session: Session) -> CertificationBody:
    """An accredited CB (some rows' sectors lie outside its accreditation: warnings)."""
    ab = make_ab(session, "BAB", [{"standard": "ISO 9001"}, {"standard": "ISO 14001"}])
    cb_id = make_cb(session, "Bulk Certification GmbH", "BCG", "DE")
    accredit(session, cb_id, ab.id, sectors=list(range(1, 20)))
    accredit(session, cb_id, ab.id, standard="ISO 14001")
    session.commit()
    found = session.get(CertificationBody, cb_id)
    assert found is not None
    return found


def run(
    session: Session,
    cb: CertificationBody,
    body: str,
    *,
    method: WriteMethod = "bulk",
    mode: Mode = "all",
    batch_size: int = 1000,
) -> tuple[ImportReport, list[dict[str, Any]]]:
    """Import a CSV text; the report and its rows in file order."""
    _, parsed = read_csv(io.BytesIO(body.encode()))
    rows: list[dict[str, Any]] = []
    report = run_import(
        session,
        principal=Principal(role=Role.ADMIN),
        certification_body=cb,
        rows=parsed,
        mode=mode,
        today=TODAY,
        batch_size=batch_size,
        on_row=lambda r: rows.append(r.as_dict()),
        write_method=method,
    )
    return report, rows


def raw(session: Session, sql: str) -> list[tuple[Any, ...]]:
    """Rows as the driver returns them (the stored form: SQLite's text of UUIDs, dates, JSON)."""
    return [tuple(r) for r in session.connection().exec_driver_sql(sql).all()]


def registry(session: Session, cb_id: uuid.UUID) -> dict[str, Any]:
    """Everything the import wrote for the CB, with generated ids replaced by stable names
    (certificate number, organisation name key and country), in a canonical order."""
    cb_raw = raw(session, "SELECT id FROM certification_bodies")
    cb_value = next(v for (v,) in cb_raw if str(v).replace("-", "") == cb_id.hex)
    params = {"cb": cb_value}
    conn = session.connection()

    def q(sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in conn.execute(text(sql), params).all()]

    orgs = q(
        "SELECT id, name, name_key, country, aliases, lei, vat, created_at, updated_at "
        "FROM organizations WHERE certification_body_id = :cb"
    )
    org_name = {o[0]: (o[2], o[3]) for o in orgs}
    certs = q(
        "SELECT id, certificate_number, number_key, organization_id, standard_id, scope, "
        "sectors, original_issue_date, issue_date, expiry_date, confidential, created_at, "
        "updated_at FROM certificates WHERE certification_body_id = :cb"
    )
    number = {c[0]: c[1] for c in certs}
    mine = "(SELECT id FROM certificates WHERE certification_body_id = :cb)"
    sites = q(
        "SELECT certificate_id, position, name, address, country FROM certificate_sites "
        f"WHERE certificate_id IN {mine}"
    )
    events = q(
        "SELECT certificate_id, status, effective_from, reason, recorded_at, actor_key_id, "
        f"actor_role FROM certificate_status_events WHERE certificate_id IN {mine}"
    )
    changes = q(
        "SELECT certificate_id, field, before, after, recorded_at, actor_key_id, actor_role "
        f"FROM certificate_changes WHERE certificate_id IN {mine}"
    )
    audits = raw(
        session,
        "SELECT action, target_type, target_id, before, after, occurred_at, actor_key_id, "
        "actor_role, request_id FROM audit_events "
        "WHERE action IN ('certificate.import.create', 'certificate.import.update')",
    )
    by_text_id = {str(uuid.UUID(str(k).replace("-", ""))): v for k, v in number.items()}
    org_text = {
        str(uuid.UUID(str(k).replace("-", ""))): f"{n}/{c}" for k, (n, c) in org_name.items()
    }

    def named(value: Any) -> Any:  # organisation ids inside the audit JSON, by name
        if value is not None and not isinstance(value, str):  # PostgreSQL's driver parses it
            value = json.dumps(value, sort_keys=True)
        return None if value is None else UUID_TEXT.sub(lambda m: org_text.get(m[0], m[0]), value)

    audits = [(*a[:3], named(a[3]), named(a[4]), *a[5:]) for a in audits]
    return {
        "organizations": sorted((org_name[o[0]], *o[1:]) for o in orgs),
        "certificates": sorted((c[1], *c[2:3], org_name[c[3]], *c[4:]) for c in certs),
        "sites": sorted((number[s[0]], *s[1:]) for s in sites),
        "status_events": sorted((number[e[0]], *e[1:]) for e in events),
        "changes": sorted((number[c[0]], *c[1:]) for c in changes),
        "audit_events": sorted((a[0], a[1], by_text_id[a[2]], *a[3:]) for a in audits),
    }


def stable_report(report: ImportReport, rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The report without the generated certificate ids (each row keeps its number)."""
    return {
        "summary": report.as_dict(include_rows=False),
        "rows": [{k: v for k, v in r.items() if k != "certificate_id"} for r in rows],
    }


def twice(session: Session, cb: CertificationBody, method: WriteMethod) -> dict[str, Any]:
    """Create 5,000 certificates, then update them from a second file, with `method`: the
    reports and the registry after each step."""
    with clock.using(clock.FixedClock(TEST_NOW + timedelta(hours=1), tick=False)):
        first = run(session, cb, csv_text(range(ROWS)), method=method)
    after_first = registry(session, cb.id)
    with clock.using(clock.FixedClock(TEST_NOW + timedelta(hours=2), tick=False)):
        second = run(session, cb, csv_text(range(ROWS), version=1), method=method)
    return {
        "first": stable_report(*first),
        "after_first": after_first,
        "second": stable_report(*second),
        "after_second": registry(session, cb.id),
    }


def test_the_bulk_path_leaves_the_registry_the_executemany_path_left(
    session: Session, cb: CertificationBody
) -> None:
    """5,000 rows created, then updated (scopes, sites, statuses, aliases), once through each
    path from the same starting point: every stored column and report row is the same."""
    outer = session.begin_nested()
    reference = twice(session, cb, "executemany")
    outer.rollback()
    outer = session.begin_nested()
    bulk = twice(session, cb, "bulk")
    outer.rollback()

    assert reference["first"]["summary"]["totals"] == {
        "rows": ROWS,
        "created": ROWS,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "error": 0,
    }
    assert reference["first"]["summary"]["warnings"] == {"sectors_outside_accreditation": 864}
    assert reference["second"]["summary"]["totals"] == {
        "rows": ROWS,
        "created": 0,
        "updated": 2287,
        "unchanged": 2713,
        "skipped": 0,
        "error": 0,
    }
    counted = {
        step: {part: len(rows) for part, rows in reference[step].items()}
        for step in ("after_first", "after_second")
    }
    assert counted == {
        "after_first": {
            "organizations": 1667,
            "certificates": ROWS,
            "sites": 4999,
            "status_events": 6786,
            "changes": 0,
            "audit_events": ROWS,
        },
        "after_second": {
            "organizations": 1667,
            "certificates": ROWS,
            "sites": 6249,
            "status_events": 7501,
            "changes": 2417,
            "audit_events": ROWS + 2287,
        },
    }
    for step in ("first", "after_first", "second", "after_second"):
        for part in reference[step]:
            assert bulk[step][part] == reference[step][part], (step, part)


def test_an_error_mid_file_writes_nothing_and_names_the_row(
    session: Session, cb: CertificationBody
) -> None:
    """mode=all: errors in the second and third batch, after a batch was written: nothing of
    the file is in the registry, and each error row says its column and reason."""
    bad = {1500: bad_issue_date(1500), 2400: row(2400).replace("ISO 9001:2015", "ISO 9999:2015")}
    before = registry(session, cb.id)
    report, rows = run(session, cb, csv_text(range(2500), extra=bad))
    assert report.committed is False
    assert report.totals == {
        "rows": 2500,
        "created": 2498,
        "updated": 0,
        "unchanged": 0,
        "skipped": 0,
        "error": 2,
    }
    errors = [r for r in rows if r["outcome"] == "error"]
    assert errors == [
        {
            "row": 1502,
            "certificate_number": "BLK-01500",
            "outcome": "error",
            "status_mapping": "Active → active",
            "errors": [
                {
                    "field": "issue_date",
                    "pointer": "/issue_date",
                    "reason": "Input should be a valid date or datetime, day value is outside "
                    "expected range",
                }
            ],
        },
        {
            "row": 2402,
            "certificate_number": "BLK-02400",
            "outcome": "error",
            "errors": [{"field": "standard", "reason": 'unknown standard edition "ISO 9999:2015"'}],
        },
    ]
    assert registry(session, cb.id) == before


def test_partial_mode_writes_the_valid_rows_only(session: Session, cb: CertificationBody) -> None:
    """mode=partial: the same file writes every valid row and none of the error rows."""
    bad = {1500: bad_issue_date(1500)}
    report, _ = run(session, cb, csv_text(range(2500), extra=bad), mode="partial")
    assert report.committed is True
    assert report.totals["error"] == 1
    assert report.totals["created"] == 2499
    stored = registry(session, cb.id)
    numbers = {c[0] for c in stored["certificates"]}
    assert len(numbers) == 2499
    assert "BLK-01500" not in numbers
    assert len(stored["audit_events"]) == 2499


def test_re_importing_the_same_file_changes_nothing(
    session: Session, cb: CertificationBody
) -> None:
    """The second import of a 5,000-row file reports every written row unchanged and writes
    nothing: no status event, field change or audit event, no updated_at moved."""
    run(session, cb, csv_text(range(ROWS)))
    before = registry(session, cb.id)
    report, _ = run(session, cb, csv_text(range(ROWS)))
    assert report.totals == {
        "rows": ROWS,
        "created": 0,
        "updated": 0,
        "unchanged": ROWS,
        "skipped": 0,
        "error": 0,
    }
    assert registry(session, cb.id) == before


def test_each_batch_refreshes_the_derived_rows_of_what_it_wrote(
    session: Session, cb: CertificationBody, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The verification facts of every created or changed certificate and the search entries
    of every created or changed organisation are refreshed by the batch that wrote them, after
    its writes (the rows are there to read), in the import's transaction."""
    calls: list[tuple[str, int, int]] = []

    def facts(s: Session, ids: Any, *, organizations_included: bool = False) -> None:
        ids = list(ids)
        stored = s.connection().execute(
            text("SELECT COUNT(*) FROM certificates WHERE certification_body_id = :cb"),
            {"cb": cb.id.hex if s.get_bind().dialect.name == "sqlite" else cb.id},
        )
        assert organizations_included  # the import passes the organisations' certificates
        calls.append(("facts", len(ids), stored.scalar_one()))

    def search(_: Session, ids: Any) -> None:
        calls.append(("search", len(list(ids)), 0))

    def index_new(_: Session, rows: Any) -> None:
        calls.append(("new organisations", len(list(rows)), 0))

    monkeypatch.setattr(importer_module, "refresh_certificate_facts", facts)
    monkeypatch.setattr(importer_module, "refresh_organization_search", search)
    monkeypatch.setattr(importer_module, "index_new_organizations", index_new)
    run(session, cb, csv_text(range(30)), batch_size=10)
    assert calls == [
        ("facts", 10, 10),
        ("new organisations", 4, 0),
        ("facts", 10, 20),
        ("new organisations", 3, 0),
        ("facts", 10, 30),
        ("new organisations", 3, 0),
    ]
    calls.clear()
    run(session, cb, csv_text(range(30)), batch_size=10)  # unchanged: nothing to refresh
    assert calls == []
    report, rows = run(session, cb, csv_text(range(30), version=1), batch_size=30)
    updated = {r["certificate_number"] for r in rows if r["outcome"] == "updated"}
    assert report.totals["updated"] == len(updated) == 14
    # Organisation 0 got new aliases: its three certificates' facts too (BLK-00000 to 2).
    assert len(updated | {"BLK-00000", "BLK-00001", "BLK-00002"}) == 16
    assert calls == [("facts", 16, 30), ("search", 1, 0)]
