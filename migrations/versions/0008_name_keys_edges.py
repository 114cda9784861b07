"""re-key organisation and certification body names: legal forms only at the edges

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 15:00:00

Issue 13, part 3 (DESIGN.md, "Verification rules": claims are read as a person wrote them):
organisation names fold without a leading "The" and without legal forms from a sourced list
(the terms of the `cleanco` package, compiled from Wikipedia's "List of legal entity types by
country", and a supplement), removed ONLY at the edges of the name. Before, a short list of forms
was dropped wherever it stood, so "AG Barr plc" had the key of "Barr Ltd", while "Polfarm Sp. z
o.o." kept its form. This migration recomputes the stored keys of existing rows:

- `organizations.name_key` and `certification_bodies.name_key` (not unique, so nothing can
  collide; a key that would no longer fit its column is reported on the logger
  "alembic.runtime.migration" and the row keeps its old key).

The migration never fails on data and may be run again (it only writes keys that differ). It
reads the data, so it does nothing in offline (--sql) mode but say so.

`name_key` below is a frozen copy of `fold_name` (app/domain/names.py) as of this revision: the
algorithm, the supplement of app/domain/legal_forms.py, the leading and CJK forms and the
excluded cleanco term are copied here, so a later change to the application's folding does not
change what this migration does. The cleanco terms themselves (some 300) are imported from
`cleanco.termdata` rather than copied: cleanco is a dependency of the application
(`cleanco>=2.3` in pyproject.toml; 2.3 when this was written), so a later cleanco release could
change them, as the Unicode tables of `unicodedata` and `anyascii` are those of the running
Python and package.
tests/migrations/test_name_keys_edges.py checks that this copy agrees with the application.

Downgrade recomputes the keys with the folding of revisions 0005 to 0007 (`name_key_0007`, a
frozen copy of 0005's: its short list of legal forms dropped wherever they stand), since the
0007 code compares stored keys with its own folding of a name (certification body lookup by
name, search).
"""

import logging
import re
import unicodedata
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence

import sqlalchemy as sa
from alembic import op
from anyascii import anyascii
from cleanco.termdata import terms_by_country, terms_by_type


revision: str = '0008'
down_revision: str | None = '0007'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

log = logging.getLogger('alembic.runtime.migration')

NAME_KEY_LENGTH = 300
BATCH = 5000

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


# --- frozen key function (as of revision 0008) ----------------------------------------------

_NON_ALNUM = re.compile(r'[^a-z0-9]+')


def fold_text(text: str) -> str:
    """NFKC, ASCII transliteration, lower case, "&" as "and", letters and digits as words."""
    ascii_text = anyascii(unicodedata.normalize('NFKC', text)).lower().replace('&', ' and ')
    return ' '.join(_NON_ALNUM.sub(' ', ascii_text).split())


def _repaired(term: str) -> str:
    """A cleanco term with UTF-8-read-as-Latin-1 mojibake undone ("veÅ\\x99." -> "veř.")."""
    try:
        return term.encode('latin-1').decode('utf-8')
    except (UnicodeEncodeError, UnicodeDecodeError):
        return term


CLEANCO_EXCLUDED = frozenset({'uk'})

