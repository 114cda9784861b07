"""Organisations, certificates, their sites, dated status history and field-change history."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.models.base import Base, TimestampMixin, new_id, utcnow
from app.models.certification_body import CertificationBody
from app.models.reference import Standard


class Organization(TimestampMixin, Base):
    """A certified entity as a CB records it (owned by that CB, so no CB can edit another's)."""

    __tablename__ = "organizations"
    __table_args__ = (
        Index("ix_organizations_cb_name_country", "certification_body_id", "name_key", "country"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    certification_body_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("certification_bodies.id"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    name_key: Mapped[str] = mapped_column(String(300), index=True)
    country: Mapped[str | None] = mapped_column(String(2))
    aliases: Mapped[list[str]] = mapped_column(default=list)
    lei: Mapped[str | None] = mapped_column(String(20), index=True)
    vat: Mapped[str | None] = mapped_column(String(40))


class Certificate(TimestampMixin, Base):
    """A management-system certificate issued by one CB; number unique per CB by normalised key."""

    __tablename__ = "certificates"
    __table_args__ = (
        UniqueConstraint("certification_body_id", "number_key", name="uq_certificates_cb_number"),
        Index("ix_certificates_number_key", "number_key"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    certification_body_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("certification_bodies.id"))
    organization_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organizations.id"), index=True)
    standard_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("standards.id"), index=True)
    certificate_number: Mapped[str] = mapped_column(String(60))
    number_key: Mapped[str] = mapped_column(String(60))
    scope: Mapped[str] = mapped_column(Text, default="")
    sectors: Mapped[list[int]] = mapped_column(default=list)
    original_issue_date: Mapped[date | None]
    issue_date: Mapped[date]
    expiry_date: Mapped[date]
    confidential: Mapped[bool] = mapped_column(default=False)

    certification_body: Mapped[CertificationBody] = relationship(lazy="raise")
    organization: Mapped[Organization] = relationship(lazy="raise")
    standard: Mapped[Standard] = relationship(lazy="raise")
    sites: Mapped[list[CertificateSite]] = relationship(
        back_populates="certificate",
        cascade="all, delete-orphan",
        lazy="raise",
        order_by="CertificateSite.position",
    )
    status_events: Mapped[list[CertificateStatusEvent]] = relationship(
        back_populates="certificate",
        cascade="all, delete-orphan",
        lazy="raise",
        order_by="(CertificateStatusEvent.effective_from, CertificateStatusEvent.recorded_at)",
    )


class CertificateSite(Base):
    """A site covered by a certificate (ISO/IEC 17021-1 §8.2.2 a)."""

    __tablename__ = "certificate_sites"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    certificate_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("certificates.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str | None] = mapped_column(String(300))
    address: Mapped[str | None] = mapped_column(Text)
    country: Mapped[str] = mapped_column(String(2), index=True)

    certificate: Mapped[Certificate] = relationship(back_populates="sites", lazy="raise")


class CertificateStatusEvent(Base):
    """A dated status change of a certificate (ISO/IEC 17021-1 §9.6)."""

    __tablename__ = "certificate_status_events"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    certificate_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("certificates.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    effective_from: Mapped[date]
    reason: Mapped[str | None] = mapped_column(Text)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_key_id: Mapped[uuid.UUID | None]
    actor_role: Mapped[str | None] = mapped_column(String(40))

    certificate: Mapped[Certificate] = relationship(back_populates="status_events", lazy="raise")


class CertificateChange(Base):
    """A recorded change of one certificate field, with before and after, who and when."""

    __tablename__ = "certificate_changes"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    certificate_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("certificates.id", ondelete="CASCADE"), index=True
    )
    field: Mapped[str] = mapped_column(String(60))
    before: Mapped[dict[str, Any]] = mapped_column(nullable=True)
    after: Mapped[dict[str, Any]] = mapped_column(nullable=True)
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)
    actor_key_id: Mapped[uuid.UUID | None]
    actor_role: Mapped[str | None] = mapped_column(String(40))
