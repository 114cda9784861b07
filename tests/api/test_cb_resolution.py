"""CB resolution and a `not_found` that tells the truth (DESIGN.md, "CB resolution"; issue 13).

Each case of issue 13 through HTTP: a CB named by a common variant finds its certificate; a CB
that exists without any public certificate is not said to publish here; a name nobody knows
does not hide a certificate the number finds; a number copied from another issuer is listed.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from app.repositories.bodies import find_certification_body
from app.repositories.bulk import resolve_certification_bodies
from app.services.auth import Role
from tests.factories import accredit, auth, make_ab, make_cb, make_certificate, make_key
from tests.web.html import parse

AS_OF = "2026-11-26"


@pytest.fixture
def bodies(session: Session) -> dict[str, Any]:
    """Three CBs: one that publishes BV-1001 (a group name with a holding suffix), one that
    publishes NB-2002 and a confidential NB-3003, and one that publishes nothing."""
    ab = make_ab(session, "TAB")
    bvc = make_cb(session, "Bureau Veritas Certification Holding SAS", "BVC", "FR")
    nbc = make_cb(session, "Northbridge Certification Ltd", "NBC")
    silent = make_cb(session, "Silent Assurance Limited", "SIL")
    for cb in (bvc, nbc, silent):
        accredit(session, cb, ab.id, "ISO 9001", sectors=[18])
    ids = {
        "bv": make_certificate(session, bvc, "BV-1001"),
        "nb": make_certificate(session, nbc, "NB-2002"),
        "secret": make_certificate(session, nbc, "NB-3003", confidential=True),
    }
    return {"bvc": bvc, "nbc": nbc, "silent": silent, **ids}


def verify(client: TestClient, number: str, cb: str, **claims: str) -> dict[str, Any]:
    response = client.get(
        "/v1/verify",
        params={"certificate_number": number, "certification_body": cb, "as_of": AS_OF, **claims},
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def found_check(body: dict[str, Any]) -> dict[str, Any]:
    check: dict[str, Any] = body["checks"][0]
    assert check["code"] == "certificate_found"
    return check


@pytest.mark.parametrize(
    "named",
    [
        "BVC",
        "bvc",
        "Bureau Veritas Certification Holding SAS",
        "bureau veritas certification holding s.a.s.",
        "Bureau Véritas Certification Holding",
        "Bureau Veritas Certification",
        "BUREAU VERITAS CERTIFICATION SAS",
    ],
)
def test_a_cb_named_by_a_common_variant_finds_its_certificate(
    client: TestClient, bodies: dict[str, Any], named: str
) -> None:
    """DESIGN.md: id, acronym, exact folded name, name without legal form or holding suffix."""
    body = verify(client, "BV-1001", named)
    assert body["verdict"] == "valid"
    check = found_check(body)
    assert check["outcome"] == "pass"
    assert check["details"]["certification_body_recognised"] is True
    assert body["query"]["certification_body"]["resolved"]["id"] == str(bodies["bvc"])


def test_a_cb_is_found_by_an_alias_written_through_the_api(
    client: TestClient, session: Session, bodies: dict[str, Any]
) -> None:
    """API.md: a CB has `aliases` (write API and reads), used when a CB is named."""
    before = verify(client, "BV-1001", "BV Cert")
    assert (before["verdict"], found_check(before)["outcome"]) == ("valid", "warn")

    admin = auth(make_key(session, Role.ADMIN))
    response = client.patch(
        f"/v1/certification-bodies/{bodies['bvc']}",
        json={"aliases": ["BV Cert", "bv-cert", "Bureau Veritas Quality International"]},
        headers=admin,
    )
    assert response.status_code == 200, response.text
    assert response.json()["aliases"] == ["BV Cert", "Bureau Veritas Quality International"]
    read = client.get(f"/v1/certification-bodies/{bodies['bvc']}").json()
    assert read["aliases"] == ["BV Cert", "Bureau Veritas Quality International"]

    for alias in ("BV Cert", "bureau veritas quality international ltd"):
        after = verify(client, "BV-1001", alias)
        assert (after["verdict"], found_check(after)["outcome"]) == ("valid", "pass")
        assert after["certification_body"]["id"] == str(bodies["bvc"])

    history = client.get(
        "/v1/audit-events", params={"target_id": str(bodies["bvc"])}, headers=admin
    )
    assert history.status_code == 200, history.text
    events = [e for e in history.json()["items"] if e["action"] == "certification_body.update"]
    assert [(e["before"]["aliases"], e["after"]["aliases"]) for e in events] == [
        ([], ["BV Cert", "Bureau Veritas Quality International"])
    ]


def test_create_takes_aliases_and_a_patch_without_them_keeps_them(
    client: TestClient, session: Session
) -> None:
    """A write never changes what it does not state."""
    admin = auth(make_key(session, Role.ADMIN))
    created = client.post(
        "/v1/certification-bodies",
        json={"name": "Alias Test Certification GmbH", "acronym": "ATC", "aliases": ["ATC Cert"]},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    assert created.json()["aliases"] == ["ATC Cert"]
    patched = client.patch(
        f"/v1/certification-bodies/{created.json()['id']}",
        json={"website": "https://atc.example"},
        headers=admin,
    )
    assert patched.json()["aliases"] == ["ATC Cert"]


def test_an_unrecognised_cb_does_not_hide_the_certificate_the_number_finds(
    client: TestClient, bodies: dict[str, Any]
) -> None:
    """DESIGN.md: the number exists but the named CB resolves to nothing: the answer is about
    that certificate, with a warning; never "does not publish its certificates here"."""
    body = verify(client, "BV-1001", "Bureau Veritaz Certificaton")
    assert body["verdict"] == "valid"
    check = found_check(body)
    assert check["outcome"] == "warn"
    assert check["message"] == (
        "Certificate BV-1001 issued by Bureau Veritas Certification Holding SAS; the named "
        'certification body "Bureau Veritaz Certificaton" was not recognised: this answer is '
        "about that certificate, so check that it is the issuer printed on yours"
    )
    assert check["details"]["certification_body_recognised"] is False
    assert body["warnings"][0] == check["message"]
    assert body["certificate"]["id"] == str(bodies["bv"])
    assert "publish" not in body["summary"]


@pytest.mark.usefixtures("bodies")
def test_a_cb_with_no_public_certificate_is_not_said_to_publish_here(client: TestClient) -> None:
    """DESIGN.md: `certification_body_in_registry` means "has at least one public certificate
    here"; `certification_body_recognised` says the CB itself is known."""
    body = verify(client, "SIL-1", "Silent Assurance")
    assert body["verdict"] == "not_found"
    check = found_check(body)
    assert check["details"] == {
        "certification_body_in_registry": False,
        "certification_body_recognised": True,
        "same_number_elsewhere": [],
    }
    assert check["message"] == (
        "Silent Assurance Limited publishes no certificate to this registry, so certificate "
        "SIL-1 cannot be found here; ask the issuer to confirm it"
    )
    assert body["summary"] == (
        "Certificate SIL-1 was not found because Silent Assurance Limited publishes no "
        "certificate to this registry; ask the issuer to confirm it."
    )


