"""The verification engine: pure checks over facts, in DESIGN.md order, and the verdict."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from app.domain import names
from app.domain.countries import country_code
from app.domain.facts import (
    ENGINE_CHECKS,
    VERDICT_PRECEDENCE,
    AccreditationBodyFact,
    AccreditationFact,
    CertificateFact,
    CheckCode,
    CheckResult,
    MlaScopeFact,
    Outcome,
    RecognitionArrangement,
    StandardFact,
    Status,
    StatusEvent,
    Verdict,
    VerificationRequest,
    VerificationResult,
)
from app.domain.normalize import standard_code_key, uses_iaf_sectors
from app.domain.standards import read_standard

EXPIRY_WARNING_DAYS = 90
"""A certificate expiring within this many days (inclusive) gets a warning (DESIGN.md)."""

TRANSITION_WARNING_DAYS = 180
"""An edition whose transition deadline is this many days away or fewer gets a warning. With a
disputed deadline the days count to the earliest date: the warning starts 180 days before the
first day a certificate to the edition may no longer be valid (DESIGN.md, "Deadlines")."""

_OUTCOME_RANK: dict[Outcome, int] = {
    Outcome.PASS: 0,
    Outcome.SKIPPED: 0,
    Outcome.WARN: 1,
    Outcome.FAIL: 2,
}


@dataclass(frozen=True, slots=True)
class Finding:
    """One check's result and, when it failed, the verdict that failure stands for."""

    check: CheckResult
    verdict: Verdict | None = None


def _result(
    code: CheckCode,
    outcome: Outcome,
    message: str,
    details: dict[str, Any] | None = None,
    verdict: Verdict | None = None,
) -> Finding:
    """Build a finding; a verdict is only kept for a failure."""
    return Finding(
        CheckResult(code, outcome, message, details or {}),
        verdict if outcome is Outcome.FAIL else None,
    )


def _skipped(code: CheckCode, message: str) -> Finding:
    """A check that cannot be evaluated: `skipped`, never failed (DESIGN.md)."""
    return _result(code, Outcome.SKIPPED, message)


def _iso(day: date | None) -> str | None:
    """A date as YYYY-MM-DD for machine-readable details."""
    return day.isoformat() if day is not None else None


def _days(count: int) -> str:
    """ "1 day" or "N days"."""
    return "1 day" if count == 1 else f"{count} days"


# --- dated status -------------------------------------------------------------------------------


def _event_at(events: Sequence[StatusEvent], day: date) -> StatusEvent | None:
    """The latest status change effective on or before `day`; on equal dates the later one wins."""
    current: StatusEvent | None = None
    for event in events:
        if event.effective_from <= day and (
            current is None or event.effective_from >= current.effective_from
        ):
            current = event
    return current


def status_event_at(events: Sequence[StatusEvent], day: date) -> StatusEvent | None:
    """The status change in force at `day` (its status, date and reason), or None before any
    (DESIGN.md: the latest change effective on or before it)."""
    return _event_at(events, day)


def status_at(events: Sequence[StatusEvent], day: date, default: Status | None) -> Status | None:
    """Status at `day`: the latest change effective on or before it, else `default` (DESIGN.md)."""
    event = _event_at(events, day)
    return event.status if event is not None else default


def effective_expiry(cert: CertificateFact) -> date:
    """Last valid day: printed expiry capped by the transition deadline (IAF Resolution 2017-13
    wording, "shall expire or be withdrawn" at the end of transition, applied with each edition's
    own decision, `transition_rule_source`).

    With a disputed deadline this is the latest date: a certificate is outdated only after it
    (DESIGN.md, "Deadlines"); `effective_expiry_earliest` gives the earliest reading.
    """
    deadline = cert.standard.transition_deadline
    return cert.expiry_date if deadline is None else min(cert.expiry_date, deadline)


def _earliest_deadline(standard: StandardFact) -> date | None:
    """The earliest deadline when sources disagree (strictly before the latest), else None."""
    earliest, latest = standard.transition_deadline_earliest, standard.transition_deadline
    return earliest if earliest is not None and latest is not None and earliest < latest else None


def effective_expiry_earliest(cert: CertificateFact) -> date:
    """Last valid day on the earliest reading of a disputed deadline: printed expiry capped by
    `transition_deadline_earliest` (DESIGN.md, "Deadlines"); effective_expiry when undisputed.
    The disputed days after it warn, never fail."""
    earliest = _earliest_deadline(cert.standard)
    return effective_expiry(cert) if earliest is None else min(cert.expiry_date, earliest)


def _valid_from(cert: CertificateFact) -> date:
    """First valid day: the original issue date, else the issue date (DESIGN.md)."""
    return cert.original_issue_date or cert.issue_date


def _accreditation_state(accreditation: AccreditationFact, day: date) -> str:
    """Accreditation state at `day`: "active", "suspended", "withdrawn" or "outside_validity"."""
    if day < accreditation.valid_from or (
        accreditation.valid_until is not None and day > accreditation.valid_until
    ):
        return "outside_validity"
    event = _event_at(accreditation.status_events, day)
    return (event.status if event is not None else Status.ACTIVE).value


def accreditation_active_at(accreditation: AccreditationFact, day: date) -> bool:
    """Active at `day`: within validity and status active (default active from `valid_from`)."""
    return _accreditation_state(accreditation, day) == Status.ACTIVE.value


