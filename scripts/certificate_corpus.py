"""Realistic certificate PDFs with their ground truth, and scanned variants (issue 17, item 6).

The accuracy measurement of the claim extraction (tests/documents/test_accuracy.py, and
`make bench-documents` -> bench/documents.py) reads documents made here and compares what
`app.domain.document_claims.extract_claims` finds with what was printed. A certificate is
deterministic from its seed (Python's `random.Random(seed)`, reportlab's `invariant=1`, numpy's
`default_rng(seed)` for the scan noise), so a corpus is the same on every machine.

What varies, as on real certificates:
- layouts: `classic` (portrait, centred prose), `table` (portrait, a two-column label | value
  table, drawn row by row or column by column, as PDF producers do) and `landscape` (a logo band
  on the left, labels above their values);
- languages: English, German, French, Spanish, Italian, Polish and Turkish, with several label
  variants per field, bilingual labels ("Zertifikat-Nr. / Certificate No.") on some, and the date
  formats of each language (2029-01-09, 09.01.2029, 09/01/2029 and 01/09/2029 in the US,
  9 January 2029, January 9, 2029, 9. Januar 2029, 9 de enero de 2029, 9 stycznia 2029 (CLDR's
  genitive month names, through Babel), 9 Ocak 2029, ...);
- fonts: three of the standard 14 (Helvetica, Times-Roman, Courier) and TrueType fonts from
  /usr/share/fonts (DejaVu Sans and Serif, Liberation Sans and Serif; Debian's fonts-dejavu-core
  and fonts-liberation), embedded; Polish and Turkish text always uses a TrueType font, as the
  standard 14 fonts' WinAnsi encoding cannot carry "ł" or "ş";
- logos drawn from shapes, with the mark texts real certificates carry: the accreditation body's
  acronym with "MANAGEMENT SYSTEMS" and its number, "IAF MLA" on certificates issued up to
  2025-12-31 and "Global ACI" after (the reference data's recognition arrangements);
- QR codes (segno): a certverify deep link (`/verify/{cb}/{number}`) on some, the certification
  body's own web page on others, none on the rest.

The values are the demo registry's (app/demo/data.py): its certification bodies with their
accreditation bodies and numbers, its certificate-number styles, organisation names, streets and
postcodes; accreditation body names come from the shipped reference data
(app/reference/reference_data.json); standards and editions are real ones. Scans are the pages
rendered with pypdfium2, rotated by 1-3 degrees, blurred and given Gaussian noise with Pillow and
numpy, saved as PNG, JPEG or an image-only PDF.

Run it to write a corpus to a folder: `python scripts/certificate_corpus.py OUT --text 28 --scans 8`
(each document and a truth.json).
"""

from __future__ import annotations

import argparse
import io
import json
import random
import re
import textwrap
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Literal
from urllib.parse import quote

from anyascii import anyascii
from babel import Locale
from babel.dates import get_month_names

from app.demo.data import _CERTIFICATION_BODIES, _COUNTRIES, _LOCAL_NAMES, _STREETS, _CbPlan
from app.domain.documents import CLAIM_FIELDS, ExtractedClaim
from app.domain.normalize import normalize_certificate_number
from app.domain.standards import read_standard

LANGUAGES = ("en", "de", "fr", "es", "it", "pl", "tr")
LAYOUTS = ("classic", "table", "landscape")
STANDARD_FONTS = ("Helvetica", "Times-Roman", "Courier")
TRUETYPE_FONTS: dict[str, tuple[str, str]] = {
    "DejaVuSans": ("dejavu/DejaVuSans.ttf", "dejavu/DejaVuSans-Bold.ttf"),
    "DejaVuSerif": ("dejavu/DejaVuSerif.ttf", "dejavu/DejaVuSerif-Bold.ttf"),
    "LiberationSans": (
        "liberation/LiberationSans-Regular.ttf",
        "liberation/LiberationSans-Bold.ttf",
    ),
    "LiberationSerif": (
        "liberation/LiberationSerif-Regular.ttf",
        "liberation/LiberationSerif-Bold.ttf",
    ),
}
FONT_DIR = Path("/usr/share/fonts/truetype")
DEEP_LINK_BASE = "http://127.0.0.1:8000"
"""The base of certverify deep links printed as QR codes (CERTVERIFY_PUBLIC_BASE_URL's default)."""

ScanKind = Literal["png", "jpeg", "pdf"]
Truth = dict[str, str | tuple[str, ...]]

# --- what each language prints ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Wording:
    """The words of one language: label variants per field, the sentences around the claims."""

    title: tuple[str, ...]
    number: tuple[str, ...]
    organization: tuple[str, ...]
    address: tuple[str, ...]
    sites: tuple[str, ...]
    standard: tuple[str, ...]
    scope: tuple[str, ...]
    original: tuple[str, ...]
    issue: tuple[str, ...]
    expiry: tuple[str, ...]
    certification_body: tuple[str, ...]
    accreditation_body: tuple[str, ...]
    accreditation_number: tuple[str, ...]
    certify: tuple[str, ...]
    conforms: tuple[str, ...]
    scope_intro: tuple[str, ...]
    signature: tuple[str, ...]
    footer: tuple[str, ...]
    scopes: Mapping[str, tuple[str, ...]]
    names: Mapping[str, tuple[str, ...]] = field(default_factory=dict)


