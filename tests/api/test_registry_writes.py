"""Registry writes: roles, bindings, cross-tenant refusals, validation, conflicts, history."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.services.auth import Role
from tests.factories import (
    accredit,
    auth,
    certificate_body,
    make_ab,
    make_cb,
    make_certificate,
    make_key,
)


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    """Two ABs, two CBs, each with keys; each CB with a public and a confidential certificate."""
    ab1 = make_ab(session, "AB1", [{"standard": "ISO 9001"}])
    ab2 = make_ab(session, "AB2", [{"standard": "ISO 9001"}])
    cb1 = make_cb(session, "First Certification Ltd", "FCL")
    cb2 = make_cb(session, "Second Certification GmbH", "SCG", "DE")
    w = {
        "ab1": ab1.id,
        "ab2": ab2.id,
        "cb1": cb1,
        "cb2": cb2,
        "acc1": accredit(session, cb1, ab1.id),
        "acc2": accredit(session, cb2, ab2.id),
        "cert1": make_certificate(session, cb1, "ONE-1"),
        "cert2": make_certificate(session, cb2, "TWO-1"),
        "secret2": make_certificate(session, cb2, "TWO-SECRET", confidential=True),
        "admin": make_key(session, Role.ADMIN),
        "client": make_key(session, Role.CLIENT),
        "cb1_key": make_key(session, Role.CERTIFICATION_BODY, cb1),
        "cb2_key": make_key(session, Role.CERTIFICATION_BODY, cb2),
        "ab1_key": make_key(session, Role.ACCREDITATION_BODY, ab1.id),
    }
    session.commit()
    return w


@pytest.mark.usefixtures("world")
def test_no_key_cannot_write(client: TestClient) -> None:
    """Writes need a key: 401 problem without one."""
    response = client.post("/v1/certificates", json=certificate_body("X-1"))
    assert response.status_code == 401
    assert response.json()["type"] == "/problems/unauthorized"


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize("header", ["Bearer cvk_nope_nope", "Bearer garbage", "Basic abc"])
def test_invalid_key_is_401_even_on_public_reads(client: TestClient, header: str) -> None:
    """API.md: an invalid or revoked key is 401, also on public endpoints."""
    response = client.get("/v1/standards", headers={"Authorization": header})
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


def test_revoked_key_is_401(client: TestClient, session: Session, world: dict[str, Any]) -> None:
    """A revoked key stops working at once."""
    from sqlalchemy import select

    from app.models import ApiKey
    from app.services.auth import revoke_api_key

    prefix = world["cb1_key"].split("_")[1]
    key_id = session.scalars(select(ApiKey.id).where(ApiKey.prefix == prefix)).one()
    assert client.get("/v1/standards", headers=auth(world["cb1_key"])).status_code == 200
    revoke_api_key(session, key_id)
    session.commit()
    response = client.get("/v1/standards", headers=auth(world["cb1_key"]))
    assert response.status_code == 401
    assert "revoked" in response.json()["detail"]


def test_cb_key_creates_its_own_certificate(client: TestClient, world: dict[str, Any]) -> None:
    """A CB key may omit certification_body_id; it defaults to the binding."""
    response = client.post(
        "/v1/certificates", json=certificate_body("NEW 1"), headers=auth(world["cb1_key"])
    )
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["certification_body"]["id"] == str(world["cb1"])
    assert body["number_key"] == "NEW1"
    assert body["status"] == "active"
    assert body["status_history"][0]["effective_from"] == "2024-03-01"


def _cross_tenant_attempts(w: dict[str, Any]) -> list[tuple[str, str, str, Any, int]]:
    """(key, method, path, json, expected status) for every write outside the key's binding."""
    other_cert = certificate_body("X-2", certification_body_id=str(w["cb2"]))
    acc_body = {
        "accreditation_number": "A-9",
        "standard": "ISO 9001",
        "valid_from": "2020-01-01",
    }
    return [
        ("cb1_key", "POST", "/v1/certificates", other_cert, 403),
        ("cb1_key", "PATCH", f"/v1/certificates/{w['cert2']}", {"scope": "x"}, 403),
        ("cb1_key", "POST", f"/v1/certificates/{w['cert2']}/status", {"status": "withdrawn"}, 403),
        ("cb1_key", "PATCH", f"/v1/certificates/{w['secret2']}", {"scope": "x"}, 404),
        ("cb1_key", "POST", f"/v1/certificates/{w['secret2']}/status", {"status": "active"}, 404),
        ("cb1_key", "POST", f"/v1/certification-bodies/{w['cb1']}/accreditations", acc_body, 403),
        ("cb1_key", "POST", "/v1/certification-bodies", {"name": "Mine"}, 403),
        ("cb1_key", "POST", "/v1/accreditation-bodies", {"acronym": "Z", "name": "Z"}, 403),
        ("ab1_key", "POST", "/v1/certificates", other_cert, 403),
        ("ab1_key", "PATCH", f"/v1/certificates/{w['cert1']}", {"scope": "x"}, 403),
        (
            "ab1_key",
            "POST",
            f"/v1/certification-bodies/{w['cb2']}/accreditations",
            {**acc_body, "accreditation_body_id": str(w["ab2"])},
            403,
        ),
        ("ab1_key", "PATCH", f"/v1/accreditations/{w['acc2']}", {"sectors": [1]}, 403),
        ("ab1_key", "POST", f"/v1/accreditations/{w['acc2']}/status", {"status": "active"}, 403),
        ("ab1_key", "PATCH", f"/v1/accreditation-bodies/{w['ab1']}", {"name": "Mine"}, 403),
        ("client", "POST", "/v1/certificates", other_cert, 403),
        ("client", "POST", f"/v1/accreditations/{w['acc1']}/status", {"status": "active"}, 403),
        ("client", "PATCH", f"/v1/certification-bodies/{w['cb1']}", {"name": "Mine"}, 403),
    ]


