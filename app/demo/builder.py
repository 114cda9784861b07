"""A deterministic synthetic demo registry on top of the reference data, with a fixed showcase.

Every certification body, organisation and certificate here is invented (websites use the
reserved `.example` domain); the accreditation bodies and their MLA recognitions are the real
shipped reference data. `SHOWCASE` lists fixed certificate numbers that, verified as of the
`today` the registry was built for (any date from 2025-11-01 on), give one verdict each.
"""

from __future__ import annotations

import random
import uuid
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from app.domain.names import fold_name
from app.domain.normalize import normalize_certificate_number, standard_code_key, uses_iaf_sectors
from app.models import (
    Accreditation,
    AccreditationBody,
    AccreditationStatusEvent,
    Certificate,
    CertificateSite,
    CertificateStatusEvent,
    CertificationBody,
    Organization,
    Standard,
)
from app.services.registry.seed import seed_reference_data

BATCH_SIZE = 1000
"""Rows per executemany INSERT; 5,000 certificates build in about a second on SQLite."""

ACTIVE, SUSPENDED, WITHDRAWN = "active", "suspended", "withdrawn"


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


# --- certification bodies and their accreditations ----------------------------------------------


@dataclass(frozen=True, slots=True)
class _AccreditationPlan:
    """One accreditation of a demo CB; day counts are relative to `today`."""

    standard: str
    sectors: tuple[int, ...]
    valid_from: date
    suspended_days_ago: int | None = None
    withdrawn_days_ago: int | None = None
    renewed_days_ago: int | None = None
    previous_sectors: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class _CbPlan:
    """A fictional certification body: who it is, where it works, who accredits it."""

    acronym: str
    name: str
    country: str
    website: str
    weight: int
    markets: tuple[tuple[str, int], ...]
    accreditation_body: str
    accreditation_number: str
    valid_until_days: int
    accreditations: tuple[_AccreditationPlan, ...]


_BROAD = tuple(code for code in range(2, 40) if code not in (8, 10, 11, 26, 36))
_EMS = (2, 3, 4, 7, 9, 12, 13, 14, 16, 17, 18, 19, 22, 23, 24, 25, 27, 28, 29, 31, 33, 35, 39)
_OHS = (2, 12, 14, 16, 17, 18, 19, 20, 22, 24, 25, 28, 31, 34, 35, 39)
_MANUFACTURING = (3, 4, 7, 12, 14, 17, 18, 19, 22, 23, 29, 31, 33, 34, 35)

_CERTIFICATION_BODIES: tuple[_CbPlan, ...] = (
    _CbPlan(
        "NBC",
        "Northbridge Certification Ltd",
        "GB",
        "https://www.northbridge-certification.example",
        18,
        (("GB", 55), ("IE", 10), ("NL", 8), ("DE", 6), ("FR", 6), ("PL", 5), ("ES", 5), ("TR", 5)),
        "UKAS",
        "UKAS 4127",
        900,
        (
            _AccreditationPlan("ISO 9001", _BROAD, date(2004, 3, 1)),
            _AccreditationPlan("ISO 14001", _EMS, date(2005, 6, 1)),
            _AccreditationPlan("ISO 45001", _OHS, date(2018, 9, 1)),
            _AccreditationPlan("ISO/IEC 27001", (), date(2007, 2, 1)),
            _AccreditationPlan("ISO 22000", (), date(2008, 10, 1)),
            _AccreditationPlan("ISO 13485", (), date(2010, 4, 1)),
            _AccreditationPlan("ISO 50001", (), date(2013, 5, 1)),
        ),
    ),
    _CbPlan(
        "CERTA",
        "Certa Nordic AB",
        "SE",
        "https://www.certa-nordic.example",
        7,
        (("SE", 45), ("NO", 20), ("FI", 15), ("DK", 15), ("DE", 5)),
        # SWEDAC's shipped MLA list is empty and incomplete: recognition is "not confirmed" (warn).
        "SWEDAC",
        "SWEDAC 1457",
        1200,
        (
            _AccreditationPlan("ISO 9001", (*_MANUFACTURING, 28), date(2006, 1, 16)),
            _AccreditationPlan("ISO 14001", (3, 7, 14, 17, 18, 22, 28, 31), date(2006, 1, 16)),
        ),
    ),
    _CbPlan(
        "QAS",
        "Qualis Auditores SA",
        "ES",
        "https://www.qualis-auditores.example",
        7,
        (("ES", 55), ("PT", 25), ("MX", 12), ("FR", 4), ("IT", 4)),
        "ANAB",
        "ANAB 2291",
        700,
        (
            _AccreditationPlan("ISO 9001", _BROAD, date(2007, 5, 2)),
            _AccreditationPlan("ISO 14001", _EMS, date(2008, 2, 11)),
            _AccreditationPlan("ISO/IEC 27001", (), date(2012, 9, 3)),
        ),
    ),
    _CbPlan(
        "MAI",
        "Meridian Assurance Inc.",
        "US",
        "https://www.meridian-assurance.example",
        12,
        (("US", 70), ("CA", 15), ("MX", 10), ("GB", 5)),
        "ANAB",
        "ANAB 0734",
        1100,
        (
            _AccreditationPlan("ISO 9001", _BROAD, date(2003, 8, 1)),
            _AccreditationPlan("ISO 14001", _EMS, date(2004, 8, 1)),
            _AccreditationPlan("ISO/IEC 27001", (), date(2008, 3, 1)),
            _AccreditationPlan("ISO 13485", (), date(2006, 11, 1)),
            _AccreditationPlan("ISO 22000", (), date(2009, 6, 1)),
            _AccreditationPlan("ISO 50001", (), date(2013, 1, 7)),
        ),
    ),
    _CbPlan(
        "LQC",
        "Lotus Quality Certification Pte. Ltd.",
        "SG",
        "https://www.lotus-quality.example",
        10,
        (("SG", 45), ("MY", 35), ("CN", 10), ("JP", 10)),
        "SAC",
        "SAC MS-2003-021",
        800,
        (
            _AccreditationPlan("ISO 9001", _BROAD, date(2003, 4, 1)),
            _AccreditationPlan("ISO 14001", _EMS, date(2004, 4, 1)),
            _AccreditationPlan("ISO 45001", _OHS, date(2018, 11, 1)),
            _AccreditationPlan("ISO/IEC 27001", (), date(2010, 7, 1)),
            _AccreditationPlan("ISO 13485", (), date(2012, 1, 16)),
            _AccreditationPlan("ISO 50001", (), date(2014, 3, 3)),
        ),
    ),
    _CbPlan(
        "SAJ",
        "Sakura Assessment Japan K.K.",
        "JP",
        "https://www.sakura-assessment.example",
        8,
        (("JP", 85), ("CN", 10), ("SG", 5)),
        "JAB",
        "JAB CM0412",
        1000,
        (
            _AccreditationPlan("ISO 9001", _BROAD, date(2003, 2, 1)),
            _AccreditationPlan("ISO 14001", _EMS, date(2004, 10, 12)),
            _AccreditationPlan("ISO/IEC 27001", (), date(2009, 6, 1)),
            _AccreditationPlan("ISO 22000", (), date(2011, 4, 1)),
            _AccreditationPlan("ISO 50001", (), date(2014, 9, 1)),
        ),
    ),
    _CbPlan(
        "HCC",
        "Huaxin Conformity Certification Co., Ltd.",
        "CN",
        "https://www.huaxin-conformity.example",
        12,
        (("CN", 90), ("SG", 5), ("MY", 5)),
        "CNAS",
        "CNAS C097-M",
        1300,
        (
            _AccreditationPlan("ISO 9001", _BROAD, date(2004, 1, 5)),
            _AccreditationPlan("ISO 14001", _EMS, date(2005, 1, 5)),
            _AccreditationPlan("ISO 45001", _OHS, date(2018, 12, 3)),
            _AccreditationPlan("ISO 22000", (), date(2010, 5, 4)),
        ),
    ),
    _CbPlan(
        "KCS",
        "Kalahari Certification Services (Pty) Ltd",
        "ZA",
        "https://www.kalahari-certification.example",
        6,
        (("ZA", 90), ("GB", 5), ("EG", 5)),
        "SANAS",
        "SANAS M0118",
        1000,
        (
            # Renewed as a new record with reduced sectors: certificates issued before the renewal
            # in a dropped sector (4, 19, 22, 28) are outside the current accreditation.
            _AccreditationPlan(
                "ISO 9001",
                (3, 14, 17, 18, 29, 31, 33, 34, 35),
                date(2008, 3, 3),
                renewed_days_ago=500,
                previous_sectors=(3, 4, 14, 17, 18, 19, 22, 28, 29, 31, 33, 34, 35),
            ),
            _AccreditationPlan("ISO 14001", (3, 14, 17, 18, 24, 28, 31), date(2009, 7, 1)),
        ),
    ),
    _CbPlan(
        "RWZ",
        "Rheinwald Zertifizierung GmbH",
        "DE",
        "https://www.rheinwald-zertifizierung.example",
        8,
        (("DE", 60), ("AT", 15), ("CH", 10), ("PL", 10), ("CZ", 5)),
        "UKAS",
        "UKAS 8840",
        600,
        (
            _AccreditationPlan("ISO 9001", _BROAD, date(2005, 9, 1)),
            _AccreditationPlan("ISO 14001", _EMS, date(2006, 3, 1)),
            _AccreditationPlan("ISO 45001", _OHS, date(2019, 2, 1)),
            _AccreditationPlan("ISO 50001", (), date(2012, 6, 1)),
        ),
    ),
    _CbPlan(
        "ADC",
        "Adriatica Certificazioni S.r.l.",
        "IT",
        "https://www.adriatica-certificazioni.example",
        5,
        (("IT", 85), ("TR", 10), ("ES", 5)),
        "UKAS",
        "UKAS 9302",
        750,
        (
            _AccreditationPlan("ISO 9001", (*_MANUFACTURING, 28, 30), date(2007, 10, 1)),
            # Suspended 75 days before `today`: its ISO 14001 certificates are not accredited now.
            _AccreditationPlan(
                "ISO 14001", (3, 14, 17, 18, 28, 31), date(2008, 4, 1), suspended_days_ago=75
            ),
        ),
    ),
    _CbPlan(
        "TCS",
        "Tatra Certification s.r.o.",
        "SK",
        "https://www.tatra-certification.example",
        3,
        (("SK", 60), ("CZ", 30), ("PL", 10)),
        "SNAS",
        "SNAS R-071",
        900,
        (
            # Suspended 320 and withdrawn 200 days before `today`.
            _AccreditationPlan(
                "ISO 9001",
                (*_MANUFACTURING, 28),
                date(2009, 5, 4),
                suspended_days_ago=320,
                withdrawn_days_ago=200,
            ),
            _AccreditationPlan(
                "ISO 14001",
                (14, 17, 18, 28),
                date(2010, 5, 3),
                suspended_days_ago=320,
                withdrawn_days_ago=200,
            ),
        ),
    ),
    _CbPlan(
        "NVC",
        "Nile Valley Certification S.A.E.",
        "EG",
        "https://www.nile-valley-certification.example",
        4,
        (("EG", 90), ("ZA", 5), ("TR", 5)),
        "EGAC",
        "EGAC CB-058",
        1000,
        (
            _AccreditationPlan("ISO 9001", _BROAD, date(2009, 2, 1)),
            _AccreditationPlan("ISO 14001", _EMS, date(2010, 2, 1)),
            _AccreditationPlan("ISO 45001", _OHS, date(2020, 3, 1)),
            _AccreditationPlan("ISO 22000", (), date(2012, 3, 1)),
            _AccreditationPlan("ISO 50001", (), date(2020, 3, 1)),
        ),
    ),
)

