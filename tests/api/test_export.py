"""Issue 15 item 6: the export keeps status dates and reasons (the whole status history), so an
export imports back to the same registry state; an unknown query parameter is a 422 naming it."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.schemas.registry import StatusChange
from app.services.auth import Role
from app.services.registry import certificates as service
from tests.factories import (
    ADMIN,
    TODAY,
    accredit,
    auth,
    make_ab,
    make_cb,
    make_certificate,
    make_key,
)

ISSUED = {"status": "active", "effective_from": "2024-03-01", "reason": "issued"}
HISTORIES: dict[str, list[dict[str, Any]]] = {
    "E-1": [ISSUED],
    "E-2": [
        ISSUED,
        {"status": "suspended", "effective_from": "2026-03-01", "reason": "surveillance missed"},
        {"status": "active", "effective_from": "2026-05-01", "reason": "audit held, reinstated"},
    ],
    "E-3": [
        ISSUED,
        {"status": "withdrawn", "effective_from": "2026-12-15", "reason": "client's request"},
    ],
    "E-4": [
        ISSUED,
        {"status": "suspended", "effective_from": "2026-11-20", "reason": "missed audit"},
    ],
}


def change(session: Session, cert: Any, status: str, day: str, reason: str) -> None:
    """A dated status change with its reason, through the write service."""
    service.change_certificate_status(
        session,
        principal=ADMIN,
        certificate_id=cert,
        data=StatusChange(status=status, effective_from=date.fromisoformat(day), reason=reason),
        today=TODAY,
    )


@pytest.fixture
def registry(session: Session) -> dict[str, Any]:
    """CB A with four certificates of different status histories; an empty CB B (both
    accredited for ISO 9001); keys."""
    ab = make_ab(session, "EXAB", [{"standard": "ISO 9001"}])
    cb_a = make_cb(session, "Exporting Certification Ltd", "EXA")
    cb_b = make_cb(session, "Receiving Certification Ltd", "EXB")
    accredit(session, cb_a, ab.id)
    accredit(session, cb_b, ab.id)
    for number, history in HISTORIES.items():
        cert = make_certificate(session, cb_a, number)
        for event in history[1:]:
            change(session, cert, event["status"], event["effective_from"], event["reason"])
    t = {
        "a": cb_a,
        "b": cb_b,
        "key": make_key(session, Role.CERTIFICATION_BODY, cb_a),
        "admin": make_key(session, Role.ADMIN),
    }
    session.commit()
    return t


def export(client: TestClient, key: str, **params: str) -> Any:
    """GET the export."""
    return client.get("/v1/certificates/export", params=params, headers=auth(key))


def upload(client: TestClient, key: str, text: str, media_type: str, **params: str) -> Any:
    """POST an import."""
    return client.post(
        "/v1/certificates/import",
        content=text.encode(),
        params=params,
        headers={**auth(key), "Content-Type": media_type},
    )


def state(client: TestClient, key: str, certificate_id: str) -> dict[str, Any]:
    """What a certificate holds, without what is the CB's or the record's own."""
    cert = client.get(f"/v1/certificates/{certificate_id}", headers=auth(key)).json()
    cert["organization"].pop("id", None)
    cert["status_history"] = [
        {k: e[k] for k in ("status", "effective_from", "reason")} for e in cert["status_history"]
    ]
    for own in ("id", "certification_body", "created_at", "updated_at"):
        cert.pop(own)
    return dict(cert)


def test_the_csv_export_keeps_status_dates_reasons_and_history(
    client: TestClient, registry: dict[str, Any]
) -> None:
    """Status, the date and reason of the event in force today, and every event."""
    response = export(client, registry["key"])
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert list(rows[0])[:5] == [
        "certificate_number",
        "status",
        "status_effective_from",
        "status_reason",
        "status_history",
    ]
    assert [
        (r["certificate_number"], r["status"], r["status_effective_from"], r["status_reason"])
        for r in rows
    ] == [
        ("E-1", "active", "2024-03-01", "issued"),
        ("E-2", "active", "2026-05-01", "audit held, reinstated"),
        ("E-3", "active", "2024-03-01", "issued"),
        ("E-4", "suspended", "2026-11-20", "missed audit"),
    ]
    assert {r["certificate_number"]: json.loads(r["status_history"]) for r in rows} == HISTORIES
    assert rows[1]["status_history"] == (
        '[{"status": "active", "effective_from": "2024-03-01", "reason": "issued"}, '
        '{"status": "suspended", "effective_from": "2026-03-01", "reason": "surveillance '
        'missed"}, {"status": "active", "effective_from": "2026-05-01", "reason": "audit held, '
        'reinstated"}]'
    )


def test_the_json_lines_export_keeps_the_history_as_a_list(
    client: TestClient, registry: dict[str, Any]
) -> None:
    """JSON Lines: the same values, the history as objects."""
    lines = [
        json.loads(line)
        for line in export(client, registry["key"], format="jsonl").text.splitlines()
    ]
    assert [
        (o["certificate_number"], o["status"], o["status_effective_from"], o["status_reason"])
        for o in lines
    ] == [
        ("E-1", "active", "2024-03-01", "issued"),
        ("E-2", "active", "2026-05-01", "audit held, reinstated"),
        ("E-3", "active", "2024-03-01", "issued"),
        ("E-4", "suspended", "2026-11-20", "missed audit"),
    ]
    assert {o["certificate_number"]: o["status_history"] for o in lines} == HISTORIES


@pytest.mark.parametrize(
    ("layout", "media_type"), [("csv", "text/csv"), ("jsonl", "application/x-ndjson")]
)
def test_an_export_imports_back_to_the_same_registry_state(
    client: TestClient, registry: dict[str, Any], layout: str, media_type: str
) -> None:
    """Imported into another CB, every certificate holds the same fields and the same status
    history (dates, statuses, reasons), so verification on any date agrees; imported into
    either CB again, nothing changes."""
    exported = export(client, registry["key"], format=layout).text
    into_b = upload(
        client, registry["admin"], exported, media_type, certification_body=str(registry["b"])
    )
    assert into_b.status_code == 200, into_b.text
    assert into_b.json()["totals"]["created"] == 4
    originals = {
        r["certificate_number"]: r["certificate_id"]
        for r in upload(client, registry["key"], exported, media_type).json()["rows"]
    }
    copies = {r["certificate_number"]: r["certificate_id"] for r in into_b.json()["rows"]}
    for number in HISTORIES:
        original = state(client, registry["admin"], originals[number])
        copy = state(client, registry["admin"], copies[number])
        assert copy == original
        assert copy["status_history"] == HISTORIES[number]
    for as_of, expected in [
        ("2026-04-01", "suspended"),
        ("2026-06-01", "valid"),
    ]:
        for cb in ("EXA", "EXB"):
            verdict = client.get(
                "/v1/verify",
                params={"certificate_number": "E-2", "certification_body": cb, "as_of": as_of},
            ).json()["verdict"]
            assert (cb, as_of, verdict) == (cb, as_of, expected)
    again_a = upload(client, registry["key"], exported, media_type).json()
    again_b = upload(
        client, registry["admin"], exported, media_type, certification_body=str(registry["b"])
    ).json()
    assert [r["outcome"] for r in again_a["rows"]] == ["unchanged"] * 4
    assert [r["outcome"] for r in again_b["rows"]] == ["unchanged"] * 4


def test_a_history_adds_the_events_a_certificate_lacks(
    client: TestClient, registry: dict[str, Any]
) -> None:
    """An existing certificate gets the events it lacks, each reported; those it has stay."""
    history = json.dumps(
        [
            ISSUED,
            {"status": "suspended", "effective_from": "2026-06-01", "reason": "complaint"},
            {"status": "active", "effective_from": "2026-07-01", "reason": "complaint closed"},
        ]
    )
    text = (
        "certificate_number,status_history\n" + f'E-4,"{history.replace(chr(34), chr(34) * 2)}"\n'
    )
    row = upload(client, registry["key"], text, "text/csv").json()["rows"][0]
    assert row["outcome"] == "updated"
    assert row["changes"] == [
        {
            "field": "status",
            "before": "active",
            "after": "suspended",
            "effective_from": "2026-06-01",
        },
        {
            "field": "status",
            "before": "suspended",
            "after": "active",
            "effective_from": "2026-07-01",
        },
    ]
    cert = state(client, registry["key"], row["certificate_id"])
    assert cert["status_history"] == [
        ISSUED,
        {"status": "suspended", "effective_from": "2026-06-01", "reason": "complaint"},
        {"status": "active", "effective_from": "2026-07-01", "reason": "complaint closed"},
        {"status": "suspended", "effective_from": "2026-11-20", "reason": "missed audit"},
    ]
    assert cert["status"] == "suspended"


@pytest.mark.parametrize(
    ("cell", "reason"),
    [
        (
            "[{",
            "is not valid JSON (Expecting property name enclosed in double quotes); write it as a "
            'JSON list of objects with status, effective_from and reason, e.g. [{"status": '
            '"active", "effective_from": "2024-01-10", "reason": "issued"}]',
        ),
        (
            '{"status": "active"}',
            "must be a list of objects with status, effective_from and reason",
        ),
        (
            '[{"status": "active", "effective_from": "2026-02-30"}]',
            "entry 1: '2026-02-30' is not a real date",
        ),
        (
            '[{"status": "active", "effective_from": "20260201"}]',
            "entry 1 needs effective_from as YYYY-MM-DD",
        ),
        (
            '[{"status": "Expired", "effective_from": "2026-02-01"}]',
            "entry 1: 'Expired' is not a status a certificate is recorded with (active, "
            "suspended or withdrawn)",
        ),
        (
            '[{"status": "active", "effective_from": "2026-02-01", "by": "me"}]',
            "entry 1 has unknown key(s) 'by'; the known ones are status, effective_from, reason",
        ),
    ],
    ids=["not-json", "not-a-list", "impossible-date", "compact-date", "no-event", "unknown-key"],
)
def test_a_bad_history_is_a_row_error(
    client: TestClient, registry: dict[str, Any], cell: str, reason: str
) -> None:
    """Named on its row and column; nothing is imported (mode=all)."""
    quoted = cell.replace('"', '""')
    response = upload(
        client, registry["key"], f'certificate_number,status_history\nE-1,"{quoted}"\n', "text/csv"
    )
    assert response.status_code == 422
    assert response.json()["report"]["rows"][0]["errors"] == [
        {"field": "status_history", "reason": reason}
    ]


def test_an_unknown_export_parameter_is_a_422_naming_it(
    client: TestClient, registry: dict[str, Any]
) -> None:
    """FastAPI ignores unknown query parameters; the export refuses them, so a filter it does
    not have never hands over more than was asked for."""
    response = export(client, registry["key"], status="active", format="csv", since="2026-01-01")
    assert response.status_code == 422
    problem = response.json()
    assert problem["detail"] == (
        "Unknown query parameter(s) 'since', 'status'; this operation takes "
        "certification_body, format."
    )
    assert problem["errors"] == [
        {
            "pointer": f"/{name}",
            "detail": "unknown parameter; the known ones are certification_body, format",
            "parameter": name,
            "location": "query",
        }
        for name in ("since", "status")
    ]
    assert export(client, registry["key"], format="csv").status_code == 200
