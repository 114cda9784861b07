"""A certificate document as read, and the claims found in it (API.md, "Added in the second
round": `POST /v1/documents/verify`).

The document pipeline has three steps, each behind these types:
1. reading (app/services/documents): bytes of a PDF, PNG or JPEG become `DocumentText`, the
   text of each page (from the PDF's text layer, or from OCR for scans and images) and the
   payloads of the QR codes found on it;
2. finding the claims (`app.domain.document_claims.extract_claims`): `DocumentText` becomes
   `DocumentClaims`, each claim with its place in the document and a confidence;
3. verifying them together (app/services/verification): the claims become the verification's
   question and its `document_*` checks; the chain is checked from reference data when the
   registry has no record.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

CLAIM_FIELDS = (
    "certificate_number",
    "certification_body",
    "accreditation_body",
    "accreditation_number",
    "accreditation_mark",
    "standard",
    "organization",
    "scope",
    "sites",
    "countries",
    "issue_date",
    "original_issue_date",
    "expiry_date",
)
"""Every claim a document may carry, in the order the answer lists them. Dates are ISO
8601 days (`YYYY-MM-DD`); `countries` are ISO 3166-1 alpha-2 codes; `sites` and `countries`
carry several values in `ExtractedClaim.values`; `accreditation_mark` is the mark text printed
("IAF MLA", "Global ACI", an AB's name beside its logo)."""

ClaimField = Literal[
    "certificate_number",
    "certification_body",
    "accreditation_body",
    "accreditation_number",
    "accreditation_mark",
    "standard",
    "organization",
    "scope",
    "sites",
    "countries",
    "issue_date",
    "original_issue_date",
    "expiry_date",
]


@dataclass(frozen=True, slots=True)
class PageText:
    """One page's text, line by line in reading order. `source` says where it came from: the
    PDF's own text layer, or OCR of the rendered page or image."""

    number: int
    lines: tuple[str, ...]
    source: Literal["text", "ocr"]


@dataclass(frozen=True, slots=True)
class QrPayload:
    """The decoded text of one QR code and the page it was found on."""

    page: int
    text: str


@dataclass(frozen=True, slots=True)
class DocumentText:
    """A document as read: its SHA-256 (hex), its pages' text, whether OCR was used and whether
    it was available at all (without Tesseract a scan has no text, and the answer says so), and
    the QR codes found."""

    sha256: str
    media_type: str
    pages: tuple[PageText, ...]
    ocr: bool
    ocr_available: bool
    qr_codes: tuple[QrPayload, ...] = ()


@dataclass(frozen=True, slots=True)
class ExtractedClaim:
    """One claim found in the document: its value (normalised: ISO dates, alpha-2 countries),
    all values for the multi-valued fields (`sites`, `countries`), where it was found (page,
    line index into `PageText.lines`), the text it was read from, and a confidence in [0, 1]."""

    field: ClaimField
    value: str
    confidence: float
    page: int
    line: int | None = None
    text: str = ""
    values: tuple[str, ...] = ()


DocumentClaims = Mapping[str, ExtractedClaim]
"""Claims by field name (a key of CLAIM_FIELDS); a field not found is absent."""