_WORDING: dict[str, _Wording] = {
    "en": _Wording(
        title=("CERTIFICATE", "CERTIFICATE OF REGISTRATION", "CERTIFICATE OF APPROVAL"),
        number=("Certificate No.", "Certificate Number", "Registration No.", "Cert. No."),
        organization=("Organisation", "Organization", "Certificate holder", "Company"),
        address=("Address", "Registered address", "Head office"),
        sites=("Additional sites", "Other sites", "Sites"),
        standard=("Standard", "Certified standard", "Management system standard"),
        scope=("Scope", "Scope of certification", "Scope of registration"),
        original=("Original issue date", "Date of original certification", "Initial certification"),
        issue=("Issue date", "Date of issue", "Issued on", "Current issue date"),
        expiry=("Expiry date", "Valid until", "Expiration date"),
        certification_body=("Certification body", "Issued by"),
        accreditation_body=("Accreditation body", "Accredited by"),
        accreditation_number=("Accreditation No.", "Accreditation number"),
        certify=(
            "This is to certify that the management system of",
            "This is to certify that",
            "We hereby certify that",
        ),
        conforms=(
            "has been assessed and found to conform to the requirements of",
            "has been audited and found to comply with the requirements of",
            "operates a management system which complies with the requirements of",
        ),
        scope_intro=("for the following scope:", "for the following activities:"),
        signature=("For and on behalf of {cb}", "On behalf of {cb}"),
        footer=(
            "This certificate remains the property of {cb} and is subject to surveillance audits.",
            "The validity of this certificate can be checked at {site}.",
        ),
        scopes={
            "machinery": (
                "Design and manufacture of special-purpose machinery",
                "Precision CNC machining of components for the automotive and aerospace "
                "industries, including assembly and final inspection",
            ),
            "plastics": (
                "Injection moulding of plastic components",
                "Extrusion of plastic pipes and profiles for the construction industry",
            ),
            "logistics": (
                "Warehousing, storage and road distribution of palletised goods",
                "International freight forwarding and customs clearance",
            ),
            "construction": (
                "General building construction and refurbishment",
                "Civil engineering works for roads and utilities, including design and project "
                "management",
            ),
            "software": (
                "Design, development and support of business software",
                "Provision of managed IT and cloud hosting services",
            ),
        },
        names={
            "machinery": ("{place} Precision Engineering", "{surname} Machinery"),
            "plastics": ("{place} Plastics", "{surname} Polymers"),
            "logistics": ("{place} Logistics", "{surname} Transport"),
            "construction": ("{surname} Construction", "{place} Builders"),
            "software": ("{place} Software", "{surname} IT Solutions"),
        },
    ),
    "de": _Wording(
        title=("ZERTIFIKAT",),
        number=("Zertifikat-Nr.", "Zertifikatsnummer", "Registrier-Nr.", "Zertifikat Nr."),
        organization=("Organisation", "Unternehmen", "Zertifikatsinhaber"),
        address=("Anschrift", "Adresse", "Hauptsitz"),
        sites=("Weitere Standorte", "Standorte"),
        standard=("Norm", "Regelwerk", "Normgrundlage"),
        scope=("Geltungsbereich", "Anwendungsbereich", "Zertifizierungsumfang"),
        original=("Erstzertifizierung", "Datum der Erstzertifizierung", "Erstausstellung"),
        issue=("Ausstellungsdatum", "Ausgestellt am", "Datum der Ausstellung"),
        expiry=("Gültig bis", "Gültigkeit bis", "Ablaufdatum"),
        certification_body=("Zertifizierungsstelle", "Ausgestellt von"),
        accreditation_body=("Akkreditierungsstelle", "Akkreditiert durch"),
        accreditation_number=("Akkreditierungsnummer", "Akkreditierungs-Nr."),
        certify=(
            "Hiermit wird bescheinigt, dass das Unternehmen",
            "Hiermit wird bescheinigt, dass",
            "Die Zertifizierungsstelle bescheinigt hiermit, dass",
        ),
        conforms=(
            "ein Managementsystem eingeführt hat und anwendet gemäß",
            "die Anforderungen der folgenden Norm erfüllt:",
        ),
        scope_intro=("für den Geltungsbereich:",),
        signature=("Für die Zertifizierungsstelle {cb}", "Im Auftrag der {cb}"),
        footer=(
            "Dieses Zertifikat bleibt Eigentum der {cb}.",
            "Die Gültigkeit dieses Zertifikats kann unter {site} geprüft werden.",
        ),
        scopes={
            "machinery": (
                "Entwicklung und Herstellung von Sondermaschinen",
                "Präzisionsbearbeitung von Bauteilen für die Automobil- und Luftfahrtindustrie "
                "einschließlich Montage und Endprüfung",
            ),
            "plastics": ("Herstellung von Kunststoffspritzgussteilen",),
            "logistics": ("Lagerung, Umschlag und Transport von Stückgut",),
            "construction": ("Planung und Ausführung von Hoch- und Tiefbauarbeiten",),
            "software": ("Entwicklung, Betrieb und Wartung von Unternehmenssoftware",),
        },
    ),
    "fr": _Wording(
        title=("CERTIFICAT",),
        number=("N° de certificat", "Certificat n°", "Numéro de certificat"),
        organization=("Organisme", "Titulaire", "Société"),
        address=("Adresse", "Siège social"),
        sites=("Sites", "Autres sites", "Sites couverts"),
        standard=("Norme", "Référentiel"),
        scope=("Domaine d'application", "Champ d'application", "Périmètre de certification"),
        original=("Date de certification initiale", "Date de première certification"),
        issue=("Date d'émission", "Date de délivrance", "Émis le"),
        expiry=("Valable jusqu'au", "Date d'expiration", "Date d'échéance"),
        certification_body=("Organisme de certification", "Délivré par"),
        accreditation_body=("Organisme d'accréditation", "Accrédité par"),
        accreditation_number=("N° d'accréditation", "Numéro d'accréditation"),
        certify=(
            "Nous certifions que le système de management de",
            "Le présent certificat atteste que",
            "Nous certifions que",
        ),
        conforms=(
            "a été évalué et jugé conforme aux exigences de la norme",
            "répond aux exigences de la norme",
        ),
        scope_intro=("pour le domaine d'application suivant :",),
        signature=("Pour {cb}", "Au nom de {cb}"),
        footer=(
            "Ce certificat reste la propriété de {cb}.",
            "La validité de ce certificat peut être vérifiée sur {site}.",
        ),
        scopes={
            "machinery": ("Conception et fabrication de machines spéciales",),
            "plastics": ("Injection de pièces techniques en matières plastiques",),
            "logistics": (
                "Entreposage, stockage et distribution routière de marchandises palettisées",
            ),
            "construction": ("Travaux de construction et de rénovation de bâtiments",),
            "software": ("Conception, développement et maintenance de logiciels de gestion",),
        },
    ),
    "es": _Wording(
        title=("CERTIFICADO",),
        number=("Certificado nº", "Nº de certificado", "Número de certificado", "Certificado n.º"),
        organization=("Organización", "Empresa", "Titular"),
        address=("Dirección", "Domicilio social"),
        sites=("Emplazamientos", "Centros", "Otros emplazamientos"),
        standard=("Norma", "Norma de referencia"),
        scope=("Alcance", "Alcance de la certificación"),
        original=("Fecha de certificación inicial", "Fecha de la primera certificación"),
        issue=("Fecha de emisión", "Fecha de expedición"),
        expiry=("Válido hasta", "Fecha de caducidad", "Fecha de vencimiento"),
        certification_body=("Entidad de certificación", "Organismo de certificación"),
        accreditation_body=("Entidad de acreditación", "Acreditado por"),
        accreditation_number=("Nº de acreditación", "Número de acreditación"),
        certify=(
            "Se certifica que el sistema de gestión de",
            "Certificamos que",
            "Se certifica que",
        ),
        conforms=(
            "ha sido auditado y encontrado conforme con los requisitos de la norma",
            "cumple los requisitos de la norma",
        ),
        scope_intro=("para el siguiente alcance:",),
        signature=("En nombre de {cb}", "Por {cb}"),
        footer=(
            "Este certificado es propiedad de {cb}.",
            "La validez de este certificado puede comprobarse en {site}.",
        ),
        scopes={
            "machinery": ("Diseño y fabricación de maquinaria especial",),
            "plastics": ("Fabricación de piezas de plástico por inyección",),
            "logistics": ("Almacenaje y distribución por carretera de mercancía paletizada",),
            "construction": ("Construcción y rehabilitación de edificios",),
            "software": ("Diseño, desarrollo y mantenimiento de software de gestión",),
        },
    ),
    "it": _Wording(
        title=("CERTIFICATO",),
        number=("Certificato n.", "Numero certificato", "Certificato N°"),
        organization=("Organizzazione", "Azienda", "Ragione sociale"),
        address=("Indirizzo", "Sede legale"),
        sites=("Sedi operative", "Unità operative", "Altre sedi"),
        standard=("Norma", "Norma di riferimento"),
        scope=("Campo di applicazione", "Scopo di certificazione"),
        original=("Data di prima emissione", "Data prima certificazione"),
        issue=("Data di emissione", "Data emissione corrente", "Emesso il"),
        expiry=("Valido fino al", "Data di scadenza", "Scadenza"),
        certification_body=("Organismo di certificazione", "Rilasciato da"),
        accreditation_body=("Ente di accreditamento", "Accreditato da"),
        accreditation_number=("Accreditamento n.", "Numero di accreditamento"),
        certify=(
            "Si certifica che il sistema di gestione di",
            "Si attesta che",
            "Si certifica che",
        ),
        conforms=("è conforme ai requisiti della norma", "è stato valutato conforme alla norma"),
        scope_intro=("per il seguente campo di applicazione:",),
        signature=("Per {cb}", "A nome di {cb}"),
        footer=(
            "Il presente certificato resta di proprietà di {cb}.",
            "La validità del certificato può essere verificata su {site}.",
        ),
        scopes={
            "machinery": ("Progettazione e costruzione di macchine speciali",),
            "plastics": ("Stampaggio a iniezione di componenti in materie plastiche",),
            "logistics": ("Magazzinaggio e distribuzione su strada di merci pallettizzate",),
            "construction": ("Costruzione e ristrutturazione di edifici civili e industriali",),
            "software": ("Progettazione, sviluppo e assistenza di software gestionale",),
        },
    ),
    "pl": _Wording(
        title=("CERTYFIKAT",),
        number=("Numer certyfikatu", "Certyfikat nr", "Nr certyfikatu"),
        organization=("Organizacja", "Nazwa organizacji", "Firma"),
        address=("Adres", "Siedziba"),
        sites=("Lokalizacje", "Pozostałe lokalizacje"),
        standard=("Norma", "Norma odniesienia"),
        scope=("Zakres certyfikacji", "Zakres"),
        original=("Data pierwszej certyfikacji", "Data certyfikacji początkowej"),
        issue=("Data wydania", "Data wystawienia"),
        expiry=("Ważny do", "Data ważności", "Certyfikat ważny do"),
        certification_body=("Jednostka certyfikująca", "Wydany przez"),
        accreditation_body=("Jednostka akredytująca", "Akredytowany przez"),
        accreditation_number=("Numer akredytacji", "Nr akredytacji"),
        certify=(
            "Niniejszym potwierdza się, że system zarządzania organizacji",
            "Zaświadcza się, że",
            "Niniejszym zaświadcza się, że",
        ),
        conforms=("spełnia wymagania normy", "jest zgodny z wymaganiami normy"),
        scope_intro=("w zakresie:",),
        signature=("W imieniu {cb}",),
        footer=(
            "Certyfikat pozostaje własnością {cb}.",
            "Ważność certyfikatu można sprawdzić na stronie {site}.",
        ),
        scopes={
            "machinery": ("Projektowanie i produkcja maszyn specjalnych",),
            "plastics": ("Produkcja wyrobów z tworzyw sztucznych metodą wtrysku",),
            "logistics": ("Magazynowanie i dystrybucja drogowa towarów paletowych",),
            "construction": ("Budowa i remonty budynków mieszkalnych i przemysłowych",),
            "software": ("Projektowanie, rozwój i utrzymanie oprogramowania biznesowego",),
        },
    ),
    "tr": _Wording(
        title=("SERTİFİKA", "BELGE"),
        number=("Sertifika No", "Belge No", "Sertifika Numarası"),
        organization=("Kuruluş", "Firma", "Kuruluş adı"),
        address=("Adres", "Merkez adres"),
        sites=("Tesisler", "Diğer tesisler"),
        standard=("Standart", "Referans standart"),
        scope=("Kapsam", "Belgelendirme kapsamı"),
        original=("İlk belgelendirme tarihi", "İlk yayın tarihi"),
        issue=("Yayın tarihi", "Düzenleme tarihi", "Belge tarihi"),
        expiry=("Geçerlilik tarihi", "Son geçerlilik tarihi"),
        certification_body=("Belgelendirme kuruluşu", "Sertifikayı veren kuruluş"),
        accreditation_body=("Akreditasyon kuruluşu", "Akredite eden kuruluş"),
        accreditation_number=("Akreditasyon No", "Akreditasyon numarası"),
        certify=("Bu sertifika, aşağıda adı geçen kuruluşun", "Bu belge ile"),
        conforms=(
            "yönetim sisteminin aşağıdaki standardın gereklerine uygun olduğunu tasdik eder:",
            "aşağıdaki standardın gereklerini karşıladığını belgeler:",
        ),
        scope_intro=("aşağıdaki kapsamda:",),
        signature=("{cb} adına",),
        footer=(
            "Bu sertifika {cb} mülkiyetindedir.",
            "Sertifikanın geçerliliği {site} adresinden kontrol edilebilir.",
        ),
        scopes={
            "machinery": ("Özel amaçlı makinelerin tasarımı ve imalatı",),
            "plastics": ("Plastik parçaların enjeksiyon kalıplama ile üretimi",),
            "logistics": ("Paletli yüklerin depolanması ve karayolu ile dağıtımı",),
            "construction": ("Bina inşaatı ve tadilat işleri",),
            "software": ("Kurumsal yazılımların tasarımı, geliştirilmesi ve bakımı",),
        },
    ),
}

