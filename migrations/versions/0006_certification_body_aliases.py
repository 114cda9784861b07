"""certification bodies carry aliases

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 11:40:00

Issue 13, part 4 (DESIGN.md, "CB resolution"): a named certification body is resolved by id,
acronym, exact folded name, name without legal form, then its aliases ("BV" for "Bureau
Veritas Certification Holding SAS"). The aliases are a list of names, like an organisation's,
written through the CB write API (API.md, "Added in the second round"). Existing CBs get an
empty list, so nothing resolves differently until someone adds an alias.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0006'
down_revision: str | None = '0005'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain ADD COLUMN (SQLite supports it with a constant default): a batch copy of the
    # table would trip the foreign keys that point at it.
    op.add_column(
        'certification_bodies',
        sa.Column('aliases', sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
    )


def downgrade() -> None:
    op.drop_column('certification_bodies', 'aliases')