_SUSPENSION_REASON = (
    "Suspended by the accreditation body after its assessment found nonconformities"
)
_WITHDRAWAL_REASON = "Withdrawn by the accreditation body: nonconformities not closed in time"


# --- standards ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _EditionPlan:
    """How often an edition is certified and in which window certificates to it were issued."""

    code: str
    edition: str
    weight: float
    first_issue: date
    last_issue: date | None = None


_EDITIONS: tuple[_EditionPlan, ...] = (
    _EditionPlan("ISO 9001", "2015", 50, date(2016, 1, 4)),
    _EditionPlan("ISO 14001", "2015", 20, date(2016, 1, 4)),
    _EditionPlan("ISO/IEC 27001", "2022", 11, date(2023, 1, 16)),
    _EditionPlan("ISO 45001", "2018", 10, date(2018, 9, 3)),
    _EditionPlan("ISO 22000", "2018", 3, date(2019, 1, 7)),
    _EditionPlan("ISO 13485", "2016", 2.5, date(2016, 9, 1)),
    _EditionPlan("ISO 50001", "2018", 2.5, date(2019, 1, 7)),
    # Old editions: issued before their transition ended (IAF Resolution 2017-13, IAF MD 26).
    _EditionPlan("ISO 9001", "2008", 1.2, date(2013, 1, 7), date(2018, 3, 14)),
    _EditionPlan("ISO 14001", "2004", 0.4, date(2013, 1, 7), date(2018, 3, 14)),
    _EditionPlan("ISO/IEC 27001", "2013", 1.4, date(2019, 6, 3), date(2024, 4, 30)),
)

_SHOWCASE_EDITIONS = (
    ("ISO 9001", "2015"),
    ("ISO 14001", "2015"),
    ("ISO 45001", "2018"),
    ("ISO/IEC 27001", "2013"),
)

_FAMILY_LETTERS = {
    "QMS": "Q",
    "EMS": "E",
    "OHSMS": "OH",
    "ISMS": "IS",
    "FSMS": "FS",
    "MDMS": "MD",
    "EnMS": "EN",
}
_FAMILY_NUMBERS = {
    "QMS": "100",
    "EMS": "104",
    "OHSMS": "116",
    "ISMS": "121",
    "FSMS": "131",
    "MDMS": "141",
    "EnMS": "113",
}

# Sectors an organisation certified to a standard plausibly works in (the first is the default).
_PLAUSIBLE_SECTORS: dict[str, tuple[int, ...]] = {
    "ISO9001": (17, 18, 28, 29, 35, 19, 14, 33, 31, 34, 3, 12, 22, 23, 4, 7, 9, 16, 2, 13, 20),
    "ISO14001": (17, 14, 28, 18, 3, 12, 19, 22, 24, 31, 39, 7, 16, 2, 25, 27, 4, 9),
    "ISO45001": (28, 17, 18, 14, 31, 12, 16, 19, 20, 22, 25, 2, 34, 39, 24),
    "ISO27001": (33, 32, 35, 38, 31, 34),
    "ISO22000": (3, 30),
    "ISO13485": (19, 14, 23, 13),
    "ISO50001": (17, 14, 12, 7, 16, 3, 25, 27),
}
# Sectors 9001 certificates also often use, with weights above the default 1.
_SECTOR_WEIGHTS: dict[int, int] = {17: 5, 18: 5, 28: 5, 29: 4, 35: 4, 19: 3, 14: 3, 33: 3, 31: 3}


# --- organisation names, scopes and addresses ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Country:
    """Word lists for inventing organisations and addresses in one country."""

    lang: str
    legal_forms: tuple[str, ...]
    places: tuple[str, ...]
    surnames: tuple[str, ...]
    postcode: str
    cities: tuple[str, ...]


def _words(text: str) -> tuple[str, ...]:
    """A "|"-separated word list as a tuple (keeps the data tables compact)."""
    return tuple(text.split("|"))


def _country(
    lang: str, legal_forms: str, places: str, surnames: str, postcode: str, cities: str = ""
) -> _Country:
    """A country's word lists; addresses use `cities`, else the places."""
    return _Country(
        lang,
        _words(legal_forms),
        _words(places),
        _words(surnames),
        postcode,
        _words(cities or places),
    )


