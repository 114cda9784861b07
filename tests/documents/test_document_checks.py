"""The `document_*` checks (app/domain/document_checks.py): a document's claims against the
registry's certificate, field by field, with exact outcomes and messages; low-confidence claims
skipped, never failed; a holder that could not be confirmed never lets a document pass."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from app.domain.chain import ChainReference, identify_accreditation_body
from app.domain.document_checks import (
    DocumentContext,
    check_document_accreditation_body,
    check_document_certificate_number,
    check_document_certification_body,
    check_document_countries,
    check_document_expiry_date,
    check_document_identity,
    check_document_issue_date,
    check_document_organization,
    check_document_original_issue_date,
    check_document_scope,
    check_document_sites,
    check_document_standard,
    discrepancies,
    document_checks,
)
from app.domain.document_claims import MIN_CONFIDENCE
from app.domain.documents import ExtractedClaim
from app.domain.facts import (
    DOCUMENT_CHECKS,
    ENGINE_CHECKS,
    AccreditationBodyFact,
    AccreditationFact,
    CertificateFact,
    CertificationBodyFact,
    CheckCode,
    MlaScopeFact,
    Outcome,
    SiteFact,
    StandardFact,
    Verdict,
)
from app.domain.verification import Finding
from app.services.verification.fact_mapping import listed_bodies

NBC = CertificationBodyFact(id="cb-nbc", name="Northbridge Certification Ltd", acronym="NBC")
QAS = CertificationBodyFact(id="cb-qas", name="Qualis Auditores SA", acronym="QAS")
UKAS = AccreditationBodyFact(
    id="ab-ukas",
    acronym="UKAS",
    name="United Kingdom Accreditation Service",
    economy="GB",
    mla_scopes=(MlaScopeFact("ISO 9001"),),
)
DAKKS = AccreditationBodyFact(
    id="ab-dakks", acronym="DAkkS", name="Deutsche Akkreditierungsstelle GmbH", economy="DE"
)
CERT = CertificateFact(
    id="cert-1",
    certificate_number="FS 612345",
    number_key="FS612345",
    certification_body=NBC,
    standard=StandardFact(code="ISO 9001", edition="2015"),
    organization_name="Acme Widgets Ltd",
    organization_country="GB",
    organization_aliases=("Acme",),
    scope="Design and manufacture of industrial widgets and precision gears",
    sectors=(18,),
    sites=(
        SiteFact(country="GB", name="Head office", address="1 High Street, Leeds LS1 4AB"),
        SiteFact(country="IE", name="Cork plant", address="Unit 7, Little Island, Cork"),
    ),
    issue_date=date(2024, 3, 1),
    expiry_date=date(2027, 2, 28),
    original_issue_date=date(2018, 3, 1),
)
ACCREDITATION = AccreditationFact(
    id="acc-1",
    certification_body_id=NBC.id,
    accreditation_body=UKAS,
    accreditation_number="UKAS 4127",
    standard_code="ISO 9001",
    sectors=(),
    valid_from=date(2010, 1, 1),
    valid_until=None,
)
REFERENCE = ChainReference(accreditation_bodies=(UKAS, DAKKS), listed=listed_bodies())
CONTEXT = DocumentContext(certificate=CERT, accreditations=(ACCREDITATION,))
NO_CERT = DocumentContext(certificate=None)


def claim(field: Any, value: str, confidence: float = 0.97, **more: Any) -> ExtractedClaim:
    return ExtractedClaim(field=field, value=value, confidence=confidence, page=1, **more)


def claims(**values: str) -> dict[str, ExtractedClaim]:
    return {name: claim(name, value) for name, value in values.items()}


def outcome(finding: Finding) -> tuple[Outcome, str, Verdict | None]:
    return finding.check.outcome, finding.check.message, finding.verdict


FAIL, WARN, PASS, SKIPPED = Outcome.FAIL, Outcome.WARN, Outcome.PASS, Outcome.SKIPPED
MISMATCH = Verdict.MISMATCH


def test_document_checks_run_after_the_engine_in_a_documented_order() -> None:
    """The codes start with document_ and follow the engine's checks (app/domain/facts.py)."""
    assert [code.value for code in DOCUMENT_CHECKS] == [
        "document_certificate_number",
        "document_certification_body",
        "document_accreditation_body",
        "document_organization",
        "document_identity",
        "document_standard",
        "document_scope",
        "document_countries",
        "document_sites",
        "document_issue_date",
        "document_original_issue_date",
        "document_expiry_date",
    ]
    assert tuple(CheckCode) == (*ENGINE_CHECKS, *DOCUMENT_CHECKS)
    found = document_checks(claims(), None, CONTEXT)
    assert tuple(f.check.code for f in found) == DOCUMENT_CHECKS


