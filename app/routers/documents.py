"""Certificate documents: POST /v1/documents/verify (read a supplier's PDF or scan and verify
what it claims) and GET /v1/verifications/{id}/document (a document kept with `store=true`)."""

from __future__ import annotations

import asyncio
import base64
import io
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from app.deps import PrincipalDep, ReadSessionDep, SessionDep
from app.errors import (
    AppError,
    NoCertificateNumber,
    PayloadTooLarge,
    RequestAbandoned,
    Unauthorized,
    UnreadableDocument,
    UnsupportedMediaType,
    ValidationProblem,
    validation_errors,
)
from app.http.attachment import content_disposition
from app.http.limits import DOCUMENT_FORM_OVERHEAD_BYTES
from app.http.middleware import NON_JSON_BODY_PATHS
from app.http.ratelimit import charge_units
from app.http.responses import FastJSONResponse
from app.http.uploads import FILE_FIELD, FORM_MEDIA_TYPE, form_file, is_form
from app.schemas.documents import DocumentForm, DocumentVerificationRead
from app.services.auth import Principal
from app.services.documents.check import (
    DocumentUpload,
    NoNumberRead,
    check_document,
    kept_document,
)
from app.services.documents.refusals import DocumentRefused

router = APIRouter(prefix="/v1")
DOCUMENT_PATH = "/v1/documents/verify"
NON_JSON_BODY_PATHS.add(DOCUMENT_PATH)
FORM_FIELDS = frozenset({"as_of", "certification_body", "store"})
BUSY_RETRY_SECONDS = 5


def refusal_problem(refused: DocumentRefused) -> AppError:
    """The RFC 9457 problem of a refused document: 413, 415, 422 or 503, naming `file`, with
    the machine-readable `reason`."""
    errors = [{"pointer": f"/{FILE_FIELD}", "detail": refused.reason}]
    detail = f"{FILE_FIELD}: {refused.reason}"
    extensions = {"reason": refused.code}
    if refused.status == 413:
        return PayloadTooLarge(detail, errors=errors, extensions=extensions)
    if refused.status == 415:
        return UnsupportedMediaType(detail, errors=errors, extensions=extensions)
    if refused.status == 503:
        return RequestAbandoned(
            detail,
            errors=errors,
            extensions=extensions,
            headers={"Retry-After": str(BUSY_RETRY_SECONDS)},
        )
    return UnreadableDocument(detail, errors=errors, extensions=extensions)


def no_number_problem(missing: NoNumberRead) -> NoCertificateNumber:
    """The 422 problem of a document without a readable number: what was read instead."""
    return NoCertificateNumber(
        missing.detail,
        errors=[{"pointer": f"/{FILE_FIELD}", "detail": "no certificate number could be read"}],
        extensions={"reason": "no_certificate_number", "document": missing.document()},
    )


async def read_document_form(
    request: Request, *, fields: frozenset[str] = FORM_FIELDS
) -> tuple[DocumentUpload, dict[str, str]]:
    """The document and the text `fields` of a multipart form (trimmed, empty ones left out),
    read in memory within CERTVERIFY_DOCUMENT_MAX_BYTES (413 above): 415 for a body that is not
    a form, 422 naming the field for a form without the file or with another field."""
    settings = request.app.state.settings
    if not is_form(request.headers.get("content-type")):
        got = request.headers.get("content-type", "").split(";")[0].strip() or "no content type"
        raise UnsupportedMediaType(
            f"Send the document as {FORM_MEDIA_TYPE}, the file in the part {FILE_FIELD!r} "
            f"(got {got}).",
            headers={"Accept-Post": FORM_MEDIA_TYPE},
        )
    limit = settings.document_max_bytes + DOCUMENT_FORM_OVERHEAD_BYTES
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise PayloadTooLarge(
                f"The form is larger than the {limit}-byte limit of this operation (a document "
                f"of at most {settings.document_max_bytes} bytes and its form).",
                errors=[{"pointer": f"/{FILE_FIELD}", "detail": "the file is too large"}],
            )
    with await form_file(
        request.headers, io.BytesIO(bytes(body)), fields=fields, spool_max_size=limit
    ) as part:
        data = part.file.read(settings.document_max_bytes + 1)
        upload = DocumentUpload(data=data, media_type=part.content_type, filename=part.filename)
        raw = {name: value.strip() for name, value in part.fields.items() if value.strip()}
    return upload, raw


def parse_document_form(raw: dict[str, str]) -> DocumentForm:
    """The form's text fields validated: 422 naming each invalid one."""
    try:
        return DocumentForm.model_validate(raw)
    except ValidationError as exc:
        errors = validation_errors(exc.errors())
        raise ValidationProblem(
            "; ".join(f"{e['pointer'].lstrip('/')}: {e['detail']}" for e in errors), errors=errors
        ) from exc


def refuse_anonymous_store(form: DocumentForm, principal: Principal) -> None:
    """`store=true` keeps the document with the caller's stored verification: a key's only."""
    if form.store and principal.key_id is None:
        raise Unauthorized(
            "store=true keeps the document with your stored verification, which needs an API "
            "key: send Authorization: Bearer <key>, or leave store out (nothing is kept)."
        )


