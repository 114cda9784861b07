"""Finding the claims in a certificate's text (issue 17, item 2): every field in every language,
the date formats, the layouts (label and value on one line, value on the next line, tables read
row by row and column by column, rows of labels), OCR's noise, and the confidence."""

from __future__ import annotations

from datetime import date
from typing import Literal

import pytest

from app.domain.document_claims import (
    CONTEXT_CB_WORDS,
    CONTEXT_MARK_ONLY,
    CONTEXT_PROSE_STANDARD,
    CONTEXT_SENTENCE,
    GRAMMAR_AMBIGUOUS_DATE,
    GRAMMAR_DATE_BY_EVIDENCE,
    GRAMMAR_NATIONAL_YEAR,
    GRAMMAR_OCR_REPAIRED,
    GRAMMAR_TWO_DIGIT_YEAR,
    LABEL_COLUMNS,
    LABEL_FUZZY,
    LABELS,
    MIN_CONFIDENCE,
    SOURCE_OCR,
    extract_claims,
    repair_digits,
)
from app.domain.document_countries import address_country, country_of_name
from app.domain.document_dates import find_dates, month_names
from app.domain.documents import CLAIM_FIELDS, DocumentClaims, DocumentText, PageText


def document(*lines: str, source: str = "text", pages: int = 1) -> DocumentText:
    """A document whose every page has these lines (from its text layer, or OCR)."""
    assert source in ("text", "ocr")
    kind: Literal["text", "ocr"] = "ocr" if source == "ocr" else "text"
    return DocumentText(
        sha256="0" * 64,
        media_type="application/pdf",
        pages=tuple(PageText(number, lines, kind) for number in range(1, pages + 1)),
        ocr=kind == "ocr",
        ocr_available=True,
    )


def claims_of(*lines: str, source: str = "text") -> DocumentClaims:
    """The claims of a one-page document with these lines."""
    return extract_claims(document(*lines, source=source))


def values(claims: DocumentClaims) -> dict[str, str | tuple[str, ...]]:
    """Each claim's value (its values for the multi-valued fields)."""
    return {
        name: claim.values if name in ("sites", "countries", "accreditation_mark") else claim.value
        for name, claim in claims.items()
    }


# --- a certificate in each language -----------------------------------------------------------

ENGLISH = (
    "NBC",
    "Northbridge Certification Ltd",
    "CERTIFICATE OF REGISTRATION",
    "Certificate No.: Q 700001",
    "This is to certify that the management system of",
    "Pennine Precision Engineering Ltd",
    "12 Station Road, Sheffield S1 2AB, United Kingdom",
    "has been assessed and found to conform to the requirements of",
    "ISO 9001:2015",
    "Scope of certification:",
    "Design and manufacture of special-purpose machinery, including assembly",
    "and final inspection",
    "Additional sites:",
    "4 Mill Lane, Leeds LS1 4DY, United Kingdom",
    "Original issue date: 3 March 2011",
    "Issue date: 10 January 2026",
    "Expiry date: 9 January 2029",
    "Accreditation body: United Kingdom Accreditation Service",
    "Accreditation No.: UKAS 4127",
    "For and on behalf of Northbridge Certification Ltd",
    "UKAS",
    "MANAGEMENT SYSTEMS",
    "4127",
    "IAF MLA",
)
GERMAN = (
    "Rheinwald Zertifizierung GmbH",
    "ZERTIFIKAT",
    "Zertifikat-Nr. / Certificate No.: 12 100 10234 RWZ",
    "Hiermit wird bescheinigt, dass das Unternehmen",
    "Müller Präzisionstechnik GmbH",
    "Industriestraße 12, 70173 Stuttgart, Deutschland",
    "ein Managementsystem eingeführt hat und anwendet gemäß",
    "DIN EN ISO 9001:2015-11",
    "Geltungsbereich: Entwicklung und Herstellung von Sondermaschinen",
    "Weitere Standorte:",
    "Hauptstraße 5, 4020 Linz, Österreich",
    "Erstzertifizierung: 21. Oktober 2016",
    "Ausstellungsdatum: 10.01.2026     Gültig bis: 09.01.2029",
    "Akkreditierungsstelle: UKAS",
    "Akkreditierungsnummer: UKAS 8840",
    "Im Auftrag der Rheinwald Zertifizierung GmbH",
)
FRENCH = (
    "Northbridge Certification Ltd",
    "CERTIFICAT",
    "N° de certificat : E 710933",
    "Nous certifions que le système de management de",
    "Société Générale d'Ingénierie SA",
    "rue de l'Industrie 58, 69003 Lyon, France",
    "répond aux exigences de la norme",
    "NF EN ISO 14001:2015",
    "Domaine d'application : Conception et fabrication de machines spéciales",
    "Date de certification initiale : 1er juin 2015",
    "Date d'émission : 10/01/2026",
    "Valable jusqu'au : 09/01/2029",
    "Organisme de certification : Northbridge Certification Ltd",
    "Organisme d'accréditation : United Kingdom Accreditation Service",
    "N° d'accréditation : UKAS 4127",
)
SPANISH = (
    "Qualis Auditores SA",
    "CERTIFICADO",
    "Certificado nº: ES-Q-10234/26",
    "Se certifica que el sistema de gestión de",
    "Construcciones García S.L.",
    "Calle Mayor 82, 46001 Valencia, España",
    "cumple los requisitos de la norma",
    "UNE-EN ISO 9001:2015",
    "Alcance: Construcción y rehabilitación de edificios",
    "Otros emplazamientos:",
    "Avenida de la Constitución 14, 64000 Monterrey, México",
    "Fecha de certificación inicial: 23 de enero de 2017",
    "Fecha de emisión: 10 de enero de 2026",
    "Válido hasta: 9 de enero de 2029",
    "Entidad de acreditación: ANSI National Accreditation Board",
    "Nº de acreditación: ANAB 2291",
    "En nombre de Qualis Auditores SA",
)
ITALIAN = (
    "Adriatica Certificazioni S.r.l.",
    "CERTIFICATO",
    "Certificato n.: ADC-10234-26",
    "Si certifica che il sistema di gestione di",
    "Pastificio Rossi S.p.A.",
    "Via Roma 18, 37121 Verona, Italia",
    "è conforme ai requisiti della norma",
    "UNI EN ISO 9001:2015",
    "Campo di applicazione: Produzione di pasta secca",
    "Data di prima emissione: 9 gennaio 2008",
    "Data di emissione: 10 gennaio 2026",
    "Valido fino al: 9 gennaio 2029",
    "Ente di accreditamento: UKAS",
    "Accreditamento n.: UKAS 9302",
)
POLISH = (
    "Rheinwald Zertifizierung GmbH",
    "CERTYFIKAT",
    "Numer certyfikatu: 12 116 80996 RWZ",
    "Niniejszym potwierdza się, że system zarządzania organizacji",
    "Łódź Logistyka Sp. z o.o.",
    "ul. Przemysłowa 68, 90-001 Łódź, Polska",
    "spełnia wymagania normy",
    "PN-EN ISO 45001:2018",
    "Zakres certyfikacji: Magazynowanie i dystrybucja drogowa towarów paletowych",
    "Data pierwszej certyfikacji: 4 sierpnia 2010",
    "Data wydania: 10 stycznia 2026 r.",
    "Ważny do: 9 stycznia 2029 r.",
    "Jednostka certyfikująca: Rheinwald Zertifizierung GmbH",
    "Jednostka akredytująca: United Kingdom Accreditation Service",
    "Numer akredytacji: UKAS 8840",
)
TURKISH = (
    "Nile Valley Certification S.A.E.",
    "SERTİFİKA",
    "Sertifika No: NVC 2610234",
    "Bu sertifika, aşağıda adı geçen kuruluşun",
    "Yılmaz Makina Sanayi A.Ş.",
    "Atatürk Caddesi 229, 35000 İzmir, Türkiye",
    "yönetim sisteminin aşağıdaki standardın gereklerine uygun olduğunu tasdik eder:",
    "TS EN ISO 9001:2015",
    "Kapsam: Özel amaçlı makinelerin tasarımı ve imalatı",
    "İlk belgelendirme tarihi: 28.07.2005",
    "Yayın tarihi: 10 Ocak 2026",
    "Geçerlilik tarihi: 9 Ocak 2029",
    "Akreditasyon kuruluşu: EGAC",
    "Akreditasyon No: EGAC CB-058",
    "Nile Valley Certification S.A.E. adına",
)

