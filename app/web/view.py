"""The verification page's presentation: form parsing, plain-language wording, template context."""

from __future__ import annotations

import calendar
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from app.domain.countries import MAX_LENGTH as COUNTRY_MAX_LENGTH
from app.domain.countries import country_code
from app.models import Certificate
from app.schemas.verification import VerificationRequestIn
from app.services.registry.certificates import certificate_status_today
from app.services.verification.links import (
    absolute_url,
    certificate_deep_link_path,
    qr_code,
    qr_svg_data_uri,
)

WEB_DIR = Path(__file__).resolve().parent
TEMPLATES_DIR = WEB_DIR / "templates"
STATIC_DIR = WEB_DIR / "static"

VERIFY_FIELDS: tuple[str, ...] = (
    "certificate_number",
    "certification_body",
    "accreditation_body",
    "organization",
    "standard",
    "country",
    "scope",
    "as_of",
)
"""The verification form's fields, in the order the form shows them."""
_OPTIONAL_FIELDS = VERIFY_FIELDS[1:]
SEARCH_FIELDS: tuple[str, ...] = ("organization", "country", "standard", "certification_body")
SEARCH_PAGE_SIZE = 20


# --- wording ------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class VerdictView:
    """How a verdict is shown: a word, a sentence, a tone (colour), an icon and next steps."""

    label: str
    headline: str
    tone: str
    icon: str
    next_steps: tuple[str, ...] = ()


_ASK_ISSUER = (
    "Contact the issuer, {issuer}, using the contact details on its own website (not those "
    "printed on the certificate), and ask it to confirm the certificate."
)

VERDICTS: dict[str, VerdictView] = {
    "valid": VerdictView("Valid", "This certificate can be relied on.", "ok", "check"),
    "not_found": VerdictView(
        "Not found", "This registry holds no certificate with this number.", "unknown", "question"
    ),
    "ambiguous": VerdictView(
        "More than one match",
        "Several certification bodies issued a certificate with this number.",
        "warn",
        "alert",
        (
            "Choose the certification body printed on the certificate from the list below.",
            "Or add the certification body to your question and check again.",
        ),
    ),
    "withdrawn": VerdictView(
        "Withdrawn",
        "This certificate is no longer valid.",
        "bad",
        "cross",
        (
            "Do not rely on this certificate.",
            "Ask the holder why it was withdrawn and whether they hold a new certificate; "
            "check the new one here.",
            _ASK_ISSUER,
        ),
    ),
    "suspended": VerdictView(
        "Suspended",
        "This certificate is not valid while it is suspended.",
        "bad",
        "pause",
        (
            "Do not rely on the certificate while it is suspended.",
            "Ask the holder why it was suspended and when they expect it to be reinstated.",
            "Check again later, or ask the issuer, {issuer}, to confirm its status.",
        ),
    ),
    "expired": VerdictView(
        "Expired",
        "This certificate has run out.",
        "bad",
        "clock",
        (
            "Ask the holder for their current certificate: a renewed certificate carries new "
            "dates and sometimes a new number.",
            "Check the renewed certificate here.",
            "If the holder has none, ask the issuer, {issuer}, whether the certification was "
            "renewed.",
        ),
    ),
    "not_yet_valid": VerdictView(
        "Not yet valid",
        "This certificate was not yet in force on the date asked about.",
        "warn",
        "clock",
        (
            "Check the date you asked about.",
            "Check again on or after the date the certificate comes into force.",
            "Ask the holder for the certificate that is in force now.",
        ),
    ),
    "outdated_standard": VerdictView(
        "Outdated standard",
        "This certificate is to an edition of the standard whose transition period has ended.",
        "bad",
        "cross",
        (
            "Ask the holder for a certificate to the current edition of the standard.",
            "A certificate to an old edition stops being valid when the transition ends, "
            "whatever expiry date is printed on it; the check above names the decision that "
            "set the deadline.",
            "If the holder says they have moved to the new edition, ask the issuer, {issuer}, "
            "to publish the new certificate.",
        ),
    ),
    "not_accredited": VerdictView(
        "Not accredited",
        "No recognised accreditation backs this certificate.",
        "bad",
        "cross",
        (
            "Treat the certificate as unaccredited: it does not carry the international "
            "recognition of the Global ACI MRA (the IAF MLA before 2026).",
            "Ask the issuer, {issuer}, for its accreditation number for this standard and "
            "check it with the accreditation body.",
            "If you require accredited certification, ask the holder for a certificate from an "
            "accredited certification body.",
        ),
    ),
    "mismatch": VerdictView(
        "Does not match",
        "The certificate exists, but not as it was described to you.",
        "bad",
        "alert",
        (
            "Compare the failed checks below with what you were told.",
            "Ask the supplier to explain the difference: the certificate may belong to another "
            "company in their group, be for another standard, or not cover that site.",
            "Ask for the certificate that covers the organisation, standard and site you rely on.",
        ),
    ),
}

