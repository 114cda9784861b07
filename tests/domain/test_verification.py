"""DESIGN.md verification rules, check by check, with dates on both sides of each boundary."""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest

from app.domain.facts import (
    ENGINE_CHECKS,
    VERDICT_PRECEDENCE,
    AccreditationBodyFact,
    AccreditationFact,
    CertificateFact,
    CertificationBodyFact,
    CheckCode,
    CheckResult,
    Claims,
    MlaScopeFact,
    Outcome,
    RecognitionArrangement,
    SiteFact,
    StandardFact,
    Status,
    StatusEvent,
    Verdict,
    VerificationRequest,
    VerificationResult,
)
from app.domain.verification import (
    Finding,
    check_accreditation_sectors,
    check_standard_edition,
    decide_verdict,
    effective_expiry,
    status_at,
    verify,
)

# --- fixed dates and factories ------------------------------------------------------------------

AS_OF = date(2026, 11, 26)
ORIGINAL_ISSUE = date(2021, 3, 1)
ISSUE = date(2024, 3, 1)
EXPIRY = date(2027, 2, 28)  # 94 days after AS_OF: outside the 90-day warning window.
DAY = timedelta(days=1)

CB = CertificationBodyFact(id="cb-1", name="Bureau Example", acronym="BEX")
OTHER_CB = CertificationBodyFact(id="cb-2", name="Other Certification", acronym="OCL")
ISO_9001_2015 = StandardFact(code="ISO 9001", edition="2015")
ISO_27001_2022 = StandardFact(code="ISO/IEC 27001", edition="2022")
TRANSITION_END = date(2025, 10, 31)
ISO_27001_2013 = StandardFact(
    code="ISO/IEC 27001",
    edition="2013",
    transition_deadline=TRANSITION_END,
    superseded_by="ISO/IEC 27001:2022",
    transition_rule_source="IAF MD 26",
)
# The shipped arrangements (app/reference/reference_data.json, `recognition_arrangements`).
ARRANGEMENTS = (
    RecognitionArrangement(
        "IAF Multilateral Recognition Arrangement", "IAF MLA", None, date(2025, 12, 31)
    ),
    RecognitionArrangement(
        "Global Accreditation Cooperation Incorporated Mutual Recognition Arrangement",
        "Global ACI MRA",
        date(2026, 1, 1),
        None,
    ),
)
ORG = "Acme Manufacturing Ltd"
SUBJECT = f"Certificate FS 612345 for ISO 9001:2015 held by {ORG}"


def mla(
    code: str = "ISO 9001", since: date | None = date(1998, 1, 1), until: date | None = None
) -> MlaScopeFact:
    """An MLA recognition of one standard code."""
    return MlaScopeFact(standard_code=code, since=since, until=until)


def accreditation_body(
    acronym: str = "UKAS",
    *,
    scopes: Sequence[MlaScopeFact] | None = None,
    complete: bool = True,
) -> AccreditationBodyFact:
    """An AB recognised for ISO 9001 and ISO/IEC 27001 unless told otherwise."""
    return AccreditationBodyFact(
        id=f"ab-{acronym.lower()}",
        acronym=acronym,
        name=f"{acronym} National Accreditation",
        economy="GB",
        mla_scopes=(mla(), mla("ISO/IEC 27001")) if scopes is None else tuple(scopes),
        mla_scopes_complete=complete,
    )


def accreditation(
    accreditation_id: str = "acc-1",
    *,
    body: AccreditationBodyFact | None = None,
    standard_code: str = "ISO 9001",
    sectors: Sequence[int] = (17, 28),
    valid_from: date = date(2020, 1, 1),
    valid_until: date | None = None,
    events: Sequence[StatusEvent] = (),
    certification_body_id: str = CB.id,
) -> AccreditationFact:
    """An accreditation of the CB for ISO 9001 by UKAS, valid from 2020 with no end."""
    return AccreditationFact(
        id=accreditation_id,
        certification_body_id=certification_body_id,
        accreditation_body=body or accreditation_body(),
        accreditation_number=f"{accreditation_id.upper()}-N",
        standard_code=standard_code,
        sectors=tuple(sectors),
        valid_from=valid_from,
        valid_until=valid_until,
        status_events=tuple(events),
    )


def certificate(**changes: Any) -> CertificateFact:
    """An active ISO 9001:2015 certificate issued by the CB, with any field changed."""
    base = CertificateFact(
        id="cert-1",
        certificate_number="FS 612345",
        number_key="FS612345",
        certification_body=CB,
        standard=ISO_9001_2015,
        organization_name=ORG,
        organization_country="GB",
        organization_aliases=("Acme UK",),
        scope="Design and manufacture of steel tubes and pipes",
        sectors=(17,),
        sites=(SiteFact(country="GB", name="Head office", address="1 Mill Lane, Leeds"),),
        issue_date=ISSUE,
        expiry_date=EXPIRY,
        original_issue_date=ORIGINAL_ISSUE,
    )
    return replace(base, **changes)


def iso_27001_certificate(**changes: Any) -> CertificateFact:
    """An ISO/IEC 27001:2013 certificate printed to expire after the 2025-10-31 transition end."""
    values: dict[str, Any] = {
        "standard": ISO_27001_2013,
        "sectors": (),
        "original_issue_date": date(2020, 6, 1),
        "issue_date": date(2023, 6, 1),
        "expiry_date": date(2026, 5, 31),
    }
    values.update(changes)
    return certificate(**values)


def event(status: Status, effective_from: date, reason: str | None = None) -> StatusEvent:
    """A dated status change."""
    return StatusEvent(status=status, effective_from=effective_from, reason=reason)


def request(
    *,
    as_of: date = AS_OF,
    claims: Claims | None = None,
    named: str | None = None,
    in_registry: bool | None = None,
    recognised: bool | None = None,
    resolved: str | None = None,
    elsewhere: Sequence[CertificateFact] = (),
) -> VerificationRequest:
    """A verification of "FS 612345" on AS_OF."""
    return VerificationRequest(
        certificate_number="FS 612345",
        as_of=as_of,
        claims=claims or Claims(),
        certification_body_named=named,
        certification_body_in_registry=in_registry,
        certification_body_recognised=recognised,
        certification_body_name=resolved,
        elsewhere=tuple(elsewhere),
        recognition_arrangements=ARRANGEMENTS,
    )


def verify_one(
    cert: CertificateFact | None = None,
    accreditations: Sequence[AccreditationFact] | None = None,
    *,
    as_of: date = AS_OF,
    claims: Claims | None = None,
) -> VerificationResult:
    """Verify one found certificate (default: valid) against its CB's accreditations."""
    default_accreditations = [accreditation()]
    if cert is not None and cert.standard.code == "ISO/IEC 27001":
        default_accreditations = [accreditation(standard_code="ISO/IEC 27001", sectors=())]
    return verify(
        request(as_of=as_of, claims=claims),
        [cert or certificate()],
        default_accreditations if accreditations is None else accreditations,
    )


def check(result: VerificationResult, code: CheckCode) -> CheckResult:
    """The result of one check."""
    return next(item for item in result.checks if item.code is code)


def failed(result: VerificationResult) -> set[CheckCode]:
    """Codes of the failed checks."""
    return {item.code for item in result.checks if item.outcome is Outcome.FAIL}


# --- every verdict ------------------------------------------------------------------------------