EXPECTED: dict[str, dict[str, str | tuple[str, ...]]] = {
    "en": {
        "certificate_number": "Q 700001",
        "certification_body": "Northbridge Certification Ltd",
        "accreditation_body": "United Kingdom Accreditation Service",
        "accreditation_number": "UKAS 4127",
        "accreditation_mark": ("UKAS", "IAF MLA"),
        "standard": "ISO 9001:2015",
        "organization": "Pennine Precision Engineering Ltd",
        "scope": "Design and manufacture of special-purpose machinery, including assembly and "
        "final inspection",
        "sites": (
            "12 Station Road, Sheffield S1 2AB, United Kingdom",
            "4 Mill Lane, Leeds LS1 4DY, United Kingdom",
        ),
        "countries": ("GB",),
        "issue_date": "2026-01-10",
        "original_issue_date": "2011-03-03",
        "expiry_date": "2029-01-09",
    },
    "de": {
        "certificate_number": "12 100 10234 RWZ",
        "certification_body": "Rheinwald Zertifizierung GmbH",
        "accreditation_body": "UKAS",
        "accreditation_number": "UKAS 8840",
        "standard": "ISO 9001:2015",
        "organization": "Müller Präzisionstechnik GmbH",
        "scope": "Entwicklung und Herstellung von Sondermaschinen",
        "sites": (
            "Industriestraße 12, 70173 Stuttgart, Deutschland",
            "Hauptstraße 5, 4020 Linz, Österreich",
        ),
        "countries": ("DE", "AT"),
        "issue_date": "2026-01-10",
        "original_issue_date": "2016-10-21",
        "expiry_date": "2029-01-09",
    },
    "fr": {
        "certificate_number": "E 710933",
        "certification_body": "Northbridge Certification Ltd",
        "accreditation_body": "United Kingdom Accreditation Service",
        "accreditation_number": "UKAS 4127",
        "standard": "ISO 14001:2015",
        "organization": "Société Générale d'Ingénierie SA",
        "scope": "Conception et fabrication de machines spéciales",
        "sites": ("rue de l'Industrie 58, 69003 Lyon, France",),
        "countries": ("FR",),
        "issue_date": "2026-01-10",
        "original_issue_date": "2015-06-01",
        "expiry_date": "2029-01-09",
    },
    "es": {
        "certificate_number": "ES-Q-10234/26",
        "certification_body": "Qualis Auditores SA",
        "accreditation_body": "ANSI National Accreditation Board",
        "accreditation_number": "ANAB 2291",
        "standard": "ISO 9001:2015",
        "organization": "Construcciones García S.L.",
        "scope": "Construcción y rehabilitación de edificios",
        "sites": (
            "Calle Mayor 82, 46001 Valencia, España",
            "Avenida de la Constitución 14, 64000 Monterrey, México",
        ),
        "countries": ("ES", "MX"),
        "issue_date": "2026-01-10",
        "original_issue_date": "2017-01-23",
        "expiry_date": "2029-01-09",
    },
    "it": {
        "certificate_number": "ADC-10234-26",
        "certification_body": "Adriatica Certificazioni S.r.l.",
        "accreditation_body": "UKAS",
        "accreditation_number": "UKAS 9302",
        "standard": "ISO 9001:2015",
        "organization": "Pastificio Rossi S.p.A.",
        "scope": "Produzione di pasta secca",
        "sites": ("Via Roma 18, 37121 Verona, Italia",),
        "countries": ("IT",),
        "issue_date": "2026-01-10",
        "original_issue_date": "2008-01-09",
        "expiry_date": "2029-01-09",
    },
    "pl": {
        "certificate_number": "12 116 80996 RWZ",
        "certification_body": "Rheinwald Zertifizierung GmbH",
        "accreditation_body": "United Kingdom Accreditation Service",
        "accreditation_number": "UKAS 8840",
        "standard": "ISO 45001:2018",
        "organization": "Łódź Logistyka Sp. z o.o.",
        "scope": "Magazynowanie i dystrybucja drogowa towarów paletowych",
        "sites": ("ul. Przemysłowa 68, 90-001 Łódź, Polska",),
        "countries": ("PL",),
        "issue_date": "2026-01-10",
        "original_issue_date": "2010-08-04",
        "expiry_date": "2029-01-09",
    },
    "tr": {
        "certificate_number": "NVC 2610234",
        "certification_body": "Nile Valley Certification S.A.E.",
        "accreditation_body": "EGAC",
        "accreditation_number": "EGAC CB-058",
        "standard": "ISO 9001:2015",
        "organization": "Yılmaz Makina Sanayi A.Ş.",
        "scope": "Özel amaçlı makinelerin tasarımı ve imalatı",
        "sites": ("Atatürk Caddesi 229, 35000 İzmir, Türkiye",),
        "countries": ("TR",),
        "issue_date": "2026-01-10",
        "original_issue_date": "2005-07-28",
        "expiry_date": "2029-01-09",
    },
}
DOCUMENTS = {
    "en": ENGLISH,
    "de": GERMAN,
    "fr": FRENCH,
    "es": SPANISH,
    "it": ITALIAN,
    "pl": POLISH,
    "tr": TURKISH,
}


