"""Procurement integration: batch verification, stored verifications, watches, webhooks."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, Response
from fastapi.responses import StreamingResponse
from starlette.concurrency import run_in_threadpool

from app import clock
from app.deps import PrincipalDep, SessionDep, StreamingSessionDep
from app.errors import NotFound, ValidationProblem
from app.http.middleware import NON_JSON_BODY_PATHS
from app.http.ratelimit import charge_batch
from app.http.responses import FastJSONResponse
from app.repositories.deliveries import DeliveryRecord, deliveries_of_endpoint, delivery_record
from app.repositories.verifications import stored_verification
from app.routers.paging import decode_page_token, next_page_token
from app.routers.params import PageSize, PageToken
from app.schemas.clients import Deleted
from app.schemas.common import Page
from app.schemas.integration import (
    BatchResponse,
    DeliveryAttemptRead,
    DeliveryRead,
    WatchCreate,
    WatchRead,
    WebhookCreate,
    WebhookRead,
)
from app.schemas.verification import VerificationRead
from app.services import clients as client_service
from app.services.auth import Role
from app.services.integration import delivery as delivery_service
from app.services.integration import watches as watch_service
from app.services.integration import webhooks as webhook_service
from app.services.verification.batch import (
    CSV_FIELDS,
    CSV_MEDIA,
    CSV_OUT,
    JSON_MEDIA,
    MAX_BATCH_ITEMS,
    NDJSON_MEDIA,
    BatchStream,
    batch_media,
    parse_batch_body,
)

router = APIRouter(prefix="/v1")
ClientFilter = Annotated[
    uuid.UUID | None,
    Query(description="Admin keys: list this client's instead of your own (GET /v1/clients)."),
]
ClientRequired = Annotated[
    uuid.UUID, Query(description="The client whose resources are deleted (GET /v1/clients).")
]
BATCH_PATH = "/v1/verifications/batch"
NON_JSON_BODY_PATHS.add(BATCH_PATH)


BATCH_MEDIA_TYPES = {
    JSON_MEDIA: "application/json",
    NDJSON_MEDIA: "application/x-ndjson",
    CSV_MEDIA: "text/csv; charset=utf-8",
}


async def _batch_items(request: Request) -> list[Any]:
    """The batch's items, read within bounds (services/verification/batch.py)."""
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    return parse_batch_body(ctype, await request.body())


# The CSV body is described in words, not as a second `requestBody` media type: for an operation
# with a required body of two media types and no query parameter, openapi-python-client 0.29
# writes a module that cannot be imported (`Unset` undefined; its issue 1451).
BATCH_DESCRIPTION = f"""
Results in input order, one per item: a verification, or, for an item that fails validation,
its problem in place (the rest still run; pointers are relative to the whole request).

The body may also be CSV (`Content-Type: text/csv`): a header row naming fields among
{", ".join(CSV_FIELDS)} (certificate_number required), then one item per row. With
`Accept: text/csv` the answer is CSV too; with `Accept: application/x-ndjson` it is JSON Lines,
one result per line in input order.

The answer is streamed as items are answered (each part stored before it is sent, so every
verification received can be fetched again). Errors found before the answer starts are problems
with their own status; after it has started, an item that cannot be answered gets its problem in
place (`internal-error`, or `database-unavailable` for it and every item after it, none of which
was stored), so the document is always complete.
"""
_NDJSON_OUT = {
    "type": "string",
    "description": "With `Accept: application/x-ndjson`: one JSON object per line (a "
    "verification, or an item's problem), in input order.",
}
_CSV_OUT = {
    "type": "string",
    "format": "binary",
    "description": f"With `Accept: text/csv`: a header row ({','.join(CSV_OUT)}), then one row "
    "per item in input order; an item that failed validation has its number, CB and `error`.",
}


