"""End to end: GET /v1/verify and POST /v1/verifications through HTTP, every verdict, receipts."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from joserfc.errors import BadSignatureError
from sqlalchemy.orm import Session

from app.services.verification.receipts import canonical_sha256, verify_receipt
from tests.factories import (
    accredit,
    make_ab,
    make_cb,
    make_certificate,
    set_accreditation_status,
    set_certificate_status,
)

AS_OF = "2026-11-26"


@pytest.fixture
def registry(session: Session) -> dict[str, Any]:
    """Two CBs accredited by an API-managed AB for ISO 9001 (sectors 17-19) and ISO 14001."""
    ab = make_ab(session, "TAB")
    nbc = make_cb(session, "Northbridge Certification Ltd", "NBC")
    qas = make_cb(session, "Qualis Auditores SA", "QAS", "ES")
    acc = accredit(session, nbc, ab.id, "ISO 9001", sectors=[17, 18, 19])
    accredit(session, nbc, ab.id, "ISO 14001")
    accredit(session, qas, ab.id, "ISO 9001")
    ids = {
        "valid": make_certificate(session, nbc, "FS 612345"),
        "withdrawn": make_certificate(session, nbc, "FS-700001"),
        "suspended": make_certificate(session, nbc, "FS-700002"),
        "expired": make_certificate(session, nbc, "FS-700003", expiry_date="2026-11-25"),
        "future": make_certificate(
            session,
            nbc,
            "FS-700004",
            original_issue_date=None,
            issue_date="2026-12-01",
            expiry_date="2029-11-30",
        ),
        "sector": make_certificate(session, nbc, "FS-700005", sectors=[28]),
        "shared_nbc": make_certificate(session, nbc, "DUP-1"),
        "shared_qas": make_certificate(session, qas, "dup 1"),
        "old_edition": make_certificate(
            session,
            nbc,
            "EMS-1",
            standard="ISO 14001:2004",
            sectors=[18],
            original_issue_date="2016-01-01",
            issue_date="2016-01-01",
            expiry_date="2019-01-01",
        ),
        "confidential": make_certificate(session, nbc, "SECRET-1", confidential=True),
    }
    set_certificate_status(session, ids["withdrawn"], "withdrawn", date(2026, 6, 1))
    set_certificate_status(session, ids["suspended"], "suspended", date(2026, 11, 26))
    session.commit()
    return {"ab": ab.id, "nbc": nbc, "qas": qas, "acc": acc, "ids": ids}


def outcomes(body: dict[str, Any]) -> dict[str, str]:
    """check code -> outcome."""
    return {c["code"]: c["outcome"] for c in body["checks"]}


@pytest.mark.usefixtures("registry")
@pytest.mark.parametrize(
    ("number", "cb", "verdict"),
    [
        ("fs 612 345", "NBC", "valid"),
        ("FS-700001", None, "withdrawn"),
        ("FS-700002", "nbc", "suspended"),
        ("FS-700003", None, "expired"),
        ("FS-700004", None, "not_yet_valid"),
        ("FS-700005", None, "not_accredited"),
        ("DUP-1", None, "ambiguous"),
        ("NOPE-404", "NBC", "not_found"),
        ("SECRET-1", None, "valid"),
    ],
)
def test_every_verdict_through_get(
    client: TestClient, number: str, cb: str | None, verdict: str
) -> None:
    """DESIGN.md verdicts reach the client as 200 with the verdict as the answer."""
    params = {"certificate_number": number, "as_of": AS_OF}
    if cb:
        params["certification_body"] = cb
    response = client.get("/v1/verify", params=params)
    assert response.status_code == 200, response.text
    assert response.json()["verdict"] == verdict


@pytest.mark.usefixtures("registry")
def test_valid_answer_has_the_contract_shape(client: TestClient) -> None:
    """API.md response: certificate, CB, accreditation, AB, checks in order, query echo."""
    body = client.get(
        "/v1/verify",
        params={
            "certificate_number": "FS612345",
            "certification_body": "Northbridge Certification Ltd",
            "organization": "ACME WIDGETS LIMITED",
            "standard": "ISO 9001",
            "country": "gb",
            "scope": "manufacture of widgets",
            "as_of": AS_OF,
        },
    ).json()
    assert body["verdict"] == "valid"
    assert [c["code"] for c in body["checks"]] == [
        "certificate_found",
        "certificate_status",
        "validity_period",
        "standard_edition",
        "cb_accreditation",
        "accreditation_sectors",
        "ab_recognition",
        "organization_match",
        "standard_match",
        "site_match",
        "scope_match",
    ]
    assert set(outcomes(body).values()) == {"pass"}
    assert body["certificate"]["certificate_number"] == "FS 612345"
    assert body["certificate"]["standard"] == "ISO 9001:2015"
    assert body["certificate"]["status"] == "active"
    assert body["certificate"]["sites"] == [
        {"name": "Head office", "address": "1 High St, Leeds", "country": "GB"}
    ]
    assert body["certification_body"]["acronym"] == "NBC"
    assert body["accreditation"]["standard"] == "ISO 9001"
    assert body["accreditation"]["sectors"] == [17, 18, 19]
    assert body["accreditation_body"]["acronym"] == "TAB"
    assert body["query"]["number_key"] == "FS612345"
    assert body["query"]["country"] == "GB"
    assert body["query"]["certification_body"]["resolved"]["acronym"] == "NBC"
    assert body["candidates"] == []
    assert body["warnings"] == []


@pytest.mark.usefixtures("registry")
def test_post_verifications_equals_get(client: TestClient) -> None:
    """POST /v1/verifications takes the same fields as a JSON object."""
    response = client.post(
        "/v1/verifications",
        json={"certificate_number": "FS-700005", "as_of": AS_OF, "organization": "Other Co"},
    )
    assert response.status_code == 200
    body = response.json()
    assert body["verdict"] == "not_accredited"
    assert outcomes(body)["accreditation_sectors"] == "fail"
    assert outcomes(body)["organization_match"] == "fail"


@pytest.mark.usefixtures("registry")
def test_ambiguous_lists_candidates(client: TestClient) -> None:
    """certificate_found: several CBs have the key -> ambiguous with candidates."""
    body = client.get("/v1/verify", params={"certificate_number": "dup-1", "as_of": AS_OF}).json()
    assert body["verdict"] == "ambiguous"
    assert sorted(c["certification_body"]["acronym"] for c in body["candidates"]) == ["NBC", "QAS"]
    assert all(o == "skipped" for code, o in outcomes(body).items() if code != "certificate_found")
    named = client.get(
        "/v1/verify", params={"certificate_number": "dup-1", "certification_body": "QAS"}
    ).json()
    assert named["certification_body"]["acronym"] == "QAS"


@pytest.mark.usefixtures("registry")
@pytest.mark.parametrize(
    ("cb", "in_registry"), [("NBC", True), ("Unknown Certification GmbH", False), (None, None)]
)
def test_not_found_says_whether_the_cb_publishes_here(
    client: TestClient, cb: str | None, in_registry: bool | None
) -> None:
    """DESIGN.md: not_found says whether the named CB publishes to this registry."""
    params = {"certificate_number": "ZZ-1"}
    if cb:
        params["certification_body"] = cb
    body = client.get("/v1/verify", params=params).json()
    assert body["verdict"] == "not_found"
    found = body["checks"][0]
    assert found["details"]["certification_body_in_registry"] is in_registry
    assert body["certificate"] is None


def test_accreditation_suspended_after_issue_gives_not_accredited(
    client: TestClient, session: Session, registry: dict[str, Any]
) -> None:
    """Accreditation must be active at as_of; before the suspension the answer was valid."""
    set_accreditation_status(session, registry["acc"], "suspended", date(2026, 9, 1))
    session.commit()
    now = client.get("/v1/verify", params={"certificate_number": "FS612345", "as_of": AS_OF})
    before = client.get(
        "/v1/verify", params={"certificate_number": "FS612345", "as_of": "2026-08-31"}
    )
    assert now.json()["verdict"] == "not_accredited"
    assert outcomes(now.json())["ab_recognition"] == "skipped"
    assert before.json()["verdict"] == "valid"


@pytest.mark.usefixtures("registry")
def test_old_edition_is_outdated_after_its_deadline(client: TestClient) -> None:
    """IAF Resolution 2017-13: ISO 14001:2004 certificates end at 2018-09-15."""
    on_deadline = client.get(
        "/v1/verify", params={"certificate_number": "EMS-1", "as_of": "2018-09-15"}
    ).json()
    after = client.get(
        "/v1/verify", params={"certificate_number": "EMS-1", "as_of": "2018-09-16"}
    ).json()
    assert on_deadline["verdict"] == "valid"
    assert on_deadline["certificate"]["effective_expiry_date"] == "2018-09-15"
    assert after["verdict"] == "outdated_standard"


@pytest.mark.usefixtures("registry")
def test_receipt_verifies_against_jwks_and_digests_the_response(client: TestClient) -> None:
    """API.md Receipts: Ed25519 JWS with kid; sha256 over the JCS of the response sans receipt."""
    body = client.get("/v1/verify", params={"certificate_number": "FS 612345"}).json()
    jwks = client.get("/.well-known/jwks.json").json()
    assert [k["kty"] for k in jwks["keys"]] == ["OKP"]
    assert jwks["keys"][0]["crv"] == "Ed25519"
    assert "d" not in jwks["keys"][0]
    payload = verify_receipt(body["receipt"], jwks)
    without = {k: v for k, v in body.items() if k != "receipt"}
    assert payload == {
        "verification_id": body["verification_id"],
        "checked_at": body["checked_at"],
        "as_of": body["as_of"],
        "verdict": "valid",
        "certificate_number": "FS 612345",
        "certificate_id": body["certificate"]["id"],
        "certification_body_id": body["certification_body"]["id"],
        "sha256": canonical_sha256(without),
    }


@pytest.mark.usefixtures("registry")
def test_tampered_receipt_is_rejected(client: TestClient) -> None:
    """A receipt whose payload was altered does not verify."""
    body = client.get("/v1/verify", params={"certificate_number": "FS-700001"}).json()
    jwks = client.get("/.well-known/jwks.json").json()
    header, payload, signature = body["receipt"].split(".")
    forged = ".".join(
        [header, payload[:-4] + ("AAAA" if payload[-4:] != "AAAA" else "BBBB"), signature]
    )
    with pytest.raises(BadSignatureError):
        verify_receipt(forged, jwks)


@pytest.mark.usefixtures("registry")
def test_signing_key_is_reused(client: TestClient) -> None:
    """The signing key is created on first use and then kept."""
    first = client.get("/.well-known/jwks.json").json()
    client.get("/v1/verify", params={"certificate_number": "FS 612345"})
    assert client.get("/.well-known/jwks.json").json() == first


def test_fullwidth_number_verifies_when_typed_in_ascii(
    client: TestClient, session: Session, registry: dict[str, Any]
) -> None:
    """Issue 11, part 5: a number stored in fullwidth forms (as pasted from a PDF) has the key of
    the same number typed in ASCII, so it is found and `valid`, not `not_found`."""
    cert = make_certificate(session, registry["nbc"], "ＦＳ　８１２３４５")
    session.commit()
    body = client.get(
        "/v1/verify",
        params={"certificate_number": "FS 812345", "certification_body": "NBC", "as_of": AS_OF},
    ).json()
    assert body["verdict"] == "valid"
    assert body["certificate"]["id"] == str(cert)
    assert body["certificate"]["certificate_number"] == "ＦＳ　８１２３４５"
    assert body["query"]["number_key"] == "FS812345"
    typed_fullwidth = client.post(
        "/v1/verifications", json={"certificate_number": "ｆｓ　６１２３４５", "as_of": AS_OF}
    ).json()
    assert typed_fullwidth["verdict"] == "valid"
    assert typed_fullwidth["certificate"]["id"] == str(registry["ids"]["valid"])


@pytest.mark.parametrize(
    ("params", "pointer"),
    [
        ({"certificate_number": "FS1", "as_of": "2026-13-01"}, "/as_of"),
        ({"certificate_number": "---"}, "/certificate_number"),
        ({"certificate_number": "FS1", "country": "G1"}, "/country"),
        ({}, "/certificate_number"),
        ({"certificate_number": "AB\x00C"}, "/certificate_number"),
        ({"certificate_number": "FS1", "organization": "Acme\x07"}, "/organization"),
    ],
)
def test_bad_verification_input_is_a_problem(
    client: TestClient, params: dict[str, str], pointer: str
) -> None:
    """Bad input: 422 problem+json naming the field."""
    response = client.get("/v1/verify", params=params)
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "/problems/validation-error"
    assert problem["status"] == 422
    assert problem["request_id"] == response.headers["x-request-id"]
    assert [e["pointer"] for e in problem["errors"]] == [pointer]


@pytest.mark.parametrize(
    ("params", "parameter", "detail"),
    [
        (
            {"certificate_number": "AB\x00C"},
            "certificate_number",
            "contains a control character (U+0000) at character 3; "
            "control characters are not allowed",
        ),
        (
            {"certificate_number": "FS1", "certification_body": "N\x1bBC"},
            "certification_body",
            "contains a control character (U+001B) at character 2; "
            "control characters are not allowed",
        ),
        (
            {"certificate_number": "FS\t612345"},
            "certificate_number",
            "contains a control character (U+0009) at character 3; "
            "tabs and line breaks are allowed only in free text such as a scope or a reason",
        ),
        (
            {"certificate_number": "FS1", "scope": "widgets\x85"},
            "scope",
            "contains a control character (U+0085) at character 8; "
            "control characters are not allowed",
        ),
    ],
)
def test_control_character_in_a_query_is_a_problem_naming_the_parameter(
    client: TestClient, params: dict[str, str], parameter: str, detail: str
) -> None:
    """Issue 11, part 5: a control character (Unicode Cc) in a query parameter is a 422 problem
    naming the parameter and the character, never a database error."""
    response = client.get("/v1/verify", params=params)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {"pointer": f"/{parameter}", "detail": detail, "parameter": parameter, "location": "query"}
    ]


@pytest.mark.usefixtures("registry")
def test_line_breaks_around_a_number_and_inside_a_claimed_scope_are_fine(
    client: TestClient,
) -> None:
    """A number pasted with its line break is trimmed as before; a claimed scope may span lines."""
    body = client.get(
        "/v1/verify",
        params={
            "certificate_number": "FS 612345\r\n",
            "scope": "manufacture\nof widgets",
            "as_of": AS_OF,
        },
    ).json()
    assert body["verdict"] == "valid"
    assert outcomes(body)["scope_match"] == "pass"