@pytest.mark.parametrize("language", sorted(DOCUMENTS))
def test_every_field_is_found_in_every_language(language: str) -> None:
    claims = claims_of(*DOCUMENTS[language])
    assert values(claims) == EXPECTED[language]


@pytest.mark.parametrize("language", sorted(DOCUMENTS))
@pytest.mark.parametrize("field", CLAIM_FIELDS)
def test_each_field_is_right_alone(language: str, field: str) -> None:
    """One field at a time, so that a regression names the field and the language."""
    claims = values(claims_of(*DOCUMENTS[language]))
    assert claims.get(field) == EXPECTED[language].get(field)


def test_claims_come_in_the_order_of_claim_fields() -> None:
    claims = claims_of(*ENGLISH)
    assert tuple(claims) == CLAIM_FIELDS


def test_each_claim_says_where_it_was_read_and_from_what() -> None:
    claims = claims_of(*ENGLISH)
    number = claims["certificate_number"]
    assert (number.page, number.line, number.text) == (1, 3, "Certificate No.: Q 700001")
    expiry = claims["expiry_date"]
    assert (expiry.page, expiry.line, expiry.text) == (1, 16, "Expiry date: 9 January 2029")
    assert claims["organization"].line == 4  # the certifying sentence it follows
    assert claims["standard"].line == 8
    assert claims["accreditation_mark"].value == "UKAS, IAF MLA"
    assert claims["sites"].value == (
        "12 Station Road, Sheffield S1 2AB, United Kingdom; 4 Mill Lane, Leeds LS1 4DY, "
        "United Kingdom"
    )
    assert claims["countries"].value == "GB"


def test_a_claim_on_a_later_page_names_that_page() -> None:
    text = DocumentText(
        "0" * 64,
        "application/pdf",
        (
            PageText(1, ("CERTIFICATE", "Annex follows"), "text"),
            PageText(2, ("Annex", "Sites", "Certificate No.: Q 700001"), "text"),
        ),
        ocr=False,
        ocr_available=True,
    )
    claim = extract_claims(text)["certificate_number"]
    assert (claim.page, claim.line, claim.value) == (2, 2, "Q 700001")


def test_the_confidences_of_a_clean_text_pdf() -> None:
    claims = claims_of(*ENGLISH)
    confidence = {name: claim.confidence for name, claim in claims.items()}
    assert confidence == {
        "certificate_number": 1.0,
        "certification_body": CONTEXT_SENTENCE,  # "For and on behalf of"
        "accreditation_body": 1.0,
        "accreditation_number": 1.0,
        "accreditation_mark": CONTEXT_SENTENCE,
        "standard": CONTEXT_PROSE_STANDARD,
        "organization": CONTEXT_SENTENCE,  # after "This is to certify that"
        "scope": 1.0,
        "sites": CONTEXT_SENTENCE,  # the least sure of them: the address after the name
        "countries": CONTEXT_SENTENCE,
        "issue_date": 1.0,
        "original_issue_date": 1.0,
        "expiry_date": 1.0,
    }
    assert all(claim.confidence >= MIN_CONFIDENCE for claim in claims.values())


def test_a_standard_with_a_national_prefix_is_read_with_its_adoption_year() -> None:
    claim = claims_of(*GERMAN)["standard"]
    assert claim.value == "ISO 9001:2015"
    assert claim.text == "DIN EN ISO 9001:2015-11"
    assert claim.confidence == round(CONTEXT_PROSE_STANDARD * GRAMMAR_NATIONAL_YEAR, 2)


# --- labels -------------------------------------------------------------------------------------

NUMBER_LABELS = [
    ("Certificate No.: Q 700001", "Q 700001"),
    ("Certificate Number: Q 700001", "Q 700001"),
    ("Registration No. Q 700001", "Q 700001"),
    ("Zertifikat-Nr.: 12 100 10234 RWZ", "12 100 10234 RWZ"),
    ("Registrier-Nr.: 12 100 10234 RWZ", "12 100 10234 RWZ"),
    ("Zertifikatsnummer 12 100 10234 RWZ", "12 100 10234 RWZ"),
    ("N° de certificat : FR-Q-70059/25", "FR-Q-70059/25"),
    ("Nº de certificat: FR-Q-70059/25", "FR-Q-70059/25"),
    ("Certificat n° FR-Q-70059/25", "FR-Q-70059/25"),
    ("Certificado nº ES-Q-10234/26", "ES-Q-10234/26"),
    ("Certificado n.º: ES-Q-10234/26", "ES-Q-10234/26"),
    ("Número de certificado: ES-Q-10234/26", "ES-Q-10234/26"),
    ("Certificato n. ADC-10234-26", "ADC-10234-26"),
    ("Numero certificato: ADC-10234-26", "ADC-10234-26"),
    ("Numer certyfikatu: TCS/1001/24", "TCS/1001/24"),
    ("Certyfikat nr TCS/1001/24", "TCS/1001/24"),
    ("Sertifika No: NVC 2610234", "NVC 2610234"),
    ("Belge No: NVC 2610234", "NVC 2610234"),
    ("Certificate No.: LQC/Q/2024/10234", "LQC/Q/2024/10234"),
    ("Certificate No.: 01234Q2412345R1M", "01234Q2412345R1M"),
    ("Certificate No.: Q 700001 Page 1 of 2", "Q 700001"),
]