_BILINGUAL = {"de", "fr", "es", "it", "pl", "tr"}
"""Languages whose certificates sometimes print the English label beside their own."""

_COUNTRIES_BY_LANGUAGE: dict[str, tuple[str, ...]] = {
    "en": ("GB", "GB", "IE", "US", "US", "SG", "MY", "ZA", "EG"),
    "de": ("DE", "DE", "AT", "CH"),
    "fr": ("FR",),
    "es": ("ES", "ES", "MX"),
    "it": ("IT",),
    "pl": ("PL",),
    "tr": ("TR",),
}
_SECTOR_OF_KIND = {"machinery": 18, "plastics": 14, "logistics": 31, "construction": 28}
_KINDS = ("machinery", "plastics", "logistics", "construction", "software")
_STANDARDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ISO 9001:2015", ("machinery", "plastics", "logistics", "construction", "software")),
    ("ISO 14001:2015", ("machinery", "plastics", "logistics", "construction")),
    ("ISO 45001:2018", ("construction", "logistics", "machinery")),
    ("ISO/IEC 27001:2022", ("software",)),
    ("ISO 50001:2018", ("plastics", "machinery")),
)
_NATIONAL_PREFIX = {
    "de": "DIN EN ",
    "fr": "NF EN ",
    "es": "UNE-EN ",
    "it": "UNI EN ",
    "pl": "PN-EN ",
    "tr": "TS EN ",
    "en": "BS EN ",
}
_MARK_CONTEXT = ("MANAGEMENT SYSTEMS", "MANAGEMENT SYSTEM CERTIFICATION", "ACCREDITED")


@cache
def _reference_ab_names() -> dict[str, str]:
    """Accreditation body acronym -> name, from the shipped reference data."""
    path = Path(__file__).resolve().parent.parent / "app" / "reference" / "reference_data.json"
    data = json.loads(path.read_text(encoding="utf-8"))
    return {body["acronym"]: body["name"] for body in data["accreditation_bodies"]}