_NOT_FOUND_STEPS: dict[bool | str | None, tuple[str, ...]] = {
    "unrecognised": (
        "Check the certification body's name against the certificate: its acronym, full name "
        "or former name is enough.",
        "Check the number against the certificate character by character (spaces, dots and "
        "dashes do not matter).",
        "Ask the holder which accreditation body accredits the issuer, and check that "
        "accreditation with that body.",
    ),
    True: (
        "Check the number against the certificate character by character (spaces, dots and "
        "dashes do not matter).",
        "Ask the holder for their current certificate: it may have been reissued under a new "
        "number.",
        _ASK_ISSUER,
        "Until the issuer confirms it, do not rely on it: a certificate that its issuer does not "
        "list may be fake.",
    ),
    False: (
        _ASK_ISSUER,
        "Ask the holder which accreditation body accredits {issuer}, and check that "
        "accreditation with that body.",
    ),
    None: (
        "Add the certification body printed on the certificate and check again.",
        "Check the number against the certificate character by character (spaces, dots and "
        "dashes do not matter).",
        "No number at hand? Find the organisation's certificates by name instead.",
        "Ask the holder for their current certificate.",
    ),
}

CHECKS: dict[str, tuple[str, str]] = {
    "certificate_found": (
        "Certificate found",
        "Does exactly one certificate in this registry carry this number?",
    ),
    "certificate_status": (
        "Status",
        "Is the certificate active, not suspended or withdrawn, on the date?",
    ),
    "validity_period": (
        "Validity dates",
        "Does the date fall between the original issue date and the expiry date?",
    ),
    "standard_edition": (
        "Standard edition",
        "Is the edition still current, or has its transition period ended?",
    ),
    "cb_accreditation": (
        "Issuer's accreditation",
        "Was the issuer accredited for this standard when it issued the certificate, "
        "and is it on the date?",
    ),
    "accreditation_sectors": (
        "Sectors",
        "Do the certificate's IAF sectors lie within the issuer's accredited sectors?",
    ),
    "ab_recognition": (
        "Accreditation body",
        "Is the accreditation body recognised under the Global ACI MRA (the IAF MLA before "
        "2026) for this standard?",
    ),
    "organization_match": (
        "Organisation",
        "Is the organisation you were told about the one that is certified?",
    ),
    "standard_match": ("Standard", "Is the certificate for the standard you were told?"),
    "site_match": (
        "Country",
        "Does the certificate cover a site in the country you were told?",
    ),
    "scope_match": (
        "Activity",
        "Is the activity you were told about evidently within the certified scope?",
    ),
    "document_certificate_number": (
        "Document: number",
        "Is the number printed the one its QR code links to, and the registry's?",
    ),
    "document_certification_body": (
        "Document: issuer",
        "Is the certification body printed the one that issued the registry's certificate?",
    ),
    "document_accreditation_body": (
        "Document: accreditation body",
        "Does the accreditation body printed accredit the issuer for this standard?",
    ),
    "document_organization": (
        "Document: holder",
        "Is the holder printed the registry's certified organisation?",
    ),
    "document_identity": (
        "Document: is it this certificate?",
        "Do the number and the holder printed both lead to the registry's certificate?",
    ),
    "document_standard": (
        "Document: standard",
        "Is the standard and edition printed the certificate's?",
    ),
    "document_scope": (
        "Document: scope",
        "Is the scope printed no wider than the registry's?",
    ),
    "document_countries": (
        "Document: site countries",
        "Are the countries printed among the certificate's sites?",
    ),
    "document_sites": (
        "Document: sites",
        "Are the sites printed among the certificate's sites?",
    ),
    "document_issue_date": ("Document: issue date", "Is the issue date printed the registry's?"),
    "document_original_issue_date": (
        "Document: original issue date",
        "Is the original issue date printed the registry's?",
    ),
    "document_expiry_date": (
        "Document: expiry date",
        "Is the expiry date printed no later than the registry's?",
    ),
}