@pytest.mark.parametrize(("line", "expected"), NUMBER_LABELS)
def test_certificate_number_labels(line: str, expected: str) -> None:
    claim = claims_of(line)["certificate_number"]
    assert (claim.value, claim.confidence) == (expected, 1.0)


DATE_LABELS = [
    ("Valid until: 9 January 2029", "expiry_date"),
    ("Expiry date: 9 January 2029", "expiry_date"),
    ("gültig bis: 09.01.2029", "expiry_date"),
    ("Gültig bis 9. Januar 2029", "expiry_date"),
    ("Valable jusqu'au 09/01/2029", "expiry_date"),
    ("Date d'expiration : 9 janvier 2029", "expiry_date"),
    ("Válido hasta: 9 de enero de 2029", "expiry_date"),
    ("Fecha de caducidad: 09/01/2029", "expiry_date"),
    ("Valido fino al 09/01/2029", "expiry_date"),
    ("Data di scadenza: 9 gennaio 2029", "expiry_date"),
    ("Ważny do: 09.01.2029", "expiry_date"),
    ("Data ważności: 9 stycznia 2029 r.", "expiry_date"),
    ("Geçerlilik tarihi: 09.01.2029", "expiry_date"),
    ("Son geçerlilik tarihi: 9 Ocak 2029", "expiry_date"),
    ("Issue date: 9 January 2029", "issue_date"),
    ("Ausstellungsdatum: 09.01.2029", "issue_date"),
    ("Date d'émission : 09/01/2029", "issue_date"),
    ("Fecha de emisión: 09/01/2029", "issue_date"),
    ("Data di emissione: 09/01/2029", "issue_date"),
    ("Data wydania: 09.01.2029", "issue_date"),
    ("Yayın tarihi: 09.01.2029", "issue_date"),
    ("Original issue date: 9 January 2029", "original_issue_date"),
    ("Erstzertifizierung: 09.01.2029", "original_issue_date"),
    ("Date de certification initiale : 09/01/2029", "original_issue_date"),
    ("Fecha de certificación inicial: 09/01/2029", "original_issue_date"),
    ("Data di prima emissione: 09/01/2029", "original_issue_date"),
    ("Data pierwszej certyfikacji: 09.01.2029", "original_issue_date"),
    ("İlk belgelendirme tarihi: 09.01.2029", "original_issue_date"),
    ("İlk yayın tarihi: 09.01.2029", "original_issue_date"),
]


@pytest.mark.parametrize(("line", "field"), DATE_LABELS)
def test_date_labels_in_every_language(line: str, field: str) -> None:
    claims = claims_of(line)
    assert set(claims) == {field}
    assert claims[field].value == "2029-01-09"


def test_the_longest_label_wins() -> None:
    claims = claims_of("Accreditation No.: UKAS 4127", "İlk yayın tarihi: 09.01.2029")
    assert values(claims) == {
        "accreditation_number": "UKAS 4127",
        "original_issue_date": "2029-01-09",
    }


def test_every_label_of_the_vocabulary_is_read_as_its_own_field() -> None:
    for field, labels in LABELS.items():
        for label in labels:
            if field in ("address", "sites", "country", "scope"):
                continue
            value = {
                "certificate_number": "Q 700001",
                "accreditation_number": "UKAS 4127",
                "certification_body": "Northbridge Certification Ltd",
                "accreditation_body": "United Kingdom Accreditation Service",
                "organization": "Pennine Engineering Ltd",
                "standard": "ISO 9001:2015",
            }.get(field, "09.01.2029")
            claims = claims_of(f"{label}: {value}")
            expected = "2029-01-09" if value == "09.01.2029" else value
            assert values(claims).get(field) == expected, label


# --- dates --------------------------------------------------------------------------------------

DATE_FORMATS = [
    ("2029-01-09", date(2029, 1, 9)),
    ("2029.01.09", date(2029, 1, 9)),
    ("09.01.2029", date(2029, 1, 9)),
    ("9.1.2029", date(2029, 1, 9)),
    ("25/01/2029", date(2029, 1, 25)),
    ("25-01-2029", date(2029, 1, 25)),
    ("9 January 2029", date(2029, 1, 9)),
    ("9th January 2029", date(2029, 1, 9)),
    ("9th of January 2029", date(2029, 1, 9)),
    ("09 Jan 2029", date(2029, 1, 9)),
    ("January 9, 2029", date(2029, 1, 9)),
    ("Jan 9, 2029", date(2029, 1, 9)),
    ("Jan. 9th, 2029", date(2029, 1, 9)),
    ("Sept 30, 2029", date(2029, 9, 30)),
    ("9. Januar 2029", date(2029, 1, 9)),
    ("3. März 2029", date(2029, 3, 3)),
    ("3. Maerz 2029", date(2029, 3, 3)),
    ("9 janvier 2029", date(2029, 1, 9)),
    ("1er février 2029", date(2029, 2, 1)),
    ("15 août 2029", date(2029, 8, 15)),
    ("9 de enero de 2029", date(2029, 1, 9)),
    ("9 de septiembre de 2029", date(2029, 9, 9)),
    ("9 gennaio 2029", date(2029, 1, 9)),
    ("9 settembre 2029", date(2029, 9, 9)),
    ("9 stycznia 2029 r.", date(2029, 1, 9)),
    ("3 września 2029", date(2029, 9, 3)),
    ("12 października 2029", date(2029, 10, 12)),
    ("9 styczeń 2029", date(2029, 1, 9)),
    ("9 Ocak 2029", date(2029, 1, 9)),
    ("14 Şubat 2029", date(2029, 2, 14)),
    ("30 Ağustos 2029", date(2029, 8, 30)),
    ("12 MAYIS 2029", date(2029, 5, 12)),
    ("9 Aralık 2029", date(2029, 12, 9)),
    ("9 ocak 2029", date(2029, 1, 9)),
]


@pytest.mark.parametrize(("text", "expected"), DATE_FORMATS)
def test_date_formats(text: str, expected: date) -> None:
    readings = find_dates(text)
    assert [reading.value for reading in readings] == [expected]
    assert not readings[0].ambiguous


@pytest.mark.parametrize(("text", "expected"), DATE_FORMATS)
def test_date_formats_as_claims(text: str, expected: date) -> None:
    claim = claims_of(f"Expiry date: {text}")["expiry_date"]
    assert (claim.value, claim.confidence) == (expected.isoformat(), 1.0)