# --- the certificate ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Certificate:
    """One generated certificate: how it looks and what it says (`truth`)."""

    seed: int
    language: str
    layout: str
    font: str
    title: str
    labels: Mapping[str, str]
    certificate_number: str
    certification_body: str
    certification_body_acronym: str
    website: str
    accreditation_body: str | None
    """The accreditation body as its label prints it (None: no such label)."""
    accreditation_body_acronym: str
    accreditation_number: str | None
    """The accreditation number as its label prints it (None: no such label)."""
    ab_mark: bool
    mla_mark: str | None
    standard_printed: str
    standard: str
    organization: str
    sites: tuple[str, ...]
    countries: tuple[str, ...]
    scope: str
    issue_date: date
    original_issue_date: date | None
    expiry_date: date
    dates_printed: Mapping[str, str]
    qr: str | None
    sentences: Mapping[str, str]
    column_order: bool
    """The table is drawn column by column (every label, then every value)."""
    signature: bool
    cb_label: bool

    @property
    def mark_number(self) -> str:
        """The number printed under the accreditation body's mark ("4127" of "UKAS 4127")."""
        plan = _cb_plan(self.certification_body_acronym)
        return plan.accreditation_number.split(" ", 1)[1]

    @property
    def marks(self) -> tuple[str, ...]:
        """The mark texts printed, in drawing order."""
        marks: list[str] = []
        if self.ab_mark:
            marks.append(self.accreditation_body_acronym)
        if self.mla_mark:
            marks.append(self.mla_mark)
        return tuple(marks)

    def truth(self) -> Truth:
        """Every claim printed on the certificate, as `extract_claims` should return it."""
        truth: Truth = {
            "certificate_number": self.certificate_number,
            "certification_body": self.certification_body,
            "standard": self.standard,
            "organization": self.organization,
            "scope": self.scope,
            "sites": self.sites,
            "countries": self.countries,
            "issue_date": self.issue_date.isoformat(),
            "expiry_date": self.expiry_date.isoformat(),
        }
        if self.original_issue_date is not None:
            truth["original_issue_date"] = self.original_issue_date.isoformat()
        if self.accreditation_body is not None:
            truth["accreditation_body"] = self.accreditation_body
        elif self.ab_mark:
            truth["accreditation_body"] = self.accreditation_body_acronym
        if self.accreditation_number is not None:
            truth["accreditation_number"] = self.accreditation_number
        elif self.ab_mark:
            truth["accreditation_number"] = f"{self.accreditation_body_acronym} {self.mark_number}"
        if self.marks:
            truth["accreditation_mark"] = self.marks
        return truth


def _cb_plan(acronym: str) -> _CbPlan:
    """The demo registry's plan of a certification body."""
    return next(plan for plan in _CERTIFICATION_BODIES if plan.acronym == acronym)


def _certificate_number(
    rng: random.Random, cb: str, standard: str, issue: date, country: str
) -> str:
    """A number in the CB's own style, as the demo registry writes them (app/demo/builder.py)."""
    family = {"9001": "Q", "14001": "E", "45001": "OH", "27001": "IS", "50001": "EN"}
    letters = next(value for key, value in family.items() if key in standard)
    numbers = {"Q": "100", "E": "104", "OH": "116", "IS": "121", "EN": "113"}
    seq = rng.randint(
        *{"NBC": (510000, 720000), "MAI": (41000, 99000), "HCC": (1200, 9999)}.get(
            cb, (10001, 99999)
        )
    )
    yy = f"{issue.year % 100:02d}"
    return {
        "NBC": f"{letters} {seq}",
        "CERTA": f"CN-{issue.year}-{seq:05d}",
        "QAS": f"{country}-{letters}-{seq}/{yy}",
        "MAI": f"MAI-{seq:07d}",
        "LQC": f"LQC/{letters}/{issue.year}/{seq}",
        "SAJ": f"JP{yy}/{seq:06d}",
        "HCC": f"{seq:05d}{letters[0]}{yy}{(seq * 7919) % 100000:05d}R1M",
        "KCS": f"KCS {seq:05d}",
        "RWZ": f"12 {numbers[letters]} {seq} RWZ",
        "ADC": f"ADC-{seq}-{yy}",
        "TCS": f"TCS/{seq}/{yy}",
        "NVC": f"NVC {yy}{seq:05d}",
    }[cb]


_POSTCODE_LETTERS = "ABCDEFGHJKLMNPRSTUVWXY"
"""Letters of postcodes: the UK's, Ireland's (Eircode) and Canada's never use I, O, Q or Z in
most positions (they read as 1, 0)."""


def _postcode(rng: random.Random, pattern: str) -> str:
    """A postcode from the demo's pattern ("#" a digit, "A" a capital letter)."""
    return "".join(
        str(rng.randint(0, 9)) if c == "#" else rng.choice(_POSTCODE_LETTERS) if c == "A" else c
        for c in pattern
    )


def _address(rng: random.Random, country: str, language: str) -> str:
    """A street address in the country, its country name in the certificate's language."""
    plan = _COUNTRIES[country]
    city = rng.choice(plan.cities or plan.places)
    street = rng.choice(_STREETS[plan.lang])
    number = rng.randint(1, 240)
    name = Locale.parse(language).territories[country]
    postcode = _postcode(rng, plan.postcode)
    if plan.lang == "en":
        return f"{number} {street}, {city} {postcode}, {name}"
    return f"{street} {number}, {postcode} {city}, {name}"


def _organization(rng: random.Random, country: str, kind: str) -> str:
    """An organisation name in the demo's style for the country and the kind of business."""
    plan = _COUNTRIES[country]
    local = _LOCAL_NAMES.get(plan.lang, {}).get(_SECTOR_OF_KIND.get(kind, 33))
    templates = local.split("|") if local else list(_WORDING["en"].names[kind])
    template = rng.choice(templates)
    name = template.format(place=rng.choice(plan.places), surname=rng.choice(plan.surnames))
    return f"{name} {rng.choice(plan.legal_forms)}"


def _month_names(language: str, width: Literal["wide", "abbreviated"]) -> Mapping[int, str]:
    """CLDR month names in the format context (Polish genitive "stycznia"), through Babel."""
    return get_month_names(width, "format", language)


def format_date(day: date, language: str, style: str, *, us: bool = False) -> str:
    """A date as certificates of `language` print it in `style` (numeric, iso, long, short)."""
    if style == "iso":
        return day.isoformat()
    if style == "numeric":
        if language == "en":
            return day.strftime("%m/%d/%Y" if us else "%d/%m/%Y")
        separator = {"de": ".", "pl": ".", "tr": ".", "fr": "/", "es": "/", "it": "/"}[language]
        return f"{day.day:02d}{separator}{day.month:02d}{separator}{day.year}"
    if style == "dotted":
        return f"{day.day:02d}.{day.month:02d}.{day.year}"
    wide = _month_names(language, "wide")[day.month]
    if style == "short" and language == "en":
        short = _month_names("en", "abbreviated")[day.month]
        return f"{short} {day.day}, {day.year}" if us else f"{day.day:02d} {short} {day.year}"
    if language == "en":
        return f"{wide} {day.day}, {day.year}" if us else f"{day.day} {wide} {day.year}"
    if language == "de":
        return f"{day.day}. {wide} {day.year}"
    if language == "es":
        return f"{day.day} de {wide} de {day.year}"
    if language == "fr" and day.day == 1:
        return f"1er {wide} {day.year}"
    if language == "pl":
        return f"{day.day} {wide} {day.year} r."
    return f"{day.day} {wide} {day.year}"


_DATE_STYLES = {
    "en": ("long", "numeric", "iso", "short"),
    "de": ("numeric", "long", "iso"),
    "fr": ("numeric", "long", "dotted"),
    "es": ("numeric", "long"),
    "it": ("numeric", "long", "dotted"),
    "pl": ("numeric", "long", "iso"),
    "tr": ("numeric", "long"),
}


