"""Countries read as a person wrote them, on every input path (issue 13, part 2; API.md:
"as input (claims, writes) alpha-2, alpha-3 or an English name is accepted")."""

from __future__ import annotations

import csv
import io
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

AS_OF = "2026-11-26"
NOT_A_COUNTRY = (
    '"{}" is not a country: give an ISO 3166-1 code such as GB or GBR, '
    "or an English name such as United Kingdom"
)


@pytest.fixture
def world(session: Session) -> dict[str, Any]:
    """A CB accredited for ISO 9001 with a certificate whose one site is in GB, and keys."""
    ab = make_ab(session, "CAB")
    cb = make_cb(session, "Northbridge Certification Ltd", "NBC")
    accredit(session, cb, ab.id, "ISO 9001", sectors=[17, 18, 19])
    w = {
        "cb": cb,
        "cert": make_certificate(session, cb, "FS 612345"),
        "client": make_key(session, Role.CLIENT),
        "admin": make_key(session, Role.ADMIN),
        "cb_key": make_key(session, Role.CERTIFICATION_BODY, cb),
    }
    session.commit()
    return w


def site_match(body: dict[str, Any]) -> dict[str, Any]:
    """The site_match check of an answer."""
    (check,) = [c for c in body["checks"] if c["code"] == "site_match"]
    return check  # type: ignore[no-any-return]


def assert_gb_pass(body: dict[str, Any]) -> None:
    """A verification whose claimed country was read as GB and matched the GB site."""
    assert body["verdict"] == "valid"
    assert site_match(body) == {
        "code": "site_match",
        "outcome": "pass",
        "message": "The certificate covers a site in GB",
        "details": {"claimed": "GB", "countries": ["GB"]},
    }
    assert body["query"]["country"] == "GB"


# --- claims -------------------------------------------------------------------------------------


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize("claimed", ["UK", "uk", "U.K.", "GBR", "United Kingdom", "Great Britain"])
def test_uk_claim_for_a_gb_site_passes_through_get(client: TestClient, claimed: str) -> None:
    """GET /v1/verify: "UK" claims GB, which the certificate's site is in (was `mismatch`)."""
    response = client.get(
        "/v1/verify",
        params={"certificate_number": "FS 612345", "country": claimed, "as_of": AS_OF},
    )
    assert response.status_code == 200, response.text
    assert_gb_pass(response.json())


@pytest.mark.usefixtures("world")
def test_uk_claim_for_a_gb_site_passes_through_post(client: TestClient) -> None:
    """POST /v1/verifications reads the body's country the same way."""
    response = client.post(
        "/v1/verifications",
        json={"certificate_number": "FS 612345", "country": "UK", "as_of": AS_OF},
    )
    assert response.status_code == 200, response.text
    assert_gb_pass(response.json())


@pytest.mark.usefixtures("world")
def test_uk_and_gb_claims_give_the_same_answer(client: TestClient) -> None:
    """The claim is normalised before the answer is made, so both share one answer."""
    answers = [
        client.get(
            "/v1/verify",
            params={"certificate_number": "FS 612345", "country": claimed, "as_of": AS_OF},
        ).json()
        for claimed in ("GB", "UK", "United Kingdom")
    ]
    volatile = {"verification_id", "checked_at", "receipt"}
    shaped = [{k: v for k, v in a.items() if k not in volatile} for a in answers]
    assert shaped[0] == shaped[1] == shaped[2]


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize("claimed", ["Atlantis", "EU", "G1", "GBR1"])
def test_junk_country_claim_is_a_422_naming_the_parameter(client: TestClient, claimed: str) -> None:
    """GET /v1/verify: a country that is not one is a 422 problem naming `country`."""
    response = client.get(
        "/v1/verify", params={"certificate_number": "FS 612345", "country": claimed}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "/problems/validation-error"
    assert problem["errors"] == [
        {
            "pointer": "/country",
            "detail": NOT_A_COUNTRY.format(claimed),
            "parameter": "country",
            "location": "query",
        }
    ]
    assert problem["detail"] == f"country: {NOT_A_COUNTRY.format(claimed)}"


@pytest.mark.usefixtures("world")
def test_junk_country_claim_is_a_422_naming_the_field_in_a_post(client: TestClient) -> None:
    """POST /v1/verifications: the body's `country` is named by its pointer."""
    response = client.post(
        "/v1/verifications", json={"certificate_number": "FS 612345", "country": "Atlantis"}
    )
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"pointer": "/country", "detail": NOT_A_COUNTRY.format("Atlantis")}
    ]


