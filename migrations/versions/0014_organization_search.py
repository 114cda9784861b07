"""organisation search on the databases' own text indexes (issue 16): folded names and aliases,
their words, and a vocabulary under pg_trgm (PostgreSQL) or FTS5 trigram (SQLite); backfilled

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01 17:00:00.000000
"""

from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

from app.domain.names import fold_name

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

BATCH = 20_000
"""Organisations read and indexed per round of the backfill."""
FTS = "organization_search_words_fts"
POSTGRESQL_DDL = (
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS ix_organization_search_words_trgm ON organization_search_words "
    "USING gin (word gin_trgm_ops) WITH (fastupdate = off)",
)
# Words are stored padded ('  ' + word + ' ') as pg_trgm pads them; the text is folded already,
# so the tokenizer keeps case as stored.
SQLITE_DDL = (
    f"CREATE VIRTUAL TABLE IF NOT EXISTS {FTS} USING fts5("
    "word, tokenize = 'trigram case_sensitive 1')",
    f"CREATE TRIGGER IF NOT EXISTS {FTS}_insert AFTER INSERT ON organization_search_words "
    f"BEGIN INSERT INTO {FTS} (word) VALUES ('  ' || new.word || ' '); END",
)
SQLITE_DROP = (f"DROP TRIGGER IF EXISTS {FTS}_insert", f"DROP TABLE IF EXISTS {FTS}")
POSTGRESQL_DROP = ("DROP INDEX IF EXISTS ix_organization_search_words_trgm",)


def upgrade() -> None:
    op.create_table(
        "organization_search_names",
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("text", sa.String(length=300), nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_organization_search_names_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "organization_id", "position", name=op.f("pk_organization_search_names")
        ),
    )
    op.create_table(
        "organization_search_terms",
        sa.Column("word", sa.String(length=300), nullable=False),
        sa.Column("organization_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), autoincrement=False, nullable=False),
        sa.ForeignKeyConstraint(
            ["organization_id"],
            ["organizations.id"],
            name=op.f("fk_organization_search_terms_organization_id_organizations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint(
            "word", "organization_id", "position", name=op.f("pk_organization_search_terms")
        ),
        sqlite_with_rowid=False,
    )
    op.create_index(
        "ix_organization_search_terms_organization_id",
        "organization_search_terms",
        ["organization_id", "position", "word"],
    )
    op.create_table(
        "organization_search_words",
        sa.Column("word", sa.String(length=300), nullable=False),
        sa.PrimaryKeyConstraint("word", name=op.f("pk_organization_search_words")),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        _backfill(bind)
        # built once over the backfilled words (faster than growing it row by row)
        for statement in POSTGRESQL_DDL:
            op.execute(statement)
        # planner statistics for the first searches, before autovacuum gets to the new tables
        op.execute(
            "ANALYZE organization_search_names, organization_search_terms, "
            "organization_search_words"
        )
    else:
        for statement in SQLITE_DDL:  # the trigger copies each word into the FTS5 table
            op.execute(statement)
        _backfill(bind)


def _backfill(bind: sa.Connection) -> None:
    """Index every organisation: names are stored folded already (name_key), aliases are folded
    with today's fold_name (a later change of the folding re-keys in a migration of its own,
    which refreshes these rows too). Read in key order a batch at a time; written with
    executemany, the vocabulary once at the end."""
    organizations = sa.table(
        "organizations",
        sa.column("id", sa.Uuid()),
        sa.column("name_key"),
        sa.column("aliases", sa.JSON()),
    )
    names_table = sa.table(
        "organization_search_names",
        sa.column("organization_id", sa.Uuid()),
        sa.column("position"),
        sa.column("text"),
    )
    terms_table = sa.table(
        "organization_search_terms",
        sa.column("word"),
        sa.column("organization_id", sa.Uuid()),
        sa.column("position"),
    )
    words_table = sa.table("organization_search_words", sa.column("word"))
    vocabulary: set[str] = set()
    last: Any = None
    while True:
        stmt = sa.select(organizations.c.id, organizations.c.name_key, organizations.c.aliases)
        if last is not None:
            stmt = stmt.where(organizations.c.id > last)
        rows = bind.execute(stmt.order_by(organizations.c.id).limit(BATCH)).all()
        if not rows:
            break
        names: list[dict[str, Any]] = []
        terms: list[dict[str, Any]] = []
        for org_id, name_key, aliases in rows:
            for position, folded in enumerate((name_key, *(fold_name(a) for a in aliases or []))):
                if not folded:
                    continue
                names.append({"organization_id": org_id, "position": position, "text": folded})
                terms.extend(
                    {"word": word, "organization_id": org_id, "position": position}
                    for word in sorted(set(folded.split()))
                )
        if names:
            bind.execute(names_table.insert(), names)
        if terms:
            bind.execute(terms_table.insert(), terms)
            vocabulary.update(t["word"] for t in terms)
        last = rows[-1][0]
    ordered = [{"word": word} for word in sorted(vocabulary)]
    for start in range(0, len(ordered), BATCH):
        bind.execute(words_table.insert(), ordered[start : start + BATCH])


def downgrade() -> None:
    bind = op.get_bind()
    for statement in POSTGRESQL_DROP if bind.dialect.name == "postgresql" else SQLITE_DROP:
        op.execute(statement)
    op.drop_table("organization_search_words")
    op.drop_index(
        "ix_organization_search_terms_organization_id", table_name="organization_search_terms"
    )
    op.drop_table("organization_search_terms")
    op.drop_table("organization_search_names")