TRAILING_SUPPLEMENT = (
    'SE', 'Societas Europaea', 'SCE', 'EEIG', 'EWIV', 'Public Limited Company',
    'Private Limited Company', 'Limited Liability Partnership', 'Limited by Guarantee',
    'Community Interest Company', 'Cyf', 'Cyfyngedig', 'DAC', 'Designated Activity Company',
    'CLG', 'Teoranta', 'Limited Liability Company', 'Limited Partnership', 'Ltée', 'Limitée',
    'ULC', 'Gesellschaft mit beschränkter Haftung', 'mbH', 'Aktiengesellschaft',
    'Kommanditgesellschaft', 'Kommanditgesellschaft auf Aktien', 'UG (haftungsbeschränkt)',
    'UG', 'e.K.', 'eG', 'GesmbH', 'Ges.m.b.H.', 'Ges.mbH', 'Société anonyme',
    'Società anonima', 'Société par actions simplifiée', 'Société à responsabilité limitée',
    'BV', 'Besloten Vennootschap', 'Naamloze Vennootschap', 'SpA', 'Srls',
    'Società per azioni', 'Società a responsabilità limitata', 'Sociedad Anónima',
    'Sociedad Limitada', 'Sociedad de Responsabilidad Limitada', 'SL', 'S.A.U.', 'SAU',
    'S.L.U.', 'SLU', 'y Cía.', 'Unipessoal', 'e Cia.', 'Sociedade Anônima',
    'Sociedade Limitada', 'Limitada', 'EIRELI', '& Cia.', 'Ltda. ME', 'Ltda. EPP', 'de C.V.',
    'de CV', 'SAB', 'SAPI', 'S. de RL', 'Spółka z ograniczoną odpowiedzialnością',
    'Spółka akcyjna', 'Spółka jawna', 'Spółka komandytowa', 'Sp. z oo', 'Sp. zoo',
    'Společnost s ručením omezeným', 'Akciová společnost', 'Veřejná obchodní společnost',
    'Komanditní společnost', 'Spoločnosť s ručením obmedzeným', 'Akciová spoločnosť',
    'Korlátolt felelősségű társaság', 'Zártkörűen működő részvénytársaság',
    'Nyilvánosan működő részvénytársaság', 'Részvénytársaság', 'Betéti társaság',
    'Anonim Şirketi', 'Anonim Şirket', 'Limited Şirketi', 'Ltd. Şti.', 'Şti.', 'Aktiebolag',
    'publ', 'Aksjeselskap', 'Allmennaksjeselskap', 'Aktieselskab', 'Anpartsselskab',
    'Osakeyhtiö', 'Julkinen osakeyhtiö', 'Abp', 'Kabushiki Kaisha', 'Kabushiki Gaisha',
    'Yūgen Kaisha', 'Yūgen Gaisha', 'Gōdō Kaisha', 'Gōdō Gaisha', 'KK', 'Pvt', 'OPC', 'Tbk',
    'Persero', 'Berhad', 'Sendirian Berhad', 'Pty', 'Proprietary Limited', 'SOC Ltd', 'NPC',
)
LEADING_FORMS = (
    ('PT', ('Tbk', 'Persero')),
    ('P.T.', ('Tbk', 'Persero')),
    ('CV', ()),
    ('Kabushiki Kaisha', ()),
    ('Kabushiki Gaisha', ()),
)
NATIVE_FORMS = (
    ('股份有限公司', False), ('有限责任公司', False), ('有限責任公司', False), ('有限公司', False),
    ('株式会社', True), ('有限会社', True), ('合同会社', True), ('(株)', True),
    ('주식회사', True), ('유한회사', True), ('(주)', True),
)


def _folded_forms(terms: Iterable[str]) -> frozenset[tuple[str, ...]]:
    return frozenset(words for term in terms if (words := tuple(fold_text(term).split())))


_CLEANCO_TERMS = {
    _repaired(term).strip()
    for terms in (*terms_by_country.values(), *terms_by_type.values())
    for term in terms
}
_TRAILING = frozenset(
    form
    for form in _folded_forms((*_CLEANCO_TERMS, *TRAILING_SUPPLEMENT))
    if ' '.join(form) not in CLEANCO_EXCLUDED
)
_LEADING = {tuple(fold_text(form).split()): _folded_forms(with_) for form, with_ in LEADING_FORMS}
_LONGEST_TRAILING = max(len(form) for form in _TRAILING)
_LONGEST_LEADING = max(len(form) for form in _LEADING)
_NATIVE_TRAILING = tuple(sorted({form for form, _ in NATIVE_FORMS}, key=len, reverse=True))
_NATIVE_LEADING = tuple(
    sorted({form for form, leading in NATIVE_FORMS if leading}, key=len, reverse=True)
)


def _without_native_forms(text: str) -> str:
    text = text.strip()
    while form := next((f for f in _NATIVE_TRAILING if text.endswith(f) and text != f), None):
        text = text[: -len(form)].rstrip()
    form = next((f for f in _NATIVE_LEADING if text.startswith(f) and text != f), None)
    return text[len(form) :].lstrip() if form else text