@pytest.mark.usefixtures("world")
def test_a_lone_surrogate_country_is_a_422_not_a_crash(client: TestClient) -> None:
    """JSON can carry a lone surrogate ("\\ud800"); the problem quotes it escaped (was a 500
    while the reason quoted it raw)."""
    response = client.post(
        "/v1/verifications",
        content=b'{"certificate_number": "FS 612345", "country": "\\ud800"}',
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [
        {"pointer": "/country", "detail": NOT_A_COUNTRY.format("\\ud800")}
    ]


def test_batch_items_read_countries_and_a_junk_one_is_its_own_problem(
    client: TestClient, world: dict[str, Any]
) -> None:
    """Batch (JSON): "UK" passes; "Atlantis" is item 0's problem at /items/0/country while the
    other items are answered (API.md, batch)."""
    items = [
        {"certificate_number": "FS 612345", "country": "Atlantis", "as_of": AS_OF},
        {"certificate_number": "FS 612345", "country": "UK", "as_of": AS_OF},
        {"certificate_number": "FS 612345", "country": "France", "as_of": AS_OF},
    ]
    response = client.post(
        "/v1/verifications/batch", json={"items": items}, headers=auth(world["client"])
    )
    assert response.status_code == 200, response.text
    first, second, third = response.json()["results"]
    assert first["status"] == 422
    assert first["errors"] == [
        {"pointer": "/items/0/country", "detail": NOT_A_COUNTRY.format("Atlantis")}
    ]
    assert_gb_pass(second)
    assert third["verdict"] == "mismatch"
    assert site_match(third)["message"] == "The certificate covers no site in FR (only GB)"


def test_batch_csv_items_read_countries(client: TestClient, world: dict[str, Any]) -> None:
    """Batch (CSV in, CSV out): the same reading; a junk country is the row's error."""
    body = (
        "certificate_number,country,as_of\n"
        f"FS 612345,United Kingdom,{AS_OF}\n"
        f"FS 612345,Narnia,{AS_OF}\n"
    )
    response = client.post(
        "/v1/verifications/batch",
        content=body.encode(),
        headers={**auth(world["client"]), "Content-Type": "text/csv", "Accept": "text/csv"},
    )
    assert response.status_code == 200, response.text
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert [(r["item"], r["verdict"]) for r in rows] == [("0", "valid"), ("1", "")]
    assert rows[1]["error"] == f"/items/1/country: {NOT_A_COUNTRY.format('Narnia')}"


@pytest.mark.usefixtures("world")
def test_receipt_download_refuses_a_junk_country_naming_it(client: TestClient) -> None:
    """GET /verify/receipt (the page's download) takes claims: a 422 problem naming country."""
    response = client.get(
        "/verify/receipt", params={"certificate_number": "FS 612345", "country": "Atlantis"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert [e["pointer"] for e in response.json()["errors"]] == ["/country"]
    ok = client.get(
        "/verify/receipt",
        params={"certificate_number": "FS 612345", "country": "UK", "as_of": AS_OF},
    )
    assert ok.status_code == 200
    assert_gb_pass(ok.json())


# --- the verification page ----------------------------------------------------------------------


@pytest.mark.usefixtures("world")
def test_page_reads_a_country_name_and_shows_a_human_error_for_junk(client: TestClient) -> None:
    """The HTML form: "United Kingdom" verifies; "Atlantis" shows the form again with a
    sentence beside the field (422 HTML, not JSON)."""
    ok = client.get(
        "/verify",
        params={"certificate_number": "FS 612345", "country": "United Kingdom", "as_of": AS_OF},
    )
    assert ok.status_code == 200
    assert 'data-verdict="valid"' in ok.text
    bad = client.get("/verify", params={"certificate_number": "FS 612345", "country": "Atlantis"})
    assert bad.status_code == 422
    assert bad.headers["content-type"] == "text/html; charset=utf-8"
    assert (
        "&#34;Atlantis&#34; is not a country we know. "
        "Enter a country code or name, for example GB, GBR or United Kingdom."
    ) in bad.text
    assert 'maxlength="2"' not in bad.text


@pytest.mark.usefixtures("world")
def test_search_page_reads_a_country_name(client: TestClient) -> None:
    """The organisation search form: a country name filters; junk is a field error."""
    found = client.get("/search", params={"organization": "Acme Widgets", "country": "UK"})
    assert found.status_code == 200
    assert "FS 612345" in found.text
    elsewhere = client.get("/search", params={"organization": "Acme Widgets", "country": "France"})
    assert elsewhere.status_code == 200
    assert "FS 612345" not in elsewhere.text
    bad = client.get("/search", params={"organization": "Acme Widgets", "country": "Atlantis"})
    assert bad.status_code == 422
    assert "&#34;Atlantis&#34; is not a country we know." in bad.text


# --- writes -------------------------------------------------------------------------------------


def test_certificate_write_stores_alpha_2_codes(client: TestClient, world: dict[str, Any]) -> None:
    """POST /v1/certificates: English names and alpha-3 codes are stored and answered as
    alpha-2, in the certificate and in its verification; PATCH refuses junk naming the site."""
    response = client.post(
        "/v1/certificates",
        json=certificate_body(
            "CTRY-1",
            organization={"name": "Acme Widgets Ltd", "country": "United Kingdom"},
            sites=[
                {"name": "Leeds", "country": "United Kingdom"},
                {"name": "Cork", "country": "IRL"},
            ],
        ),
        headers=auth(world["cb_key"]),
    )
    assert response.status_code == 201, response.text
    cert = client.get(f"/v1/certificates/{response.json()['id']}").json()
    assert cert["organization"]["country"] == "GB"
    assert [s["country"] for s in cert["sites"]] == ["GB", "IE"]
    answer = client.get(
        "/v1/verify", params={"certificate_number": "CTRY-1", "country": "Ireland", "as_of": AS_OF}
    ).json()
    assert [s["country"] for s in answer["certificate"]["sites"]] == ["GB", "IE"]
    assert site_match(answer)["outcome"] == "pass"
    patched = client.patch(
        f"/v1/certificates/{response.json()['id']}",
        json={"sites": [{"country": "Atlantis"}]},
        headers=auth(world["cb_key"]),
    )
    assert patched.status_code == 422
    assert patched.json()["errors"] == [
        {"pointer": "/sites/0/country", "detail": NOT_A_COUNTRY.format("Atlantis")}
    ]


def test_body_writes_store_alpha_2_codes(client: TestClient, world: dict[str, Any]) -> None:
    """A CB's country and an AB's economy are read the same way; junk is a 422 naming them."""
    admin = auth(world["admin"])
    cb = client.post(
        "/v1/certification-bodies",
        json={"name": "Anatolia Belgelendirme", "acronym": "ANB", "country": "Turkey"},
        headers=admin,
    )
    assert cb.status_code == 201, cb.text
    assert cb.json()["country"] == "TR"
    ab = client.post(
        "/v1/accreditation-bodies",
        json={"acronym": "KXAB", "name": "Kosovo AB", "economy": "Kosovo"},
        headers=admin,
    )
    assert ab.status_code == 201, ab.text
    assert ab.json()["economy"] == "XK"
    bad_cb = client.patch(
        f"/v1/certification-bodies/{cb.json()['id']}", json={"country": "Europe"}, headers=admin
    )
    assert bad_cb.status_code == 422
    assert bad_cb.json()["errors"] == [
        {"pointer": "/country", "detail": NOT_A_COUNTRY.format("Europe")}
    ]
    bad_ab = client.post(
        "/v1/accreditation-bodies",
        json={"acronym": "EUAB", "name": "x", "economy": "EU"},
        headers=admin,
    )
    assert bad_ab.status_code == 422
    assert bad_ab.json()["errors"] == [
        {"pointer": "/economy", "detail": NOT_A_COUNTRY.format("EU")}
    ]


# --- imports ------------------------------------------------------------------------------------

IMPORT_HEADER = (
    "certificate_number,organization_name,organization_country,standard,site_address,"
    "site_country,issue_date,expiry_date\n"
)


def post_csv(client: TestClient, key: str, text: str, **params: str) -> Any:
    """Upload a certificate CSV."""
    return client.post(
        "/v1/certificates/import",
        content=text.encode(),
        params=params,
        headers={**auth(key), "Content-Type": "text/csv"},
    )


def test_import_reads_country_names_and_refuses_junk_naming_the_column(
    client: TestClient, world: dict[str, Any]
) -> None:
    """An import cell is read like an API field: "United Kingdom" is stored as GB; "Narnia" is
    that row's error naming its column."""
    text = IMPORT_HEADER + (
        "IMP-1,Alpha Ltd,United Kingdom,ISO 9001:2015,1 Mill Lane|Dock Rd,UK|Ireland,"
        "2025-01-10,2028-01-09\n"
        "IMP-2,Beta Ltd,GB,ISO 9001:2015,1 High St,Narnia,2025-01-10,2028-01-09\n"
        "IMP-3,Gamma Ltd,Narnia,ISO 9001:2015,1 Low St,GB,2025-01-10,2028-01-09\n"
    )
    response = post_csv(client, world["cb_key"], text, mode="partial")
    assert response.status_code == 200, response.text
    rows = response.json()["rows"]
    assert [r["outcome"] for r in rows] == ["created", "error", "error"]
    assert rows[1]["errors"] == [
        {
            "field": "site_country",
            "pointer": "/sites/0/country",
            "reason": NOT_A_COUNTRY.format("Narnia"),
        }
    ]
    assert rows[2]["errors"] == [
        {
            "field": "organization_country",
            "pointer": "/organization/country",
            "reason": NOT_A_COUNTRY.format("Narnia"),
        }
    ]
    cert = client.get(f"/v1/certificates/{rows[0]['certificate_id']}").json()
    assert cert["organization"]["country"] == "GB"
    assert [s["country"] for s in cert["sites"]] == ["GB", "IE"]
    again = post_csv(client, world["cb_key"], IMPORT_HEADER + text.splitlines(True)[1])
    assert again.json()["totals"]["unchanged"] == 1


def test_md28_import_names_the_files_own_country_column(
    client: TestClient, world: dict[str, Any]
) -> None:
    """An IAF MD 28 file's row error names the column as the file wrote it."""
    text = (
        "Certificate Number,Certified Entity Name,Certified Entity Country,Standards/schemes,"
        "Certification site address,Certification site country,Certification Issue Date,"
        "Certification Expiry Date\n"
        "MD-1,Delta Foods Ltd,Narnia,ISO 9001:2015,1 Main St,GB,20240105,20270104\n"
    )
    response = post_csv(client, world["cb_key"], text)
    assert response.status_code == 422
    (row,) = response.json()["report"]["rows"]
    assert [(e["field"], e["reason"]) for e in row["errors"]] == [
        ("Certified Entity Country", NOT_A_COUNTRY.format("Narnia"))
    ]


# --- filters ------------------------------------------------------------------------------------


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize(("country", "found"), [("UK", True), ("GBR", True), ("France", False)])
def test_certificate_search_filter_reads_countries(
    client: TestClient, country: str, found: bool
) -> None:
    """GET /v1/certificates?country= takes the same forms as a claim."""
    response = client.get("/v1/certificates", params={"country": country})
    assert response.status_code == 200, response.text
    numbers = [c["certificate_number"] for c in response.json()["items"]]
    assert ("FS 612345" in numbers) is found


@pytest.mark.usefixtures("world")
@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/v1/certificates", "country"),
        ("/v1/certification-bodies", "country"),
        ("/v1/accreditation-bodies", "economy"),
    ],
)
def test_country_filters_refuse_junk_naming_the_parameter(
    client: TestClient, path: str, parameter: str
) -> None:
    """A filter that is not a country is a 422 problem naming the parameter."""
    response = client.get(path, params={parameter: "Atlantis"})
    assert response.status_code == 422
    (error,) = response.json()["errors"]
    assert error["pointer"] == f"/{parameter}"
    assert error["parameter"] == parameter
    assert error["detail"] == NOT_A_COUNTRY.format("Atlantis")


@pytest.mark.usefixtures("world")
def test_body_filters_read_countries(client: TestClient) -> None:
    """GET /v1/certification-bodies?country=United Kingdom finds the GB CB."""
    response = client.get("/v1/certification-bodies", params={"country": "United Kingdom"})
    assert response.status_code == 200, response.text
    assert [cb["acronym"] for cb in response.json()["items"]] == ["NBC"]
