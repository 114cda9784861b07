"""re-key certificate numbers and names with Unicode NFKC

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27 09:00:00

Issue 11, part 5 ("Number keys"): certificate numbers and names are folded after Unicode
normalisation form NFKC (UAX #15), so "ＦＳ　６１２３４５" has the key of "FS 612345". This
migration recomputes the stored keys of existing rows:

- `certificates.number_key` (unique per certification body, `uq_certificates_cb_number`);
- `organizations.name_key` and `certification_bodies.name_key` (not unique).

Two certificates of one certification body whose numbers get the same new key (say "ＦＳ７００"
and "FS 700") are a collision. They are reported, never merged: both keep their old keys and a
warning on the logger "alembic.runtime.migration" names their ids and numbers, for an operator
to decide which is genuine. A certificate whose new key is the old key of one that stays
stays too, and is reported the same way; so is a key that would no longer fit its column. The
migration never fails on data and may be run again (it only writes keys that differ, and
reports unresolved collisions again). It reads the data, so it does nothing in offline (--sql)
mode but say so.

The key functions below are frozen copies of `normalize_certificate_number`
(app/domain/normalize.py) and `fold_name` (app/domain/names.py) as of this revision, so a later
change to the application's folding does not change what this migration did (the Unicode
tables of `unicodedata` and `anyascii` are those of the running Python and package). Later
changes to the folding need a migration of their own; tests/migrations/test_nfkc_keys.py checks
that these copies agree with the application.

Downgrade is a no-op: the 0004 code treats the keys as opaque strings, which stay unique per
certification body, so it keeps working on re-keyed rows (a number typed in ASCII still finds
them); recomputing the old keys would only make fullwidth numbers unfindable again.
"""

import logging
import re
import unicodedata
import uuid
from collections import defaultdict
from collections.abc import Iterator, Sequence

import sqlalchemy as sa
from alembic import op
from anyascii import anyascii


revision: str = '0005'
down_revision: str | None = '0004'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger('alembic.runtime.migration')

NUMBER_KEY_LENGTH = 60
NAME_KEY_LENGTH = 300
BATCH = 5000

_certificates = sa.table(
    'certificates',
    sa.column('id', sa.Uuid()),
    sa.column('certification_body_id', sa.Uuid()),
    sa.column('certificate_number', sa.String()),
    sa.column('number_key', sa.String()),
)
_organizations = sa.table(
    'organizations',
    sa.column('id', sa.Uuid()),
    sa.column('name', sa.String()),
    sa.column('name_key', sa.String()),
)
_certification_bodies = sa.table(
    'certification_bodies',
    sa.column('id', sa.Uuid()),
    sa.column('name', sa.String()),
    sa.column('name_key', sa.String()),
)


# --- frozen key functions (as of revision 0005) ---------------------------------------------


def number_key(text: str) -> str:
    """Key of a certificate number: NFKC, upper case, letters and digits only."""
    folded = unicodedata.normalize('NFKC', text).upper()
    return ''.join(char for char in folded if char.isalnum())


LEGAL_FORMS = (
    'ltd', 'limited', 'plc', 'llc', 'llp', 'lp', 'inc', 'incorporated', 'corp', 'corporation',
    'co', 'company', 'pty', 'pte', 'pvt', 'private', 'public', 'l l c', 'l l p', 'p l c',
    'and co', 'and company',
    'gmbh', 'ag', 'kg', 'ohg', 'ug', 'mbh', 'co kg', 'and co kg',
    'sa', 'sas', 'sarl', 'sl', 'srl', 'spa', 'ltda', 's a', 's a s', 's a r l', 's l', 's r l',
    's p a', 'sa de cv', 's a de c v',
    'bv', 'nv', 'b v', 'n v', 'oy', 'oyj', 'ab', 'as', 'asa', 'a s', 'aps',
    'kk', 'k k', 'sdn', 'bhd',
)
_LEGAL_FORM_SEQUENCES = frozenset(tuple(form.split()) for form in LEGAL_FORMS)
_LONGEST_LEGAL_FORM = max(len(sequence) for sequence in _LEGAL_FORM_SEQUENCES)
_NON_ALNUM = re.compile(r'[^a-z0-9]+')


def name_key(name: str) -> str:
    """Key of a name: NFKC, ASCII transliteration, lower-case words, legal forms dropped."""
    ascii_text = anyascii(unicodedata.normalize('NFKC', name)).lower().replace('&', ' and ')
    tokens = _NON_ALNUM.sub(' ', ascii_text).split()
    kept: list[str] = []
    index = 0
    while index < len(tokens):
        for size in range(min(_LONGEST_LEGAL_FORM, len(tokens) - index), 0, -1):
            if tuple(tokens[index : index + size]) in _LEGAL_FORM_SEQUENCES:
                index += size
                break
        else:
            kept.append(tokens[index])
            index += 1
    return ' '.join(kept or tokens)


# --- the migration ----------------------------------------------------------------------------


def _rows(bind: sa.Connection, stmt: sa.Select) -> Iterator[sa.Row]:
    """Every row of `stmt`, streamed in batches (a server-side cursor on PostgreSQL)."""
    result = bind.execute(stmt.execution_options(stream_results=True, yield_per=BATCH))
    for partition in result.partitions():
        yield from partition


def _shown(number: str) -> str:
    """A number as written, and escaped when not ASCII: "Ä" and "A" with a combining diaeresis
    look alike."""
    return repr(number) if number.isascii() else f'{number!r} = {ascii(number)}'


