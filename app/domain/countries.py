"""Countries as a person writes them, read as ISO 3166-1 alpha-2 codes (DESIGN.md, "Claims").

A country is accepted as (case, accents, punctuation, extra spaces and a leading "The" folded):

- an ISO 3166-1 alpha-2 code ("GB") or alpha-3 code ("GBR");
- an English short name ("United Kingdom"), official name ("United Kingdom of Great Britain and
  Northern Ireland") or common name ("Bolivia", "South Korea", "Taiwan") as ISO 3166-1 gives
  them, with accents optional ("Türkiye" = "Turkiye", "Côte d'Ivoire" = "Cote dIvoire");
- one of the names in `ALIASES`, a short table of ours for names people write that ISO 3166-1
  does not list ("UK", "USA", "Holland", "Russia", ...), and Kosovo ("XK").

Anything else is refused with a ValueError that quotes the input. There is no fuzzy matching:
pycountry's `search_fuzzy` ranks Nigeria first for "Niger" and North Korea first for "Korea"
(pycountry 26.2.16), and a claimed country is compared with the certificate's sites, so a wrong
guess would pass or fail a check on something the person never wrote. Regions and unions are not
countries: "EU" (ISO's reserved code for the European Union) and "Europe" are refused.

Sources: ISO 3166-1 through the `pycountry` package, which bundles the Debian iso-codes data
(`pycountry.countries`: `alpha_2`, `alpha_3`, `name`, `official_name`, `common_name`); the
aliases and the folding are ours. The table is built once, on first use.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache, lru_cache

import pycountry
from anyascii import anyascii

KOSOVO = "XK"
"""Kosovo has no ISO 3166-1 code; "XK" is the user-assigned code the European Commission uses
for it, as does this project's reference data (an accreditation body with economy XK)."""

ALIASES: dict[str, str] = {
    # The United Kingdom. "UK" is reserved in ISO 3166-1 for GB ("exceptionally reserved" at the
    # UK's request) and is the code the EU's Interinstitutional Style Guide uses for it; the
    # constituent countries and "Great Britain"/"Britain" are what addresses and people write.
    "UK": "GB",  # "U.K." too: dots are folded away
    "Great Britain": "GB",
    "Britain": "GB",
    "England": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Northern Ireland": "GB",
    # The United States: "USA", "U.S.A." and "U.S." are its codes once dots are folded away, and
    # "United States of America" is ISO's official name; "America" is the everyday name.
    "America": "US",
    # Former or colloquial English names of countries whose ISO name changed or is formal.
    "Turkey": "TR",  # ISO 3166-1 name "Türkiye" since 2022 (UN request); "Turkey" before
    "Russia": "RU",  # ISO name "Russian Federation"
    "Republic of Korea": "KR",  # the official name; ISO gives KR no official_name
    # "Korea" alone means the Republic of Korea in everyday English; the other is written
    # "North Korea" (ISO's common_name for KP).
    "Korea": "KR",
    "Holland": "NL",  # colloquial for the Netherlands ("The Netherlands" folds to "Netherlands")
    "Macau": "MO",  # Portuguese spelling of ISO "Macao", common in English
    "Brunei": "BN",  # ISO name "Brunei Darussalam"
    "Cape Verde": "CV",  # ISO name until 2013 ("Cabo Verde" since)
    "Swaziland": "SZ",  # ISO name until 2018 ("Eswatini" since)
    "Burma": "MM",  # the former English name of Myanmar, still in use
    "Macedonia": "MK",  # ISO name "North Macedonia" since 2019 (formerly "Macedonia, the former
    # Yugoslav Republic of"); no other ISO country is called Macedonia
    "Republic of Ireland": "IE",  # the description Ireland's Republic of Ireland Act gives it
    "Bosnia": "BA",  # short for "Bosnia and Herzegovina"
    "East Timor": "TL",  # English for "Timor-Leste", the only name ISO gives
    "Palestine": "PS",  # ISO name "Palestine, State of"
    "Democratic Republic of the Congo": "CD",  # ISO name "Congo, The Democratic Republic of the"
    "DR Congo": "CD",
    "UAE": "AE",  # the universal abbreviation of the United Arab Emirates
    "Ivory Coast": "CI",  # English for "Côte d'Ivoire", the only name ISO gives
    "Vatican": "VA",  # ISO name "Holy See (Vatican City State)"
    "Vatican City": "VA",
    # EU usage: the EU writes Greece "EL" (Interinstitutional Style Guide, country codes; ISO
    # 3166-1 reserves EL "exceptionally" for that use), as it writes the United Kingdom "UK".
    "EL": "GR",
    # Kosovo (not in ISO 3166-1; see KOSOVO).
    KOSOVO: KOSOVO,
    "XKX": KOSOVO,  # the alpha-3 form some registries use beside XK (the World Bank's among them)
    "Kosovo": KOSOVO,
}
"""Names ISO 3166-1 lacks, each with its reason. Short on purpose: a name belongs here when people
write it on certificates, claims or imports and it means one country without doubt."""