VERDICT_CASES: list[Any] = [
    pytest.param(lambda: verify_one(), Verdict.VALID, set(), id="valid"),
    pytest.param(
        lambda: verify(request(), [], []),
        Verdict.NOT_FOUND,
        {CheckCode.CERTIFICATE_FOUND},
        id="not_found",
    ),
    pytest.param(
        lambda: verify(
            request(), [certificate(), certificate(id="cert-2", certification_body=OTHER_CB)], []
        ),
        Verdict.AMBIGUOUS,
        {CheckCode.CERTIFICATE_FOUND},
        id="ambiguous",
    ),
    pytest.param(
        lambda: verify_one(certificate(status_events=(event(Status.WITHDRAWN, ISSUE),))),
        Verdict.WITHDRAWN,
        {CheckCode.CERTIFICATE_STATUS},
        id="withdrawn",
    ),
    pytest.param(
        lambda: verify_one(certificate(status_events=(event(Status.SUSPENDED, ISSUE),))),
        Verdict.SUSPENDED,
        {CheckCode.CERTIFICATE_STATUS},
        id="suspended",
    ),
    pytest.param(
        lambda: verify_one(as_of=EXPIRY + DAY),
        Verdict.EXPIRED,
        {CheckCode.VALIDITY_PERIOD},
        id="expired",
    ),
    pytest.param(
        lambda: verify_one(as_of=ORIGINAL_ISSUE - DAY),
        Verdict.NOT_YET_VALID,
        {CheckCode.VALIDITY_PERIOD},
        id="not_yet_valid",
    ),
    pytest.param(
        lambda: verify_one(iso_27001_certificate(), as_of=TRANSITION_END + DAY),
        Verdict.OUTDATED_STANDARD,
        {CheckCode.STANDARD_EDITION},
        id="outdated_standard",
    ),
    pytest.param(
        lambda: verify_one(accreditations=[]),
        Verdict.NOT_ACCREDITED,
        {CheckCode.CB_ACCREDITATION},
        id="not_accredited",
    ),
    pytest.param(
        lambda: verify_one(claims=Claims(organization="Globex Corporation")),
        Verdict.MISMATCH,
        {CheckCode.ORGANIZATION_MATCH},
        id="mismatch",
    ),
]


@pytest.mark.parametrize(("scenario", "verdict", "failed_checks"), VERDICT_CASES)
def test_each_verdict_comes_from_its_failing_check(
    scenario: Callable[[], VerificationResult], verdict: Verdict, failed_checks: set[CheckCode]
) -> None:
    """DESIGN.md, Verification rules: each verdict is produced by its check's failure."""
    result = scenario()
    assert result.verdict is verdict
    assert failed(result) == failed_checks


def test_every_verdict_is_covered_by_the_table() -> None:
    """The verdict table above names every verdict the API can answer."""
    assert {case.values[1] for case in VERDICT_CASES} == set(Verdict)


def test_checks_run_in_design_order_and_a_clean_certificate_passes_every_check() -> None:
    """DESIGN.md: checks run in the documented order; unasked claims are skipped."""
    result = verify_one()
    assert tuple(item.code for item in result.checks) == ENGINE_CHECKS
    assert [item.outcome for item in result.checks] == [Outcome.PASS] * 7 + [Outcome.SKIPPED] * 4
    assert result.warnings == ()
    assert result.certificate == certificate()
    assert result.accreditation == accreditation()
    assert result.certificate_status is Status.ACTIVE
    assert result.candidates == ()
    assert result.summary == f"{SUBJECT} is valid on 2026-11-26."


# --- precedence ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("earlier", "later"), list(itertools.combinations(VERDICT_PRECEDENCE[:-1], 2))
)
def test_decide_verdict_takes_the_first_failure_in_precedence(
    earlier: Verdict, later: Verdict
) -> None:
    """DESIGN.md: the verdict is the first failure in the precedence, whatever the check order."""
    findings = [
        Finding(CheckResult(CheckCode.SCOPE_MATCH, Outcome.FAIL, "later"), later),
        Finding(CheckResult(CheckCode.CERTIFICATE_FOUND, Outcome.FAIL, "earlier"), earlier),
    ]
    assert decide_verdict(findings) is earlier


def test_decide_verdict_is_valid_without_failures() -> None:
    """DESIGN.md: no failure means valid, warnings or not."""
    findings = [Finding(CheckResult(CheckCode.SCOPE_MATCH, Outcome.WARN, "warned"))]
    assert decide_verdict(findings) is Verdict.VALID


@pytest.mark.parametrize(
    ("scenario", "verdict", "failed_checks"),
    [
        pytest.param(
            lambda: verify_one(
                certificate(status_events=(event(Status.WITHDRAWN, ISSUE),)), as_of=EXPIRY + DAY
            ),
            Verdict.WITHDRAWN,
            {CheckCode.CERTIFICATE_STATUS, CheckCode.VALIDITY_PERIOD},
            id="withdrawn+expired->withdrawn",
        ),
        pytest.param(
            lambda: verify_one(
                certificate(status_events=(event(Status.SUSPENDED, date(2021, 1, 1)),)),
                as_of=ORIGINAL_ISSUE - DAY,
            ),
            Verdict.SUSPENDED,
            {CheckCode.CERTIFICATE_STATUS, CheckCode.VALIDITY_PERIOD},
            id="suspended(backdated)+not_yet_valid->suspended",
        ),
        pytest.param(
            lambda: verify_one(iso_27001_certificate(), as_of=date(2026, 6, 1)),
            Verdict.EXPIRED,
            {CheckCode.VALIDITY_PERIOD, CheckCode.STANDARD_EDITION},
            id="expired+outdated->expired",
        ),
        pytest.param(
            lambda: verify_one(iso_27001_certificate(), [], as_of=TRANSITION_END + DAY),
            Verdict.OUTDATED_STANDARD,
            {CheckCode.STANDARD_EDITION, CheckCode.CB_ACCREDITATION},
            id="outdated+not_accredited->outdated",
        ),
        pytest.param(
            lambda: verify_one(
                accreditations=[], claims=Claims(organization="Globex", country="FR")
            ),
            Verdict.NOT_ACCREDITED,
            {
                CheckCode.CB_ACCREDITATION,
                CheckCode.ORGANIZATION_MATCH,
                CheckCode.SITE_MATCH,
            },
            id="not_accredited+mismatch->not_accredited",
        ),
    ],
)
def test_precedence_reports_the_first_failure_and_still_runs_every_check(
    scenario: Callable[[], VerificationResult], verdict: Verdict, failed_checks: set[CheckCode]
) -> None:
    """DESIGN.md: all checks run so the answer shows every problem; the verdict is the first."""
    result = scenario()
    assert result.verdict is verdict
    assert failed(result) == failed_checks


# --- certificate_found --------------------------------------------------------------------------


COPIED = certificate(id="cert-9", certification_body=OTHER_CB)