OUTCOMES: dict[str, tuple[str, str]] = {
    "pass": ("Passed", "check"),
    "fail": ("Failed", "cross"),
    "warn": ("Warning", "bang"),
    "skipped": ("Not checked", "dash"),
}

STATUS_WORDS: dict[str, str] = {
    "active": "Active",
    "suspended": "Suspended",
    "withdrawn": "Withdrawn",
    "expired": "Expired",
}

_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def sentence(text: str) -> str:
    """`text` ending with a full stop (engine messages carry none)."""
    return text if text.endswith((".", "!", "?")) else text + "."


def long_date(value: str | date | None) -> str:
    """ "2026-11-26" as "26 November 2026": unambiguous in every country."""
    if value is None or value == "":
        return ""
    day = value if isinstance(value, date) else date.fromisoformat(str(value))
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def iso_date(value: str | date | None) -> str:
    """A date as YYYY-MM-DD for `<time datetime>`."""
    if value is None or value == "":
        return ""
    return value.isoformat() if isinstance(value, date) else str(value)


templates = Jinja2Templates(directory=str(TEMPLATES_DIR))
templates.env.filters["long_date"] = long_date
templates.env.filters["iso_date"] = iso_date
templates.env.globals["STATUS_WORDS"] = STATUS_WORDS


# --- forms --------------------------------------------------------------------------------------


