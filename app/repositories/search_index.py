"""The organisation search index, kept by the write path in the transaction of every change.

Interface shared by the writers (the registry service, the import, the demo builder): after the
organisations are flushed, `refresh_organization_search` rewrites their folded names, aliases and
words (app/models/search_index.py), so the next search sees them; nothing is rebuilt in process.
The questions the search asks (app/services/verification/search.py) are below it.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Iterator, Sequence
from datetime import datetime
from typing import Any, NamedTuple, cast

from sqlalchemy import (
    String,
    Table,
    and_,
    bindparam,
    delete,
    exists,
    func,
    literal_column,
    select,
    text,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, aliased

from app.domain.names import fold_name
from app.models import Certificate, Organization
from app.models.search_index import (
    FTS_TABLE,
    PAD_AFTER,
    PAD_BEFORE,
    OrganizationSearchName,
    OrganizationSearchTerm,
    OrganizationSearchWord,
)

CHUNK = 500
"""Organisations per statement (well under SQLite's bound-parameter limit)."""
VOCABULARY_CHUNK = 5000
"""Words per vocabulary look-up or insert."""
TYPO_SIMILARITY = 0.1
"""PostgreSQL: the pg_trgm similarity (`%`) at which a vocabulary word is a typo candidate; the
candidates are then held to `fuzz.ratio` in Python. tests/api/test_search_index.py shows the
benchmark's queries find what the word rule finds."""


def index_rows(
    organization_id: uuid.UUID, name_key: str, aliases: Iterable[str]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The name rows and the term rows of one organisation: its folded name at position 0, each
    folded alias at its position after it (empty foldings are left out)."""
    names: list[dict[str, Any]] = []
    terms: list[dict[str, Any]] = []
    for position, folded in enumerate((name_key, *(fold_name(a) for a in aliases))):
        if not folded:
            continue
        names.append({"organization_id": organization_id, "position": position, "text": folded})
        terms.extend(
            {"word": word, "organization_id": organization_id, "position": position}
            for word in sorted(set(folded.split()))
        )
    return names, terms


def _chunks(ids: Sequence[uuid.UUID]) -> Iterator[Sequence[uuid.UUID]]:
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]


def _table(model: type[Any]) -> Table:
    """The Core table behind a model: plain executemany, without the ORM's bulk bookkeeping."""
    return cast(Table, model.__table__)


_ADD_WORDS_POSTGRESQL = text(
    "INSERT INTO organization_search_words (word)"
    " SELECT w FROM unnest(CAST(:words AS text[])) AS w ORDER BY w"
    " ON CONFLICT (word) DO NOTHING"
)
"""Sorted, so concurrent writers take the rows' locks in the same order."""


def add_vocabulary(session: Session, words: Iterable[str]) -> None:
    """Add the words the vocabulary lacks: the known ones are looked up first (a re-import
    adds nothing), the others inserted sorted (concurrent writers take the same order) and
    ignored on conflict (another transaction added them meanwhile)."""
    wanted = sorted(set(words))
    if not wanted:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        # One statement, no look-up first: PostgreSQL's planner answers `word IN (...)` through
        # the GIN trigram index rather than the primary key (65% of an import's time, measured
        # with py-spy); the primary key's conflict check is what keeps known words out.
        session.execute(_ADD_WORDS_POSTGRESQL, {"words": wanted})
        return
    known: set[str] = set()
    column = OrganizationSearchWord.word
    for start in range(0, len(wanted), VOCABULARY_CHUNK):
        part = wanted[start : start + VOCABULARY_CHUNK]
        known.update(session.scalars(select(column).where(column.in_(part))))
    rows = [{"word": word} for word in wanted if word not in known]
    if not rows:
        return
    table = _table(OrganizationSearchWord)
    if dialect == "sqlite":
        stmt: Any = sqlite.insert(table).on_conflict_do_nothing(index_elements=["word"])
    else:  # pragma: no cover - the service runs on SQLite and PostgreSQL only
        raise NotImplementedError(dialect)
    for start in range(0, len(rows), VOCABULARY_CHUNK):
        session.execute(stmt, rows[start : start + VOCABULARY_CHUNK])


def _write_entries(
    session: Session, names: list[dict[str, Any]], terms: list[dict[str, Any]]
) -> None:
    add_vocabulary(session, (t["word"] for t in terms))
    for model, rows in ((OrganizationSearchName, names), (OrganizationSearchTerm, terms)):
        for start in range(0, len(rows), 10_000):
            session.execute(_table(model).insert(), rows[start : start + 10_000])


def refresh_organization_search(session: Session, organization_ids: Iterable[uuid.UUID]) -> None:
    """Rewrite the search index entries of these organisations from their stored name and
    aliases, in the session's open transaction (call it after the writes are flushed).

    Set-based, per chunk of organisations: their names and their current entries are read
    (two statements); only organisations whose folded names or aliases changed have their
    entries deleted and written again (executemany). Ids of organisations that no longer
    exist lose their entries."""
    ids = sorted(set(organization_ids))
    if not ids:
        return
    session.flush()
    name = OrganizationSearchName
    for chunk in _chunks(ids):
        rows = session.execute(
            select(Organization.id, Organization.name_key, Organization.aliases).where(
                Organization.id.in_(chunk)
            )
        ).all()
        stored: dict[uuid.UUID, list[tuple[int, str]]] = {}
        for org_id, position, folded in session.execute(
            select(name.organization_id, name.position, name.text)
            .where(name.organization_id.in_(chunk))
            .order_by(name.organization_id, name.position)
        ):
            stored.setdefault(org_id, []).append((position, folded))
        names: list[dict[str, Any]] = []
        terms: list[dict[str, Any]] = []
        present = {row[0] for row in rows}
        changed = [org_id for org_id in stored if org_id not in present]
        for org_id, name_key, aliases in rows:
            more_names, more_terms = index_rows(org_id, name_key, aliases or [])
            if [(n["position"], n["text"]) for n in more_names] == stored.get(org_id, []):
                continue
            if org_id in stored:
                changed.append(org_id)
            names.extend(more_names)
            terms.extend(more_terms)
        if changed:
            term = OrganizationSearchTerm
            session.execute(delete(term).where(term.organization_id.in_(changed)))
            session.execute(delete(name).where(name.organization_id.in_(changed)))
        _write_entries(session, names, terms)


def index_new_organizations(session: Session, organizations: Iterable[dict[str, Any]]) -> None:
    """Index organisations just inserted in this transaction (rows with id, name_key and
    aliases, as written): the same entries as `refresh_organization_search`, without reading
    them back (the demo builder's million rows)."""
    names: list[dict[str, Any]] = []
    terms: list[dict[str, Any]] = []
    for row in organizations:
        more_names, more_terms = index_rows(row["id"], row["name_key"], row["aliases"] or [])
        names.extend(more_names)
        terms.extend(more_terms)
    _write_entries(session, names, terms)


# --- the questions the search asks ---------------------------------------------------------------


class VocabularyQuestion(NamedTuple):
    """One query word's look-up: the words it begins (when `prefix`), and its typo candidates
    of `shortest`..`longest` characters."""

    word: str
    prefix: bool
    shortest: int
    longest: int


def _trigrams(word: str) -> list[str]:
    padded = PAD_BEFORE + word + PAD_AFTER
    return sorted({padded[i : i + 3] for i in range(len(padded) - 2)})


def vocabulary_candidates(
    session: Session, questions: Sequence[VocabularyQuestion]
) -> list[tuple[int, str, bool]]:
    """For each question (by position), the vocabulary words it begins (prefix True) and those
    sharing trigrams with it (prefix False: typo candidates for the caller's `fuzz.ratio`), in
    one statement.

    PostgreSQL: a LIKE prefix and pg_trgm similarity >= TYPO_SIMILARITY, both through the GIN
    index (a btree range would follow the database's collation, not code point order). SQLite:
    a range of the primary key (BINARY compares by code point) and any shared padded trigram
    through the FTS5 trigram table."""
    params: dict[str, Any] = {}
    parts: list[str] = []
    postgres = session.get_bind().dialect.name == "postgresql"
    pad = len(PAD_BEFORE) + len(PAD_AFTER)
    for n, question in enumerate(questions):
        word = question.word
        params |= {f"s{n}": question.shortest, f"l{n}": question.longest}
        if postgres:
            params[f"w{n}"] = word
            if question.prefix:
                escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
                params[f"p{n}"] = escaped + "%"
                parts.append(
                    f"SELECT {n} AS question, word, true AS prefix FROM organization_search_words "
                    f"WHERE word LIKE :p{n}"
                )
            parts.append(
                f"SELECT {n}, word, false FROM organization_search_words "
                f"WHERE word % :w{n} AND length(word) BETWEEN :s{n} AND :l{n}"
            )
        else:
            if question.prefix:
                params |= {f"p{n}": word, f"e{n}": word + "\U0010ffff"}
                parts.append(
                    f"SELECT {n} AS question, word, 1 AS prefix FROM organization_search_words "
                    f"WHERE word >= :p{n} AND word < :e{n}"
                )
            params[f"q{n}"] = " OR ".join('"' + t.replace('"', '""') + '"' for t in _trigrams(word))
            params[f"s{n}"] += pad
            params[f"l{n}"] += pad
            parts.append(
                f"SELECT {n}, substr(word, {len(PAD_BEFORE) + 1}, length(word) - {pad}), 0 "
                f"FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH :q{n} "
                f"AND length(word) BETWEEN :s{n} AND :l{n}"
            )
    if not parts:
        return []
    if postgres:
        session.execute(
            select(func.set_config("pg_trgm.similarity_threshold", str(TYPO_SIMILARITY), True))
        )
    rows = session.execute(text(" UNION ALL ".join(parts)), params)
    return [(int(n), str(word), bool(prefix)) for n, word, prefix in rows]


def _one_of(session: Session, column: Any, name: str) -> Any:
    """`column` equals one of the words bound as ONE parameter (a PostgreSQL array, a JSON
    array read by SQLite's json_each), however many words a query word matched: an expanding
    IN would bind one parameter per word and could pass the engines' limits (32,766 on
    SQLite) for a long query of common prefixes."""
    if session.get_bind().dialect.name == "postgresql":
        return column == func.any(bindparam(name, type_=postgresql.ARRAY(String)))
    words: Any = select(literal_column("value")).select_from(func.json_each(bindparam(name)))
    return column.in_(words.scalar_subquery())


def _words_parameter(session: Session, words: Sequence[str]) -> Any:
    """The bound value `_one_of` expects."""
    if session.get_bind().dialect.name == "postgresql":
        return list(words)
    return json.dumps(list(words))


def posting_counts(session: Session, word_sets: Sequence[Sequence[str]], cap: int) -> list[int]:
    """For each set of words, how many names or aliases contain one of them, counted up to
    `cap` (one statement)."""
    term = OrganizationSearchTerm
    columns = []
    params: dict[str, Any] = {}
    for n, words in enumerate(word_sets):
        postings = (
            select(term.organization_id)
            .where(_one_of(session, term.word, f"c{n}"))
            .limit(cap)
            .subquery()
        )
        columns.append(select(func.count()).select_from(postings).scalar_subquery())
        params[f"c{n}"] = _words_parameter(session, words)
    return [int(count) for count in session.execute(select(*columns), params).one()]


class SearchName(NamedTuple):
    """A folded name or alias of a public organisation, with the organisation's creation time
    (the order of equal search scores)."""

    organization_id: uuid.UUID
    text: str
    created_at: datetime


def public_names_containing(
    session: Session, word_sets: Sequence[Sequence[str]], certification_body_id: uuid.UUID | None
) -> list[SearchName]:
    """The folded names and aliases that contain, for each set of `word_sets`, one of its words,
    of organisations holding at least one non-confidential certificate (of the CB's, when given).

    The first set drives (its postings are read, so it should be the rarest); the other sets are
    checked per candidate through the (organization_id, position, word) index, in the database.
    """
    name, term = OrganizationSearchName, OrganizationSearchTerm
    found = select(term.organization_id, term.position).where(_one_of(session, term.word, "w0"))
    params: dict[str, Any] = {"w0": _words_parameter(session, word_sets[0])}
    for n, words in enumerate(word_sets[1:], start=1):
        other = aliased(OrganizationSearchTerm)
        found = found.where(
            exists().where(
                other.organization_id == term.organization_id,
                other.position == term.position,
                _one_of(session, other.word, f"w{n}"),
            )
        )
        params[f"w{n}"] = _words_parameter(session, words)
    if certification_body_id is not None:
        found = found.join(Organization, Organization.id == term.organization_id).where(
            Organization.certification_body_id == certification_body_id
        )
    hits = found.distinct().subquery()
    has_public = exists().where(
        Certificate.organization_id == Organization.id, Certificate.confidential.is_(False)
    )
    stmt = (
        select(name.organization_id, name.text, Organization.created_at)
        .join(
            hits,
            and_(hits.c.organization_id == name.organization_id, hits.c.position == name.position),
        )
        .join(Organization, Organization.id == name.organization_id)
        .where(has_public)
    )
    return [SearchName._make(row) for row in session.execute(stmt, params)]
