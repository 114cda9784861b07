"""The demo registry's invented data: certification bodies and their accreditation plans,
editions, sector plausibility, countries, streets, organisation names, activities and status
reasons. All names are fictitious; websites use the reserved `.example` domain."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

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
