"""Accreditation bodies, their MLA recognitions, and accreditations of certification bodies."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, TimestampMixin, new_id, utcnow


class AccreditationBody(TimestampMixin, Base):
    """An accreditation body (AB); recognised for some standards under the IAF MLA."""

    __tablename__ = "accreditation_bodies"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    acronym: Mapped[str] = mapped_column(String(40))
    acronym_key: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(300))
    economy: Mapped[str | None] = mapped_column(String(2))
    economy_name: Mapped[str | None] = mapped_column(String(120))
    region: Mapped[str | None] = mapped_column(String(20))
    website: Mapped[str | None] = mapped_column(String(300))
    mla_scopes_complete: Mapped[bool] = mapped_column(default=True)
    reference_data: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str | None] = mapped_column(Text)
    uncertain: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str | None] = mapped_column(Text)

    mla_scopes: Mapped[list[MlaRecognition]] = relationship(
        back_populates="accreditation_body",
        cascade="all, delete-orphan",
        lazy="raise",
        order_by="MlaRecognition.standard_code",
    )


class MlaRecognition(Base):
    """An AB's IAF MLA recognition for one standard code (no edition), dated."""

    __tablename__ = "mla_recognitions"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    accreditation_body_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accreditation_bodies.id", ondelete="CASCADE"), index=True
    )
    standard_code: Mapped[str] = mapped_column(String(40))
    standard_code_key: Mapped[str] = mapped_column(String(40))
    since: Mapped[date | None]
    until: Mapped[date | None]
    source: Mapped[str | None] = mapped_column(Text)

    accreditation_body: Mapped[AccreditationBody] = relationship(
        back_populates="mla_scopes", lazy="raise"
    )


class Accreditation(TimestampMixin, Base):
    """One accreditation of a CB by an AB for one standard code, sectors and validity."""

    __tablename__ = "accreditations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    certification_body_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("certification_bodies.id"), index=True
    )
    accreditation_body_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accreditation_bodies.id"), index=True
    )
    accreditation_number: Mapped[str] = mapped_column(String(80))
    standard_code: Mapped[str] = mapped_column(String(40))
    standard_code_key: Mapped[str] = mapped_column(String(40))
    sectors: Mapped[list[int]] = mapped_column(default=list)
    valid_from: Mapped[date]
    valid_until: Mapped[date | None]

    status_events: Mapped[list[AccreditationStatusEvent]] = relationship(
        back_populates="accreditation",
        cascade="all, delete-orphan",
        lazy="raise",
        order_by="(AccreditationStatusEvent.effective_from, AccreditationStatusEvent.recorded_at)",
    )
    accreditation_body: Mapped[AccreditationBody] = relationship(lazy="raise")


class AccreditationStatusEvent(Base):
    """A dated status change of an accreditation (active, suspended, withdrawn)."""

    __tablename__ = "accreditation_status_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    accreditation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("accreditations.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    effective_from: Mapped[date]
    reason: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_key_id: Mapped[uuid.UUID | None]
    actor_role: Mapped[str | None] = mapped_column(String(40))

    accreditation: Mapped[Accreditation] = relationship(
        back_populates="status_events", lazy="raise"
    )
