"""The organisation search index (issue 16): folded names and aliases, their words, and the
vocabulary of distinct words under each database's own trigram index.

Written by app/repositories/search_index.py in the transaction of every organisation write, so a
write is searchable at once. Folding is Python's `fold_name`, so the text is stored folded. The
engine-specific parts are created by migration 0014 and, for `metadata.create_all`, by the DDL
hooks below: on PostgreSQL a `pg_trgm` GIN index over the vocabulary; on SQLite an FTS5 table with
the trigram tokenizer that holds its own copy of each word (no external content, so no rowid to
keep stable across VACUUM), filled by a trigger when a word first enters the vocabulary.
"""

from __future__ import annotations

import uuid

from sqlalchemy import DDL, ForeignKey, Index, String, event
from sqlalchemy.orm import Mapped, mapped_column

from app.models.base import Base

FTS_TABLE = "organization_search_words_fts"
"""SQLite: the FTS5 trigram table over the vocabulary (words stored padded, see PAD)."""
TRIGRAM_INDEX = "ix_organization_search_words_trgm"
"""PostgreSQL: the GIN gin_trgm_ops index over the vocabulary."""
PAD_BEFORE, PAD_AFTER = "  ", " "
"""SQLite's trigram tokenizer does not mark word edges; the words are stored padded as pg_trgm
pads them, so short words and edge typos ("acme"/"acne") still share a trigram."""


def engine_specific_object(name: str | None) -> bool:
    """Whether a schema object is one of the text-index parts the models do not describe (for
    alembic's comparison: the FTS5 table with its shadow tables, the trigger, the GIN index)."""
    return name is not None and (name.startswith(FTS_TABLE) or name == TRIGRAM_INDEX)


class OrganizationSearchName(Base):
    """One folded name (position 0) or folded alias (position i + 1) of an organisation."""

    __tablename__ = "organization_search_names"

    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    text: Mapped[str] = mapped_column(String(300))


class OrganizationSearchTerm(Base):
    """A distinct word of one folded name or alias: the postings, looked up by word."""

    __tablename__ = "organization_search_terms"
    __table_args__ = (
        # the other query words are checked per candidate name through this index
        Index(
            "ix_organization_search_terms_organization_id", "organization_id", "position", "word"
        ),
        # SQLite: clustered by word, so a word's postings are one contiguous range
        {"sqlite_with_rowid": False},
    )

    word: Mapped[str] = mapped_column(String(300), primary_key=True)
    organization_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organizations.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)


class OrganizationSearchWord(Base):
    """A word that occurs (or occurred) in some folded name or alias: the vocabulary that the
    trigram index covers. Words are only added; one no longer used matches no posting."""

    __tablename__ = "organization_search_words"

    word: Mapped[str] = mapped_column(String(300), primary_key=True)


POSTGRESQL_DDL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    f"CREATE INDEX IF NOT EXISTS {TRIGRAM_INDEX} ON organization_search_words "
    "USING gin (word gin_trgm_ops) WITH (fastupdate = off)",
)
SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS_TABLE} USING fts5("
    "word, tokenize = 'trigram case_sensitive 1')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS_TABLE}_insert AFTER INSERT ON organization_search_words "
    f"BEGIN INSERT INTO {FTS_TABLE} (word) VALUES ('{PAD_BEFORE}' || new.word || '{PAD_AFTER}'); "
    "END",
)
"""The text is folded in Python already: case_sensitive 1 keeps it as stored (no second folding;
remove_diacritics only applies to case-insensitive tables)."""
SQLITE_DROP = (f"DROP TRIGGER IF EXISTS {FTS_TABLE}_insert", f"DROP TABLE IF EXISTS {FTS_TABLE}")
POSTGRESQL_DROP = (f"DROP INDEX IF EXISTS {TRIGRAM_INDEX}",)


def _ddl(statement: str, dialect: str) -> DDL:
    """A DDL statement run only on one dialect."""
    return DDL(statement).execute_if(dialect=dialect)  # type: ignore[no-untyped-call]


_words_table = OrganizationSearchWord.__table__
for _statement in POSTGRESQL_DDL:
    event.listen(_words_table, "after_create", _ddl(_statement, "postgresql"))
for _statement in SQLITE_DDL:
    event.listen(_words_table, "after_create", _ddl(_statement, "sqlite"))
for _statement in SQLITE_DROP:
    event.listen(_words_table, "before_drop", _ddl(_statement, "sqlite"))
for _statement in POSTGRESQL_DROP:
    event.listen(_words_table, "before_drop", _ddl(_statement, "postgresql"))
