"""Migration 0009: stored countries re-coded to ISO 3166-1 alpha-2 (issue 13, part 2)."""

from __future__ import annotations

import logging
import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
import sqlalchemy as sa

from app.db import make_engine
from app.migrate import upgrade
from tests.conftest import drop_database, fresh_database_url
from tests.migrations.tables import certification_bodies as _bodies
from tests.migrations.tables import organizations as _organizations

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
MIGRATION_LOGGER = "alembic.runtime.migration"


def test_legacy_uk_and_el_become_gb_and_gr_and_unknown_codes_are_reported(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Rows written when any two letters were accepted ("UK", "EL", "gb") read as alpha-2 codes
    after 0009; a value that is no code ("ZZ") stays and is logged; the version moves."""
    url = fresh_database_url(tmp_path, "country_codes")
    upgrade(url, "0008")
    engine = make_engine(url)
    cb_uk, cb_zz = uuid.uuid4(), uuid.uuid4()
    with engine.begin() as conn:
        for cb_id, name, country in ((cb_uk, "Old Cert Ltd", "UK"), (cb_zz, "Odd Cert", "ZZ")):
            conn.execute(
                sa.insert(_bodies).values(
                    id=cb_id,
                    name=name,
                    name_key=name.lower(),
                    country=country,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        for name, country in (("Acme", "UK"), ("Hellas Foods", "EL"), ("Lower", "gb")):
            conn.execute(
                sa.insert(_organizations).values(
                    id=uuid.uuid4(),
                    certification_body_id=cb_uk,
                    name=name,
                    name_key=name.lower(),
                    country=country,
                    aliases=[],
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        before = conn.scalar(sa.text("SELECT version FROM registry_version"))

    with caplog.at_level(logging.INFO, logger=MIGRATION_LOGGER):
        upgrade(url, "0009")

    with engine.connect() as conn:
        bodies = dict(conn.execute(sa.select(_bodies.c.name, _bodies.c.country)).all())
        orgs = dict(conn.execute(sa.select(_organizations.c.name, _organizations.c.country)).all())
        after = conn.scalar(sa.text("SELECT version FROM registry_version"))
    assert bodies == {"Old Cert Ltd": "GB", "Odd Cert": "ZZ"}
    assert orgs == {"Acme": "GB", "Hellas Foods": "GR", "Lower": "GB"}
    assert after > before
    messages = [r.getMessage() for r in caplog.records]
    assert (
        "certification_bodies.country holds 'ZZ', which is not an ISO 3166-1 alpha-2 code; "
        "left as it is" in messages
    )
    assert "country codes: 4 stored values re-coded to ISO 3166-1 alpha-2" in messages
    engine.dispose()
    drop_database(url)
