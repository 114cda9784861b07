"""The human verification page: the form, results, deep links, receipts and organisation search."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse

from app import clock
from app.deps import ReadSessionDep
from app.errors import ValidationProblem
from app.http.attachment import content_disposition
from app.services.verification.answer import verify_certificate
from app.services.verification.search import SearchFilters, search_certificates
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
    request: Request, form: FormState, search: FormState, status_code: int = 200
) -> HTMLResponse:
    """The start page: the number form and the organisation search form."""
    return _render(request, "home.html", {"form": form, "search": search}, status_code)


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