def _rekey_certificates(bind: sa.Connection) -> int:
    """Recompute `certificates.number_key`; report, and leave alone, keys that would collide."""
    columns = (
        _certificates.c.id,
        _certificates.c.certification_body_id,
        _certificates.c.certificate_number,
        _certificates.c.number_key,
    )
    changed: dict[uuid.UUID, tuple[uuid.UUID, str, str, str]] = {}
    for cert_id, cb_id, number, old in _rows(bind, sa.select(*columns)):
        new = number_key(number)
        if new != old:
            changed[cert_id] = (cb_id, number, old, new)
    if not changed:
        return 0

    # Who would hold each new key: the changed rows moving there, and unchanged rows already
    # there. (A changed row whose old key is another's new key moves away: no collision.)
    targets: dict[tuple[uuid.UUID, str], list[uuid.UUID]] = defaultdict(list)
    for cert_id, (cb_id, _, _, new) in changed.items():
        targets[(cb_id, new)].append(cert_id)
    fixed: dict[tuple[uuid.UUID, str], uuid.UUID] = {}
    fixed_numbers: dict[uuid.UUID, str] = {}
    wanted = sorted({new for _, _, _, new in changed.values()})
    for start in range(0, len(wanted), 500):
        stmt = sa.select(*columns).where(_certificates.c.number_key.in_(wanted[start : start + 500]))
        for cert_id, cb_id, number, key in bind.execute(stmt):
            if cert_id not in changed and (cb_id, key) in targets:
                fixed[(cb_id, key)] = cert_id
                fixed_numbers[cert_id] = number

    def described(cert_id: uuid.UUID) -> str:
        if cert_id in changed:
            _, number, old, _ = changed[cert_id]
            return f'certificate {cert_id} (number {_shown(number)}, key {old!r})'
        return f'certificate {cert_id} (number {_shown(fixed_numbers[cert_id])})'

    stay: set[uuid.UUID] = set()
    for (cb_id, new), ids in targets.items():
        if len(ids) > 1 or (cb_id, new) in fixed:
            group = ids + ([fixed[(cb_id, new)]] if (cb_id, new) in fixed else [])
            log.warning(
                'number key collision, not merged: certificates of certification body %s would '
                'all get the key %r, so they keep their keys; decide which is genuine, then '
                'withdraw or renumber the others: %s',
                cb_id, new, '; '.join(described(i) for i in group),
            )
            stay.update(ids)
    for cert_id, (_, _, old, new) in changed.items():
        if cert_id not in stay and len(new) > NUMBER_KEY_LENGTH:
            log.warning(
                '%s keeps its key: the new key %r is longer than %d characters',
                described(cert_id), new, NUMBER_KEY_LENGTH,
            )
            stay.add(cert_id)
    # A row that stays keeps its old key, which may be the new key of another row: that one
    # stays too (and so on), or the unique constraint would refuse the move.
    held = {(changed[i][0], changed[i][2]): i for i in stay}
    while blocked := [
        i for i, (cb_id, _, _, new) in changed.items() if i not in stay and (cb_id, new) in held
    ]:
        for cert_id in blocked:
            cb_id, _, old, new = changed[cert_id]
            log.warning(
                'number key collision, not merged: %s keeps its key, as its new key %r is kept '
                'by %s',
                described(cert_id), new, described(held[(cb_id, new)]),
            )
            stay.add(cert_id)
            held[(cb_id, old)] = cert_id
    moves = {i: new for i, (_, _, _, new) in changed.items() if i not in stay}
    if not moves:
        return 0

    # Two steps, so that no key is taken while another row still holds it (a row moving to the
    # key another row moves away from): first a placeholder that no real key can equal (keys are
    # letters and digits only), then the new key.
    update = (
        sa.update(_certificates)
        .where(_certificates.c.id == sa.bindparam('b_id'))
        .values(number_key=sa.bindparam('b_key'))
    )
    bind.execute(update, [{'b_id': i, 'b_key': f'#{i.hex}'} for i in moves])
    bind.execute(update, [{'b_id': i, 'b_key': key} for i, key in moves.items()])
    return len(moves)


def _rekey_names(bind: sa.Connection, table: sa.TableClause) -> int:
    """Recompute `name_key` of `table` (not unique, so nothing can collide)."""
    stmt = sa.select(table.c.id, table.c.name, table.c.name_key)
    moves: dict[uuid.UUID, str] = {}
    for row_id, name, old in _rows(bind, stmt):
        new = name_key(name)
        if new == old:
            continue
        if len(new) > NAME_KEY_LENGTH:
            log.warning(
                '%s %s (name %r) keeps its name key: the new key is longer than %d characters',
                table.name, row_id, name, NAME_KEY_LENGTH,
            )
            continue
        moves[row_id] = new
    if moves:
        bind.execute(
            sa.update(table)
            .where(table.c.id == sa.bindparam('b_id'))
            .values(name_key=sa.bindparam('b_key')),
            [{'b_id': i, 'b_key': key} for i, key in moves.items()],
        )
    return len(moves)


def upgrade() -> None:
    if op.get_context().as_sql:
        log.warning('NFKC keys: offline (--sql) mode cannot read rows; run this revision online')
        return
    bind = op.get_bind()
    numbers = _rekey_certificates(bind)
    organizations = _rekey_names(bind, _organizations)
    bodies = _rekey_names(bind, _certification_bodies)
    if numbers or organizations or bodies:
        # Running processes drop their fact caches when the registry version moves (0004).
        op.execute('UPDATE registry_version SET version = version + 1 WHERE id = 1')
    log.info(
        'NFKC keys: %d certificate numbers, %d organisation names and %d certification body '
        'names re-keyed',
        numbers, organizations, bodies,
    )


def downgrade() -> None:
    # No-op on purpose (see the module docstring): the 0004 code reads the NFKC keys correctly.
    pass