# --- checks, in DESIGN.md order -----------------------------------------------------------------


def _issuer(request: VerificationRequest) -> str:
    """The named CB as resolved (its registry name), else as typed."""
    return (
        request.certification_body_name
        or request.certification_body_named
        or "the named certification body"
    )


def _elsewhere_details(request: VerificationRequest) -> list[dict[str, Any]]:
    """`same_number_elsewhere` (API.md): the public certificates with this number at other CBs."""
    return [
        {
            "id": cert.id,
            "certificate_number": cert.certificate_number,
            "certification_body": {
                "id": cert.certification_body.id,
                "name": cert.certification_body.name,
                "acronym": cert.certification_body.acronym,
            },
        }
        for cert in request.elsewhere
    ]


def _not_found_message(request: VerificationRequest) -> str:
    """Why nothing was found, in words that tell "probably fake" from "ask the issuer"."""
    number = request.certificate_number
    cb = _issuer(request)
    if request.certification_body_recognised is False:
        return (
            f'"{request.certification_body_named}" is not a certification body this registry '
            f"knows, and no certificate {number} is published here; check the name printed on "
            "the certificate and ask the issuer to confirm it"
        )
    if request.certification_body_recognised is None:
        return f"No certificate {number} in this registry; name the certification body"
    if request.certification_body_in_registry:
        message = f"No certificate {number} among {cb}'s published certificates"
    else:
        message = (
            f"{cb} publishes no certificate to this registry, so certificate {number} cannot "
            "be found here"
        )
    if request.elsewhere:
        others = ", ".join(cert.certification_body.name for cert in request.elsewhere)
        return (
            f"{message}. The number belongs to a certificate of {others}: a real number copied "
            f"onto another issuer's certificate is a common forgery; ask {cb} to confirm it"
        )
    return f"{message}; ask the issuer to confirm it"


def check_certificate_found(
    request: VerificationRequest, candidates: Sequence[CertificateFact]
) -> Finding:
    """Exactly one certificate carries the number, for the named CB if any (DESIGN.md, "CB
    resolution"): a named CB that was not recognised does not hide a certificate the number
    finds (the answer is about it, with a warning); a recognised CB without that number is
    `not_found`, and the certificates with the number at other CBs are listed."""
    code = CheckCode.CERTIFICATE_FOUND
    number = request.certificate_number
    unrecognised = request.certification_body_recognised is False
    if not candidates:
        return _result(
            code,
            Outcome.FAIL,
            _not_found_message(request),
            {
                "certification_body_in_registry": request.certification_body_in_registry,
                "certification_body_recognised": request.certification_body_recognised,
                "same_number_elsewhere": _elsewhere_details(request),
            },
            Verdict.NOT_FOUND,
        )
    not_recognised = (
        f'; the named certification body "{request.certification_body_named}" was not recognised'
        if unrecognised
        else ""
    )
    if len(candidates) > 1:
        bodies = ", ".join(candidate.certification_body.name for candidate in candidates)
        return _result(
            code,
            Outcome.FAIL,
            f"{len(candidates)} certificates are numbered {number} ({bodies}){not_recognised}; "
            "name the certification body to choose one",
            {
                "candidate_ids": [candidate.id for candidate in candidates],
                "certification_body_ids": [
                    candidate.certification_body.id for candidate in candidates
                ],
                "certification_body_recognised": request.certification_body_recognised,
            },
            Verdict.AMBIGUOUS,
        )
    cert = candidates[0]
    details = {
        "certificate_id": cert.id,
        "certification_body_id": cert.certification_body.id,
        "certification_body_recognised": request.certification_body_recognised,
    }
    if unrecognised:
        return _result(
            code,
            Outcome.WARN,
            f"Certificate {cert.certificate_number} issued by {cert.certification_body.name}"
            f"{not_recognised}: this answer is about that certificate, so check that it is "
            "the issuer printed on yours",
            details,
        )
    return _result(
        code,
        Outcome.PASS,
        f"Certificate {cert.certificate_number} issued by {cert.certification_body.name}",
        details,
    )


def check_certificate_status(cert: CertificateFact, as_of: date) -> Finding:
    """The status at `as_of` is neither suspended nor withdrawn (ISO/IEC 17021-1 §9.6)."""
    event = _event_at(cert.status_events, as_of)
    status = event.status if event is not None else Status.ACTIVE
    if event is not None:
        since = event.effective_from
    else:
        # Before this issue date the certification ran under its original issue (a renewal).
        since = cert.issue_date if cert.issue_date <= as_of else _valid_from(cert)
    details: dict[str, Any] = {
        "status": status.value,
        "effective_from": _iso(since),
        "reason": event.reason if event is not None else None,
    }
    if status is Status.ACTIVE:
        return _result(CheckCode.CERTIFICATE_STATUS, Outcome.PASS, f"Active since {since}", details)
    reason = f" ({event.reason})" if event is not None and event.reason else ""
    verdict = Verdict.WITHDRAWN if status is Status.WITHDRAWN else Verdict.SUSPENDED
    return _result(
        CheckCode.CERTIFICATE_STATUS,
        Outcome.FAIL,
        f"{status.value.capitalize()} since {since}{reason}",
        details,
        verdict,
    )


