"""clients own keys, watches, webhook endpoints and outbox events

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 09:00:00

Issue 14, part 2: resources were owned by the API key that made them, so a revoked key's watches
and webhooks kept delivering, nobody could list or delete them, and rotating a key orphaned
them. A `clients` table now holds who owns keys and resources (`kind`: the role of its keys;
`body_id`: the AB or CB it is bound to; `disabled_at`), `api_keys.client_id` says whose a key
is, and `watches`, `webhook_endpoints` and `outbox_events` are owned by `client_id` instead of
`api_key_id`. Stored verifications keep `api_key_id` (the key that made them, for evidence);
they are read through the key's client.

Clients for existing keys, in plain SQL (so offline --sql mode emits it too):
- one client per body binding: every key of the same role bound to the same AB or CB shares it;
  its id is that of the oldest such key, its name the body's name;
- one client per unbound key (admin and client keys): its id is the key's id, its name the
  key's name (else "<role> key <prefix>").
A client whose keys are all revoked is created too: it owns what its keys owned, and is stopped
(no re-evaluation, no delivery) until it gets a key again; an admin can list and delete it all.

Downgrade gives each resource back to a key of its client: the oldest one not revoked, else the
oldest one. Every client holds a key (clients are only made with their first key); a resource
of a client without any key could not be given back and is deleted, deliveries first.

Also `ix_webhook_deliveries_endpoint_due` (endpoint, status, next attempt), which the fair
claim of deliveries reads: each endpoint's oldest due delivery, and whether one is in flight.

On SQLite, batch mode rebuilds `api_keys` and the owned tables (copy, drop, rename) while other
tables reference them (webhook_deliveries with ON DELETE CASCADE): migrations/env.py runs
migrations with foreign keys unenforced and checks every reference afterwards.
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op


revision: str = '0010'
down_revision: str | None = '0009'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OWNED = ('watches', 'webhook_endpoints', 'outbox_events')

CLIENTS_OF_UNBOUND_KEYS = """
INSERT INTO clients (id, kind, name, body_id, disabled_at, created_at)
SELECT k.id, k.role, COALESCE(k.name, k.role || ' key ' || k.prefix), NULL, NULL, k.created_at
FROM api_keys k
WHERE k.body_id IS NULL
"""

CLIENTS_OF_BODIES = """
INSERT INTO clients (id, kind, name, body_id, disabled_at, created_at)
SELECT k.id, k.role, COALESCE(cb.name, ab.name, k.name, k.role), k.body_id, NULL, k.created_at
FROM api_keys k
LEFT JOIN certification_bodies cb ON k.role = 'certification_body' AND cb.id = k.body_id
LEFT JOIN accreditation_bodies ab ON k.role = 'accreditation_body' AND ab.id = k.body_id
WHERE k.body_id IS NOT NULL AND k.id = (
    SELECT k2.id FROM api_keys k2
    WHERE k2.role = k.role AND k2.body_id = k.body_id
    ORDER BY k2.created_at, k2.id
    LIMIT 1
)
"""

KEYS_TO_CLIENTS = """
UPDATE api_keys SET client_id = CASE
    WHEN body_id IS NULL THEN id
    ELSE (SELECT c.id FROM clients c WHERE c.kind = api_keys.role AND c.body_id = api_keys.body_id)
