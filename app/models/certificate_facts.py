"""One row of verification facts per certificate (issue 16, item 2).

A cold verification reads the certificates of a number from this table alone (one indexed read,
joined on primary keys with the CB and the standard edition, which stay out of the row because
`certverify seed` and the CB endpoints change them), instead of three statements over
certificates, organisations, sites and status events. The row is written in the transaction of
every change that affects it (app/repositories/certificate_facts.py, `refresh_certificate_facts`).

`facts` is one JSON array, decoded with orjson (app/services/verification/fact_mapping.py):
[certificate_number, organisation name, organisation country, organisation aliases, scope,
sectors, issue_date, expiry_date, original_issue_date, confidential,
[[site position, country, name, address], ...],
[[effective_from, recorded_at (sortable text), status, reason], ...]].
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base


class CertificateFacts(Base):
    """The verification facts of one certificate, denormalised into one row."""

    __tablename__ = "certificate_facts"
    __table_args__ = (Index("ix_certificate_facts_number_key", "number_key"),)

    certificate_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("certificates.id", ondelete="CASCADE"), primary_key=True
    )
    number_key: Mapped[str] = mapped_column(String(60))
    certification_body_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("certification_bodies.id"))
    standard_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("standards.id"))
    created_at: Mapped[datetime]
    """The certificate's creation time: the order of a number's certificates across CBs."""
    facts: Mapped[str] = mapped_column(Text)