# --- dates ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        (
            "2029-02-28",
            (
                FAIL,
                "The document's expiry date 2029-02-28 is later than the registry's 2027-02-28: "
                "the certificate is valid only until the date its issuer records",
                MISMATCH,
            ),
        ),
        (
            "2026-02-28",
            (
                WARN,
                "The document's expiry date 2026-02-28 is earlier than the registry's "
                "2027-02-28: it may be an earlier issue, since renewed or extended",
                None,
            ),
        ),
        ("2027-02-28", (PASS, "The expiry date 2027-02-28 is the registry's", None)),
        (
            "28/02/2029",
            (
                SKIPPED,
                'Not checked: the document\'s expiry date "28/02/2029" is not a date',
                None,
            ),
        ),
    ],
)
def test_a_later_printed_expiry_fails_an_earlier_one_warns(
    printed: str, expected: tuple[Outcome, str, Verdict | None]
) -> None:
    assert outcome(check_document_expiry_date(claims(expiry_date=printed), CONTEXT)) == expected


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        (
            "2025-01-15",
            (
                FAIL,
                "The document's issue date 2025-01-15 is later than the registry's 2024-03-01: "
                "the registry knows no issue of the certificate after it",
                MISMATCH,
            ),
        ),
        (
            "2021-03-01",
            (
                WARN,
                "The document's issue date 2021-03-01 is earlier than the registry's 2024-03-01: "
                "it may be an earlier issue, replaced since; ask for the current one",
                None,
            ),
        ),
        ("2024-03-01", (PASS, "The issue date 2024-03-01 is the registry's", None)),
    ],
)
def test_issue_dates(printed: str, expected: tuple[Outcome, str, Verdict | None]) -> None:
    assert outcome(check_document_issue_date(claims(issue_date=printed), CONTEXT)) == expected


def test_an_original_issue_date_that_differs_only_warns() -> None:
    assert outcome(
        check_document_original_issue_date(claims(original_issue_date="2015-03-01"), CONTEXT)
    ) == (
        WARN,
        "The document's original issue date 2015-03-01 differs from the registry's 2018-03-01",
        None,
    )
    assert (
        check_document_original_issue_date(
            claims(original_issue_date="2018-03-01"), CONTEXT
        ).check.outcome
        is PASS
    )


# --- confidence -----------------------------------------------------------------------------------


def test_a_claim_below_the_confidence_threshold_is_skipped_never_failed() -> None:
    """A misread later expiry at 0.41 confidence: skipped, whatever it says."""
    low = {"expiry_date": claim("expiry_date", "2039-02-28", confidence=0.41)}
    found = check_document_expiry_date(low, CONTEXT)
    assert outcome(found) == (
        SKIPPED,
        "Not checked: the document's expiry date could not be read with confidence (0.41, "
        "below 0.60)",
        None,
    )
    assert MIN_CONFIDENCE == 0.6
    at_threshold = {"expiry_date": claim("expiry_date", "2039-02-28", confidence=0.6)}
    assert check_document_expiry_date(at_threshold, CONTEXT).check.outcome is FAIL


def test_without_a_registry_certificate_the_comparisons_are_skipped() -> None:
    found = check_document_expiry_date(claims(expiry_date="2029-02-28"), NO_CERT)
    assert outcome(found) == (
        SKIPPED,
        "Not checked: no single certificate was found to compare the document with",
        None,
    )
    missing = check_document_scope(claims(), CONTEXT)
    assert outcome(missing) == (SKIPPED, "Not checked: no scope was found in the document", None)


# --- the holder and the identity ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        (
            "ACME WIDGETS LIMITED",
            (
                PASS,
                'The document\'s holder "ACME WIDGETS LIMITED" is the registry\'s "Acme Widgets '
                'Ltd"',
                None,
            ),
        ),
        ("Acme", (PASS, 'The document\'s holder "Acme" is the registry\'s "Acme"', None)),
        (
            "Acme Widgts Ltd",
            (
                WARN,
                'The document\'s holder "Acme Widgts Ltd" nearly matches the registry\'s "Acme '
                'Widgets Ltd": check the spelling',
                None,
            ),
        ),
        (
            "Borealis Tooling GmbH",
            (
                FAIL,
                'The document\'s holder "Borealis Tooling GmbH" is not the registry\'s "Acme '
                'Widgets Ltd": the certificate with this number is held by another organisation',
                MISMATCH,
            ),
        ),
    ],
)
def test_the_holder_is_compared_with_legal_forms_folded(
    printed: str, expected: tuple[Outcome, str, Verdict | None]
) -> None:
    """ "Limited" and "Ltd" agree (app/domain/names.py); another company fails."""
    assert outcome(check_document_organization(claims(organization=printed), CONTEXT)) == expected


