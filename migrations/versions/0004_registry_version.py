"""registry version counter for fact-cache invalidation

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 19:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0004'
down_revision: str | None = '0003'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    table = op.create_table('registry_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_registry_version'))
    )
    # The single row that every committed registry write bumps (app/services/fact_cache.py).
    op.bulk_insert(table, [{'id': 1, 'version': 0}])


def downgrade() -> None:
    # Later downgrades in the same transaction may have written registry rows (0008 re-keys
    # names), which asks app/models/registry_version.py to bump this table at COMMIT: the
    # table is gone by then, so forget that request (the version means nothing without it).
    op.get_bind().info.pop('certverify.wrote_registry', None)
    op.drop_table('registry_version')