def check_validity_period(cert: CertificateFact, as_of: date) -> Finding:
    """`as_of` is within original issue .. printed expiry, inclusive (ISO/IEC 17021-1 §8.2.2 c)."""
    code = CheckCode.VALIDITY_PERIOD
    start, expiry = _valid_from(cert), cert.expiry_date
    remaining = (expiry - as_of).days
    details: dict[str, Any] = {
        "valid_from": _iso(start),
        "expiry_date": _iso(expiry),
        "days_to_expiry": remaining,
    }
    if as_of > expiry:
        return _result(
            code,
            Outcome.FAIL,
            f"Expired: valid through {expiry}",
            details,
            Verdict.EXPIRED,
        )
    if as_of < start:
        return _result(
            code,
            Outcome.FAIL,
            f"Not yet valid: valid from {start}",
            details,
            Verdict.NOT_YET_VALID,
        )
    if remaining == 0:
        return _result(code, Outcome.WARN, f"Expires today ({expiry})", details)
    if remaining <= EXPIRY_WARNING_DAYS:
        return _result(code, Outcome.WARN, f"Expires in {_days(remaining)} ({expiry})", details)
    return _result(code, Outcome.PASS, f"Valid from {start} through {expiry}", details)


def _set_by(standard: StandardFact) -> str:
    """ ", set by IAF MD 26": the decision that set the deadline, or "" when none is on record."""
    rule = standard.transition_rule_source
    return f", set by {rule}" if rule else ""


def _decision(standard: StandardFact) -> str:
    """The decision that set the deadline, for a failure; a neutral wording when none is known."""
    rule = standard.transition_rule_source
    if rule:
        return f"the deadline set by {rule}"
    return "the deadline its sources give (no accreditation decision on record)"


def check_standard_edition(cert: CertificateFact, as_of: date) -> Finding:
    """The edition's transition deadline has not passed at `as_of`: valid through the deadline,
    `outdated_standard` from the next day, whatever expiry is printed (the edition's own
    decision, `transition_rule_source`: IAF Resolution 2017-13, IAF MD 26, IAF FAQ Q15, ...).

    Disputed deadlines (DESIGN.md, "Deadlines"): where sources disagree
    (`transition_deadline_earliest`), the days after the earliest date up to the latest
    (inclusive) warn and name both dates, the decision and, in the details, the sources; the
    check fails only after the latest date. The 180-day warning counts to the earliest date.
    """
    code = CheckCode.STANDARD_EDITION
    standard = cert.standard
    deadline = standard.transition_deadline
    earliest = _earliest_deadline(standard)
    disputed = earliest is not None and deadline is not None and earliest < as_of <= deadline
    details: dict[str, Any] = {
        "standard": standard.label,
        "transition_deadline": _iso(deadline),
        "transition_deadline_earliest": _iso(earliest),
        "transition_deadline_disputed": disputed,
        "transition_rule_source": standard.transition_rule_source,
        "superseded_by": standard.superseded_by,
        "effective_expiry": _iso(effective_expiry(cert)),
        "effective_expiry_earliest": _iso(effective_expiry_earliest(cert)),
    }
    if earliest is not None:
        details["transition_sources"] = standard.transition_sources
    if deadline is None and standard.superseded_by:
        # Superseded, transition not yet decided (ISO 14001:2015 after ISO 14001:2026): valid,
        # and said so rather than "current" (the reference data's status and superseded_by).
        return _result(
            code,
            Outcome.PASS,
            f"{standard.label} was superseded by {standard.superseded_by}; no transition "
            "deadline is on record yet",
            details,
        )
    if deadline is None:
        return _result(
            code, Outcome.PASS, f"{standard.label} is current (no transition deadline)", details
        )
    successor = f" by {standard.superseded_by}" if standard.superseded_by else ""
    if as_of > deadline:
        also = (
            f" (the latest date sources give; the earliest is {earliest})"
            if earliest is not None
            else ""
        )
        return _result(
            code,
            Outcome.FAIL,
            f"{standard.label} was superseded{successor}: certificates to it expired at the end "
            f"of the transition on {deadline}, {_decision(standard)}{also}",
            details,
            Verdict.OUTDATED_STANDARD,
        )
    rule = standard.transition_rule_source
    if disputed:
        assert earliest is not None
        under = f" ({rule})" if rule else ""
        return _result(
            code,
            Outcome.WARN,
            f"The transition deadline of {standard.label} is disputed: sources give {earliest} "
            f"or {deadline}{under}; certificates to it may have expired after {earliest} and "
            f"are outdated from {deadline + timedelta(days=1)}; confirm with the certification "
            "body",
            details,
        )
    first = earliest or deadline
    remaining = (first - as_of).days
    if remaining <= TRANSITION_WARNING_DAYS:
        when = "today" if remaining == 0 else f"in {_days(remaining)}"
        if earliest is not None:
            return _result(
                code,
                Outcome.WARN,
                f"The transition from {standard.label} ends {when} ({earliest}, or {deadline} "
                f"by other sources{_set_by(standard)}); certificates to it may expire then",
                details,
            )
        return _result(
            code,
            Outcome.WARN,
            f"The transition from {standard.label} ends {when} ({deadline}{_set_by(standard)}); "
            "certificates to it expire then",
            details,
        )
    ends = f"{earliest} or {deadline} (sources disagree)" if earliest is not None else deadline
    return _result(
        code,
        Outcome.PASS,
        f"{standard.label} was superseded{successor}; its transition ends on {ends}"
        f"{_set_by(standard)}",
        details,
    )


