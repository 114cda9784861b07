"""Bulk import and export of a certification body's certificates."""

from __future__ import annotations

import tempfile
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from app.config import get_settings
from app.deps import PrincipalDep, SessionDep
from app.errors import Forbidden, PayloadTooLarge, UnsupportedMediaType, ValidationProblem
from app.middleware import NON_JSON_BODY_PATHS
from app.models import CertificationBody
from app.repositories.bodies import find_certification_body
from app.services.auth import Principal, Role
from app.services.export import export_certificates
from app.services.import_format import FileProblem, read_csv, read_jsonl
from app.services.importer import ImportReport, run_import
from app.services.verification import today_utc

router = APIRouter(prefix="/v1/certificates", tags=["import and export"])
IMPORT_PATH = "/v1/certificates/import"
NON_JSON_BODY_PATHS.add(IMPORT_PATH)
CSV_TYPES = {"text/csv", "application/csv"}
JSONL_TYPES = {
    "application/x-ndjson",
    "application/jsonl",
    "application/json-lines",
    "application/x-jsonlines",
}


def resolve_import_body(
    session: Any, principal: Principal, certification_body: str | None
) -> CertificationBody:
    """The CB an import or export acts for: the key's binding, or the named CB for admins."""
    principal.require(Role.ADMIN, Role.CERTIFICATION_BODY)
    if certification_body is None:
        if principal.role is not Role.CERTIFICATION_BODY:
            raise ValidationProblem.field(
                "/certification_body", "is required for admin keys (id, acronym or name)"
            )
        assert principal.body_id is not None
        cb = session.get(CertificationBody, principal.body_id)
    else:
        cb = find_certification_body(session, certification_body)
        if cb is None:
            raise ValidationProblem.field("/certification_body", "no such certification body")
    if cb is None or not principal.acts_for_certification_body(cb.id):
        raise Forbidden("This key may only import or export its own certification body's data.")
    return cb  # type: ignore[no-any-return]


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
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "text/csv": {"schema": {"type": "string"}},
                "application/x-ndjson": {"schema": {"type": "string"}},
            },
        }
    },
)
async def import_certificates(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    certification_body: Annotated[str | None, Query(max_length=300)] = None,
    mode: Annotated[Literal["all", "partial"], Query()] = "all",
) -> Any:
    """Upsert a CB's certificates from a file and answer a per-row report."""
    cb = await run_in_threadpool(resolve_import_body, session, principal, certification_body)
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type in CSV_TYPES:
        reader = read_csv
    elif content_type in JSONL_TYPES:
        reader = read_jsonl
    else:
        raise UnsupportedMediaType(
            f"Send text/csv or application/x-ndjson (got {content_type or 'no content type'})."
        )
    limit = get_settings().import_max_bytes
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise PayloadTooLarge(f"The file is larger than the {limit}-byte import limit.")
    report_rows: list[dict[str, Any]] = []
    today = today_utc()
    with tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024) as spool:
        size = 0
        async for chunk in request.stream():
            size += len(chunk)
            if size > limit:
                raise PayloadTooLarge(f"The file is larger than the {limit}-byte import limit.")
            spool.write(chunk)
        spool.seek(0)

        def work() -> ImportReport:
            header, rows = reader(spool)  # type: ignore[arg-type]
            return run_import(
                session,
                principal=principal,
                certification_body=cb,
                rows=rows,
                mode=mode,
                today=today,
                ignored_columns=header.ignored,
                on_row=lambda r: report_rows.append(r.as_dict()),
            )

        try:
            report = await run_in_threadpool(work)
        except FileProblem as exc:
            raise ValidationProblem(
                f"The file cannot be imported: {exc}",
                errors=[{"pointer": "/", "detail": str(exc)}],
            ) from exc
    report.rows = sorted(report_rows, key=lambda r: r["row"])
    body = report.as_dict()
    if not report.committed:
        errors = [
            {
                "pointer": f"/rows/{r['row']}",
                "detail": "; ".join(f"{e['field']}: {e['reason']}" for e in r.get("errors", [])),
            }
            for r in report.rows
            if r["outcome"] == "error"
        ][:100]
        problem = {
            "type": "/problems/validation-error",
            "title": "Your request is not valid",
            "status": 422,
            "detail": f"{report.totals['error']} of {report.totals['rows']} rows have errors; "
            "nothing was imported (mode=all). Fix them, or send mode=partial.",
            "instance": IMPORT_PATH,
            "request_id": getattr(request.state, "request_id", None),
            "errors": errors,
            "report": body,
        }
        return JSONResponse(problem, status_code=422, media_type="application/problem+json")
    return JSONResponse(body)


@router.get("/export", summary="Export a CB's certificates")
def export(
    session: SessionDep,
    principal: PrincipalDep,
    certification_body: Annotated[str | None, Query(max_length=300)] = None,
    format: Annotated[Literal["csv", "iaf-md28", "jsonl"], Query()] = "csv",
) -> Response:
    """Every certificate of the CB (confidential included) as CSV, IAF MD 28 CSV or JSON Lines."""
    cb = resolve_import_body(session, principal, certification_body)
    text, media_type = export_certificates(session, cb_id=cb.id, format=format, today=today_utc())
    filename = f"certificates-{cb.acronym or cb.id}.{'jsonl' if format == 'jsonl' else 'csv'}"
    return Response(
        text,
        media_type=media_type,
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
