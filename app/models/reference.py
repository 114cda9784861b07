"""Reference data: standard editions and IAF sector codes."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base, new_id


class Standard(Base):
    """A certifiable standard edition, e.g. ISO 9001:2015, with its transition deadline.

    The reference fields are documented in the shipped file's `_meta.fields`
    (app/reference/reference_data.json): `transition_deadline_earliest` is set where sources
    disagree (disputed days warn, never fail), `transition_rule_source` is the decision to cite,
    `in_mla_scope` False means MLA recognition is not expected (accreditation can be national
    only), `published` is the publication date as sourced ("YYYY-MM-DD", "YYYY-MM", "YYYY" or
    None) and `amendments` are amendment labels, which are not editions and have no transition.
    """

    __tablename__ = "standards"
    __table_args__ = (UniqueConstraint("code_key", "edition", name="uq_standards_code_edition"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_id)
    code: Mapped[str] = mapped_column(String(40))
    code_key: Mapped[str] = mapped_column(String(40), index=True)
    edition: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(300))
    family: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str | None] = mapped_column(String(120))
    superseded_by: Mapped[str | None] = mapped_column(String(80))
    transition_deadline: Mapped[date | None]
    transition_deadline_earliest: Mapped[date | None]
    transition_rule_source: Mapped[str | None] = mapped_column(String(200))
    in_mla_scope: Mapped[bool] = mapped_column(default=True)
    published: Mapped[str | None] = mapped_column(String(10))
    amendments: Mapped[list[str]] = mapped_column(default=list)
    uses_iaf_sectors: Mapped[bool] = mapped_column(default=False)
    source: Mapped[str | None] = mapped_column(Text)
    uncertain: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str | None] = mapped_column(Text)

    @property
    def label(self) -> str:
        """The standard as printed on certificates."""
        return f"{self.code}:{self.edition}"


class Sector(Base):
    """An IAF sector code (IAF ID 1), 1..39."""

    __tablename__ = "iaf_sectors"

    code: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(String(200))
    nace_rev2: Mapped[list[str]] = mapped_column(default=list)
    nace_uncertain: Mapped[bool] = mapped_column(default=True)