@router.post(
    "/verifications/batch",
    response_model=BatchResponse,
    tags=["verification"],
    summary="Verify up to 10,000 certificates",
    description=BATCH_DESCRIPTION,
    responses={
        200: {
            "content": {
                "text/csv": {"schema": _CSV_OUT},
                "application/x-ndjson": {"schema": _NDJSON_OUT},
            }
        }
    },
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                # app/http/openapi.py adds the component (the route reads the body itself)
                "application/json": {"schema": {"$ref": "#/components/schemas/BatchRequest"}},
            },
        }
    },
)
async def verify_many(
    request: Request, session: StreamingSessionDep, principal: PrincipalDep
) -> Any:
    """Results in input order, streamed (services/verification/batch.py); a bad item gets its
    own problem object while the rest run."""
    principal.require(Role.CLIENT, Role.ADMIN)
    items = await _batch_items(request)
    if len(items) > MAX_BATCH_ITEMS:
        raise ValidationProblem.field(
            "/items", f"at most {MAX_BATCH_ITEMS} items per batch (got {len(items)})"
        )
    await charge_batch(request, len(items))  # the key's batch-items budget, not its requests
    media = batch_media(request.headers.get("accept", ""))

    def start() -> tuple[BatchStream, bytes | None]:
        stream = BatchStream(session, raw_items=items, api_key_id=principal.key_id, media=media)
        return stream, stream.next_chunk()  # its errors are still the request's problems

    stream, first = await run_in_threadpool(start)

    async def body() -> AsyncIterator[bytes]:
        chunk = first
        while chunk is not None:
            yield chunk
            chunk = await run_in_threadpool(stream.next_chunk)

    return StreamingResponse(body(), media_type=BATCH_MEDIA_TYPES[media])