@pytest.mark.parametrize(
    ("organization", "expected"),
    [
        (
            claim("organization", "Acme Widgets Ltd"),
            (PASS, "The document is certificate FS 612345: its number and its holder agree", None),
        ),
        (
            claim("organization", "Acme Widgets Ltd", confidence=0.3),
            (
                FAIL,
                "The document could not be tied to certificate FS 612345: its holder could not "
                "be read with confidence. A misread or copied number finds a real certificate, "
                'so compare the holder printed with the registry\'s: "Acme Widgets Ltd"',
                MISMATCH,
            ),
        ),
        (
            None,
            (
                FAIL,
                "The document could not be tied to certificate FS 612345: no holder was found on "
                "it. A misread or copied number finds a real certificate, so compare the holder "
                'printed with the registry\'s: "Acme Widgets Ltd"',
                MISMATCH,
            ),
        ),
        (
            claim("organization", "Acme Widgts Ltd"),
            (
                FAIL,
                "The document could not be tied to certificate FS 612345: its holder only nearly "
                "matches. A misread or copied number finds a real certificate, so compare the "
                'holder printed with the registry\'s: "Acme Widgets Ltd"',
                MISMATCH,
            ),
        ),
        (
            claim("organization", "Borealis Tooling GmbH"),
            (SKIPPED, "Not checked: the holder differs (document_organization)", None),
        ),
    ],
)
def test_a_document_is_tied_to_the_certificate_only_by_an_agreeing_holder(
    organization: ExtractedClaim | None, expected: tuple[Outcome, str, Verdict | None]
) -> None:
    """document_identity: a holder unread, unconfident or nearly matching is not enough."""
    found = {"organization": organization} if organization is not None else {}
    holder = check_document_organization(found, CONTEXT)
    assert outcome(check_document_identity(holder, CONTEXT)) == expected


# --- the number, the issuer, the accreditation body ---------------------------------------------


def test_a_qr_code_that_disagrees_with_the_printed_number_fails() -> None:
    qr = {"certificate_number": claim("certificate_number", "FS 612345")}
    printed = claims(certificate_number="FS 612346")
    assert outcome(check_document_certificate_number(printed, qr, CONTEXT)) == (
        FAIL,
        "The document prints the number FS 612346, but its QR code links to certificate "
        "FS 612345: one of them was changed, or the QR code was copied from another certificate",
        MISMATCH,
    )
    same = claims(certificate_number="fs-612345")
    assert outcome(check_document_certificate_number(same, qr, NO_CERT)) == (
        PASS,
        "The printed number fs-612345 is the one the document's QR code links to",
        None,
    )
    assert outcome(check_document_certificate_number(same, None, CONTEXT)) == (
        PASS,
        "The printed number fs-612345 is the registry's certificate FS 612345",
        None,
    )


