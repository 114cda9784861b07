"""Clients (who owns keys and resources), API keys (stored hashed) and the receipt-signing keys."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, new_id, utcnow


class Client(Base):
    """Who holds keys and owns watches, webhook endpoints and their deliveries (issue 14).

    `kind` is the role of every key it holds (admin, accreditation_body, certification_body or
    client); an AB or CB has one client, bound to it by `body_id`. A client is active while it
    is not disabled and holds at least one key that is not revoked: only then are its watches
    re-evaluated and its deliveries made. Keys come and go (rotation), resources stay.
    """

    __tablename__ = "clients"
    __table_args__ = (UniqueConstraint("kind", "body_id", name="uq_clients_kind_body"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    kind: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(300))
    body_id: Mapped[uuid.UUID | None]
    disabled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApiKey(Base):
    """An API key of one client: role, optional binding to one AB or CB (both the client's), and
    a hash (never the secret)."""

    __tablename__ = "api_keys"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    client_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clients.id"), index=True)
    prefix: Mapped[str] = mapped_column(String(24), unique=True)
    secret_hash: Mapped[str] = mapped_column(String(128))
    role: Mapped[str] = mapped_column(String(40))
    body_id: Mapped[uuid.UUID | None]
    name: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]

    client: Mapped[Client] = relationship(lazy="raise")


class SigningKey(Base):
    """The public half of an Ed25519 receipt-signing key, kept after it is retired so that old
    receipts still verify. The private half never enters the database (app/keystore.py)."""

    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    public_jwk: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]
