"""How a standard is written by people: one grammar for claims, write input and import cells.

DESIGN.md ("Claims"): a claimed standard is parsed by one grammar: optional national or
regional prefixes (EN, BS, DIN, NF, UNE, SS, ...), "ISO", "ISO/IEC" or nothing ("9001:2015"),
the edition after ":", "-" or a space, two-digit years, and amendment suffixes ("/Amd 1:2024",
"+A1:2024"), which are ignored. "ISO 27001" = "ISO/IEC 27001". What this grammar cannot read is
`None`: a claim that cannot be read is `skipped`, never a failure, and a write is refused with
a reason. The grammar, as read here (case and spacing never matter):

    standard  = prefix* family? number part? edition? national-date? amendment* filler*
    prefix    = a national or regional standards body ("EN", "BS", "DIN", "PN", "UNE", ...),
                followed by a space, "-" or "/" ("PN-EN ISO", "AS/NZS ISO", "CAN/CSA-ISO")
    family    = "ISO" | "ISO/IEC" | "IEC/ISO" | "ISO IEC" | "ISO-IEC" | "OHSAS"
    number    = 3 to 5 digits ("9001", "27001", "18001")
    part      = "-" 1 or 2 digits ("20000-1"): a part when it is one digit, when an edition
                follows it, or when the number is a known multi-part standard (PARTED_NUMBERS);
                otherwise "-15" in "ISO 9001-15" is a two-digit edition
    edition   = ":" | "-" | "/" | "," | space, then a year of 4 digits (1980..2099) or 2 digits
                (80..99 = 19xx, 00..79 = 20xx), optionally in parentheses or after "version",
                "edition" or "ed."; after a prefix it is the adoption's year (`national_year`)
    national-date = "-" two-digit month after a 4-digit edition ("DIN EN ISO 9001:2015-11",
                "PN-EN ISO 9001:2015-10": the month of the national adoption), ignored
    amendment = "/" | "+" | "," | space, then "Amd", "Amendment", "A", "Cor", "Corrigendum" or
                "AC", a number and/or ":" year ("/Amd 1:2024", "+A1:2024", "/Cor 1:2009"),
                ignored: amendments are not editions and have no transition (DESIGN.md)
    filler    = a word in FILLER_WORDS ("certified", ...), the acronym of the standard's own
                system (SYSTEM_ACRONYMS: "ISO 14001:2015 EMS"), one trailing parenthesis
                without digits, or a title after " - " or ": " without digits ("ISO 9001:2015 -
                Quality management systems - Requirements")

A national prefix without a family ("EN 9100", "SANS 9001", "JIS Q 9001", "GB/T 19001-2016")
names a national standard, not an ISO one: it is not read (a person must compare it).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from app.domain.normalize import standard_code_key

EUROPEAN_PREFIXES: tuple[str, ...] = (
    "EN",  # CEN/CENELEC, the regional body
    "BS",  # United Kingdom (BSI)
    "I.S.",  # Ireland (NSAI)
    "IS",  # Ireland (NSAI) without dots; India (BIS) writes "IS/ISO" with the ISO year too
    "DIN",  # Germany
    "ÖNORM",  # Austria
    "OENORM",  # Austria, ASCII spelling
    "ONORM",  # Austria, ASCII spelling
    "SN",  # Switzerland (SNV)
    "NF",  # France (AFNOR)
    "NBN",  # Belgium
    "NEN",  # Netherlands
    "ILNAS",  # Luxembourg
    "UNE",  # Spain
    "NP",  # Portugal
    "UNI",  # Italy
    "ELOT",  # Greece
    "CYS",  # Cyprus
    "MSA",  # Malta
    "PN",  # Poland
    "ČSN",  # Czechia
    "CSN",  # Czechia, ASCII spelling
    "STN",  # Slovakia
    "MSZ",  # Hungary
    "SR",  # Romania
    "BDS",  # Bulgaria
    "HRN",  # Croatia
    "SIST",  # Slovenia
    "SRPS",  # Serbia
    "MKS",  # North Macedonia
    "BAS",  # Bosnia and Herzegovina
    "EVS",  # Estonia
    "LVS",  # Latvia
    "LST",  # Lithuania
    "SS",  # Sweden (SIS); Singapore's "SS ISO" keeps the ISO year as well
    "SFS",  # Finland
    "DS",  # Denmark
    "NS",  # Norway
    "ÍST",  # Iceland
    "IST",  # Iceland, ASCII spelling
    "TS",  # Türkiye (TSE, a CEN member)
    "TSE",  # Türkiye
)
"""Prefixes of European adoptions ("BS EN ISO 9001:2015", "PN-EN ISO 9001:2015-10"): CEN and
its members (cencenelec.eu, "Members"). An adoption prints the year of its own publication,
which is often the ISO edition's ("EN ISO 9001:2015") but not always: EN ISO/IEC 27001:2023
adopts ISO/IEC 27001:2022, ČSN EN ISO 9001:2016 adopts ISO 9001:2015. So after any prefix the
year is `national_year`, never the edition itself."""

OTHER_PREFIXES: tuple[str, ...] = (
    "AS/NZS",  # Australia / New Zealand ("AS/NZS ISO 9001:2016" adopts ISO 9001:2015)
    "AS",  # Australia
    "NZS",  # New Zealand
    "CAN/CSA",  # Canada
    "CSA",  # Canada
    "ANSI/ASQ",  # United States
    "ABNT NBR",  # Brazil
    "NBR",  # Brazil
    "NTC",  # Colombia
    "IRAM",  # Argentina
    "NCH",  # Chile
    "NTP",  # Peru
    "UNIT",  # Uruguay
    "NMX",  # Mexico
    "SNI",  # Indonesia
    "MS",  # Malaysia
    "KS Q",  # Korea
    "KS",  # Korea
    "SANS",  # South Africa
    "GOST R",  # Russia
    "STB",  # Belarus
    "DSTU",  # Ukraine
    "SASO",  # Saudi Arabia
)
"""Prefixes of other national adoptions that keep the ISO designation ("AS/NZS ISO 9001:2016",
"NBR ISO 9001:2015"), from the ISO member bodies' catalogues. Their year is the adoption's,
which may differ from the ISO edition's (AS/NZS ISO 9001:2016 is ISO 9001:2015), so it is read
as `national_year`, not as the edition."""

NATIONAL_PREFIXES: tuple[str, ...] = EUROPEAN_PREFIXES + OTHER_PREFIXES
"""Every prefix the grammar reads before "ISO" (a prefix only ever precedes the ISO or OHSAS
designation, which carries the number)."""


PARTED_NUMBERS: frozenset[str] = frozenset({"20000", "22003", "17021", "27006", "50003"})
"""Numbers of multi-part standards whose part comes after "-" ("ISO/IEC 20000-1"), so
"ISO/IEC 20000-1" keeps its part even without an edition."""

FILLER_WORDS: frozenset[str] = frozenset(
    {
        "certified",
        "certification",
        "certificate",
        "compliant",
        "standard",
        "requirements",
    }
)
"""Words around a standard that claim nothing more ("ISO 9001:2015 certified")."""

SYSTEM_ACRONYMS: dict[str, frozenset[str]] = {
    "qms": frozenset({"9001", "13485"}),
    "ems": frozenset({"14001"}),
    "isms": frozenset({"27001"}),
    "ohsms": frozenset({"45001", "18001"}),
    "fsms": frozenset({"22000"}),
    "enms": frozenset({"50001"}),
    "bcms": frozenset({"22301"}),
    "sms": frozenset({"20000"}),
    "pims": frozenset({"27701"}),
    "aims": frozenset({"42001"}),
    "abms": frozenset({"37001"}),
    "mdqms": frozenset({"13485"}),
}
"""Management-system acronyms a claim may name after the standard ("ISO 14001:2015 EMS"),
with the standard numbers they belong to (the families of the shipped reference data): an
acronym of another system ("ISO 9001:2015 ISMS") makes the claim unreadable, not a pass."""

_DASHES = str.maketrans({"‐": "-", "‑": "-", "‒": "-", "–": "-", "—": "-", "−": "-"})
_PREFIX_ALTERNATION = "|".join(
    re.escape(prefix).replace(r"\ ", r"\s+")
    for prefix in sorted(NATIONAL_PREFIXES, key=len, reverse=True)
)
_PREFIX = re.compile(rf"(?P<prefix>{_PREFIX_ALTERNATION})(?:\s*[-/]\s*|\s+)", re.IGNORECASE)
_FAMILY = re.compile(
    r"(?P<family>ISO\s*[/-]?\s*IEC|IEC\s*[/-]?\s*ISO|ISO|OHSAS)(?![A-Z])\s*[-.]?\s*",
    re.IGNORECASE,
)
_NUMBER = re.compile(r"(?P<number>[0-9]{3,5})(?![0-9])")
_PART = re.compile(r"-(?P<part>[0-9]{1,2})(?![0-9])")
_EDITION = re.compile(
    r"\s*(?:[:/,-]\s*|\s|(?=\())(?:(?:version|edition|ed\.?)\s*)?"
    r"(?:\(\s*(?P<paren>[0-9]{4}|[0-9]{2})\s*\)|(?P<year>[0-9]{4}|[0-9]{2}))(?![0-9])",
    re.IGNORECASE,
)
_EDITION_AHEAD = re.compile(r"\s*(?:[:/,]\s*|\s|-)(?:[0-9]{4}|[0-9]{2})(?![0-9])")
_NATIONAL_DATE = re.compile(r"-(?P<month>0[1-9]|1[0-2])(?![0-9])")
_AMENDMENT = re.compile(
    r"\s*[/+,]?\s*(?:amd|amendment|corrigendum|cor|ac|a)\.?\s*"
    r"(?P<n>[0-9]{1,2})?(?:\s*[:-]\s*(?P<y>[0-9]{4}))?(?![0-9A-Z])",
    re.IGNORECASE,
)
_FILLER = re.compile(r"\s*[-,;:]?\s*(?P<word>[A-Z]+)\b", re.IGNORECASE)
_PARENTHESIS = re.compile(r"\s*\([^()0-9]*\)\s*$")
_TITLE = re.compile(r"\s*[-:,]\s+[^\W\d][^\d]*$")


@dataclass(frozen=True, slots=True)
class StandardName:
    """A standard as read from text: canonical code ("ISO 9001", "ISO/IEC 20000-1",
    "OHSAS 18001") and the edition year, when one was written."""

    code: str
    edition: str | None = None
    national_year: str | None = None
    """The year after a regional or national prefix ("EN ISO/IEC 27001:2023", "AS/NZS ISO
    9001:2016"): the adoption's year, which may be later than the ISO edition's, so `edition` is
    None then. Only a designation without prefix prints the edition itself."""

    @property
    def key(self) -> str:
        """The compare key of the code (`standard_code_key`): "ISO 27001" = "ISO/IEC 27001"."""
        return standard_code_key(self.code)

    @property
    def label(self) -> str:
        """ "ISO 9001:2015", or the code alone without an edition."""
        return f"{self.code}:{self.edition}" if self.edition else self.code


def _clean(text: str) -> str:
    """NFKC (fullwidth digits, odd dashes), one space between words, no quotes around."""
    folded = unicodedata.normalize("NFKC", text).translate(_DASHES)
    return " ".join(folded.split()).strip("\"'“”‘’ ")


def _year(digits: str) -> str | None:
    """A 4-digit edition year from 4 or 2 digits; None outside 1980..2099."""
    if len(digits) == 2:
        value = int(digits)
        return f"{1900 + value if value >= 80 else 2000 + value}"
    return digits if 1980 <= int(digits) <= 2099 else None


@lru_cache(maxsize=4096)
def read_standard(text: str) -> StandardName | None:
    """Read a standard as a person wrote it, by the grammar above; None when it cannot be read.

    Pure and memoised (claims repeat: a batch asks about "ISO 9001:2015" thousands of times).
    """
    rest = _clean(text)
    prefixed = False
    while match := _PREFIX.match(rest):
        prefixed = True
        rest = rest[match.end() :]
    family = "ISO"
    if family_match := _FAMILY.match(rest):
        written = re.sub(r"[\s/-]", "", family_match["family"]).upper()
        family = {"ISOIEC": "ISO/IEC", "IECISO": "ISO/IEC"}.get(written, written)
        rest = rest[family_match.end() :]
    elif prefixed:
        return None
    number_match = _NUMBER.match(rest)
    if number_match is None:
        return None
    number = number_match["number"]
    rest = rest[number_match.end() :]
    part: str | None = None
    if part_match := _PART.match(rest):
        after = rest[part_match.end() :]
        if len(part_match["part"]) == 1 or _EDITION_AHEAD.match(after) or number in PARTED_NUMBERS:
            part = part_match["part"]
            rest = after
    edition: str | None = None
    if edition_match := _EDITION.match(rest):
        edition = _year(edition_match["paren"] or edition_match["year"])
        if edition is None:
            return None
        rest = rest[edition_match.end() :]
        if len(edition_match["paren"] or edition_match["year"]) == 4 and (
            month := _NATIONAL_DATE.match(rest)
        ):
            rest = rest[month.end() :]
    while (amendment := _AMENDMENT.match(rest)) and (amendment["n"] or amendment["y"]):
        rest = rest[amendment.end() :]
    rest = _TITLE.sub("", _PARENTHESIS.sub("", rest))
    while (filler := _FILLER.match(rest)) and (
        filler["word"].lower() in FILLER_WORDS
        or number in SYSTEM_ACRONYMS.get(filler["word"].lower(), ())
    ):
        rest = rest[filler.end() :]
    if rest.strip(" .,;"):
        return None
    code = f"{family} {number}" + (f"-{part}" if part else "")
    if prefixed and family != "OHSAS":  # BSI publishes OHSAS 18001: "BS" is its publisher
        return StandardName(code=code, edition=None, national_year=edition)
    return StandardName(code=code, edition=edition)


def standard_code_of(text: str) -> str:
    """The canonical code of a standard named without edition (accreditations, MLA scopes).

    Raises ValueError with the reason when it cannot be read or carries an edition.
    """
    name = read_standard(text)
    if name is None:
        raise ValueError(f'"{text}" is not a standard this service can read; write e.g. "ISO 9001"')
    if name.edition is not None:
        raise ValueError(f'name the standard without edition, e.g. "{name.code}"')
    return name.code


def standard_edition_of(text: str) -> StandardName:
    """The code and edition of a certificate's standard ("EN ISO 9001:2015" = ISO 9001:2015).

    The writer names the edition they certify to, so a national prefix's year is taken as the
    edition here (an unknown one is then refused by the caller as an unknown edition).

    Raises ValueError with the reason when it cannot be read or has no edition: a certificate is
    to one edition (DESIGN.md, "The chain that is checked").
    """
    if not text.strip():
        raise ValueError('standard is empty; expected e.g. "ISO 9001:2015"')
    name = read_standard(text)
    if name is None:
        raise ValueError(
            f'"{text}" is not a standard this service can read; write e.g. "ISO 9001:2015"'
        )
    edition = name.edition or name.national_year
    if edition is None:
        raise ValueError(f'give the edition, e.g. "{name.code}:2015"')
    return StandardName(code=name.code, edition=edition)
