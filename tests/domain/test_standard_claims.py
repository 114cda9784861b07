"""Standard claims read as a person wrote them: one grammar (DESIGN.md, "Claims"; issue 13).

Each row is a spelling seen on certificates, in tender forms or in supplier questionnaires,
checked against a valid certificate to a shipped edition: `pass`, `fail` (a different standard
or edition: `mismatch`), `warn` (a national adoption's own year) or `skipped` (the grammar
cannot read it: "cannot tell" is never a failure).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from app.domain.facts import (
    AccreditationBodyFact,
    AccreditationFact,
    CertificateFact,
    CertificationBodyFact,
    Claims,
    MlaScopeFact,
    Outcome,
    SiteFact,
    StandardFact,
    Verdict,
    VerificationRequest,
)
from app.domain.standards import (
    StandardName,
    read_standard,
    standard_code_of,
    standard_edition_of,
)
from app.domain.verification import check_standard_match, verify

PASS, FAIL, WARN, SKIP = Outcome.PASS, Outcome.FAIL, Outcome.WARN, Outcome.SKIPPED

SUCCESSORS = {"ISO 9001:2008": "ISO 9001:2015", "ISO/IEC 27001:2013": "ISO/IEC 27001:2022"}
CERTIFIED: dict[str, StandardFact] = {
    label: StandardFact(
        code=label.rpartition(":")[0],
        edition=label.rpartition(":")[2],
        superseded_by=SUCCESSORS.get(label),
    )
    for label in (
        "ISO 9001:2015",
        "ISO 14001:2015",
        "ISO 14001:2026",
        "ISO 45001:2018",
        "OHSAS 18001:2007",
        "ISO/IEC 27001:2022",
        "ISO/IEC 27001:2013",
        "ISO 9001:2008",
        "ISO 22000:2018",
        "ISO 50001:2018",
        "ISO 13485:2016",
        "ISO 22301:2019",
        "ISO/IEC 20000-1:2018",
        "ISO/IEC 27701:2019",
        "ISO/IEC 42001:2023",
        "ISO 37001:2016",
        "ISO 28000:2022",
        "ISO 55001:2024",
        "ISO 39001:2012",
        "ISO 41001:2018",
        "ISO 21001:2018",
        "ISO 37301:2021",
    )
}

SPELLINGS: list[tuple[str, str, Outcome]] = [
    # ISO 9001:2015, the spellings of issue 13 first.
    ("ISO 9001:2015", "EN ISO 9001:2015", PASS),
    ("ISO 9001:2015", "9001:2015", PASS),
    ("ISO 9001:2015", "ISO 9001-2015", PASS),
    ("ISO 9001:2015", "ISO 9001:15", PASS),
    ("ISO 9001:2015", "ISO 9001:2015/Amd 1:2024", PASS),
    ("ISO 9001:2015", "ISO 9001:2015+A1:2024", PASS),
    ("ISO 9001:2015", "BS EN ISO 9001:2015", PASS),
    ("ISO 9001:2015", "DIN EN ISO 9001:2015-11", PASS),
    ("ISO 9001:2015", "PN-EN ISO 9001:2015-10", PASS),
    ("ISO 9001:2015", "UNE-EN ISO 9001:2015", PASS),
    ("ISO 9001:2015", "NF EN ISO 9001:2015", PASS),
    ("ISO 9001:2015", "UNI EN ISO 9001:2015", PASS),
    ("ISO 9001:2015", "ČSN EN ISO 9001:2016", WARN),
    ("ISO 9001:2015", "BS EN ISO 9001:2008", FAIL),
    ("ISO 9001:2015", "SS-EN ISO 9001:2015", PASS),
    ("ISO 9001:2015", "TS EN ISO 9001:2015", PASS),
    ("ISO 9001:2015", "I.S. EN ISO 9001:2015", PASS),
    ("ISO 9001:2015", "iso9001:2015", PASS),
    ("ISO 9001:2015", "ISO9001", PASS),
    ("ISO 9001:2015", "ISO 9001", PASS),
    ("ISO 9001:2015", "9001", PASS),
    ("ISO 9001:2015", "ISO-9001:2015", PASS),
    ("ISO 9001:2015", "ISO 9001 : 2015", PASS),
    ("ISO 9001:2015", "ISO 9001 2015", PASS),
    ("ISO 9001:2015", "ISO 9001/2015", PASS),
    ("ISO 9001:2015", "ISO 9001 (2015)", PASS),
    ("ISO 9001:2015", "ISO 9001, 2015", PASS),
    ("ISO 9001:2015", "ISO 9001 version 2015", PASS),
    ("ISO 9001:2015", "ISO 9001:2015 certified", PASS),
    ("ISO 9001:2015", "ISO 9001:2015 QMS", PASS),
    ("ISO 9001:2015", "ISO 9001:2015 – Quality management systems — Requirements", PASS),
    ("ISO 9001:2015", "ISO 9001:2015 (Quality Management System)", PASS),
    ("ISO 9001:2015", "ＩＳＯ　９００１：２０１５", PASS),
    ("ISO 9001:2015", '"ISO 9001:2015"', PASS),
    ("ISO 9001:2015", "ISO 9001:2015/Cor 1:2016", PASS),
    ("ISO 9001:2015", "AS/NZS ISO 9001:2016", WARN),
    ("ISO 9001:2015", "NBR ISO 9001:2015", PASS),
    ("ISO 9001:2015", "ISO 9001:2008", FAIL),
    ("ISO 9001:2015", "ISO 9001:08", FAIL),
    ("ISO 9001:2015", "ISO 9001:2026", FAIL),
    ("ISO 9001:2015", "ISO 14001:2015", FAIL),
    ("ISO 9001:2015", "ISO 9002:1994", FAIL),
    ("ISO 9001:2015", "9001:2015 and 14001:2015", SKIP),
    ("ISO 9001:2015", "ISO 9001:2015 (ISO 14001:2015)", SKIP),
    ("ISO 9001:2015", "ISO 9001 (2015) (2008)", SKIP),
    ("ISO 9001:2015", "ISO 9001:2015 ISMS", SKIP),
    ("ISO 9001:2015", "ISO 9001 OHSAS", SKIP),
    ("ISO 9001:2008", "BS EN ISO 9001:2015", FAIL),
    ("ISO 9001:2008", "EN ISO 9001:2008", PASS),
    ("ISO 9001:2015", "ISO 9001 / ISO 14001", SKIP),
    ("ISO 9001:2015", "Quality management", SKIP),
    ("ISO 9001:2015", "ISO", SKIP),
    ("ISO 9001:2015", "EN 9100:2018", SKIP),
    ("ISO 9001:2015", "IATF 16949:2016", SKIP),
    ("ISO 9001:2015", "GB/T 19001-2016", SKIP),
    ("ISO 9001:2015", "JIS Q 9001:2015", SKIP),
    ("ISO 9001:2015", "ISO 9001:2200", SKIP),
    ("ISO 9001:2015", "ISO 9001:2015-Quality", SKIP),
    # ISO 14001.
    ("ISO 14001:2015", "EN ISO 14001:2015", PASS),
    ("ISO 14001:2015", "ISO 14001:2015/Amd 1:2024", PASS),
    ("ISO 14001:2015", "ISO 14001:2004", FAIL),
    ("ISO 14001:2015", "ISO 14001:2026", FAIL),
    ("ISO 14001:2026", "EN ISO 14001:2026", PASS),
    ("ISO 14001:2026", "ISO 14001 - 26", PASS),
    # Occupational health and safety: OHSAS is its own family, not ISO 18001.
    ("OHSAS 18001:2007", "BS OHSAS 18001:2007", PASS),
    ("OHSAS 18001:2007", "OHSAS 18001:2007", PASS),
    ("OHSAS 18001:2007", "OHSAS18001", PASS),
    ("OHSAS 18001:2007", "ISO 45001:2018", FAIL),
    ("OHSAS 18001:2007", "ISO 18001", FAIL),
    ("ISO 45001:2018", "ISO 45001:2018/Amd 1:2024", PASS),
    ("ISO 45001:2018", "PN-ISO 45001:2018-06", PASS),
    ("ISO 45001:2018", "BS OHSAS 18001:2007", FAIL),
    # Information security: "ISO 27001" = "ISO/IEC 27001".
    ("ISO/IEC 27001:2022", "ISO 27001", PASS),
    ("ISO/IEC 27001:2022", "ISO/IEC 27001:2022", PASS),
    ("ISO/IEC 27001:2022", "ISO IEC 27001 2022", PASS),
    ("ISO/IEC 27001:2022", "IEC/ISO 27001:2022", PASS),
    ("ISO/IEC 27001:2022", "ISO/IEC 27001:2022/Amd 1:2024", PASS),
    ("ISO/IEC 27001:2022", "EN ISO/IEC 27001:2023", WARN),
    ("ISO/IEC 27001:2022", "EN ISO/IEC 27001:2017", FAIL),
    ("ISO/IEC 27001:2022", "ISO/IEC 27001:2022 ISMS", PASS),
    ("ISO/IEC 27001:2022", "ISO/IEC 27001:2013", FAIL),
    ("ISO/IEC 27001:2022", "ISO 27001:13", FAIL),
    ("ISO/IEC 27001:2022", "ISO 27k", SKIP),
    ("ISO/IEC 27001:2013", "ISO/IEC 27001:2013", PASS),
    # The other shipped standards.
    ("ISO 22000:2018", "ISO 22000:2018", PASS),
    ("ISO 22000:2018", "EN ISO 22000:2018", PASS),
    ("ISO 22000:2018", "ISO 22000:2005", FAIL),
    ("ISO 22000:2018", "FSSC 22000", SKIP),
    ("ISO 50001:2018", "ISO 50001:2018", PASS),
    ("ISO 50001:2018", "ISO 50001:2011", FAIL),
    ("ISO 13485:2016", "EN ISO 13485:2016+A11:2021", PASS),
    ("ISO 13485:2016", "ISO 13485:2003", FAIL),
    ("ISO 22301:2019", "ISO 22301:2019", PASS),
    ("ISO 22301:2019", "ISO 22301:2012", FAIL),
    ("ISO/IEC 20000-1:2018", "ISO/IEC 20000-1:2018", PASS),
    ("ISO/IEC 20000-1:2018", "ISO 20000-1", PASS),
    ("ISO/IEC 20000-1:2018", "ISO/IEC 20000-1:2011", FAIL),
    ("ISO/IEC 20000-1:2018", "ISO 20000", WARN),
    ("ISO/IEC 20000-1:2018", "ISO/IEC 20000-2:2019", FAIL),
    ("ISO/IEC 27701:2019", "ISO/IEC 27701:2019", PASS),
    ("ISO/IEC 27701:2019", "ISO 27701:2025", FAIL),
    ("ISO/IEC 42001:2023", "ISO/IEC 42001:2023", PASS),
    ("ISO/IEC 42001:2023", "ISO 42001", PASS),
    ("ISO 37001:2016", "ISO 37001:2016", PASS),
    ("ISO 37001:2016", "ISO 37001:2025", FAIL),
    ("ISO 28000:2022", "ISO 28000:2022", PASS),
    ("ISO 28000:2022", "ISO 28000:2007", FAIL),
    ("ISO 55001:2024", "ISO 55001:2024", PASS),
    ("ISO 55001:2024", "ISO 55001:2014", FAIL),
    ("ISO 39001:2012", "ISO 39001:2012", PASS),
    ("ISO 41001:2018", "ISO 41001", PASS),
    ("ISO 21001:2018", "ISO 21001:2018", PASS),
    ("ISO 37301:2021", "ISO 37301:2021", PASS),
]


def test_the_table_covers_at_least_sixty_spellings_of_every_outcome() -> None:
    """Issue 13: at least 60 real spellings (pass, fail, unreadable) across shipped standards."""
    assert len(SPELLINGS) >= 60
    assert len({(certified, claimed) for certified, claimed, _ in SPELLINGS}) == len(SPELLINGS)
    assert {outcome for *_, outcome in SPELLINGS} == {PASS, FAIL, WARN, SKIP}
    assert len({certified for certified, *_ in SPELLINGS}) >= 20


def _certificate(standard: StandardFact) -> CertificateFact:
    return CertificateFact(
        id="cert-1",
        certificate_number="Q 100",
        number_key="Q100",
        certification_body=CertificationBodyFact(id="cb-1", name="Bureau Example"),
        standard=standard,
        organization_name="Acme Ltd",
        organization_country="GB",
        organization_aliases=(),
        scope="Manufacture of tubes",
        sectors=(),
        sites=(SiteFact(country="GB"),),
        issue_date=date(2024, 1, 1),
        expiry_date=date(2027, 1, 1),
    )


@pytest.mark.parametrize(
    ("certified", "claimed", "outcome"),
    [pytest.param(*row, id=f"{row[0]} <- {row[1]}") for row in SPELLINGS],
)
def test_standard_claims_as_people_write_them(
    certified: str, claimed: str, outcome: Outcome
) -> None:
    """DESIGN.md, Claims: prefixes, "ISO"/"ISO/IEC"/nothing, ":", "-" or space, two-digit years,
    amendments ignored; a claimed edition must equal the certificate's; unreadable is skipped."""
    finding = check_standard_match(_certificate(CERTIFIED[certified]), claimed)
    assert finding.check.outcome is outcome, finding.check.message
    assert finding.verdict is (Verdict.MISMATCH if outcome is FAIL else None)


