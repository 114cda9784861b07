"""DESIGN.md "Deadlines", "Recognition scope" and the arrangement by date (issue 13, part 5):
disputed transition deadlines, the decision each message cites, the arrangement named by `as_of`,
standards outside the MLA's scope, and the publication rule of app/domain/editions.py."""

from __future__ import annotations

from datetime import date

import pytest

from app.domain.editions import is_draft, published_on, unpublished_on_issue_date
from app.domain.facts import (
    AccreditationBodyFact,
    AccreditationFact,
    CertificateFact,
    CheckCode,
    MlaScopeFact,
    Outcome,
    RecognitionArrangement,
    StandardFact,
    Verdict,
)
from app.domain.verification import (
    TRANSITION_WARNING_DAYS,
    arrangement_at,
    check_ab_recognition,
    check_standard_edition,
    effective_expiry,
    effective_expiry_earliest,
)
from tests.domain.test_verification import (
    ARRANGEMENTS,
    DAY,
    accreditation,
    accreditation_body,
    certificate,
    check,
    verify_one,
)

# --- editions as shipped (app/reference/reference_data.json) ------------------------------------

ISO_22000_2005 = StandardFact(
    code="ISO 22000",
    edition="2005",
    transition_deadline=date(2021, 12, 31),
    superseded_by="ISO 22000:2018",
    transition_deadline_earliest=date(2021, 12, 29),
    transition_rule_source="IAF Resolution 2018-15, extended by IAF FAQ Q20",
    transition_sources="UKAS (2021-12-31); NQA gives 2021-12-29",
)
ISO_27001_2013 = StandardFact(
    code="ISO/IEC 27001",
    edition="2013",
    transition_deadline=date(2025, 10, 31),
    superseded_by="ISO/IEC 27001:2022",
    transition_rule_source="IAF MD 26",
)
OHSAS_18001_2007 = StandardFact(
    code="OHSAS 18001",
    edition="2007",
    transition_deadline=date(2021, 9, 30),
    superseded_by="ISO 45001:2018",
    transition_rule_source="IAF FAQ Q15 (migration to ISO 45001, COVID extension to 2021-09-30)",
    in_mla_scope=False,
)
ISO_9001_2008 = StandardFact(
    code="ISO 9001",
    edition="2008",
    transition_deadline=date(2018, 9, 15),
    superseded_by="ISO 9001:2015",
    transition_rule_source="IAF Resolution 2017-13",
)
ISO_28000_2007 = StandardFact(
    code="ISO 28000",
    edition="2007",
    transition_deadline=date(2025, 3, 15),
    superseded_by="ISO 28000:2022",
    in_mla_scope=False,
)
ISO_22301_2019 = StandardFact(code="ISO 22301", edition="2019", in_mla_scope=False)

EARLIEST, LATEST = date(2021, 12, 29), date(2021, 12, 31)
RULE_22000 = "IAF Resolution 2018-15, extended by IAF FAQ Q20"


def food_certificate() -> CertificateFact:
    """An ISO 22000:2005 certificate printed to expire long after the disputed deadline."""
    return certificate(
        standard=ISO_22000_2005,
        sectors=(),
        original_issue_date=date(2019, 1, 7),
        issue_date=date(2019, 1, 7),
        expiry_date=date(2022, 1, 6),
    )


def _food_accreditations() -> list[AccreditationFact]:
    return [
        accreditation(
            standard_code="ISO 22000",
            sectors=(),
            body=_ab("ISO 22000"),
            valid_from=date(2018, 1, 1),
        )
    ]


def _ab(code: str, *, complete: bool = True) -> AccreditationBodyFact:
    return accreditation_body(
        scopes=[MlaScopeFact(code, date(1998, 1, 1)), MlaScopeFact("ISO 9001", date(1998, 1, 1))],
        complete=complete,
    )


