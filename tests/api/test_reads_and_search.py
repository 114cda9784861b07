"""Public registry reads: reference data, bodies, certificate search (accents, typos, privacy)."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from tests.factories import accredit, make_ab, make_cb, make_certificate


def test_reference_data_is_served(client: TestClient) -> None:
    """39 IAF sectors; standards with transition deadlines; seeded ABs with MLA scopes."""
    sectors = client.get("/v1/sectors").json()["items"]
    assert [s["code"] for s in sectors] == list(range(1, 40))
    assert sectors[27]["name"] == "Construction"
    standards = {s["standard"]: s for s in client.get("/v1/standards").json()["items"]}
    assert standards["ISO 9001:2008"]["transition_deadline"] == "2018-09-15"
    assert standards["ISO/IEC 27001:2013"]["transition_deadline"] == "2025-10-31"
    assert standards["ISO 9001:2015"]["uses_iaf_sectors"] is True
    assert standards["ISO/IEC 27001:2022"]["uses_iaf_sectors"] is False
    ukas = client.get("/v1/accreditation-bodies", params={"q": "ukas"}).json()["items"]
    assert [a["acronym"] for a in ukas] == ["UKAS"]
    assert ukas[0]["mla_scopes_complete"] is False
    assert ukas[0]["reference_data"] is True
    assert "ISO 45001" in {m["standard"] for m in ukas[0]["mla_scopes"]}


def test_accreditation_bodies_paginate(client: TestClient) -> None:
    """Lists carry items and an opaque next_page_token, null on the last page."""
    seen: list[str] = []
    token = None
    while True:
        params: dict[str, Any] = {"page_size": 40}
        if token:
            params["page_token"] = token
        page = client.get("/v1/accreditation-bodies", params=params).json()
        seen += [a["acronym"] for a in page["items"]]
        token = page["next_page_token"]
        if token is None:
            break
    assert len(seen) == 91
    assert len(set(seen)) == 91
    bad = client.get("/v1/accreditation-bodies", params={"page_token": "!!"})
    assert bad.status_code == 422
    assert client.get("/v1/accreditation-bodies", params={"page_size": 501}).status_code == 422


@pytest.fixture
def people(session: Session) -> dict[str, Any]:
    """Certificates held by accented, punctuated and confidential organisations."""
    ab = make_ab(session, "SAB")
    cb = make_cb(session, "Search Certification Ltd", "SCL")
    other = make_cb(session, "Other Certification SA", "OCS", "FR")
    accredit(session, cb, ab.id)
    ids = {
        "muller": make_certificate(
            session,
            cb,
            "M-1",
            organization={"name": "Müller Präzisionstechnik GmbH", "country": "DE"},
            sites=[{"country": "DE"}],
        ),
        "societe": make_certificate(
            session,
            other,
            "S-1",
            organization={
                "name": "Société Générale d'Ingénierie S.A.",
                "country": "FR",
                "aliases": ["SGI"],
            },
            sites=[{"country": "FR"}],
            standard="ISO 14001:2015",
        ),
        "hidden": make_certificate(
            session,
            cb,
            "H-1",
            organization={"name": "Müller Präzisionstechnik GmbH", "country": "AT"},
            confidential=True,
        ),
    }
    session.commit()
    return ids


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("muller prazisionstechnik", ["M-1"]),
        ("MÜLLER PRÄZISIONSTECHNIK", ["M-1"]),
        ("Mueller Prazisionstechnik", ["M-1"]),
        ("Muller Prazisiontechnik", ["M-1"]),
        ("societe generale d ingenierie", ["S-1"]),
        ("Societe Generale dIngenierie SA", ["S-1"]),
        ("SGI", ["S-1"]),
        ("Completely Different Bakery", []),
    ],
)
def test_organisation_search_is_accent_case_and_typo_tolerant(
    client: TestClient, query: str, expected: list[str]
) -> None:
    """API.md: organisation search ignores accents and case and tolerates typos."""
    items = client.get("/v1/certificates", params={"organization": query}).json()["items"]
    assert [i["certificate_number"] for i in items] == expected


@pytest.mark.usefixtures("people")
def test_confidential_certificates_never_appear_in_search(client: TestClient) -> None:
    """Confidential certificates are never listed, whatever the filter."""
    for params in (
        {"organization": "Muller"},
        {"certificate_number": "H-1"},
        {"country": "AT"},
        {"certification_body": "SCL"},
    ):
        numbers = [
            i["certificate_number"]
            for i in client.get("/v1/certificates", params=params).json()["items"]
        ]
        assert "H-1" not in numbers, params


@pytest.mark.usefixtures("people")
@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"standard": "ISO 14001"}, ["S-1"]),
        ({"standard": "ISO 9001:2015"}, ["M-1"]),
        ({"country": "fr"}, ["S-1"]),
        ({"certification_body": "Search Certification Ltd"}, ["M-1"]),
        ({"certificate_number": "m 1"}, ["M-1"]),
        ({"status": "withdrawn"}, []),
    ],
)
def test_search_filters(client: TestClient, params: dict[str, str], expected: list[str]) -> None:
    """Filters combine: standard (with or without edition), country, CB, number, status."""
    items = client.get("/v1/certificates", params=params).json()["items"]
    numbers = [i["certificate_number"] for i in items if i["certificate_number"] in {"M-1", "S-1"}]
    assert numbers == expected


@pytest.fixture
def transport(session: Session) -> None:
    """Organisations that share a word ("transport") but not the rest of their names."""
    ab = make_ab(session, "TRAB")
    cb = make_cb(session, "Transport Search Certification", "TSC")
    accredit(session, cb, ab.id)
    names = ["Nieminen Transport Oy", "Makinen Transport", "Ng Transport", "Nieminen Consulting"]
    for number, name in enumerate(names, start=1):
        make_certificate(session, cb, f"TR-{number}", organization={"name": name, "country": "FI"})
    session.commit()


@pytest.mark.usefixtures("transport")
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Nieminen Transport", ["TR-1"]),  # not the others that only share "transport"
        ("nieminem transprt", ["TR-1"]),  # a typo in each word
        ("Niemi", ["TR-1", "TR-4"]),  # a prefix of a word
        ("transport", ["TR-3", "TR-1", "TR-2"]),  # WRatio 95, then 90 and 90 in database order
        ("Nieminen Logistics", []),  # every word must match one of the name's words
    ],
)
def test_every_query_word_must_match_a_word_of_the_name(
    client: TestClient, query: str, expected: list[str]
) -> None:
    """Organisation search (services/search.py): each query word matches a word of the name or
    alias (equal, a 3+ letter prefix, or a close spelling) before WRatio ranks the names."""
    items = client.get(
        "/v1/certificates", params={"organization": query, "certification_body": "TSC"}
    ).json()["items"]
    assert [i["certificate_number"] for i in items] == expected


@pytest.mark.parametrize(
    ("path", "parameter"),
    [
        ("/v1/certificates", "certification_body"),
        ("/v1/certificates", "organization"),
        ("/v1/certificates", "standard"),
        ("/v1/certificates", "certificate_number"),
        ("/v1/certification-bodies", "q"),
        ("/v1/accreditation-bodies", "q"),
    ],
)
def test_control_character_in_a_search_parameter_is_a_problem(
    client: TestClient, path: str, parameter: str
) -> None:
    """Issue 11, part 5: U+0000 in a query parameter is a 422 naming it (PostgreSQL refuses
    NUL in text, which was a 500)."""
    response = client.get(path, params={parameter: "AB\x00C"})
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {
            "pointer": f"/{parameter}",
            "detail": "contains a control character (U+0000) at character 3; "
            "control characters are not allowed",
            "parameter": parameter,
            "location": "query",
        }
    ]


def test_fullwidth_number_is_found_by_its_ascii_spelling(
    client: TestClient, session: Session
) -> None:
    """Issue 11, part 5: search matches numbers on the NFKC key too."""
    cb = make_cb(session, "Fullwidth Certification Ltd", "FWC")
    make_certificate(session, cb, "ＦＷ－１２３")
    session.commit()
    items = client.get("/v1/certificates", params={"certificate_number": "fw 123"}).json()["items"]
    assert [c["certificate_number"] for c in items] == ["ＦＷ－１２３"]