@dataclass
class FormState:
    """A form's values as typed and the error shown next to each invalid field."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def has_optional(self) -> bool:
        """True when an optional verification field holds a value or an error."""
        return any(self.values.get(f) or f in self.errors for f in _OPTIONAL_FIELDS)

    @property
    def has_optional_error(self) -> bool:
        """True when an optional verification field is invalid (its section must be open)."""
        return any(f in self.errors for f in _OPTIONAL_FIELDS)


class FormInvalid(Exception):
    """The submitted form has invalid fields; the page is shown again with the errors."""

    def __init__(self, state: FormState) -> None:
        super().__init__("invalid form")
        self.state = state


_FIELD_LABELS: dict[str, str] = {
    "certificate_number": "certificate number",
    "certification_body": "certification body",
    "accreditation_body": "accreditation body",
    "organization": "organisation",
    "standard": "standard",
    "scope": "activity",
    "country": "country",
    "as_of": "date",
}


def form_values(params: Mapping[str, str], fields: Sequence[str]) -> dict[str, str]:
    """The named fields from the query string, trimmed; absent fields are empty strings."""
    return {name: (params.get(name) or "").strip() for name in fields}


def _friendly(name: str, error: Mapping[str, Any]) -> str:
    """A pydantic error as a sentence a person can act on."""
    kind = str(error.get("type", ""))
    if name == "certificate_number":
        if kind == "string_too_long":
            return "A certificate number has at most 100 characters."
        return "Enter the certificate number as printed, with at least one letter or digit."
    if name == "as_of":
        return date_error(str(error.get("input") or ""))
    if name == "country":
        return country_error(str(error.get("input") or ""))
    if kind == "string_too_long":
        limit = error.get("ctx", {}).get("max_length")
        return f"The {_FIELD_LABELS.get(name, name)} can have at most {limit} characters."
    return str(error.get("msg", "This value is not valid.")).removeprefix("Value error, ")


_DATE_SHAPE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
DATE_FORMAT_MESSAGE = "Enter the date as YYYY-MM-DD, for example 2026-11-26."


def date_error(value: str) -> str:
    """Why a date field is refused: a well-formed date that does not exist (ISO 8601's
    YYYY-MM-DD, Gregorian calendar) is named as such; anything else is asked for as YYYY-MM-DD."""
    shown = value.strip()
    shape = _DATE_SHAPE.match(shown)
    if shape is None:
        return DATE_FORMAT_MESSAGE
    year, month, day = (int(part) for part in shape.groups())
    if year < 1:
        return f"{shown} is not a date: years start at 0001."
    if not 1 <= month <= 12:
        return f"{shown} is not a date: a year has 12 months, 01 to 12."
    days = calendar.monthrange(year, month)[1]
    if day < 1:
        return f"{shown} is not a date: days start at 01."
    if day > days:
        return f"{shown} is not a date: {_MONTHS[month - 1]} {year} has {days} days."
    return DATE_FORMAT_MESSAGE


def country_error(value: str) -> str:
    """Why a country field is refused, in words (app/domain/countries.py reads the field)."""
    shown = value.strip()
    if len(shown) > COUNTRY_MAX_LENGTH:
        return f"A country has at most {COUNTRY_MAX_LENGTH} characters."
    asked = f'"{shown}" is not a country we know. ' if shown.isprintable() else ""
    return f"{asked}Enter a country code or name, for example GB, GBR or United Kingdom."


def verification_request(values: Mapping[str, str]) -> VerificationRequestIn:
    """The verification asked for by the form, or FormInvalid naming each bad field."""
    raw = {name: (values.get(name) or None) for name in VERIFY_FIELDS}
    if raw["certificate_number"] is None:
        raw["certificate_number"] = ""
    try:
        return VerificationRequestIn.model_validate(raw)
    except ValidationError as exc:
        errors: dict[str, str] = {}
        for error in exc.errors():
            loc = error.get("loc", ())
            name = str(loc[0]) if loc else "certificate_number"
            errors.setdefault(name, _friendly(name, error))
        ordered = {f: errors[f] for f in VERIFY_FIELDS if f in errors}
        raise FormInvalid(FormState(dict(values), ordered)) from exc


def search_errors(pointer: str, detail: str) -> dict[str, str]:
    """A search service validation problem as a field error."""
    name = pointer.lstrip("/") or "organization"
    if name == "organization":
        return {name: "Enter the organisation's name, with at least one letter or digit."}
    if name == "standard":
        return {name: f'Write the standard as printed, for example "ISO 9001" ({detail}).'}
    return {name: detail}


def validate_search(values: Mapping[str, str]) -> dict[str, str]:
    """Field errors of the organisation search form (empty when it can run)."""
    errors: dict[str, str] = {}
    if not values.get("organization"):
        errors["organization"] = "Enter the organisation's name, with at least one letter or digit."
    elif len(values["organization"]) > 200:
        errors["organization"] = "The organisation can have at most 200 characters."
    country = values.get("country", "")
    if country:
        try:
            country_code(country)
        except ValueError:
            errors["country"] = country_error(country)
    if len(values.get("standard", "")) > 60:
        errors["standard"] = "The standard can have at most 60 characters."
    if len(values.get("certification_body", "")) > 300:
        errors["certification_body"] = "The certification body can have at most 300 characters."
    return errors


# --- result page --------------------------------------------------------------------------------


def query_string(values: Mapping[str, str]) -> str:
    """A query string of the non-empty values, in field order."""
    return urlencode([(k, v) for k, v in values.items() if v])


def _issuer_name(response: Mapping[str, Any]) -> str:
    """The issuer as the visitor knows it: the CB found, else the one named."""
    cb = response.get("certification_body")
    if cb:
        return str(cb["name"])
    named = (response.get("query") or {}).get("certification_body") or {}
    resolved = named.get("resolved")
    if resolved:
        return str(resolved["name"])
    if named.get("given"):
        return str(named["given"])
    return "the certification body named on the certificate"


def next_steps(response: Mapping[str, Any]) -> list[str]:
    """What the visitor should do next, for an unfavourable verdict (none for `valid`)."""
    verdict = str(response["verdict"])
    if verdict == "not_found":
        key: bool | str | None = (
            "unrecognised" if recognised(response) is False else publishes_here(response)
        )
        steps = _NOT_FOUND_STEPS[key]
    else:
        steps = VERDICTS[verdict].next_steps
    issuer = _issuer_name(response)
    return [step.format(issuer=issuer) for step in steps]


def publishes_here(response: Mapping[str, Any]) -> bool | None:
    """For `not_found`: whether the named CB publishes to this registry (None: none named)."""
    details = response["checks"][0].get("details") or {}
    value = details.get("certification_body_in_registry")
    return value if isinstance(value, bool) else None


def recognised(response: Mapping[str, Any]) -> bool | None:
    """Whether the named CB was recognised at all (None: none named)."""
    details = response["checks"][0].get("details") or {}
    value = details.get("certification_body_recognised")
    return value if isinstance(value, bool) else None


def _same_number_elsewhere(response: Mapping[str, Any]) -> list[dict[str, Any]]:
    """For `not_found`: the public certificates with this number at other CBs, as links."""
    details = response["checks"][0].get("details") or {}
    return [
        {**c, "deep_link": _deep_link_of(c["certification_body"], c["certificate_number"])}
        for c in details.get("same_number_elsewhere") or []
    ]


def _deep_link_of(cb: Mapping[str, Any], number: str) -> str:
    """The deep link path of `number` issued by the CB reference `cb` (id, name, acronym)."""
    return certificate_deep_link_path(
        certification_body_id=str(cb["id"]),
        acronym=cb.get("acronym"),
        certificate_number=number,
    )


PERMALINK_FIELDS: tuple[str, ...] = ("organization", "standard", "country", "scope", "as_of")
"""What a permanent link carries besides the certificate in its path: every claim and the date,
so that whoever opens it gets the same verdict and the same checks."""


def permalink_path(deep_link: str, asked: Mapping[str, str], as_of: str) -> str:
    """The deep link of the certificate checked, with the claims asked about and the date."""
    values = {name: asked.get(name, "") for name in PERMALINK_FIELDS}
    return f"{deep_link}?{query_string({**values, 'as_of': as_of})}"


def checks_not_run(checks: Sequence[Mapping[str, Any]]) -> str | None:
    """For a number that matched no certificate, or several: the checks that need one (all but
    the first), named in one sentence instead of a row each; None when any of them ran."""
    rest = checks[1:]
    if not rest or any(c["outcome"] != "skipped" for c in rest):
        return None
    chain = [c["name"] for c in rest if not str(c["code"]).endswith("_match")]
    claims = [c["name"] for c in rest if str(c["code"]).endswith("_match")]
    words = [name[0].lower() + name[1:] for name in chain]
    if claims:
        told = [name.lower() for name in claims]
        listed = ", ".join(told[:-1]) + " and " + told[-1] if len(told) > 1 else told[0]
        words.append(f"whether the {listed} you were told match")
    listed = ", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]
    return (
        f"The other {len(rest)} checks need a single certificate to look at, so none of them "
        f"was run: {listed}."
    )


def _verdict_word(value: bool | None, *, lookalike: bool = False) -> tuple[str, str]:
    """A chain finding as a word and a data value: known look-alike, yes, no, cannot tell."""
    if lookalike:
        return "Known look-alike.", "lookalike"
    if value is True:
        return "Yes.", "yes"
    if value is False:
        return "No.", "no"
    return "Cannot tell.", "unknown"


def chain_view(response: Mapping[str, Any]) -> dict[str, Any] | None:
    """The chain section (app/domain/chain.py) as the page shows it: per body a word (yes, no,
    cannot tell, known look-alike), a data value for tests and styles, and the message."""
    chain = response.get("chain")
    if not chain:
        return None
    ab, cb = chain["accreditation_body"], chain["certification_body"]
    ab_word, ab_state = _verdict_word(ab["recognised"], lookalike=ab["lookalike"])
    cb_word, cb_state = _verdict_word(cb["accredited_for_standard"])
    return {
        "accreditation_body": {
            "named": ab["named"],
            "word": ab_word,
            "state": ab_state,
            "message": sentence(ab["message"]),
        },
        "certification_body": {
            "named": cb["named"],
            "word": cb_word if cb["known"] else "Not known here.",
            "state": cb_state if cb["known"] else "unknown",
            "message": sentence(cb["message"]),
        },
    }


QR_SCALE = 3
"""Pixels per module of the page's QR code, shown at its own size: a permanent link with long
claims makes a larger code, never a denser one."""


def _qr_size(url: str) -> int:
    """The side, in CSS pixels, of the page's QR code of `url` (4-module quiet zone)."""
    return int(qr_code(url).symbol_size(scale=QR_SCALE, border=4)[0])