@asynccontextmanager
async def reading_slot(request: Request) -> AsyncIterator[None]:
    """One of the app's CERTVERIFY_DOCUMENT_CONCURRENCY reading slots, waited for in the event
    loop (not in a thread of the pool, which other requests need); 503 (`busy`) when none
    frees up within the reading time. The reader holds its own slots as well (per process)."""
    settings = request.app.state.settings
    gate: asyncio.Semaphore | None = getattr(request.app.state, "document_gate", None)
    if gate is None:
        gate = asyncio.Semaphore(settings.document_concurrency)
        request.app.state.document_gate = gate
    try:
        await asyncio.wait_for(gate.acquire(), timeout=settings.document_read_seconds)
    except TimeoutError as exc:
        raise refusal_problem(
            DocumentRefused("busy", "every document reader is busy; retry in a few seconds")
        ) from exc
    try:
        yield
    finally:
        gate.release()


async def charge_document(request: Request) -> None:
    """Charge the reading of a document to the caller's rate-limit budget (app/http/ratelimit.py:
    CERTVERIFY_DOCUMENT_RATE_LIMIT_UNITS in all, the request's own unit included)."""
    units = request.app.state.settings.document_rate_limit_units
    await charge_units(request, units - 1, what="reading a document")


VERIFY_DESCRIPTION = """
Upload the certificate a supplier sent (a PDF, a scan or a photo: PDF, PNG or JPEG, at most
10 MiB and 20 pages) as `multipart/form-data`, the file in the part `file`. Its text is read
(the PDF's text layer; scans through OCR when the server has Tesseract), its claims found
(certificate number, certification and accreditation bodies, standard, organisation, scope,
sites and countries, dates) and verified together: the answer is a verification like
`GET /v1/verify` (signed; the receipt's payload also carries `document_sha256`), with
`document`: the claims read, their confidence and place, and each field on which the document
disagrees with the registry, which are also checks whose codes start with `document_`.

A QR code that is a certverify deep link gives the number and CB looked up (it is parsed, never
fetched; any other URL is only shown). The type is read from the bytes: a file whose name or
media type says otherwise is `415`. Hostile or unreadable files are a `413`, `415` or `422`
problem naming `file`, with `reason`. A document in which no certificate number can be read is
`422 /problems/no-certificate-number`, saying what was read.

Nothing is kept by default: the document is read in memory and discarded. A keyed caller's
verification is stored (`GET /v1/verifications/{id}`), and with `store=true` the document too
(`GET /v1/verifications/{id}/document`); anonymous `store=true` is `401`. Reading a document
costs 10 units of the caller's rate-limit budget.
"""

UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {FORM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/DocumentUpload"}}},
    }
}


@router.post(
    "/documents/verify",
    response_model=DocumentVerificationRead,
    tags=["documents"],
    summary="Verify a certificate document",
    description=VERIFY_DESCRIPTION,
    openapi_extra=UPLOAD_BODY,
)
async def verify_document_upload(
    request: Request,
    session: SessionDep,
    read_session: ReadSessionDep,
    principal: PrincipalDep,
) -> Any:
    """Read a certificate document and verify what it claims."""
    upload, raw = await read_document_form(request)
    form = parse_document_form(raw)
    refuse_anonymous_store(form, principal)
    await charge_document(request)
    try:
        async with reading_slot(request):
            answer = await run_in_threadpool(
                check_document,
                read_session,
                session,
                upload=upload,
                as_of=form.as_of,
                certification_body=form.certification_body,
                api_key_id=principal.key_id,
                store=form.store,
                settings=request.app.state.settings,
            )
    except DocumentRefused as refused:
        raise refusal_problem(refused) from refused
    except NoNumberRead as missing:
        raise no_number_problem(missing) from missing
    return FastJSONResponse(answer)


DOCUMENT_TYPES = ("application/pdf", "image/png", "image/jpeg")
BINARY: dict[str, Any] = {"type": "string", "format": "binary"}


@router.get(
    "/verifications/{verification_id}/document",
    response_class=Response,
    tags=["documents"],
    summary="Get the document kept with a verification",
    responses={
        200: {
            "description": "The document as it was sent (`store=true`), byte for byte.",
            "content": {t: {"schema": BINARY} for t in DOCUMENT_TYPES},
            "headers": {
                "Repr-Digest": {
                    "description": "RFC 9530: `sha-256=:<base64>:`, the document's SHA-256 "
                    "(the receipt's `document_sha256`, in hex).",
                    "schema": {"type": "string"},
                }
            },
        }
    },
)
def get_verification_document(
    verification_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Response:
    """The document a key of your client sent with `store=true`, again, byte for byte; 404 for
    anyone else's (or when none was kept)."""
    if principal.key_id is None:
        raise Unauthorized("This operation needs an API key: send Authorization: Bearer <key>.")
    document = kept_document(session, verification_id=verification_id, principal=principal)
    digest = base64.b64encode(bytes.fromhex(document.sha256)).decode()
    filename = document.filename or f"certificate-document-{verification_id}"
    return Response(
        document.content,
        media_type=document.media_type,
        headers={
            "Content-Disposition": content_disposition(filename),
            "Repr-Digest": f"sha-256=:{digest}:",
            "Cache-Control": "private, no-store",
        },
    )