@pytest.mark.parametrize(
    ("printed_cb", "expected"),
    [
        (
            NBC,
            (
                PASS,
                'The document\'s issuer "NBC" is Northbridge Certification Ltd, which issued the '
                "registry's certificate",
                None,
            ),
        ),
        (
            QAS,
            (
                FAIL,
                "The document's issuer \"NBC\" is Qualis Auditores SA, but the registry's "
                "certificate was issued by Northbridge Certification Ltd",
                MISMATCH,
            ),
        ),
        (
            None,
            (
                WARN,
                'The document\'s issuer "NBC" is not a certification body this registry knows; '
                "the registry's certificate was issued by Northbridge Certification Ltd: check "
                "the issuer printed",
                None,
            ),
        ),
    ],
)
def test_the_printed_issuer(
    printed_cb: CertificationBodyFact | None, expected: tuple[Outcome, str, Verdict | None]
) -> None:
    context = DocumentContext(certificate=CERT, printed_certification_body=printed_cb)
    found = check_document_certification_body(claims(certification_body="NBC"), context)
    assert outcome(found) == expected


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        (
            "United Kingdom Accreditation Service",
            (
                PASS,
                "The document names UKAS, which accredits Northbridge Certification Ltd for ISO "
                "9001 here",
                None,
            ),
        ),
        (
            "DAkkS",
            (
                WARN,
                "The document names DAkkS, but here Northbridge Certification Ltd is accredited "
                "for ISO 9001 by UKAS",
                None,
            ),
        ),
        (
            "International Accreditation Federation Accreditation Bodies",
            (
                FAIL,
                'The document names "International Accreditation Federation Accreditation '
                'Bodies", a known look-alike accreditation body; here Northbridge Certification '
                "Ltd is "
                "accredited for ISO 9001 by UKAS",
                MISMATCH,
            ),
        ),
        (
            "IAF-AB",
            (
                WARN,
                'The document names "IAF-AB", which could not be identified as an accreditation '
                "body for certain; here Northbridge Certification Ltd is accredited for ISO 9001 "
                "by UKAS",
                None,
            ),
        ),
    ],
)
def test_the_printed_accreditation_body(
    printed: str, expected: tuple[Outcome, str, Verdict | None]
) -> None:
    """A look-alike named in full fails; its acronym alone only warns."""
    context = DocumentContext(
        certificate=CERT,
        accreditation_body=identify_accreditation_body(printed, REFERENCE),
        accreditations=(ACCREDITATION,),
    )
    found = check_document_accreditation_body(claims(accreditation_body=printed), context)
    assert outcome(found) == expected


# --- what is certified ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        (
            "ISO 9001:2015",
            (
                PASS,
                "The document's standard \"ISO 9001:2015\" is the certificate's ISO 9001:2015",
                None,
            ),
        ),
        (
            "EN ISO 9001",
            (
                PASS,
                "The document's standard \"EN ISO 9001\" is the certificate's ISO 9001:2015",
                None,
            ),
        ),
        (
            "ISO 9001:2008",
            (
                FAIL,
                'The document says "ISO 9001:2008" (edition 2008) but the certificate is for ISO '
                "9001:2015",
                MISMATCH,
            ),
        ),
        (
            "ISO 14001:2015",
            (
                FAIL,
                'The document says "ISO 14001:2015" but the certificate is for ISO 9001:2015',
                MISMATCH,
            ),
        ),
    ],
)
def test_the_printed_standard(printed: str, expected: tuple[Outcome, str, Verdict | None]) -> None:
    assert outcome(check_document_standard(claims(standard=printed), CONTEXT)) == expected


@pytest.mark.parametrize(
    ("printed", "expected"),
    [
        (
            "Design and manufacture of industrial widgets",
            (PASS, "The document's scope is within the registry's scope", None),
        ),
        (
            "Design and rnanufacture of indnstrial widgets and precision gears",
            (PASS, "The document's scope is within the registry's scope", None),
        ),
        (
            "Design, manufacture and installation of industrial widgets and boilers",
            (
                FAIL,
                'The document\'s scope is wider than the registry\'s: "installation", "boilers" '
                'are not in the certified scope "Design and manufacture of industrial widgets and '
                'precision gears"',
                MISMATCH,
            ),
        ),
    ],
)
def test_a_wider_printed_scope_fails_a_narrower_one_passes(
    printed: str, expected: tuple[Outcome, str, Verdict | None]
) -> None:
    """Wider: a significant word the registry's scope does not cover (one OCR slip in a long
    word forgiven); narrower: claims less than is certified."""
    assert outcome(check_document_scope(claims(scope=printed), CONTEXT)) == expected


@pytest.mark.parametrize(
    "printed",
    [
        "Konstruktion und Herstellung von Industriewidgets und Präzisionszahnrädern",
        "Production of engineered components for machinery",
    ],
    ids=["german", "paraphrase"],
)
def test_a_scope_worded_otherwise_is_said_not_failed(printed: str) -> None:
    """Most printed words outside the registry's scope: another language (claims are read in
    seven) or a paraphrase, not evidence of a wider scope. Cannot tell: warn, never mismatch."""
    found = check_document_scope(claims(scope=printed), CONTEXT)
    assert (found.check.outcome, found.verdict) == (WARN, None)
    assert found.check.message.startswith(
        "The document's scope is worded differently from the registry's ("
    )
    assert found.check.message.endswith(
        ': compare the two; certified scope "Design and manufacture of industrial widgets and '
        'precision gears"'
    )


