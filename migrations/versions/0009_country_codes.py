"""stored countries as ISO 3166-1 alpha-2 codes

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01 12:20:00

Issue 13, part 2: countries are read as a person writes them and stored and answered as ISO
3166-1 alpha-2 codes (app/domain/countries.py). Before, any two ASCII letters were stored as
given, so rows may hold the two common two-letter non-ISO spellings: "UK" (ISO's code is GB;
"UK" is exceptionally reserved) and "EL" (the EU's code for Greece, ISO's GR). Search filters
compare stored codes exactly, and a new write of the same organisation with "GB" would not find
the "UK" row. This migration re-codes those values in `organizations.country`,
`certificate_sites.country`, `certification_bodies.country` and `accreditation_bodies.economy`,
upper-cases any lower-case code, and logs (never changes) a stored value that is not an assigned
ISO 3166-1 alpha-2 code (nor XK, Kosovo's user-assigned code), for an operator to correct.

Organisations of one certification body that now share name key and country (one stored with
"UK", one with "GB") are reported, not merged: merging would move certificates between records,
which only their certification body may decide.

The mapping below is frozen as of this revision; pycountry (a pinned dependency) is only asked
which codes are assigned, for the log. Offline (--sql) mode cannot read rows and says so.
Downgrade is a no-op: the 0008 code reads GB and GR as well as it read UK and EL.
"""

import logging
from collections.abc import Sequence

import pycountry
import sqlalchemy as sa
from alembic import op


revision: str = '0009'
down_revision: str | None = '0008'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger('alembic.runtime.migration')

RECODE = {'UK': 'GB', 'EL': 'GR'}
COLUMNS = (
    ('organizations', 'country'),
    ('certificate_sites', 'country'),
    ('certification_bodies', 'country'),
    ('accreditation_bodies', 'economy'),
)


def _assigned() -> frozenset[str]:
    return frozenset(country.alpha_2 for country in pycountry.countries) | {'XK'}


def upgrade() -> None:
    if op.get_context().as_sql:
        log.warning('country codes: offline (--sql) mode cannot read rows; run this revision online')
        return
    bind = op.get_bind()
    assigned = _assigned()
    changed = 0
    for table_name, column_name in COLUMNS:
        table = sa.table(table_name, sa.column(column_name, sa.String()))
        column = table.c[column_name]
        values = bind.execute(sa.select(column).where(column.is_not(None)).distinct()).scalars()
        for value in list(values):
            code = value.strip().upper()
            code = RECODE.get(code, code)
            if code not in assigned:
                log.warning(
                    '%s.%s holds %r, which is not an ISO 3166-1 alpha-2 code; left as it is',
                    table_name, column_name, value,
                )
                continue
            if code != value:
                result = bind.execute(
                    sa.update(table).where(column == value).values({column_name: code})
                )
                changed += result.rowcount or 0
    if changed:
        # Running processes drop their fact caches when the registry version moves (0004).
        op.execute('UPDATE registry_version SET version = version + 1 WHERE id = 1')
        duplicates = bind.execute(
            sa.text(
                'SELECT certification_body_id, name_key, country, COUNT(*) FROM organizations '
                'GROUP BY certification_body_id, name_key, country HAVING COUNT(*) > 1'
            )
        ).all()
        for cb_id, name_key, country, count in duplicates:
            log.warning(
                'certification body %s now has %d organisations named %r in %s; '
                'they are kept apart for it to merge',
                cb_id, count, name_key, country,
            )
    log.info('country codes: %d stored values re-coded to ISO 3166-1 alpha-2', changed)


def downgrade() -> None:
    pass
