"""Checking a certificate document (POST /v1/documents/verify and the page's upload form): read
it within bounds, find its claims, verify them together, and keep the document only when a
keyed caller asked.

The steps: `read_document` (a refusal for a file that is too large, of another type, hostile or
unreadable), `extract_claims` on the text (app/domain/document_claims.py), the claims of a QR
code that is a certverify deep link (`qr_claims`, kept apart so that they take precedence and
are still compared with the printed number), then `verify_document`
(app/services/verification/documents.py) for the signed answer. A document in which no
certificate number can be read (printed or in a deep link) is a `NoNumberRead`: the answer then
says what was read, and that OCR was unavailable when that is why; no number is ever guessed.

What is kept: nothing for an anonymous caller. A keyed caller's verification is stored, as every
keyed verification is (POST /v1/verifications); the document's bytes only with `store=true`,
beside that stored verification. The document is read in memory either way.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePosixPath
from typing import Any

from sqlalchemy.orm import Session

from app.config import Settings, get_settings
from app.domain.document_claims import extract_claims
from app.domain.documents import CLAIM_FIELDS, DocumentClaims, DocumentText
from app.errors import NotFound
from app.models import StoredDocument
from app.repositories.documents import insert_stored_document, stored_document
from app.repositories.verifications import stored_verification
from app.services.auth import Principal
from app.services.clients import made_by_caller
from app.services.documents.links import qr_claims as deep_link_claims
from app.services.documents.links import qr_kind
from app.services.documents.reader import (
    ocr_message,
    read_document,
    read_limits,
    unread_pages,
)
from app.services.verification.batch import store_verifications
from app.services.verification.documents import verify_document

MAX_FILENAME = 255


@dataclass(frozen=True, slots=True)
class DocumentUpload:
    """A document as sent: its bytes, and the media type and file name the sender gave."""

    data: bytes
    media_type: str | None
    filename: str | None


class NoNumberRead(Exception):
    """No certificate number could be read from the document: what was read instead."""

    def __init__(self, text: DocumentText, claims: DocumentClaims, *, base_url: str) -> None:
        super().__init__("no certificate number")
        self.text = text
        self.claims = claims
        self.unread_pages = unread_pages(text)
        self.base_url = base_url

    @property
    def detail(self) -> str:
        """One sentence: nothing looked up, what was found, and why when OCR was missing."""
        pages = len(self.text.pages)
        how = "by OCR" if self.text.ocr else "from its text layer"
        found = [
            f"{field.replace('_', ' ')} {self.claims[field].value!r}"
            for field in CLAIM_FIELDS
            if field in self.claims
        ]
        read = f"found {', '.join(found)}" if found else "found no claim at all"
        sentence = (
            f"No certificate number could be read from the document ({pages} "
            f"page{'s' if pages != 1 else ''}, read {how}): {read}."
        )
        missing_ocr = ocr_message(self.text)
        if missing_ocr is not None:
            sentence += " " + missing_ocr
        return sentence + " Nothing was looked up; type the number printed on the certificate."

    def document(self) -> dict[str, Any]:
        """What was read, as the problem's `document` member."""
        return {
            "sha256": self.text.sha256,
            "media_type": self.text.media_type,
            "pages": len(self.text.pages),
            "ocr": self.text.ocr,
            "ocr_available": self.text.ocr_available,
            "unread_pages": list(self.unread_pages),
            "claims": {
                field: {"value": c.value, "confidence": c.confidence, "page": c.page}
                for field in CLAIM_FIELDS
                if (c := self.claims.get(field)) is not None
            },
            "qr_codes": [
                {"page": q.page, "text": q.text, "kind": qr_kind(q.text, base_url=self.base_url)}
                for q in self.text.qr_codes
            ],
        }


def _has_number(claims: DocumentClaims) -> bool:
    claim = claims.get("certificate_number")
    return claim is not None and any(ch.isalnum() for ch in claim.value)


def safe_filename(filename: str | None) -> str | None:
    """The file name as kept: its last path part, printable, at most 255 characters."""
    if not filename:
        return None
    name = PurePosixPath(filename.replace("\\", "/")).name
    name = "".join(ch for ch in name if ch.isprintable()).strip()
    return name[:MAX_FILENAME] or None


def check_document(
    read_session: Session,
    session: Session,
    *,
    upload: DocumentUpload,
    as_of: date | None,
    certification_body: str | None,
    api_key_id: uuid.UUID | None,
    store: bool,
    settings: Settings | None = None,
    now: datetime | None = None,
) -> dict[str, Any]:
    """The signed verification of a document (see the module docstring): DocumentRefused for a
    file that is not read, NoNumberRead when no number is in it. A keyed caller's answer is
    stored (`session`), with the document when `store`. `settings`: the app's (limits, OCR,
    the public base URL of deep links); default the environment's."""
    configured = settings or get_settings()
    text = read_document(
        upload.data,
        media_type=upload.media_type,
        filename=upload.filename,
        limits=read_limits(configured),
    )
    claims = extract_claims(text)
    base_url = configured.public_base_url
    from_qr = deep_link_claims(text.qr_codes, base_url=base_url)
    if not (_has_number(claims) or _has_number(from_qr)):
        raise NoNumberRead(text, claims, base_url=base_url)
    answer = verify_document(
        read_session,
        text=text,
        claims=claims,
        qr_claims=from_qr or None,
        as_of=as_of,
        certification_body=certification_body,
        now=now,
        message=ocr_message(text),  # pages left unread for want of OCR are said, not guessed
    )
    if api_key_id is not None:
        store_verifications(session, api_key_id=api_key_id, responses=[answer])
        if store:
            insert_stored_document(
                session,
                StoredDocument(
                    verification_id=uuid.UUID(answer["verification_id"]),
                    sha256=text.sha256,
                    media_type=text.media_type,
                    filename=safe_filename(upload.filename),
                    size_bytes=len(upload.data),
                    content=upload.data,
                ),
            )
    return answer


def kept_document(
    session: Session, *, verification_id: uuid.UUID, principal: Principal
) -> StoredDocument:
    """The document kept with a verification the caller's client made (any of its keys; an
    admin: anyone's); 404 otherwise, whether the verification is another client's, has no
    document, or does not exist (existence is not revealed)."""
    row = stored_verification(session, verification_id)
    if row is not None and made_by_caller(session, principal=principal, api_key_id=row.api_key_id):
        document = stored_document(session, verification_id)
        if document is not None:
            return document
    raise NotFound(
        f"No document was kept with a verification {verification_id} of yours (a document is "
        "kept only when sent with store=true and an API key)."
    )
