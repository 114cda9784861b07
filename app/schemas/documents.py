"""Certificate documents: the upload form of POST /v1/documents/verify and its answer, a
verification with a `document` section (API.md, "Added in the second round")."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, Field, StringConstraints

from app.schemas.common import SingleLine
from app.schemas.verification import VerificationRead

DOCUMENT_LIMITS = (
    "at most 10 MiB (CERTVERIFY_DOCUMENT_MAX_BYTES) and 20 pages (CERTVERIFY_DOCUMENT_MAX_PAGES), "
    "an image at most 40 megapixels (CERTVERIFY_DOCUMENT_MAX_PIXELS)"
)


class DocumentUpload(BaseModel):
    """A certificate document as a form upload (`multipart/form-data`): the file in the part
    `file`, and optional text fields. The file's type is read from its bytes (PDF, PNG or
    JPEG); a name or media type that claims another type is refused (415)."""

    file: bytes = Field(description=f"The document: a PDF, PNG or JPEG, {DOCUMENT_LIMITS}.")
    as_of: date | None = Field(
        default=None, description="The day to verify on, YYYY-MM-DD; default today (UTC)."
    )
    certification_body: str | None = Field(
        default=None,
        max_length=300,
        description="The issuing CB's id, acronym or name: overrides the one read from the "
        "document.",
    )
    store: bool = Field(
        default=False,
        description="Keep the document with the stored verification, to fetch it again at "
        "`GET /v1/verifications/{verification_id}/document` (an API key is required; without "
        "one `store=true` is 401). Default: the document is read in memory and discarded.",
    )


class DocumentForm(BaseModel):
    """The text fields of the upload form, validated."""

    as_of: date | None = None
    certification_body: (
        Annotated[str, StringConstraints(strip_whitespace=True, max_length=300), SingleLine] | None
    ) = None
    store: bool = False


class DocumentClaimRead(BaseModel):
    """One claim read from the document, with its place and confidence."""

    value: str = Field(description="As read, normalised: ISO dates, alpha-2 countries.")
    confidence: float = Field(ge=0, le=1, description="How sure the reading is, 0 to 1.")
    page: int = Field(description="The page it was read on, from 1.")
    line: int | None = Field(default=None, description="The line on that page, from 0.")
    values: list[str] | None = Field(
        default=None, description="Every value of a multi-valued field (sites, countries)."
    )


class QrCodeRead(BaseModel):
    """A QR code found on the document, its text as decoded: a certverify deep link is parsed
    for its number and CB (`qr_claims`); any other text or URL is only shown, never fetched."""

    page: int
    text: str


class DocumentDiscrepancyRead(BaseModel):
    """A field on which the document and the registry disagree (also a `document_*` check)."""

    field: str
    document: Any = Field(description="What the document says.")
    registry: Any = Field(description="What the registry says.")
    message: str
    check: str | None = Field(default=None, description="The `document_*` check that found it.")
    outcome: str | None = Field(default=None, description="`fail` or `warn`.")


class DocumentRead(BaseModel):
    """The document as read: its SHA-256 (also in the receipt, `document_sha256`), pages, how
    it was read, the claims found, its QR codes, and its discrepancies with the registry."""

    sha256: str = Field(description="Lowercase hex SHA-256 of the file's bytes.")
    media_type: str | None = Field(default=None, description="The type its bytes are.")
    pages: int
    ocr: bool = Field(description="Whether any page was read by OCR.")
    ocr_available: bool | None = Field(
        default=None,
        description="Whether OCR was available; false: pages without a text layer were not "
        "read (nothing is guessed).",
    )
    message: str | None = Field(
        default=None,
        description="What could not be read and why, e.g. the pages of a scan left unread "
        "because OCR is unavailable on this server; null when everything was read.",
    )
    claims: dict[str, DocumentClaimRead] | None = Field(
        default=None, description="The claims printed on the document, by field."
    )
    qr_claims: dict[str, DocumentClaimRead] | None = Field(
        default=None,
        description="The certificate number and CB of a certverify deep link in a QR code "
        "(confidence 1.0), kept apart from the printed ones.",
    )
    qr_codes: list[QrCodeRead] | None = None
    discrepancies: list[DocumentDiscrepancyRead]


class DocumentVerificationRead(VerificationRead):
    """A verification of a certificate document: the same as GET /v1/verify (signed; the
    receipt's payload also holds `document_sha256`) plus `document`."""

    document: DocumentRead