def test_a_cb_that_publishes_only_confidential_certificates_does_not_publish_here(
    client: TestClient, session: Session
) -> None:
    """A confidential certificate is not public: it does not make its CB "publish here"."""
    cb = make_cb(session, "Hidden Certification Ltd", "HID")
    make_certificate(session, cb, "HID-1", confidential=True)
    details = found_check(verify(client, "HID-2", "HID"))["details"]
    assert details["certification_body_in_registry"] is False


def test_a_number_of_another_cb_is_not_found_and_listed(
    client: TestClient, bodies: dict[str, Any]
) -> None:
    """DESIGN.md: the named CB has no certificate with that number while another has one:
    `not_found`, and the other public certificates are listed (a copied number)."""
    body = verify(client, "nb 2002", "BVC")
    assert body["verdict"] == "not_found"
    check = found_check(body)
    assert check["details"] == {
        "certification_body_in_registry": True,
        "certification_body_recognised": True,
        "same_number_elsewhere": [
            {
                "id": str(bodies["nb"]),
                "certificate_number": "NB-2002",
                "certification_body": {
                    "id": str(bodies["nbc"]),
                    "name": "Northbridge Certification Ltd",
                    "acronym": "NBC",
                },
            }
        ],
    }
    assert body["summary"] == (
        "Certificate nb 2002 was not found among Bureau Veritas Certification Holding SAS's "
        "certificates, but Northbridge Certification Ltd issued a certificate with this number: "
        "ask Bureau Veritas Certification Holding SAS before relying on it."
    )
    assert body["certificate"] is None


@pytest.mark.usefixtures("bodies")
def test_a_confidential_certificate_elsewhere_is_never_listed(client: TestClient) -> None:
    """Confidential certificates are never listed (API.md)."""
    check = found_check(verify(client, "NB-3003", "BVC"))
    assert check["details"]["same_number_elsewhere"] == []


@pytest.mark.usefixtures("bodies")
def test_an_unrecognised_cb_and_an_unknown_number_say_both(client: TestClient) -> None:
    """DESIGN.md: a not_found says separately when the named CB was not recognised at all."""
    body = verify(client, "ZZ-1", "Totally Unknown Certifiers")
    check = found_check(body)
    assert check["details"] == {
        "certification_body_in_registry": False,
        "certification_body_recognised": False,
        "same_number_elsewhere": [],
    }
    assert body["summary"] == (
        'Certificate ZZ-1 was not found, and "Totally Unknown Certifiers" is not a certification '
        "body this registry knows; check the issuer's name and ask it to confirm the "
        "certificate."
    )