@router.get(
    "/verifications/{verification_id}", response_model=VerificationRead, tags=["verification"]
)
def get_verification(
    verification_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Any:
    """A verification made with a key of your client (any of them: it survives a rotation),
    again, with its receipt (evidence for a tender file)."""
    row = stored_verification(session, verification_id)
    if row is None or not client_service.made_by_caller(
        session, principal=principal, api_key_id=row.api_key_id
    ):
        raise NotFound(f"No verification with id {verification_id}.")
    return FastJSONResponse(row.response)


def _webhook_read(endpoint: Any, secret: str | None = None) -> WebhookRead:
    return WebhookRead(
        id=endpoint.id,
        url=endpoint.url,
        events=list(endpoint.events),
        enabled=endpoint.enabled,
        disabled_at=endpoint.disabled_at,
        disabled_reason=endpoint.disabled_reason,
        created_at=endpoint.created_at,
        secret=secret,
    )


@router.post("/webhooks", response_model=WebhookRead, status_code=201, tags=["webhooks"])
def create_webhook(body: WebhookCreate, session: SessionDep, principal: PrincipalDep) -> Any:
    """Register an endpoint; the answer carries its secret, shown only this once."""
    endpoint = webhook_service.create_endpoint(
        session, principal=principal, url=str(body.url), events=list(body.events)
    )
    return _webhook_read(endpoint, endpoint.secret)


@router.get("/webhooks", response_model=Page[WebhookRead], tags=["webhooks"])
def list_webhooks(
    session: SessionDep, principal: PrincipalDep, client_id: ClientFilter = None
) -> Any:
    """Your client's endpoints (an admin: those of `client_id`)."""
    rows = webhook_service.list_endpoints(session, principal=principal, client_id=client_id)
    return Page(items=[_webhook_read(e) for e in rows], next_page_token=None)


@router.delete("/webhooks", response_model=Deleted, tags=["webhooks"])
def delete_webhooks_of_client(
    client_id: ClientRequired, session: SessionDep, principal: PrincipalDep
) -> Any:
    """Delete every endpoint of a client (admin); each deletion is audited."""
    deleted = webhook_service.delete_endpoints_of_client(
        session, principal=principal, client_id=client_id
    )
    return Deleted(deleted=deleted)


@router.get("/webhooks/{webhook_id}", response_model=WebhookRead, tags=["webhooks"])
def get_webhook(webhook_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> Any:
    """One endpoint, with why it was disabled if it was."""
    return _webhook_read(
        webhook_service.owned_endpoint(session, principal=principal, endpoint_id=webhook_id)
    )


@router.delete("/webhooks/{webhook_id}", status_code=204, tags=["webhooks"])
def delete_webhook(webhook_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> Response:
    """Stop delivering to an endpoint."""
    webhook_service.delete_endpoint(session, principal=principal, endpoint_id=webhook_id)
    return Response(status_code=204)


@router.post("/webhooks/{webhook_id}/rotate-secret", response_model=WebhookRead, tags=["webhooks"])
def rotate_webhook_secret(
    webhook_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Any:
    """A new secret, shown once; the old one also signs for 24 hours."""
    secret = webhook_service.rotate_secret(session, principal=principal, endpoint_id=webhook_id)
    endpoint = webhook_service.owned_endpoint(session, principal=principal, endpoint_id=webhook_id)
    return _webhook_read(endpoint, secret)


@router.post("/webhooks/{webhook_id}/enable", response_model=WebhookRead, tags=["webhooks"])
def enable_webhook(webhook_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> Any:
    """Re-enable a disabled endpoint; paused deliveries resume."""
    return _webhook_read(
        webhook_service.enable_endpoint(session, principal=principal, endpoint_id=webhook_id)
    )


def _delivery_read(record: DeliveryRecord) -> DeliveryRead:
    d = record.delivery
    return DeliveryRead(
        id=d.id,
        event_id=d.event_id,
        event_type=record.event_type,
        status=d.status,
        attempts=d.attempts,
        next_attempt_at=d.next_attempt_at if d.status == "pending" else None,
        delivered_at=d.delivered_at,
        last_status_code=d.last_status_code,
        last_error=d.last_error,
        created_at=d.created_at,
        attempt_log=[
            DeliveryAttemptRead(
                attempted_at=a.attempted_at,
                status_code=a.status_code,
                error=a.error,
                duration_ms=a.duration_ms,
            )
            for a in record.attempts
        ],
    )


@router.get(
    "/webhooks/{webhook_id}/deliveries", response_model=Page[DeliveryRead], tags=["webhooks"]
)
def list_deliveries(
    webhook_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    page_size: PageSize = 50,
    page_token: PageToken = None,
) -> Any:
    """Every delivery to an endpoint with each attempt, newest first."""
    webhook_service.owned_endpoint(session, principal=principal, endpoint_id=webhook_id)
    offset = decode_page_token(page_token)
    rows = deliveries_of_endpoint(session, webhook_id, offset=offset, limit=page_size + 1)
    return Page(
        items=[_delivery_read(r) for r in rows[:page_size]],
        next_page_token=next_page_token(offset, page_size, len(rows)),
    )


@router.post(
    "/webhooks/{webhook_id}/deliveries/{delivery_id}/replay",
    response_model=DeliveryRead,
    tags=["webhooks"],
)
def replay_delivery(
    webhook_id: uuid.UUID, delivery_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Any:
    """Send a delivery again, with the same webhook-id."""
    webhook_service.owned_endpoint(session, principal=principal, endpoint_id=webhook_id)
    delivery_service.replay_endpoint_delivery(
        session,
        principal=principal,
        endpoint_id=webhook_id,
        delivery_id=delivery_id,
        now=clock.now(),
    )
    record = delivery_record(session, delivery_id)
    assert record is not None
    return _delivery_read(record)


def _watch_read(watch: Any) -> WatchRead:
    return WatchRead(
        id=watch.id,
        certificate_id=watch.certificate_id,
        created_at=watch.created_at,
        last_verdict=watch.last_verdict,
        last_evaluated_at=watch.last_evaluated_at,
    )


@router.post("/watches", response_model=WatchRead, status_code=201, tags=["watches"])
def create_watch(body: WatchCreate, session: SessionDep, principal: PrincipalDep) -> Any:
    """Watch a certificate; its current verdict is the baseline for change events."""
    watch = watch_service.create_watch(
        session,
        principal=principal,
        certificate_id=body.certificate_id,
        certificate_number=body.certificate_number,
        certification_body=body.certification_body,
        today=clock.today(),
    )
    return _watch_read(watch)


@router.get("/watches", response_model=Page[WatchRead], tags=["watches"])
def list_watches(
    session: SessionDep,
    principal: PrincipalDep,
    client_id: ClientFilter = None,
    page_size: PageSize = 50,
    page_token: PageToken = None,
) -> Any:
    """Your client's watches (an admin: those of `client_id`)."""
    offset = decode_page_token(page_token)
    rows = watch_service.list_watches(
        session, principal=principal, client_id=client_id, offset=offset, limit=page_size + 1
    )
    return Page(
        items=[_watch_read(w) for w in rows[:page_size]],
        next_page_token=next_page_token(offset, page_size, len(rows)),
    )


@router.delete("/watches", response_model=Deleted, tags=["watches"])
def delete_watches_of_client(
    client_id: ClientRequired, session: SessionDep, principal: PrincipalDep
) -> Any:
    """Delete every watch of a client (admin); each deletion is audited."""
    deleted = watch_service.delete_watches_of_client(
        session, principal=principal, client_id=client_id
    )
    return Deleted(deleted=deleted)


@router.get("/watches/{watch_id}", response_model=WatchRead, tags=["watches"])
def get_watch(watch_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> Any:
    """One watch."""
    return _watch_read(watch_service.owned_watch(session, principal=principal, watch_id=watch_id))


@router.delete("/watches/{watch_id}", status_code=204, tags=["watches"])
def delete_watch(watch_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> Response:
    """Stop watching."""
    watch_service.delete_watch(session, principal=principal, watch_id=watch_id)
    return Response(status_code=204)