@pytest.mark.parametrize(
    ("named", "recognised", "in_registry", "elsewhere", "message", "summary"),
    [
        pytest.param(
            "bureau example ltd",
            True,
            True,
            (),
            "No certificate FS 612345 among Bureau Example's published certificates; "
            "ask the issuer to confirm it",
            "Certificate FS 612345 was not found in Bureau Example's published certificates; "
            "ask the issuer before relying on it.",
            id="recognised-publishes",
        ),
        pytest.param(
            "BEX",
            True,
            False,
            (),
            "Bureau Example publishes no certificate to this registry, so certificate "
            "FS 612345 cannot be found here; ask the issuer to confirm it",
            "Certificate FS 612345 was not found because Bureau Example publishes no "
            "certificate to this registry; ask the issuer to confirm it.",
            id="recognised-publishes-nothing",
        ),
        pytest.param(
            "BEX",
            True,
            True,
            (COPIED,),
            "No certificate FS 612345 among Bureau Example's published certificates. The number "
            "belongs to a certificate of Other Certification: a real number copied onto another "
            "issuer's certificate is a common forgery; ask Bureau Example to confirm it",
            "Certificate FS 612345 was not found among Bureau Example's certificates, but Other "
            "Certification issued a certificate with this number: ask Bureau Example before "
            "relying on it.",
            id="number-of-another-cb",
        ),
        pytest.param(
            "Unknown Certs Ltd",
            False,
            False,
            (),
            '"Unknown Certs Ltd" is not a certification body this registry knows, and no '
            "certificate FS 612345 is published here; check the name printed on the "
            "certificate and ask the issuer to confirm it",
            'Certificate FS 612345 was not found, and "Unknown Certs Ltd" is not a certification '
            "body this registry knows; check the issuer's name and ask it to confirm the "
            "certificate.",
            id="not-recognised",
        ),
        pytest.param(
            None,
            None,
            None,
            (),
            "No certificate FS 612345 in this registry; name the certification body",
            "Certificate FS 612345 was not found in this registry; name the certification body "
            "or ask the issuer.",
            id="none-named",
        ),
    ],
)
def test_not_found_says_whether_the_named_cb_publishes_here_and_was_recognised(
    named: str | None,
    recognised: bool | None,
    in_registry: bool | None,
    elsewhere: tuple[CertificateFact, ...],
    message: str,
    summary: str,
) -> None:
    """DESIGN.md: a not_found says whether the named CB publishes to this registry at all (it
    has a public certificate here), separately whether it was recognised, and lists the same
    number at other CBs (a copied number is a common forgery)."""
    resolved = CB.name if recognised else None
    result = verify(
        request(
            named=named,
            in_registry=in_registry,
            recognised=recognised,
            resolved=resolved,
            elsewhere=elsewhere,
        ),
        [],
        [],
    )
    found = check(result, CheckCode.CERTIFICATE_FOUND)
    assert result.verdict is Verdict.NOT_FOUND
    assert (found.outcome, found.message) == (Outcome.FAIL, message)
    assert dict(found.details) == {
        "certification_body_in_registry": in_registry,
        "certification_body_recognised": recognised,
        "same_number_elsewhere": [
            {
                "id": "cert-9",
                "certificate_number": "FS 612345",
                "certification_body": {
                    "id": "cb-2",
                    "name": "Other Certification",
                    "acronym": OTHER_CB.acronym,
                },
            }
        ]
        if elsewhere
        else [],
    }
    assert result.summary == summary
    assert (result.certificate, result.accreditation, result.certificate_status) == (
        None,
        None,
        None,
    )
    assert result.candidates == ()


def test_a_named_cb_that_is_not_recognised_does_not_hide_the_certificate() -> None:
    """DESIGN.md, CB resolution: the number exists, the named CB resolves to nothing: the answer
    is about that certificate, with a warning that the named CB was not recognised."""
    result = verify(
        request(named="Bureau Exampel", recognised=False, in_registry=False),
        [certificate()],
        [accreditation()],
    )
    found = check(result, CheckCode.CERTIFICATE_FOUND)
    assert result.verdict is Verdict.VALID
    assert found.outcome is Outcome.WARN
    assert found.message == (
        'Certificate FS 612345 issued by Bureau Example; the named certification body "Bureau '
        'Exampel" was not recognised: this answer is about that certificate, so check that it '
        "is the issuer printed on yours"
    )
    assert result.warnings[0] == found.message
    ambiguous = verify(
        request(named="Nobody", recognised=False, in_registry=False),
        [certificate(), certificate(id="cert-2", certification_body=OTHER_CB)],
        [],
    )
    assert ambiguous.verdict is Verdict.AMBIGUOUS
    assert check(ambiguous, CheckCode.CERTIFICATE_FOUND).message == (
        "2 certificates are numbered FS 612345 (Bureau Example, Other Certification); the named "
        'certification body "Nobody" was not recognised; name the certification body to choose '
        "one"
    )


def test_ambiguous_lists_candidates_and_asks_for_the_cb() -> None:
    """DESIGN.md: several CBs with the same number is ambiguous; the candidates are returned."""
    candidates = [certificate(), certificate(id="cert-2", certification_body=OTHER_CB)]
    result = verify(request(), candidates, [accreditation()])
    found = check(result, CheckCode.CERTIFICATE_FOUND)
    assert result.verdict is Verdict.AMBIGUOUS
    assert result.candidates == tuple(candidates)
    assert found.message == (
        "2 certificates are numbered FS 612345 (Bureau Example, Other Certification); "
        "name the certification body to choose one"
    )
    assert dict(found.details) == {
        "candidate_ids": ["cert-1", "cert-2"],
        "certification_body_ids": ["cb-1", "cb-2"],
        "certification_body_recognised": None,
    }
    assert result.summary == (
        "Certificate number FS 612345 was issued by 2 certification bodies (Bureau Example, "
        "Other Certification); name the certification body to get one answer."
    )
    assert result.certificate is None


@pytest.mark.parametrize(
    "candidates",
    [
        pytest.param([], id="not_found"),
        pytest.param([certificate(), certificate()], id="ambiguous"),
    ],
)
def test_after_not_found_or_ambiguous_every_later_check_is_skipped(
    candidates: list[CertificateFact],
) -> None:
    """DESIGN.md: after not_found or ambiguous, every later check is skipped."""
    result = verify(request(claims=Claims(organization="Acme")), candidates, [accreditation()])
    assert tuple(item.code for item in result.checks) == ENGINE_CHECKS
    for item in result.checks[1:]:
        assert (item.outcome, item.message) == (
            Outcome.SKIPPED,
            "Not checked: no single certificate was found",
        )
    assert result.warnings == ()


def test_single_candidate_is_found() -> None:
    """DESIGN.md: one certificate with the key is the one checked."""
    found = check(verify_one(), CheckCode.CERTIFICATE_FOUND)
    assert (found.outcome, found.message) == (
        Outcome.PASS,
        "Certificate FS 612345 issued by Bureau Example",
    )


