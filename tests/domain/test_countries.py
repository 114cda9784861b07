"""Countries as a person writes them (issue 13, part 2; DESIGN.md, "Claims")."""

from __future__ import annotations

import pycountry
import pytest

from app.domain.countries import ALIASES, KOSOVO, accepted_forms, country_code
from app.domain.facts import Outcome, SiteFact
from app.domain.verification import check_site_match
from tests.domain.test_verification import certificate

ACCEPTED: list[tuple[str, str]] = [
    # ISO 3166-1 alpha-2, any case, with spaces around
    ("GB", "GB"),
    ("gb", "GB"),
    (" De ", "DE"),
    ("us", "US"),
    ("ＧＢ", "GB"),  # fullwidth letters are the letters (NFKC)
    # ISO 3166-1 alpha-3
    ("GBR", "GB"),
    ("deu", "DE"),
    ("USA", "US"),
    ("CHE", "CH"),
    ("tur", "TR"),
    # ISO short names, folded
    ("United Kingdom", "GB"),
    ("united kingdom", "GB"),
    ("  UNITED   KINGDOM  ", "GB"),
    ("Germany", "DE"),
    ("Türkiye", "TR"),
    ("Turkiye", "TR"),
    ("TÜRKİYE", "TR"),
    ("Korea, Republic of", "KR"),
    ("korea republic of", "KR"),
    ("Côte d'Ivoire", "CI"),
    ("Cote d’Ivoire", "CI"),
    ("Czechia", "CZ"),
    ("Viet Nam", "VN"),
    ("Réunion", "RE"),
    ("Curacao", "CW"),
    ("Åland Islands", "AX"),
    ("Guinea Bissau", "GW"),
    ("Holy See (Vatican City State)", "VA"),
    ("Bosnia & Herzegovina", "BA"),
    ("Netherlands", "NL"),
    ("The Netherlands", "NL"),
    ("the Gambia", "GM"),
    # ISO official names
    ("United Kingdom of Great Britain and Northern Ireland", "GB"),
    ("United States of America", "US"),
    ("Czech Republic", "CZ"),
    ("Republic of Türkiye", "TR"),
    ("Federal Republic of Germany", "DE"),
    ("Swiss Confederation", "CH"),
    ("Hong Kong Special Administrative Region of China", "HK"),
    # ISO common names
    ("South Korea", "KR"),
    ("North Korea", "KP"),
    ("Vietnam", "VN"),
    ("Iran", "IR"),
    ("Syria", "SY"),
    ("Laos", "LA"),
    ("Bolivia", "BO"),
    ("Venezuela", "VE"),
    ("Tanzania", "TZ"),
    ("Moldova", "MD"),
    ("Taiwan", "TW"),
    ("Hong Kong", "HK"),
    ("Macao", "MO"),
    # our aliases
    ("UK", "GB"),
    ("uk", "GB"),
    ("U.K.", "GB"),
    ("Great Britain", "GB"),
    ("Britain", "GB"),
    ("England", "GB"),
    ("Scotland", "GB"),
    ("Wales", "GB"),
    ("Northern Ireland", "GB"),
    ("U.S.A.", "US"),
    ("U.S.", "US"),
    ("America", "US"),
    ("Turkey", "TR"),
    ("Russia", "RU"),
    ("Republic of Korea", "KR"),
    ("Korea", "KR"),
    ("Holland", "NL"),
    ("Macau", "MO"),
    ("Brunei", "BN"),
    ("Cape Verde", "CV"),
    ("Swaziland", "SZ"),
    ("Palestine", "PS"),
    ("Democratic Republic of the Congo", "CD"),
    ("UAE", "AE"),
    ("U.A.E.", "AE"),
    ("Ivory Coast", "CI"),
    ("Vatican", "VA"),
    ("EL", "GR"),
    ("XK", "XK"),
    ("XKX", "XK"),
    ("Kosovo", "XK"),
    # Review of issue 13: former names, "St", elided articles, ISO names without qualifier.
    ("Burma", "MM"),
    ("Macedonia", "MK"),
    ("Republic of Ireland", "IE"),
    ("Bosnia", "BA"),
    ("East Timor", "TL"),
    ("St Lucia", "LC"),
    ("St. Kitts and Nevis", "KN"),
    ("Cote d Ivoire", "CI"),
    ("Falkland Islands", "FK"),
    ("Holy See", "VA"),
    ("Micronesia", "FM"),
    ("Sint Maarten", "SX"),
    ("Saint Martin", "MF"),
    ("Georgia", "GE"),
    ("Niger", "NE"),
    ("Guinea", "GN"),
    ("Congo", "CG"),
]