# --- disputed deadlines -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "outcome", "message", "disputed", "verdict"),
    [
        pytest.param(
            EARLIEST - DAY,
            Outcome.WARN,
            "The transition from ISO 22000:2005 ends in 1 day (2021-12-29, or 2021-12-31 by "
            f"other sources, set by {RULE_22000}); certificates to it may expire then",
            False,
            Verdict.VALID,
            id="day-before-earliest-warns-as-the-end-nears",
        ),
        pytest.param(
            EARLIEST,
            Outcome.WARN,
            "The transition from ISO 22000:2005 ends today (2021-12-29, or 2021-12-31 by "
            f"other sources, set by {RULE_22000}); certificates to it may expire then",
            False,
            Verdict.VALID,
            id="earliest-itself-is-valid-on-every-reading",
        ),
        pytest.param(
            EARLIEST + DAY,
            Outcome.WARN,
            "The transition deadline of ISO 22000:2005 is disputed: sources give 2021-12-29 or "
            f"2021-12-31 ({RULE_22000}); certificates to it may have expired after 2021-12-29 "
            "and are outdated from 2022-01-01; confirm with the certification body",
            True,
            Verdict.VALID,
            id="day-after-earliest-disputed",
        ),
        pytest.param(
            LATEST,
            Outcome.WARN,
            "The transition deadline of ISO 22000:2005 is disputed: sources give 2021-12-29 or "
            f"2021-12-31 ({RULE_22000}); certificates to it may have expired after 2021-12-29 "
            "and are outdated from 2022-01-01; confirm with the certification body",
            True,
            Verdict.VALID,
            id="latest-itself-disputed-never-fails",
        ),
        pytest.param(
            LATEST + DAY,
            Outcome.FAIL,
            "ISO 22000:2005 was superseded by ISO 22000:2018: certificates to it expired at the "
            f"end of the transition on 2021-12-31, the deadline set by {RULE_22000} (the latest "
            "date sources give; the earliest is 2021-12-29)",
            False,
            Verdict.OUTDATED_STANDARD,
            id="day-after-latest-outdated",
        ),
    ],
)
def test_disputed_deadline_warns_between_the_dates_and_fails_only_after_the_latest(
    as_of: date, outcome: Outcome, message: str, disputed: bool, verdict: Verdict
) -> None:
    """DESIGN.md "Deadlines": after the earliest date (exclusive) up to the latest (inclusive)
    the edition is disputed: warn, naming both dates and the decision; fail only after."""
    result = verify_one(food_certificate(), _food_accreditations(), as_of=as_of)
    edition = check(result, CheckCode.STANDARD_EDITION)
    assert (edition.outcome, edition.message) == (outcome, message)
    assert result.verdict is verdict
    assert dict(edition.details) == {
        "standard": "ISO 22000:2005",
        "transition_deadline": "2021-12-31",
        "transition_deadline_earliest": "2021-12-29",
        "transition_deadline_disputed": disputed,
        "transition_rule_source": RULE_22000,
        "superseded_by": "ISO 22000:2018",
        "effective_expiry": "2021-12-31",
        "effective_expiry_earliest": "2021-12-29",
        "transition_sources": "UKAS (2021-12-31); NQA gives 2021-12-29",
    }


@pytest.mark.parametrize(
    ("days_before_earliest", "outcome"),
    [(TRANSITION_WARNING_DAYS, Outcome.WARN), (TRANSITION_WARNING_DAYS + 1, Outcome.PASS)],
)
def test_disputed_deadline_warning_window_counts_to_the_earliest_date(
    days_before_earliest: int, outcome: Outcome
) -> None:
    """The 180-day warning (inclusive) starts 180 days before the earliest date."""
    as_of = EARLIEST - days_before_earliest * DAY
    edition = check_standard_edition(food_certificate(), as_of).check
    assert edition.outcome is outcome
    if outcome is Outcome.PASS:
        assert edition.message == (
            "ISO 22000:2005 was superseded by ISO 22000:2018; its transition ends on 2021-12-29 "
            f"or 2021-12-31 (sources disagree), set by {RULE_22000}"
        )
    else:
        assert edition.message.startswith("The transition from ISO 22000:2005 ends in 180 days")


