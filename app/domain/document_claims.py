"""Finding the claims in a certificate's text (issue 17, item 2; API.md "Added in the second
round": `document.claims`).

`extract_claims(document)` reads the text of a `DocumentText` (the PDF's text layer, or OCR) and
returns the claims it finds, by field (`CLAIM_FIELDS`), each with its page, its line, the text it
was read from and a confidence. A field not found is absent: nothing is invented, and a value
that does not fit its field's grammar is not a claim.

How a claim is found
--------------------
A line is split into cells where it has three spaces or more (a layout-preserving text layer
puts a table's columns on one line that way). A cell that starts with a label of `LABELS` (case,
accents, spacing and punctuation folded: "Zertifikat-Nr." = "zertifikatnr") gives its field the
text after it; the labels of fields with a strict grammar (numbers and dates) are also read in
the middle of a cell ("Issue date: 14.12.2023 Expiry date: 13.12.2026", "... is valid until 9
January 2029"), each value ending where the next label begins. A label standing alone takes the
next cell as its value ("Certificate No." above "Q 700001"); several labels in a row take the
cells after them in order, as a two-column table read column by column gives them (the labels,
then the values); a row of date labels takes the dates of the next line in order. A bilingual
label ("Zertifikat-Nr. / Certificate No.") is read as one. Scope and sites continue over the
following lines until the next label, sentence or date.

Without labels: the organisation is the line after a certifying sentence (`PHRASES["certify"]`,
"This is to certify that", "Hiermit wird bescheinigt, dass", "Zaświadcza się, że", ...), its
address lines after it are sites; the standard is any designation the one claim grammar reads
(`app.domain.standards.read_standard`: "DIN EN ISO 9001:2015", "ISO/IEC 27001:2022"), the
accreditation standards (ISO/IEC 17021-1, ...) excepted; the certification body is the line
after "For and on behalf of" (and its translations) or a header line naming a certification
business ("... Certification Ltd", "... Zertifizierung GmbH"); the accreditation marks are
"IAF MLA", "Global ACI" and an accreditation body's acronym above "MANAGEMENT SYSTEMS" or
"ACCREDITED" and its number, which also give the accreditation body and number when no label
does ("UKAS" and "UKAS 4127").

Values are normalised: dates to ISO 8601 (`app.domain.document_dates`: numeric, CLDR month names
in seven languages), the standard to "code:edition" ("DIN EN ISO 9001:2015-11" ->
"ISO 9001:2015"), countries to ISO 3166-1 alpha-2 (`app.domain.countries` and CLDR's country
names in those languages, `app.domain.document_countries`). `sites`, `countries` and
`accreditation_mark` carry every value in `values`, in document order; their `value` joins them
("; " for sites, ", " otherwise).

How the confidence is computed
------------------------------
confidence = label x grammar x source, rounded to two decimals:

- label: 1.0 for a label of `LABELS` read exactly; 0.85 for one read with one OCR error
  (Levenshtein distance 1, labels and sentences of 8 letters or more, OCR text only); 0.85 for
  a name's label with no colon or gap before the value (it may be the name's first word:
  "Société Générale d'Ingénierie SA"); 0.8 for a value paired with its label by position in a
  column-by-column table whose values did not line up one to one (`_align`); 0.9 for a value
  found after a sentence ("This is to certify that" -> organisation; times 0.85 when OCR
  misread the sentence by a letter) and for the accreditation marks; 0.95 for a standard read
  in prose; 0.8 for an accreditation body or number read from its mark alone; 0.75 for a
  certification body recognised by the words of its name alone.
- grammar: 1.0 when the value fits its field's grammar; 0.85 when OCR's look-alike characters had
  to be repaired ("7O0001" -> "700001", "IS0" -> "ISO", "01 07.2026" -> "01.07.2026"); 0.7 for
  a slashed date whose day and month
  could be swapped (09/01/2029) and that only the document's country decides (month first when it
  names the US, day first elsewhere); 0.95 when another date of the same document proves the
  order (25/01/2029); 0.8 for a two-digit year; 0.9 for a standard whose year is a national
  adoption's ("PN-EN ISO 9001:2015": usually, not always, the ISO edition's).
- source: 1.0 for a PDF's text layer, 0.9 for OCR.

`MIN_CONFIDENCE` is the threshold below which a claim is shown but not used by the verification
(agreed with the verification's document checks, app/domain/document_checks.py).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import cache, lru_cache

from anyascii import anyascii
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from app.domain.document_countries import address_country, country_of_name
from app.domain.document_dates import DateReading, find_dates
from app.domain.documents import (
    CLAIM_FIELDS,
    ClaimField,
    DocumentClaims,
    DocumentText,
    ExtractedClaim,
)
from app.domain.standards import StandardName, read_standard

MIN_CONFIDENCE = 0.6
"""Claims below this confidence are reported but not verified: the document checks
(app/domain/document_checks.py) skip them, and they name no CB or AB for the chain.