def test_a_batch_resolves_cbs_the_same_way(
    client: TestClient, session: Session, bodies: dict[str, Any]
) -> None:
    """The batch's set-based resolution follows the same order (app/repositories/bulk.py)."""
    key = auth(make_key(session, Role.CLIENT))
    items = [
        {"certificate_number": "BV-1001", "certification_body": "Bureau Veritas Certification"},
        {"certificate_number": "BV-1001", "certification_body": "Bureau Veritaz"},
        {"certificate_number": "SIL-1", "certification_body": "Silent Assurance"},
        {"certificate_number": "NB-2002", "certification_body": str(bodies["bvc"])},
        {"certificate_number": "NB-2002", "certification_body": str(uuid.uuid4())},
    ]
    response = client.post(
        "/v1/verifications/batch",
        json={"items": [{**item, "as_of": AS_OF} for item in items]},
        headers=key,
    )
    assert response.status_code == 200, response.text
    results = response.json()["results"]
    assert [(r["verdict"], r["checks"][0]["outcome"]) for r in results] == [
        ("valid", "pass"),
        ("valid", "warn"),
        ("not_found", "fail"),
        ("not_found", "fail"),
        ("valid", "warn"),
    ]
    for result, single in zip(results, items, strict=True):
        alone = verify(client, single["certificate_number"], single["certification_body"])
        assert result["checks"] == alone["checks"]
        assert result["summary"] == alone["summary"]


@pytest.mark.usefixtures("bodies")
def test_the_page_says_whether_the_cb_was_recognised_and_whether_it_publishes(
    client: TestClient,
) -> None:
    """DESIGN.md: the page says both in words, and lists a copied number's real issuer."""

    def page(number: str, cb: str) -> Any:
        response = client.get(
            "/verify", params={"certificate_number": number, "certification_body": cb}
        )
        assert response.status_code == 200
        return parse(response.text)

    silent = page("SIL-1", "Silent Assurance")
    assert silent.one("p", class_="recognised").attrs["data-recognised"] == "yes"
    assert silent.one("p", class_="recognised").text == (
        "“Silent Assurance” is Silent Assurance Limited."
    )
    assert silent.one("p", class_="publishes").text.startswith(
        "No. Silent Assurance Limited is known here but publishes no certificate"
    )

    unknown = page("ZZ-1", "Nobody Certs")
    assert unknown.one("p", class_="recognised").attrs["data-recognised"] == "no"
    assert unknown.one("p", class_="recognised").text.startswith(
        "Not recognised. “Nobody Certs” is not a certification body this registry knows"
    )

    copied = page("NB-2002", "BVC")
    links = {a.attrs["href"]: a.text for a in copied.one("ul", class_="elsewhere").find_all("a")}
    assert links == {"/verify/NBC/NB-2002": "NB-2002 issued by Northbridge Certification Ltd (NBC)"}


def test_an_alias_that_already_names_another_cb_is_a_conflict(
    client: TestClient, session: Session, bodies: dict[str, Any]
) -> None:
    """An alias equal to another CB's acronym, name (folded, legal form ignored) or alias would
    be shadowed by resolution order: 409, and nothing changes."""
    admin = auth(make_key(session, Role.ADMIN))
    for alias in ("NBC", "Northbridge Certification", "northbridge certification ltd."):
        response = client.patch(
            f"/v1/certification-bodies/{bodies['bvc']}", json={"aliases": [alias]}, headers=admin
        )
        assert response.status_code == 409, (alias, response.text)
        assert response.json()["detail"] == (
            f"The alias {alias!r} already names certification body {bodies['nbc']}."
        )
    assert client.get(f"/v1/certification-bodies/{bodies['bvc']}").json()["aliases"] == []
    own = client.patch(
        f"/v1/certification-bodies/{bodies['bvc']}", json={"aliases": ["BVC", "BV"]}, headers=admin
    )
    assert own.status_code == 200, own.text  # its own acronym is no conflict


@pytest.mark.usefixtures("bodies")
def test_a_cb_named_with_control_characters_names_no_cb(session: Session) -> None:
    """A NUL in a named CB (PostgreSQL refuses it in any text parameter: a 500 from the
    accreditation import, found by its property test) names no CB, one by one and set-based.
    The verification API refuses such input with a 422 before it gets here."""
    assert find_certification_body(session, "BV\x00C") is None
    assert resolve_certification_bodies(session, ["BV\x00C", "BVC"])["BV\x00C"] is None