def test_effective_expiry_is_the_latest_date_and_details_carry_the_earliest() -> None:
    """Effective expiry (API `effective_expiry_date`) never cuts a disputed day off: the latest
    date; effective_expiry_earliest is the earliest reading."""
    cert = food_certificate()
    assert effective_expiry(cert) == LATEST
    assert effective_expiry_earliest(cert) == EARLIEST
    short = certificate(standard=ISO_22000_2005, sectors=(), expiry_date=date(2021, 12, 30))
    assert (effective_expiry(short), effective_expiry_earliest(short)) == (
        date(2021, 12, 30),
        EARLIEST,
    )
    plain = certificate(standard=ISO_9001_2008, expiry_date=date(2019, 1, 1))
    assert effective_expiry(plain) == effective_expiry_earliest(plain) == date(2018, 9, 15)


def test_an_earliest_date_equal_to_the_latest_is_no_dispute() -> None:
    """Sources that agree leave nothing disputed."""
    agreed = StandardFact(
        code="ISO 9001",
        edition="2008",
        transition_deadline=date(2018, 9, 15),
        transition_deadline_earliest=date(2018, 9, 15),
        transition_rule_source="IAF Resolution 2017-13",
    )
    edition = check_standard_edition(certificate(standard=agreed), date(2018, 9, 15)).check
    assert edition.message == (
        "The transition from ISO 9001:2008 ends today (2018-09-15, set by IAF Resolution "
        "2017-13); certificates to it expire then"
    )
    assert edition.details["transition_deadline_earliest"] is None


# --- the decision each message cites ------------------------------------------------------------


@pytest.mark.parametrize(
    ("standard", "as_of", "message"),
    [
        pytest.param(
            ISO_27001_2013,
            date(2025, 11, 1),
            "ISO/IEC 27001:2013 was superseded by ISO/IEC 27001:2022: certificates to it expired "
            "at the end of the transition on 2025-10-31, the deadline set by IAF MD 26",
            id="iso-27001-2013-iaf-md-26",
        ),
        pytest.param(
            OHSAS_18001_2007,
            date(2021, 10, 1),
            "OHSAS 18001:2007 was superseded by ISO 45001:2018: certificates to it expired at "
            "the end of the transition on 2021-09-30, the deadline set by IAF FAQ Q15 "
            "(migration to ISO 45001, COVID extension to 2021-09-30)",
            id="ohsas-18001-iaf-faq-q15",
        ),
        pytest.param(
            ISO_22000_2005,
            date(2022, 1, 1),
            "ISO 22000:2005 was superseded by ISO 22000:2018: certificates to it expired at the "
            "end of the transition on 2021-12-31, the deadline set by IAF Resolution 2018-15, "
            "extended by IAF FAQ Q20 (the latest date sources give; the earliest is 2021-12-29)",
            id="iso-22000-2005-iaf-resolution-2018-15",
        ),
        pytest.param(
            ISO_9001_2008,
            date(2018, 9, 16),
            "ISO 9001:2008 was superseded by ISO 9001:2015: certificates to it expired at the "
            "end of the transition on 2018-09-15, the deadline set by IAF Resolution 2017-13",
            id="iso-9001-2008-iaf-resolution-2017-13",
        ),
        pytest.param(
            ISO_28000_2007,
            date(2025, 3, 16),
            "ISO 28000:2007 was superseded by ISO 28000:2022: certificates to it expired at the "
            "end of the transition on 2025-03-15, the deadline its sources give (no "
            "accreditation decision on record)",
            id="no-decision-on-record-neutral",
        ),
    ],
)
def test_outdated_message_cites_the_editions_own_decision(
    standard: StandardFact, as_of: date, message: str
) -> None:
    """DESIGN.md "Deadlines": messages cite `transition_rule_source`, not one resolution."""
    cert = certificate(standard=standard, expiry_date=as_of + 400 * DAY)
    edition = check_standard_edition(cert, as_of)
    assert (edition.check.outcome, edition.check.message) == (Outcome.FAIL, message)
    assert edition.verdict is Verdict.OUTDATED_STANDARD
    assert edition.check.details["transition_rule_source"] == standard.transition_rule_source


