"""The verification page through HTTP: headlines per verdict, next steps, labels, errors, links."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from fastapi.testclient import TestClient

from app.config import get_settings
from app.services.verification.receipts import canonical_sha256, verify_receipt
from tests.web.conftest import AS_OF
from tests.web.html import Element, parse

CHECK_NAMES = [
    "Certificate found",
    "Status",
    "Validity dates",
    "Standard edition",
    "Issuer's accreditation",
    "Sectors",
    "Accreditation body",
    "Organisation",
    "Standard",
    "Country",
    "Activity",
]


def page(client: TestClient, url: str, **params: str) -> tuple[int, Element]:
    """GET a page; its status and parsed HTML (`url` keeps its own query when no params)."""
    response = client.get(url, params=params) if params else client.get(url)
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    return response.status_code, parse(response.text)


def verdict_of(doc: Element) -> tuple[str, str, str]:
    """(data-verdict, the headline's verdict word, the headline's sentence)."""
    section = doc.one("section", class_="verdict")
    return (
        section.attrs["data-verdict"],
        section.one("span", class_="verdict__label").text,
        section.one("span", class_="verdict__headline").text,
    )


def next_steps(doc: Element) -> list[str]:
    """The items of "What to do next" (empty when the section is absent)."""
    return [li.text for ol in doc.find_all("ol", class_="steps") for li in ol.find_all("li")]


def test_home_page_has_a_labelled_form_that_submits_by_get(client: TestClient) -> None:
    """Issue 4: a single number field plus optional fields, every input labelled, GET /verify."""
    status, doc = page(client, "/")
    assert status == 200
    assert doc.one("html").attrs["lang"] == "en"
    assert doc.one("a", class_="skip-link").attrs["href"] == "#main"
    assert doc.one("main").attrs["id"] == "main"
    assert doc.one("h1").text == "Can I rely on this ISO certificate?"
    verify_form, search_form, document_form = doc.find_all("form")
    assert (verify_form.attrs["action"], verify_form.attrs["method"]) == ("/verify", "get")
    assert (search_form.attrs["action"], search_form.attrs["method"]) == ("/search", "get")
    # Issue 17: the upload form (tests/documents/test_document_page.py).
    assert (document_form.attrs["action"], document_form.attrs["method"]) == (
        "/verify/document",
        "post",
    )
    labels = {label.attrs["for"]: label.text for label in doc.find_all("label")}
    inputs = doc.find_all("input")
    assert [i.attrs["name"] for i in verify_form.find_all("input")] == [
        "certificate_number",
        "certification_body",
        "accreditation_body",
        "organization",
        "standard",
        "country",
        "scope",
        "as_of",
    ]
    assert all(i.attrs["id"] in labels for i in inputs)
    assert labels["v-certificate_number"] == "Certificate number"
    assert labels["v-as_of"] == "Check on date (optional)"
    assert doc.one("input", id="v-as_of").attrs["type"] == "date"
    assert doc.one("input", id="v-certificate_number").attrs["aria-describedby"] == (
        "v-certificate_number-hint"
    )


@pytest.mark.usefixtures("registry")
@pytest.mark.parametrize(
    ("number", "cb", "organization", "verdict", "label", "headline"),
    [
        ("fs 612 345", "NBC", None, "valid", "Valid", "This certificate can be relied on."),
        (
            "NOPE-404",
            "NBC",
            None,
            "not_found",
            "Not found",
            "This registry holds no certificate with this number.",
        ),
        (
            "DUP-1",
            None,
            None,
            "ambiguous",
            "More than one match",
            "Several certification bodies issued a certificate with this number.",
        ),
        ("FS-700001", None, None, "withdrawn", "Withdrawn", "This certificate is no longer valid."),
        (
            "FS-700002",
            None,
            None,
            "suspended",
            "Suspended",
            "This certificate is not valid while it is suspended.",
        ),
        ("FS-700003", None, None, "expired", "Expired", "This certificate has run out."),
        (
            "FS-700004",
            None,
            None,
            "not_yet_valid",
            "Not yet valid",
            "This certificate was not yet in force on the date asked about.",
        ),
        (
            "EMS-1",
            None,
            None,
            "outdated_standard",
            "Outdated standard",
            "This certificate is to an edition of the standard whose transition period has ended.",
        ),
        (
            "FS-700005",
            None,
            None,
            "not_accredited",
            "Not accredited",
            "No recognised accreditation backs this certificate.",
        ),
        (
            "FS 612345",
            None,
            "Bellweather Foods plc",
            "mismatch",
            "Does not match",
            "The certificate exists, but not as it was described to you.",
        ),
    ],
)
def test_every_verdict_has_its_headline(
    client: TestClient,
    number: str,
    cb: str | None,
    organization: str | None,
    verdict: str,
    label: str,
    headline: str,
) -> None:
    """Issue 4: the verdict first, as a word and a sentence; every check listed by name."""
    params = {"certificate_number": number, "as_of": AS_OF}
    if cb:
        params["certification_body"] = cb
    if organization:
        params["organization"] = organization
    status, doc = page(client, "/verify", **params)
    assert status == 200
    assert verdict_of(doc) == (verdict, label, headline)
    assert doc.one("h1").text == f"{label} {headline}"
    assert doc.one("title").text.startswith(f"{label}: ")
    if verdict in {"not_found", "ambiguous"}:
        assert doc.find_all("table", class_="checks") == []  # one statement instead (below)
        assert doc.one("h2", id="checks-heading").text == "What was checked"
    else:
        rows = doc.one("table", class_="checks").find_all("tr", class_="check")
        assert [str(row.one("th").children[0]) for row in rows] == CHECK_NAMES
    assert (verdict == "valid") == (not next_steps(doc))


@pytest.mark.usefixtures("registry")
def test_valid_page_shows_holder_issuer_accreditation_and_passing_checks(
    client: TestClient,
) -> None:
    """Issue 4: who holds it, standard, scope, sites and dates; who issued and accredited it."""
    _, doc = page(
        client, "/verify", certificate_number="FS612345", certification_body="NBC", as_of=AS_OF
    )
    facts = {
        dt.text: dd.text
        for dl in doc.find_all("dl", class_="facts")[:2]
        for dt, dd in zip(dl.find_all("dt"), dl.find_all("dd"), strict=True)
    }
    assert facts == {
        "Held by": "Acme Widgets Ltd (GB)",
        "Number": "FS 612345",
        "Standard": "ISO 9001:2015",
        "Scope": "Design and manufacture of industrial widgets",
        "IAF sectors": "18",
        "Sites": "Head office: 1 High St, Leeds, GB",
        "Status on 26 November 2026": "Active",
        "First certified": "1 March 2018",
        "Issued": "1 March 2024",
        "Expiry date printed": "28 February 2027",
        "Certification body": "Northbridge Certification Ltd (NBC)",
        "Accreditation body": "TAB Accreditation Service (TAB, GB)",
        "Accreditation number": facts["Accreditation number"],
        "Accredited for": "ISO 9001, IAF sectors 17, 18, 19",
        "Accreditation status": "Active, valid from 1 January 2015",
    }
    assert facts["Accreditation number"].startswith("ACC-")
    outcomes = [td.text for td in doc.find_all("td", class_="outcome")]
    assert outcomes == ["Passed"] * 7 + ["Not checked"] * 4
    assert doc.find_all("section", class_="panel--warn") == []
    permalink = "/verify/NBC/FS%20612345?as_of=2026-11-26"
    assert doc.one("a", class_="permalink").attrs["href"] == permalink
    base = get_settings().public_base_url
    assert doc.one("a", class_="permalink").text == f"{base}{permalink}"
    qr = doc.one("figure", class_="qr").one("img")
    assert qr.attrs["src"].startswith("data:image/svg+xml")
    assert qr.attrs["alt"] == "QR code of the permanent link to this check"


@pytest.mark.usefixtures("registry")
def test_withdrawn_page_tells_what_to_do_next(client: TestClient) -> None:
    """Issue 4: an unfavourable verdict says what to do next, naming the issuer."""
    _, doc = page(client, "/verify", certificate_number="FS-700001", as_of=AS_OF)
    assert next_steps(doc) == [
        "Do not rely on this certificate.",
        "Ask the holder why it was withdrawn and whether they hold a new certificate; check the "
        "new one here.",
        "Contact the issuer, Northbridge Certification Ltd, using the contact details on its own "
        "website (not those printed on the certificate), and ask it to confirm the certificate.",
    ]
    status_row = doc.one("tr", data_check="certificate_status")
    assert status_row.one("td", class_="outcome").text == "Failed"
    assert status_row.find_all("td")[1].text == "Withdrawn since 2026-06-01."


@pytest.mark.usefixtures("registry")
@pytest.mark.parametrize(
    ("cb", "publishes", "first_words"),
    [
        ("NBC", "yes", "Yes. Northbridge Certification Ltd publishes its certificates"),
        ("Unheard Of Certification", "no", "No. An issuer this registry does not know publishes"),
        (None, "unknown", "No certification body was named"),
    ],
)
def test_not_found_says_whether_the_issuer_publishes_here(
    client: TestClient, cb: str | None, publishes: str, first_words: str
) -> None:
    """DESIGN.md: not_found says whether the named CB publishes to this registry at all."""
    params = {"certificate_number": "NOPE-404", "as_of": AS_OF}
    if cb:
        params["certification_body"] = cb
    _, doc = page(client, "/verify", **params)
    assert verdict_of(doc)[0] == "not_found"
    statement = doc.one("p", class_="publishes")
    assert statement.attrs["data-publishes"] == publishes
    assert statement.text.startswith(first_words)


@pytest.mark.usefixtures("registry")
def test_ambiguous_lists_candidates_as_deep_links(client: TestClient) -> None:
    """Issue 4: ambiguous lists each candidate, linking to its permanent page."""
    _, doc = page(client, "/verify", certificate_number="dup-1", as_of=AS_OF)
    links = {a.attrs["href"]: a.text for a in doc.one("ul", class_="candidates").find_all("a")}
    assert links == {
        "/verify/NBC/DUP-1": "DUP-1 issued by Northbridge Certification Ltd (NBC)",
        "/verify/QAS/dup%201": "dup 1 issued by Qualis Auditores SA (QAS)",
    }


@pytest.mark.usefixtures("registry")
def test_deep_link_with_slashes_in_the_number(client: TestClient) -> None:
    """The deep link /verify/{cb}/{number} takes the number as printed, slashes encoded."""
    status, doc = page(client, "/verify/NBC/TCS%2F7010%2F24", as_of=AS_OF)
    assert status == 200
    assert verdict_of(doc)[0] == "valid"
    assert doc.one("a", class_="permalink").attrs["href"] == (
        "/verify/NBC/TCS%2F7010%2F24?as_of=2026-11-26"
    )
    status, doc = page(client, "/verify/nbc/TCS/7010/24", as_of=AS_OF)
    assert verdict_of(doc)[0] == "valid"


def test_deep_link_for_an_unknown_issuer_is_not_found(client: TestClient) -> None:
    """A deep link naming a CB that does not publish here answers not_found, saying so."""
    status, doc = page(client, "/verify/XYZ/123")
    assert status == 200
    assert verdict_of(doc)[0] == "not_found"
    assert doc.one("p", class_="publishes").attrs["data-publishes"] == "no"


@pytest.mark.parametrize(
    ("params", "field", "message"),
    [
        (
            {"certificate_number": "FS 612345", "as_of": "26/11/2026"},
            "as_of",
            "Enter the date as YYYY-MM-DD, for example 2026-11-26.",
        ),
        (
            {"certificate_number": "FS 612345", "as_of": "2026-02-30"},
            "as_of",
            "2026-02-30 is not a date: February 2026 has 28 days.",
        ),
        (
            {"certificate_number": "  "},
            "certificate_number",
            "Enter the certificate number as printed, with at least one letter or digit.",
        ),
        (
            {},
            "certificate_number",
            "Enter the certificate number as printed, with at least one letter or digit.",
        ),
        (
            {"certificate_number": "X" * 101},
            "certificate_number",
            "A certificate number has at most 100 characters.",
        ),
        (
            {"certificate_number": "FS 612345", "country": "Atlantis"},
            "country",
            '"Atlantis" is not a country we know. '
            "Enter a country code or name, for example GB, GBR or United Kingdom.",
        ),
    ],
)
def test_bad_input_shows_the_form_again_with_the_error_beside_the_field(
    client: TestClient, params: dict[str, str], field: str, message: str
) -> None:
    """Issue 4: bad input re-renders the form (422 HTML) with the error next to the field."""
    status, doc = page(client, "/verify", **params)
    assert status == 422
    assert doc.one("title").text.startswith("Error: ")
    assert doc.one("p", id=f"v-{field}-error").text == f"Error: {message}"
    field_input = doc.one("input", id=f"v-{field}")
    assert field_input.attrs["aria-invalid"] == "true"
    assert field_input.attrs["aria-describedby"].split() == [f"v-{field}-hint", f"v-{field}-error"]
    assert field_input.attrs["value"] == params.get(field, "").strip()
    summary = doc.one("div", class_="error-summary")
    assert [(a.attrs["href"], a.text) for a in summary.find_all("a")] == [(f"#v-{field}", message)]
    if field != "certificate_number":
        assert "open" in doc.one("form", action="/verify").one("details", class_="more").attrs


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        ("2026-02-30", "2026-02-30 is not a date: February 2026 has 28 days."),
        ("2028-02-30", "2028-02-30 is not a date: February 2028 has 29 days."),
        ("2026-04-31", "2026-04-31 is not a date: April 2026 has 30 days."),
        ("2026-13-45", "2026-13-45 is not a date: a year has 12 months, 01 to 12."),
        ("2026-00-10", "2026-00-10 is not a date: a year has 12 months, 01 to 12."),
        ("2026-11-00", "2026-11-00 is not a date: days start at 01."),
        ("0000-01-01", "0000-01-01 is not a date: years start at 0001."),
        ("2026-2-3", "Enter the date as YYYY-MM-DD, for example 2026-11-26."),
        ("26-11-2026", "Enter the date as YYYY-MM-DD, for example 2026-11-26."),
        ("tomorrow", "Enter the date as YYYY-MM-DD, for example 2026-11-26."),
    ],
)
def test_a_date_that_does_not_exist_is_named_as_such(
    client: TestClient, as_of: str, message: str
) -> None:
    """Issue 15: a well-formed impossible date says it does not exist (the Gregorian calendar's
    month lengths); only malformed input is asked for as YYYY-MM-DD. The receipt says the same."""
    status, doc = page(client, "/verify", certificate_number="FS 612345", as_of=as_of)
    assert status == 422
    assert doc.one("p", id="v-as_of-error").text == f"Error: {message}"
    receipt = client.get("/verify/receipt", params={"certificate_number": "X", "as_of": as_of})
    assert receipt.json()["errors"] == [{"pointer": "/as_of", "detail": message}]


def test_the_error_summary_takes_the_focus_on_load(client: TestClient) -> None:
    """Issue 15: after a 422 the error summary (role=alert, tabindex=-1) is the page's one
    autofocus element, so focus starts there (GOV.UK error summary); on the search form too."""
    for url, params, prefix in (
        ("/verify", {"certificate_number": "", "as_of": "2026-02-30"}, "v"),
        ("/search", {"organization": " "}, "s"),
    ):
        status, doc = page(client, url, **params)
        assert status == 422
        focused = [e for e in doc.iter() if "autofocus" in e.attrs]
        assert [e.attrs.get("id") for e in focused] == [f"{prefix}-error-summary"]
        summary = focused[0]
        assert (summary.attrs["role"], summary.attrs["tabindex"]) == ("alert", "-1")
        assert summary.attrs["aria-labelledby"] == f"{prefix}-error-summary-title"
    _, home = page(client, "/")
    assert [e for e in home.iter() if "autofocus" in e.attrs] == []


@pytest.mark.usefixtures("registry")
@pytest.mark.parametrize(
    ("params", "found", "ending"),
    [
        (
            {"certificate_number": "NOPE-404", "certification_body": "NBC"},
            "Certificate found: Failed. No certificate NOPE-404 among Northbridge Certification "
            "Ltd's published certificates; ask the issuer to confirm it.",
            "",
        ),
        (
            {"certificate_number": "dup-1"},
            "Certificate found: Failed. 2 certificates are numbered dup-1 (Northbridge "
            "Certification Ltd, Qualis Auditores SA); name the certification body to choose one.",
            " Open one of the certificates above to run them all.",
        ),
    ],
)
def test_not_found_and_ambiguous_state_once_what_could_not_be_checked(
    client: TestClient, params: dict[str, str], found: str, ending: str
) -> None:
    """Issue 15: no table of ten identical "Not checked" rows, but what was checked and one
    sentence naming what could not be, and why."""
    _, doc = page(client, "/verify", as_of=AS_OF, **params)
    panel = doc.one("div", class_="not-run")
    assert panel.attrs["data-check"] == "certificate_found"
    assert panel.one("p", class_="not-run__found").text == found
    assert panel.one("p", class_="not-run__rest").text == (
        "The other 10 checks need a single certificate to look at, so none of them was run: "
        "status, validity dates, standard edition, issuer's accreditation, sectors, "
        "accreditation body and whether the organisation, standard, country and activity you "
        "were told match." + ending
    )
    assert "Not checked" not in doc.text
    assert doc.find_all("td", class_="outcome") == []


@pytest.mark.usefixtures("registry")
def test_the_permanent_link_of_a_mismatch_reproduces_it(client: TestClient) -> None:
    """Issue 15: the permanent link carries every claim and the date, so a colleague who opens
    it sees the same verdict and the same checks (it used to drop the claims: "Valid")."""
    asked = {
        "certificate_number": "fs 612 345",
        "certification_body": "Northbridge Certification",
        "organization": "Bellweather Foods plc",
        "standard": "ISO 14001",
        "country": "France",
        "scope": "catering",
        "as_of": AS_OF,
    }
    _, doc = page(client, "/verify", **asked)
    assert verdict_of(doc)[0] == "mismatch"
    href = doc.one("a", class_="permalink").attrs["href"]
    assert urlsplit(href).path == "/verify/NBC/FS%20612345"
    assert parse_qs(urlsplit(href).query) == {
        "organization": ["Bellweather Foods plc"],
        "standard": ["ISO 14001"],
        "country": ["France"],
        "scope": ["catering"],
        "as_of": [AS_OF],
    }

    def checks(d: Element) -> list[tuple[str, str, str]]:
        return [
            (
                row.attrs["data-check"],
                row.one("td", class_="outcome").text,
                row.find_all("td")[1].text,
            )
            for row in d.one("table", class_="checks").find_all("tr", class_="check")
        ]

    status, again = page(client, href)
    assert status == 200
    assert verdict_of(again) == verdict_of(doc)
    assert checks(again) == checks(doc)
    assert [outcome for _, outcome, _ in checks(doc)].count("Failed") == 3
    assert again.one("a", class_="permalink").attrs["href"] == href


@pytest.mark.usefixtures("registry")
def test_the_permanent_link_keeps_the_date_asked_about(client: TestClient) -> None:
    """A check on another day links to that day: FS-700001 was active before its withdrawal."""
    _, doc = page(client, "/verify", certificate_number="FS-700001", as_of="2026-05-01")
    assert verdict_of(doc)[0] == "valid"
    href = doc.one("a", class_="permalink").attrs["href"]
    assert href == "/verify/NBC/FS-700001?as_of=2026-05-01"
    _, today = page(client, "/verify/NBC/FS-700001")
    assert verdict_of(today)[0] == "withdrawn"
    _, again = page(client, href)
    assert verdict_of(again)[0] == "valid"


def test_error_summary_lists_errors_in_form_order(client: TestClient) -> None:
    """The error summary follows the form, each entry linking to its field."""
    status, doc = page(client, "/verify", certificate_number="", as_of="x", country="Atlantis")
    assert status == 422
    summary = doc.one("div", class_="error-summary")
    assert [a.attrs["href"] for a in summary.find_all("a")] == [
        "#v-certificate_number",
        "#v-country",
        "#v-as_of",
    ]


@pytest.mark.usefixtures("registry")
def test_receipt_download_is_the_full_signed_verification(client: TestClient) -> None:
    """Issue 4: the "download receipt" link gives the full response with its signed receipt."""
    _, doc = page(
        client, "/verify", certificate_number="FS 612345", certification_body="NBC", as_of=AS_OF
    )
    href = doc.one("a", download="").attrs["href"]
    assert urlsplit(href).path == "/verify/receipt"
    assert parse_qs(urlsplit(href).query) == {
        "certificate_number": ["FS 612345"],
        "certification_body": ["NBC"],
        "as_of": [AS_OF],
    }
    response = client.get(href)
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/json"
    assert response.headers["content-disposition"] == (
        'attachment; filename="certverify-receipt-FS612345-2026-11-26.json"'
    )
    body = response.json()
    assert body["verdict"] == "valid"
    payload = verify_receipt(body["receipt"], client.get("/.well-known/jwks.json").json())
    assert payload["verification_id"] == body["verification_id"]
    assert payload["sha256"] == canonical_sha256({k: v for k, v in body.items() if k != "receipt"})


def test_receipt_download_rejects_bad_input_as_a_problem(client: TestClient) -> None:
    """The receipt is JSON, so its errors are problem+json."""
    response = client.get("/verify/receipt", params={"certificate_number": "X", "as_of": "nope"})
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["errors"] == [
        {"pointer": "/as_of", "detail": "Enter the date as YYYY-MM-DD, for example 2026-11-26."}
    ]


@pytest.mark.usefixtures("registry")
def test_search_by_organisation_links_to_deep_links(client: TestClient) -> None:
    """Issue 4: visitors without a number find public certificates by organisation."""
    status, doc = page(client, "/search", organization="acme widgets", standard="ISO 14001")
    assert status == 200
    rows = doc.one("table").one("tbody").find_all("tr")
    assert [(r.one("a").attrs["href"], r.one("a").text) for r in rows] == [
        ("/verify/NBC/EMS-1", "EMS-1")
    ]
    assert [td.text for td in rows[0].find_all("td")] == [
        "Acme Widgets Ltd (GB)",
        "ISO 14001:2004",
        "Northbridge Certification Ltd (NBC)",
        "Active",
    ]


@pytest.mark.usefixtures("registry")
def test_search_never_lists_confidential_certificates(client: TestClient) -> None:
    """API.md: confidential certificates never appear in searches."""
    _, doc = page(client, "/search", organization="Acme Widgets")
    numbers = [r.one("a").text for r in doc.one("tbody").find_all("tr")]
    assert sorted(numbers) == [
        "DUP-1",
        "EMS-1",
        "FS 612345",
        "FS-700001",
        "FS-700002",
        "FS-700003",
        "FS-700004",
        "FS-700005",
        "TCS/7010/24",
    ]


def test_search_form_errors_and_empty_results(client: TestClient) -> None:
    """An empty name is a 422 with the error by the field; no match says so; no query is a form."""
    status, doc = page(client, "/search", organization=" ")
    assert status == 422
    assert doc.one("p", id="s-organization-error").text == (
        "Error: Enter the organisation's name, with at least one letter or digit."
    )
    status, doc = page(client, "/search", organization="Zyxwvut Qqqq")
    assert status == 200
    assert (
        doc.one("h2", id="results-heading").text == "No public certificate matches “Zyxwvut Qqqq”"
    )
    status, doc = page(client, "/search")
    assert status == 200
    assert doc.find_all("h2", id="results-heading") == []


def test_static_stylesheet_is_served(client: TestClient) -> None:
    """The page's only stylesheet comes from /static (style-src 'self')."""
    response = client.get("/static/site.css")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/css; charset=utf-8"
    assert "@page { size: A4;" in response.text


def test_the_claim_rules_are_described_in_plain_words(client: TestClient) -> None:
    """Issue 13, part 6: the page says what is ignored and what counts as a near match."""
    _, home = page(client, "/")
    rules = home.one("section", id="claims")
    assert rules.one("h2").text == "How your claims are compared"
    assert [dt.text for dt in rules.find_all("dt")] == [
        "Organisation",
        "Standard",
        "Country",
        "Activity",
        "Certification body",
    ]
    words = rules.text
    for phrase in (
        "a leading “The”",
        "“Tecso” for “Tesco”",
        "“ISO 27001” is ISO/IEC 27001",
        "“UK”",
    ):
        assert phrase in words


@pytest.mark.usefixtures("registry")
def test_the_result_page_explains_the_claim_rules_beside_the_checks(client: TestClient) -> None:
    """The rules sit beside the checks they explain, folded away."""
    _, doc = page(client, "/verify", certificate_number="FS 612345", as_of=AS_OF)
    details = doc.one("details", class_="claim-rules")
    assert details.one("summary").text == "How your claims are compared"