Why 0.6: it is where the grammar's doubts add up. One weak signal alone keeps a claim above it
(an exact label and value read by OCR: 0.9; a label OCR misread by one letter: 0.77), two keep
it above (OCR x misread label x repaired digits: 0.65), three fall below. The exception is a
slashed date whose order nothing in the document proves (09/01/2029 with no other date written
unambiguously): 0.55 alone, below it, because reading it the wrong way round would compare a
date the document does not say.
What it does not catch, measured (BENCHMARKS.md, "Claims extraction accuracy"): no claim of the
corpus falls below it, right or wrong; the wrong claims on scans are letters OCR misread inside
a name, a scope or an address ("Diuga" for "Długa"), which no grammar can see, at 0.72-0.9. They
are compared with the registry like any claim, where a misread value disagrees with the
registry's (a false alarm) rather than agreeing with it; Tesseract's own word confidences would
be the signal for them (PageText does not carry them yet).
"""

# --- vocabulary ---------------------------------------------------------------------------------

# fmt: off
LABELS: dict[str, tuple[str, ...]] = {
    "certificate_number": (
        # English
        "Certificate No", "Certificate Number", "Certificate no.", "Cert. No", "Certificate Nr",
        "Registration No", "Registration Number", "Certificate Registration No", "Reg. No",
        "Certificate ID", "Certificate reference",
        # German
        "Zertifikat-Nr", "Zertifikat Nr", "Zertifikatsnummer", "Zertifikats-Nr", "Registrier-Nr",
        "Registriernummer", "Zertifikat-Registrier-Nr", "Urkunde Nr",
        # French
        "N° de certificat", "Certificat n°", "Numéro de certificat", "N° du certificat",
        "Certificat numéro", "N° d'enregistrement",
        # Spanish
        "Certificado nº", "Certificado n.º", "Certificado No", "Nº de certificado",
        "Número de certificado", "N.º de certificado", "Certificado número", "Nº de registro",
        "Número de registro",
        # Italian
        "Certificato n", "Certificato N°", "Certificato nr", "Numero certificato",
        "Numero di certificato", "N. certificato", "Certificato numero", "N° certificato",
        "Registrazione n",
        # Polish
        "Numer certyfikatu", "Certyfikat nr", "Nr certyfikatu", "Certyfikat numer",
        "Numer rejestracyjny",
        # Turkish
        "Sertifika No", "Sertifika Numarası", "Belge No", "Belge Numarası", "Sertifika Nr",
        "Kayıt No",
    ),
    "certification_body": (
        "Certification body", "Certification Body Name", "Certifying body", "Issued by",
        "Registrar", "Certification organisation", "Certification organization",
        "Zertifizierungsstelle", "Zertifizierungsgesellschaft", "Ausgestellt von",
        "Ausgestellt durch", "Organisme de certification", "Délivré par", "Émis par",
        "Entidad de certificación", "Organismo de certificación", "Emitido por", "Expedido por",
        "Organismo di certificazione", "Ente di certificazione", "Rilasciato da", "Emesso da",
        "Jednostka certyfikująca", "Wydany przez", "Wystawiony przez", "Belgelendirme kuruluşu",
        "Sertifikasyon kuruluşu", "Sertifikayı veren kuruluş", "Belgeyi veren kuruluş",
    ),
    "accreditation_body": (
        "Accreditation body", "Accredited by", "Accreditation", "Accrediting body",
        "Akkreditierungsstelle", "Akkreditiert durch", "Akkreditiert von", "Akkreditierung",
        "Organisme d'accréditation", "Accrédité par", "Accréditation", "Entidad de acreditación",
        "Organismo de acreditación", "Acreditado por", "Acreditación", "Ente di accreditamento",
        "Organismo di accreditamento", "Accreditato da", "Accreditamento", "Jednostka akredytująca",
        "Akredytowany przez", "Akredytacja", "Akreditasyon kuruluşu", "Akredite eden kuruluş",
        "Akreditasyon kurumu", "Akreditasyon",
    ),
    "accreditation_number": (
        "Accreditation No", "Accreditation number", "Accreditation reference",
        "Accreditation certificate No", "Akkreditierungsnummer", "Akkreditierungs-Nr",
        "Akkreditierungsnr", "Akkreditierungsurkunde Nr", "N° d'accréditation",
        "Numéro d'accréditation", "Accréditation n°", "Nº de acreditación",
        "Número de acreditación", "Acreditación nº", "Acreditación n.º", "N.º de acreditación",
        "Accreditamento n", "Numero di accreditamento", "N. accreditamento", "Accreditamento N°",
        "Numer akredytacji", "Nr akredytacji", "Akredytacja nr", "Certyfikat akredytacji nr",
        "Akreditasyon No", "Akreditasyon numarası", "Akreditasyon Nr",
    ),
    "standard": (
        "Standard", "Certified standard", "Management system standard", "Standard(s)",
        "Audit standard", "Norm", "Regelwerk", "Normgrundlage", "Prüfgrundlage", "Norme",
        "Référentiel", "Norme de référence", "Norma", "Norma de referencia", "Norma di riferimento",
        "Norma odniesienia", "Standart", "Referans standart",
    ),
    "organization": (
        "Organisation", "Organization", "Certificate holder", "Holder", "Company", "Client",
        "Name of organisation", "Name of organization", "Registered organisation", "Unternehmen",
        "Zertifikatsinhaber", "Firma", "Organisation/Firma", "Organisme", "Titulaire", "Société",
        "Entreprise", "Raison sociale", "Organización", "Empresa", "Titular", "Razón social",
        "Organizzazione", "Azienda", "Ragione sociale", "Organizacja", "Nazwa organizacji",
        "Nazwa firmy", "Kuruluş", "Kuruluş adı", "Firma adı", "Firma unvanı",
    ),
    "scope": (
        "Scope", "Scope of certification", "Scope of registration", "Scope of approval",
        "Scope of supply", "Certified activities", "Geltungsbereich", "Anwendungsbereich",
        "Zertifizierungsumfang", "Zertifizierter Bereich", "Domaine d'application",
        "Champ d'application", "Périmètre", "Périmètre de certification",
        "Domaine de certification", "Alcance", "Alcance de la certificación",
        "Actividades certificadas", "Campo di applicazione", "Scopo di certificazione", "Scopo",
        "Oggetto della certificazione", "Zakres certyfikacji", "Zakres", "Kapsam",
        "Belgelendirme kapsamı", "Sertifika kapsamı",
    ),
    "sites": (
        "Sites", "Site", "Site(s)", "Additional sites", "Other sites", "Certified sites",
        "Locations", "Additional locations", "Standorte", "Standort", "Weitere Standorte",
        "Zertifizierte Standorte", "Sites couverts", "Autres sites", "Site(s) certifié(s)",
        "Emplazamientos", "Otros emplazamientos", "Centros", "Sedes", "Sedi operative",
        "Unità operative", "Altre sedi", "Sedi", "Lokalizacje", "Pozostałe lokalizacje",
        "Lokalizacja", "Tesisler", "Diğer tesisler", "Tesis adresleri",
    ),
    "address": (
        "Address", "Registered address", "Head office", "Registered office", "Anschrift", "Adresse",
        "Hauptsitz", "Sitz", "Siège social", "Siège", "Dirección", "Domicilio social", "Domicilio",
        "Indirizzo", "Sede legale", "Adres", "Siedziba", "Merkez adres",
    ),
    "country": ("Country", "Land", "Pays", "País", "Paese", "Kraj", "Ülke"),
    "issue_date": (
        "Issue date", "Date of issue", "Issued on", "Issued", "Current issue date",
        "Date of current issue", "Certificate issue date", "Effective date", "Ausstellungsdatum",
        "Ausgestellt am", "Datum der Ausstellung", "Ausstellung", "Date d'émission",
        "Date de délivrance", "Émis le", "Délivré le", "Date d'édition", "Fecha de emisión",
        "Fecha de expedición", "Fecha de emisión actual", "Emitido el", "Data di emissione",
        "Data emissione corrente", "Data emissione", "Emesso il", "Data di rilascio",
        "Data wydania", "Data wystawienia", "Wydano dnia", "Yayın tarihi", "Düzenleme tarihi",
        "Belge tarihi", "Veriliş tarihi",
    ),
    "original_issue_date": (
        "Original issue date", "Date of original certification", "Initial certification",
        "Initial certification date", "Original certification date", "Originally certified",
        "Original approval", "Date of initial certification", "Certified since",
        "Erstzertifizierung", "Datum der Erstzertifizierung", "Erstausstellung",
        "Erstzertifizierungsdatum", "Zertifiziert seit", "Date de certification initiale",
        "Date de première certification", "Date de certification originale", "Certifié depuis",
        "Fecha de certificación inicial", "Fecha de la primera certificación", "Fecha de alta",
        "Fecha de certificación original", "Certificado desde", "Data di prima emissione",
        "Data prima certificazione", "Data prima emissione", "Certificato dal",
        "Data pierwszej certyfikacji", "Data certyfikacji początkowej", "Data pierwszego wydania",
        "İlk belgelendirme tarihi", "İlk yayın tarihi", "İlk sertifika tarihi",
    ),
    "expiry_date": (
        "Expiry date", "Valid until", "Expiration date", "Date of expiry", "Expires", "Expires on",
        "Valid to", "Validity", "Certificate expiry", "Valid through",
        "This certificate is valid until", "Gültig bis", "Gültigkeit bis", "Ablaufdatum",
        "Gültig bis zum", "Gültigkeit", "Valable jusqu'au", "Date d'expiration", "Date d'échéance",
        "Valide jusqu'au", "Válido hasta", "Fecha de caducidad", "Fecha de expiración",
        "Fecha de vencimiento", "Valido fino al", "Data di scadenza", "Scadenza", "Valido sino al",
        "Ważny do", "Data ważności", "Certyfikat ważny do", "Ważność", "Geçerlilik tarihi",
        "Son geçerlilik tarihi", "Geçerlilik süresi",
    ),
}
# fmt: on
"""Label vocabularies, per field, in English, German, French, Spanish, Italian, Polish and
Turkish, as certification bodies' certificate templates print them. Ours: no maintained source
lists certificate labels. "address" (the holder's address) and "country" are read into `sites`
and `countries`. A longer label wins over a shorter one that starts it ("Accreditation No" over
"Accreditation")."""

# fmt: off
PHRASES: dict[str, tuple[str, ...]] = {
    "certify": (
        "This is to certify that", "This certifies that", "We hereby certify that",
        "This is to certify that the management system of", "It is hereby certified that",
        "Hiermit wird bescheinigt, dass", "Hiermit wird bestätigt, dass",
        "Hiermit bescheinigt die Zertifizierungsstelle, dass",
        "Die Zertifizierungsstelle bescheinigt hiermit, dass", "bescheinigt hiermit, dass",
        "Hiermit wird bescheinigt, dass das Unternehmen", "Nous certifions que",
        "Nous certifions que le système de management de", "Le présent certificat atteste que",
        "Il est certifié que", "certifie que", "Se certifica que", "Certificamos que",
        "Se certifica que el sistema de gestión de", "Por la presente se certifica que",
        "Si certifica che", "Si attesta che", "Si certifica che il sistema di gestione di",
        "Si dichiara che", "Niniejszym potwierdza się, że", "Zaświadcza się, że",
        "Niniejszym zaświadcza się, że",
        "Niniejszym potwierdza się, że system zarządzania organizacji", "Certyfikuje się, że",
        "Bu sertifika, aşağıda adı geçen kuruluşun", "Bu belge ile", "Bu belge,",
        "Bu sertifika ile",
    ),
    "filler": (
        "the management system of", "the quality management system of", "the organisation",
        "the organization", "the company", "das Managementsystem der", "das Managementsystem des",
        "das Managementsystem von", "das Unternehmen", "die Organisation",
        "le système de management de", "la société", "l'organisme", "el sistema de gestión de",
        "la empresa", "la organización", "il sistema di gestione di", "l'organizzazione",
        "l'azienda", "system zarządzania organizacji", "organizacja", "firma",
    ),
    "conforms": (
        "has been assessed", "has been audited", "has been certified", "operates a",
        "has implemented", "complies with", "conforms to", "meets the requirements",
        "is in conformity with", "ein Managementsystem", "die Anforderungen", "erfüllt die",
        "hat ein", "a été évalué", "répond aux exigences", "a mis en place", "est conforme",
        "ha sido auditado", "ha sido evaluado", "cumple los requisitos", "es conforme",
        "è conforme", "è stato valutato", "ha implementato", "soddisfa i requisiti",
        "spełnia wymagania", "jest zgodny", "wdrożyła", "yönetim sisteminin",
        "aşağıdaki standardın", "standardının gereklerine", "gereklerine uygun",
    ),
    "scope_intro": (
        "for the following scope", "for the following activities", "for the scope",
        "in the field of", "für den Geltungsbereich", "für folgenden Geltungsbereich",
        "für den Bereich", "pour le domaine d'application suivant", "pour les activités",
        "pour le périmètre", "para el siguiente alcance", "para las actividades",
        "per il seguente campo di applicazione", "per le attività", "per il campo", "w zakresie",
        "aşağıdaki kapsamda", "kapsamında",
    ),
    "on_behalf": (
        "For and on behalf of", "On behalf of", "Signed for", "Für die Zertifizierungsstelle",
        "Im Auftrag der", "Im Auftrag von", "Im Namen der", "Pour l'organisme de certification",
        "Au nom de", "Pour le compte de", "En nombre de", "Por cuenta de", "Per conto di",
        "A nome di", "Per l'organismo di certificazione", "W imieniu",
    ),
    "stop": (
        "This certificate remains", "This certificate is the property", "The validity of this",
        "This certificate is subject", "Validity of this certificate", "Further clarifications",
        "Dieses Zertifikat", "Die Gültigkeit", "Ce certificat", "La validité", "Este certificado",
        "La validez", "Il presente certificato", "La validità", "Certyfikat pozostaje",
        "Ważność certyfikatu", "Bu sertifika", "Sertifikanın geçerliliği", "Page", "Seite",
    ),
}
# fmt: on
"""Sentences that introduce or end claims: a certifying sentence (the organisation follows),
the words after it that are not the name ("the management system of"), the sentence that
introduces the standard (it ends the organisation's address), the one that introduces the scope,
the signature's "for and on behalf of" (the certification body follows), and the small print
that ends a scope."""

ACCREDITATION_STANDARDS = frozenset(
    {"17011", "17020", "17021", "17024", "17025", "17029", "17065", "19011", "22003", "27006",
     "50003", "17000", "17030", "17067", "17043"}
)  # fmt: skip
"""Standards a certificate names about its certification body, not the certified system
(ISO/IEC 17021-1 and the accreditation family): never the certified standard."""

MARK_CONTEXT = (
    "management systems", "management system", "accredited", "accreditation", "akkreditiert",
    "akkreditierungsstelle", "accredite", "accreditamento", "accreditato", "acreditado",
    "acreditacion", "certificacion", "akredytowany", "akredytacja", "akredite", "akreditasyon",
    "ackrediterad", "ackreditering", "certification body", "system certification",
)  # fmt: skip
"""Words printed under an accreditation body's acronym in its mark (UKAS "MANAGEMENT SYSTEMS",
ANAB "ACCREDITED", COFRAC "ACCREDITATION", ENAC "CERTIFICACIÓN"), folded."""

CB_NAME_WORDS = (
    "certification", "certifications", "certificazione", "certificazioni", "certificacion",
    "certificaciones", "certifikation", "certifiering", "zertifizierung", "zertifizierungen",
    "certyfikacja", "certyfikacji", "belgelendirme", "assurance", "assessment", "assessments",
    "auditores", "auditors", "conformity", "registrar", "inspection", "inspections",
    "zertifizierungsgesellschaft", "certa", "cert",
)  # fmt: skip
"""Words that name a certification business; a header line with one of them and a legal form
(or alone, short) is the certification body when no label names it."""

_MULTILINE = frozenset({"scope", "sites", "address"})
_STRICT = frozenset(
    {"certificate_number", "accreditation_number", "issue_date", "original_issue_date",
     "expiry_date"}
)  # fmt: skip
_DATE_FIELDS = ("issue_date", "original_issue_date", "expiry_date")
_TITLE_WORDS = frozenset(
    {"certificate", "certificat", "certificado", "certificato", "certyfikat", "zertifikat",
     "sertifika", "belge", "registration", "approval", "of"}
)  # fmt: skip

_TITLE_KEYS = frozenset(
    {"certificate", "certificat", "certificado", "certificato", "certyfikat", "zertifikat",
     "sertifika", "belge", "certificates", "certificati", "certificados"}
)  # fmt: skip
"""Title words (folded) that OCR's one-error label matching must not read as labels."""

LABEL_EXACT, LABEL_FUZZY, LABEL_COLUMNS, LABEL_UNSEPARATED = 1.0, 0.85, 0.8, 0.85
CONTEXT_SENTENCE, CONTEXT_PROSE_STANDARD, CONTEXT_MARK_ONLY, CONTEXT_CB_WORDS = 0.9, 0.95, 0.8, 0.75
# A slashed date no other date of the document orders (09/01/2029: 9 January or 1 September?)
# is below MIN_CONFIDENCE on its own: shown, never compared, so a guessed order can neither
# fail a genuine certificate nor pass a forged later expiry.
GRAMMAR_OCR_REPAIRED, GRAMMAR_AMBIGUOUS_DATE, GRAMMAR_DATE_BY_EVIDENCE = 0.85, 0.55, 0.95
GRAMMAR_TWO_DIGIT_YEAR, GRAMMAR_NATIONAL_YEAR = 0.8, 0.9
SOURCE_OCR = 0.9
"""The factors of the confidence (see the module's docstring)."""

# --- folding ------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """The letters a character folds to in a label key ("°" -> "o"; OCR's "0", "1" -> "o", "l")."""
    if char in "°º":
        return "o"
    if char == "0":
        return "o"
    if char in "1|":
        return "l"
    folded = anyascii(unicodedata.normalize("NFKC", char)).lower()
    return "".join(c for c in folded if "a" <= c <= "z")


def _squash(text: str, limit: int | None = None) -> tuple[str, list[int]]:
    """The folded letters of `text` and, for each, the index of the character it came from;
    with `limit`, only the first `limit` letters or so (a label is matched on no more)."""
    letters: list[str] = []
    origin: list[int] = []
    for index, char in enumerate(text):
        if limit is not None and len(letters) >= limit:
            break
        for letter in _fold_char(char):
            letters.append(letter)
            origin.append(index)
    return "".join(letters), origin


def _key(text: str) -> str:
    """A label's compare key: its folded letters."""
    return _squash(text)[0]


def fold_value(text: str) -> str:
    """A value folded for comparison: NFKC, case-folded, spaces collapsed, no trailing dots."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    return " ".join(folded.split()).strip(" .,;:")


@dataclass(frozen=True, slots=True)
class _Entry:
    """One label or sentence of the vocabulary."""

    field: str
    kind: str  # "label" or "phrase"
    text: str
    key: str


@cache
def _vocabulary() -> tuple[_Entry, ...]:
    """Every label and sentence, longest key first (a longer label wins)."""
    entries = [
        _Entry(name, "label", text, _key(text)) for name, texts in LABELS.items() for text in texts
    ]
    entries += [
        _Entry(name, "phrase", text, _key(text))
        for name, texts in PHRASES.items()
        for text in texts
    ]
    unique = {(entry.kind, entry.key): entry for entry in entries if entry.key}
    return tuple(sorted(unique.values(), key=lambda entry: -len(entry.key)))


@cache
def _longest_key() -> int:
    """The letters of the longest label or sentence key."""
    return max(len(entry.key) for entry in _vocabulary())


@cache
def _by_prefix() -> dict[str, tuple[_Entry, ...]]:
    """Entries by the first three letters of their key (longest first within)."""
    table: dict[str, list[_Entry]] = {}
    for entry in _vocabulary():
        table.setdefault(entry.key[:3], []).append(entry)
    return {prefix: tuple(entries) for prefix, entries in table.items()}


@cache
def _fuzzy_by_length() -> dict[int, tuple[_Entry, ...]]:
    """Entries with keys of 8 letters or more, by key length (for OCR's one-error matches)."""
    table: dict[int, list[_Entry]] = {}
    for entry in _vocabulary():
        if len(entry.key) >= 8:
            table.setdefault(len(entry.key), []).append(entry)
    return {length: tuple(entries) for length, entries in table.items()}


@dataclass(frozen=True, slots=True)
class _Hit:
    """A label or sentence found in a cell: its entry, where it starts and ends, how well."""

    entry: _Entry
    start: int
    end: int
    factor: float


def _boundary(text: str, end: int) -> bool:
    """Whether a label ending before `end` ends a word (no letter follows it)."""
    if end >= len(text) or not text[end].isalpha():
        return True
    return text[end].isupper() and text[end - 1].islower()  # glued: "Certificate NumberMX-7"


def _exact_at(text: str, squashed: str, origin: list[int], position: int) -> _Hit | None:
    """The longest exact label or sentence starting at squashed `position`."""
    for entry in _by_prefix().get(squashed[position : position + 3], ()):
        if squashed.startswith(entry.key, position):
            end = origin[position + len(entry.key) - 1] + 1
            if _boundary(text, end):
                return _Hit(entry, origin[position], end, LABEL_EXACT)
    return None


def _fuzzy_at_start(text: str, squashed: str, origin: list[int]) -> _Hit | None:
    """The longest label or sentence one edit away from the start of `text` (OCR only)."""
    best: _Hit | None = None
    for length, entries in sorted(_fuzzy_by_length().items(), reverse=True):
        for size in (length, length - 1, length + 1):
            if size > len(squashed) or size < 1:
                continue
            found = process.extractOne(
                squashed[:size],
                [entry.key for entry in entries],
                scorer=Levenshtein.distance,
                score_cutoff=1,
            )
            if found is None:
                continue
            end = origin[size - 1] + 1
            if _boundary(text, end):
                best = _Hit(entries[found[2]], 0, end, LABEL_FUZZY)
                break
        if best is not None:
            return best
    return None


_SEPARATORS = " \t:;.,-–—|/"


def _skip_separators(text: str, position: int) -> int:
    """The index of the first character at or after `position` that is not a separator."""
    while position < len(text) and text[position] in _SEPARATORS:
        position += 1
    return position


def _label_at(text: str, position: int, *, fuzzy: bool) -> _Hit | None:
    """The label or sentence starting at character `position` of `text`, if any."""
    rest = text[position:]
    # Only as many letters as the longest label has, and one more for OCR's extra letter: the
    # rest of the line decides nothing here, and folding it at every word start would make a
    # long line cost quadratic time in the server process.
    squashed, origin = _squash(rest, _longest_key() + 2)
    if not squashed or origin[0] > 1:  # the cell must start with the label's first letter
        return None
    hit = _exact_at(rest, squashed, origin, 0)
    if fuzzy:
        # OCR: a longer label read with one error beats a short one read exactly ("Bu
        # sertifika, asagida adi gegen" is the certifying sentence, not "Bu sertifika").
        near = _fuzzy_at_start(rest, squashed, origin)
        if near is not None and _key(rest[: near.end]) in _TITLE_KEYS:
            near = None  # "CERTIFICATO" is the title, not "Certificat n°" misread
        if near is not None and (
            hit is None
            or (
                len(near.entry.key) >= len(hit.entry.key) + 4
                and _label_at(rest, _skip_separators(rest, hit.end), fuzzy=False) is None
            )
        ):  # but not over the next label ("Erstzertifizierung Datum der Ausstellung")
            hit = near
    if hit is None:
        return None
    return _Hit(hit.entry, hit.start + position, hit.end + position, hit.factor)


# --- the document as cells ----------------------------------------------------------------------


@dataclass(slots=True)
class _Cell:
    """A line's text between wide gaps, with what was found in it."""

    order: int
    page: int
    line: int
    text: str
    ocr: bool
    hits: list[_Hit] = field(default_factory=list)
    consumed: bool = False
    mark: bool = False
    """Part of an accreditation mark (its acronym, words or number): no part of other values."""

    @property
    def start(self) -> _Hit | None:
        """The label or sentence the cell starts with."""
        return self.hits[0] if self.hits and self.hits[0].start == 0 else None

    def value_after(self, index: int) -> str:
        """The text after hit `index`, up to the next hit."""
        hit = self.hits[index]
        end = self.hits[index + 1].start if index + 1 < len(self.hits) else len(self.text)
        return self.text[hit.end : end].lstrip(_SEPARATORS).rstrip(" \t:;,|")


_GAP = re.compile(r"\s{3,}|\t+")


def _cells(document: DocumentText) -> list[_Cell]:
    """Every non-empty cell of every page, in reading order."""
    cells: list[_Cell] = []
    for page in document.pages:
        for line_index, line in enumerate(page.lines):
            text = unicodedata.normalize("NFKC", line).replace("\u00a0", " ")
            for part in _GAP.split(text):
                part = part.strip()
                if part:
                    cells.append(
                        _Cell(len(cells), page.number, line_index, part, page.source == "ocr")
                    )
    return cells


def _word_starts(text: str) -> Iterator[int]:
    """The indexes where a word starts (a letter after a non-letter)."""
    for index, char in enumerate(text):
        if char.isalpha() and (index == 0 or not text[index - 1].isalnum()):
            yield index


def _find_hits(cell: _Cell) -> None:
    """The labels and sentences of a cell: at its start, then strict labels inside it, and
    every label of a cell made of labels only (a table's header row)."""
    text = cell.text
    start = _label_at(text, 0, fuzzy=cell.ocr)
    hits: list[_Hit] = []
    if start is not None:
        hits.append(start)
        # A bilingual label ("Zertifikat-Nr. / Certificate No.") is one label.
        while True:
            following = _label_at(text, _skip_separators(text, hits[-1].end), fuzzy=False)
            if following is None or following.entry.field != start.entry.field:
                break
            hits[-1] = _Hit(start.entry, start.start, following.end, start.factor)
    covered = hits[-1].end if hits else 0
    for position in _word_starts(text):
        if position < covered:
            continue
        hit = _label_at(text, position, fuzzy=False)
        if hit is not None and hit.entry.kind == "label" and hit.entry.field in _STRICT:
            hits.append(hit)
            covered = hit.end
    if start is not None and start.entry.kind == "label" and len(hits) == 1:
        row = _label_row(text, hits[0])
        if row:
            hits = row
    cell.hits = [_separated(text, hit) for hit in _merged(text, hits)]


_NAME_FIELDS = frozenset({"organization", "certification_body", "accreditation_body"})


def _separated(text: str, hit: _Hit) -> _Hit:
    """A name's label followed by its value with no colon or gap between ("Société Générale
    d'Ingénierie SA" starts with the label "Société") is less sure: LABEL_UNSEPARATED."""
    if hit.entry.kind != "label" or hit.entry.field not in _NAME_FIELDS:
        return hit
    rest = text[hit.end :]
    if not rest.strip() or rest.lstrip(" ")[:1] in ":;|-–—/" or rest.startswith("   "):
        return hit
    return _Hit(hit.entry, hit.start, hit.end, hit.factor * LABEL_UNSEPARATED)


def _merged(text: str, hits: list[_Hit]) -> list[_Hit]:
    """Hits with a bilingual pair made one: two labels of one field with only separators
    between them ("Válido hasta / Expiry date")."""
    merged: list[_Hit] = []
    for hit in hits:
        last = merged[-1] if merged else None
        if (
            last is not None
            and last.entry.field == hit.entry.field
            and not text[last.end : hit.start].strip(_SEPARATORS)
        ):
            merged[-1] = _Hit(last.entry, last.start, hit.end, last.factor)
        else:
            merged.append(hit)
    return merged


def _label_row(text: str, first: _Hit) -> list[_Hit]:
    """The labels of a cell made of two labels or more and nothing else ("Date of issue
    Expiry date"), or an empty list."""
    hits = [first]
    position = _skip_separators(text, first.end)
    while position < len(text):
        hit = _label_at(text, position, fuzzy=False)
        if hit is None or hit.entry.kind != "label":
            return []
        if hit.entry.field == hits[-1].entry.field:  # bilingual: "Date of issue / Issued on"
            hits[-1] = _Hit(hits[-1].entry, hits[-1].start, hit.end, hits[-1].factor)
        else:
            hits.append(hit)
        position = _skip_separators(text, hit.end)
    return hits if len(hits) > 1 else []


# --- values -------------------------------------------------------------------------------------

_CONFUSABLE_RUN = re.compile(r"(?<![A-Za-z])[0-9OoIl|]*[0-9][0-9OoIl|]*(?![A-Za-z])")
_DIGIT_OF = str.maketrans({"O": "0", "o": "0", "I": "1", "l": "1", "|": "1"})


def repair_digits(text: str) -> tuple[str, bool]:
    """OCR's look-alike letters inside runs of digits made digits again ("7O0001" -> "700001",
    "l2 100" -> "12 100"); and whether anything changed. Letters in words are left alone."""
    repaired = _CONFUSABLE_RUN.sub(lambda match: match[0].translate(_DIGIT_OF), text)
    return repaired, repaired != text


_NUMBER = re.compile(r"[A-Z0-9][A-Za-z0-9./\-_]*(?:\s[A-Z0-9][A-Za-z0-9./\-_]*){0,5}")


def _number(text: str, *, ocr: bool) -> tuple[str, float] | None:
    """A certificate or accreditation number: up to six tokens that start with a capital or a
    digit, with a digit in them ("Q 700001", "12 100 10234 RWZ", "LQC/Q/2024/10234")."""
    factor = 1.0
    if ocr:
        text, changed = repair_digits(text)
        factor = GRAMMAR_OCR_REPAIRED if changed else 1.0
    match = _NUMBER.match(text.strip().lstrip("\"'“”‘’«»„*•·©®()[]{}<>:;,."))
    if match is None:
        return None
    value = match[0].strip(" .-/")
    tokens = []
    for token in value.split():
        if any(char.islower() for char in token) and not any(char.isdigit() for char in token):
            break  # a word after the number ("Q 700001 Page 1 of 2")
        tokens.append(token)
    while tokens and not any(char.isdigit() for char in tokens[-1]) and len(tokens[-1]) > 4:
        tokens.pop()  # a word after the number ("Q 700001 Page"), not a suffix ("RWZ")
    value = " ".join(tokens)
    if not any(char.isdigit() for char in value) or not 3 <= len(value) <= 40:
        return None
    return value, factor


_SP_Z_OO = re.compile(r"\bSp\.\s?[zZ]\s?[oO0]\.\s?[oO0]\.(?=\s|$)")
"""The Polish legal form "Sp. z o.o." as OCR reads it ("Sp. Z 0.0."): its letters restored."""
_LEADING_SYMBOLS = re.compile(r"^[\W_]*?(?=[\w(])")


_SHARP_S = re.compile(r"(?<=[a-zäöü])B(?=[a-zäöü])")


def repair_letters(text: str) -> str:
    """OCR's "B" for "ß" inside a lower-case word made "ß" again ("IndustriestraBe" ->
    "Industriestraße"): no word is written with a capital B between small letters."""
    return _SHARP_S.sub("ß", text)


def _name(text: str) -> str | None:
    """A name (organisation, certification or accreditation body): 2 to 150 characters with
    two letters at least, not a date or a bare number; a logo's symbol before it ("©") is
    dropped."""
    value = " ".join(text.split()).strip(" :;,|-–—")
    value = _LEADING_SYMBOLS.sub("", value)
    if value.startswith("(") and ")" in value[:4]:
        value = value[value.index(")") + 1 :].strip()
    tail = _mark_tail(value)
    if tail is not None:
        value = value[:tail].rstrip(" ,;-")
    value = _SP_Z_OO.sub("Sp. z o.o.", value)
    if not 2 <= len(value) <= 150 or sum(char.isalpha() for char in value) < 2:
        return None
    if find_dates(value) and len(find_dates(value)[0].value.isoformat()) and len(value) < 30:
        return None
    return value


_STANDARD_CANDIDATE = re.compile(
    r"(?<![A-Za-z0-9])"
    r"(?:(?:[A-Z]{1,6}(?:/[A-Z]{2,4})?|[A-Z]\.[A-Z]\.|ÖNORM|ČSN)[\s-]+){0,3}"
    r"(?:IS[O0]|OHSAS)(?:\s*[/-]?\s*IEC)?[\s.-]*[0-9OIl]{4,5}(?:-[0-9]{1,2})?"
    r"(?:\s*[:/,-]\s*(?:19|20)?[0-9]{2}(?:-[0-9]{2})?)?"
    r"(?:\s*(?:/|\+)\s*(?:Amd|A|Cor|AC)\s*[0-9]{0,2}(?:\s*:\s*[0-9]{4})?)*",
)


def _standard(text: str, *, ocr: bool) -> tuple[StandardName, float, str] | None:
    """The first certified standard in `text` that the claim grammar reads, with its grammar
    factor and the text it was read from; accreditation standards are skipped."""
    for match in _STANDARD_CANDIDATE.finditer(text):
        candidate = match[0].strip(" ,;")
        factor = 1.0
        if ocr:
            fixed = re.sub(r"IS0", "ISO", candidate)
            head, _, tail = fixed.partition("ISO") if "ISO" in fixed else ("", "", fixed)
            repaired, changed = repair_digits(tail)
            fixed = f"{head}ISO{repaired}" if "ISO" in candidate or "IS0" in candidate else fixed
            if fixed != candidate or changed:
                factor = GRAMMAR_OCR_REPAIRED
            candidate = fixed
        words = candidate.split()
        for skip in range(len(words)):
            name = read_standard(" ".join(words[skip:]))
            if name is not None:
                break
        else:
            continue
        number = re.search(r"\d{4,5}", name.code)
        if number is not None and number[0] in ACCREDITATION_STANDARDS:
            continue
        if name.edition is None and name.national_year is not None:
            factor *= GRAMMAR_NATIONAL_YEAR
        return name, factor, candidate
    return None


def _standard_value(name: StandardName) -> str:
    """The standard claim as the verification reads it: "ISO 9001:2015", or the code alone."""
    year = name.edition or name.national_year
    return f"{name.code}:{year}" if year else name.code


_DATE_LIKE = re.compile(r"\d{1,4}\s?[./-]\s?\d{1,2}\s?[./-]\s?\d{2,4}")


# --- candidates ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Candidate:
    """A claim found once; the best candidate of each field becomes the claim."""

    field: str
    value: str
    confidence: float
    cell: _Cell
    text: str
    values: tuple[str, ...] = ()


@dataclass(slots=True)
class _DateCandidate:
    """A date found after a label, kept until the document's date order is known."""

    field: str
    reading: DateReading
    factor: float
    cell: _Cell
    text: str


@dataclass(slots=True)
class _Found:
    """Everything found in a document before the best of each field is chosen."""

    candidates: list[_Candidate] = field(default_factory=list)
    dates: list[_DateCandidate] = field(default_factory=list)
    sites: list[tuple[str, float, _Cell]] = field(default_factory=list)
    countries: list[tuple[str, float, _Cell]] = field(default_factory=list)

    def add(self, field_name: str, value: str, factor: float, cell: _Cell, text: str) -> None:
        """Record a candidate with its label x grammar factor (the source is applied here)."""
        source = SOURCE_OCR if cell.ocr else 1.0
        self.candidates.append(_Candidate(field_name, value, factor * source, cell, text))


def _stops(cell: _Cell) -> bool:
    """Whether a cell ends a multi-line value: a label, a sentence, a date, a standard alone,
    a mark, a web address."""
    if cell.hits:
        return True
    text = cell.text
    if _DATE_LIKE.search(text) or find_dates(text):
        return True
    if re.search(r"https?://|www\.", text, re.IGNORECASE):
        return True
    if _mark_text(text) is not None:
        return True
    standard = _standard(text, ocr=cell.ocr)
    return standard is not None and len(standard[2]) >= len(text.strip()) - 2


def _take_value(
    found: _Found,
    entry: _Entry,
    text: str,
    factor: float,
    cell: _Cell,
    continuation: Sequence[_Cell],
    label: str,
) -> None:
    """Read the value of a label of `entry.field` (with continuation cells for multi-line
    fields) into candidates; `label` is the label as printed (the claim's text starts with
    it)."""
    name = entry.field
    source_text = " ".join([text, *(other.text for other in continuation)]).strip()
    shown = f"{label} {text}".strip()
    ocr = cell.ocr
    if name in ("certificate_number", "accreditation_number"):
        number = _number(text, ocr=ocr)
        if number is not None:
            found.add(name, number[0], factor * number[1], cell, shown)
    elif name in ("certification_body", "accreditation_body", "organization"):
        value = _name(text)
        if value is not None and not _DATE_LIKE.fullmatch(value):
            found.add(name, value, factor, cell, shown)
    elif name == "standard":
        standard = _standard(text, ocr=ocr)
        if standard is not None:
            value = _standard_value(standard[0])
            found.add(name, value, factor * standard[1], cell, shown)
    elif name == "scope":
        value = _joined([text, *(other.text for other in continuation)])
        if sum(char.isalpha() for char in value) >= 3:
            found.add(name, value, factor, cell, f"{label} {source_text}".strip())
    elif name in ("sites", "address"):
        _take_sites(found, [text, *(other.text for other in continuation)], factor, cell)
    elif name == "country":
        code = country_of_name(text)
        if code is not None:
            source = SOURCE_OCR if ocr else 1.0
            found.countries.append((code, factor * source, cell))
    elif name in _DATE_FIELDS:
        readings = find_dates(_repaired_for_dates(text, ocr)[0])
        if readings:
            repaired = _repaired_for_dates(text, ocr)[1]
            grammar = GRAMMAR_OCR_REPAIRED if repaired else 1.0
            found.dates.append(_DateCandidate(name, readings[0], factor * grammar, cell, shown))
            if name == "expiry_date" and len(readings) == 2 and entry.key in _VALIDITY_KEYS:
                found.dates[-1].reading = readings[1]  # "Validity: 10.01.2026 - 09.01.2029"


_VALIDITY_KEYS = frozenset(_key(text) for text in ("Validity", "Gültigkeit", "Ważność"))


_LOST_DOT = re.compile(r"(?<![\d.])(\d{1,2}) (\d{1,2})\.(\d{4})(?!\d)")


def _repaired_for_dates(text: str, ocr: bool) -> tuple[str, bool]:
    """OCR look-alikes repaired inside the digits of a date, and a dot OCR lost between day
    and month ("01 07.2026" -> "01.07.2026")."""
    if not ocr:
        return text, False
    repaired, changed = repair_digits(text)
    dotted = _LOST_DOT.sub(r"\1.\2.\3", repaired)
    return dotted, changed or dotted != repaired


def _joined(parts: Iterable[str]) -> str:
    """Lines of one value joined: a space between, a word broken by a hyphen made whole."""
    value = ""
    for part in parts:
        part = part.strip()
        if not part:
            continue
        if value.endswith("-") and part[:1].islower():
            value = value[:-1] + part
        else:
            value = f"{value} {part}".strip()
    return " ".join(value.split())


def _take_sites(found: _Found, lines: Sequence[str], factor: float, cell: _Cell) -> None:
    """Addresses, one per line; a line that does not end with a country continues into the
    next (an address wrapped in a table cell)."""
    source = SOURCE_OCR if cell.ocr else 1.0
    pending: list[str] = []
    for line in lines:
        for part in line.split(";"):
            part = part.strip()
            if not part:
                continue
            pending.append(part)
            if address_country(part) is not None or address_country(_joined(pending)):
                _add_site(found, _joined(pending), factor * source, cell)
                pending = []
    if pending and not any(address_country(line) for line in lines):
        _add_site(found, _joined(pending), factor * source, cell)
    # else: a list of addresses that end with their country does not end with one that does
    # not (a signature or a mark's text read after the last site).


def _add_site(found: _Found, site: str, confidence: float, cell: _Cell) -> None:
    """Record a site when it looks like an address (a digit or a country in it)."""
    site = site.strip(" ,;")
    if cell.ocr:
        site = repair_letters(site)
    if len(site) < 5 or not (any(char.isdigit() for char in site) or address_country(site)):
        return
    found.sites.append((site, confidence, cell))
    code = address_country(site)
    if code is not None:
        found.countries.append((code, confidence, cell))


# --- pairing labels with values -----------------------------------------------------------------


def _value_cells(
    cells: Sequence[_Cell], start: int, limit: int, *, over_small_print: bool = False
) -> list[_Cell]:
    """The cells from `start` that can be values: no label or sentence in them, not taken yet,
    on the same page (at most `limit`); with `over_small_print`, the small print and the
    signature OCR read between a table's labels and its values are passed over."""
    taken: list[_Cell] = []
    index = start
    while index < len(cells) and len(taken) < limit:
        cell = cells[index]
        index += 1
        if cell.mark:
            continue
        if (
            over_small_print
            and cell.hits
            and all(
                hit.entry.kind == "phrase" and hit.entry.field in ("stop", "on_behalf")
                for hit in cell.hits
            )
        ):
            continue
        if cell.consumed or cell.hits or cell.page != cells[start - 1].page:
            break
        taken.append(cell)
    return taken


def _continuation(cells: Sequence[_Cell], start: int, limit: int) -> list[_Cell]:
    """The cells from `start` that continue a multi-line value: value cells up to a date, a
    standard alone, a mark or a web address (at most `limit`)."""
    taken: list[_Cell] = []
    for cell in _value_cells(cells, start, limit):
        if _stops(cell):
            break
        taken.append(cell)
    return taken


def _single_line(name: str) -> bool:
    """Whether a field's value is one cell (numbers, names, dates, the standard)."""
    return name not in _MULTILINE


def _label_only(cell: _Cell) -> bool:
    """Whether a cell holds labels and nothing else (its values are in the cells after it);
    one or two stray characters after a label are OCR's debris ("Expiration date 3")."""
    return (
        cell.start is not None
        and all(hit.entry.kind == "label" for hit in cell.hits)
        and all(
            sum(char.isalnum() for char in cell.value_after(index)) <= (2 if cell.ocr else 0)
            for index in range(len(cell.hits))
        )
    )


def _pair_labels(cells: list[_Cell], found: _Found) -> None:
    """Give every label its value: on its own cell, in the cells after it, or by position in a
    run of labels (a table read column by column, a row of labels above a row of values)."""
    index = 0
    while index < len(cells):
        cell = cells[index]
        if cell.start is None or cell.start.entry.kind != "label" or cell.consumed:
            index += 1
            continue
        if _label_only(cell):
            run = [index]
            labels = list(cell.hits)
            while run[-1] + 1 < len(cells):
                following = cells[run[-1] + 1]
                if _label_only(following):
                    labels += following.hits
                elif len(labels) >= 2 and _garbled_label(cells, run[-1] + 1):
                    labels.append(_Hit(_Entry("unknown", "label", following.text, ""), 0, 0, 0))
                else:
                    break
                run.append(run[-1] + 1)
            if len(labels) > 1:
                _pair_run(cells, run, labels, found)
                index = run[-1] + 1
                continue
        for hit_index, hit in enumerate(cell.hits):
            if hit.entry.kind != "label":
                continue
            value = cell.value_after(hit_index)
            last = hit_index == len(cell.hits) - 1
            continuation: list[_Cell] = []
            if not value and last:
                next_cells = _value_cells(cells, index + 1, 1)
                if next_cells:
                    value = next_cells[0].text
                    next_cells[0].consumed = True
                    if hit.entry.field in _MULTILINE:
                        continuation = _continuation(cells, next_cells[0].order + 1, 8)
            elif last and hit.entry.field in _MULTILINE:
                continuation = _continuation(cells, index + 1, 8)
            for other in continuation:
                other.consumed = True
            inline = value == cell.value_after(hit_index)
            label_end = _skip_separators(cell.text, hit.end) if inline else hit.end
            printed = cell.text[hit.start : label_end].rstrip()
            _take_value(found, hit.entry, value, hit.factor, cell, continuation, printed)
        index += 1


def _garbled_label(cells: Sequence[_Cell], index: int) -> bool:
    """Whether a cell inside a run of labels (two before it at least) is a label OCR garbled
    beyond recognition ("Becks de emisión"): short, no digit, a label-only cell after it."""
    cell = cells[index]
    return (
        index + 1 < len(cells)
        and _label_only(cells[index + 1])
        and not cell.hits
        and len(cell.text.split()) <= 4
        and not any(char.isdigit() for char in cell.text)
    )


def _pair_run(cells: list[_Cell], run: list[int], labels: list[_Hit], found: _Found) -> None:
    """Labels on consecutive cells, their values on the cells after them, in order (a table
    read column by column, a row of labels above a row of values). With as many value cells
    as labels, each fitting its label's grammar, each label takes its own; when the dates of
    the value cells are as many as the date labels (values joined on one line), they go in
    order; otherwise the values are aligned with the labels by `_align`."""
    values = _value_cells(cells, run[-1] + 1, 4 * len(labels) + 8, over_small_print=True)
    if not values:
        return
    if len(values) == len(labels) and all(
        _fit(hit.entry.field, [value]) > 0 for hit, value in zip(labels, values, strict=True)
    ):
        for hit, value in zip(labels, values, strict=True):
            value.consumed = True
            _take_value(found, hit.entry, value.text, hit.factor, value, [], hit.entry.text)
        return
    if _pair_dates(labels, values, found):
        return
    for label_index, block in _align([hit.entry.field for hit in labels], values).items():
        for value in block:
            value.consumed = True
        hit = labels[label_index]
        _take_value(
            found,
            hit.entry,
            block[0].text,
            hit.factor * LABEL_COLUMNS,
            block[0],
            block[1:],
            hit.entry.text,
        )


SKIP_PENALTY = 0.6
"""What leaving a value cell out of a table's alignment costs (a header or a logo's text
read between the labels and their values), against a fit of about 1 for a value that fits."""
MAX_BLOCK = 8
"""The most lines a multi-line value (scope, sites) takes in an alignment."""


def _fit(name: str, block: Sequence[_Cell]) -> float:
    """How well cells fit a field's grammar: about 1 for a value that fits, below 0 for one
    that does not (the score `_align` maximises)."""
    if not block:
        return -9.0
    if name == "unknown":  # a garbled label: it takes a value, whatever it is, and says nothing
        return 0.0 if len(block) == 1 else -9.0
    if name in _MULTILINE:
        if name == "scope":
            return sum(
                -1.0
                if address_country(cell.text) or _fits("standard", cell)
                else 0.5
                if sum(char.isalpha() for char in cell.text) >= 3
                else -1.0
                for cell in block
            )
        return sum(
            1.0
            if address_country(cell.text)
            else 0.3
            if any(char.isdigit() for char in cell.text)
            else -0.6
            for cell in block
        )
    if len(block) != 1:
        return -9.0
    cell = block[0]
    if name in _STRICT or name == "standard":
        return 1.0 if _fits(name, cell) else -2.0
    if name == "country":
        return 1.0 if country_of_name(cell.text) else -2.0
    if _name(cell.text) is None or find_dates(cell.text) or _fits("standard", cell):
        return -2.0
    digits = sum(char.isdigit() for char in cell.text)
    return 0.6 if digits < 3 else -0.5


def _align(names: Sequence[str], values: Sequence[_Cell]) -> dict[int, list[_Cell]]:
    """The best in-order assignment of value cells to labels: each label takes one cell (a
    multi-line field up to MAX_BLOCK), cells may be left out at SKIP_PENALTY each (those after
    the last label's value are free), maximising the sum of `_fit` (dynamic programming over
    labels x cells). Labels whose best value fits badly get none."""
    count, size = len(names), len(values)
    minus = float("-inf")
    best = [[minus] * (size + 1) for _ in range(count + 1)]
    back: list[list[tuple[int, int, bool] | None]] = [[None] * (size + 1) for _ in range(count + 1)]
    best[0][0] = 0.0
    for i in range(count + 1):
        for j in range(size + 1):
            here = best[i][j]
            if here == minus:
                continue
            if j < size and here - SKIP_PENALTY > best[i][j + 1]:
                best[i][j + 1] = here - SKIP_PENALTY
                back[i][j + 1] = (i, j, False)
            if i == count:
                continue
            longest = MAX_BLOCK if names[i] in _MULTILINE else 1
            for length in range(1, min(longest, size - j) + 1):
                score = here + _fit(names[i], values[j : j + length])
                if score > best[i + 1][j + length]:
                    best[i + 1][j + length] = score
                    back[i + 1][j + length] = (i, j, True)
    end = max(range(size + 1), key=lambda j: (best[count][j], -j))
    if best[count][end] == minus:
        return {}
    assignment: dict[int, list[_Cell]] = {}
    i, j = count, end
    while (i, j) != (0, 0):
        step = back[i][j]
        assert step is not None
        previous_i, previous_j, assigned = step
        if assigned and _fit(names[previous_i], values[previous_j:j]) > 0:
            assignment[previous_i] = list(values[previous_j:j])
        i, j = previous_i, previous_j
    return assignment


def _pair_dates(labels: list[_Hit], values: list[_Cell], found: _Found) -> bool:
    """Pair a run's date labels with the dates of its value cells in order, and its other
    labels with the cells without a date, when both counts agree; whether it did."""
    dated: list[tuple[_Cell, DateReading, str, bool]] = []
    undated: list[_Cell] = []
    for value in values:
        text, repaired = _repaired_for_dates(value.text, value.ocr)
        readings = find_dates(text)
        dated += [(value, reading, text, repaired) for reading in readings]
        if not readings:
            undated.append(value)
    date_labels = [hit for hit in labels if hit.entry.field in _DATE_FIELDS]
    other_labels = [hit for hit in labels if hit.entry.field not in _DATE_FIELDS]
    if not date_labels or len(dated) != len(date_labels):
        return False
    if other_labels and len(undated) != len(other_labels):
        return False
    for hit, (value, reading, text, repaired) in zip(date_labels, dated, strict=True):
        value.consumed = True
        grammar = GRAMMAR_OCR_REPAIRED if repaired else 1.0
        shown = text[reading.start : reading.end]
        found.dates.append(
            _DateCandidate(
                hit.entry.field, reading, hit.factor * grammar, value, f"{hit.entry.text}: {shown}"
            )
        )
    for hit, value in zip(other_labels, undated, strict=False):
        value.consumed = True
        _take_value(found, hit.entry, value.text, hit.factor, value, [], hit.entry.text)
    return True


def _fits(name: str, cell: _Cell) -> bool:
    """Whether a cell's text fits the grammar of a single-line field (a table's anchor)."""
    if name == "standard":
        return _standard(cell.text, ocr=cell.ocr) is not None
    if name in _DATE_FIELDS:
        return bool(find_dates(_repaired_for_dates(cell.text, cell.ocr)[0]))
    return _number(cell.text, ocr=cell.ocr) is not None


# --- claims found without labels ----------------------------------------------------------------


def _after_certify(cells: list[_Cell], found: _Found) -> None:
    """The organisation after a certifying sentence, and its address lines as sites."""
    for index, cell in enumerate(cells):
        start = cell.start
        if start is None or start.entry.kind != "phrase" or start.entry.field != "certify":
            continue
        rest = cell.text[start.end :].lstrip(_SEPARATORS).rstrip(" ,;:")
        position = index + 1
        if rest and _is_filler(rest):
            rest = ""
        candidates = [rest] if rest else []
        while not candidates and position < len(cells):
            other = cells[position]
            position += 1
            if other.mark:
                continue
            other_start = other.start
            if other_start is not None and other_start.entry.field == "filler":
                tail = other.text[other_start.end :].lstrip(_SEPARATORS).rstrip(" ,;:")
                if tail:
                    candidates.append(tail)
                continue
            unseparated = (
                len(other.hits) == 1
                and other_start is not None
                and other_start.factor < LABEL_EXACT
                and other_start.entry.field in _NAME_FIELDS
            )
            if (other.hits and not unseparated) or other.page != cell.page:
                break
            candidates.append(other.text)
        if not candidates:
            continue
        name = _name(candidates[0])
        if name is None:
            continue
        sentence = CONTEXT_SENTENCE * start.factor
        found.add("organization", name, sentence, cell, f"{cell.text} {name}")
        address_lines: list[_Cell] = []
        while position < len(cells) and len(address_lines) < 6:
            other = cells[position]
            position += 1
            if other.mark:
                continue
            if other.hits or other.page != cell.page or _stops(other):
                break
            address_lines.append(other)
        if address_lines:
            _take_sites(found, [line.text for line in address_lines], sentence, address_lines[0])
        return


def _is_filler(text: str) -> bool:
    """Whether `text` is only the words between a certifying sentence and the name."""
    hit = _label_at(text, 0, fuzzy=False)
    return (
        hit is not None
        and hit.entry.field == "filler"
        and not text[hit.end :].strip(_SEPARATORS + " ")
    )


def _scope_after_intro(cells: list[_Cell], found: _Found) -> None:
    """The scope after "for the following scope:" and its translations."""
    for index, cell in enumerate(cells):
        start = cell.start
        if start is None or start.entry.field != "scope_intro":
            continue
        rest = cell.text[start.end :].lstrip(_SEPARATORS).rstrip(" ,;:")
        lines = [rest] if rest else []
        following = _continuation(cells, index + 1, 8)
        lines += [other.text for other in following]
        value = _joined(lines)
        if sum(char.isalpha() for char in value) >= 3:
            anchor = following[0] if following and not rest else cell
            sentence = CONTEXT_SENTENCE * start.factor
            found.add("scope", value, sentence, anchor, f"{cell.text} {value}".strip())


def _standards_in_prose(cells: list[_Cell], found: _Found) -> None:
    """Every standard designation in the text (the first certified one is the claim)."""
    for cell in cells:
        if cell.start is not None and cell.start.entry.field == "standard":
            continue  # read with its label
        standard = _standard(cell.text, ocr=cell.ocr)
        if standard is not None:
            name, factor, text = standard
            found.add(
                "standard", _standard_value(name), CONTEXT_PROSE_STANDARD * factor, cell, text
            )
            return


_LEGAL_FORM_END = re.compile(
    r"(?:\b(?:Ltd|Limited|plc|LLC|Inc|Corp|GmbH|AG|KG|SE|SA|S\.A|SAS|SARL|S\.L|S\.r\.l|S\.p\.A|"
    r"srl|spa|Sp\. z o\.o|S\.A\.E|A\.Ş|Ltd\. Şti|AB|AS|A/S|Oy|BV|B\.V|K\.K|Pte\. Ltd|"
    r"Co\., Ltd|s\.r\.o|a\.s|\(Pty\) Ltd|Pty Ltd|Sdn\. Bhd)\.?)\s*$",
    re.IGNORECASE,
)


def _certification_body(cells: list[_Cell], found: _Found) -> None:
    """The certification body after "For and on behalf of", or a line naming a certification
    business (a word of CB_NAME_WORDS and a legal form, or a short line)."""
    for index, cell in enumerate(cells):
        start = cell.start
        if start is not None and start.entry.field == "on_behalf":
            rest = cell.text[start.end :].lstrip(_SEPARATORS).rstrip(" ,;:")
            if not rest and index + 1 < len(cells) and not cells[index + 1].hits:
                rest = cells[index + 1].text
            name = _name(rest)
            if name is not None and _names_business(name):
                sentence = CONTEXT_SENTENCE * start.factor
                found.add("certification_body", name, sentence, cell, cell.text)
    for cell in cells:
        postposed = re.fullmatch(r"(.+?)\s+ad[ıi]na\.?", cell.text.strip())  # Turkish "X adına"
        if postposed and _names_business(postposed[1]):
            name = _name(postposed[1])
            if name is not None:
                found.add("certification_body", name, CONTEXT_SENTENCE, cell, cell.text)
    for cell in cells:
        if cell.hits or cell.consumed or cell.mark:
            continue
        text = " ".join(cell.text.split())
        words = [re.sub(r"[^a-z]", "", anyascii(word).lower()) for word in text.split()]
        if not 2 <= len(words) <= 8 or set(words) <= _TITLE_WORDS or _context_of(text):
            continue
        if _names_business(text) and (_LEGAL_FORM_END.search(text) or len(words) <= 5):
            name = _name(_without_logo_acronym(text))
            if name is not None:
                found.add("certification_body", name, CONTEXT_CB_WORDS, cell, text)
                return


def _without_logo_acronym(text: str) -> str:
    """A header line without the logo's acronym OCR read before the name ("© NBC Northbridge
    Certification Ltd" -> "Northbridge Certification Ltd"): an all-capital word of 2 to 6
    letters before two words or more, the first of them capitalised."""
    value = _LEADING_SYMBOLS.sub("", " ".join(text.split()))
    words = value.split()
    if (
        len(words) >= 3
        and re.fullmatch(r"[A-Z]{2,6}", words[0])
        and words[1][:1].isupper()
        and words[1][1:].islower()
    ):
        return " ".join(words[1:])
    return value


def _names_business(text: str) -> bool:
    """Whether a name has a word of CB_NAME_WORDS."""
    words = {re.sub(r"[^a-z]", "", anyascii(word).lower()) for word in text.split()}
    return bool(words & set(CB_NAME_WORDS))


_ACRONYM = re.compile(r"^[A-ZÀ-ÞİŞĞ][A-Za-zÀ-ÿİŞĞışğ]{1,9}$")
_MLA = re.compile(r"\b[IlL1|]AF[\s-]*MLA\b", re.IGNORECASE)
_ACI = re.compile(r"\bGlobal[\s-]*ACI\b", re.IGNORECASE)


def _mark_text(text: str) -> str | None:
    """ "IAF MLA" or "Global ACI" when the text is that mark, else None."""
    stripped = text.strip()
    if _MLA.fullmatch(stripped) or (_MLA.search(stripped) and len(stripped) <= 12):
        return "IAF MLA"
    if _ACI.fullmatch(stripped) or (_ACI.search(stripped) and len(stripped) <= 14):
        return "Global ACI"
    return None


_CAPS_TAIL = re.compile(r"(?:(?<=\s)|^)(?:[A-ZÀ-Þ]{2,}\s*){1,4}$")


def _mark_tail(text: str) -> int | None:
    """Where a mark's words that OCR joined to the end of a line begin ("Northbridge
    Certification Ltd MANAGEMENT SYSTEM CERTIFICATION"), or None."""
    match = _CAPS_TAIL.search(text)
    if match is None or match.start() == 0 or not _context_of(match[0]):
        return None
    return match.start()


def _is_acronym(text: str) -> bool:
    """An accreditation body's acronym as its mark prints it ("UKAS", "DAkkS", "TÜRKAK"): all
    capitals, or three capitals at least ("GmbH" is a legal form)."""
    if not _ACRONYM.fullmatch(text):
        return False
    capitals = sum(char.isupper() for char in text)
    return capitals == len(text) or capitals >= 3


def _mark_head(tokens: Sequence[str]) -> bool:
    """Whether a cell is the head of another mark: an acronym and nothing after it but the
    arrangement marks ("UKAS", "ANAB   IAF MLA"; not "BS EN ISO 9001:2015")."""
    position = _cell_acronym(tokens)
    return position is not None and all(
        word.upper() in _NOT_AB_ACRONYMS or _IAF.fullmatch(word) for word in tokens[position + 1 :]
    )


def _cell_acronym(tokens: Sequence[str]) -> int | None:
    """The position of the acronym a mark's cell starts with, after OCR's debris of the logo
    (words of two letters at most: "ne a UKAS", "m 4 ANAB"), or None."""
    for position, token in enumerate(tokens):
        if _is_acronym(token) and token.upper() not in _NOT_AB_ACRONYMS:
            return position
        if sum(char.isalpha() for char in token) > 2:
            return None
    return None


def _context_of(text: str, *, strict: bool = False) -> bool:
    """Whether a text is the line under an accreditation body's acronym in its mark (its
    first word, or for OCR's broken small print a part of it: "INAGEMENT SYSTEM CERTIFICATI")."""
    letters = re.sub(r"[^a-z]", "", anyascii(text).lower())
    if any(letters.startswith(word.replace(" ", "")) for word in MARK_CONTEXT):
        return True
    return not strict and (
        len(text.split()) <= 5
        and text.upper() == text
        and any(part in letters for part in MARK_CONTEXT_PARTS)
    )


MARK_CONTEXT_PARTS = ("agementsys", "accredit", "akkredit", "acredit", "akredyt", "akredit")
"""Parts of MARK_CONTEXT words that survive OCR's loss of a mark's first or last letters."""


_NOT_AB_ACRONYMS = frozenset({"IAF", "MLA", "ACI", "ILAC", "MRA", "ISO", "IEC", "QR", "GLOBAL"})
"""Acronyms in marks that are not accreditation bodies (the arrangements, the standards)."""
_MARK_NUMBER = re.compile(r"[A-Z0-9][A-Za-z0-9/-]*\d[A-Za-z0-9/-]*")
_MARK_SYMBOLS = "—–-•*|\"'“”©®()[]{}<>.,;: "
_IAF = re.compile(r"[IlL1|]AF")


def _marks(cells: list[_Cell], found: _Found) -> None:
    """The accreditation marks: "IAF MLA", "Global ACI", and an accreditation body's acronym
    with its context words after it or within the next three cells (a logo band's text is
    interleaved with the page's) and its number after them, which give the accreditation
    body and number. Marks are read in short cells (six words at most) only. The cells of a
    mark are flagged: they are no part of another value."""
    marks: list[tuple[str, _Cell]] = []

    def ahead(
        index: int, test: Callable[[str], bool], *, marked: bool = False, span: int = 3
    ) -> int | None:
        """The first of the next `span` cells (not already a mark's, unless `marked`) whose
        text, or whose capitals at its end, pass `test`; None, too, when another acronym
        comes first (it owns what follows)."""
        for other in range(index + 1, min(index + 1 + span, len(cells))):
            candidate = cells[other]
            text = candidate.text.strip().strip(_MARK_SYMBOLS)
            if candidate.mark and not marked:
                continue
            tail = _mark_tail(text)
            if (not candidate.hits and test(text)) or (tail is not None and test(text[tail:])):
                return other
            if not marked and not candidate.hits and _mark_head(text.split()):
                return None
        return None

    for index, cell in enumerate(cells):
        if cell.mark:
            continue
        text = cell.text.strip().strip(_MARK_SYMBOLS)
        tokens = [token.strip(_MARK_SYMBOLS) for token in text.split()]
        tokens = [token for token in tokens if token]
        if not tokens or len(tokens) > 6:
            continue
        here: list[str] = []
        if _MLA.search(text):
            here.append("IAF MLA")
        elif _IAF.fullmatch(tokens[-1]):
            partner = ahead(index, lambda other: other.upper().endswith("MLA"), marked=True, span=6)
            if partner is not None:
                if cells[partner].text.strip().upper() == "MLA":  # not a line it is glued to
                    cells[partner].mark = True
                here.append("IAF MLA")
        if _ACI.search(text):
            here.append("Global ACI")
        elif tokens[-1].lower() == "global":
            partner = ahead(index, lambda other: other.upper().endswith("ACI"), marked=True, span=6)
            if partner is not None:
                if cells[partner].text.strip().upper() == "ACI":  # not a line it is glued to
                    cells[partner].mark = True
                here.append("Global ACI")
        acronym = None
        if (
            not cell.hits
            and not _context_of(text, strict=True)
            and not (
                index > 0 and _label_only(cells[index - 1])  # then the cell is that label's value
            )
        ):
            acronym = _ab_mark(cells, index, tokens, ahead, found)
        if acronym is not None:
            marks.append((acronym, cell))
        marks += [(mark, cell) for mark in here]
        if here or acronym:
            cell.mark = True
    unique: dict[str, _Cell] = {}
    for mark, cell in marks:
        unique.setdefault(mark, cell)
    if unique:
        first = next(iter(unique.values()))
        source = SOURCE_OCR if first.ocr else 1.0
        found.candidates.append(
            _Candidate(
                "accreditation_mark",
                ", ".join(unique),
                CONTEXT_SENTENCE * source,
                first,
                " / ".join(unique),
                tuple(unique),
            )
        )


def _ab_mark(
    cells: list[_Cell],
    index: int,
    tokens: Sequence[str],
    ahead: Callable[..., int | None],
    found: _Found,
) -> str | None:
    """The accreditation body's acronym of a mark in cell `index` (recording it and its number
    as candidates), or None: an acronym followed by the mark's context words in the cell, or
    ending the cell (bar arrangement marks) with the context words in the next cells."""
    cell = cells[index]
    position = _cell_acronym(tokens)
    if position is None:
        return None
    token = tokens[position]
    rest = tokens[position + 1 :]
    number_text = ""
    inline = " ".join(rest)
    if rest and _context_of(inline, strict=True):
        number_match = re.search(rf"({_MARK_NUMBER.pattern})\s*$", inline)
        number_text = number_match[1] if number_match else ""
    elif all(word.upper() in _NOT_AB_ACRONYMS or _IAF.fullmatch(word) for word in rest):
        context = ahead(index, lambda other: _context_of(other) and len(other.split()) <= 5)
        if context is None:
            return None
        if not cells[context].hits:
            cells[context].mark = True
        number_cell = ahead(
            context, lambda other: bool(_MARK_NUMBER.fullmatch(other)) and len(other) <= 20
        )
        if number_cell is not None:
            cells[number_cell].mark = True
            number_text = cells[number_cell].text.strip()
    else:
        return None
    source = SOURCE_OCR if cell.ocr else 1.0
    found.candidates.append(
        _Candidate("accreditation_body", token, CONTEXT_MARK_ONLY * source, cell, cell.text)
    )
    number = _number(number_text, ocr=cell.ocr) if number_text else None
    if number is not None and len(number[0].split()) == 1:
        found.candidates.append(
            _Candidate(
                "accreditation_number",
                f"{token} {number[0]}",
                CONTEXT_MARK_ONLY * number[1] * source,
                cell,
                f"{cell.text} {number_text}",
            )
        )
    return token


# --- choosing ------------------------------------------------------------------------------------


def _us_document(found: _Found, cells: Sequence[_Cell]) -> bool:
    """Whether the document is American (its sites or text name the US): slashed dates are
    then read month first."""
    if any(code == "US" for code, _, _ in found.countries):
        return True
    return any(re.search(r"\b(?:USA|U\.S\.A\.|United States)\b", cell.text) for cell in cells)


def _resolve_dates(found: _Found, cells: Sequence[_Cell]) -> None:
    """Turn the date candidates into claims, deciding the order of ambiguous slashed dates by
    the document's other dates, else by its country."""
    evidence = {
        reading.evidence
        for cell in cells
        for reading in find_dates(cell.text)
        if reading.evidence is not None
    }
    month_first = "mdy" in evidence if len(evidence) == 1 else _us_document(found, cells)
    proven = len(evidence) == 1
    for candidate in found.dates:
        reading = candidate.reading
        value: date = reading.value
        factor = candidate.factor
        if reading.ambiguous:
            assert reading.month_first is not None
            value = reading.month_first if month_first else reading.value
            factor *= GRAMMAR_DATE_BY_EVIDENCE if proven else GRAMMAR_AMBIGUOUS_DATE
        elif reading.evidence == "mdy" and not month_first and not proven:
            pass  # 01/25/2029 reads only month first, whatever the country
        if reading.two_digit_year:
            factor *= GRAMMAR_TWO_DIGIT_YEAR
        found.add(candidate.field, value.isoformat(), factor, candidate.cell, candidate.text)


def _claim(candidate: _Candidate) -> ExtractedClaim:
    """The claim of a chosen candidate."""
    assert candidate.field in CLAIM_FIELDS
    field_name: ClaimField = candidate.field  # type: ignore[assignment]  # checked above
    return ExtractedClaim(
        field=field_name,
        value=candidate.value,
        confidence=round(min(candidate.confidence, 1.0), 2),
        page=candidate.cell.page,
        line=candidate.cell.line,
        text=candidate.text,
        values=candidate.values,
    )


def _multi(
    field_name: str, items: Sequence[tuple[str, float, _Cell]], separator: str
) -> _Candidate | None:
    """A multi-valued claim (sites, countries): distinct values in document order."""
    if not items:
        return None
    ordered = sorted(items, key=lambda item: item[2].order)
    values: dict[str, tuple[str, float, _Cell]] = {}
    for value, confidence, cell in ordered:
        values.setdefault(fold_value(value), (value, confidence, cell))
    kept = list(values.values())
    confidence = min(item[1] for item in kept)
    first = kept[0][2]
    shown = tuple(item[0] for item in kept)
    return _Candidate(field_name, separator.join(shown), confidence, first, first.text, shown)


def extract_claims(document: DocumentText) -> DocumentClaims:
    """The claims printed in a document, by field; a field not found is absent."""
    cells = _cells(document)
    for cell in cells:
        _find_hits(cell)
    found = _Found()
    _marks(cells, found)
    _pair_labels(cells, found)
    _after_certify(cells, found)
    _scope_after_intro(cells, found)
    _standards_in_prose(cells, found)
    _certification_body(cells, found)
    _resolve_dates(found, cells)
    chosen: dict[str, _Candidate] = {}
    for candidate in found.candidates:
        best = chosen.get(candidate.field)
        if best is None or candidate.confidence > best.confidence + 1e-9:
            chosen[candidate.field] = candidate
    sites = _multi("sites", found.sites, "; ")
    if sites is not None:
        chosen["sites"] = sites
    countries = _multi("countries", found.countries, ", ")
    if countries is not None:
        chosen["countries"] = countries
    return {name: _claim(chosen[name]) for name in CLAIM_FIELDS if name in chosen}
