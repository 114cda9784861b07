"""stored documents: a certificate document kept with its stored verification (store=true)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01 16:00:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '0013'
down_revision: str | None = '0012'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        'stored_documents',
        sa.Column('verification_id', sa.Uuid(), nullable=False),
        sa.Column('sha256', sa.String(length=64), nullable=False),
        sa.Column('media_type', sa.String(length=40), nullable=False),
        sa.Column('filename', sa.String(length=255), nullable=True),
        sa.Column('size_bytes', sa.Integer(), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['verification_id'],
            ['verifications.id'],
            name=op.f('fk_stored_documents_verification_id_verifications'),
            ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('verification_id', name=op.f('pk_stored_documents')),
    )


def downgrade() -> None:
    op.drop_table('stored_documents')
