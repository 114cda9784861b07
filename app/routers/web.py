"""The human verification page: the form, results, deep links, receipts and organisation search."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse
from starlette.concurrency import run_in_threadpool

from app import clock
from app.deps import ReadSessionDep, SessionDep
from app.errors import AppError, ValidationProblem
from app.http.attachment import content_disposition
from app.routers.documents import (
    charge_document,
    parse_document_form,
    read_document_form,
    reading_slot,
)
from app.services.documents.check import NoNumberRead, check_document
from app.services.documents.refusals import DocumentRefused
from app.services.verification.answer import verify_certificate
from app.services.verification.search import SearchFilters, search_certificates
from app.web.document_view import document_form_state, document_view, form_errors
from app.web.view import (
    SEARCH_FIELDS,
    SEARCH_PAGE_SIZE,
    VERIFY_FIELDS,
    FormInvalid,
    FormState,
    form_values,
    query_string,
    receipt_filename,
    result_context,
    search_errors,
    search_rows,
    templates,
    validate_search,
    verification_request,
)

router = APIRouter(include_in_schema=False)

MAX_SEARCH_PAGE = 500


def _render(
    request: Request, name: str, context: dict[str, Any], status_code: int = 200
) -> HTMLResponse:
    """Render a page template."""
    return templates.TemplateResponse(request, name, context, status_code=status_code)


def _home(
    request: Request,
    form: FormState,
    search: FormState,
    status_code: int = 200,
    document: FormState | None = None,
) -> HTMLResponse:
    """The start page: the number form, the organisation search form and the upload form."""
    context = {"form": form, "search": search, "document": document or document_form_state()}
    return _render(request, "home.html", context, status_code)


def _verify_page(request: Request, session: ReadSessionDep, values: dict[str, str]) -> HTMLResponse:
    """Verify what the form asks and show the answer; bad input shows the form again (422)."""
    try:
        asked = verification_request(values)
    except FormInvalid as exc:
        return _home(request, exc.state, FormState(form_values({}, SEARCH_FIELDS)), 422)
    response = verify_certificate(session, request=asked)
    context = result_context(response, asked=values)
    return _render(request, "result.html", {**context, "form": FormState(values)})


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    """The start page."""
    empty = FormState(form_values({}, VERIFY_FIELDS))
    return _home(request, empty, FormState(form_values({}, SEARCH_FIELDS)))


@router.get("/verify", response_class=HTMLResponse)
def verify_page(request: Request, session: ReadSessionDep) -> HTMLResponse:
    """The answer to the form at `/` (GET, so every answer is a link)."""
    return _verify_page(request, session, form_values(request.query_params, VERIFY_FIELDS))


@router.get("/verify/receipt")
def verify_receipt(request: Request, session: ReadSessionDep) -> JSONResponse:
    """The full verification, with its newly signed receipt, as a JSON file to keep."""
    values = form_values(request.query_params, VERIFY_FIELDS)
    try:
        asked = verification_request(values)
    except FormInvalid as exc:
        errors = [{"pointer": f"/{k}", "detail": v} for k, v in exc.state.errors.items()]
        raise ValidationProblem(
            "; ".join(f"{k}: {v}" for k, v in exc.state.errors.items()), errors=errors
        ) from exc
    response = verify_certificate(session, request=asked)
    disposition = content_disposition(receipt_filename(response))
    return JSONResponse(response, headers={"Content-Disposition": disposition})


@router.get("/verify/{certification_body}/{certificate_number:path}", response_class=HTMLResponse)
def verify_deep_link(
    request: Request, session: ReadSessionDep, certification_body: str, certificate_number: str
) -> HTMLResponse:
    """The permanent page of one certificate (the link its QR code carries)."""
    values = form_values(request.query_params, VERIFY_FIELDS)
    values["certification_body"] = certification_body.strip()
    values["certificate_number"] = certificate_number.strip()
    return _verify_page(request, session, values)


DOCUMENT_PAGE_FIELDS = frozenset({"as_of", "certification_body"})


def _document_error(
    request: Request, values: dict[str, str], errors: dict[str, str], status: int
) -> HTMLResponse:
    """The start page again, the upload form showing its errors (focus on the summary)."""
    empty = FormState(form_values({}, VERIFY_FIELDS))
    state = document_form_state(values, errors)
    page = _home(request, empty, FormState(form_values({}, SEARCH_FIELDS)), status, state)
    page.headers["Cache-Control"] = "no-store"
    return page


@router.get("/verify/document", response_class=HTMLResponse)
def verify_document_form() -> RedirectResponse:
    """The upload form lives on the start page."""
    return RedirectResponse("/#document", status_code=303)


@router.post("/verify/document", response_class=HTMLResponse)
async def verify_document_page(
    request: Request, session: SessionDep, read_session: ReadSessionDep
) -> HTMLResponse:
    """Read the uploaded certificate document and show the verdict with its claims checked one
    by one; a document that cannot be read, or has no number, shows the form again with why.
    Nothing is kept: the page's visitors are anonymous (no `store`)."""
    values: dict[str, str] = {}
    try:
        upload, values = await read_document_form(request, fields=DOCUMENT_PAGE_FIELDS)
        form = parse_document_form(values)
        await charge_document(request)
        settings = request.app.state.settings
        async with reading_slot(request):
            answer = await run_in_threadpool(
                check_document,
                read_session,
                session,
                upload=upload,
                as_of=form.as_of,
                certification_body=form.certification_body,
                api_key_id=None,
                store=False,
                settings=settings,
            )
    except DocumentRefused as refused:
        errors = form_errors([{"pointer": "/file", "detail": refused.reason}], refused.reason)
        return _document_error(request, values, errors, refused.status)
    except NoNumberRead as missing:
        return _document_error(request, values, {"file": missing.detail}, 422)
    except AppError as exc:
        if exc.status in (401, 429, 503):
            raise  # a page of its own, with Retry-After (app/web/problems.py)
        return _document_error(request, values, form_errors(exc.errors, exc.detail), exc.status)
    asked = {
        "certificate_number": answer["query"]["certificate_number"],
        "certification_body": values.get("certification_body", ""),
        "as_of": answer["as_of"],
    }
    context = result_context(answer, asked=asked)
    context.update(
        {
            "document_view": document_view(
                answer, filename=upload.filename, base_url=settings.public_base_url
            ),
            "permalink": None,
            "permalink_url": None,
            "qr_data_uri": None,
            "form": FormState(form_values({}, VERIFY_FIELDS)),
        }
    )
    page = _render(request, "result.html", context)
    page.headers["Cache-Control"] = "no-store"
    return page