def test_an_unreadable_claim_is_skipped_with_the_claim_quoted_and_the_certificate_valid() -> None:
    """DESIGN.md: a claim that cannot be read is `skipped` with a message quoting it."""
    cert = _certificate(CERTIFIED["ISO 9001:2015"])
    finding = check_standard_match(cert, "Quality management")
    assert finding.check.message == (
        'Not checked: the claimed standard "Quality management" could not be read as a '
        'standard; write it as "ISO 9001:2015"'
    )
    assert dict(finding.check.details) == {
        "claimed": "Quality management",
        "certificate_standard": "ISO 9001:2015",
    }


def test_a_read_claim_reports_what_was_understood() -> None:
    """The details say how the claim was read, so a person can see why it passed or failed."""
    cert = _certificate(CERTIFIED["ISO 9001:2015"])
    finding = check_standard_match(cert, "PN-EN ISO 9001:2015-10")
    assert finding.check.message == "The certificate is for ISO 9001:2015"
    assert dict(finding.check.details) == {
        "claimed": "PN-EN ISO 9001:2015-10",
        "certificate_standard": "ISO 9001:2015",
        "claimed_code": "ISO 9001",
        "claimed_edition": "2015",
    }
    national = check_standard_match(cert, "AS/NZS ISO 9001:2016")
    assert national.check.message == (
        'Claimed "AS/NZS ISO 9001:2016", an adoption dated 2016; the certificate is for '
        "ISO 9001:2015: check that the adoption is of that edition"
    )


