"""Clients (admin): who holds keys and owns watches and webhooks; disable and enable them.

Keys are made and revoked at the command line (`certverify keys`); an admin lists a client's
watches and webhooks with `GET /v1/watches?client_id=` and `GET /v1/webhooks?client_id=`, and
deletes them there (issue 14).
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter

from app.deps import PrincipalDep, SessionDep
from app.routers.paging import decode_page_token, next_page_token
from app.routers.params import PageSize, PageToken
from app.schemas.clients import ApiKeyRead, ClientKind, ClientRead
from app.schemas.common import Page
from app.services import clients as client_service
from app.services.clients import ClientView

router = APIRouter(prefix="/v1/clients", tags=["clients"])


def client_read(view: ClientView) -> ClientRead:
    """The answer for one client."""
    c = view.client
    return ClientRead(
        id=c.id,
        kind=c.kind,
        name=c.name,
        body_id=c.body_id,
        disabled_at=c.disabled_at,
        created_at=c.created_at,
        active=view.active,
        keys=[ApiKeyRead.model_validate(k, from_attributes=True) for k in view.keys],
        watches=view.watches,
        webhooks=view.webhooks,
    )


@router.get("", response_model=Page[ClientRead])
def list_clients(
    session: SessionDep,
    principal: PrincipalDep,
    kind: ClientKind | None = None,
    body_id: uuid.UUID | None = None,
    page_size: PageSize = 50,
    page_token: PageToken = None,
) -> Any:
    """Every client with its keys and holdings, oldest first (admin)."""
    offset = decode_page_token(page_token)
    views = client_service.list_clients(
        session,
        principal=principal,
        kind=kind,
        body_id=body_id,
        offset=offset,
        limit=page_size + 1,
    )
    return Page(
        items=[client_read(v) for v in views[:page_size]],
        next_page_token=next_page_token(offset, page_size, len(views)),
    )


@router.get("/{client_id}", response_model=ClientRead)
def get_client(client_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> Any:
    """One client (admin)."""
    return client_read(
        client_service.client_view(session, principal=principal, client_id=client_id)
    )


@router.post("/{client_id}/disable", response_model=ClientRead)
def disable_client(client_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> Any:
    """Disable a client (admin): its keys are refused, its watches and deliveries stop."""
    return client_read(
        client_service.disable_client(session, principal=principal, client_id=client_id)
    )


@router.post("/{client_id}/enable", response_model=ClientRead)
def enable_client(client_id: uuid.UUID, session: SessionDep, principal: PrincipalDep) -> Any:
    """Enable a disabled client again (admin); its keys not revoked work again."""
    return client_read(
        client_service.enable_client(session, principal=principal, client_id=client_id)
    )
