"""Queries about keys and clients: the API keys clients present, the clients that hold them (and
own watches and webhooks), and the keys that sign receipts."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import NamedTuple

from sqlalchemy import ColumnElement, and_, exists, func, select
from sqlalchemy.orm import InstrumentedAttribute, Session, joinedload

from app.models import ApiKey, Client, SigningKey, Watch, WebhookEndpoint


def api_key_by_prefix(session: Session, prefix: str) -> ApiKey | None:
    """The API key with this public prefix (unique per key), revoked or not, with its client."""
    return session.scalars(
        select(ApiKey).options(joinedload(ApiKey.client)).where(ApiKey.prefix == prefix)
    ).one_or_none()


def get_api_key(session: Session, key_id: uuid.UUID) -> ApiKey | None:
    """One API key, revoked or not."""
    return session.get(ApiKey, key_id)


def client_of_key(session: Session, key_id: uuid.UUID) -> uuid.UUID | None:
    """The id of the client that holds this key (None: no such key)."""
    return session.scalar(select(ApiKey.client_id).where(ApiKey.id == key_id))


def get_client(
    session: Session, client_id: uuid.UUID, *, for_update: bool = False
) -> Client | None:
    """One client, disabled or not; `for_update` locks its row on PostgreSQL (serialises the
    writes that count what it owns, such as the cap on endpoints)."""
    stmt = select(Client).where(Client.id == client_id)
    if for_update and session.get_bind().dialect.name == "postgresql":
        stmt = stmt.with_for_update()
    return session.scalars(stmt).one_or_none()


def client_of_body(session: Session, *, kind: str, body_id: uuid.UUID) -> Client | None:
    """The client bound to this AB or CB (`kind` accreditation_body or certification_body)."""
    return session.scalars(
        select(Client).where(Client.kind == kind, Client.body_id == body_id)
    ).one_or_none()


def keys_of_clients(
    session: Session, client_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[ApiKey]]:
    """Every key of these clients, revoked or not, oldest first, by client."""
    keys: dict[uuid.UUID, list[ApiKey]] = {c: [] for c in client_ids}
    if client_ids:
        for key in session.scalars(
            select(ApiKey)
            .where(ApiKey.client_id.in_(list(client_ids)))
            .order_by(ApiKey.created_at, ApiKey.id)
        ):
            keys[key.client_id].append(key)
    return keys


def active_key_count(session: Session, client_id: uuid.UUID) -> int:
    """How many keys of the client are not revoked."""
    count = session.scalar(
        select(func.count())
        .select_from(ApiKey)
        .where(ApiKey.client_id == client_id, ApiKey.revoked_at.is_(None))
    )
    return count or 0


def clients(
    session: Session,
    *,
    kind: str | None,
    body_id: uuid.UUID | None,
    offset: int,
    limit: int | None,
) -> Sequence[Client]:
    """Clients, oldest first, a page at a time, optionally of one kind or bound to one body."""
    stmt = select(Client)
    if kind is not None:
        stmt = stmt.where(Client.kind == kind)
    if body_id is not None:
        stmt = stmt.where(Client.body_id == body_id)
    return session.scalars(
        stmt.order_by(Client.created_at, Client.id).offset(offset).limit(limit)
    ).all()


class ClientHoldings(NamedTuple):
    """What a client owns that keeps working for it: watches and endpoints not deleted."""

    watches: int
    webhooks: int


def holdings_of_clients(
    session: Session, client_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, ClientHoldings]:
    """The number of watches and of endpoints (not deleted) of each client."""
    watches = dict(
        session.execute(
            select(Watch.client_id, func.count())
            .where(Watch.client_id.in_(list(client_ids)))
            .group_by(Watch.client_id)
        ).all()
    )
    webhooks = dict(
        session.execute(
            select(WebhookEndpoint.client_id, func.count())
            .where(
                WebhookEndpoint.client_id.in_(list(client_ids)),
                WebhookEndpoint.deleted_at.is_(None),
            )
            .group_by(WebhookEndpoint.client_id)
        ).all()
    )
    return {c: ClientHoldings(watches.get(c, 0), webhooks.get(c, 0)) for c in client_ids}


def client_is_active(
    client_id: ColumnElement[uuid.UUID] | InstrumentedAttribute[uuid.UUID],
) -> ColumnElement[bool]:
    """SQL condition: the client `client_id` names is not disabled and holds a key that is not
    revoked. Dispatch, claim and re-evaluation all filter on it (issue 14)."""
    live_key = exists().where(ApiKey.client_id == Client.id, ApiKey.revoked_at.is_(None))
    return exists().where(and_(Client.id == client_id, Client.disabled_at.is_(None), live_key))


def signing_key_by_kid(session: Session, kid: str) -> SigningKey | None:
    """The public half of the signing key with this RFC 7638 thumbprint, retired or not."""
    return session.get(SigningKey, kid)


def current_signing_keys(session: Session) -> Sequence[SigningKey]:
    """The signing keys not retired, oldest first (a rotation retires all but the new one)."""
    return session.scalars(
        select(SigningKey).where(SigningKey.retired_at.is_(None)).order_by(SigningKey.created_at)
    ).all()


def signing_keys(session: Session) -> Sequence[SigningKey]:
    """Every signing key, retired or not, oldest first (all of them verify receipts)."""
    return session.scalars(select(SigningKey).order_by(SigningKey.created_at)).all()