def test_an_unreadable_standard_claim_leaves_a_valid_certificate_valid() -> None:
    """The verdict of a valid certificate is not `mismatch` because a claim could not be read;
    a readable wrong claim on the same certificate is (the contrast shows the check decides)."""
    cert = replace(_certificate(CERTIFIED["ISO 9001:2015"]), sectors=())
    body = AccreditationBodyFact(
        id="ab-1", acronym="TAB", name="Test AB", mla_scopes=(MlaScopeFact("ISO 9001"),)
    )
    accreditation = AccreditationFact(
        id="acc-1",
        certification_body_id="cb-1",
        accreditation_body=body,
        accreditation_number="TAB 1",
        standard_code="ISO 9001",
        sectors=(),
        valid_from=date(2020, 1, 1),
        valid_until=None,
    )

    def verdict(claim: str) -> Verdict:
        request = VerificationRequest(
            certificate_number="Q 100", as_of=date(2026, 11, 26), claims=Claims(standard=claim)
        )
        return verify(request, [cert], [accreditation]).verdict

    assert verdict("ISO 9001 / ISO 14001") is Verdict.VALID
    assert verdict("ISO 14001") is Verdict.MISMATCH


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("EN ISO 9001:2015", StandardName("ISO 9001", None, national_year="2015")),
        ("ISO 9001:2015", StandardName("ISO 9001", "2015")),
        ("ISO/IEC 20000-1:2018", StandardName("ISO/IEC 20000-1", "2018")),
        ("ISO/IEC 20000-1", StandardName("ISO/IEC 20000-1", None)),
        ("ISO 9001-15", StandardName("ISO 9001", "2015")),
        ("ISO 9001:94", StandardName("ISO 9001", "1994")),
        ("BS OHSAS 18001:2007", StandardName("OHSAS 18001", "2007")),
        ("AS/NZS ISO 9001:2016", StandardName("ISO 9001", None, national_year="2016")),
        ("IEC/ISO 27001", StandardName("ISO/IEC 27001", None)),
    ],
)
def test_the_grammar_reads_code_part_and_edition(text: str, name: StandardName) -> None:
    """The parts of the grammar (app/domain/standards.py): part numbers, two-digit years
    (80..99 = 19xx, 00..79 = 20xx), families, national adoption years."""
    assert read_standard(text) == name


def test_write_input_reads_the_same_grammar_and_needs_an_edition() -> None:
    """Write input and import cells use the same grammar; a certificate is to one edition."""
    assert standard_edition_of("BS EN ISO 9001:2015") == StandardName("ISO 9001", "2015")
    assert standard_edition_of("ISO 9001:2015/Amd 1:2024").label == "ISO 9001:2015"
    with pytest.raises(ValueError, match=r'give the edition, e\.g\. "ISO 9001:2015"'):
        standard_edition_of("ISO 9001")
    with pytest.raises(ValueError, match="standard is empty"):
        standard_edition_of("  ")
    with pytest.raises(ValueError, match='"Quality" is not a standard this service can read'):
        standard_edition_of("Quality")
    assert standard_code_of("EN ISO 9001") == "ISO 9001"
    with pytest.raises(ValueError, match=r'name the standard without edition, e\.g\. "ISO 9001"'):
        standard_code_of("ISO 9001:2015")
