"""Dates as certificates print them, in the seven languages of the claim extraction (issue 17).

`find_dates(text)` reads every date in a text, in order, as one of these forms (case, accents
and spacing never matter):

    iso      2029-01-09, 2029.01.09, 2029/01/09                       year, month, day
    dotted   09.01.2029, 9.1.2029, 09.01.29                           day first: the dot is the
             separator of the day-first conventions (DIN 5008, PN, TS); no country writes the
             month first with dots
    slashed  09/01/2029, 09-01-2029, 01/09/2029, 9/1/29              day first outside the US,
             month first in the US: ambiguous when both parts are 12 or less and differ, and
             reported as such (`DateReading.ambiguous`) with both readings
    long     9 January 2029, 9th of January 2029, 09 Jan 2029, 9. Januar 2029, 1er janvier 2029,
             9 de enero de 2029, 9 gennaio 2029, 9 stycznia 2029 r., 9 Ocak 2029
    us-long  January 9, 2029, Jan 9 2029, Jan. 9th, 2029

Month names are CLDR's (through Babel: `babel.dates.get_month_names`), wide and abbreviated, in
the format context (Polish and the other Slavic languages decline the month in a date: "9
stycznia 2029", the genitive, not "styczeń") and stand-alone, for English, German, French,
Spanish, Italian, Polish and Turkish, folded to ASCII lower case ("März" = "marz", "Ağustos" =
"agustos"). `EXTRA_MONTH_NAMES` adds the few spellings CLDR lacks that certificates print.
A two-digit year is 20yy (certificates are from this century) and flagged. A date that does not
exist (31.02.2029) or lies outside 1980..2099 is not a date.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Literal

from anyascii import anyascii
from babel.dates import get_month_names

LOCALES = ("en", "de", "fr", "es", "it", "pl", "tr")
"""The languages whose month names are read (issue 17: at least these seven)."""

EXTRA_MONTH_NAMES: dict[str, int] = {
    "sept": 9,  # English "Sept." (CLDR's English abbreviation is "Sep")
    "maerz": 3,  # German "März" written without the umlaut
    "mrz": 3,  # German three-letter abbreviation (DIN 5008 tables, SAP exports)
    "juil": 7,  # French "juil." without the dot is folded already; kept for "juil" alone
}
"""Month spellings that CLDR (Babel) does not list but certificates print, each with why."""

FIRST_YEAR, LAST_YEAR = 1980, 2099
"""Years a certificate date can have (ISO management-system certification began in 1987)."""


def fold_word(text: str) -> str:
    """Lower-case ASCII without accents or dots ("Févr." -> "fevr", "ŞUBAT" -> "subat")."""
    folded = anyascii(unicodedata.normalize("NFKC", text)).lower()
    return re.sub(r"[^a-z]", "", folded)


@cache
def month_names() -> dict[str, int]:
    """Every folded month name of LOCALES (CLDR via Babel) and EXTRA_MONTH_NAMES -> 1..12.

    Raises RuntimeError if two languages spell different months alike (checked by the tests).
    """
    table: dict[str, int] = {}
    for locale in LOCALES:
        for width in ("wide", "abbreviated"):
            for context in ("format", "stand-alone"):
                for month, name in get_month_names(width, context, locale).items():
                    key = fold_word(name)
                    if table.setdefault(key, month) != month:  # pragma: no cover - data guard
                        raise RuntimeError(f"month name {name!r} reads as two months")
    for key, month in EXTRA_MONTH_NAMES.items():
        table.setdefault(key, month)
    return table


DateOrder = Literal["ymd", "dmy", "mdy", "text"]


@dataclass(frozen=True, slots=True)
class DateReading:
    """One date found in a text: `value` reads an ambiguous slashed date day first,
    `month_first` is the other reading (None when there is no doubt); `evidence` is the order a
    slashed date proves by itself ("dmy" for 25/01/2029, "mdy" for 01/25/2029), used to decide
    the other dates of the same document; `start`/`end` index the text."""

    value: date
    start: int
    end: int
    form: Literal["iso", "dotted", "slashed", "long", "us-long"]
    month_first: date | None = None
    evidence: Literal["dmy", "mdy"] | None = None
    two_digit_year: bool = False

    @property
    def ambiguous(self) -> bool:
        """Whether the date reads differently day first and month first."""
        return self.month_first is not None


def _year(digits: str) -> int:
    """A 4-digit year from 4 or 2 digits (2-digit years are this century's)."""
    return 2000 + int(digits) if len(digits) == 2 else int(digits)


def _day(year: int, month: int, day: int) -> date | None:
    """The date, or None when it does not exist or lies outside FIRST_YEAR..LAST_YEAR."""
    if not FIRST_YEAR <= year <= LAST_YEAR:
        return None
    try:
        return date(year, month, day)
    except ValueError:
        return None


_WORD = r"[^\W\d_]+"
_ISO = re.compile(r"(?<![\d.])(\d{4})([-./])(\d{1,2})\2(\d{1,2})(?![\d])")
_NUMERIC = re.compile(r"(?<![\d.,/-])(\d{1,2})\s?([./-])\s?(\d{1,2})\s?\2\s?(\d{4}|\d{2})(?![\d])")
_LONG = re.compile(
    rf"(?<!\d)(\d{{1,2}})\s*(?:\.|(?:st|nd|rd|th|er)(?![^\W\d_])|º|°)?\s*(?:of\s+|de\s+)?"
    rf"({_WORD})\.?,?\s*(?:de\s+|del\s+)?(\d{{4}})(?!\d)",
    re.IGNORECASE,
)
_US_LONG = re.compile(
    rf"({_WORD})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?,?\s+(\d{{4}})(?!\d)", re.IGNORECASE
)


def _numeric(match: re.Match[str]) -> DateReading | None:
    """A dotted or slashed day-month-year (or month-day-year) date."""
    first, separator, second, year_digits = match.groups()
    a, b, year = int(first), int(second), _year(year_digits)
    two_digit = len(year_digits) == 2
    if separator == ".":
        value = _day(year, b, a)
        if value is None:
            return None
        return DateReading(value, match.start(), match.end(), "dotted", two_digit_year=two_digit)
    day_first, month_first = _day(year, b, a), _day(year, a, b)
    if day_first is None and month_first is None:
        return None
    if day_first is None:
        assert month_first is not None
        return DateReading(
            month_first, match.start(), match.end(), "slashed", evidence="mdy",
            two_digit_year=two_digit,
        )  # fmt: skip
    if month_first is None or a == b:
        return DateReading(
            day_first, match.start(), match.end(), "slashed",
            evidence="dmy" if month_first is None else None, two_digit_year=two_digit,
        )  # fmt: skip
    return DateReading(
        day_first, match.start(), match.end(), "slashed", month_first=month_first,
        two_digit_year=two_digit,
    )  # fmt: skip


def find_dates(text: str) -> list[DateReading]:
    """Every date in `text`, in order of position (overlapping readings: the first wins)."""
    names = month_names()
    readings: list[DateReading] = []
    for match in _ISO.finditer(text):
        value = _day(int(match[1]), int(match[3]), int(match[4]))
        if value is not None:
            readings.append(DateReading(value, match.start(), match.end(), "iso"))
    for match in _NUMERIC.finditer(text):
        reading = _numeric(match)
        if reading is not None:
            readings.append(reading)
    for match in _LONG.finditer(text):
        month = names.get(fold_word(match[2]))
        value = _day(int(match[3]), month, int(match[1])) if month else None
        if value is not None:
            readings.append(DateReading(value, match.start(), match.end(), "long"))
    for match in _US_LONG.finditer(text):
        month = names.get(fold_word(match[1]))
        value = _day(int(match[3]), month, int(match[2])) if month else None
        if value is not None:
            readings.append(DateReading(value, match.start(), match.end(), "us-long"))
    readings.sort(key=lambda reading: (reading.start, -(reading.end - reading.start)))
    chosen: list[DateReading] = []
    for reading in readings:
        if not chosen or reading.start >= chosen[-1].end:
            chosen.append(reading)
    return chosen