END
"""

RESOURCE_TO_CLIENT = """
UPDATE {table} SET client_id = (SELECT k.client_id FROM api_keys k WHERE k.id = {table}.api_key_id)
"""

RESOURCE_TO_KEY = """
UPDATE {table} SET api_key_id = (
    SELECT k.id FROM api_keys k
    WHERE k.client_id = {table}.client_id
    ORDER BY CASE WHEN k.revoked_at IS NULL THEN 0 ELSE 1 END, k.created_at, k.id
    LIMIT 1
)
"""

ORPHANS = (
    # Resources of a client without any key (see the docstring), dependants first.
    """DELETE FROM delivery_attempts WHERE delivery_id IN (
        SELECT d.id FROM webhook_deliveries d
        JOIN webhook_endpoints e ON e.id = d.endpoint_id
        JOIN outbox_events o ON o.id = d.event_id
        WHERE e.api_key_id IS NULL OR o.api_key_id IS NULL)""",
    """DELETE FROM webhook_deliveries WHERE
        endpoint_id IN (SELECT id FROM webhook_endpoints WHERE api_key_id IS NULL)
        OR event_id IN (SELECT id FROM outbox_events WHERE api_key_id IS NULL)""",
    "DELETE FROM webhook_endpoints WHERE api_key_id IS NULL",
    "DELETE FROM outbox_events WHERE api_key_id IS NULL",
    "DELETE FROM watches WHERE api_key_id IS NULL",
)


def upgrade() -> None:
    op.create_table('clients',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('body_id', sa.Uuid(), nullable=True),
    sa.Column('disabled_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clients')),
    sa.UniqueConstraint('kind', 'body_id', name='uq_clients_kind_body')
    )
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_id', sa.Uuid(), nullable=True))
    op.execute(sa.text(CLIENTS_OF_UNBOUND_KEYS))
    op.execute(sa.text(CLIENTS_OF_BODIES))
    op.execute(sa.text(KEYS_TO_CLIENTS))
    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.alter_column('client_id', existing_type=sa.Uuid(), nullable=False)
        batch_op.create_index(batch_op.f('ix_api_keys_client_id'), ['client_id'], unique=False)
        batch_op.create_foreign_key(
            batch_op.f('fk_api_keys_client_id_clients'), 'clients', ['client_id'], ['id']
        )

    for table in OWNED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('client_id', sa.Uuid(), nullable=True))
        op.execute(sa.text(RESOURCE_TO_CLIENT.format(table=table)))
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table == 'watches':
                batch_op.drop_constraint('uq_watches_key_certificate', type_='unique')
            batch_op.drop_index(batch_op.f(f'ix_{table}_api_key_id'))
            batch_op.drop_constraint(
                batch_op.f(f'fk_{table}_api_key_id_api_keys'), type_='foreignkey'
            )
            batch_op.drop_column('api_key_id')
            batch_op.alter_column('client_id', existing_type=sa.Uuid(), nullable=False)
            batch_op.create_index(batch_op.f(f'ix_{table}_client_id'), ['client_id'], unique=False)
            batch_op.create_foreign_key(
                batch_op.f(f'fk_{table}_client_id_clients'), 'clients', ['client_id'], ['id']
            )
            if table == 'watches':
                batch_op.create_unique_constraint(
                    'uq_watches_client_certificate', ['client_id', 'certificate_id']
                )

    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.create_index(
            'ix_webhook_deliveries_endpoint_due',
            ['endpoint_id', 'status', 'next_attempt_at'],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table('webhook_deliveries', schema=None) as batch_op:
        batch_op.drop_index('ix_webhook_deliveries_endpoint_due')

    for table in OWNED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('api_key_id', sa.Uuid(), nullable=True))
        op.execute(sa.text(RESOURCE_TO_KEY.format(table=table)))
    for statement in ORPHANS:
        op.execute(sa.text(statement))
    for table in OWNED:
        with op.batch_alter_table(table, schema=None) as batch_op:
            if table == 'watches':
                batch_op.drop_constraint('uq_watches_client_certificate', type_='unique')
            batch_op.drop_index(batch_op.f(f'ix_{table}_client_id'))
            batch_op.drop_constraint(
                batch_op.f(f'fk_{table}_client_id_clients'), type_='foreignkey'
            )
            batch_op.drop_column('client_id')
            batch_op.alter_column('api_key_id', existing_type=sa.Uuid(), nullable=False)
            batch_op.create_index(batch_op.f(f'ix_{table}_api_key_id'), ['api_key_id'], unique=False)
            batch_op.create_foreign_key(
                batch_op.f(f'fk_{table}_api_key_id_api_keys'), 'api_keys', ['api_key_id'], ['id']
            )
            if table == 'watches':
                batch_op.create_unique_constraint(
                    'uq_watches_key_certificate', ['api_key_id', 'certificate_id']
                )

    with op.batch_alter_table('api_keys', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_api_keys_client_id_clients'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_api_keys_client_id'))
        batch_op.drop_column('client_id')
    op.drop_table('clients')