_STATE_WORDS: dict[str, str] = {
    "outside_validity": "no accreditation within its validity",
    Status.SUSPENDED.value: "accreditation suspended",
    Status.WITHDRAWN.value: "accreditation withdrawn",
}


def _reason_at(accreditations: Sequence[AccreditationFact], day: date) -> str | None:
    """None when some accreditation is active at `day`, else the most telling reason why not."""
    if not accreditations:
        return "none_for_standard"
    states = [_accreditation_state(accreditation, day) for accreditation in accreditations]
    if Status.ACTIVE.value in states:
        return None
    for state in (Status.SUSPENDED.value, Status.WITHDRAWN.value):
        if state in states:
            return state
    return "outside_validity"


def most_relevant_accreditation(
    accreditations: Sequence[AccreditationFact], as_of: date
) -> AccreditationFact | None:
    """The accreditation to show when the check fails: current, else in validity, else newest."""
    if not accreditations:
        return None

    def rank(item: tuple[int, AccreditationFact]) -> tuple[int, date, int]:
        index, accreditation = item
        state = _accreditation_state(accreditation, as_of)
        tier = 2 if state == Status.ACTIVE.value else 1 if state != "outside_validity" else 0
        return tier, accreditation.valid_from, index

    return max(enumerate(accreditations), key=rank)[1]


def accreditations_for_standard(
    cert: CertificateFact, accreditations: Sequence[AccreditationFact]
) -> list[AccreditationFact]:
    """The issuing CB's accreditations for the certificate's standard code, any AB, any edition."""
    key = standard_code_key(cert.standard.code)
    return [
        accreditation
        for accreditation in accreditations
        if accreditation.certification_body_id == cert.certification_body.id
        and standard_code_key(accreditation.standard_code) == key
    ]


def check_cb_accreditation(
    cert: CertificateFact, accreditations: Sequence[AccreditationFact], as_of: date
) -> tuple[Finding, list[AccreditationFact]]:
    """The CB was accredited for the standard at issue and is at `as_of` (ISO/IEC 17011, IAF PL 3).

    Returns the finding and the accreditations that qualify at `as_of` (empty when it fails).
    """
    code = CheckCode.CB_ACCREDITATION
    cb = cert.certification_body
    relevant = accreditations_for_standard(cert, accreditations)
    issue_reason = _reason_at(relevant, cert.issue_date)
    as_of_reason = _reason_at(relevant, as_of)
    details: dict[str, Any] = {
        "standard_code": cert.standard.code,
        "issue_date": _iso(cert.issue_date),
        "accredited_at_issue_date": issue_reason is None,
        "issue_date_reason": issue_reason,
        "as_of": _iso(as_of),
        "accredited_at_as_of": as_of_reason is None,
        "as_of_reason": as_of_reason,
    }
    if issue_reason is None and as_of_reason is None:
        qualifying = [item for item in relevant if accreditation_active_at(item, as_of)]
        return (
            _result(
                code,
                Outcome.PASS,
                f"{cb.name} was accredited for {cert.standard.code} on the issue date "
                f"{cert.issue_date} and is on {as_of}",
                details,
            ),
            qualifying,
        )
    standard = cert.standard.code
    if issue_reason == "none_for_standard":
        message = f"{cb.name} holds no accreditation for {standard}"
    elif as_of_reason is not None and issue_reason is not None:
        message = (
            f"{cb.name} is not accredited for {standard} on {as_of} "
            f"({_STATE_WORDS[as_of_reason]}) and was not on the issue date {cert.issue_date} "
            f"({_STATE_WORDS[issue_reason]})"
        )
    elif as_of_reason is not None:
        message = (
            f"{cb.name} is not accredited for {standard} on {as_of} ({_STATE_WORDS[as_of_reason]})"
        )
    else:
        assert issue_reason is not None
        message = (
            f"{cb.name} was not accredited for {standard} on the issue date {cert.issue_date} "
            f"({_STATE_WORDS[issue_reason]})"
        )
    return _result(code, Outcome.FAIL, message, details, Verdict.NOT_ACCREDITED), []


_NOT_ACCREDITED_SKIP = "Not checked: the certification body is not accredited for this standard"


def check_accreditation_sectors(
    cert: CertificateFact, accreditation: AccreditationFact | None
) -> Finding:
    """The certificate's IAF sectors lie within the accreditation's sectors (IAF ID 1)."""
    code = CheckCode.ACCREDITATION_SECTORS
    if accreditation is None:
        return _skipped(code, _NOT_ACCREDITED_SKIP)
    standard = cert.standard.code
    if not uses_iaf_sectors(standard):
        return _skipped(code, f"Not checked: {standard} does not use IAF sectors")
    details: dict[str, Any] = {
        "certificate_sectors": sorted(cert.sectors),
        "accreditation_sectors": sorted(accreditation.sectors),
    }
    if not cert.sectors:
        return _result(
            code, Outcome.WARN, f"The certificate declares no IAF sector for {standard}", details
        )
    if not accreditation.sectors:
        return _result(
            code, Outcome.PASS, "The accreditation is not restricted by IAF sector", details
        )
    number = accreditation.accreditation_number
    outside = sorted(set(cert.sectors) - set(accreditation.sectors))
    if outside:
        return _result(
            code,
            Outcome.FAIL,
            f"{_sectors_are(outside)} outside accreditation {number}",
            {**details, "outside": outside},
            Verdict.NOT_ACCREDITED,
        )
    inside = sorted(set(cert.sectors))
    return _result(
        code, Outcome.PASS, f"{_sectors_are(inside)} within accreditation {number}", details
    )