def test_a_site_country_not_certified_fails() -> None:
    extra = {"countries": claim("countries", "GB", values=("GB", "FR"))}
    assert outcome(check_document_countries(extra, CONTEXT)) == (
        FAIL,
        "The document places sites in FR, which the registry's certificate does not cover "
        "(only GB, IE)",
        MISMATCH,
    )
    fewer = {"countries": claim("countries", "IE", values=("IE",))}
    assert outcome(check_document_countries(fewer, CONTEXT)) == (
        PASS,
        "The document's site countries (IE) are the certificate's",
        None,
    )


def test_a_site_not_evidently_listed_only_warns() -> None:
    sites = {
        "sites": claim(
            "sites",
            "1 High Street, Leeds",
            values=("1 High Street, Leeds", "Zone Industrielle, Lyon"),
        )
    }
    assert outcome(check_document_sites(sites, CONTEXT)) == (
        WARN,
        'The document lists "Zone Industrielle, Lyon", not evidently among the registry\'s '
        "sites: compare them with the certificate's sites",
        None,
    )


# --- discrepancies --------------------------------------------------------------------------------


def test_discrepancies_list_each_disagreement_with_both_values() -> None:
    found = document_checks(
        claims(
            certificate_number="FS 612345",
            organization="Acme Widgets Ltd",
            expiry_date="2029-02-28",
            issue_date="2021-03-01",
            standard="ISO 9001:2015",
        ),
        None,
        CONTEXT,
    )
    assert {f.check.code: f.check.outcome for f in found if f.check.outcome is not SKIPPED} == {
        CheckCode.DOCUMENT_CERTIFICATE_NUMBER: PASS,
        CheckCode.DOCUMENT_ORGANIZATION: PASS,
        CheckCode.DOCUMENT_IDENTITY: PASS,
        CheckCode.DOCUMENT_STANDARD: PASS,
        CheckCode.DOCUMENT_ISSUE_DATE: WARN,
        CheckCode.DOCUMENT_EXPIRY_DATE: FAIL,
    }
    assert discrepancies(found) == [
        {
            "field": "issue_date",
            "document": "2021-03-01",
            "registry": "2024-03-01",
            "message": "The document's issue date 2021-03-01 is earlier than the registry's "
            "2024-03-01: it may be an earlier issue, replaced since; ask for the current one",
            "check": "document_issue_date",
            "outcome": "warn",
        },
        {
            "field": "expiry_date",
            "document": "2029-02-28",
            "registry": "2027-02-28",
            "message": "The document's expiry date 2029-02-28 is later than the registry's "
            "2027-02-28: the certificate is valid only until the date its issuer records",
            "check": "document_expiry_date",
            "outcome": "fail",
        },
    ]


def test_the_accreditation_body_the_registry_records_agrees_even_when_the_list_flags_it() -> None:
    """NACI is a real AB that lost its IAF membership: the sourced list flags its full name,
    but when the registry records the certificate's CB as accredited by it, a document naming
    it says what the registry says (whether that AB is recognised is `ab_recognition`'s to
    judge from its dated MLA scopes), so it is not a look-alike claim the certificate does not
    rest on."""
    naci = AccreditationBodyFact(
        id="ab-naci", acronym="NACI", name="National Accreditation Center of Iran", economy="IR"
    )
    by_naci = AccreditationFact(
        id="acc-naci",
        certification_body_id=NBC.id,
        accreditation_body=naci,
        accreditation_number="NACI 12",
        standard_code="ISO 9001",
        sectors=(),
        valid_from=date(2010, 1, 1),
        valid_until=None,
    )
    reference = ChainReference(accreditation_bodies=(UKAS, naci), listed=listed_bodies())
    printed = "National Accreditation Center of Iran"
    identified = identify_accreditation_body(printed, reference)
    assert identified.lookalike is True
    context = DocumentContext(
        certificate=CERT, accreditation_body=identified, accreditations=(by_naci,)
    )
    found = check_document_accreditation_body(claims(accreditation_body=printed), context)
    assert outcome(found) == (
        PASS,
        "The document names NACI, which accredits Northbridge Certification Ltd for ISO 9001 here",
        None,
    )
    elsewhere = DocumentContext(
        certificate=CERT, accreditation_body=identified, accreditations=(ACCREDITATION,)
    )
    assert outcome(
        check_document_accreditation_body(claims(accreditation_body=printed), elsewhere)
    ) == (
        FAIL,
        'The document names "National Accreditation Center of Iran", a known look-alike '
        "accreditation body; here Northbridge Certification Ltd is accredited for ISO 9001 by UKAS",
        MISMATCH,
    )