# --- certificate_status -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("events", "outcome", "message", "status"),
    [
        pytest.param((), Outcome.PASS, "Active since 2024-03-01", Status.ACTIVE, id="no-events"),
        pytest.param(
            (event(Status.WITHDRAWN, AS_OF),),
            Outcome.FAIL,
            "Withdrawn since 2026-11-26",
            Status.WITHDRAWN,
            id="withdrawal-effective-on-as_of-counts",
        ),
        pytest.param(
            (event(Status.WITHDRAWN, AS_OF + DAY),),
            Outcome.PASS,
            "Active since 2024-03-01",
            Status.ACTIVE,
            id="future-dated-withdrawal-does-not-count",
        ),
        pytest.param(
            (event(Status.SUSPENDED, date(2025, 5, 1), "non-payment"),),
            Outcome.FAIL,
            "Suspended since 2025-05-01 (non-payment)",
            Status.SUSPENDED,
            id="suspended-with-reason",
        ),
        pytest.param(
            (event(Status.SUSPENDED, date(2025, 5, 1)), event(Status.ACTIVE, date(2025, 6, 1))),
            Outcome.PASS,
            "Active since 2025-06-01",
            Status.ACTIVE,
            id="reinstated",
        ),
        pytest.param(
            (event(Status.ACTIVE, date(2025, 6, 1)), event(Status.SUSPENDED, date(2025, 5, 1))),
            Outcome.PASS,
            "Active since 2025-06-01",
            Status.ACTIVE,
            id="latest-effective-date-wins-not-latest-recorded",
        ),
        pytest.param(
            (event(Status.SUSPENDED, date(2025, 5, 1)), event(Status.ACTIVE, date(2025, 5, 1))),
            Outcome.PASS,
            "Active since 2025-05-01",
            Status.ACTIVE,
            id="same-day-later-in-sequence-wins",
        ),
        pytest.param(
            (event(Status.ACTIVE, date(2025, 5, 1)), event(Status.SUSPENDED, date(2025, 5, 1))),
            Outcome.FAIL,
            "Suspended since 2025-05-01",
            Status.SUSPENDED,
            id="same-day-later-in-sequence-wins-suspended",
        ),
        pytest.param(
            (event(Status.WITHDRAWN, date(2023, 1, 1)),),
            Outcome.FAIL,
            "Withdrawn since 2023-01-01",
            Status.WITHDRAWN,
            id="back-dated-before-issue",
        ),
    ],
)
def test_certificate_status_is_the_latest_change_effective_on_or_before_as_of(
    events: tuple[StatusEvent, ...], outcome: Outcome, message: str, status: Status
) -> None:
    """ISO/IEC 17021-1 §9.6 and DESIGN.md: status at as_of; active from issue date by default."""
    result = verify_one(certificate(status_events=events))
    status_check = check(result, CheckCode.CERTIFICATE_STATUS)
    assert (status_check.outcome, status_check.message) == (outcome, message)
    assert result.certificate_status is status


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        pytest.param(ISSUE, "Active since 2024-03-01", id="on-issue-date"),
        pytest.param(ISSUE - DAY, "Active since 2021-03-01", id="before-renewal-issue-date"),
    ],
)
def test_certificate_is_active_from_its_issue_date_by_default(as_of: date, message: str) -> None:
    """DESIGN.md: a new certificate is active from its issue date (its original one, if renewed)."""
    status_check = check(verify_one(as_of=as_of), CheckCode.CERTIFICATE_STATUS)
    assert (status_check.outcome, status_check.message) == (Outcome.PASS, message)


def test_status_at_falls_back_to_the_default_before_any_change() -> None:
    """DESIGN.md: before any change is effective, the default status applies."""
    events = (event(Status.SUSPENDED, date(2025, 5, 1)),)
    assert status_at(events, date(2025, 4, 30), Status.ACTIVE) is Status.ACTIVE
    assert status_at(events, date(2025, 4, 30), None) is None
    assert status_at(events, date(2025, 5, 1), None) is Status.SUSPENDED
    assert status_at((), AS_OF, None) is None


# --- validity_period ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cert", "as_of", "outcome", "message", "verdict"),
    [
        pytest.param(
            certificate(),
            EXPIRY,
            Outcome.WARN,
            "Expires today (2027-02-28)",
            Verdict.VALID,
            id="expiry-day-itself-valid",
        ),
        pytest.param(
            certificate(),
            EXPIRY + DAY,
            Outcome.FAIL,
            "Expired: valid through 2027-02-28",
            Verdict.EXPIRED,
            id="day-after-expiry-expired",
        ),
        pytest.param(
            certificate(),
            ORIGINAL_ISSUE,
            Outcome.PASS,
            "Valid from 2021-03-01 through 2027-02-28",
            Verdict.VALID,
            id="original-issue-day-valid",
        ),
        pytest.param(
            certificate(),
            ORIGINAL_ISSUE - DAY,
            Outcome.FAIL,
            "Not yet valid: valid from 2021-03-01",
            Verdict.NOT_YET_VALID,
            id="day-before-original-issue-not-yet-valid",
        ),
        pytest.param(
            certificate(original_issue_date=None),
            ISSUE,
            Outcome.PASS,
            "Valid from 2024-03-01 through 2027-02-28",
            Verdict.VALID,
            id="issue-day-when-no-original",
        ),
        pytest.param(
            certificate(original_issue_date=None),
            ISSUE - DAY,
            Outcome.FAIL,
            "Not yet valid: valid from 2024-03-01",
            Verdict.NOT_YET_VALID,
            id="day-before-issue-when-no-original",
        ),
        pytest.param(
            certificate(),
            EXPIRY - 90 * DAY,
            Outcome.WARN,
            "Expires in 90 days (2027-02-28)",
            Verdict.VALID,
            id="90th-day-warns",
        ),
        pytest.param(
            certificate(),
            EXPIRY - 91 * DAY,
            Outcome.PASS,
            "Valid from 2021-03-01 through 2027-02-28",
            Verdict.VALID,
            id="91st-day-passes",
        ),
        pytest.param(
            certificate(),
            EXPIRY - DAY,
            Outcome.WARN,
            "Expires in 1 day (2027-02-28)",
            Verdict.VALID,
            id="one-day-left",
        ),
    ],
)
def test_validity_period_is_inclusive_and_warns_within_90_days(
    cert: CertificateFact, as_of: date, outcome: Outcome, message: str, verdict: Verdict
) -> None:
    """DESIGN.md: valid from original issue through expiry, inclusive; 90-day window inclusive."""
    result = verify_one(cert, as_of=as_of)
    validity = check(result, CheckCode.VALIDITY_PERIOD)
    assert (validity.outcome, validity.message) == (outcome, message)
    assert result.verdict is verdict
    assert result.warnings == ((message,) if outcome is Outcome.WARN else ())


def test_validity_period_details_are_machine_readable() -> None:
    """API.md: check details carry ISO dates and numbers."""
    validity = check(verify_one(as_of=EXPIRY - 42 * DAY), CheckCode.VALIDITY_PERIOD)
    assert dict(validity.details) == {
        "valid_from": "2021-03-01",
        "expiry_date": "2027-02-28",
        "days_to_expiry": 42,
    }


# --- standard_edition ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "outcome", "message"),
    [
        pytest.param(
            TRANSITION_END,
            Outcome.WARN,
            "The transition from ISO/IEC 27001:2013 ends today (2025-10-31, set by IAF MD 26); "
            "certificates to it expire then",
            id="deadline-day-itself-ok",
        ),
        pytest.param(
            TRANSITION_END + DAY,
            Outcome.FAIL,
            "ISO/IEC 27001:2013 was superseded by ISO/IEC 27001:2022: certificates to it expired "
            "at the end of the transition on 2025-10-31, the deadline set by IAF MD 26",
            id="day-after-deadline-outdated",
        ),
        pytest.param(
            TRANSITION_END - 180 * DAY,
            Outcome.WARN,
            "The transition from ISO/IEC 27001:2013 ends in 180 days (2025-10-31, set by IAF MD "
            "26); "
            "certificates to it expire then",
            id="180th-day-warns",
        ),
        pytest.param(
            TRANSITION_END - 181 * DAY,
            Outcome.PASS,
            "ISO/IEC 27001:2013 was superseded by ISO/IEC 27001:2022; its transition ends on "
            "2025-10-31, set by IAF MD 26",
            id="181st-day-passes",
        ),
    ],
)
def test_standard_edition_outdated_from_the_day_after_the_transition_deadline(
    as_of: date, outcome: Outcome, message: str
) -> None:
    """IAF Resolution 2017-13: an old edition is valid through its deadline, whatever is printed."""
    result = verify_one(iso_27001_certificate(), as_of=as_of)
    edition = check(result, CheckCode.STANDARD_EDITION)
    assert (edition.outcome, edition.message) == (outcome, message)
    assert edition.details["effective_expiry"] == "2025-10-31"
    assert result.verdict is (
        Verdict.OUTDATED_STANDARD if outcome is Outcome.FAIL else Verdict.VALID
    )


