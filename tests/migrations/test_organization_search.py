"""Migration 0014 indexes the organisations a registry already holds for search (issue 16,
item 1), and its downgrade removes the index with the engine-specific parts."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

from app.db import make_engine
from app.migrate import downgrade, upgrade
from app.models.search_index import FTS_TABLE, TRIGRAM_INDEX
from tests.conftest import drop_database, fresh_database_url
from tests.migrations.tables import certification_bodies as _bodies
from tests.migrations.tables import organizations as _organizations

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
CB_ID = uuid.UUID("00000000-0000-4000-8000-000000000001")
ORGS = [
    (uuid.UUID("00000000-0000-4000-8000-0000000000a1"), "Müller Präzision GmbH", ["MP Werk"]),
    (uuid.UUID("00000000-0000-4000-8000-0000000000a2"), "Acme Acme Trading Ltd", []),
    (uuid.UUID("00000000-0000-4000-8000-0000000000a3"), "Şahin Makine", ["...", "Sahin Mak."]),
]


def test_upgrade_indexes_existing_organisations_and_downgrade_drops_the_index(
    tmp_path: Path,
) -> None:
    """A populated registry at 0013 gets every folded name, alias and word at 0014; a folded
    alias that is empty is left out; the vocabulary is under the engine's trigram index."""
    url = fresh_database_url(tmp_path, "search_index")
    upgrade(url, "0013")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(
            _bodies.insert(),
            [
                {
                    "id": CB_ID,
                    "name": "Index CB",
                    "name_key": "index cb",
                    "country": "DE",
                    "created_at": NOW,
                    "updated_at": NOW,
                }
            ],
        )
        conn.execute(
            _organizations.insert(),
            [
                {
                    "id": org_id,
                    "certification_body_id": CB_ID,
                    "name": name,
                    "name_key": {
                        "Müller Präzision GmbH": "muller prazision",
                        "Acme Acme Trading Ltd": "acme acme trading",
                        "Şahin Makine": "sahin makine",
                    }[name],
                    "country": "DE",
                    "aliases": aliases,
                    "created_at": NOW,
                    "updated_at": NOW,
                }
                for org_id, name, aliases in ORGS
            ],
        )
    engine.dispose()

    upgrade(url, "0014")
    engine = make_engine(url)
    a1, a2, a3 = (org_id for org_id, _, _ in ORGS)
    with engine.connect() as conn:
        names = conn.execute(
            sa.text("SELECT organization_id, position, text FROM organization_search_names")
        ).all()
        terms = conn.execute(
            sa.text("SELECT word, organization_id, position FROM organization_search_terms")
        ).all()
        words = conn.execute(sa.text("SELECT word FROM organization_search_words")).scalars()
        assert sorted((str(uuid.UUID(str(o))), p, t) for o, p, t in names) == sorted(
            [
                (str(a1), 0, "muller prazision"),
                (str(a1), 1, "mp werk"),
                (str(a2), 0, "acme acme trading"),
                (str(a3), 0, "sahin makine"),
                (str(a3), 2, "sahin mak"),
            ]
        )
        assert len(terms) == 10  # "acme" once for its name
        assert sorted(words) == [
            "acme",
            "mak",
            "makine",
            "mp",
            "muller",
            "prazision",
            "sahin",
            "trading",
            "werk",
        ]
        if conn.dialect.name == "sqlite":
            found = conn.execute(
                sa.text(f"SELECT word FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH '\"azi\"'")
            ).scalars()
            assert list(found) == ["  prazision "]
        else:
            similar = conn.execute(
                sa.text("SELECT word FROM organization_search_words WHERE word % 'prazisoin'")
            ).scalars()
            assert list(similar) == ["prazision"]
            index = conn.execute(
                sa.text("SELECT indexdef FROM pg_indexes WHERE indexname = :name"),
                {"name": TRIGRAM_INDEX},
            ).scalar_one()
            assert "gin (word gin_trgm_ops)" in index
    engine.dispose()

    downgrade(url, "0013")
    engine = make_engine(url)
    tables = set(sa.inspect(engine).get_table_names())
    assert not {t for t in tables if t.startswith("organization_search")}
    engine.dispose()
    drop_database(url)