def _sectors_are(sectors: Sequence[int]) -> str:
    """ "IAF sector 17 is" or "IAF sectors 17, 19 are", for sector messages."""
    listed = ", ".join(str(sector) for sector in sectors)
    return f"IAF sector {listed} is" if len(sectors) == 1 else f"IAF sectors {listed} are"


def arrangement_at(
    arrangements: Sequence[RecognitionArrangement], day: date
) -> RecognitionArrangement | None:
    """The recognition arrangement in force on `day` (the IAF MLA up to 2025-12-31, the Global
    ACI MRA from 2026-01-01: DESIGN.md, first paragraph), or None when none covers it."""
    return next((item for item in arrangements if item.covers(day)), None)


@dataclass(frozen=True, slots=True)
class Recognition:
    """An AB's MLA recognition for one standard code at a date, as `check_ab_recognition` and
    the chain section (app/domain/chain.py) both judge it: `outcome` PASS (recognised), WARN
    (outside the MLA's scope, or not confirmed where the AB's list is incomplete) or FAIL (not
    recognised), the message in words, and the AB's scopes for that standard."""

    outcome: Outcome
    message: str
    scopes: tuple[MlaScopeFact, ...]


def mla_recognition(
    body: AccreditationBodyFact,
    standard_code: str,
    in_mla_scope: bool,
    as_of: date,
    arrangement: RecognitionArrangement | None = None,
) -> Recognition:
    """Whether `body` is an MLA signatory for `standard_code` at `as_of` (ISO/IEC 17011 / IAF
    PL 3), named by the arrangement in force then (`arrangement`; "MLA recognition" when none
    is known).

    DESIGN.md, "Recognition": an AB's MLA scopes entered through the API are authoritative
    (missing = FAIL); where the list is incomplete (shipped data) a missing standard warns.
    DESIGN.md, "Recognition scope": a standard outside the MLA's management-system scope
    (`in_mla_scope` False, e.g. ISO 22301) can be accredited nationally only, so recognition is
    not expected: a warning, never a failure, even when the AB's list is complete.
    """
    standard = standard_code
    key = standard_code_key(standard)
    scopes = tuple(
        scope for scope in body.mla_scopes if standard_code_key(scope.standard_code) == key
    )
    if not in_mla_scope:
        expected = (
            f"recognition under the {arrangement.short_name}"
            if arrangement is not None
            else "MLA recognition"
        )
        return Recognition(
            Outcome.WARN,
            f"{standard} is outside the MLA's scope; accredited nationally by {body.acronym} "
            f"({expected} is not expected)",
            scopes,
        )
    for scope in scopes:
        if (scope.since is None or scope.since <= as_of) and (
            scope.until is None or as_of <= scope.until
        ):
            since = f" since {scope.since}" if scope.since is not None else ""
            recognised = (
                f"is recognised under the {arrangement.short_name}"
                if arrangement is not None
                else "holds MLA recognition"
            )
            return Recognition(
                Outcome.PASS, f"{body.acronym} {recognised} for {standard}{since}", scopes
            )
    if not body.mla_scopes_complete:
        return Recognition(
            Outcome.WARN,
            f"MLA recognition of {body.acronym} for {standard} could not be confirmed",
            scopes,
        )
    not_recognised = (
        f"is not recognised under the {arrangement.short_name}"
        if arrangement is not None
        else "holds no MLA recognition"
    )
    return Recognition(
        Outcome.FAIL, f"{body.acronym} {not_recognised} for {standard} on {as_of}", scopes
    )


def check_ab_recognition(
    cert: CertificateFact,
    accreditation: AccreditationFact | None,
    as_of: date,
    arrangement: RecognitionArrangement | None = None,
) -> Finding:
    """The AB is an MLA signatory for the standard at `as_of` (ISO/IEC 17011 / IAF PL 3), named
    by the arrangement in force then: the rule of `mla_recognition` (DESIGN.md, "Recognition"
    and "Recognition scope"), `not_accredited` when it fails."""
    code = CheckCode.AB_RECOGNITION
    if accreditation is None:
        return _skipped(code, _NOT_ACCREDITED_SKIP)
    body = accreditation.accreditation_body
    recognition = mla_recognition(
        body, cert.standard.code, cert.standard.in_mla_scope, as_of, arrangement
    )
    details: dict[str, Any] = {
        "accreditation_body_id": body.id,
        "mla_scopes_complete": body.mla_scopes_complete,
        "in_mla_scope": cert.standard.in_mla_scope,
        "arrangement": arrangement.short_name if arrangement is not None else None,
        "mla_scopes": [
            {
                "standard": scope.standard_code,
                "since": _iso(scope.since),
                "until": _iso(scope.until),
            }
            for scope in recognition.scopes
        ],
    }
    return _result(code, recognition.outcome, recognition.message, details, Verdict.NOT_ACCREDITED)


def _claim(value: str | None) -> str | None:
    """A claim with content, or None: blank claims claim nothing."""
    return value.strip() if value is not None and value.strip() else None


def _certified_as(cert: CertificateFact, name: str | None) -> str:
    """Describe a matched name as the certified organisation or one of its aliases."""
    certified = f'the certified organisation "{cert.organization_name}"'
    return (
        certified
        if name in (None, cert.organization_name)
        else f'"{name}", an alias of {certified}'
    )