def certificate(
    seed: int, *, language: str | None = None, layout: str | None = None, font: str | None = None
) -> Certificate:
    """The certificate of `seed` (the language, layout and font drawn from it unless given)."""
    rng = random.Random(seed)
    language = language or LANGUAGES[seed % len(LANGUAGES)]
    layout = layout or LAYOUTS[(seed // len(LANGUAGES)) % len(LAYOUTS)]
    wording = _WORDING[language]
    country = rng.choice(_COUNTRIES_BY_LANGUAGE[language])
    kind = rng.choice(_KINDS)
    standard_choices = [code for code, kinds in _STANDARDS if kind in kinds]
    cbs = [
        plan
        for plan in _CERTIFICATION_BODIES
        if any(market == country for market, _ in plan.markets)
        and plan.acronym not in ("TCS",)  # its accreditation was withdrawn (demo)
    ] or [_cb_plan("NBC")]
    cb = rng.choice(cbs)
    accredited = {a.standard for a in cb.accreditations}
    standard = rng.choice(
        [code for code in standard_choices if code.split(":")[0] in accredited] or ["ISO 9001:2015"]
    )
    printed = standard
    if language in _NATIONAL_PREFIX and rng.random() < 0.3 and "IEC" not in standard:
        printed = _NATIONAL_PREFIX[language] + standard
        if language == "de" and rng.random() < 0.5:
            printed += "-11"
    read = read_standard(printed)
    assert read is not None
    canonical = f"{read.code}:{read.edition or read.national_year}"
    issue = date(2023, 1, 9) + timedelta(days=rng.randint(0, 3 * 365))
    expiry = issue.replace(year=issue.year + 3) - timedelta(days=1)
    original = (
        date(rng.randint(2005, issue.year - 1), rng.randint(1, 12), rng.randint(1, 28))
        if rng.random() < 0.65
        else None
    )
    us = country == "US"
    style = rng.choice(_DATE_STYLES[language])
    dates_printed = {
        "issue": format_date(issue, language, style, us=us),
        "expiry": format_date(expiry, language, style, us=us),
    }
    if original is not None:
        dates_printed["original"] = format_date(original, language, style, us=us)
    sites = [_address(rng, country, language)]
    abroad = [market for market, _ in cb.markets if market != country and market in _COUNTRIES]
    for _ in range(rng.choices((0, 1, 2), weights=(55, 30, 15))[0]):
        other = rng.choice(abroad) if abroad and rng.random() < 0.25 else country
        sites.append(_address(rng, other, language))
    countries = tuple(dict.fromkeys(_site_country(site, language) for site in sites))
    scope = rng.choice(wording.scopes[kind])
    if rng.random() < 0.25 and len(wording.scopes[kind]) > 1:
        scope = "; ".join(wording.scopes[kind])
    ab_acronym = cb.accreditation_body
    ab_printed: str | None = None
    if rng.random() < 0.7:
        ab_printed = rng.choice((ab_acronym, _reference_ab_names()[ab_acronym]))
    accreditation_number = cb.accreditation_number if rng.random() < 0.5 else None
    ab_mark = rng.random() < 0.75
    mla_mark: str | None = None
    if ab_mark and rng.random() < 0.7:
        mla_mark = "IAF MLA" if issue < date(2026, 1, 1) else "Global ACI"
    if font is None:
        font = rng.choice(STANDARD_FONTS + tuple(TRUETYPE_FONTS))
    qr: str | None = None
    draw = rng.random()
    number = _certificate_number(rng, cb.acronym, standard, issue, country)
    if draw < 0.35:
        qr = f"{DEEP_LINK_BASE}/verify/{cb.acronym}/{quote(number, safe='')}"
    elif draw < 0.65:
        qr = f"{cb.website}/certificates/{quote(number.replace(' ', ''), safe='')}"
    labels = {
        name: rng.choice(getattr(wording, name))
        for name in (
            "number",
            "organization",
            "address",
            "sites",
            "standard",
            "scope",
            "original",
            "issue",
            "expiry",
            "certification_body",
            "accreditation_body",
            "accreditation_number",
        )
    }
    if language in _BILINGUAL and rng.random() < 0.25:
        english = _WORDING["en"]
        for name in ("number", "issue", "expiry"):
            labels[name] = f"{labels[name]} / {rng.choice(getattr(english, name))}"
    sentences = {
        "certify": rng.choice(wording.certify),
        "conforms": rng.choice(wording.conforms),
        "scope_intro": rng.choice(wording.scope_intro),
        "signature": rng.choice(wording.signature).format(cb=cb.name),
        "footer": rng.choice(wording.footer).format(cb=cb.name, site=cb.website),
    }
    cert = Certificate(
        seed=seed,
        language=language,
        layout=layout,
        font=font,
        title=rng.choice(wording.title),
        labels=labels,
        certificate_number=number,
        certification_body=cb.name,
        certification_body_acronym=cb.acronym,
        website=cb.website,
        accreditation_body=ab_printed,
        accreditation_body_acronym=ab_acronym,
        accreditation_number=accreditation_number,
        ab_mark=ab_mark,
        mla_mark=mla_mark,
        standard_printed=printed,
        standard=canonical,
        organization=_organization(rng, country, kind),
        sites=tuple(sites),
        countries=countries,
        scope=scope,
        issue_date=issue,
        original_issue_date=original,
        expiry_date=expiry,
        dates_printed=dates_printed,
        qr=qr,
        sentences=sentences,
        column_order=layout == "table" and rng.random() < 0.3,
        signature=rng.random() < 0.6,
        cb_label=layout == "table" or rng.random() < 0.3,
    )
    if _needs_truetype(cert) and cert.font in STANDARD_FONTS:
        cert = replace(cert, font=rng.choice(tuple(TRUETYPE_FONTS)))
    return cert


def _site_country(site: str, language: str) -> str:
    """The country code of a generated site (its last part is the country's local name)."""
    name = site.rsplit(", ", 1)[1]
    territories = Locale.parse(language).territories
    return next(code for code in _COUNTRIES if territories[code] == name)


def _needs_truetype(cert: Certificate) -> bool:
    """Whether the certificate's text has characters WinAnsi (the standard 14 fonts) lacks."""
    texts = [cert.organization, cert.scope, *cert.sites, *cert.labels.values()]
    texts += [*cert.sentences.values(), cert.title, *cert.dates_printed.values()]
    try:
        "".join(texts).encode("cp1252")
    except UnicodeEncodeError:
        return True
    return False


# --- drawing ------------------------------------------------------------------------------------


@cache
def _register_truetype(name: str) -> None:
    """Register a TrueType font and its bold face with reportlab (embedded, subset)."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    regular, bold = TRUETYPE_FONTS[name]
    pdfmetrics.registerFont(TTFont(name, str(FONT_DIR / regular)))
    pdfmetrics.registerFont(TTFont(f"{name}-Bold", str(FONT_DIR / bold)))


def _faces(font: str) -> tuple[str, str]:
    """The regular and bold face names of a font family."""
    if font in TRUETYPE_FONTS:
        _register_truetype(font)
        return font, f"{font}-Bold"
    return font, {"Helvetica": "Helvetica-Bold", "Times-Roman": "Times-Bold"}.get(
        font, "Courier-Bold"
    )


class _Page:
    """A reportlab canvas with the certificate's fonts and a wrapping text helper."""

    def __init__(self, canvas: object, font: str) -> None:
        from reportlab.pdfgen.canvas import Canvas

        assert isinstance(canvas, Canvas)
        self.canvas = canvas
        self.regular, self.bold = _faces(font)

    def width(self, text: str, size: float, *, bold: bool = False) -> float:
        """The width of `text` in points."""
        from reportlab.pdfbase.pdfmetrics import stringWidth

        return float(stringWidth(text, self.bold if bold else self.regular, size))

    def text(
        self,
        x: float,
        y: float,
        text: str,
        size: float = 10,
        *,
        bold: bool = False,
        align: Literal["left", "centre", "right"] = "left",
    ) -> None:
        """One line of text at (x, y)."""
        self.canvas.setFont(self.bold if bold else self.regular, size)
        if align == "centre":
            self.canvas.drawCentredString(x, y, text)
        elif align == "right":
            self.canvas.drawRightString(x, y, text)
        else:
            self.canvas.drawString(x, y, text)

    def wrap(self, text: str, size: float, width: float, *, bold: bool = False) -> list[str]:
        """`text` broken into lines no wider than `width` points."""
        lines: list[str] = []
        for line in textwrap.wrap(text, 200):
            words = line.split()
            current = ""
            for word in words:
                candidate = f"{current} {word}".strip()
                if current and self.width(candidate, size, bold=bold) > width:
                    lines.append(current)
                    current = word
                else:
                    current = candidate
            if current:
                lines.append(current)
        return lines


def _draw_qr(page: _Page, payload: str, x: float, y: float, size: float) -> None:
    """A QR code (segno, error level M) drawn from rectangles, `size` points wide."""
    import segno

    qr = segno.make(payload, error="m")
    matrix = [list(row) for row in qr.matrix]
    modules = len(matrix) + 8
    step = size / modules
    canvas = page.canvas
    canvas.setFillGray(0)
    for row_index, row in enumerate(matrix):
        for col_index, dark in enumerate(row):
            if dark:
                canvas.rect(
                    x + (col_index + 4) * step,
                    y + size - (row_index + 5) * step,
                    step,
                    step,
                    stroke=0,
                    fill=1,
                )


def _draw_cb_logo(page: _Page, cert: Certificate, x: float, y: float) -> None:
    """The certification body's logo: a ring and a bar with its acronym."""
    canvas = page.canvas
    canvas.setStrokeColorRGB(0.1, 0.25, 0.55)
    canvas.setFillColorRGB(0.1, 0.25, 0.55)
    canvas.setLineWidth(3)
    canvas.circle(x + 18, y + 18, 16, stroke=1, fill=0)
    canvas.rect(x + 8, y + 15, 20, 6, stroke=0, fill=1)
    canvas.setFillGray(0)
    page.text(x + 42, y + 12, cert.certification_body_acronym, 16, bold=True)


def _draw_marks(page: _Page, cert: Certificate, x: float, y: float) -> float:
    """The accreditation marks at (x, y) from the left; returns the x after them."""
    canvas = page.canvas
    if cert.ab_mark:
        canvas.setStrokeGray(0)
        canvas.setLineWidth(1.2)
        canvas.rect(x, y, 92, 62, stroke=1, fill=0)
        canvas.setFillGray(0)
        path = canvas.beginPath()  # a crown of three points above the acronym
        path.moveTo(x + 30, y + 44)
        for dx, dy in ((36, 56), (46, 48), (56, 56), (62, 44)):
            path.lineTo(x + dx, y + dy)
        path.close()
        canvas.drawPath(path, stroke=0, fill=1)
        page.text(x + 46, y + 28, cert.accreditation_body_acronym, 13, bold=True, align="centre")
        context = _MARK_CONTEXT[cert.seed % len(_MARK_CONTEXT)]
        page.text(x + 46, y + 16, context, 5.5, align="centre")
        page.text(x + 46, y + 6, cert.mark_number, 7, align="centre")
        x += 104
    if cert.mla_mark:  # a globe of meridians beside the arrangement's name
        canvas.setLineWidth(1.2)
        canvas.circle(x + 14, y + 31, 13, stroke=1, fill=0)
        canvas.ellipse(x + 8, y + 18, x + 20, y + 44, stroke=1, fill=0)
        canvas.line(x + 1, y + 31, x + 27, y + 31)
        first, second = cert.mla_mark.split(" ")
        if cert.seed % 2:
            page.text(x + 34, y + 33, first, 14, bold=True)
            page.text(x + 34, y + 19, second, 11, bold=True)
        else:
            page.text(x + 34, y + 27, cert.mla_mark, 11, bold=True)
        x += 100
    return x


def _draw_signature(page: _Page, cert: Certificate, x: float, y: float) -> None:
    """A signature stroke and the line naming the certification body."""
    canvas = page.canvas
    canvas.setLineWidth(0.8)
    path = canvas.beginPath()
    path.moveTo(x, y + 14)
    path.curveTo(x + 20, y + 30, x + 40, y, x + 70, y + 18)
    canvas.drawPath(path, stroke=1, fill=0)
    canvas.line(x, y + 8, x + 170, y + 8)
    if cert.signature:
        page.text(x, y - 2, cert.sentences["signature"], 8)


def _dates(cert: Certificate) -> list[tuple[str, str]]:
    """(label, printed date) of the dates, in the order certificates print them."""
    rows = []
    if cert.original_issue_date is not None:
        rows.append((cert.labels["original"], cert.dates_printed["original"]))
    rows.append((cert.labels["issue"], cert.dates_printed["issue"]))
    rows.append((cert.labels["expiry"], cert.dates_printed["expiry"]))
    return rows


def _accreditation_rows(cert: Certificate) -> list[tuple[str, str]]:
    """(label, value) of the accreditation claims printed as text."""
    rows = []
    if cert.accreditation_body is not None:
        rows.append((cert.labels["accreditation_body"], cert.accreditation_body))
    if cert.accreditation_number is not None:
        rows.append((cert.labels["accreditation_number"], cert.accreditation_number))
    return rows


def _classic(page: _Page, cert: Certificate, width: float, height: float) -> None:
    """Portrait, centred prose: the commonest certificate."""
    centre = width / 2
    _draw_cb_logo(page, cert, 60, height - 90)
    page.text(width - 60, height - 70, cert.certification_body, 11, bold=True, align="right")
    y = height - 160
    page.text(centre, y, cert.title, 26, bold=True, align="centre")
    y -= 34
    page.text(centre, y, f"{cert.labels['number']}: {cert.certificate_number}", 11, align="centre")
    y -= 40
    page.text(centre, y, cert.sentences["certify"], 11, align="centre")
    y -= 28
    page.text(centre, y, cert.organization, 16, bold=True, align="centre")
    y -= 18
    page.text(centre, y, cert.sites[0], 10, align="centre")
    y -= 32
    for line in page.wrap(cert.sentences["conforms"], 11, width - 140):
        page.text(centre, y, line, 11, align="centre")
        y -= 15
    y -= 10
    page.text(centre, y, cert.standard_printed, 18, bold=True, align="centre")
    y -= 34
    page.text(centre, y, f"{cert.labels['scope']}:", 11, bold=True, align="centre")
    y -= 16
    for line in page.wrap(cert.scope, 11, width - 160):
        page.text(centre, y, line, 11, align="centre")
        y -= 15
    if len(cert.sites) > 1:
        y -= 12
        page.text(centre, y, f"{cert.labels['sites']}:", 10, bold=True, align="centre")
        y -= 14
        for site in cert.sites[1:]:
            page.text(centre, y, site, 10, align="centre")
            y -= 13
    y -= 24
    rows = _dates(cert)
    if cert.seed % 3 == 0:
        for label, value in rows:
            page.text(centre, y, f"{label}: {value}", 10, align="centre")
            y -= 14
    else:  # the issue and expiry dates side by side, as one line of text
        joined = "     ".join(f"{label}: {value}" for label, value in rows[-2:])
        if len(rows) == 3:
            page.text(centre, y, f"{rows[0][0]}: {rows[0][1]}", 10, align="centre")
            y -= 14
        page.text(centre, y, joined, 10, align="centre")
        y -= 14
    if cert.cb_label:
        page.text(
            centre,
            y,
            f"{cert.labels['certification_body']}: {cert.certification_body}",
            10,
            align="centre",
        )
        y -= 14
    for label, value in _accreditation_rows(cert):
        page.text(centre, y, f"{label}: {value}", 10, align="centre")
        y -= 14
    _draw_signature(page, cert, 60, 130)
    _draw_marks(page, cert, width - 250, 112)
    if cert.qr:
        _draw_qr(page, cert.qr, 60, 40, 70)
    page.text(centre, 30, cert.sentences["footer"], 7, align="centre")


def _table(page: _Page, cert: Certificate, width: float, height: float) -> None:
    """Portrait, a header band and a two-column label | value table."""
    canvas = page.canvas
    canvas.setFillColorRGB(0.85, 0.9, 0.96)
    canvas.rect(0, height - 110, width, 110, stroke=0, fill=1)
    canvas.setFillGray(0)
    _draw_cb_logo(page, cert, 50, height - 80)
    page.text(width - 50, height - 66, cert.certification_body, 12, bold=True, align="right")
    page.text(width / 2, height - 160, cert.title, 24, bold=True, align="centre")
    rows: list[tuple[str, list[str]]] = [
        (cert.labels["number"], [cert.certificate_number]),
        (cert.labels["organization"], [cert.organization]),
        (cert.labels["address"], page.wrap(cert.sites[0], 10, width - 270)),
    ]
    if len(cert.sites) > 1:
        rows.append((cert.labels["sites"], list(cert.sites[1:])))
    rows.append((cert.labels["standard"], [cert.standard_printed]))
    rows.append((cert.labels["scope"], page.wrap(cert.scope, 10, width - 270)))
    rows += [(label, [value]) for label, value in _dates(cert)]
    rows.append((cert.labels["certification_body"], [cert.certification_body]))
    rows += [(label, [value]) for label, value in _accreditation_rows(cert)]
    label_x, value_x = 60, 215
    y = height - 210
    positions = []
    canvas.setStrokeGray(0.6)
    canvas.setLineWidth(0.5)
    for label, values in rows:
        positions.append((y, label, values))
        canvas.line(label_x, y + 13, width - 60, y + 13)
        y -= 14 * len(values) + 10
    if cert.column_order:
        for row_y, label, _ in positions:
            page.text(label_x, row_y, label, 10, bold=True)
        for row_y, _, values in positions:
            for index, value in enumerate(values):
                page.text(value_x, row_y - 14 * index, value, 10)
    else:
        for row_y, label, values in positions:
            page.text(label_x, row_y, label, 10, bold=True)
            for index, value in enumerate(values):
                page.text(value_x, row_y - 14 * index, value, 10)
    page.text(width / 2, y - 10, cert.sentences["footer"], 7, align="centre")
    _draw_signature(page, cert, 60, 120)
    _draw_marks(page, cert, width - 250, 100)
    if cert.qr:
        _draw_qr(page, cert.qr, width / 2 - 35, 40, 70)


def _landscape(page: _Page, cert: Certificate, width: float, height: float) -> None:
    """Landscape, a logo band on the left, labels above their values."""
    canvas = page.canvas
    canvas.setFillColorRGB(0.93, 0.93, 0.88)
    canvas.rect(0, 0, 190, height, stroke=0, fill=1)
    canvas.setFillGray(0)
    _draw_cb_logo(page, cert, 30, height - 80)
    if cert.ab_mark or cert.mla_mark:
        canvas.saveState()
        _draw_marks(page, replace(cert, mla_mark=None), 40, 250) if cert.ab_mark else None
        if cert.mla_mark:
            _draw_marks(page, replace(cert, ab_mark=False), 55, 170)
        canvas.restoreState()
    if cert.qr:
        _draw_qr(page, cert.qr, 45, 40, 90)
    x = 230
    y = height - 70
    page.text(x, y, cert.certification_body, 12, bold=True)
    y -= 50
    page.text(x, y, cert.title, 28, bold=True)
    y -= 34
    page.text(x, y, cert.labels["number"], 9)
    y -= 14
    page.text(x, y, cert.certificate_number, 12, bold=True)
    y -= 30
    page.text(x, y, cert.sentences["certify"], 11)
    y -= 20
    page.text(x, y, cert.organization, 15, bold=True)
    y -= 16
    for site in cert.sites:
        page.text(x, y, site, 10)
        y -= 13
    y -= 12
    page.text(x, y, cert.sentences["conforms"], 11)
    y -= 22
    page.text(x, y, cert.standard_printed, 16, bold=True)
    y -= 28
    page.text(x, y, cert.sentences["scope_intro"], 10)
    y -= 15
    for line in page.wrap(cert.scope, 11, width - x - 60):
        page.text(x, y, line, 11)
        y -= 14
    y -= 16
    columns = _dates(cert)
    column_width = (width - x - 40) / max(len(columns), 1)
    for index, (label, _) in enumerate(columns):
        page.text(x + index * column_width, y, label, 8)
    for index, (_, value) in enumerate(columns):
        page.text(x + index * column_width, y - 13, value, 10, bold=True)
    y -= 40
    rows = _accreditation_rows(cert)
    if cert.cb_label:
        rows.append((cert.labels["certification_body"], cert.certification_body))
    for label, value in rows:
        page.text(x, y, f"{label}: {value}", 9)
        y -= 13
    _draw_signature(page, cert, width - 260, 80)
    page.text(x, 30, cert.sentences["footer"], 7)


_LAYOUT_DRAWERS: dict[str, Callable[[_Page, Certificate, float, float], None]] = {
    "classic": _classic,
    "table": _table,
    "landscape": _landscape,
}


def render_pdf(cert: Certificate) -> bytes:
    """The certificate as a text PDF (reportlab, `invariant=1`: the same bytes every time)."""
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.pdfgen.canvas import Canvas

    size = landscape(A4) if cert.layout == "landscape" else A4
    buffer = io.BytesIO()
    canvas = Canvas(buffer, pagesize=size, invariant=1, pageCompression=1)
    canvas.setTitle(f"{cert.title} {cert.certificate_number}")
    canvas.setAuthor(cert.certification_body)
    page = _Page(canvas, cert.font)
    _LAYOUT_DRAWERS[cert.layout](page, cert, float(size[0]), float(size[1]))
    canvas.showPage()
    canvas.save()
    return buffer.getvalue()


# --- scans --------------------------------------------------------------------------------------


def scan(pdf: bytes, *, seed: int, kind: ScanKind, dpi: int = 300) -> bytes:
    """A scan of the PDF's first page: rendered (pypdfium2), rotated 1-3 degrees either way,
    blurred and noised (Pillow, numpy), saved as PNG, JPEG or an image-only PDF (reportlab)."""
    import numpy as np
    import pypdfium2 as pdfium  # type: ignore[import-untyped]  # no type hints shipped
    from PIL import Image, ImageFilter

    rng = random.Random(seed)
    document = pdfium.PdfDocument(pdf)
    try:
        bitmap = document[0].render(scale=dpi / 72, grayscale=True)
        image = bitmap.to_pil().convert("L")
    finally:
        document.close()
    angle = rng.choice((-1, 1)) * rng.uniform(1.0, 3.0)
    image = image.rotate(angle, resample=Image.Resampling.BICUBIC, expand=True, fillcolor=255)
    image = image.filter(ImageFilter.GaussianBlur(radius=rng.uniform(0.4, 0.9)))
    pixels = np.asarray(image, dtype=np.float32)
    noise = np.random.default_rng(seed).normal(0.0, rng.uniform(6.0, 14.0), pixels.shape)
    image = Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8), mode="L")
    out = io.BytesIO()
    if kind == "png":
        image.save(out, format="PNG", dpi=(dpi, dpi))
        return out.getvalue()
    image.save(out, format="JPEG", quality=rng.randint(70, 88), dpi=(dpi, dpi))
    if kind == "jpeg":
        return out.getvalue()
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen.canvas import Canvas

    width, height = image.size[0] * 72 / dpi, image.size[1] * 72 / dpi
    pdf_out = io.BytesIO()
    canvas = Canvas(pdf_out, pagesize=(width, height), invariant=1)
    canvas.drawImage(ImageReader(io.BytesIO(out.getvalue())), 0, 0, width, height)
    canvas.showPage()
    canvas.save()
    return pdf_out.getvalue()