@pytest.mark.parametrize(
    "text",
    ["31.02.2029", "2029-13-01", "1.1.1970", "Q 700001", "9 Foo 2029", "12 100 10234", "soon"],
)
def test_what_is_not_a_date(text: str) -> None:
    assert find_dates(text) == []
    assert "expiry_date" not in claims_of(f"Expiry date: {text}")


@pytest.mark.parametrize("text", ["09/01/2029", "09-01-2029", "9/1/2029"])
def test_a_slashed_date_that_could_be_either_is_read_day_first_with_less_confidence(
    text: str,
) -> None:
    claim = claims_of(f"Expiry date: {text}")["expiry_date"]
    assert (claim.value, claim.confidence) == ("2029-01-09", GRAMMAR_AMBIGUOUS_DATE)
    (reading,) = find_dates(text)
    assert (reading.value, reading.month_first) == (date(2029, 1, 9), date(2029, 9, 1))


def test_a_slashed_date_in_an_american_document_is_read_month_first() -> None:
    claims = claims_of(
        "This is to certify that",
        "Great Lakes Logistics Inc.",
        "1200 Commerce Way, Cleveland, OH 44101, United States",
        "Expiry date: 01/09/2029",
    )
    claim = claims["expiry_date"]
    assert (claim.value, claim.confidence) == ("2029-01-09", GRAMMAR_AMBIGUOUS_DATE)
    assert claims["countries"].values == ("US",)


def test_another_date_of_the_document_decides_the_order() -> None:
    day_first = claims_of("Issue date: 25/01/2026", "Expiry date: 09/01/2029")
    assert day_first["issue_date"].value == "2026-01-25"
    assert (day_first["expiry_date"].value, day_first["expiry_date"].confidence) == (
        "2029-01-09",
        GRAMMAR_DATE_BY_EVIDENCE,
    )
    month_first = claims_of("Issue date: 01/25/2026", "Expiry date: 09/01/2029")
    assert month_first["issue_date"].value == "2026-01-25"
    assert month_first["expiry_date"].value == "2029-09-01"


def test_a_dotted_date_is_day_first_without_doubt() -> None:
    claim = claims_of("Expiry date: 09.01.2029")["expiry_date"]
    assert (claim.value, claim.confidence) == ("2029-01-09", 1.0)


def test_a_two_digit_year_lowers_the_confidence() -> None:
    claim = claims_of("Gültig bis: 09.01.29")["expiry_date"]
    assert (claim.value, claim.confidence) == ("2029-01-09", GRAMMAR_TWO_DIGIT_YEAR)


def test_month_names_come_from_cldr_in_seven_languages() -> None:
    names = month_names()
    assert names["stycznia"] == names["styczen"] == names["january"] == names["ocak"] == 1
    assert names["agustos"] == names["aout"] == names["august"] == 8
    assert names["marz"] == names["mart"] == names["marzo"] == names["marca"] == 3
    assert names["pazdziernika"] == names["ekim"] == names["ottobre"] == 10
    assert len(names) > 130


# --- layouts ------------------------------------------------------------------------------------


def test_value_on_the_next_line() -> None:
    claims = claims_of("Certificate No.", "Q 700001", "Valid until", "9 January 2029")
    assert values(claims) == {"certificate_number": "Q 700001", "expiry_date": "2029-01-09"}


def test_label_and_value_in_a_layout_preserving_line() -> None:
    claims = claims_of("Certificate No.:        Q 700001      Issue date:    10.01.2026")
    assert values(claims) == {"certificate_number": "Q 700001", "issue_date": "2026-01-10"}


def test_two_labels_on_one_line_each_take_their_value() -> None:
    claims = claims_of("Issue date: 10.01.2026 Expiry date: 09.01.2029")
    assert values(claims) == {"issue_date": "2026-01-10", "expiry_date": "2029-01-09"}


def test_a_date_label_inside_prose() -> None:
    claims = claims_of("This certificate is valid until 9 January 2029 subject to audits.")
    assert values(claims) == {"expiry_date": "2029-01-09"}


def test_a_two_column_table_read_row_by_row() -> None:
    claims = claims_of(
        "Certificate No.",
        "Q 700001",
        "Organisation",
        "Pennine Logistics Ltd",
        "Address",
        "12 Station Road, Sheffield S1 2AB, United Kingdom",
        "Standard",
        "ISO 14001:2015",
        "Scope",
        "Warehousing, storage and road distribution of",
        "palletised goods",
        "Expiry date",
        "9 January 2029",
    )
    assert values(claims) == {
        "certificate_number": "Q 700001",
        "standard": "ISO 14001:2015",
        "organization": "Pennine Logistics Ltd",
        "scope": "Warehousing, storage and road distribution of palletised goods",
        "sites": ("12 Station Road, Sheffield S1 2AB, United Kingdom",),
        "countries": ("GB",),
        "expiry_date": "2029-01-09",
    }
    assert claims["scope"].confidence == 1.0


def test_a_two_column_table_read_column_by_column() -> None:
    claims = claims_of(
        "Certificate No.",
        "Organisation",
        "Issue date",
        "Expiry date",
        "Q 700001",
        "Pennine Logistics Ltd",
        "10 January 2026",
        "9 January 2029",
    )
    assert values(claims) == {
        "certificate_number": "Q 700001",
        "organization": "Pennine Logistics Ltd",
        "issue_date": "2026-01-10",
        "expiry_date": "2029-01-09",
    }
    assert claims["certificate_number"].confidence == 1.0


def test_a_table_read_column_by_column_with_a_wrapped_value_and_a_header_between() -> None:
    claims = claims_of(
        "Certificate No.",
        "Organisation",
        "Address",
        "Standard",
        "Scope",
        "Expiry date",
        "Northbridge Certification Ltd",  # the header, read between the columns
        "CERTIFICATE",
        "Q 700001",
        "Pennine Logistics Ltd",
        "12 Station Road, Sheffield S1 2AB, United Kingdom",
        "ISO 14001:2015",
        "Warehousing, storage and road distribution of",
        "palletised goods",
        "9 January 2029",
    )
    assert values(claims) == {
        "certificate_number": "Q 700001",
        "certification_body": "Northbridge Certification Ltd",
        "standard": "ISO 14001:2015",
        "organization": "Pennine Logistics Ltd",
        "scope": "Warehousing, storage and road distribution of palletised goods",
        "sites": ("12 Station Road, Sheffield S1 2AB, United Kingdom",),
        "countries": ("GB",),
        "expiry_date": "2029-01-09",
    }
    assert claims["certificate_number"].confidence == LABEL_COLUMNS
    assert claims["certification_body"].confidence == CONTEXT_CB_WORDS