def name_key(name: str) -> str:
    """Key of a name: folded, without CJK forms, trailing forms (repeatedly, not right after
    "and" unless the form starts with it), a leading "The" and a leading form whose companions
    include every trailing form removed; all words if nothing else is left."""
    tokens = fold_text(_without_native_forms(unicodedata.normalize('NFKC', name))).split()
    end = len(tokens)
    removed: list[tuple[str, ...]] = []
    while end:
        for size in range(min(_LONGEST_TRAILING, end), 0, -1):
            form = tuple(tokens[end - size : end])
            after_and = end > size and tokens[end - size - 1] == 'and' and form[0] != 'and'
            if form in _TRAILING and not after_and:
                removed.append(form)
                end -= size
                break
        else:
            break
    start = 1 if end and tokens[0] == 'the' else 0
    for size in range(min(_LONGEST_LEADING, end - start), 0, -1):
        companions = _LEADING.get(tuple(tokens[start : start + size]))
        if companions is not None and all(form in companions for form in removed):
            start += size
            break
    core = tokens[start:end]
    return ' '.join(core) if core else fold_text(name)


# --- frozen key function of revisions 0005 to 0007, for the downgrade ------------------------

LEGAL_FORMS_0007 = (
    'ltd', 'limited', 'plc', 'llc', 'llp', 'lp', 'inc', 'incorporated', 'corp', 'corporation',
    'co', 'company', 'pty', 'pte', 'pvt', 'private', 'public', 'l l c', 'l l p', 'p l c',
    'and co', 'and company',
    'gmbh', 'ag', 'kg', 'ohg', 'ug', 'mbh', 'co kg', 'and co kg',
    'sa', 'sas', 'sarl', 'sl', 'srl', 'spa', 'ltda', 's a', 's a s', 's a r l', 's l', 's r l',
    's p a', 'sa de cv', 's a de c v',
    'bv', 'nv', 'b v', 'n v', 'oy', 'oyj', 'ab', 'as', 'asa', 'a s', 'aps',
    'kk', 'k k', 'sdn', 'bhd',
)
_FORMS_0007 = frozenset(tuple(form.split()) for form in LEGAL_FORMS_0007)
_LONGEST_0007 = max(len(form) for form in _FORMS_0007)


def name_key_0007(name: str) -> str:
    """Key of a name before this revision: folded, legal forms of 0005 dropped anywhere."""
    tokens = fold_text(name).split()
    kept: list[str] = []
    index = 0
    while index < len(tokens):
        for size in range(min(_LONGEST_0007, len(tokens) - index), 0, -1):
            if tuple(tokens[index : index + size]) in _FORMS_0007:
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


def _rekey_names(
    bind: sa.Connection, table: sa.TableClause, key: Callable[[str], str] = name_key
) -> int:
    """Recompute `name_key` of `table` with `key` (not unique, so nothing can collide)."""
    stmt = sa.select(table.c.id, table.c.name, table.c.name_key)
    moves: dict[uuid.UUID, str] = {}
    for row_id, name, old in _rows(bind, stmt):
        new = key(name)
        if new == old:
            continue
        if len(new) > NAME_KEY_LENGTH:
            log.warning(
                '%s %s (name %r) keeps its name key: the new key is longer than %d characters',
                table.name, row_id, name, NAME_KEY_LENGTH,
            )
            continue
        moves[row_id] = new
    update = (
        sa.update(table)
        .where(table.c.id == sa.bindparam('b_id'))
        .values(name_key=sa.bindparam('b_key'))
    )
    items = list(moves.items())
    for start in range(0, len(items), BATCH):
        bind.execute(update, [{'b_id': i, 'b_key': key} for i, key in items[start : start + BATCH]])
    return len(moves)


def _rekey(key: Callable[[str], str], what: str) -> None:
    if op.get_context().as_sql:
        log.warning('name keys: offline (--sql) mode cannot read rows; run this revision online')
        return
    bind = op.get_bind()
    organizations = _rekey_names(bind, _organizations, key)
    bodies = _rekey_names(bind, _certification_bodies, key)
    if organizations or bodies:
        # Running processes drop their fact caches when the registry version moves (0004).
        op.execute('UPDATE registry_version SET version = version + 1 WHERE id = 1')
    log.info(
        'name keys (%s): %d organisation names and %d certification body names re-keyed',
        what, organizations, bodies,
    )


def upgrade() -> None:
    _rekey(name_key, 'legal forms at the edges')


def downgrade() -> None:
    _rekey(name_key_0007, 'legal forms anywhere, as of 0007')