def test_every_cross_tenant_attempt_fails_and_changes_nothing(
    client: TestClient, world: dict[str, Any]
) -> None:
    """Outside its binding a key gets 403 (404 where existence would leak); nothing changes."""
    before = {
        "cert2": client.get(f"/v1/certificates/{world['cert2']}").json(),
        "secret2": client.get(
            f"/v1/certificates/{world['secret2']}", headers=auth(world["admin"])
        ).json(),
        "acc2": client.get(f"/v1/accreditations/{world['acc2']}").json(),
    }
    for key, method, path, body, expected in _cross_tenant_attempts(world):
        response = client.request(method, path, json=body, headers=auth(world[key]))
        assert response.status_code == expected, (key, method, path, response.text)
        assert response.headers["content-type"] == "application/problem+json"
    after = {
        "cert2": client.get(f"/v1/certificates/{world['cert2']}").json(),
        "secret2": client.get(
            f"/v1/certificates/{world['secret2']}", headers=auth(world["admin"])
        ).json(),
        "acc2": client.get(f"/v1/accreditations/{world['acc2']}").json(),
    }
    assert after == before
    listed = client.get("/v1/certificates", params={"certificate_number": "X-2"}).json()
    assert listed["items"] == []


def test_confidential_certificate_visibility(client: TestClient, world: dict[str, Any]) -> None:
    """API.md: confidential is 404 by id and in history except for admins and its own CB."""
    path = f"/v1/certificates/{world['secret2']}"
    assert client.get(path).status_code == 404
    assert client.get(f"{path}/history").status_code == 404
    assert client.get(path, headers=auth(world["cb1_key"])).status_code == 404
    assert client.get(path, headers=auth(world["cb2_key"])).status_code == 200
    assert client.get(f"{path}/history", headers=auth(world["admin"])).status_code == 200
    assert client.get("/v1/verify", params={"certificate_number": "two secret"}).json()[
        "certificate"
    ]["id"] == str(world["secret2"])