REFUSED: list[str] = [
    "Atlantis",
    "Narnia",
    "U",
    "GBR1",
    "G1",
    "",
    "   ",
    "Europe",
    "EU",  # the European Union is not a country (ISO reserves EU for it, outside ISO 3166-1)
    "European Union",
    "XX",
    "ZZ",
    "Niger ia",
    "Untied Kingdom",  # no fuzzy matching: a typo is refused, not guessed
    "England and Wales",
    "Deutschland",  # English names only
    "United",
    "G B",
    "X" * 101,
    "ß",  # transliterates to "ss", but a code is written in Latin letters, not South Sudan
    "Ǆ",  # the digraph letter, not Algeria's "DZ"
    "Virgin Islands",  # British (VG) or U.S. (VI): two countries, so neither
]


@pytest.mark.parametrize(("text", "expected"), ACCEPTED)
def test_a_country_as_written_reads_as_its_alpha_2_code(text: str, expected: str) -> None:
    """Codes, alpha-3 codes, ISO names (short, official, common) and our aliases, folded."""
    assert country_code(text) == expected


@pytest.mark.parametrize("text", REFUSED)
def test_anything_else_is_refused_with_a_reason(text: str) -> None:
    """Junk, regions, unions, typos and foreign-language names are a ValueError, never a guess."""
    with pytest.raises(ValueError, match="country") as caught:
        country_code(text)
    if text.strip() and len(text) <= 100:
        assert str(caught.value) == (
            f'"{text.strip()}" is not a country: give an ISO 3166-1 code such as GB or GBR, '
            "or an English name such as United Kingdom"
        )


def test_empty_and_too_long_texts_have_their_own_reasons() -> None:
    """An empty country and a text longer than any name say so."""
    with pytest.raises(ValueError, match="no country given") as empty:
        country_code(" ")
    assert str(empty.value) == "no country given: write a code such as GB or an English name"
    with pytest.raises(ValueError, match="at most 100 characters") as long:
        country_code("G" * 101)
    assert str(long.value) == "is not a country: a country has at most 100 characters"
    with pytest.raises(ValueError, match="is not a country") as surrogate:
        country_code("\ud800")  # a lone surrogate, as JSON can carry: quoted escaped
    assert str(surrogate.value).startswith('"\\ud800" is not a country: ')


def test_every_iso_country_reads_by_each_of_its_names_and_codes() -> None:
    """The whole of pycountry's ISO 3166-1 list, no form read as another country."""
    for country in pycountry.countries:
        for attribute in ("alpha_2", "alpha_3", "name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                assert country_code(value) == country.alpha_2, value


def test_aliases_name_codes_that_exist_and_do_not_shadow_iso_names() -> None:
    """Every alias points at an ISO 3166-1 code (or Kosovo), and none reads an ISO form
    differently (the table is built without conflicts)."""
    codes = {c.alpha_2 for c in pycountry.countries} | {KOSOVO}
    assert set(ALIASES.values()) <= codes
    forms = accepted_forms()
    assert set(forms.values()) == codes
    assert forms["uk"] == "GB"
    assert "eu" not in forms
    assert "europe" not in forms


@pytest.mark.parametrize(
    ("sites", "organization_country", "claimed", "outcome", "message"),
    [
        (("GB",), "GB", "UK", Outcome.PASS, "The certificate covers a site in GB"),
        (("GB",), "GB", "United Kingdom", Outcome.PASS, "The certificate covers a site in GB"),
        (("GB",), "GB", "gbr", Outcome.PASS, "The certificate covers a site in GB"),
        (("IE", "GB"), "IE", "Great Britain", Outcome.PASS, "The certificate covers a site in GB"),
        (("GB",), "GB", "Ireland", Outcome.FAIL, "The certificate covers no site in IE (only GB)"),
        # stored countries written before the write schemas normalised them
        (("United Kingdom",), "GB", "UK", Outcome.PASS, "The certificate covers a site in GB"),
        (("gbr", " ie "), "GB", "IRL", Outcome.PASS, "The certificate covers a site in IE"),
        ((), "Türkiye", "Turkey", Outcome.PASS, "The certificate covers a site in TR"),
        (
            ("Narnia",),
            "GB",
            "GB",
            Outcome.FAIL,
            "The certificate covers no site in GB (only NARNIA)",
        ),
        # the API refuses such claims (422); the engine cannot compare them
        (("GB",), "GB", "Atlantis", Outcome.SKIPPED, 'Not checked: "Atlantis" is not a country'),
    ],
)
def test_site_match_compares_alpha_2_codes(
    sites: tuple[str, ...],
    organization_country: str,
    claimed: str,
    outcome: Outcome,
    message: str,
) -> None:
    """check_site_match reads the claim and the stored countries alike (issue 13, part 2)."""
    cert = certificate(
        sites=tuple(SiteFact(country=c) for c in sites), organization_country=organization_country
    )
    result = check_site_match(cert, claimed).check
    assert (result.outcome, result.message) == (outcome, message)