# --- scoring ------------------------------------------------------------------------------------

MULTI_VALUED = frozenset({"sites", "countries", "accreditation_mark"})
_PUNCTUATION = re.compile(r"[^\w\s]")


def fold_for_comparison(text: str) -> str:
    """A value as the verification compares it: NFKC, accents transliterated (anyascii), case
    folded, punctuation dropped, spaces collapsed ("S.r.l." = "Srl", "Málaga" = "Malaga")."""
    folded = anyascii(unicodedata.normalize("NFKC", text)).casefold()
    return " ".join(_PUNCTUATION.sub("", folded).split())


def claim_right(field_name: str, truth: str | tuple[str, ...], claim: ExtractedClaim) -> bool:
    """Whether an extracted claim says what the document printed: multi-valued fields as
    sets, numbers by the registry's number key (normalize_certificate_number), everything
    else by `fold_for_comparison`."""
    if field_name in MULTI_VALUED:
        expected = truth if isinstance(truth, tuple) else (truth,)
        return {fold_for_comparison(value) for value in expected} == {
            fold_for_comparison(value) for value in claim.values
        }
    assert isinstance(truth, str)
    if field_name in ("certificate_number", "accreditation_number"):
        return normalize_certificate_number(truth) == normalize_certificate_number(claim.value)
    return fold_for_comparison(truth) == fold_for_comparison(claim.value)


