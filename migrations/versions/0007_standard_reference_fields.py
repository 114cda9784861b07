"""standard editions carry the second round of reference fields

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02 10:00:00

Issue 13, part 5 (DESIGN.md, "Verification rules": Deadlines, Recognition scope): a standard
edition keeps, as real columns, what the shipped reference data says about it:

- `transition_deadline_earliest`: where authoritative sources disagree on the transition
  deadline, the earliest date one gives (the days after it, up to `transition_deadline`, are
  disputed: a warning, never a failure);
- `transition_rule_source`: the decision that set the deadline, cited in messages;
- `in_mla_scope`: whether the standard is within the MLA's management-system scope;
- `published`: the publication date as sourced ("YYYY-MM-DD", "YYYY-MM", "YYYY" or null);
- `amendments`: amendment labels (not editions, no transition).

Existing rows get the values that change nothing (no earliest date, no rule source, in scope,
publication unknown, no amendments) until `certverify seed` fills them from the shipped file.
Plain ADD COLUMNs (constant defaults on SQLite): a batch copy of the table would trip the
foreign keys that point at it.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0007'
down_revision: str | None = '0006'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column('standards', sa.Column('transition_deadline_earliest', sa.Date(), nullable=True))
    op.add_column(
        'standards', sa.Column('transition_rule_source', sa.String(length=200), nullable=True)
    )
    op.add_column(
        'standards',
        sa.Column('in_mla_scope', sa.Boolean(), nullable=False, server_default=sa.true()),
    )
    op.add_column('standards', sa.Column('published', sa.String(length=10), nullable=True))
    op.add_column(
        'standards',
        sa.Column('amendments', sa.JSON(), nullable=False, server_default=sa.text("'[]'")),
    )


def downgrade() -> None:
    for column in (
        'amendments',
        'published',
        'in_mla_scope',
        'transition_rule_source',
        'transition_deadline_earliest',
    ):
        op.drop_column('standards', column)