def check_organization_match(cert: CertificateFact, claimed: str | None) -> Finding:
    """The claimed organisation is the certified entity or an alias (DESIGN.md, "Claims")."""
    code = CheckCode.ORGANIZATION_MATCH
    claim = _claim(claimed)
    if claim is None:
        return _skipped(code, "Not checked: no organisation was claimed")
    match = names.match_organization(claim, (cert.organization_name, *cert.organization_aliases))
    details: dict[str, Any] = {
        "claimed": claim,
        "matched_name": match.matched_name,
        "score": round(match.score, 1),
    }
    if match.outcome is Outcome.PASS:
        return _result(
            code, Outcome.PASS, f"Matches {_certified_as(cert, match.matched_name)}", details
        )
    if match.outcome is Outcome.WARN:
        return _result(
            code,
            Outcome.WARN,
            f'"{claim}" nearly matches {_certified_as(cert, match.matched_name)}; '
            "check the spelling",
            details,
        )
    return _result(
        code,
        Outcome.FAIL,
        f'"{claim}" does not match the certified organisation "{cert.organization_name}"',
        details,
        Verdict.MISMATCH,
    )


def _successor_edition(cert: CertificateFact) -> str | None:
    """The edition year of the edition that superseded the certificate's ("ISO 9001:2015")."""
    superseded_by = cert.standard.superseded_by
    successor = read_standard(superseded_by) if superseded_by else None
    return successor.edition if successor is not None else None


def check_standard_match(cert: CertificateFact, claimed: str | None) -> Finding:
    """The claimed standard, and edition when given, is the certificate's (DESIGN.md, "Claims").

    The claim is read by the one grammar of app/domain/standards.py: national prefixes,
    "ISO"/"ISO/IEC"/nothing, two-digit years and amendments are allowed, and "ISO 27001" =
    "ISO/IEC 27001". A claim the grammar cannot read is `skipped` with the claim quoted, never a
    failure ("cannot tell" is not "mismatch"). A different code or edition is `fail`; the number
    of a multi-part standard without its part ("ISO 20000" for ISO/IEC 20000-1) is a `warn`.
    The year after a regional or national prefix ("EN ISO/IEC 27001:2023", "AS/NZS ISO
    9001:2016") is the adoption's, not the edition's: equal to the edition, `pass`; earlier, it
    cannot adopt it, and equal to the edition that superseded it, it adopts that one (`fail`);
    otherwise it may be a later adoption of it (`warn`: a person checks).
    """
    code = CheckCode.STANDARD_MATCH
    claim = _claim(claimed)
    if claim is None:
        return _skipped(code, "Not checked: no standard was claimed")
    details: dict[str, Any] = {"claimed": claim, "certificate_standard": cert.standard.label}
    read = read_standard(claim)
    if read is None:
        return _result(
            code,
            Outcome.SKIPPED,
            f'Not checked: the claimed standard "{claim}" could not be read as a standard; '
            'write it as "ISO 9001:2015"',
            details,
        )
    details |= {"claimed_code": read.code, "claimed_edition": read.edition or read.national_year}
    label = cert.standard.label
    certified_key = standard_code_key(cert.standard.code)
    whole, _, part = cert.standard.code.rpartition("-")
    partless = (
        bool(whole)
        and part.isdigit()
        and "-" not in read.code
        and standard_code_key(whole) == read.key
    )
    if read.key != certified_key and not partless:
        return _result(
            code,
            Outcome.FAIL,
            f'Claimed "{claim}" but the certificate is for {label}',
            details,
            Verdict.MISMATCH,
        )
    if read.edition is not None and read.edition != cert.standard.edition:
        return _result(
            code,
            Outcome.FAIL,
            f'Claimed "{claim}" (edition {read.edition}) but the certificate is for {label}',
            details,
            Verdict.MISMATCH,
        )
    national = read.national_year
    edition = cert.standard.edition
    if national is not None and (national < edition or national == _successor_edition(cert)):
        why = "before" if national < edition else "after the edition that superseded"
        return _result(
            code,
            Outcome.FAIL,
            f'Claimed "{claim}", an adoption dated {national}, {why} the edition of the '
            f"certificate, {label}",
            details,
            Verdict.MISMATCH,
        )
    if national is not None and national != edition:
        return _result(
            code,
            Outcome.WARN,
            f'Claimed "{claim}", an adoption dated {national}; the certificate is for {label}: '
            "check that the adoption is of that edition",
            details,
        )
    if partless:
        return _result(
            code,
            Outcome.WARN,
            f'Claimed "{claim}" without its part; the certificate is for {label}',
            details,
        )
    return _result(code, Outcome.PASS, f"The certificate is for {label}", details)


