"""certificate facts: one row of verification facts per certificate (issue 16, item 2)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01 17:00:00.000000

The table, its number-key index and the backfill: one set-based INSERT ... SELECT per engine
over the whole registry (a copy of app/repositories/certificate_facts.py's statement as of this
revision: migrations are frozen).
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SQLITE_FACTS = """json_array(
    c.certificate_number, o.name, o.country, json(coalesce(o.aliases, '[]')), c.scope,
    json(coalesce(c.sectors, '[]')), c.issue_date, c.expiry_date, c.original_issue_date,
    c.confidential,
    json((SELECT json_group_array(json_array(s.position, s.country, s.name, s.address))
          FROM (SELECT position, country, name, address FROM certificate_sites
                WHERE certificate_id = c.id ORDER BY position) AS s)),
    json((SELECT json_group_array(json_array(e.effective_from, e.recorded_at, e.status, e.reason))
          FROM (SELECT effective_from, recorded_at, status, reason
                FROM certificate_status_events WHERE certificate_id = c.id
                ORDER BY effective_from, recorded_at) AS e)))"""
_POSTGRESQL_FACTS = """json_build_array(
    c.certificate_number, o.name, o.country, coalesce(o.aliases, '[]'::json), c.scope,
    coalesce(c.sectors, '[]'::json), c.issue_date, c.expiry_date, c.original_issue_date,
    c.confidential,
    coalesce((SELECT json_agg(json_build_array(s.position, s.country, s.name, s.address)
                              ORDER BY s.position)
              FROM certificate_sites s WHERE s.certificate_id = c.id), '[]'::json),
    coalesce((SELECT json_agg(json_build_array(
                  e.effective_from,
                  to_char(e.recorded_at AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS.US'),
                  e.status, e.reason) ORDER BY e.effective_from, e.recorded_at)
              FROM certificate_status_events e WHERE e.certificate_id = c.id), '[]'::json)
    )::text"""


def upgrade() -> None:
    op.create_table(
        "certificate_facts",
        sa.Column("certificate_id", sa.Uuid(), nullable=False),
        sa.Column("number_key", sa.String(length=60), nullable=False),
        sa.Column("certification_body_id", sa.Uuid(), nullable=False),
        sa.Column("standard_id", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_certificate_facts_certificate_id_certificates"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["certification_body_id"],
            ["certification_bodies.id"],
            name=op.f("fk_certificate_facts_certification_body_id_certification_bodies"),
        ),
        sa.ForeignKeyConstraint(
            ["standard_id"],
            ["standards.id"],
            name=op.f("fk_certificate_facts_standard_id_standards"),
        ),
        sa.PrimaryKeyConstraint("certificate_id", name=op.f("pk_certificate_facts")),
    )
    facts = _POSTGRESQL_FACTS if op.get_bind().dialect.name == "postgresql" else _SQLITE_FACTS
    op.execute(
        "INSERT INTO certificate_facts "
        "(certificate_id, number_key, certification_body_id, standard_id, created_at, facts) "
        "SELECT c.id, c.number_key, c.certification_body_id, c.standard_id, c.created_at, "
        f"{facts} FROM certificates c JOIN organizations o ON o.id = c.organization_id"
    )
    # After the backfill: one index build instead of a million insertions into it.
    op.create_index("ix_certificate_facts_number_key", "certificate_facts", ["number_key"])


def downgrade() -> None:
    op.drop_index("ix_certificate_facts_number_key", table_name="certificate_facts")
    op.drop_table("certificate_facts")