# Postcode patterns: "#" a digit, "A" a capital letter.
_COUNTRIES: dict[str, _Country] = {
    "GB": _country(
        "en",
        "Ltd|Ltd|Limited|plc",
        "Sheffield|Pennine|Mercia|Solent|Wessex|Humber|Tyneside|Severn|Cotswold|Chiltern|Medway",
        "Hargreaves|Whitfield|Ashworth|Pemberton|Thornton|Fairbairn|Holloway|Marsden|Kendrick",
        "A# #AA",
        "Sheffield|Leeds|Bristol|Coventry|Derby|Norwich|Swindon|Hull",
    ),
    "IE": _country(
        "en",
        "Ltd|Limited|DAC",
        "Shannon|Galway|Cork|Athlone|Limerick|Dún Laoghaire|Sligo|Kilkenny",
        "O'Brien|Ó Súilleabháin|Fitzgerald|Byrne|Kavanagh|Ó Ceallaigh|Nolan",
        "A## A#A#",
    ),
    "US": _country(
        "en",
        "Inc.|Inc.|LLC|Corp.",
        "Great Lakes|Bayview|Tri-County|Pinecrest|Lone Star|Piedmont|Cascade|Ozark|Allegheny",
        "Whitman|Caldwell|Harrington|Delgado|Nguyen|Kowalczyk|Brennan|Okafor|Lindgren",
        "#####",
        "Cleveland|Tulsa|Spokane|Dayton|Knoxville|Boise|Fresno|Akron",
    ),
    "CA": _country(
        "en",
        "Inc.|Ltd.",
        "Laurentian|Fraser Valley|Prairie|Niagara|Okanagan|Maritime",
        "Tremblay|Gagnon|Côté|Bouchard|MacDonald|Leblanc|Fraser",
        "A#A #A#",
        "Hamilton|Trois-Rivières|Kelowna|Moncton|Saskatoon|Sherbrooke",
    ),
    "SG": _country(
        "en",
        "Pte. Ltd.",
        "Tuas|Jurong|Woodlands|Changi|Kallang|Sembawang|Loyang",
        "Tan|Lim|Ng|Goh|Teo|Koh|Chua",
        "######",
        "Singapore",
    ),
    "MY": _country(
        "en",
        "Sdn. Bhd.",
        "Penang|Johor|Klang|Ipoh|Shah Alam|Kuantan|Melaka|Seremban",
        "Wong|Rahman|Ismail|Chong|Subramaniam|Yusof|Lee",
        "#####",
    ),
    "CN": _country(
        "en",
        "Co., Ltd.",
        "Suzhou|Ningbo|Dongguan|Foshan|Wuxi|Changzhou|Xiamen|Qingdao|Hefei|Zhuhai|Jiaxing",
        "Ruixiang|Hongyuan|Tianrun|Boshi|Yongsheng|Zhongke|Mingda|Jiahe",
        "######",
    ),
    "ZA": _country(
        "en",
        "(Pty) Ltd",
        "Gauteng|Highveld|Boland|Karoo|Durban|Mbombela|Nelson Mandela Bay",
        "Van der Merwe|Botha|Naidoo|Dlamini|Nkosi|Pretorius|Mokoena",
        "####",
        "Johannesburg|Pretoria|Durban|Gqeberha|Pietermaritzburg|Bloemfontein",
    ),
    "EG": _country(
        "en",
        "S.A.E.",
        "Delta|Alexandria|Nile|Sinai|Suez|Giza|Mansoura|Tanta",
        "El-Sayed|Mansour|Hassan|Abdel-Rahman|Farouk|Soliman",
        "#####",
        "Cairo|Alexandria|Giza|10th of Ramadan City|Port Said|Mansoura",
    ),
    "DE": _country(
        "de",
        "GmbH|GmbH|AG|GmbH & Co. KG",
        "Stuttgart|München|Köln|Nürnberg|Würzburg|Dresden|Lüneburg|Göttingen|Osnabrück",
        "Müller|Schäfer|Köhler|Weiß|Groß|Krüger|Schröder|Jäger|Böhm|Hoffmann|Wagner|Fuchs",
        "#####",
    ),
    "AT": _country(
        "de",
        "GmbH|AG",
        "Wien|Graz|Linz|Salzburg|Innsbruck|Klagenfurt|Wels",
        "Gruber|Huber|Bauer|Wallner|Pöschl|Hödl|Mayrhofer",
        "####",
    ),
    "CH": _country(
        "de",
        "AG|GmbH",
        "Zürich|Basel|Bern|Luzern|St. Gallen|Winterthur",
        "Meier|Keller|Brunner|Zürcher|Baumgartner|Schnyder",
        "####",
    ),
    "FR": _country(
        "fr",
        "SA|SAS|SARL",
        "Lyon|Nantes|Rennes|Toulouse|Grenoble|Besançon|Orléans|Angers|Saint-Étienne|Valence",
        "Lefèvre|Moreau|Gérard|Dubois|Rousseau|Mercier|Bérenger|Lemaître|Faure|Chevalier",
        "#####",
    ),
    "ES": _country(
        "es",
        "S.A.|S.L.|S.L.",
        "Valencia|Zaragoza|Bilbao|Sevilla|Málaga|Alicante|Valladolid|Córdoba|Logroño|León",
        "García|Martínez|Núñez|Ibáñez|Peña|Muñoz|Gómez|Fernández|Giménez|Sánchez",
        "#####",
    ),
    "MX": _country(
        "es",
        "S.A. de C.V.",
        "Monterrey|Querétaro|Guadalajara|Puebla|Saltillo|Mérida|Toluca",
        "Hernández|González|Ramírez|Cázares|Ordóñez|Villaseñor",
        "#####",
    ),
    "PT": _country(
        "pt",
        "Lda.|S.A.",
        "Braga|Guimarães|Aveiro|Coimbra|Leiria|Viseu|Setúbal|Évora",
        "Ferreira|Gonçalves|Simões|Magalhães|Araújo|Conceição|Lourenço",
        "####-###",
    ),
    "IT": _country(
        "it",
        "S.r.l.|S.r.l.|S.p.A.",
        "Bergamo|Brescia|Verona|Padova|Modena|Treviso|Vicenza|Forlì|Cantù|Cesena",
        "Rossi|Bianchi|Ferrari|Esposito|Colombo|Ricci|Galli|Fabbri|De Luca|D'Angelo",
        "#####",
    ),
    "PL": _country(
        "pl",
        "Sp. z o.o.|Sp. z o.o.|S.A.",
        "Łódź|Gdańsk|Kraków|Wrocław|Poznań|Białystok|Rzeszów|Toruń|Bielsko-Biała|Częstochowa",
        "Kowalski|Wiśniewski|Wójcik|Kamiński|Zieliński|Woźniak|Dąbrowski|Kozłowski",
        "##-###",
    ),
    "CZ": _country(
        "cs",
        "s.r.o.|a.s.",
        "Brno|Plzeň|Ostrava|Olomouc|České Budějovice|Hradec Králové|Zlín",
        "Novák|Dvořák|Černý|Procházka|Kučera|Veselý|Růžička",
        "### ##",
    ),
    "SK": _country(
        "sk",
        "s.r.o.|a.s.",
        "Žilina|Košice|Poprad|Prešov|Trenčín|Nitra|Banská Bystrica|Trnava",
        "Horváth|Kováč|Varga|Tóth|Baláž|Molnár|Lukáč",
        "### ##",
    ),
    "SE": _country(
        "sv",
        "AB",
        "Västerås|Örebro|Jönköping|Norrköping|Umeå|Växjö|Sundsvall|Borås|Luleå",
        "Lindqvist|Åberg|Öberg|Sjöberg|Ekström|Håkansson|Nyström",
        "### ##",
    ),
    "NO": _country(
        "no",
        "AS",
        "Bergen|Tromsø|Ålesund|Stavanger|Bodø|Haugesund|Kristiansand",
        "Hansen|Bjørnstad|Haugen|Sæther|Løvås|Strøm|Dahl",
        "####",
    ),
    "FI": _country(
        "fi",
        "Oy",
        "Tampere|Jyväskylä|Oulu|Hämeenlinna|Seinäjoki|Kuopio|Lahti",
        "Virtanen|Mäkinen|Nieminen|Hämäläinen|Järvinen|Heikkinen|Koskinen",
        "#####",
    ),
    "DK": _country(
        "da",
        "A/S|ApS",
        "Aarhus|Aalborg|Køge|Næstved|Odense|Esbjerg|Vejle|Herning",
        "Jørgensen|Sørensen|Møller|Kjær|Søndergaard|Østergaard|Bæk",
        "####",
    ),
    "NL": _country(
        "nl",
        "B.V.",
        "Eindhoven|Zwolle|Tilburg|'s-Hertogenbosch|Venlo|Deventer|Breda",
        "de Vries|van Dijk|Bakker|Janssen|Visser|Smit|van den Berg",
        "#### AA",
    ),
    "TR": _country(
        "tr",
        "A.Ş.|Ltd. Şti.",
        "İzmir|Bursa|Kocaeli|Gaziantep|Konya|Eskişehir|Kayseri|Denizli",
        "Yılmaz|Öztürk|Şahin|Çelik|Aydın|Doğan|Arslan|Kılıç",
        "#####",
    ),
    "JP": _country(
        "ja",
        "Co., Ltd.|Co., Ltd.|K.K.|Corporation",
        "Hamamatsu|Sendai|Kanazawa|Niigata|Okayama|Kumamoto|Toyama|Gifu|Shizuoka|Nagano",
        "Tanaka|Watanabe|Itō|Nakamura|Kobayashi|Katō|Yoshida|Sasaki",
        "###-####",
    ),
}


_STREETS: dict[str, tuple[str, ...]] = {
    "en": ("Station Road", "Mill Lane", "Commerce Way", "Riverside Drive", "Enterprise Park"),
    "de": ("Industriestraße", "Hauptstraße", "Gewerbepark", "Bahnhofstraße", "Am Hafen"),
    "fr": ("rue de l'Industrie", "avenue Jean Jaurès", "rue des Artisans", "boulevard de l'Europe"),
    "es": ("Calle Mayor", "Avenida de la Constitución", "Calle de la Industria", "Camino Real"),
    "pt": ("Rua da Indústria", "Avenida da Liberdade", "Rua do Comércio"),
    "it": ("Via Roma", "Via dell'Industria", "Viale Europa", "Via Garibaldi"),
    "pl": ("ul. Przemysłowa", "ul. Długa", "al. Jana Pawła II", "ul. Fabryczna"),
    "cs": ("Průmyslová", "Nádražní", "Hlavní"),
    "sk": ("Priemyselná", "Hlavná", "Štúrova"),
    "sv": ("Industrigatan", "Storgatan", "Verkstadsvägen"),
    "no": ("Industriveien", "Storgata", "Havnegata"),
    "fi": ("Teollisuuskatu", "Asemakatu", "Satamatie"),
    "da": ("Industrivej", "Havnegade", "Fabriksvej"),
    "nl": ("Industrieweg", "Havenstraat", "Ambachtsweg"),
    "tr": ("Atatürk Caddesi", "Sanayi Sokak", "Cumhuriyet Bulvarı"),
    "ja": ("Chūō", "Minato-machi", "Honchō"),
}