def test_a_row_of_date_labels_above_a_row_of_dates() -> None:
    claims = claims_of(
        "Initial certification   Date of issue   Expiry date",
        "08/03/2018   14/12/2023   13/12/2026",
    )
    assert values(claims) == {
        "issue_date": "2023-12-14",
        "original_issue_date": "2018-03-08",
        "expiry_date": "2026-12-13",
    }


def test_a_row_of_date_labels_read_by_ocr_as_one_line() -> None:
    claims = claims_of(
        "Data di prima emissione Data emissione corrente / Date of issue",
        "03.02.2016 22.02.2024",
        source="ocr",
    )
    assert values(claims) == {"issue_date": "2024-02-22", "original_issue_date": "2016-02-03"}
    assert claims["issue_date"].confidence == SOURCE_OCR


@pytest.mark.parametrize(
    "line",
    [
        "Zertifikat-Nr. / Certificate No.: 12 100 10234 RWZ",
        "Zertifikat-Nr. / Certificate No.",
        "Registrier-Nr. | Registration No. 12 100 10234 RWZ",
    ],
)
def test_a_bilingual_label_is_one_label(line: str) -> None:
    lines = (line,) if "RWZ" in line else (line, "12 100 10234 RWZ")
    assert values(claims_of(*lines)) == {"certificate_number": "12 100 10234 RWZ"}


def test_a_label_glued_to_its_value() -> None:
    claims = claims_of("Certificado nº / Certificate NumberMX-Q-12200/25")
    assert values(claims) == {"certificate_number": "MX-Q-12200/25"}


def test_a_validity_period_gives_the_expiry() -> None:
    assert values(claims_of("Validity: 10.01.2026 - 09.01.2029")) == {"expiry_date": "2029-01-09"}


def test_sites_listed_after_a_label_end_at_the_next_label() -> None:
    claims = claims_of(
        "Sites:",
        "Am Hafen 12, 21335 Lüneburg, Deutschland",
        "Industrieweg 122, 1379 XC Eindhoven, Niederlande",
        "Geltungsbereich: Lagerung",
    )
    assert values(claims) == {
        "sites": (
            "Am Hafen 12, 21335 Lüneburg, Deutschland",
            "Industrieweg 122, 1379 XC Eindhoven, Niederlande",
        ),
        "countries": ("DE", "NL"),
        "scope": "Lagerung",
    }


def test_an_address_wrapped_in_a_table_cell_is_one_site() -> None:
    claims = claims_of("Address", "Camino Real 129, 78145", "Zaragoza, España", "Standard")
    assert claims["sites"].values == ("Camino Real 129, 78145 Zaragoza, España",)


# --- without labels -----------------------------------------------------------------------------


def test_the_certification_body_from_the_header_line() -> None:
    claim = claims_of("© NBC Northbridge Certification Ltd", "CERTIFICATE")["certification_body"]
    assert (claim.value, claim.confidence) == ("Northbridge Certification Ltd", CONTEXT_CB_WORDS)


def test_the_certification_body_of_a_turkish_signature() -> None:
    claim = claims_of("Nile Valley Certification S.A.E. adına")["certification_body"]
    assert (claim.value, claim.confidence) == ("Nile Valley Certification S.A.E.", CONTEXT_SENTENCE)


def test_accreditation_standards_are_not_the_certified_standard() -> None:
    claims = claims_of(
        "Accredited to ISO/IEC 17021-1:2015 by UKAS",
        "has been assessed against the requirements of ISO 14001:2015",
    )
    assert claims["standard"].value == "ISO 14001:2015"


@pytest.mark.parametrize(
    ("lines", "marks"),
    [
        (("IAF MLA",), ("IAF MLA",)),
        (("IAF", "MLA"), ("IAF MLA",)),
        (("Global ACI",), ("Global ACI",)),
        (("UKAS", "MANAGEMENT SYSTEMS", "4127", "IAF", "MLA"), ("UKAS", "IAF MLA")),
        (("UKAS   IAF MLA", "MANAGEMENT SYSTEM CERTIFICATION", "4127"), ("UKAS", "IAF MLA")),
        (("ANAB ACCREDITED 2291",), ("ANAB",)),
    ],
)
def test_accreditation_marks(lines: tuple[str, ...], marks: tuple[str, ...]) -> None:
    claim = claims_of(*lines)["accreditation_mark"]
    assert (claim.values, claim.value) == (marks, ", ".join(marks))


def test_a_mark_alone_names_the_accreditation_body_and_number() -> None:
    claims = claims_of("UKAS", "MANAGEMENT SYSTEMS", "4127")
    assert values(claims) == {
        "accreditation_body": "UKAS",
        "accreditation_number": "UKAS 4127",
        "accreditation_mark": ("UKAS",),
    }
    assert claims["accreditation_body"].confidence == CONTEXT_MARK_ONLY
    assert claims["accreditation_number"].confidence == CONTEXT_MARK_ONLY


def test_a_label_beats_a_mark() -> None:
    claims = claims_of("Accredited by: SWEDAC", "UKAS", "MANAGEMENT SYSTEMS", "4127")
    assert claims["accreditation_body"].value == "SWEDAC"


def test_a_mark_read_into_the_signature_line_is_cut_from_the_name() -> None:
    claims = claims_of(
        "UKAS",
        "W imieniu Rheinwald Zertifizierung GmbH ACCREDITED",
        "8840",
    )
    assert values(claims) == {
        "certification_body": "Rheinwald Zertifizierung GmbH",
        "accreditation_body": "UKAS",
        "accreditation_number": "UKAS 8840",
        "accreditation_mark": ("UKAS",),
    }


def test_a_legal_form_is_not_an_acronym() -> None:
    claims = claims_of("Rheinwald Zertifizierung GmbH", "UNITED KINGDOM ACCREDITATION SERVICE")
    assert "accreditation_mark" not in claims


# --- never invented -----------------------------------------------------------------------------


