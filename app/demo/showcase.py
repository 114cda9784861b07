"""The showcase: fixed certificate numbers that, verified as of the `today` the demo registry
was built for, give one verdict each (the verification page and README use them)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType

# --- the showcase -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShowcaseCase:
    """A fixed demo certificate and the verdict it gets as of the demo's `today`."""

    # To reproduce: send `certificate_number`, plus `certification_body` and
    # `claimed_organization` (as the claimed organisation) when they are not None.

    verdict: str
    certificate_number: str
    certification_body: str | None
    claimed_organization: str | None = None
    holders: tuple[str, ...] = ()
    warnings: bool = False
    explanation: str = ""


SHOWCASE: Mapping[str, ShowcaseCase] = MappingProxyType(
    {
        "valid": ShowcaseCase(
            "valid",
            "Q 700001",
            "NBC",
            holders=("NBC",),
            explanation="ISO 9001:2015, active, valid for about two more years; UKAS-accredited "
            "for its IAF sectors 17 and 18; UKAS is an MLA signatory for ISO 9001.",
        ),
        "valid_with_warnings": ShowcaseCase(
            "valid",
            "E 700002",
            "NBC",
            holders=("NBC",),
            warnings=True,
            explanation="ISO 14001:2015 expiring 45 days after `today` (90-day expiry warning).",
        ),
        "not_found": ShowcaseCase(
            "not_found",
            "Q 799999",
            "NBC",
            explanation="No such number; NBC publishes its certificates to this registry.",
        ),
        "ambiguous": ShowcaseCase(
            "ambiguous",
            "2024-0417",
            None,
            holders=("MAI", "NBC"),
            explanation="Two CBs (NBC and MAI) issued certificates numbered 2024-0417; "
            "name the CB to choose one (each alone is valid).",
        ),
        "withdrawn": ShowcaseCase(
            "withdrawn",
            "Q 700005",
            "NBC",
            holders=("NBC",),
            explanation="Suspended 120 days and withdrawn 30 days before `today`.",
        ),
        "suspended": ShowcaseCase(
            "suspended",
            "Q 700006",
            "NBC",
            holders=("NBC",),
            explanation="Suspended 20 days before `today`.",
        ),
        "expired": ShowcaseCase(
            "expired",
            "Q 700007",
            "NBC",
            holders=("NBC",),
            explanation="Printed expiry 10 days before `today`.",
        ),
        "not_yet_valid": ShowcaseCase(
            "not_yet_valid",
            "OH 700008",
            "NBC",
            holders=("NBC",),
            explanation="ISO 45001:2018 first issued 14 days after `today`.",
        ),
        "outdated_standard": ShowcaseCase(
            "outdated_standard",
            "IS 700009",
            "NBC",
            holders=("NBC",),
            explanation="ISO/IEC 27001:2013 printing an expiry 120 days after `today`; the "
            "2013 edition's transition ended on 2025-10-31 (IAF MD 26).",
        ),
        "not_accredited": ShowcaseCase(
            "not_accredited",
            "TCS/7010/24",
            "TCS",
            holders=("TCS",),
            explanation="Issued while TCS was SNAS-accredited for ISO 9001; SNAS suspended that "
            "accreditation 320 days and withdrew it 200 days before `today`.",
        ),
        "mismatch": ShowcaseCase(
            "mismatch",
            "Q 700011",
            "NBC",
            claimed_organization="Bellweather Foods plc",
            holders=("NBC",),
            explanation='Valid certificate of "Harbourside Logistics Ltd"; the claim names '
            "another organisation.",
        ),
    }
)
"""Verdict (plus "valid_with_warnings") -> the fixed certificate to verify for it, as of `today`."""

SHOWCASE_CERTIFICATE_COUNT = 11
"""Certificates the showcase adds on top of the requested count (the ambiguous number twice)."""