# English organisation names by IAF sector, "|"-separated; {place} and {surname} come from the
# country.
_EN_NAMES: dict[int, str] = {
    2: "{place} Aggregates|{surname} Quarries|{place} Minerals",
    3: "{place} Foods|{surname} Bakeries|{place} Dairy",
    4: "{place} Textiles|{surname} Weaving|{place} Apparel",
    5: "{place} Leather|{surname} Tannery",
    6: "{place} Timber|{surname} Joinery",
    7: "{place} Paper Mills|{surname} Corrugated Packaging",
    9: "{place} Print|{surname} Printing",
    12: "{place} Chemicals|{surname} Coatings",
    13: "{place} Pharmaceuticals|{surname} Pharma",
    14: "{place} Plastics|{surname} Polymers|{place} Rubber Products",
    15: "{place} Glass|{surname} Ceramics",
    16: "{place} Concrete|{surname} Precast",
    17: "{place} Metalworks|{surname} Fabrications|{place} Steel Components",
    18: "{place} Precision Engineering|{surname} Machinery|{surname} Hydraulics",
    19: "{place} Electronics|{surname} Electrical|{place} Control Systems",
    20: "{place} Shipyard|{surname} Marine Engineering",
    21: "{place} Aerospace|{surname} Aero Components",
    22: "{place} Automotive Components|{surname} Rail Systems",
    23: "{place} Furniture|{surname} Manufacturing",
    24: "{place} Recycling|{surname} Metals Recovery",
    25: "{place} Energy|{place} Power Services",
    27: "{place} Water Services|{surname} Water Treatment",
    28: "{surname} Construction|{place} Builders|{surname} Civil Engineering",
    29: "{place} Trading|{surname} Distribution|{place} Motor Services",
    30: "{place} Hotels|{surname} Catering",
    31: "{place} Logistics|{surname} Transport|{place} Freight",
    32: "{place} Financial Services|{surname} Property Management",
    33: "{place} Software|{surname} IT Solutions|{place} Data Systems",
    34: "{surname} Consulting Engineers|{place} Engineering Design",
    35: "{place} Facilities Services|{surname} Business Services|{surname} Security",
    37: "{place} Training Academy|{surname} Learning",
    38: "{place} Healthcare|{surname} Care Homes",
    39: "{place} Waste Management|{surname} Environmental Services",
}
_MEDICAL_NAMES = "{place} Medical|{surname} Medical Devices|{place} Surgical|{surname} Devices"

# Local-language names for the commonest sectors; other sectors fall back to English names.
_LOCAL_NAMES: dict[str, dict[int, str]] = {
    "de": {
        3: "{surname} Feinkost|Backwaren {place}|Molkerei {surname}",
        14: "{surname} Kunststofftechnik|Kunststoffwerk {place}",
        17: "{surname} Metallbau|Stahlbau {place}|{surname} Blechtechnik",
        18: "{surname} Präzisionstechnik|Maschinenbau {place}|{surname} Antriebstechnik",
        19: "{surname} Elektrotechnik|Elektronikwerk {place}",
        28: "{surname} Bau|Hoch- und Tiefbau {place}",
        29: "{surname} Handelsgesellschaft|Großhandel {place}",
        31: "{surname} Logistik|Spedition {surname}|{place} Logistik",
        33: "{surname} IT-Systemhaus|Softwarehaus {place}",
        34: "Ingenieurbüro {surname}|{surname} Ingenieurgesellschaft",
        35: "{surname} Gebäudedienste|Sicherheitsdienst {place}",
    },
    "fr": {
        3: "Boulangerie Industrielle {surname}|Conserverie de {place}",
        14: "Plasturgie {surname}|Caoutchouc de {place}",
        17: "Métallurgie {surname}|Chaudronnerie de {place}",
        18: "Mécanique de Précision {surname}|Usinage de {place}",
        28: "Bâtiment {surname}|Travaux Publics de {place}",
        31: "Transports {surname}|Logistique de {place}",
        33: "Informatique {surname}|Solutions Numériques de {place}",
        34: "Société Générale d'Ingénierie|Bureau d'Études {surname}",
        35: "Nettoyage {surname}|Services Généraux de {place}",
    },
    "es": {
        3: "Conservas {surname}|Alimentación {place}",
        14: "Plásticos {place}|Inyectados {surname}",
        17: "Estructuras Metálicas {surname}|Metalúrgica {place}",
        18: "Mecanizados {surname}|Maquinaria {place}",
        28: "Construcciones {surname}|Obras y Servicios {place}",
        29: "Distribuciones {surname}|Comercial {place}",
        31: "Transportes {surname}|Logística {place}",
        33: "Soluciones Informáticas {place}|{surname} Sistemas",
        35: "Servicios Integrales {surname}|Limpiezas {place}",
    },
    "pt": {
        3: "Conservas {surname}|Lacticínios de {place}",
        4: "Têxtil de {place}|Confeções {surname}",
        17: "Metalomecânica de {place}|Serralharia {surname}",
        28: "Construções {surname}|Obras Públicas de {place}",
        31: "Transportes {surname}|Logística de {place}",
    },
    "it": {
        3: "Pastificio {surname}|Caseificio {place}",
        4: "Tessitura {surname}|Maglificio {place}",
        14: "Materie Plastiche {place}|{surname} Stampaggi",
        17: "Carpenterie Metalliche {surname}|Fonderia {place}",
        18: "Meccanica di Precisione {surname}|Oleodinamica {place}",
        28: "Costruzioni {surname}|Edilizia {place}",
        31: "Trasporti {surname}|Logistica {place}",
        33: "{surname} Informatica|Sistemi Digitali {place}",
    },
    "pl": {
        3: "Przetwórstwo Spożywcze {place}|Piekarnia {surname}",
        14: "Tworzywa {place}|{surname} Plast",
        17: "Konstrukcje Stalowe {place}|{surname} Metal",
        18: "Fabryka Maszyn {place}|{surname} Mechanika",
        28: "Budownictwo {place}|{surname} Budowa",
        31: "{place} Logistyka|Transport {surname}",
        33: "Systemy Informatyczne {place}|{surname} Soft",
    },
    "cs": {
        3: "Potraviny {place}|Pekárny {surname}",
        17: "Kovovýroba {place}|{surname} Kovo",
        18: "Strojírny {place}|{surname} Strojírenství",
        28: "Stavby {place}|{surname} Stavební",
        31: "Logistika {place}|Doprava {surname}",
    },
    "sk": {
        3: "Potraviny {place}|Pekárne {surname}",
        17: "Kovovýroba {place}|{surname} Kov",
        18: "Strojárne {place}|{surname} Strojárstvo",
        28: "Stavby {place}|{surname} Stav",
        31: "Logistika {place}|Doprava {surname}",
    },
    "sv": {
        3: "{place} Livsmedel|{surname}s Bageri",
        14: "{place} Plast",
        17: "{place} Plåt|{surname}s Smide",
        18: "{place} Mekaniska Verkstad|{surname}s Maskin",
        28: "{place} Bygg|{surname}s Byggnads",
        31: "{place} Logistik|{surname}s Åkeri",
    },
    "no": {
        3: "{place} Sjømat|{surname} Fisk",
        18: "{place} Mekaniske Verksted",
        20: "{place} Skipsverft",
        28: "{place} Bygg|{surname} Entreprenør",
        31: "{place} Transport",
    },
    "fi": {
        3: "Leipomo {surname}",
        17: "Metalli {surname}",
        18: "Konepaja {surname}",
        28: "Rakennus {surname}",
        31: "Kuljetus {surname}|Logistiikka {place}",
    },
    "da": {
        3: "{place} Mejeri|{surname} Slagteri",
        17: "{place} Stålindustri",
        18: "{place} Maskinfabrik",
        28: "{surname} Byg",
        31: "{place} Transport",
    },
    "nl": {
        3: "{place} Zuivel|Bakkerij {surname}",
        17: "Metaalbewerking {place}|{surname} Staalbouw",
        18: "{surname} Machinebouw",
        28: "Bouwbedrijf {surname}|{surname} Bouw",
        31: "Transportbedrijf {surname}|{place} Logistiek",
    },
    "tr": {
        3: "{place} Gıda|{surname} Un Sanayi",
        4: "{place} Tekstil|{surname} Konfeksiyon",
        14: "{place} Plastik",
        17: "{surname} Metal|{place} Döküm",
        18: "{surname} Makina|{place} Makine Sanayi",
        28: "{surname} İnşaat|{place} Yapı",
        31: "{place} Lojistik|{surname} Nakliyat",
    },
    "ja": {
        3: "{place} Shokuhin|{surname} Seika",
        12: "{place} Kagaku",
        14: "{place} Jushi|{surname} Gomu Kōgyō",
        17: "{place} Kōgyō|{surname} Seisakusho",
        18: "{place} Seiki|{surname} Kikai",
        19: "{place} Denki|{surname} Denshi",
        28: "{surname} Kensetsu|{place} Kōmuten",
        31: "{place} Unyu|{surname} Butsuryū",
        33: "{place} Jōhō Systems|{surname} Software",
    },
}

# Names the generator uses first, when the country and sector come up (search demos use them).
_FEATURED_NAMES: dict[tuple[str, int], str] = {
    ("DE", 18): "Müller Präzisionstechnik GmbH",
    ("FR", 34): "Société Générale d'Ingénierie SA",
    ("PL", 31): "Łódź Logistyka Sp. z o.o.",
}

