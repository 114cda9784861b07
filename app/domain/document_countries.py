"""Countries as certificates print them at the end of an address, in their own language.

A German certificate writes "Deutschland", a Polish one "Niemcy", a Turkish one "Almanya":
`app.domain.countries.country_code` reads ISO codes and English names only (on purpose: a typed
claim is English or a code), so the claim extraction also reads the country names of CLDR's
territory lists (through Babel: `babel.Locale(...).territories`) in the languages it reads
(app.domain.document_dates.LOCALES), folded like app.domain.countries folds (accents, case,
punctuation). A name that two countries share in different languages is dropped, never guessed.
Regions ("Europa", CLDR's "150"), the EU and other non-country codes are not countries.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import pycountry
from anyascii import anyascii
from babel import Locale

from app.domain.countries import KOSOVO, country_code
from app.domain.document_dates import LOCALES

ADDRESS_CODES = frozenset({"UK", "USA", "UAE"})
"""The only codes read at the end of an address: the ones addresses print. Other two- and
three-letter words there are legal forms or states ("SA", "AG", "OH"), not countries."""

_NON_ALNUM = re.compile(r"[^a-z0-9]+")


def _fold(text: str) -> str:
    """Lower-case ASCII words, accents and punctuation dropped ("Türkiye" -> "turkiye")."""
    ascii_text = anyascii(unicodedata.normalize("NFKC", text)).lower().replace("'", "")
    return " ".join(_NON_ALNUM.sub(" ", ascii_text).split())


@cache
def _local_names() -> dict[str, str]:
    """Folded CLDR territory names of LOCALES -> alpha-2 code (names shared by two dropped)."""
    codes = {country.alpha_2 for country in pycountry.countries} | {KOSOVO}
    seen: dict[str, set[str]] = {}
    for locale in LOCALES:
        for code, name in Locale.parse(locale).territories.items():
            if code in codes:
                seen.setdefault(_fold(name), set()).add(code)
    return {name: next(iter(found)) for name, found in seen.items() if len(found) == 1}


def country_of_name(text: str) -> str | None:
    """The alpha-2 code of a country name in English or any of LOCALES, or None.

    Codes are read only from ADDRESS_CODES; names need 4 letters at least.
    """
    shown = text.strip(" .,;:()")
    if not shown:
        return None
    if shown.upper().replace(".", "") in ADDRESS_CODES:
        return country_code(shown)
    if len(_fold(shown).replace(" ", "")) < 4:
        return None
    try:
        return country_code(shown)
    except ValueError:
        return _local_names().get(_fold(shown))


def address_country(address: str) -> str | None:
    """The country an address ends with ("Am Hafen 12, 21335 Lüneburg, Deutschland" -> "DE").

    The last comma-separated part is read; failing that, its last one or two words (an address
    written without a comma before the country, "... 30-001 Kraków Polska").
    """
    parts = [part.strip() for part in address.split(",") if part.strip()]
    if not parts:
        return None
    last = parts[-1]
    code = country_of_name(last)
    if code is not None:
        return code
    words = last.split()
    for count in (2, 1):
        if len(words) > count:
            code = country_of_name(" ".join(words[-count:]))
            if code is not None:
                return code
    return None
