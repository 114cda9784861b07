"""receipt signing key out of the database, webhook secrets encrypted at rest

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 12:00:00

Issue 14, part 4: the receipt signing key was a plaintext PEM in `signing_keys.private_key_pem`
(so it travelled to every replica and backup), and webhook secrets were stored in plaintext.
From this revision the database holds only public keys and ciphertexts; the private key and the
key-encryption key live where app/keystore.py reads them: CERTVERIFY_SIGNING_KEY /
CERTVERIFY_SECRET_KEY, else CERTVERIFY_SIGNING_KEY_FILE / CERTVERIFY_SECRET_KEY_FILE, else files
generated in CERTVERIFY_DATA_DIR, else beside the SQLite database file.

Upgrade, in this order, refusing before it changes anything:
1. The key receipts were signed with (the oldest key not retired, as revision 0010's code chose
   it) is written to the signing key file, mode 0600, when there is no file yet, so receipts go
   on being signed with the same key. When the key comes from CERTVERIFY_SIGNING_KEY, or a key
   file is there already, that key signs from now on instead. Every other key gets `retired_at`
   (its public half stays: the receipts it signed still verify against the JWKS).
   When the file cannot be written (a PostgreSQL database without CERTVERIFY_DATA_DIR or
   CERTVERIFY_SIGNING_KEY_FILE, a directory it may not write) the migration stops with a message
   saying what to set, and nothing has changed: set it and run `certverify migrate` again.
2. Webhook secrets (`secret`, `previous_secret`) still in plaintext (`whsec_...`) are encrypted
   with the key-encryption key (Fernet), which is generated beside the signing key when missing.
3. `signing_keys.private_key_pem` is dropped.

Downgrade puts the private key found where the application reads it back into its row (other
rows get an empty value and are retired, so revision 0010's code signs with that key, or makes a
new one), and decrypts the webhook secrets; it refuses when secrets are encrypted and the
key-encryption key is not found. The key files are left in place.

Offline (--sql) mode cannot move keys, so this revision refuses to run in it.
"""

import logging
from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

from app import clock, keystore
from app.config import get_settings


revision: str = '0011'
down_revision: str | None = '0010'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger('alembic.runtime.migration')

PLAINTEXT_PREFIX = 'whsec_'  # a Standard Webhooks secret; a Fernet token starts with "gAAAAA"

signing_keys = sa.table(
    'signing_keys',
    sa.column('kid', sa.String),
    sa.column('private_key_pem', sa.Text),
    sa.column('created_at', sa.DateTime(timezone=True)),
    sa.column('retired_at', sa.DateTime(timezone=True)),
)
endpoints = sa.table(
    'webhook_endpoints',
    sa.column('id', sa.Uuid),
    sa.column('secret', sa.String),
    sa.column('previous_secret', sa.String),
)


def _refuse_offline() -> None:
    if op.get_context().as_sql:
        raise RuntimeError(
            'revision 0011 moves key material out of the database and cannot run in offline '
            '(--sql) mode: run `certverify migrate` against the database'
        )


def _database_url() -> str:
    return op.get_bind().engine.url.render_as_string(hide_password=False)


def _refusal(exc: keystore.KeyConfigurationError) -> keystore.KeyConfigurationError:
    return keystore.KeyConfigurationError(
        f'migration 0011 moves the receipt signing key out of the database, and cannot: {exc}. '
        'Nothing was changed; run `certverify migrate` again once that is set.'
    )


def _signing_key_to_file(bind: sa.Connection) -> None:
    """Step 1 of the docstring: the key that signs stays where the application reads it."""
    rows = bind.execute(
        sa.select(signing_keys.c.kid, signing_keys.c.private_key_pem, signing_keys.c.retired_at)
        .order_by(signing_keys.c.created_at, signing_keys.c.kid)
    ).all()
    if not rows:
        return
    settings = get_settings()
    try:
        source = keystore.signing_key_source(settings, _database_url())
        if source.variable is not None:
            kept = keystore.load_signing_key(settings, database_url=_database_url())
            assert kept is not None
            keep = kept.thumbprint()
            log.info('signing keys: %s signs from now on', source.variable)
        else:
            assert source.path is not None
            existing = keystore.read_key_file(source.path)
            current = next((row for row in rows if row.retired_at is None), None)
            if existing is not None:
                keep = keystore.parse_signing_key(existing, str(source.path)).thumbprint()
                log.info('signing keys: the key file %s is there already and signs', source.path)
            elif current is not None:
                key = keystore.parse_signing_key(
                    current.private_key_pem, f'signing_keys.private_key_pem of {current.kid}'
                )
                if not keystore.write_key_file(source.path, keystore.signing_key_pem(key)):
                    existing = keystore.read_key_file(source.path)  # written meanwhile
                    assert existing is not None
                    key = keystore.parse_signing_key(existing, str(source.path))
                keep = key.thumbprint()
                log.info('signing keys: %s written to %s (mode 0600)', keep, source.path)
            else:
                keep = None  # every key was retired: the application makes a new one
    except keystore.KeyConfigurationError as exc:
        raise _refusal(exc) from None
    now = clock.now()
    retire = [row.kid for row in rows if row.retired_at is None and row.kid != keep]
    if retire:
        bind.execute(
            signing_keys.update()
            .where(signing_keys.c.kid.in_(retire))
            .values(retired_at=now)
        )
        log.info('signing keys: retired %s', ', '.join(retire))