_ACTIVITIES: dict[int, tuple[str, ...]] = {
    2: ("Extraction and processing of sand, gravel and crushed rock",),
    3: (
        "Manufacture of bakery and confectionery products",
        "Processing and packing of frozen vegetables",
        "Production of cheese and dairy desserts",
    ),
    4: ("Weaving and finishing of technical textiles", "Manufacture of workwear"),
    5: ("Tanning and finishing of leather",),
    6: ("Manufacture of timber frames and joinery",),
    7: ("Manufacture of corrugated board and cartons", "Production of recycled paper"),
    9: ("Offset and digital printing of labels and packaging",),
    12: ("Formulation and blending of industrial coatings", "Manufacture of cleaning chemicals"),
    13: ("Manufacture of generic solid-dose pharmaceuticals",),
    14: (
        "Injection moulding of plastic components",
        "Extrusion of plastic pipes and profiles",
        "Manufacture of moulded rubber seals",
    ),
    15: ("Manufacture of glass containers and technical ceramics",),
    16: ("Manufacture of precast concrete elements", "Production of ready-mixed concrete"),
    17: (
        "Fabrication and welding of structural steelwork",
        "Sheet metal cutting, bending and powder coating",
        "Manufacture of fasteners and machined metal parts",
    ),
    18: (
        "Design and manufacture of special-purpose machinery",
        "Precision CNC machining of components",
        "Manufacture and repair of hydraulic cylinders",
    ),
    19: (
        "Design and assembly of electrical control panels",
        "Manufacture of printed circuit board assemblies",
    ),
    20: ("Ship repair and conversion", "Construction of aluminium workboats"),
    21: ("Machining and assembly of aerospace structural parts",),
    22: ("Manufacture of automotive wiring harnesses", "Refurbishment of railway components"),
    23: ("Manufacture of office and contract furniture",),
    24: ("Collection, sorting and recycling of ferrous and non-ferrous metals",),
    25: ("Operation and maintenance of solar and wind power plants",),
    27: ("Treatment and distribution of drinking water",),
    28: (
        "General building construction and refurbishment",
        "Civil engineering works for roads and utilities",
        "Mechanical and electrical building services installation",
    ),
    29: (
        "Wholesale distribution of industrial supplies",
        "Sale, servicing and repair of commercial vehicles",
    ),
    30: ("Hotel accommodation, conference and catering services", "Contract catering"),
    31: (
        "Warehousing, storage and road distribution of palletised goods",
        "International freight forwarding and customs clearance",
    ),
    32: ("Insurance broking services", "Commercial property management"),
    33: (
        "Design, development and support of business software",
        "Provision of managed IT and cloud hosting services",
    ),
    34: ("Structural and civil engineering design consultancy",),
    35: (
        "Facilities management and cleaning services",
        "Provision of manned guarding and security services",
        "Recruitment and temporary staffing services",
    ),
    37: ("Vocational training and professional courses",),
    38: ("Residential and nursing care services", "Outpatient diagnostic imaging services"),
    39: ("Collection and transfer of commercial waste",),
}
_ISMS_ACTIVITIES: dict[int, tuple[str, ...]] = {
    33: (
        "the design, development and hosting of software-as-a-service platforms",
        "the provision of managed IT services and data centre operations",
    ),
    32: ("the provision of payment processing services", "insurance policy administration"),
    35: ("payroll and business process outsourcing services", "contact centre operations"),
    38: ("clinical information systems and patient records services",),
    31: ("the operation of transport management and tracking platforms",),
    34: ("engineering design, simulation and data management services",),
}
_MEDICAL_ACTIVITIES = (
    "Design, manufacture and distribution of single-use sterile catheters",
    "Manufacture of orthopaedic implants",
    "Design and manufacture of in vitro diagnostic test kits",
    "Contract sterilisation of medical devices",
    "Manufacture of patient monitoring equipment",
)
_SITE_NAMES = ("Plant 2", "Warehouse", "Distribution centre", "Production site", "Regional office")
_CERT_SUSPENSIONS = (
    "Surveillance audit not carried out within the required period",
    "Major nonconformity not closed within the agreed period",
    "Suspended at the client's request",
)
_CERT_WITHDRAWALS = (
    "Suspension not resolved within six months",
    "Withdrawn at the client's request",
    "Client ceased the certified activities",
)


# --- the report ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoReport:
    """What the demo built; `statuses` are as of `today`, `expired` counts printed expiry."""

    certification_bodies: int
    accreditations: int
    organizations: int
    certificates: int
    showcase_certificates: int
    sites: int
    status_events: int
    statuses: Mapping[str, int] = field(default_factory=dict)
    expired: int = 0
    confidential: int = 0

    def __str__(self) -> str:
        statuses = ", ".join(f"{count} {status}" for status, count in sorted(self.statuses.items()))
        return (
            f"{self.certification_bodies} certification bodies, {self.accreditations} "
            f"accreditations, {self.organizations} organisations, {self.certificates} "
            f"certificates ({self.showcase_certificates} showcase; {statuses}; "
            f"{self.expired} expired; {self.confidential} confidential), {self.sites} sites"
        )


# --- helpers ------------------------------------------------------------------------------------


def registry_is_empty(session: Session) -> bool:
    """True when the registry holds no certificate, so the demo may be loaded."""
    return session.scalar(select(Certificate.id).limit(1)) is None