def test_standard_edition_without_deadline_passes() -> None:
    """DESIGN.md: a current edition has no transition deadline and passes."""
    edition = check_standard_edition(certificate(), AS_OF).check
    assert (edition.outcome, edition.message) == (
        Outcome.PASS,
        "ISO 9001:2015 is current (no transition deadline)",
    )
    assert edition.details["effective_expiry"] == "2027-02-28"


def test_a_superseded_edition_without_deadline_is_not_called_current() -> None:
    """Reference data: ISO 14001:2015 is superseded by ISO 14001:2026 with no transition deadline
    decided yet: it passes, and the message says it was superseded."""
    standard = StandardFact(code="ISO 14001", edition="2015", superseded_by="ISO 14001:2026")
    edition = check_standard_edition(certificate(standard=standard), AS_OF).check
    assert (edition.outcome, edition.message) == (
        Outcome.PASS,
        "ISO 14001:2015 was superseded by ISO 14001:2026; no transition deadline is on record yet",
    )


@pytest.mark.parametrize(
    ("cert", "expected"),
    [
        (certificate(), EXPIRY),
        (iso_27001_certificate(), TRANSITION_END),
        (iso_27001_certificate(expiry_date=date(2025, 9, 30)), date(2025, 9, 30)),
    ],
)
def test_effective_expiry_is_printed_expiry_capped_by_transition_deadline(
    cert: CertificateFact, expected: date
) -> None:
    """IAF Resolution 2017-13: certificates to an old edition end with its transition."""
    assert effective_expiry(cert) == expected


# --- cb_accreditation ---------------------------------------------------------------------------

DAKKS = accreditation_body("DAkkS")
NO_ACCREDITATION = "Bureau Example holds no accreditation for ISO 9001"


@pytest.mark.parametrize(
    ("accreditations", "outcome", "message", "reported"),
    [
        pytest.param([], Outcome.FAIL, NO_ACCREDITATION, None, id="none"),
        pytest.param(
            [accreditation(standard_code="ISO 14001")],
            Outcome.FAIL,
            NO_ACCREDITATION,
            None,
            id="other-standard-only",
        ),
        pytest.param(
            [accreditation(certification_body_id=OTHER_CB.id)],
            Outcome.FAIL,
            NO_ACCREDITATION,
            None,
            id="other-cb-only",
        ),
        pytest.param(
            [accreditation(valid_from=ISSUE)],
            Outcome.PASS,
            "Bureau Example was accredited for ISO 9001 on the issue date 2024-03-01 "
            "and is on 2026-11-26",
            "acc-1",
            id="valid_from-on-issue-date",
        ),
        pytest.param(
            [accreditation(valid_from=ISSUE + DAY)],
            Outcome.FAIL,
            "Bureau Example was not accredited for ISO 9001 on the issue date 2024-03-01 "
            "(no accreditation within its validity)",
            "acc-1",
            id="valid_from-day-after-issue-date",
        ),
        pytest.param(
            [accreditation(valid_until=AS_OF)],
            Outcome.PASS,
            "Bureau Example was accredited for ISO 9001 on the issue date 2024-03-01 "
            "and is on 2026-11-26",
            "acc-1",
            id="valid_until-on-as_of",
        ),
        pytest.param(
            [accreditation(valid_until=AS_OF - DAY)],
            Outcome.FAIL,
            "Bureau Example is not accredited for ISO 9001 on 2026-11-26 "
            "(no accreditation within its validity)",
            "acc-1",
            id="valid_until-day-before-as_of",
        ),
        pytest.param(
            [accreditation(events=[event(Status.SUSPENDED, AS_OF)])],
            Outcome.FAIL,
            "Bureau Example is not accredited for ISO 9001 on 2026-11-26 (accreditation suspended)",
            "acc-1",
            id="suspended-on-as_of",
        ),
        pytest.param(
            [accreditation(events=[event(Status.SUSPENDED, AS_OF + DAY)])],
            Outcome.PASS,
            "Bureau Example was accredited for ISO 9001 on the issue date 2024-03-01 "
            "and is on 2026-11-26",
            "acc-1",
            id="suspension-after-as_of",
        ),
        pytest.param(
            [accreditation(events=[event(Status.WITHDRAWN, date(2023, 1, 1))])],
            Outcome.FAIL,
            "Bureau Example is not accredited for ISO 9001 on 2026-11-26 (accreditation withdrawn) "
            "and was not on the issue date 2024-03-01 (accreditation withdrawn)",
            "acc-1",
            id="withdrawn-before-issue",
        ),
        pytest.param(
            [
                accreditation(
                    events=[
                        event(Status.SUSPENDED, date(2024, 2, 1)),
                        event(Status.ACTIVE, date(2024, 4, 1)),
                    ]
                )
            ],
            Outcome.FAIL,
            "Bureau Example was not accredited for ISO 9001 on the issue date 2024-03-01 "
            "(accreditation suspended)",
            "acc-1",
            id="suspended-on-issue-date-reinstated-since",
        ),
        pytest.param(
            [
                accreditation("acc-old", valid_from=date(2019, 1, 1), valid_until=date(2025, 1, 1)),
                accreditation("acc-new", body=DAKKS, valid_from=date(2025, 1, 2)),
            ],
            Outcome.PASS,
            "Bureau Example was accredited for ISO 9001 on the issue date 2024-03-01 "
            "and is on 2026-11-26",
            "acc-new",
            id="renewed-by-new-record-with-another-ab",
        ),
        pytest.param(
            [
                accreditation("acc-old", valid_from=date(2019, 1, 1), valid_until=ISSUE - DAY),
                accreditation("acc-new", body=DAKKS, valid_from=ISSUE + DAY),
            ],
            Outcome.FAIL,
            "Bureau Example was not accredited for ISO 9001 on the issue date 2024-03-01 "
            "(no accreditation within its validity)",
            "acc-new",
            id="gap-at-issue-date",
        ),
    ],
)
def test_cb_accreditation_required_at_issue_date_and_at_as_of(
    accreditations: list[AccreditationFact],
    outcome: Outcome,
    message: str,
    reported: str | None,
) -> None:
    """ISO/IEC 17011 / IAF MLA and DESIGN.md: active and in validity at issue date AND at as_of."""
    result = verify_one(accreditations=accreditations)
    accredited = check(result, CheckCode.CB_ACCREDITATION)
    assert (accredited.outcome, accredited.message) == (outcome, message)
    assert (result.accreditation.id if result.accreditation else None) == reported
    expected_verdict = Verdict.VALID if outcome is Outcome.PASS else Verdict.NOT_ACCREDITED
    assert result.verdict is expected_verdict