def test_warning_and_pass_cite_the_decision_and_omit_it_when_none_is_known() -> None:
    """Warnings and passes name the decision too; without one they name none."""
    warn = check_standard_edition(
        certificate(standard=ISO_27001_2013, sectors=()), date(2025, 10, 1)
    ).check
    assert warn.message == (
        "The transition from ISO/IEC 27001:2013 ends in 30 days (2025-10-31, set by IAF MD 26); "
        "certificates to it expire then"
    )
    passing = check_standard_edition(
        certificate(standard=ISO_28000_2007, sectors=()), date(2024, 1, 1)
    ).check
    assert passing.message == (
        "ISO 28000:2007 was superseded by ISO 28000:2022; its transition ends on 2025-03-15"
    )


# --- the arrangement, by as_of ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("as_of", "message"),
    [
        (date(2024, 5, 1), "UKAS is recognised under the IAF MLA for ISO 9001 since 1998-01-01"),
        (date(2025, 12, 31), "UKAS is recognised under the IAF MLA for ISO 9001 since 1998-01-01"),
        (
            date(2026, 1, 1),
            "UKAS is recognised under the Global ACI MRA for ISO 9001 since 1998-01-01",
        ),
        (
            date(2026, 11, 26),
            "UKAS is recognised under the Global ACI MRA for ISO 9001 since 1998-01-01",
        ),
    ],
)
def test_ab_recognition_names_the_arrangement_in_force_on_as_of(as_of: date, message: str) -> None:
    """DESIGN.md: IAF MLA up to 2025-12-31, Global ACI MRA from 2026-01-01 (data, by date)."""
    result = verify_one(
        certificate(original_issue_date=None, issue_date=date(2023, 1, 1)), as_of=as_of
    )
    recognition = check(result, CheckCode.AB_RECOGNITION)
    assert (recognition.outcome, recognition.message) == (Outcome.PASS, message)
    assert recognition.details["arrangement"] == message.split("under the ")[1].split(" for")[0]


def test_failure_names_the_arrangement_and_no_arrangement_says_mla_recognition() -> None:
    """A complete list without the standard fails, naming the arrangement of `as_of`; without
    arrangement data the engine says "MLA recognition" and names none."""
    body = accreditation_body(scopes=[MlaScopeFact("ISO 14001")])
    cert = certificate(original_issue_date=None, issue_date=date(2023, 1, 1))
    acc = accreditation(body=body)
    on_2025 = check_ab_recognition(cert, acc, date(2025, 12, 31), ARRANGEMENTS[0]).check
    assert on_2025.message == "UKAS is not recognised under the IAF MLA for ISO 9001 on 2025-12-31"
    neutral = check_ab_recognition(cert, acc, date(2026, 1, 1)).check
    assert neutral.message == "UKAS holds no MLA recognition for ISO 9001 on 2026-01-01"
    passing = check_ab_recognition(cert, accreditation(), date(2026, 1, 1)).check
    assert passing.message == "UKAS holds MLA recognition for ISO 9001 since 1998-01-01"


def test_arrangement_at_is_inclusive_at_both_ends() -> None:
    """Periods are inclusive; a day no arrangement covers gives None."""
    assert arrangement_at(ARRANGEMENTS, date(2025, 12, 31)) is ARRANGEMENTS[0]
    assert arrangement_at(ARRANGEMENTS, date(2026, 1, 1)) is ARRANGEMENTS[1]
    gap = (RecognitionArrangement("Old", "OLD", None, date(2020, 1, 1)),)
    assert arrangement_at(gap, date(2020, 1, 2)) is None
    assert arrangement_at((), date(2026, 1, 1)) is None


# --- standards outside the MLA's scope ----------------------------------------------------------


@pytest.mark.parametrize("complete", [True, False])
def test_standard_outside_the_mla_scope_warns_never_fails(complete: bool) -> None:
    """DESIGN.md "Recognition scope": ISO 22301 is outside the MLA's scope; accreditation can be
    national only: warn even when the AB's MLA list is complete and lacks it."""
    cert = certificate(
        standard=ISO_22301_2019, sectors=(), original_issue_date=None, issue_date=date(2024, 3, 1)
    )
    body = accreditation_body(scopes=[MlaScopeFact("ISO 9001")], complete=complete)
    result = verify_one(cert, [accreditation(body=body, standard_code="ISO 22301", sectors=())])
    recognition = check(result, CheckCode.AB_RECOGNITION)
    message = (
        "ISO 22301 is outside the MLA's scope; accredited nationally by UKAS (recognition under "
        "the Global ACI MRA is not expected)"
    )
    assert (recognition.outcome, recognition.message) == (Outcome.WARN, message)
    assert recognition.details["in_mla_scope"] is False
    assert result.verdict is Verdict.VALID
    assert message in result.warnings