@dataclass(frozen=True, slots=True)
class FieldScore:
    """Per field: claims printed, right, wrong (a value that differs), missed (not found) and
    invented (found where nothing was printed)."""

    printed: int = 0
    right: int = 0
    wrong: int = 0
    missed: int = 0
    invented: int = 0
    wrong_below_threshold: int = 0
    right_below_threshold: int = 0


def score(
    truth: Mapping[str, str | tuple[str, ...]],
    claims: Mapping[str, ExtractedClaim],
    threshold: float,
) -> dict[str, FieldScore]:
    """The per-field outcome of one document (every field of CLAIM_FIELDS)."""
    scores: dict[str, FieldScore] = {}
    for name in CLAIM_FIELDS:
        expected, claim = truth.get(name), claims.get(name)
        below = claim is not None and claim.confidence < threshold
        if expected is None:
            scores[name] = FieldScore(invented=int(claim is not None))
        elif claim is None:
            scores[name] = FieldScore(printed=1, missed=1)
        elif claim_right(name, expected, claim):
            scores[name] = FieldScore(printed=1, right=1, right_below_threshold=int(below))
        else:
            scores[name] = FieldScore(printed=1, wrong=1, wrong_below_threshold=int(below))
    return scores


def add_scores(total: dict[str, FieldScore], more: Mapping[str, FieldScore]) -> None:
    """Add one document's scores to a running total."""
    for name, value in more.items():
        known = total.get(name, FieldScore())
        total[name] = FieldScore(
            *(getattr(known, part) + getattr(value, part) for part in FieldScore.__slots__)
        )