def result_context(response: Mapping[str, Any], *, asked: Mapping[str, str]) -> dict[str, Any]:
    """Everything the result template shows, derived from one verification response."""
    verdict = str(response["verdict"])
    certificate = response.get("certificate")
    cb = response.get("certification_body")
    deep_link = permalink = None
    if certificate and cb:
        deep_link = _deep_link_of(cb, str(certificate["certificate_number"]))
        permalink = permalink_path(deep_link, asked, str(response["as_of"]))
    checks = [
        {
            "code": c["code"],
            "name": CHECKS.get(c["code"], (c["code"], ""))[0],
            "question": CHECKS.get(c["code"], ("", ""))[1],
            "outcome": c["outcome"],
            "outcome_word": OUTCOMES[c["outcome"]][0],
            "outcome_icon": OUTCOMES[c["outcome"]][1],
            "message": sentence(c["message"]),
        }
        for c in response["checks"]
    ]
    candidates = [
        {**c, "deep_link": _deep_link_of(c["certification_body"], c["certificate_number"])}
        for c in response.get("candidates") or []
    ]
    receipt_values = {**asked, "as_of": str(response["as_of"])}
    return {
        "v": response,
        "verdict": verdict,
        "view": VERDICTS[verdict],
        "next_steps": next_steps(response),
        "publishes_here": publishes_here(response) if verdict == "not_found" else None,
        "recognised": recognised(response),
        "elsewhere": _same_number_elsewhere(response) if verdict == "not_found" else [],
        "issuer_name": _issuer_name(response),
        "checks": checks,
        "candidates": candidates,
        "chain": chain_view(response),
        "checks_not_run": checks_not_run(checks),
        "deep_link": deep_link,
        "permalink": permalink,
        "permalink_url": absolute_url(permalink) if permalink else None,
        "qr_data_uri": qr_svg_data_uri(absolute_url(permalink), scale=QR_SCALE)
        if permalink
        else None,
        "qr_size": _qr_size(absolute_url(permalink)) if permalink else None,
        "receipt_url": "/verify/receipt?" + query_string(receipt_values),
    }


def receipt_filename(response: Mapping[str, Any]) -> str:
    """A safe file name for a downloaded receipt."""
    key = "".join(ch for ch in str(response["query"]["number_key"]) if ch.isalnum())
    return f"certverify-receipt-{key or 'certificate'}-{response['as_of']}.json"


# --- organisation search --------------------------------------------------------------------------


def search_rows(certificates: Sequence[Certificate], today: date) -> list[dict[str, Any]]:
    """One table row per certificate found, linking to its verification page."""
    rows = []
    for cert in certificates:
        cb = cert.certification_body
        rows.append(
            {
                "certificate_number": cert.certificate_number,
                "deep_link": certificate_deep_link_path(
                    certification_body_id=str(cb.id),
                    acronym=cb.acronym,
                    certificate_number=cert.certificate_number,
                ),
                "organization": cert.organization.name,
                "country": cert.organization.country,
                "standard": cert.standard.label,
                "issuer": cb.name,
                "issuer_acronym": cb.acronym,
                "status": certificate_status_today(cert, today),
                "expired": cert.expiry_date < today,
                "expiry_date": cert.expiry_date,
            }
        )
    return rows