def _encrypt_webhook_secrets(bind: sa.Connection) -> None:
    """Step 2 of the docstring."""
    rows = bind.execute(
        sa.select(endpoints.c.id, endpoints.c.secret, endpoints.c.previous_secret)
    ).all()
    plain = [
        row
        for row in rows
        if (row.secret or '').startswith(PLAINTEXT_PREFIX)
        or (row.previous_secret or '').startswith(PLAINTEXT_PREFIX)
    ]
    if not plain:
        return
    try:
        box = keystore.load_secret_box(get_settings(), database_url=_database_url())
    except keystore.KeyConfigurationError as exc:
        raise keystore.KeyConfigurationError(
            f'migration 0011 encrypts webhook secrets and cannot: {exc}. Nothing was changed; '
            'run `certverify migrate` again once that is set.'
        ) from None
    assert box is not None

    def sealed(value: str | None) -> str | None:
        if value is None or not value.startswith(PLAINTEXT_PREFIX):
            return value
        return box.encrypt(value.encode()).decode('ascii')

    for row in plain:
        bind.execute(
            endpoints.update()
            .where(endpoints.c.id == row.id)
            .values(secret=sealed(row.secret), previous_secret=sealed(row.previous_secret))
        )
    log.info('webhook secrets: %d endpoints encrypted at rest', len(plain))


def upgrade() -> None:
    _refuse_offline()
    bind = op.get_bind()
    _signing_key_to_file(bind)
    _encrypt_webhook_secrets(bind)
    with op.batch_alter_table('signing_keys', schema=None) as batch_op:
        batch_op.drop_column('private_key_pem')


def downgrade() -> None:
    _refuse_offline()
    bind = op.get_bind()
    settings = get_settings()
    rows = bind.execute(
        sa.select(endpoints.c.id, endpoints.c.secret, endpoints.c.previous_secret)
    ).all()
    sealed = [
        row
        for row in rows
        if any(v and not v.startswith(PLAINTEXT_PREFIX) for v in (row.secret, row.previous_secret))
    ]
    box = None
    if sealed:
        try:
            box = keystore.load_secret_box(settings, database_url=_database_url(), create=False)
        except keystore.KeyConfigurationError:
            box = None
        if box is None:
            raise keystore.KeyConfigurationError(
                'downgrading 0011 decrypts the webhook secrets, but the key-encryption key is not '
                'found: set CERTVERIFY_SECRET_KEY or CERTVERIFY_SECRET_KEY_FILE (or '
                'CERTVERIFY_DATA_DIR) as when they were encrypted. Nothing was changed.'
            )
    try:
        key = keystore.load_signing_key(settings, database_url=_database_url(), create=False)
    except keystore.KeyConfigurationError:
        key = None

    with op.batch_alter_table('signing_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('private_key_pem', sa.Text(), nullable=True))
    now = clock.now()
    kid = key.thumbprint() if key is not None else None
    bind.execute(
        signing_keys.update()
        .where(signing_keys.c.kid != kid if kid is not None else sa.true())
        .values(
            private_key_pem='',
            retired_at=sa.func.coalesce(signing_keys.c.retired_at, now),
        )
    )
    if key is not None:
        bind.execute(
            signing_keys.update()
            .where(signing_keys.c.kid == kid)
            .values(private_key_pem=keystore.signing_key_pem(key).decode(), retired_at=None)
        )
    with op.batch_alter_table('signing_keys', schema=None) as batch_op:
        batch_op.alter_column('private_key_pem', existing_type=sa.Text(), nullable=False)

    if box is not None:
        for row in sealed:
            opened = {
                name: (
                    box.decrypt(value.encode('ascii')).decode()
                    if value and not value.startswith(PLAINTEXT_PREFIX)
                    else value
                )
                for name, value in (
                    ('secret', row.secret),
                    ('previous_secret', row.previous_secret),
                )
            }
            bind.execute(endpoints.update().where(endpoints.c.id == row.id).values(**opened))