def test_cb_accreditation_failure_skips_sectors_and_recognition() -> None:
    """DESIGN.md: when cb_accreditation fails, accreditation_sectors and ab_recognition skip."""
    result = verify_one(accreditations=[accreditation(valid_until=AS_OF - DAY)])
    for code in (CheckCode.ACCREDITATION_SECTORS, CheckCode.AB_RECOGNITION):
        skipped = check(result, code)
        assert (skipped.outcome, skipped.message) == (
            Outcome.SKIPPED,
            "Not checked: the certification body is not accredited for this standard",
        )


def test_cb_accreditation_details_name_the_failing_date_and_reason() -> None:
    """API.md: details are machine-readable facts for integrations."""
    result = verify_one(accreditations=[accreditation(events=[event(Status.SUSPENDED, AS_OF)])])
    assert dict(check(result, CheckCode.CB_ACCREDITATION).details) == {
        "standard_code": "ISO 9001",
        "issue_date": "2024-03-01",
        "accredited_at_issue_date": True,
        "issue_date_reason": None,
        "as_of": "2026-11-26",
        "accredited_at_as_of": False,
        "as_of_reason": "suspended",
    }


def test_cb_accreditation_failure_reports_the_suspended_record_over_an_expired_one() -> None:
    """The most relevant record is shown when the check fails: the one in its validity."""
    accreditations = [
        accreditation("acc-suspended", events=[event(Status.SUSPENDED, date(2026, 1, 1))]),
        accreditation("acc-expired", valid_from=date(2018, 1, 1), valid_until=date(2022, 1, 1)),
    ]
    result = verify_one(accreditations=accreditations)
    assert result.verdict is Verdict.NOT_ACCREDITED
    assert result.accreditation is not None
    assert result.accreditation.id == "acc-suspended"


def test_accreditation_standard_code_compares_without_iec() -> None:
    """DESIGN.md: "ISO 27001" = "ISO/IEC 27001" for accreditations and MLA scopes."""
    cert = certificate(standard=ISO_27001_2022, sectors=())
    body = accreditation_body(scopes=[mla("iso 27001")])
    accreditations = [accreditation(body=body, standard_code="ISO 27001", sectors=())]
    result = verify_one(cert, accreditations)
    assert result.verdict is Verdict.VALID
    assert check(result, CheckCode.AB_RECOGNITION).outcome is Outcome.PASS


UNRECOGNISED = accreditation_body("XAB", scopes=[])
UNCONFIRMED = accreditation_body("YAB", scopes=[], complete=False)


@pytest.mark.parametrize(
    ("accreditations", "reported"),
    [
        pytest.param(
            [accreditation("acc-narrow", sectors=(28,)), accreditation("acc-wide", sectors=(17,))],
            "acc-wide",
            id="sector-pass-over-sector-fail",
        ),
        pytest.param(
            [accreditation("acc-wide", sectors=(17,)), accreditation("acc-narrow", sectors=(28,))],
            "acc-wide",
            id="sector-pass-over-sector-fail-reversed",
        ),
        pytest.param(
            [accreditation("acc-x", body=UNRECOGNISED), accreditation("acc-ukas")],
            "acc-ukas",
            id="recognised-ab-over-unrecognised",
        ),
        pytest.param(
            [accreditation("acc-y", body=UNCONFIRMED), accreditation("acc-ukas")],
            "acc-ukas",
            id="confirmed-ab-over-unconfirmed",
        ),
        pytest.param(
            [
                accreditation("acc-x", body=UNRECOGNISED, sectors=(17,)),
                accreditation("acc-y", body=UNCONFIRMED, sectors=(28,)),
                accreditation("acc-y2", body=UNCONFIRMED, sectors=(17,)),
            ],
            "acc-y2",
            id="warn-over-fail",
        ),
    ],
)
def test_when_several_accreditations_qualify_the_passing_one_is_reported(
    accreditations: list[AccreditationFact], reported: str
) -> None:
    """DESIGN.md: the as_of accreditation is reported and checked; when several qualify, the one
    that passes."""
    result = verify_one(accreditations=accreditations)
    assert result.accreditation is not None
    assert result.accreditation.id == reported
    assert result.verdict is Verdict.VALID


def test_when_no_qualifying_accreditation_passes_the_failure_is_reported() -> None:
    """DESIGN.md: the as_of accreditation's sectors are checked; none passing -> not_accredited."""
    result = verify_one(accreditations=[accreditation(sectors=(28,))])
    assert result.verdict is Verdict.NOT_ACCREDITED
    assert failed(result) == {CheckCode.ACCREDITATION_SECTORS}


# --- accreditation_sectors ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cert_sectors", "accreditation_sectors", "outcome", "message", "outside"),
    [
        ((17,), (17, 28), Outcome.PASS, "IAF sector 17 is within accreditation ACC-1-N", None),
        (
            (28, 17),
            (17, 28),
            Outcome.PASS,
            "IAF sectors 17, 28 are within accreditation ACC-1-N",
            None,
        ),
        ((17, 28), (28,), Outcome.FAIL, "IAF sector 17 is outside accreditation ACC-1-N", [17]),
        (
            (19, 17, 28),
            (28,),
            Outcome.FAIL,
            "IAF sectors 17, 19 are outside accreditation ACC-1-N",
            [17, 19],
        ),
        ((), (17, 28), Outcome.WARN, "The certificate declares no IAF sector for ISO 9001", None),
        ((17,), (), Outcome.PASS, "The accreditation is not restricted by IAF sector", None),
    ],
)
def test_accreditation_sectors_must_cover_the_certificate_sectors(
    cert_sectors: tuple[int, ...],
    accreditation_sectors: tuple[int, ...],
    outcome: Outcome,
    message: str,
    outside: list[int] | None,
) -> None:
    """IAF ID 1 and DESIGN.md: a certificate sector outside the accreditation is not_accredited."""
    result = verify_one(
        certificate(sectors=cert_sectors), [accreditation(sectors=accreditation_sectors)]
    )
    sectors = check(result, CheckCode.ACCREDITATION_SECTORS)
    assert (sectors.outcome, sectors.message) == (outcome, message)
    assert sectors.details.get("outside") == outside
    assert result.verdict is (Verdict.NOT_ACCREDITED if outside else Verdict.VALID)


def test_standards_without_iaf_sectors_skip_the_sector_check() -> None:
    """DESIGN.md: ISO/IEC 27001 does not use IAF sectors, so accreditation_sectors is skipped."""
    cert = certificate(standard=ISO_27001_2022, sectors=(33,))
    result = verify_one(cert, [accreditation(standard_code="ISO/IEC 27001", sectors=(1,))])
    sectors = check(result, CheckCode.ACCREDITATION_SECTORS)
    assert (sectors.outcome, sectors.message) == (
        Outcome.SKIPPED,
        "Not checked: ISO/IEC 27001 does not use IAF sectors",
    )
    assert result.verdict is Verdict.VALID


def test_sector_check_without_accreditation_is_skipped() -> None:
    """DESIGN.md: without an accreditation the sector check cannot be evaluated."""
    sectors = check_accreditation_sectors(certificate(), None).check
    assert sectors.outcome is Outcome.SKIPPED


