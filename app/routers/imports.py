"""Bulk import and export of a certification body's certificates."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from functools import partial
from typing import Annotated, Any, BinaryIO, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from app import clock
from app.deps import PrincipalDep, SessionDep
from app.errors import (
    PayloadTooLarge,
    UnsupportedMediaType,
    ValidationProblem,
    problem_response,
)
from app.http.attachment import content_disposition
from app.http.middleware import NON_JSON_BODY_PATHS
from app.schemas.common import SingleLine
from app.services.imports.accreditations import import_accreditations
from app.services.imports.acting_body import acting_accreditation_body, acting_certification_body
from app.services.imports.certificates import run_import
from app.services.imports.export import export_certificates
from app.services.imports.formats import (
    ACCREDITATIONS,
    CERTIFICATES,
    FileProblem,
    Layout,
    read_csv,
    read_jsonl,
)
from app.services.imports.report import ImportReport

router = APIRouter(prefix="/v1/certificates", tags=["import and export"])
IgnoreUnknown = Annotated[
    bool,
    Query(
        description="Import without the columns or fields the importer does not know; they are "
        "listed in `ignored_columns`. Without it an unknown column is an error for the file, "
        "which lists the unknown and the known names."
    ),
]
accreditation_router = APIRouter(prefix="/v1/accreditations", tags=["import and export"])
IMPORT_PATH = "/v1/certificates/import"
NON_JSON_BODY_PATHS.add(IMPORT_PATH)
CSV_TYPES = {"text/csv", "application/csv"}
JSONL_TYPES = {
    "application/x-ndjson",
    "application/jsonl",
    "application/json-lines",
    "application/x-jsonlines",
}


def reader_for(
    request: Request, layout: Layout, *, ignore_unknown: bool = False
) -> Callable[[BinaryIO], Any]:
    """The file reader for the request's media type (415 for anything else)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in CSV_TYPES:
        return lambda stream: read_csv(stream, layout, ignore_unknown=ignore_unknown)
    if content_type in JSONL_TYPES:
        return lambda stream: read_jsonl(stream, layout, ignore_unknown=ignore_unknown)
    raise UnsupportedMediaType(
        f"Send text/csv or application/x-ndjson (got {content_type or 'no content type'})."
    )


async def spool_upload(request: Request) -> Any:
    """The request body in a spooled temporary file (memory up to 8 MiB), 413 over the limit."""
    limit = request.app.state.settings.import_max_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"The file is larger than the {limit}-byte import limit.")
    spool = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)  # noqa: SIM115 - caller closes
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            spool.close()
            raise PayloadTooLarge(f"The file is larger than the {limit}-byte import limit.")
        spool.write(chunk)
    spool.seek(0)
    return spool


async def _run(work: Callable[[], ImportReport]) -> ImportReport:
    """Run an import in the thread pool; a file that cannot be read is a 422 problem."""
    try:
        return await run_in_threadpool(work)
    except FileProblem as exc:
        raise ValidationProblem(
            f"The file cannot be imported: {exc}", errors=[{"pointer": "/", "detail": str(exc)}]
        ) from exc


def import_response(report: ImportReport, request: Request) -> JSONResponse:
    """200 with the report, or 422 problem+json carrying it when nothing was committed."""
    body = report.as_dict()
    if report.committed:
        return JSONResponse(body)
    errors = [
        {
            "pointer": f"/rows/{r['row']}",
            "detail": "; ".join(f"{e['field']}: {e['reason']}" for e in r.get("errors", [])),
        }
        for r in report.rows
        if r["outcome"] == "error"
    ][:100]
    return problem_response(
        request,
        status=422,
        slug="validation-error",
        detail=f"{report.totals['error']} of {report.totals['rows']} rows have errors; "
        "nothing was imported (mode=all). Fix them, or send mode=partial.",
        errors=errors,
        extensions={"report": body},
    )


UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            "text/csv": {"schema": {"type": "string"}},
            "application/x-ndjson": {"schema": {"type": "string"}},
        },
    }
}