def test_standard_outside_the_mla_scope_on_an_iaf_mla_date() -> None:
    """Before 2026 the same warning names the IAF MLA; without arrangement data, "MLA"."""
    cert = certificate(standard=OHSAS_18001_2007, issue_date=date(2019, 1, 1))
    acc = accreditation(standard_code="OHSAS 18001")
    dated = check_ab_recognition(cert, acc, date(2020, 1, 1), ARRANGEMENTS[0]).check
    assert dated.message == (
        "OHSAS 18001 is outside the MLA's scope; accredited nationally by UKAS (recognition "
        "under the IAF MLA is not expected)"
    )
    neutral = check_ab_recognition(cert, acc, date(2020, 1, 1)).check
    assert neutral.message == (
        "OHSAS 18001 is outside the MLA's scope; accredited nationally by UKAS (MLA "
        "recognition is not expected)"
    )


# --- the publication rule (write time) ----------------------------------------------------------


@pytest.mark.parametrize(
    ("published", "expected"),
    [
        ("2015-09-15", date(2015, 9, 15)),
        ("2018-03", date(2018, 3, 1)),
        ("2018", date(2018, 1, 1)),
        (None, None),
        ("soon", None),
        ("2018-13", None),
    ],
)
def test_published_counts_from_the_first_day_it_can_mean(
    published: str | None, expected: date | None
) -> None:
    """ "YYYY-MM" and "YYYY" are their first day (never refuse a genuine certificate)."""
    assert published_on(published) == expected


@pytest.mark.parametrize(
    ("label", "published", "status", "issue", "reason"),
    [
        pytest.param(
            "ISO 9001:2026",
            None,
            "draft (FDIS, spring 2026); publication expected Sep/autumn 2026",
            date(2026, 3, 1),
            "ISO 9001:2026 was not published on the issue date 2026-03-01 (it is a draft)",
            id="draft",
        ),
        pytest.param(
            "ISO 14001:2026",
            "2026-04-15",
            "current (published April 2026; 15 Apr 2026 per Guardian)",
            date(2026, 4, 14),
            "ISO 14001:2026 was not published on the issue date 2026-04-14 (published 2026-04-15)",
            id="day-before-publication",
        ),
        pytest.param(
            "ISO 14001:2026", "2026-04-15", "current", date(2026, 4, 15), None, id="on-the-day"
        ),
        pytest.param(
            "ISO 45001:2018",
            "2018-03",
            "current",
            date(2018, 2, 28),
            "ISO 45001:2018 was not published on the issue date 2018-02-28 (published 2018-03)",
            id="month-before",
        ),
        pytest.param(
            "ISO 45001:2018", "2018-03", "current", date(2018, 3, 1), None, id="first-of-month"
        ),
        pytest.param("ISO 41001:2018", "2018", "current", date(2018, 1, 1), None, id="year"),
        pytest.param(
            "ISO 37001:2025", None, "current", date(2025, 1, 2), None, id="unknown-date-allowed"
        ),
        pytest.param(
            "ISO 9001:2008", None, "withdrawn", date(2012, 1, 1), None, id="old-edition-no-date"
        ),
        pytest.param("X:1", "someday", "current", date(2000, 1, 1), None, id="unreadable-allowed"),
    ],
)
def test_unpublished_on_issue_date(
    label: str, published: str | None, status: str | None, issue: date, reason: str | None
) -> None:
    """The one rule the write API and the import apply (app/domain/editions.py)."""
    assert unpublished_on_issue_date(label, published, status, issue) == reason


def test_a_dated_edition_is_never_a_draft() -> None:
    """A publication date wins over a status that still says draft; no status is no draft."""
    assert not is_draft("2026-09-15", "draft (FDIS)")
    assert is_draft(None, "DIS ballot")
    assert not is_draft(None, None)
    assert not is_draft(None, "withdrawn")