# --- ab_recognition -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "outcome", "message"),
    [
        pytest.param(
            accreditation_body(),
            Outcome.PASS,
            "UKAS is recognised under the Global ACI MRA for ISO 9001 since 1998-01-01",
            id="recognised",
        ),
        pytest.param(
            accreditation_body(scopes=[mla(since=None)]),
            Outcome.PASS,
            "UKAS is recognised under the Global ACI MRA for ISO 9001",
            id="recognised-no-since",
        ),
        pytest.param(
            accreditation_body(scopes=[mla(since=AS_OF)]),
            Outcome.PASS,
            "UKAS is recognised under the Global ACI MRA for ISO 9001 since 2026-11-26",
            id="since-on-as_of",
        ),
        pytest.param(
            accreditation_body(scopes=[mla(since=AS_OF + DAY)]),
            Outcome.FAIL,
            "UKAS is not recognised under the Global ACI MRA for ISO 9001 on 2026-11-26",
            id="since-day-after-as_of",
        ),
        pytest.param(
            accreditation_body(scopes=[mla(until=AS_OF)]),
            Outcome.PASS,
            "UKAS is recognised under the Global ACI MRA for ISO 9001 since 1998-01-01",
            id="until-on-as_of",
        ),
        pytest.param(
            accreditation_body(scopes=[mla(until=AS_OF - DAY)]),
            Outcome.FAIL,
            "UKAS is not recognised under the Global ACI MRA for ISO 9001 on 2026-11-26",
            id="until-day-before-as_of",
        ),
        pytest.param(
            accreditation_body(scopes=[mla("ISO 14001")]),
            Outcome.FAIL,
            "UKAS is not recognised under the Global ACI MRA for ISO 9001 on 2026-11-26",
            id="complete-list-without-the-standard",
        ),
        pytest.param(
            accreditation_body(scopes=[mla("ISO 14001")], complete=False),
            Outcome.WARN,
            "MLA recognition of UKAS for ISO 9001 could not be confirmed",
            id="incomplete-list-without-the-standard",
        ),
        pytest.param(
            accreditation_body(scopes=[mla(until=AS_OF - DAY)], complete=False),
            Outcome.WARN,
            "MLA recognition of UKAS for ISO 9001 could not be confirmed",
            id="incomplete-list-lapsed-scope",
        ),
    ],
)
def test_ab_recognition_requires_mla_scope_at_as_of_and_never_fails_on_incomplete_data(
    body: AccreditationBodyFact, outcome: Outcome, message: str
) -> None:
    """ISO/IEC 17011 / IAF MLA (IAF PL 3) and DESIGN.md: "cannot tell" is never "invalid"."""
    result = verify_one(accreditations=[accreditation(body=body)])
    recognition = check(result, CheckCode.AB_RECOGNITION)
    assert (recognition.outcome, recognition.message) == (outcome, message)
    assert result.verdict is (Verdict.NOT_ACCREDITED if outcome is Outcome.FAIL else Verdict.VALID)
    assert result.warnings == ((message,) if outcome is Outcome.WARN else ())


# --- organization_match -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("organization", "aliases", "claimed", "outcome", "message"),
    [
        pytest.param(
            "Müller GmbH",
            (),
            "MULLER",
            Outcome.PASS,
            'Matches the certified organisation "Müller GmbH"',
            id="accents-and-legal-form",
        ),
        pytest.param(
            "Acme Ltd",
            (),
            "ACME LIMITED",
            Outcome.PASS,
            'Matches the certified organisation "Acme Ltd"',
            id="ltd-vs-limited",
        ),
        pytest.param(
            "Acme S.A.",
            (),
            "acme sa",
            Outcome.PASS,
            'Matches the certified organisation "Acme S.A."',
            id="s-a",
        ),
        pytest.param(
            "Acme, Inc.",
            (),
            "Acme LLC",
            Outcome.PASS,
            'Matches the certified organisation "Acme, Inc."',
            id="inc-vs-llc",
        ),
        pytest.param(
            ORG,
            (),
            "Acme-Manufacturing!",
            Outcome.PASS,
            f'Matches the certified organisation "{ORG}"',
            id="punctuation",
        ),
        pytest.param(
            ORG,
            (),
            "Manufacturing Acme",
            Outcome.PASS,
            f'Matches the certified organisation "{ORG}"',
            id="word-order",
        ),
        pytest.param(
            ORG,
            ("Acme UK",),
            "ACME UK LIMITED",
            Outcome.PASS,
            f'Matches "Acme UK", an alias of the certified organisation "{ORG}"',
            id="alias",
        ),
        pytest.param(
            ORG,
            (),
            "Acme Manufacturng",
            Outcome.WARN,
            f'"Acme Manufacturng" nearly matches the certified organisation "{ORG}"; '
            "check the spelling",
            id="typo-warns",
        ),
        pytest.param(
            ORG,
            (),
            "Globex Corporation",
            Outcome.FAIL,
            f'"Globex Corporation" does not match the certified organisation "{ORG}"',
            id="different-name-fails",
        ),
        pytest.param(
            ORG, (), None, Outcome.SKIPPED, "Not checked: no organisation was claimed", id="none"
        ),
        pytest.param(
            ORG, (), "  ", Outcome.SKIPPED, "Not checked: no organisation was claimed", id="blank"
        ),
    ],
)
def test_organization_match_folds_case_accents_punctuation_and_legal_forms(
    organization: str,
    aliases: tuple[str, ...],
    claimed: str | None,
    outcome: Outcome,
    message: str,
) -> None:
    """DESIGN.md, Claims: name or alias match passes, near match warns, mismatch fails."""
    cert = certificate(organization_name=organization, organization_aliases=aliases)
    result = verify_one(cert, claims=Claims(organization=claimed))
    match = check(result, CheckCode.ORGANIZATION_MATCH)
    assert (match.outcome, match.message) == (outcome, message)
    assert result.verdict is (Verdict.MISMATCH if outcome is Outcome.FAIL else Verdict.VALID)
    assert result.warnings == ((message,) if outcome is Outcome.WARN else ())


# --- standard_match -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cert", "claimed", "outcome", "message"),
    [
        pytest.param(
            certificate(),
            "ISO 9001",
            Outcome.PASS,
            "The certificate is for ISO 9001:2015",
            id="code-only",
        ),
        pytest.param(
            certificate(),
            "iso9001:2015",
            Outcome.PASS,
            "The certificate is for ISO 9001:2015",
            id="code-and-edition",
        ),
        pytest.param(
            certificate(),
            "ISO 9001:2008",
            Outcome.FAIL,
            'Claimed "ISO 9001:2008" (edition 2008) but the certificate is for ISO 9001:2015',
            id="edition-mismatch",
        ),
        pytest.param(
            certificate(),
            "ISO 14001",
            Outcome.FAIL,
            'Claimed "ISO 14001" but the certificate is for ISO 9001:2015',
            id="code-mismatch",
        ),
        pytest.param(
            certificate(),
            "ISO 9001 15 and more",
            Outcome.SKIPPED,
            'Not checked: the claimed standard "ISO 9001 15 and more" could not be read as a '
            'standard; write it as "ISO 9001:2015"',
            id="not-understood",
        ),
        pytest.param(
            certificate(standard=ISO_27001_2022, sectors=()),
            "ISO 27001",
            Outcome.PASS,
            "The certificate is for ISO/IEC 27001:2022",
            id="iso-27001-equals-iso-iec-27001",
        ),
        pytest.param(
            certificate(standard=ISO_27001_2022, sectors=()),
            "ISO/IEC 27001:2013",
            Outcome.FAIL,
            'Claimed "ISO/IEC 27001:2013" (edition 2013) but the certificate is for '
            "ISO/IEC 27001:2022",
            id="iso-27001-edition-mismatch",
        ),
        pytest.param(
            certificate(),
            None,
            Outcome.SKIPPED,
            "Not checked: no standard was claimed",
            id="none",
        ),
    ],
)
def test_standard_match_compares_codes_without_iec_and_claimed_editions_exactly(
    cert: CertificateFact, claimed: str | None, outcome: Outcome, message: str
) -> None:
    """DESIGN.md, Claims: "ISO 27001" = "ISO/IEC 27001"; a claimed edition must be equal."""
    result = verify_one(cert, claims=Claims(standard=claimed))
    match = check(result, CheckCode.STANDARD_MATCH)
    assert (match.outcome, match.message) == (outcome, message)
    assert result.verdict is (Verdict.MISMATCH if outcome is Outcome.FAIL else Verdict.VALID)