def _add_years(day: date, years: int) -> date:
    """The same calendar day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def _cycle_expiry(issue: date) -> date:
    """Expiry of a three-year certification cycle (ISO/IEC 17021-1 §9.1.3)."""
    return _add_years(issue, 3) - timedelta(days=1)


def _days(count: int) -> timedelta:
    """A number of days as a timedelta."""
    return timedelta(days=count)


def _batches(rows: Sequence[dict[str, Any]]) -> Iterator[Sequence[dict[str, Any]]]:
    """Slices of BATCH_SIZE rows."""
    for start in range(0, len(rows), BATCH_SIZE):
        yield rows[start : start + BATCH_SIZE]


@dataclass
class _Record:
    """One accreditation record of a demo CB, as created."""

    sectors: tuple[int, ...]
    valid_from: date
    valid_until: date | None
    last_issue: date | None


@dataclass
class _Org:
    """An organisation row being built."""

    id: uuid.UUID
    cb: str
    name: str
    country: str
    sector: int
    aliases: list[str]
    codes: set[str] = field(default_factory=set)


class _Builder:
    """Accumulates rows for one demo build; every random draw comes from one seeded generator."""

    def __init__(self, session: Session, today: date, seed: int) -> None:
        self.session = session
        self.today = today
        self.rng = random.Random(seed)
        self.standards: dict[tuple[str, str], Standard] = {}
        self.cb_ids: dict[str, uuid.UUID] = {}
        self.records: dict[tuple[str, str], list[_Record]] = {}
        self.orgs: list[_Org] = []
        self.orgs_by_cb: dict[str, list[_Org]] = {}
        self.name_keys: set[str] = set()
        self.featured_left = dict(_FEATURED_NAMES)
        self.certificates: list[dict[str, Any]] = []
        self.sites: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        self.number_keys: set[tuple[str, str]] = set()
        self.global_keys: set[str] = {
            normalize_certificate_number(case.certificate_number) for case in SHOWCASE.values()
        }
        self.sequences: dict[str, int] = {}
        self.statuses: Counter[str] = Counter()
        self.accreditation_count = 0

    def new_id(self) -> uuid.UUID:
        """A reproducible random (version 4) id."""
        return uuid.UUID(int=self.rng.getrandbits(128), version=4)

    # --- reference data, CBs and accreditations ---

    def load_reference(self) -> dict[str, AccreditationBody]:
        """Standards and ABs the demo needs; seeds the reference data when they are missing."""
        wanted_standards = {(standard_code_key(p.code), p.edition) for p in _EDITIONS}
        wanted_standards |= {(standard_code_key(c), e) for c, e in _SHOWCASE_EDITIONS}
        wanted_abs = {plan.accreditation_body.upper() for plan in _CERTIFICATION_BODIES}

        def lookup() -> tuple[dict[tuple[str, str], Standard], dict[str, AccreditationBody]]:
            standards = {(s.code_key, s.edition): s for s in self.session.scalars(select(Standard))}
            bodies = {
                ab.acronym_key: ab
                for ab in self.session.scalars(
                    select(AccreditationBody).where(AccreditationBody.acronym_key.in_(wanted_abs))
                )
            }
            return standards, bodies

        standards, bodies = lookup()
        if not wanted_standards <= standards.keys() or not wanted_abs <= bodies.keys():
            seed_reference_data(self.session)
            standards, bodies = lookup()
        missing = sorted(
            [f"{code}:{edition}" for code, edition in wanted_standards - standards.keys()]
            + sorted(wanted_abs - bodies.keys())
        )
        if missing:
            raise ValueError(f"reference data lacks what the demo needs: {', '.join(missing)}")
        self.standards = standards
        return bodies

    def create_bodies(self, bodies: Mapping[str, AccreditationBody]) -> int:
        """The fictional CBs and their accreditations by real reference ABs."""
        acronyms = [plan.acronym.upper() for plan in _CERTIFICATION_BODIES]
        taken = self.session.scalars(
            select(CertificationBody.acronym).where(CertificationBody.acronym_key.in_(acronyms))
        ).all()
        if taken:
            raise ValueError(
                f"certification bodies {', '.join(sorted(str(a) for a in taken))} already exist; "
                "the demo needs an empty registry"
            )
        bodies_created: list[CertificationBody] = []
        accreditations: list[Accreditation] = []
        for plan in _CERTIFICATION_BODIES:
            cb = CertificationBody(
                id=self.new_id(),
                name=plan.name,
                name_key=fold_name(plan.name),
                acronym=plan.acronym,
                acronym_key=plan.acronym.upper(),
                country=plan.country,
                website=plan.website,
            )
            bodies_created.append(cb)
            self.cb_ids[plan.acronym] = cb.id
            ab = bodies[plan.accreditation_body.upper()]
            for acc in plan.accreditations:
                accreditations.extend(self._accreditations(plan, acc, cb.id, ab))
        # No relationship links an accreditation to its CB, so the CBs are flushed first.
        self.session.add_all(bodies_created)
        self.session.flush()
        self.session.add_all(accreditations)
        self.session.flush()
        return len(bodies_created)

    def _accreditations(
        self, plan: _CbPlan, acc: _AccreditationPlan, cb_id: uuid.UUID, ab: AccreditationBody
    ) -> list[Accreditation]:
        """One accreditation record, or two when it was renewed; with dated status history."""
        today = self.today
        key = standard_code_key(acc.standard)
        valid_until = today + _days(plan.valid_until_days)
        spans: list[tuple[date, date | None, tuple[int, ...]]] = []
        if acc.renewed_days_ago is not None:
            renewed = today - _days(acc.renewed_days_ago)
            spans.append((acc.valid_from, renewed - _days(1), acc.previous_sectors))
            spans.append((renewed, valid_until, acc.sectors))
        else:
            spans.append((acc.valid_from, valid_until, acc.sectors))
        last_issue: date | None = None
        for days_ago in (acc.suspended_days_ago, acc.withdrawn_days_ago):
            if days_ago is not None:
                stop = today - _days(days_ago + 1)
                last_issue = stop if last_issue is None else min(last_issue, stop)
        created = []
        for valid_from, until, sectors in spans:
            events = [AccreditationStatusEvent(status=ACTIVE, effective_from=valid_from)]
            if until is not None and until >= today:
                if acc.suspended_days_ago is not None:
                    events.append(
                        AccreditationStatusEvent(
                            status=SUSPENDED,
                            effective_from=today - _days(acc.suspended_days_ago),
                            reason=_SUSPENSION_REASON,
                        )
                    )
                if acc.withdrawn_days_ago is not None:
                    events.append(
                        AccreditationStatusEvent(
                            status=WITHDRAWN,
                            effective_from=today - _days(acc.withdrawn_days_ago),
                            reason=_WITHDRAWAL_REASON,
                        )
                    )
            created.append(
                Accreditation(
                    id=self.new_id(),
                    certification_body_id=cb_id,
                    accreditation_body_id=ab.id,
                    accreditation_number=plan.accreditation_number,
                    standard_code=acc.standard,
                    standard_code_key=key,
                    sectors=sorted(sectors),
                    valid_from=valid_from,
                    valid_until=until,
                    status_events=events,
                )
            )
            self.records.setdefault((plan.acronym, key), []).append(
                _Record(sectors, valid_from, until, last_issue)
            )
        self.accreditation_count += len(created)
        return created

    def record_at(self, cb: str, key: str, day: date) -> _Record | None:
        """The CB's accreditation record for a standard whose validity covers `day`."""
        for record in reversed(self.records.get((cb, key), [])):
            if record.valid_from <= day and (
                record.valid_until is None or day <= record.valid_until
            ):
                return record
        return None

    # --- organisations ---

    def _fill(self, template: str, country: _Country) -> str:
        """A name template with a place and a surname of the country."""
        return template.format(
            place=self.rng.choice(country.places), surname=self.rng.choice(country.surnames)
        )

    def _invent_name(self, country_code: str, sector: int, medical: bool) -> str:
        """An organisation name, unique in the registry once folded."""
        country = _COUNTRIES[country_code]
        featured = self.featured_left.get((country_code, sector))
        if featured is not None and not medical:
            del self.featured_left[(country_code, sector)]
            if fold_name(featured) not in self.name_keys:
                return featured
        local = _LOCAL_NAMES.get(country.lang, {}).get(sector)
        english = _words(_MEDICAL_NAMES if medical else _EN_NAMES.get(sector, _EN_NAMES[35]))
        templates = _words(local) + english if local and not medical else english
        for attempt in range(40):
            base = self._fill(self.rng.choice(templates), country)
            if attempt >= 20:
                base = f"{base} {self.rng.choice(country.places)}"
            name = f"{base} {self.rng.choice(country.legal_forms)}"
            if fold_name(name) not in self.name_keys:
                return name
        return f"{base} {len(self.name_keys)} {country.legal_forms[0]}"

    def _aliases(self, name: str, country_code: str, sector: int, always: bool) -> list[str]:
        """Former, transliterated or short names for about one organisation in eight."""
        if not always and self.rng.random() >= 0.125:
            return []
        country = _COUNTRIES[country_code]
        transliterated = name
        for accented, plain in (("ä", "ae"), ("ö", "oe"), ("ü", "ue"), ("ß", "ss"), ("Ü", "Ue")):
            transliterated = transliterated.replace(accented, plain)
        if transliterated != name:
            return [transliterated]
        base = name
        for legal_form in country.legal_forms:
            base = base.removesuffix(f" {legal_form}")
        words = [word for word in base.split() if word[:1].isupper() and len(word) > 2]
        if len(words) >= 2 and self.rng.random() < 0.5:
            return ["".join(word[0] for word in words[:3]) + " " + country.legal_forms[0]]
        templates = _words(_EN_NAMES.get(sector, _EN_NAMES[35]))
        return [f"{self._fill(self.rng.choice(templates), country)} {country.legal_forms[0]}"]

    def add_org(
        self,
        cb: str,
        country_code: str,
        sector: int,
        *,
        name: str | None = None,
        aliases: Sequence[str] | None = None,
        medical: bool = False,
    ) -> _Org:
        """A new organisation owned by the CB."""
        chosen = name or self._invent_name(country_code, sector, medical)
        org = _Org(
            id=self.new_id(),
            cb=cb,
            name=chosen,
            country=country_code,
            sector=sector,
            aliases=list(aliases)
            if aliases is not None
            else self._aliases(chosen, country_code, sector, chosen in _FEATURED_NAMES.values()),
        )
        self.name_keys.add(fold_name(chosen))
        self.orgs.append(org)
        self.orgs_by_cb.setdefault(cb, []).append(org)
        return org

    # --- certificates ---

    def _address(self, country_code: str) -> tuple[str, str]:
        """A city and a plausible street address in the country."""
        country = _COUNTRIES[country_code]
        rng = self.rng
        city = rng.choice(country.cities or country.places)
        postcode = "".join(
            str(rng.randint(0, 9))
            if char == "#"
            else chr(rng.randint(65, 90))
            if char == "A"
            else char
            for char in country.postcode
        )
        street = rng.choice(_STREETS[country.lang])
        number = rng.randint(1, 240)
        if country.lang == "en":
            return city, f"{number} {street}, {city} {postcode}"
        if country.lang == "ja":
            return city, f"{number}-{rng.randint(1, 30)} {street}, {city} {postcode}"
        return city, f"{street} {number}, {postcode} {city}"

    def _site_rows(self, cert_id: uuid.UUID, org: _Org, markets: Sequence[str], isms: bool) -> None:
        """One to three sites: the head office in the organisation's country, then others."""
        count = self.rng.choices((1, 2, 3), weights=(60, 28, 12))[0]
        for position in range(count):
            country = org.country
            if position and self.rng.random() < 0.25:
                country = self.rng.choice(markets)
            city, address = self._address(country)
            if position == 0:
                site_name = "Head office"
            elif isms:
                site_name = self.rng.choice(("Data centre", "Operations centre", "Branch office"))
            else:
                site_name = f"{self.rng.choice(_SITE_NAMES)} {city}"
            self.sites.append(
                {
                    "id": self.new_id(),
                    "certificate_id": cert_id,
                    "position": position,
                    "name": site_name,
                    "address": address,
                    "country": country,
                }
            )

    def _number(self, cb: str, family: str, issue: date, country: str, cycle: int) -> str:
        """A certificate number in the CB's own style, unique per CB and in the registry."""
        start = {"NBC": 510000, "MAI": 41000, "HCC": 1200, "TCS": 1001}.get(cb, 10001)
        while True:
            seq = self.sequences.get(cb, start) + self.rng.randint(1, 40)
            self.sequences[cb] = seq
            letters = _FAMILY_LETTERS.get(family, "X")
            yy = f"{issue.year % 100:02d}"
            number = {
                "NBC": f"{letters} {seq}",
                "CERTA": f"CN-{issue.year}-{seq:05d}",
                "QAS": f"{country}-{letters}-{seq}/{yy}",
                "MAI": f"MAI-{seq:07d}",
                "LQC": f"LQC/{letters}/{issue.year}/{seq}",
                "SAJ": f"JP{yy}/{seq:06d}",
                "HCC": f"{seq:05d}{letters[0]}{yy}{(seq * 7919) % 100000:05d}R{cycle}M",
                "KCS": f"KCS {seq:05d}",
                "RWZ": f"12 {_FAMILY_NUMBERS.get(family, '100')} {seq} RWZ",
                "ADC": f"ADC-{seq}-{yy}",
                "TCS": f"TCS/{seq}/{yy}",
                "NVC": f"NVC {yy}{seq:05d}",
            }[cb]
            key = normalize_certificate_number(number)
            if key not in self.global_keys:
                self.global_keys.add(key)
                return number

    def add_certificate(
        self,
        *,
        cb: str,
        org: _Org,
        standard: Standard,
        number: str,
        scope: str,
        sectors: Sequence[int],
        issue: date,
        expiry: date,
        original: date | None,
        events: Sequence[tuple[str, date, str | None]],
        markets: Sequence[str] = (),
        sites: Sequence[tuple[str, str, str]] = (),
        confidential: bool = False,
    ) -> None:
        """Queue one certificate with its sites and dated status history."""
        cert_id = self.new_id()
        key = normalize_certificate_number(number)
        if (cb, key) in self.number_keys:
            raise ValueError(f"demo certificate number {number} repeats at {cb}")
        self.number_keys.add((cb, key))
        org.codes.add(standard.code_key)
        self.certificates.append(
            {
                "id": cert_id,
                "certification_body_id": self.cb_ids[cb],
                "organization_id": org.id,
                "standard_id": standard.id,
                "certificate_number": number,
                "number_key": key,
                "scope": scope,
                "sectors": sorted(sectors),
                "original_issue_date": original,
                "issue_date": issue,
                "expiry_date": expiry,
                "confidential": confidential,
            }
        )
        if sites:
            for position, (site_name, address, country) in enumerate(sites):
                self.sites.append(
                    {
                        "id": self.new_id(),
                        "certificate_id": cert_id,
                        "position": position,
                        "name": site_name,
                        "address": address,
                        "country": country,
                    }
                )
        else:
            self._site_rows(
                cert_id, org, markets or (org.country,), standard.code_key == "ISO27001"
            )
        current = ACTIVE
        for status, effective_from, reason in sorted(events, key=lambda e: e[1]):
            self.events.append(
                {
                    "id": self.new_id(),
                    "certificate_id": cert_id,
                    "status": status,
                    "effective_from": effective_from,
                    "reason": reason,
                }
            )
            if effective_from <= self.today:
                current = status
        self.statuses[current] += 1

    # --- the random part ---

    def _pick_edition(self, plan: _CbPlan) -> tuple[_EditionPlan, date, date] | None:
        """An edition the CB is accredited for and the window its certificates were issued in."""
        accredited = {standard_code_key(a.standard) for a in plan.accreditations}
        choices = [e for e in _EDITIONS if standard_code_key(e.code) in accredited]
        edition = self.rng.choices(choices, weights=[e.weight for e in choices])[0]
        key = standard_code_key(edition.code)
        records = self.records[(plan.acronym, key)]
        low = max(edition.first_issue, min(r.valid_from for r in records))
        high = min(self.today, edition.last_issue or self.today)
        stops = [r.last_issue for r in records if r.last_issue is not None]
        if stops:
            high = min(high, *stops)
        return (edition, low, high) if low <= high else None

    def _dates(self, edition: _EditionPlan, low: date, high: date) -> tuple[date, date]:
        """Issue and expiry dates of one three-year cycle within the window."""
        rng = self.rng
        if edition.last_issue is not None:
            issue = low + _days(rng.randint(0, (high - low).days))
        elif rng.random() < 0.1:
            issue = _add_years(self.today - _days(rng.randint(1, 900)), -3) + _days(1)
        else:
            issue = self.today - _days(rng.randint(0, 1094))
        if issue < low:
            issue = low + _days(rng.randint(0, min(365, (high - low).days)))
        if issue > high:
            issue = high - _days(rng.randint(0, min(365, (high - low).days)))
        return issue, _cycle_expiry(issue)

    def _history(self, issue: date, expiry: date) -> list[tuple[str, date, str | None]]:
        """Dated status history: mostly active; some suspended, reinstated or withdrawn."""
        rng, today = self.rng, self.today
        events: list[tuple[str, date, str | None]] = [(ACTIVE, issue, None)]
        end = min(expiry, today)
        span = (end - issue).days
        draw = rng.random()
        if span < 120:
            return events
        if draw < 0.03:
            withdrawn = issue + _days(rng.randint(90, span))
            if rng.random() < 0.6:
                suspended = withdrawn - _days(rng.randint(30, 80))
                events.append((SUSPENDED, suspended, rng.choice(_CERT_SUSPENSIONS)))
            events.append((WITHDRAWN, withdrawn, rng.choice(_CERT_WITHDRAWALS)))
        elif draw < 0.05 and expiry > today:
            suspended = today - _days(rng.randint(1, min(170, span - 30)))
            events.append((SUSPENDED, suspended, rng.choice(_CERT_SUSPENSIONS)))
        elif draw < 0.065:
            suspended = issue + _days(rng.randint(30, span - 60))
            lifted = suspended + _days(rng.randint(14, min(90, (end - suspended).days)))
            events.append((SUSPENDED, suspended, rng.choice(_CERT_SUSPENSIONS)))
            events.append((ACTIVE, lifted, "Suspension lifted after corrective actions"))
        elif draw < 0.07 and (expiry - today).days > 60:
            # Future-dated: the client asked for withdrawal at the end of a coming month.
            events.append((WITHDRAWN, today + _days(rng.randint(5, 45)), _CERT_WITHDRAWALS[1]))
        return events

    def _allowed_sectors(self, key: str, record: _Record | None) -> list[int]:
        """Plausible IAF sectors for the standard, within the accreditation when sectors apply."""
        plausible = _PLAUSIBLE_SECTORS.get(key, _PLAUSIBLE_SECTORS["ISO9001"])
        if record is not None and record.sectors and uses_iaf_sectors(key):
            return [s for s in plausible if s in record.sectors] or list(record.sectors)
        return list(plausible)

    def _sector_for(self, allowed: Sequence[int], country: str) -> int:
        """A new organisation's main sector; a featured name's sector while it is unused."""
        for featured_country, sector in self.featured_left:
            if featured_country == country and sector in allowed:
                return sector
        weights = [_SECTOR_WEIGHTS.get(s, 1) for s in allowed]
        return self.rng.choices(allowed, weights=weights)[0]

    def _scope(self, key: str, org: _Org, medical: bool) -> str:
        """Scope text by type of activity (ISO/IEC 17021-1 §8.2.2 f)."""
        rng = self.rng
        if medical:
            return rng.choice(_MEDICAL_ACTIVITIES)
        if key == "ISO27001":
            activity = rng.choice(_ISMS_ACTIVITIES.get(org.sector, _ISMS_ACTIVITIES[33]))
            return (
                f"The information security management system supporting {activity}, in "
                f"accordance with the Statement of Applicability version {rng.randint(1, 9)}"
            )
        activity = rng.choice(_ACTIVITIES.get(org.sector, _ACTIVITIES[35]))
        if key == "ISO50001":
            return f"Energy management of {activity[0].lower()}{activity[1:]}"
        return activity

    def add_random_certificate(self) -> None:
        """One synthetic certificate at a weighted CB, edition, country and sector."""
        rng = self.rng
        plans = _CERTIFICATION_BODIES
        for _ in range(1000):
            plan = rng.choices(plans, weights=[p.weight for p in plans])[0]
            picked = self._pick_edition(plan)
            if picked is not None:
                break
        else:
            raise ValueError(f"no demo certificate can be issued on or before {self.today}")
        edition, low, high = picked
        key = standard_code_key(edition.code)
        standard = self.standards[(key, edition.edition)]
        issue, expiry = self._dates(edition, low, high)
        record = self.record_at(plan.acronym, key, issue)
        medical = key == "ISO13485"
        markets = [c for c, _ in plan.markets]
        country = rng.choices(markets, weights=[w for _, w in plan.markets])[0]

        allowed = self._allowed_sectors(key, record)
        org: _Org | None = None
        if not medical and rng.random() < 0.25:
            # The same organisation often holds several standards with the same CB.
            pool = [
                o
                for o in self.orgs_by_cb.get(plan.acronym, [])
                if o.country == country and key not in o.codes and o.sector in allowed
            ]
            org = rng.choice(pool) if pool else None
        if org is None:
            sector = self._sector_for(allowed, country)
            org = self.add_org(plan.acronym, country, sector, medical=medical)

        sectors: list[int] = []
        if uses_iaf_sectors(key):
            sectors = [org.sector]
            others = [s for s in allowed if s != org.sector]
            if others and rng.random() < 0.2:
                sectors.append(rng.choice(others))
        cycle = 1
        original: date | None = None
        if rng.random() < 0.55:
            cycle = rng.randint(2, 5)
            original = _add_years(issue, -3 * (cycle - 1)) - _days(rng.randint(0, 90))
        self.add_certificate(
            cb=plan.acronym,
            org=org,
            standard=standard,
            number=self._number(plan.acronym, standard.family or "", issue, country, cycle),
            scope=self._scope(key, org, medical),
            sectors=sectors,
            issue=issue,
            expiry=expiry,
            original=original,
            events=self._history(issue, expiry),
            markets=markets,
            confidential=rng.random() < 0.02,
        )

    # --- the showcase ---

    def add_showcase(self) -> None:
        """The fixed SHOWCASE certificates, dated relative to `today`."""
        today = self.today
        s9001 = self.standards[("ISO9001", "2015")]
        s14001 = self.standards[("ISO14001", "2015")]
        s45001 = self.standards[("ISO45001", "2018")]
        s27001_2013 = self.standards[("ISO27001", "2013")]

        def org(cb: str, name: str, country: str, sector: int, *aliases: str) -> _Org:
            return self.add_org(cb, country, sector, name=name, aliases=aliases)

        def site(address: str, country: str = "GB") -> tuple[tuple[str, str, str], ...]:
            return (("Head office", address, country),)

        def active(issue: date) -> list[tuple[str, date, str | None]]:
            return [(ACTIVE, issue, None)]

        issue = today - _days(400)
        self.add_certificate(
            cb="NBC",
            org=org("NBC", "Albion Precision Engineering Ltd", "GB", 17, "Albion Precision"),
            standard=s9001,
            number=SHOWCASE["valid"].certificate_number,
            scope="Design and manufacture of precision machined components for the aerospace "
            "and rail industries",
            sectors=(17, 18),
            issue=issue,
            expiry=_cycle_expiry(issue),
            original=_add_years(issue, -6),
            events=active(issue),
            sites=(
                *site("Unit 4, Tinsley Park Road, Sheffield S9 5DL"),
                ("Assembly plant", "Ashby Road, Loughborough LE11 3TU", "GB"),
            ),
        )
        expiry = today + _days(45)
        issue = _add_years(expiry + _days(1), -3)
        self.add_certificate(
            cb="NBC",
            org=org("NBC", "Severn Valley Packaging Ltd", "GB", 14),
            standard=s14001,
            number=SHOWCASE["valid_with_warnings"].certificate_number,
            scope="Manufacture of printed flexible plastic packaging for the food industry",
            sectors=(14,),
            issue=issue,
            expiry=expiry,
            original=_add_years(issue, -3),
            events=active(issue),
            sites=site("Riverside Works, Severn Road, Worcester WR1 2SX"),
        )
        ambiguous = SHOWCASE["ambiguous"].certificate_number
        issue = today - _days(250)
        self.add_certificate(
            cb="NBC",
            org=org("NBC", "Kestrel Facilities Management Ltd", "GB", 35),
            standard=s9001,
            number=ambiguous,
            scope="Facilities management and cleaning services",
            sectors=(35,),
            issue=issue,
            expiry=_cycle_expiry(issue),
            original=None,
            events=active(issue),
            sites=site("14 Commerce Way, Leeds LS10 1BZ"),
        )
        issue = today - _days(610)
        self.add_certificate(
            cb="MAI",
            org=org("MAI", "Kestrel Industrial Supply Inc.", "US", 29),
            standard=s9001,
            number=ambiguous,
            scope="Wholesale distribution of industrial supplies",
            sectors=(29,),
            issue=issue,
            expiry=_cycle_expiry(issue),
            original=_add_years(issue, -9),
            events=active(issue),
            sites=site("2200 Harbor Avenue, Cleveland OH 44102", "US"),
        )
        issue = today - _days(500)
        self.add_certificate(
            cb="NBC",
            org=org("NBC", "Greyfriars Construction Ltd", "GB", 28),
            standard=s9001,
            number=SHOWCASE["withdrawn"].certificate_number,
            scope="General building construction and refurbishment",
            sectors=(28,),
            issue=issue,
            expiry=_cycle_expiry(issue),
            original=_add_years(issue, -3),
            events=[
                *active(issue),
                (SUSPENDED, today - _days(120), _CERT_SUSPENSIONS[0]),
                (WITHDRAWN, today - _days(30), _CERT_WITHDRAWALS[0]),
            ],
            sites=site("Greyfriars House, 3 Friar Lane, Leicester LE1 5RA"),
        )
        issue = today - _days(300)
        self.add_certificate(
            cb="NBC",
            org=org("NBC", "Thamesmead Plastics Ltd", "GB", 14),
            standard=s9001,
            number=SHOWCASE["suspended"].certificate_number,
            scope="Injection moulding of plastic components",
            sectors=(14,),
            issue=issue,
            expiry=_cycle_expiry(issue),
            original=None,
            events=[*active(issue), (SUSPENDED, today - _days(20), _CERT_SUSPENSIONS[1])],
            sites=site("Unit 9, Harrow Manorway, London SE2 9RT"),
        )
        expiry = today - _days(10)
        issue = _add_years(expiry + _days(1), -3)
        self.add_certificate(
            cb="NBC",
            org=org("NBC", "Pennine Textiles Ltd", "GB", 4),
            standard=s9001,
            number=SHOWCASE["expired"].certificate_number,
            scope="Weaving and finishing of technical textiles",
            sectors=(4,),
            issue=issue,
            expiry=expiry,
            original=_add_years(issue, -3),
            events=active(issue),
            sites=site("Dale Mill, Burnley Road, Todmorden OL14 7ET"),
        )
        issue = today + _days(14)
        self.add_certificate(
            cb="NBC",
            org=org("NBC", "Solent Marine Services Ltd", "GB", 20),
            standard=s45001,
            number=SHOWCASE["not_yet_valid"].certificate_number,
            scope="Ship repair and conversion",
            sectors=(20,),
            issue=issue,
            expiry=_cycle_expiry(issue),
            original=None,
            events=active(issue),
            sites=site("Quay Road, Southampton SO14 3JF"),
        )
        expiry = today + _days(120)
        issue = min(_add_years(expiry + _days(1), -3), date(2024, 4, 30))
        self.add_certificate(
            cb="NBC",
            org=org("NBC", "Cobalt Data Centres Ltd", "GB", 33),
            standard=s27001_2013,
            number=SHOWCASE["outdated_standard"].certificate_number,
            scope="The information security management system supporting the design and "
            "operation of colocation data centres, in accordance with the Statement of "
            "Applicability version 7",
            sectors=(),
            issue=issue,
            expiry=expiry,
            original=None,
            events=active(issue),
            sites=(
                *site("Cobalt Park, 1 Silverlink Way, Newcastle upon Tyne NE28 9ND"),
                ("Data centre", "Slough Trading Estate, Slough SL1 4BB", "GB"),
            ),
        )
        issue = today - _days(500)
        self.add_certificate(
            cb="TCS",
            org=org("TCS", "Poprad Strojárne a.s.", "SK", 18, "Poprad Strojarne"),
            standard=s9001,
            number=SHOWCASE["not_accredited"].certificate_number,
            scope="Design and manufacture of special-purpose machinery",
            sectors=(18,),
            issue=issue,
            expiry=_cycle_expiry(issue),
            original=_add_years(issue, -6),
            events=active(issue),
            sites=site("Priemyselná 12, 058 01 Poprad", "SK"),
        )
        issue = today - _days(180)
        self.add_certificate(
            cb="NBC",
            org=org("NBC", "Harbourside Logistics Ltd", "GB", 31),
            standard=s9001,
            number=SHOWCASE["mismatch"].certificate_number,
            scope="Warehousing, storage and road distribution of palletised goods",
            sectors=(31,),
            issue=issue,
            expiry=_cycle_expiry(issue),
            original=_add_years(issue, -3),
            events=active(issue),
            sites=site("Dock Road, Felixstowe IP11 3SW"),
        )
        self.name_keys.add(fold_name(SHOWCASE["mismatch"].claimed_organization or ""))

    # --- writing ---

    def write(self) -> None:
        """Insert organisations, certificates, sites and status events in executemany batches."""
        org_rows = [
            {
                "id": org.id,
                "certification_body_id": self.cb_ids[org.cb],
                "name": org.name,
                "name_key": fold_name(org.name),
                "country": org.country,
                "aliases": org.aliases,
                "lei": None,
                "vat": None,
            }
            for org in self.orgs
        ]
        for model, rows in (
            (Organization, org_rows),
            (Certificate, self.certificates),
            (CertificateSite, self.sites),
            (CertificateStatusEvent, self.events),
        ):
            for batch in _batches(rows):
                self.session.execute(insert(model), list(batch))
                self.session.flush()


def build_demo_registry(
    session: Session, *, certificates: int = 5000, today: date, seed: int = 7
) -> DemoReport:
    """Build the demo registry and SHOWCASE, deterministic per seed and today; only flushes."""
    if certificates < 0:
        raise ValueError("certificates must be zero or more")
    if not registry_is_empty(session):
        raise ValueError(
            "the registry already holds certificates; the demo only loads into an empty registry"
        )
    builder = _Builder(session, today, seed)
    bodies = builder.load_reference()
    cb_count = builder.create_bodies(bodies)
    builder.add_showcase()
    for _ in range(certificates):
        builder.add_random_certificate()
    builder.write()
    return DemoReport(
        certification_bodies=cb_count,
        accreditations=builder.accreditation_count,
        organizations=len(builder.orgs),
        certificates=len(builder.certificates),
        showcase_certificates=SHOWCASE_CERTIFICATE_COUNT,
        sites=len(builder.sites),
        status_events=len(builder.events),
        statuses=dict(builder.statuses),
        expired=sum(1 for row in builder.certificates if row["expiry_date"] < today),
        confidential=sum(1 for row in builder.certificates if row["confidential"]),
    )