def test_a_text_without_claims_has_none() -> None:
    assert claims_of("Thank you for your order.", "Contact: +44 114 496 0000") == {}


def test_a_document_without_text_has_no_claims() -> None:
    assert extract_claims(document()) == {}


@pytest.mark.parametrize(
    "line",
    [
        "Certificate No.: pending",
        "Expiry date: on request",
        "Standard: see annex",
        "Accreditation No.: none",
        "Scope: -",
    ],
)
def test_a_label_without_a_value_of_its_grammar_claims_nothing(line: str) -> None:
    assert claims_of(line) == {}


# --- OCR ----------------------------------------------------------------------------------------


def test_ocr_text_is_less_sure() -> None:
    claim = claims_of("Certificate No.: Q 700001", source="ocr")["certificate_number"]
    assert (claim.value, claim.confidence) == ("Q 700001", SOURCE_OCR)


def test_ocr_look_alikes_in_a_number_are_repaired_with_less_confidence() -> None:
    claim = claims_of("Certificate No.: Q 7O0OO1", source="ocr")["certificate_number"]
    assert (claim.value, claim.confidence) == (
        "Q 700001",
        round(GRAMMAR_OCR_REPAIRED * SOURCE_OCR, 2),
    )


def test_ocr_broken_spacing_in_a_label_is_tolerated() -> None:
    claim = claims_of("Cert ificate N o.: Q 700001", source="ocr")["certificate_number"]
    assert (claim.value, claim.confidence) == ("Q 700001", SOURCE_OCR)


def test_a_label_with_one_ocr_error_is_read_with_less_confidence() -> None:
    assert claims_of("Certlficate Nurnber: Q 700001", source="ocr") == {}  # two errors
    claim = claims_of("Certlficate Number: Q 700001", source="ocr")["certificate_number"]
    assert (claim.value, claim.confidence) == ("Q 700001", round(LABEL_FUZZY * SOURCE_OCR, 2))


def test_a_label_with_an_ocr_error_is_not_read_in_a_text_layer() -> None:
    assert claims_of("Certlficate Number: Q 700001") == {}


def test_ocr_digits_in_a_date() -> None:
    claim = claims_of("Expiry date: O9.O1.2O29", source="ocr")["expiry_date"]
    assert (claim.value, claim.confidence) == (
        "2029-01-09",
        round(GRAMMAR_OCR_REPAIRED * SOURCE_OCR, 2),
    )


def test_ocr_of_a_standard() -> None:
    claim = claims_of("has been assessed against IS0 9001:2015", source="ocr")["standard"]
    assert claim.value == "ISO 9001:2015"
    assert claim.confidence == round(CONTEXT_PROSE_STANDARD * GRAMMAR_OCR_REPAIRED * SOURCE_OCR, 2)


def test_the_title_is_not_a_label_with_an_ocr_error() -> None:
    claims = claims_of("CERTIFICATO", "Numero certificato", "ADC-89537-23", source="ocr")
    assert values(claims) == {"certificate_number": "ADC-89537-23"}


def test_a_polish_legal_form_misread_by_ocr_is_restored() -> None:
    claims = claims_of("Organizacja: Tworzywa Gdańsk Sp. Z 0.0.", source="ocr")
    assert claims["organization"].value == "Tworzywa Gdańsk Sp. z o.o."


def test_three_weak_signals_fall_below_the_threshold() -> None:
    """An OCR'd label with one error and a date that could be read either way."""
    claim = claims_of("Expiry dat: 09/01/2029", source="ocr")["expiry_date"]
    expected = round(LABEL_FUZZY * GRAMMAR_AMBIGUOUS_DATE * SOURCE_OCR, 2)
    assert (claim.value, claim.confidence) == ("2029-01-09", expected)
    assert claim.confidence < MIN_CONFIDENCE


def test_one_or_two_weak_signals_stay_above_the_threshold() -> None:
    assert SOURCE_OCR * LABEL_FUZZY * GRAMMAR_OCR_REPAIRED >= MIN_CONFIDENCE
    assert MIN_CONFIDENCE == 0.6


def test_a_slashed_date_whose_order_nothing_proves_is_never_compared() -> None:
    """A UK certificate with a US site: 09/01/2029 may be 9 January or 1 September. Either
    reading compared with the registry could fail a genuine certificate or pass a forged later
    expiry, so the claim stays below MIN_CONFIDENCE (shown, skipped by the checks)."""
    claims = claims_of(
        "This is to certify that",
        "Harbour Logistics Ltd",
        "2 Quay St, Bristol, United Kingdom",
        "1200 Commerce Way, Cleveland, OH 44101, United States",
        "Expiry date: 09/01/2029",
    )
    claim = claims["expiry_date"]
    assert (claim.value, claim.confidence) == ("2029-09-01", 0.55)
    assert claim.confidence < MIN_CONFIDENCE
    proven = claims_of("Issue date: 25/01/2026", "Expiry date: 09/01/2029")["expiry_date"]
    assert (proven.value, proven.confidence) == ("2029-01-09", 0.95)


@pytest.mark.parametrize(
    ("text", "expected", "changed"),
    [
        ("Q 7O0001", "Q 700001", True),
        ("l2 100 10234 RWZ", "12 100 10234 RWZ", True),
        ("Q 700001", "Q 700001", False),
        ("LQC/Q/2O24/10234", "LQC/Q/2024/10234", True),
        ("No 10", "No 10", False),
        ("CNAS C097-M", "CNAS C097-M", False),
    ],
)
def test_repair_digits(text: str, expected: str, changed: bool) -> None:
    assert repair_digits(text) == (expected, changed)


# --- countries ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "code"),
    [
        ("Am Hafen 12, 21335 Lüneburg, Deutschland", "DE"),
        ("ul. Długa 5, 00-001 Warszawa, Polska", "PL"),
        ("Gewerbepark 3, 80331 München, Niemcy", "DE"),
        ("Sanayi Sokak 4, 35000 İzmir, Türkiye", "TR"),
        ("x, Almanya", "DE"),
        ("x, Royaume-Uni", "GB"),
        ("x, Vereinigtes Königreich", "GB"),
        ("x, Regno Unito", "GB"),
        ("x, Estados Unidos", "US"),
        ("1200 Commerce Way, Cleveland, OH 44101, USA", "US"),
        ("x, United Kingdom", "GB"),
        ("x, Republika Południowej Afryki", "ZA"),
        ("x, Österreich", "AT"),
        ("30-001 Kraków Polska", "PL"),
        ("Industriestraße 12, 70173 Stuttgart", None),
        ("Plasturgie Moreau SA", None),
        ("Müller Präzisionstechnik AG", None),
    ],
)
def test_the_country_an_address_ends_with(address: str, code: str | None) -> None:
    assert address_country(address) == code