MAX_LENGTH = 100
"""No country name is longer (the longest ISO 3166-1 name, the UK's official one, has 52)."""

_DROPPED = re.compile(r"[.'\u2019`]")
_NON_ALNUM = re.compile(r"[^a-z0-9]+")
_QUALIFIER = re.compile(r"\s*\([^)]*\)|,.*$")


def _fold(text: str) -> str:
    """Lower-case ASCII words: accents and case dropped (NFKC then transliteration), dots and
    apostrophes removed ("U.K." = "UK", "Côte d'Ivoire" = "cote divoire"), other punctuation a
    space, "&" = "and", spaces collapsed, a leading "the" dropped ("The Netherlands"), "St" read
    as "Saint" ("St Lucia")."""
    ascii_text = anyascii(unicodedata.normalize("NFKC", text)).lower().replace("&", " and ")
    words = _NON_ALNUM.sub(" ", _DROPPED.sub("", ascii_text)).split()
    if len(words) > 1 and words[0] == "the":
        words = words[1:]
    return " ".join("saint" if word == "st" else word for word in words)


@cache
def _table() -> dict[str, str]:
    """Every accepted folded form and its alpha-2 code (built once)."""
    table: dict[str, str] = {}

    def add(form: str, code: str) -> None:
        key = _fold(form)
        known = table.setdefault(key, code)
        if known != code:  # pragma: no cover - guards the data, checked by the tests
            raise RuntimeError(f"country {form!r} reads as both {known} and {code}")

    for country in pycountry.countries:
        code = country.alpha_2
        for attribute in ("alpha_2", "alpha_3", "name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            if value:
                add(value, code)
    for alias, code in ALIASES.items():
        add(alias, code)
    # ISO names with a qualifier people leave out ("Falkland Islands (Malvinas)", "Micronesia,
    # Federated States of", "Sint Maarten (Dutch part)"): the name without it is accepted when
    # no country already has it and it names one country only ("Virgin Islands" names two).
    shortened: dict[str, set[str]] = {}
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            value = getattr(country, attribute, None)
            short = _QUALIFIER.sub("", value).strip() if value else ""
            if short and short != value:
                shortened.setdefault(_fold(short), set()).add(country.alpha_2)
    for key, codes in shortened.items():
        if key not in table and len(codes) == 1:
            table[key] = next(iter(codes))
    return table


def _elided(folded: str) -> str:
    """A one-letter word joined to the next, as an elided article is ("cote d ivoire" ->
    "cote divoire", the folded "Côte d'Ivoire")."""
    return re.sub(r"\b([a-z]) (?=[a-z])", r"\1", folded)


@lru_cache(maxsize=4096)
def _lookup(text: str) -> str | None:
    """The alpha-2 code of a trimmed text, or None (memoised: the same few values recur)."""
    table = _table()
    code = table.get(text.lower())
    if code is not None:
        return code
    folded = _fold(text)
    if len(folded) <= 3 and not unicodedata.normalize("NFKC", text).isascii():
        return None  # a code is Latin letters: "ß" is not "SS" (South Sudan), "Ǆ" not "DZ"
    return table.get(folded) or (table.get(_elided(folded)) if len(folded) > 3 else None)


def accepted_forms() -> dict[str, str]:
    """A copy of the table: folded form -> alpha-2 code (for tests and documentation)."""
    return dict(_table())


def country_code(text: str) -> str:
    """The ISO 3166-1 alpha-2 code of a country as a person wrote it ("uk" -> "GB").

    Raises ValueError, quoting the input, when it is not a code, an English name or an alias.
    """
    shown = text.strip()
    if len(shown) > MAX_LENGTH:
        raise ValueError(f"is not a country: a country has at most {MAX_LENGTH} characters")
    if not shown:
        raise ValueError("no country given: write a code such as GB or an English name")
    code = _lookup(shown)
    if code is None:
        # Quoted as UTF-8 can carry it: a lone surrogate (JSON "\\ud800") is shown escaped.
        quoted = shown.encode("utf-8", "backslashreplace").decode("utf-8")
        raise ValueError(
            f'"{quoted}" is not a country: give an ISO 3166-1 code such as GB or GBR, '
            "or an English name such as United Kingdom"
        )
    return code
