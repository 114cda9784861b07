"""Bulk import and export of a certification body's certificates."""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from contextlib import ExitStack
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
from app.http.uploads import FORM_MEDIA_TYPE, FormFile, form_file, is_form
from app.schemas.common import SingleLine
from app.schemas.imports import ImportReport as ImportReportRead
from app.services.imports.accreditations import import_accreditations
from app.services.imports.acting_body import acting_accreditation_body, acting_certification_body
from app.services.imports.certificates import run_import
from app.services.imports.export import export_certificates
from app.services.imports.files import format_of_filename, format_of_media_type, read_upload
from app.services.imports.formats import (
    ACCREDITATIONS,
    CERTIFICATES,
    FileProblem,
    Layout,
)
from app.services.imports.report import ImportReport
from app.services.imports.xlsx import XLSX_MEDIA_TYPE, WorkbookTooLarge

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


def reader_for(
    request: Request, layout: Layout, *, ignore_unknown: bool = False
) -> Callable[[BinaryIO], Any]:
    """The file reader for the request's media type (415 for anything else): `read_upload`,
    the one reader of every import file, whichever way it came (app/services/imports/files.py)."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    file_format = format_of_media_type(content_type)
    if file_format is None:
        raise UnsupportedMediaType(
            f"Send text/csv, application/x-ndjson or {XLSX_MEDIA_TYPE} "
            f"(got {content_type or 'no content type'})."
        )
    return lambda stream: read_upload(stream, file_format, layout, ignore_unknown=ignore_unknown)


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
    except WorkbookTooLarge as exc:
        raise PayloadTooLarge(
            f"The file cannot be imported: {exc}", errors=[{"pointer": "/", "detail": str(exc)}]
        ) from exc
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


FILE_SCHEMA: dict[str, Any] = {"type": "string", "format": "binary"}
"""A file's bytes, as the body or an answer (generated clients take and give a `File`)."""
UPLOAD_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "content": {
            # The file as a form (what generated clients send); app/http/openapi.py adds the
            # component. Or the file as the raw body, in one of the media types below.
            FORM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/ImportUpload"}},
            "text/csv": {"schema": FILE_SCHEMA},
            "application/x-ndjson": {"schema": FILE_SCHEMA},
            XLSX_MEDIA_TYPE: {"schema": {"type": "string", "format": "binary"}},
        },
    }
}


def form_reader(
    part: FormFile, layout: Layout, *, ignore_unknown: bool = False
) -> Callable[[BinaryIO], Any]:
    """The file reader for a form's file part: the format its media type names, else the one
    its file name's extension names (a browser may send a .csv as application/vnd.ms-excel);
    415 when neither names one."""
    file_format = format_of_media_type(part.content_type) or format_of_filename(part.filename or "")
    if file_format is None:
        raise UnsupportedMediaType(
            f"Send the form part 'file' as text/csv, application/x-ndjson or {XLSX_MEDIA_TYPE}, "
            f"or with a file name ending .csv, .jsonl, .ndjson or .xlsx (got "
            f"{part.content_type or 'no content type'}, {part.filename or 'no file name'!r})."
        )
    return lambda stream: read_upload(stream, file_format, layout, ignore_unknown=ignore_unknown)


async def _import_upload(
    request: Request,
    layout: Layout,
    run: Callable[..., ImportReport],
    *,
    ignore_unknown: bool = False,
) -> JSONResponse:
    """Spool the upload, read it with `layout`, run the import, answer its per-row report. A
    form upload (multipart) hands its file part to the same readers as a raw body."""
    form = is_form(request.headers.get("content-type"))
    reader = None if form else reader_for(request, layout, ignore_unknown=ignore_unknown)
    report_rows: list[dict[str, Any]] = []
    with await spool_upload(request) as spool, ExitStack() as parts:
        stream: BinaryIO = spool
        if reader is None:
            part = parts.enter_context(await form_file(request.headers, spool))
            reader, stream = form_reader(part, layout, ignore_unknown=ignore_unknown), part.file
        read = reader

        def work() -> ImportReport:
            header, rows = read(stream)
            return run(
                rows=rows,
                ignored_columns=header.ignored,
                on_row=lambda r: report_rows.append(r.as_dict()),
            )

        report = await _run(work)
    report.rows = sorted(report_rows, key=lambda r: r["row"])
    return import_response(report, request)


