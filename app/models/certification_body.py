"""Certification bodies (CBs): the issuers of certificates."""

from __future__ import annotations

import uuid

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, TimestampMixin, new_id


class CertificationBody(TimestampMixin, Base):
    """A certification body that publishes its certificates to this registry."""

    __tablename__ = "certification_bodies"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(300))
    name_key: Mapped[str] = mapped_column(String(300), index=True)
    acronym: Mapped[str | None] = mapped_column(String(40))
    acronym_key: Mapped[str | None] = mapped_column(String(40), unique=True)
    country: Mapped[str | None] = mapped_column(String(2))
    website: Mapped[str | None] = mapped_column(String(300))
    aliases: Mapped[list[str]] = mapped_column(default=list)
    """Other names the CB is known by, tried last when a CB is named (DESIGN.md, CB resolution)."""