@router.get("/search", response_class=HTMLResponse)
def search_page(request: Request, session: ReadSessionDep) -> HTMLResponse:
    """Find public certificates by organisation name, for visitors without a number."""
    values = form_values(request.query_params, SEARCH_FIELDS)
    if "organization" not in request.query_params:
        return _render(request, "search.html", {"search": FormState(values), "rows": None})
    errors = validate_search(values)
    raw_page = request.query_params.get("page", "1")
    page = min(int(raw_page), MAX_SEARCH_PAGE) if raw_page.isdigit() and raw_page != "0" else 1
    rows: list[dict[str, Any]] = []
    more = False
    if not errors:
        today = clock.today()
        try:
            found, more = search_certificates(
                session,
                filters=SearchFilters(
                    organization=values["organization"],
                    country=values["country"] or None,
                    standard=values["standard"] or None,
                    certification_body=values["certification_body"] or None,
                ),
                today=today,
                offset=(page - 1) * SEARCH_PAGE_SIZE,
                limit=SEARCH_PAGE_SIZE,
            )
        except ValidationProblem as exc:
            for error in exc.errors or [{"pointer": "/organization", "detail": exc.detail}]:
                errors.update(search_errors(error["pointer"], error["detail"]))
        else:
            rows = search_rows(found, today)
    if errors:
        state = FormState(values, errors)
        return _render(request, "search.html", {"search": state, "rows": None}, 422)
    context = {
        "search": FormState(values),
        "rows": rows,
        "page": page,
        "page_size": SEARCH_PAGE_SIZE,
        "previous_url": f"/search?{query_string({**values, 'page': str(page - 1)})}"
        if page > 1
        else None,
        "next_url": f"/search?{query_string({**values, 'page': str(page + 1)})}" if more else None,
    }
    return _render(request, "search.html", context)