def check_site_match(cert: CertificateFact, claimed: str | None) -> Finding:
    """The claimed country is among the certified sites' countries (DESIGN.md, "Claims")."""
    code = CheckCode.SITE_MATCH
    claim = _claim(claimed)
    if claim is None:
        return _skipped(code, "Not checked: no country was claimed")

    def alpha_2(stored: str) -> str:
        # Stored countries are alpha-2 since the write schemas normalise them (issue 13); older
        # or directly built facts are read the same way, and kept as written when unreadable.
        try:
            return country_code(stored)
        except ValueError:
            return stored.strip().upper()

    if cert.sites:
        countries = sorted({alpha_2(site.country) for site in cert.sites})
    elif cert.organization_country:
        countries = [alpha_2(cert.organization_country)]
    else:
        return _skipped(code, "Not checked: the certificate lists no site or country")
    try:
        # "UK", "GBR" and "United Kingdom" all claim GB (DESIGN.md, "Claims"; app/domain/
        # countries.py). The API refuses other claims (422); here they cannot be compared.
        country = country_code(claim)
    except ValueError:
        return _skipped(code, f'Not checked: "{claim}" is not a country')
    details: dict[str, Any] = {"claimed": country, "countries": countries}
    listed = ", ".join(countries)
    if country in countries:
        return _result(code, Outcome.PASS, f"The certificate covers a site in {country}", details)
    return _result(
        code,
        Outcome.FAIL,
        f"The certificate covers no site in {country} (only {listed})",
        details,
        Verdict.MISMATCH,
    )


def check_scope_match(cert: CertificateFact, claimed: str | None) -> Finding:
    """Warn when the claimed activity is not evidently within the scope; never fail (DESIGN.md)."""
    code = CheckCode.SCOPE_MATCH
    claim = _claim(claimed)
    if claim is None:
        return _skipped(code, "Not checked: no activity was claimed")
    details: dict[str, Any] = {"claimed": claim}
    if names.scope_covers(claim, cert.scope):
        return _result(
            code, Outcome.PASS, "The claimed activity is within the certified scope", details
        )
    return _result(
        code,
        Outcome.WARN,
        f'The claimed activity "{claim}" is not evidently within the certified scope; read it',
        details,
    )


# --- verdict and summary ------------------------------------------------------------------------

_SUMMARIES: dict[Verdict, str] = {
    Verdict.VALID: "{subject} is valid on {as_of}{with_warnings}.",
    Verdict.WITHDRAWN: "{subject} was withdrawn by its certification body and is not valid on "
    "{as_of}.",
    Verdict.SUSPENDED: "{subject} is suspended by its certification body and is not valid on "
    "{as_of}.",
    Verdict.EXPIRED: "{subject} expired after {expiry_date} and is not valid on {as_of}.",
    Verdict.NOT_YET_VALID: "{subject} is not valid until {valid_from}, so not on {as_of}.",
    Verdict.OUTDATED_STANDARD: "{subject} is not valid on {as_of}: the transition from "
    "{standard} ended on {transition_deadline}.",
    Verdict.NOT_ACCREDITED: "{subject} is not backed by a recognised accreditation for "
    "{standard_code} on {as_of}, so it cannot be relied on.",
    Verdict.MISMATCH: "{subject} exists but does not match the claimed {mismatched}.",
}

_NOT_FOUND_SUMMARIES: dict[str, str] = {
    "published": "Certificate {number} was not found in {cb}'s published certificates; "
    "ask the issuer before relying on it.",
    "unpublished": "Certificate {number} was not found because {cb} publishes no certificate "
    "to this registry; ask the issuer to confirm it.",
    "copied": "Certificate {number} was not found among {cb}'s certificates, but {others} "
    "issued a certificate with this number: ask {cb} before relying on it.",
    "unrecognised": 'Certificate {number} was not found, and "{named}" is not a certification '
    "body this registry knows; check the issuer's name and ask it to confirm the certificate.",
    "unnamed": "Certificate {number} was not found in this registry; name the certification "
    "body or ask the issuer.",
}


def _not_found_summary(request: VerificationRequest) -> str:
    """The one-sentence answer for `not_found` (DESIGN.md: it says whether the named CB
    publishes here, and separately when the named CB was not recognised)."""
    if request.certification_body_recognised is None:
        case = "unnamed"
    elif request.certification_body_recognised is False:
        case = "unrecognised"
    elif request.elsewhere:
        case = "copied"
    elif request.certification_body_in_registry:
        case = "published"
    else:
        case = "unpublished"
    return _NOT_FOUND_SUMMARIES[case].format(
        number=request.certificate_number,
        cb=_issuer(request),
        named=request.certification_body_named,
        others=", ".join(cert.certification_body.name for cert in request.elsewhere),
    )


_AMBIGUOUS_SUMMARY = (
    "Certificate number {number} was issued by {count} certification bodies ({bodies}); "
    "name the certification body to get one answer."
)

_CLAIM_WORDS: dict[CheckCode, str] = {
    CheckCode.ORGANIZATION_MATCH: "organisation",
    CheckCode.STANDARD_MATCH: "standard",
    CheckCode.SITE_MATCH: "country",
}


def decide_verdict(findings: Sequence[Finding]) -> Verdict:
    """The first failure in VERDICT_PRECEDENCE, else valid (DESIGN.md)."""
    failed = {finding.verdict for finding in findings if finding.verdict is not None}
    return next((verdict for verdict in VERDICT_PRECEDENCE if verdict in failed), Verdict.VALID)