IMPORT_DESCRIPTION = """
Upload CSV (`text/csv`), JSON Lines (`application/x-ndjson`) or an Excel workbook (XLSX,
`application/vnd.openxmlformats-officedocument.spreadsheetml.sheet`) with our column names or
the IAF MD 28 (IAF CertSearch) ones, as the raw body or as a form (`multipart/form-data`, the
file in the part `file`: its format is the part's media type, else its file name's extension).
Rows are upserted by (certification body, normalised number):
re-importing the same file changes nothing. `mode=all` (default) commits nothing when any row
is an error; `mode=partial` commits the valid rows and reports the others. The answer lists
every row (created, updated, unchanged, skipped, error with the field and the reason). Files
above the configured limit (50 MiB by default) are refused with 413, and so are workbooks that
decompress beyond the workbook limits (README, "Bulk import"); a file that is not a workbook
(another ZIP, a legacy .xls, a password-protected workbook, XML entities) is a 422.
"""


@router.post(
    "/import",
    summary="Import certificates (CSV, JSON Lines or XLSX)",
    description=IMPORT_DESCRIPTION,
    response_model=ImportReportRead,
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
    summary="Import accreditations (CSV, JSON Lines or XLSX)",
    description="An accreditation body's accreditations of CBs, upserted by (AB, CB, number, "
    "standard): columns certification_body, accreditation_number, standard (no edition), "
    "sectors, valid_from, valid_until, status, status_effective_from, status_reason. Same "
    "policy as the certificate import: `mode=all` (default) or `mode=partial`.",
    response_model=ImportReportRead,
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


EXPORT_PARAMETERS = ("certification_body", "format")


def refuse_unknown_parameters(request: Request, known: tuple[str, ...]) -> None:
    """422 problem naming each query parameter outside `known` (FastAPI ignores them)."""
    unknown = sorted({name for name in request.query_params if name not in known})
    if unknown:
        known_list = ", ".join(known)
        raise ValidationProblem(
            f"Unknown query parameter(s) {', '.join(repr(n) for n in unknown)}; this operation "
            f"takes {known_list}.",
            errors=[
                {
                    "pointer": "/" + name.replace("~", "~0").replace("/", "~1"),
                    "detail": f"unknown parameter; the known ones are {known_list}",
                    "parameter": name,
                    "location": "query",
                }
                for name in unknown
            ],
        )


@router.get(
    "/export",
    summary="Export a CB's certificates",
    response_class=Response,
    responses={
        200: {
            "description": "CSV (csv, iaf-md28) or JSON Lines (jsonl), as an attachment.",
            "content": {
                "text/csv": {"schema": FILE_SCHEMA},
                "application/x-ndjson": {"schema": FILE_SCHEMA},
            },
        }
    },
)
def export(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    certification_body: Annotated[str | None, Query(max_length=300), SingleLine] = None,
    format: Annotated[Literal["csv", "iaf-md28", "jsonl"], Query()] = "csv",
) -> Response:
    """Every certificate of the CB (confidential included) as CSV, IAF MD 28 CSV or JSON Lines.
    A query parameter the export does not know is a 422 naming it: an export that silently
    ignored a filter (`status=active`) would hand over more than was asked for."""
    refuse_unknown_parameters(request, EXPORT_PARAMETERS)
    cb = acting_certification_body(session, principal=principal, reference=certification_body)
    text, media_type = export_certificates(session, cb_id=cb.id, format=format, today=clock.today())
    filename = f"certificates-{cb.acronym or cb.id}.{'jsonl' if format == 'jsonl' else 'csv'}"
    return Response(
        text,
        media_type=media_type,
        headers={"Content-Disposition": content_disposition(filename)},
    )