def test_ab_key_manages_its_own_accreditations(client: TestClient, world: dict[str, Any]) -> None:
    """An AB key creates (binding as default), patches and suspends its own accreditations."""
    created = client.post(
        f"/v1/certification-bodies/{world['cb2']}/accreditations",
        json={
            "accreditation_number": "AB1-77",
            "standard": "ISO 9001",
            "sectors": [28, 29],
            "valid_from": "2021-01-01",
        },
        headers=auth(world["ab1_key"]),
    )
    assert created.status_code == 201, created.text
    acc = created.json()
    assert acc["accreditation_body"]["acronym"] == "AB1"
    assert acc["status"] == "active"
    patched = client.patch(
        f"/v1/accreditations/{acc['id']}", json={"sectors": [28]}, headers=auth(world["ab1_key"])
    )
    assert patched.status_code == 200
    assert patched.json()["sectors"] == [28]
    suspended = client.post(
        f"/v1/accreditations/{acc['id']}/status",
        json={"status": "suspended", "effective_from": "2026-01-01", "reason": "audit findings"},
        headers=auth(world["ab1_key"]),
    )
    assert suspended.status_code == 200
    history = suspended.json()["status_history"]
    assert [(h["status"], h["effective_from"]) for h in history] == [
        ("active", "2021-01-01"),
        ("suspended", "2026-01-01"),
    ]


@pytest.mark.parametrize(
    ("overrides", "pointer"),
    [
        ({"standard": "ISO 9999:2015"}, "/standard"),
        ({"standard": "ISO 9001"}, "/standard"),
        ({"expiry_date": "2024-01-01"}, "/expiry_date"),
        ({"original_issue_date": "2025-01-01"}, "/original_issue_date"),
        ({"issue_date": "2024-02-30"}, "/issue_date"),
        ({"sectors": [40]}, "/sectors/0"),
        ({"sectors": [18, 18]}, "/sectors"),
        ({"sites": [{"country": "Atlantis"}]}, "/sites/0/country"),
        ({"organization": {"name": "Acme", "country": "EU"}}, "/organization/country"),
        ({"organization": {"country": "GB"}}, "/organization/name"),
        ({"colour": "blue"}, "/colour"),
        ({"certificate_number": " - "}, "/certificate_number"),
    ],
)
def test_bad_certificate_is_a_problem_naming_the_field(
    client: TestClient, world: dict[str, Any], overrides: dict[str, Any], pointer: str
) -> None:
    """Bad input: 422 problem+json naming the field and the reason; nothing is written."""
    response = client.post(
        "/v1/certificates",
        json=certificate_body("BAD-1", **overrides),
        headers=auth(world["cb1_key"]),
    )
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"] == "/problems/validation-error"
    assert pointer in [e["pointer"] for e in problem["errors"]]
    assert (
        client.get("/v1/certificates", params={"certificate_number": "BAD-1"}).json()["items"] == []
    )


CONTROL = "control characters are not allowed"
LAYOUT = "tabs and line breaks are allowed only in free text such as a scope or a reason"