def _summary(
    verdict: Verdict, cert: CertificateFact, findings: Sequence[Finding], as_of: date
) -> str:
    """One plain-language sentence for a verdict on a found certificate."""
    warnings = sum(finding.check.outcome is Outcome.WARN for finding in findings)
    mismatched = [
        _CLAIM_WORDS[finding.check.code]
        for finding in findings
        if finding.verdict is Verdict.MISMATCH and finding.check.code in _CLAIM_WORDS
    ]
    return _SUMMARIES[verdict].format(
        subject=f"Certificate {cert.certificate_number} for {cert.standard.label} held by "
        f"{cert.organization_name}",
        as_of=as_of,
        with_warnings=f", with {warnings} warning{'s' if warnings > 1 else ''}" if warnings else "",
        expiry_date=cert.expiry_date,
        valid_from=_valid_from(cert),
        standard=cert.standard.label,
        standard_code=cert.standard.code,
        transition_deadline=cert.standard.transition_deadline,
        mismatched=" and ".join(mismatched),
    )


def _unfound_result(
    request: VerificationRequest, candidates: Sequence[CertificateFact], found: Finding
) -> VerificationResult:
    """Answer for not_found / ambiguous: every later check is skipped (DESIGN.md)."""
    skipped = tuple(
        _skipped(code, "Not checked: no single certificate was found").check
        for code in ENGINE_CHECKS
        if code is not CheckCode.CERTIFICATE_FOUND
    )
    if found.verdict is Verdict.AMBIGUOUS:
        verdict = Verdict.AMBIGUOUS
        summary = _AMBIGUOUS_SUMMARY.format(
            number=request.certificate_number,
            count=len(candidates),
            bodies=", ".join(candidate.certification_body.name for candidate in candidates),
        )
    else:
        verdict = Verdict.NOT_FOUND
        summary = _not_found_summary(request)
    return VerificationResult(
        verdict=verdict,
        summary=summary,
        checks=(found.check, *skipped),
        warnings=(),
        certificate=None,
        accreditation=None,
        candidates=tuple(candidates) if verdict is Verdict.AMBIGUOUS else (),
        certificate_status=None,
    )


def _choose_accreditation(
    cert: CertificateFact,
    qualifying: Sequence[AccreditationFact],
    as_of: date,
    arrangement: RecognitionArrangement | None = None,
) -> tuple[AccreditationFact, Finding, Finding]:
    """The qualifying accreditation whose sector and MLA checks fare best; ties go to the first."""

    def assess(accreditation: AccreditationFact) -> tuple[AccreditationFact, Finding, Finding]:
        return (
            accreditation,
            check_accreditation_sectors(cert, accreditation),
            check_ab_recognition(cert, accreditation, as_of, arrangement),
        )

    def rank(assessed: tuple[AccreditationFact, Finding, Finding]) -> tuple[int, int]:
        ranks = [_OUTCOME_RANK[finding.check.outcome] for finding in assessed[1:]]
        return max(ranks), sum(ranks)

    return min((assess(accreditation) for accreditation in qualifying), key=rank)


def accreditation_checks(
    cert: CertificateFact,
    accreditations: Sequence[AccreditationFact],
    as_of: date,
    arrangements: Sequence[RecognitionArrangement] = (),
) -> tuple[AccreditationFact | None, Finding, Finding, Finding]:
    """The accreditation reported and the `cb_accreditation`, `accreditation_sectors` and
    `ab_recognition` findings, as `verify` runs them (DESIGN.md, "Precise readings":
    the accreditation at `as_of` whose sectors and AB are checked; when several qualify, the
    one that passes). Also what the import asks to warn about sectors (app/services/imports/
    warnings.py), so both apply one rule."""
    accreditation_finding, qualifying = check_cb_accreditation(cert, accreditations, as_of)
    arrangement = arrangement_at(arrangements, as_of)
    if qualifying:
        reported, sectors, recognition = _choose_accreditation(cert, qualifying, as_of, arrangement)
        return reported, accreditation_finding, sectors, recognition
    return (
        most_relevant_accreditation(accreditations_for_standard(cert, accreditations), as_of),
        accreditation_finding,
        check_accreditation_sectors(cert, None),
        check_ab_recognition(cert, None, as_of),
    )


def verify(
    request: VerificationRequest,
    candidates: Sequence[CertificateFact],
    accreditations: Sequence[AccreditationFact],
) -> VerificationResult:
    """Run every check in DESIGN.md order and decide the verdict.

    `candidates`: certificates whose number key equals the queried one (for the named CB, when one
    was named and resolved). `accreditations`: all accreditations of the candidate's CB.
    """
    found = check_certificate_found(request, candidates)
    if found.verdict is not None:
        return _unfound_result(request, candidates, found)
    cert = candidates[0]
    as_of = request.as_of
    claims = request.claims
    reported, accreditation_finding, sectors, recognition = accreditation_checks(
        cert, accreditations, as_of, request.recognition_arrangements
    )
    findings: tuple[Finding, ...] = (
        found,
        check_certificate_status(cert, as_of),
        check_validity_period(cert, as_of),
        check_standard_edition(cert, as_of),
        accreditation_finding,
        sectors,
        recognition,
        check_organization_match(cert, claims.organization),
        check_standard_match(cert, claims.standard),
        check_site_match(cert, claims.country),
        check_scope_match(cert, claims.scope),
    )
    verdict = decide_verdict(findings)
    return VerificationResult(
        verdict=verdict,
        summary=_summary(verdict, cert, findings, as_of),
        checks=tuple(finding.check for finding in findings),
        warnings=tuple(
            finding.check.message for finding in findings if finding.check.outcome is Outcome.WARN
        ),
        certificate=cert,
        accreditation=reported,
        candidates=(),
        certificate_status=status_at(cert.status_events, as_of, Status.ACTIVE),
    )