@pytest.mark.parametrize("name", ["Europa", "Europe", "EU", "SA", "AG", ""])
def test_regions_and_short_words_are_not_countries(name: str) -> None:
    assert country_of_name(name) is None


def test_a_label_read_with_an_ocr_error_does_not_swallow_the_next_label() -> None:
    claims = claims_of(
        "Erstzertifizierung Datum der Ausstellung Gültig bis",
        "18.06.2005 06.03.2023 05.03.2026",
        source="ocr",
    )
    assert values(claims) == {
        "issue_date": "2023-03-06",
        "original_issue_date": "2005-06-18",
        "expiry_date": "2026-03-05",
    }


def test_a_sentence_read_with_an_ocr_error_beats_a_shorter_exact_one() -> None:
    """ "Bu sertifika" alone is small print; "Bu sertifika, aşağıda adı geçen kuruluşun" (its
    "ç" read as "g") introduces the organisation."""
    claims = claims_of(
        "Bu sertifika, asagida adi gegen kurulusun", "Konya Plastik A.S.", source="ocr"
    )
    claim = claims["organization"]
    assert (claim.value, claim.confidence) == (
        "Konya Plastik A.S.",
        round(CONTEXT_SENTENCE * LABEL_FUZZY * SOURCE_OCR, 2),
    )


@pytest.mark.parametrize(
    "line",
    [
        "On behalf of Meridian Assurance Inc.",
        "Certification body: Meridian Assurance Inc.",
        "Issued by   Meridian Assurance Inc.",
    ],
)
def test_a_name_keeps_the_dot_of_its_legal_form(line: str) -> None:
    assert claims_of(line)["certification_body"].value == "Meridian Assurance Inc."


def test_a_dot_lost_by_ocr_in_a_date() -> None:
    claim = claims_of("Gültig bis: 01 07.2026", source="ocr")["expiry_date"]
    assert (claim.value, claim.confidence) == (
        "2026-07-01",
        round(GRAMMAR_OCR_REPAIRED * SOURCE_OCR, 2),
    )
    assert "expiry_date" not in claims_of("Gültig bis: 01 07.2026")  # a text layer: no repair


def test_a_table_read_by_ocr_with_garbled_labels() -> None:
    claims = claims_of(
        "Certificate No.",
        "Certificate holder",
        "Initial certification",
        "Date of ie",  # "Date of issue", three letters lost
        "Expiration date 3",  # a stray character after the label
        "Accredited ny",  # "Accredited by", one letter wrong
        "Meridian Assurance Inc.",  # the header, read between the columns
        "CERTIFICATE",
        "MAI-0061233",
        "Whitfield Transport Ltd",
        "28/03/2013",
        "23/08/2024",
        "22/08/2027",
        "ANAB",
        source="ocr",
    )
    assert values(claims) == {
        "certificate_number": "MAI-0061233",
        "certification_body": "Meridian Assurance Inc.",
        "accreditation_body": "ANAB",
        "organization": "Whitfield Transport Ltd",
        "original_issue_date": "2013-03-28",
        "expiry_date": "2027-08-22",
    }


def test_an_arrangement_mark_glued_to_the_context_of_another_mark() -> None:
    claims = claims_of("SA IAF", "re", "UKAS", "MANAGEMENT SYSTEM CERTIFICATI DN MLA", "9302")
    assert claims["accreditation_mark"].values == ("IAF MLA", "UKAS")  # in document order
    assert claims["accreditation_number"].value == "UKAS 9302"


def test_ocr_b_for_sharp_s_in_an_address() -> None:
    claims = claims_of("Sites:", "IndustriestraBe 72, 1690 Luzern, Schweiz", source="ocr")
    assert claims["sites"].values == ("Industriestraße 72, 1690 Luzern, Schweiz",)
    text = claims_of("Sites:", "IndustriestraBe 72, 1690 Luzern, Schweiz")
    assert text["sites"].values == ("IndustriestraBe 72, 1690 Luzern, Schweiz",)


def test_small_print_between_a_tables_labels_and_values_is_passed_over() -> None:
    claims = claims_of(
        "Certificado n°",
        "Titular",
        "Válido hasta",
        "La validez de este certificado puede comprobarse en https://www.qualis.example.",
        "En nombre de Qualis Auditores SA",
        "ES-E-19398/23",
        "Plásticos Zaragoza S.L.",
        "28/05/2026",
        source="ocr",
    )
    assert values(claims) == {
        "certificate_number": "ES-E-19398/23",
        "certification_body": "Qualis Auditores SA",
        "organization": "Plásticos Zaragoza S.L.",
        "expiry_date": "2026-05-28",
    }


def test_a_standard_between_a_mark_and_its_words_is_not_another_mark() -> None:
    claims = claims_of(
        "SANAS   BS EN ISO 9001:2015", "MANAGEMENT SYSTEM CERTIFICATION", "M0118   for the scope"
    )
    assert claims["accreditation_number"].value == "SANAS M0118"
    assert claims["accreditation_mark"].values == ("SANAS",)


@pytest.mark.parametrize("source", ["text", "ocr"])
def test_a_long_line_is_read_in_linear_time(monkeypatch: pytest.MonkeyPatch, source: str) -> None:
    """The claims are found in the server process, outside the reader's CPU limit, so a text
    layer of one long line (a 1.4 kB PDF with a page 5 m wide in 2-point type gives lines of
    13,000 characters) must not cost work quadratic in its length: each word start is compared
    with the labels over only as many letters as the longest label has, never the rest of the
    line. Counted in characters folded, not timed."""
    import app.domain.document_claims as module

    folded = 0
    fold_char = module._fold_char

    def counting(char: str) -> str:
        nonlocal folded
        folded += 1
        return fold_char(char)

    monkeypatch.setattr(module, "_fold_char", counting)
    line = "Certificate number: Q 700001 " + "word " * 2000
    claims = claims_of(line, source=source)
    assert claims["certificate_number"].value == "Q 700001"
    assert folded < 100 * len(line)