# --- site_match ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cert", "claimed", "outcome", "message"),
    [
        pytest.param(
            certificate(), "gb", Outcome.PASS, "The certificate covers a site in GB", id="site"
        ),
        pytest.param(
            certificate(),
            "FR",
            Outcome.FAIL,
            "The certificate covers no site in FR (only GB)",
            id="not-a-site-country",
        ),
        pytest.param(
            certificate(sites=(SiteFact("IE"), SiteFact("gb"))),
            "ie",
            Outcome.PASS,
            "The certificate covers a site in IE",
            id="second-site",
        ),
        pytest.param(
            certificate(sites=(), organization_country="DE"),
            "De",
            Outcome.PASS,
            "The certificate covers a site in DE",
            id="organisation-country-when-no-sites",
        ),
        pytest.param(
            certificate(sites=(), organization_country="DE"),
            "FR",
            Outcome.FAIL,
            "The certificate covers no site in FR (only DE)",
            id="organisation-country-mismatch",
        ),
        pytest.param(
            certificate(sites=(), organization_country=None),
            "FR",
            Outcome.SKIPPED,
            "Not checked: the certificate lists no site or country",
            id="nothing-to-compare",
        ),
        pytest.param(
            certificate(),
            None,
            Outcome.SKIPPED,
            "Not checked: no country was claimed",
            id="none",
        ),
    ],
)
def test_site_match_compares_the_claimed_country_with_the_sites(
    cert: CertificateFact, claimed: str | None, outcome: Outcome, message: str
) -> None:
    """DESIGN.md: the claimed country must be among the certificate's sites (case-insensitive)."""
    result = verify_one(cert, claims=Claims(country=claimed))
    match = check(result, CheckCode.SITE_MATCH)
    assert (match.outcome, match.message) == (outcome, message)
    assert result.verdict is (Verdict.MISMATCH if outcome is Outcome.FAIL else Verdict.VALID)


# --- scope_match --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("claimed", "outcome", "message"),
    [
        (
            "manufacturing of steel tubes",
            Outcome.PASS,
            "The claimed activity is within the certified scope",
        ),
        (
            "software development",
            Outcome.WARN,
            'The claimed activity "software development" is not evidently within the certified '
            "scope; read it",
        ),
        (None, Outcome.SKIPPED, "Not checked: no activity was claimed"),
    ],
)
def test_scope_match_warns_but_never_fails(
    claimed: str | None, outcome: Outcome, message: str
) -> None:
    """DESIGN.md: scope_match is warn only; the verdict stays valid."""
    result = verify_one(claims=Claims(scope=claimed))
    match = check(result, CheckCode.SCOPE_MATCH)
    assert (match.outcome, match.message) == (outcome, message)
    assert result.verdict is Verdict.VALID
    assert result.warnings == ((message,) if outcome is Outcome.WARN else ())


# --- warnings and summaries ---------------------------------------------------------------------


def test_warnings_are_listed_in_check_order_beside_a_valid_verdict() -> None:
    """DESIGN.md: the verdict stays valid and warnings are listed beside it."""
    cert = iso_27001_certificate(expiry_date=date(2025, 9, 30))
    body = accreditation_body(scopes=[], complete=False)
    accreditations = [accreditation(body=body, standard_code="ISO/IEC 27001", sectors=())]
    claims = Claims(organization="Acme Manufacturng", scope="catering")
    result = verify_one(cert, accreditations, as_of=date(2025, 9, 1), claims=claims)
    assert result.verdict is Verdict.VALID
    assert result.warnings == (
        "Expires in 29 days (2025-09-30)",
        "The transition from ISO/IEC 27001:2013 ends in 60 days (2025-10-31, set by IAF MD 26); "
        "certificates to it expire then",
        "MLA recognition of UKAS for ISO/IEC 27001 could not be confirmed",
        f'"Acme Manufacturng" nearly matches the certified organisation "{ORG}"; '
        "check the spelling",
        'The claimed activity "catering" is not evidently within the certified scope; read it',
    )
    assert result.summary == (
        f"Certificate FS 612345 for ISO/IEC 27001:2013 held by {ORG} is valid on 2025-09-01, "
        "with 5 warnings."
    )


@pytest.mark.parametrize(
    ("scenario", "summary"),
    [
        pytest.param(
            lambda: verify_one(as_of=EXPIRY - 10 * DAY),
            f"{SUBJECT} is valid on 2027-02-18, with 1 warning.",
            id="valid-with-warning",
        ),
        pytest.param(
            lambda: verify_one(certificate(status_events=(event(Status.WITHDRAWN, ISSUE),))),
            f"{SUBJECT} was withdrawn by its certification body and is not valid on 2026-11-26.",
            id="withdrawn",
        ),
        pytest.param(
            lambda: verify_one(certificate(status_events=(event(Status.SUSPENDED, ISSUE),))),
            f"{SUBJECT} is suspended by its certification body and is not valid on 2026-11-26.",
            id="suspended",
        ),
        pytest.param(
            lambda: verify_one(as_of=EXPIRY + DAY),
            f"{SUBJECT} expired after 2027-02-28 and is not valid on 2027-03-01.",
            id="expired",
        ),
        pytest.param(
            lambda: verify_one(as_of=ORIGINAL_ISSUE - DAY),
            f"{SUBJECT} is not valid until 2021-03-01, so not on 2021-02-28.",
            id="not_yet_valid",
        ),
        pytest.param(
            lambda: verify_one(iso_27001_certificate(), as_of=TRANSITION_END + DAY),
            f"Certificate FS 612345 for ISO/IEC 27001:2013 held by {ORG} is not valid on "
            "2025-11-01: the transition from ISO/IEC 27001:2013 ended on 2025-10-31.",
            id="outdated_standard",
        ),
        pytest.param(
            lambda: verify_one(accreditations=[]),
            f"{SUBJECT} is not backed by a recognised accreditation for ISO 9001 on 2026-11-26, "
            "so it cannot be relied on.",
            id="not_accredited",
        ),
        pytest.param(
            lambda: verify_one(claims=Claims(organization="Globex", country="FR")),
            f"{SUBJECT} exists but does not match the claimed organisation and country.",
            id="mismatch",
        ),
    ],
)
def test_summary_is_one_plain_language_sentence_per_verdict(
    scenario: Callable[[], VerificationResult], summary: str
) -> None:
    """DESIGN.md / API.md: the summary is one plain-language sentence with ISO dates."""
    assert scenario().summary == summary