def accuracy(total: Mapping[str, FieldScore]) -> float:
    """The share of printed claims extracted right, over every field."""
    printed = sum(value.printed for value in total.values())
    return sum(value.right for value in total.values()) / printed if printed else 0.0


# --- corpora ------------------------------------------------------------------------------------

MEDIA_TYPES: dict[str, str] = {"pdf": "application/pdf", "png": "image/png", "jpeg": "image/jpeg"}


@dataclass(frozen=True, slots=True)
class CorpusDocument:
    """One document of a corpus: its bytes, media type, file name, certificate and truth."""

    name: str
    data: bytes
    media_type: str
    scanned: bool
    certificate: Certificate

    @property
    def truth(self) -> Truth:
        """What the document claims."""
        return self.certificate.truth()


def text_corpus(count: int, *, first_seed: int = 1000) -> list[CorpusDocument]:
    """`count` text PDFs: every language, layout and font in turn."""
    fonts = STANDARD_FONTS + tuple(TRUETYPE_FONTS)
    documents = []
    for index in range(count):
        seed = first_seed + index
        cert = certificate(
            seed,
            language=LANGUAGES[index % len(LANGUAGES)],
            layout=LAYOUTS[(index // len(LANGUAGES)) % len(LAYOUTS)],
            font=fonts[index % len(fonts)],
        )
        documents.append(
            CorpusDocument(f"text-{seed}.pdf", render_pdf(cert), MEDIA_TYPES["pdf"], False, cert)
        )
    return documents


def scan_corpus(count: int, *, first_seed: int = 5000, dpi: int = 300) -> list[CorpusDocument]:
    """`count` scans (PNG, JPEG and image-only PDF in turn) of certificates in every language."""
    kinds: Sequence[ScanKind] = ("png", "jpeg", "pdf")
    documents = []
    for index in range(count):
        seed = first_seed + index
        cert = certificate(
            seed,
            language=LANGUAGES[index % len(LANGUAGES)],
            layout=LAYOUTS[(index // 2) % len(LAYOUTS)],
        )
        kind = kinds[index % len(kinds)]
        data = scan(render_pdf(cert), seed=seed, kind=kind, dpi=dpi)
        suffix = {"png": "png", "jpeg": "jpg", "pdf": "pdf"}[kind]
        documents.append(
            CorpusDocument(f"scan-{seed}.{suffix}", data, MEDIA_TYPES[kind], True, cert)
        )
    return documents


def main(argv: Sequence[str] | None = None) -> None:
    """Write a corpus (documents and truth.json) to a folder."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n", 1)[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--text", type=int, default=28)
    parser.add_argument("--scans", type=int, default=8)
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    truth = {}
    for document in text_corpus(args.text) + scan_corpus(args.scans):
        (args.out / document.name).write_bytes(document.data)
        truth[document.name] = document.truth
    (args.out / "truth.json").write_text(
        json.dumps(truth, ensure_ascii=False, indent=2) + "\n", encoding="utf-8"
    )
    print(f"wrote {len(truth)} documents and truth.json to {args.out}")


if __name__ == "__main__":
    main()