@pytest.mark.parametrize(
    ("overrides", "pointer", "detail"),
    [
        (
            {"organization": {"name": "Acme\x00 Widgets", "country": "GB"}},
            "/organization/name",
            f"contains a control character (U+0000) at character 5; {CONTROL}",
        ),
        (
            {"certificate_number": "BAD\x1b-1"},
            "/certificate_number",
            f"contains a control character (U+001B) at character 4; {CONTROL}",
        ),
        (
            {"certificate_number": "\x7fBAD-1"},
            "/certificate_number",
            f"contains a control character (U+007F) at character 1; {CONTROL}",
        ),
        (
            {"organization": {"name": "Acme", "aliases": ["Acme", "Ac\u009cme"]}},
            "/organization/aliases/1",
            f"contains a control character (U+009C) at character 3; {CONTROL}",
        ),
        (
            {"organization": {"name": "Acme\nWidgets"}},
            "/organization/name",
            f"contains a control character (U+000A) at character 5; {LAYOUT}",
        ),
        (
            {"standard": "ISO\x009001:2015"},
            "/standard",
            f"contains a control character (U+0000) at character 4; {CONTROL}",
        ),
        (
            {"scope": "Design\x00 of widgets"},
            "/scope",
            f"contains a control character (U+0000) at character 7; {CONTROL}",
        ),
        (
            {"sites": [{"name": "Head\toffice", "country": "GB"}]},
            "/sites/0/name",
            f"contains a control character (U+0009) at character 5; {LAYOUT}",
        ),
    ],
)
def test_control_character_is_a_problem_naming_the_field(
    client: TestClient, world: dict[str, Any], overrides: dict[str, Any], pointer: str, detail: str
) -> None:
    """Issue 11, part 5: a control character (Unicode Cc; PostgreSQL refuses U+0000) in a
    number, name or text is a 422 problem naming the field and the character; nothing is
    written."""
    response = client.post(
        "/v1/certificates",
        json=certificate_body("BAD-1", **overrides),
        headers=auth(world["cb1_key"]),
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "/problems/validation-error"
    assert problem["errors"] == [{"pointer": pointer, "detail": detail}]
    assert (
        client.get("/v1/certificates", params={"certificate_number": "BAD-1"}).json()["items"] == []
    )


def test_free_text_may_span_lines_and_names_are_trimmed(
    client: TestClient, world: dict[str, Any]
) -> None:
    """Tabs and line breaks are kept in free text (scope, site address, status reason) and
    trimmed around one-line values, as whitespace always was."""
    key = auth(world["cb1_key"])
    response = client.post(
        "/v1/certificates",
        json=certificate_body(
            "\tLINES-1\r\n",
            organization={"name": "Acme Widgets Ltd\n", "country": "GB"},
            scope="Design of widgets;\r\n\tmanufacture of widgets",
            sites=[{"name": "Works", "address": "1 Mill Lane\nLeeds", "country": "GB"}],
        ),
        headers=key,
    )
    assert response.status_code == 201, response.text
    cert = response.json()
    assert cert["certificate_number"] == "LINES-1"
    assert cert["organization"]["name"] == "Acme Widgets Ltd"
    assert cert["scope"] == "Design of widgets;\r\n\tmanufacture of widgets"
    assert cert["sites"][0]["address"] == "1 Mill Lane\nLeeds"
    status = client.post(
        f"/v1/certificates/{cert['id']}/status",
        json={"status": "suspended", "reason": "Audit overdue.\nSee the letter\x00."},
        headers=key,
    )
    assert status.status_code == 422
    assert [e["pointer"] for e in status.json()["errors"]] == ["/reason"]
    status = client.post(
        f"/v1/certificates/{cert['id']}/status",
        json={"status": "suspended", "reason": "Audit overdue.\nSee the letter."},
        headers=key,
    )
    assert status.status_code == 200, status.text
    assert status.json()["status_history"][-1]["reason"] == "Audit overdue.\nSee the letter."


def test_duplicate_number_for_the_same_cb_is_409(client: TestClient, world: dict[str, Any]) -> None:
    """Numbers are unique per CB on the normalised key: "one 1" collides with "ONE-1"."""
    response = client.post(
        "/v1/certificates", json=certificate_body("one 1"), headers=auth(world["cb1_key"])
    )
    assert response.status_code == 409
    assert response.json()["type"] == "/problems/conflict"
    other_cb = client.post(
        "/v1/certificates", json=certificate_body("one 1"), headers=auth(world["cb2_key"])
    )
    assert other_cb.status_code == 201


def test_history_records_every_change_with_who_and_when(
    client: TestClient, world: dict[str, Any]
) -> None:
    """API.md: history lists status changes and field changes with before, after and actor."""
    cert = world["cert1"]
    key = auth(world["cb1_key"])
    assert (
        client.patch(
            f"/v1/certificates/{cert}",
            json={"scope": "Widgets only", "sectors": [17, 18], "expiry_date": "2027-03-31"},
            headers=key,
        ).status_code
        == 200
    )
    assert (
        client.post(
            f"/v1/certificates/{cert}/status",
            json={"status": "suspended", "effective_from": "2026-10-01", "reason": "missed audit"},
            headers=key,
        ).status_code
        == 200
    )
    items = client.get(f"/v1/certificates/{cert}/history").json()["items"]
    fields = {i["field"]: (i["before"], i["after"]) for i in items if i["kind"] == "field"}
    assert fields == {
        "scope": ("Design and manufacture of industrial widgets", "Widgets only"),
        "sectors": ([18], [17, 18]),
        "expiry_date": ("2027-02-28", "2027-03-31"),
    }
    statuses = [
        (i["status"], i["effective_from"], i["reason"]) for i in items if i["kind"] == "status"
    ]
    assert statuses == [
        ("active", "2024-03-01", "issued"),
        ("suspended", "2026-10-01", "missed audit"),
    ]
    last = items[-1]
    # Anonymous readers see the role only; the CB's own key sees its key id (issue 14).
    assert last["actor"] == {"key_id": None, "role": "certification_body"}
    own = client.get(f"/v1/certificates/{cert}/history", headers=key).json()["items"][-1]
    assert own["actor"]["key_id"] is not None


def test_admin_creates_ab_and_cb_with_conflicts(client: TestClient, world: dict[str, Any]) -> None:
    """Admin writes: 201 with the resource; duplicate acronyms are 409."""
    admin = auth(world["admin"])
    ab = client.post(
        "/v1/accreditation-bodies",
        json={
            "acronym": "NEWAB",
            "name": "New AB",
            "economy": "fr",
            "mla_scopes": [{"standard": "ISO/IEC 27001", "since": "2019-01-01"}],
        },
        headers=admin,
    )
    assert ab.status_code == 201, ab.text
    assert ab.json()["economy"] == "FR"
    assert ab.json()["mla_scopes"][0]["standard"] == "ISO/IEC 27001"
    assert ab.json()["mla_scopes_complete"] is True
    dup = client.post(
        "/v1/accreditation-bodies", json={"acronym": "newab", "name": "x"}, headers=admin
    )
    assert dup.status_code == 409
    cb = client.post(
        "/v1/certification-bodies", json={"name": "Third CB", "acronym": "TCB"}, headers=admin
    )
    assert cb.status_code == 201
    assert (
        client.post(
            "/v1/certification-bodies", json={"name": "Other", "acronym": "fcl"}, headers=admin
        ).status_code
        == 409
    )
    edition = client.post(
        "/v1/accreditation-bodies",
        json={"acronym": "ED", "name": "x", "mla_scopes": [{"standard": "ISO 9001:2015"}]},
        headers=admin,
    )
    assert edition.status_code == 422
    assert edition.json()["errors"][0]["pointer"] == "/mla_scopes/0/standard"


def test_mla_scope_completeness_decides_fail_or_warn(
    client: TestClient, world: dict[str, Any]
) -> None:
    """DESIGN.md Recognition: API scopes are authoritative (fail); incomplete lists only warn."""
    admin = auth(world["admin"])
    ab1 = world["ab1"]
    client.patch(f"/v1/accreditation-bodies/{ab1}", json={"mla_scopes": []}, headers=admin)
    strict = client.get("/v1/verify", params={"certificate_number": "ONE-1"}).json()
    assert strict["verdict"] == "not_accredited"
    assert {c["code"]: c["outcome"] for c in strict["checks"]}["ab_recognition"] == "fail"
    client.patch(
        f"/v1/accreditation-bodies/{ab1}", json={"mla_scopes_complete": False}, headers=admin
    )
    lenient = client.get("/v1/verify", params={"certificate_number": "ONE-1"}).json()
    assert lenient["verdict"] == "valid"
    assert {c["code"]: c["outcome"] for c in lenient["checks"]}["ab_recognition"] == "warn"


def test_audit_log_records_writes_and_is_admin_only(
    client: TestClient, world: dict[str, Any]
) -> None:
    """Issue 3: every write is audited (key, role, action, target, before/after); admins read it."""
    cert = world["cert1"]
    client.patch(
        f"/v1/certificates/{cert}", json={"scope": "Audited scope"}, headers=auth(world["cb1_key"])
    )
    assert client.get("/v1/audit-events", headers=auth(world["cb1_key"])).status_code == 403
    assert client.get("/v1/audit-events").status_code == 401
    page = client.get(
        "/v1/audit-events",
        params={
            "target_type": "certificate",
            "target_id": str(cert),
            "action": "certificate.update",
        },
        headers=auth(world["admin"]),
    ).json()
    assert len(page["items"]) == 1
    event = page["items"][0]
    assert event["actor_role"] == "certification_body"
    assert event["actor_key_id"] is not None
    assert event["before"]["scope"] == "Design and manufacture of industrial widgets"
    assert event["after"]["scope"] == "Audited scope"
    assert event["request_id"] is not None