async def _import_upload(
    request: Request,
    layout: Layout,
    run: Callable[..., ImportReport],
    *,
    ignore_unknown: bool = False,
) -> JSONResponse:
    """Spool the upload, read it with `layout`, run the import, answer its per-row report."""
    reader = reader_for(request, layout, ignore_unknown=ignore_unknown)
    report_rows: list[dict[str, Any]] = []
    with await spool_upload(request) as spool:

        def work() -> ImportReport:
            header, rows = reader(spool)
            return run(
                rows=rows,
                ignored_columns=header.ignored,
                on_row=lambda r: report_rows.append(r.as_dict()),
            )

        report = await _run(work)
    report.rows = sorted(report_rows, key=lambda r: r["row"])
    return import_response(report, request)


IMPORT_DESCRIPTION = """
Upload CSV (`text/csv`) or JSON Lines (`application/x-ndjson`) with our column names or the
IAF MD 28 (IAF CertSearch) ones. Rows are upserted by (certification body, normalised number):
re-importing the same file changes nothing. `mode=all` (default) commits nothing when any row
is an error; `mode=partial` commits the valid rows and reports the others. The answer lists
every row (created, updated, unchanged, skipped, error with the field and the reason). Files
above the configured limit (50 MiB by default) are refused with 413.
"""


@router.post(
    "/import",
    summary="Import certificates (CSV or JSON Lines)",
    description=IMPORT_DESCRIPTION,
    openapi_extra=UPLOAD_BODY,
)
async def import_certificates(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    certification_body: Annotated[str | None, Query(max_length=300), SingleLine] = None,
    mode: Annotated[Literal["all", "partial"], Query()] = "all",
    ignore_unknown_columns: IgnoreUnknown = False,
) -> Any:
    """Upsert a CB's certificates from a file and answer a per-row report."""
    cb = await run_in_threadpool(
        acting_certification_body, session, principal=principal, reference=certification_body
    )
    run = partial(
        run_import,
        session,
        principal=principal,
        certification_body=cb,
        mode=mode,
        today=clock.today(),
    )
    return await _import_upload(request, CERTIFICATES, run, ignore_unknown=ignore_unknown_columns)


ACCREDITATION_IMPORT_PATH = "/v1/accreditations/import"
NON_JSON_BODY_PATHS.add(ACCREDITATION_IMPORT_PATH)


@accreditation_router.post(
    "/import",
    summary="Import accreditations (CSV or JSON Lines)",
    description="An accreditation body's accreditations of CBs, upserted by (AB, CB, number, "
    "standard): columns certification_body, accreditation_number, standard (no edition), "
    "sectors, valid_from, valid_until, status, status_effective_from, status_reason. Same "
    "policy as the certificate import: `mode=all` (default) or `mode=partial`.",
    openapi_extra=UPLOAD_BODY,
)
async def import_accreditations_route(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    accreditation_body: Annotated[str | None, Query(max_length=300), SingleLine] = None,
    mode: Annotated[Literal["all", "partial"], Query()] = "all",
    ignore_unknown_columns: IgnoreUnknown = False,
) -> Any:
    """Upsert an AB's accreditations from a file; each change and status change is audited."""
    ab = await run_in_threadpool(
        acting_accreditation_body, session, principal=principal, reference=accreditation_body
    )
    run = partial(
        import_accreditations,
        session,
        principal=principal,
        accreditation_body=ab,
        mode=mode,
        today=clock.today(),
    )
    return await _import_upload(
        request,
        ACCREDITATIONS,
        run,
        ignore_unknown=ignore_unknown_columns,
    )


@router.get(
    "/export",
    summary="Export a CB's certificates",
    response_class=Response,
    responses={
        200: {
            "description": "CSV (csv, iaf-md28) or JSON Lines (jsonl), as an attachment.",
            "content": {"text/csv": {}, "application/x-ndjson": {}},
        }
    },
)
def export(
    session: SessionDep,
    principal: PrincipalDep,
    certification_body: Annotated[str | None, Query(max_length=300), SingleLine] = None,
    format: Annotated[Literal["csv", "iaf-md28", "jsonl"], Query()] = "csv",
) -> Response:
    """Every certificate of the CB (confidential included) as CSV, IAF MD 28 CSV or JSON Lines."""
    cb = acting_certification_body(session, principal=principal, reference=certification_body)
    text, media_type = export_certificates(session, cb_id=cb.id, format=format, today=clock.today())
    filename = f"certificates-{cb.acronym or cb.id}.{'jsonl' if format == 'jsonl' else 'csv'}"
    return Response(
        text,
        media_type=media_type,
        headers={"Content-Disposition": content_disposition(filename)},
    )
