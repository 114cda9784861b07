"""Migration 0008 re-keys organisation and certification body names with legal forms removed
only at the edges (issue 13, part 3), and its frozen folding agrees with the application's."""

from __future__ import annotations

import importlib.util
import logging
import uuid
from datetime import UTC, datetime
from pathlib import Path
from types import ModuleType

import pytest
import sqlalchemy as sa

from app.db import make_engine
from app.domain import legal_forms
from app.domain.names import LEADING_LEGAL_FORMS, LEGAL_FORMS, fold_name
from app.migrate import downgrade, project_root, upgrade
from tests.conftest import drop_database, fresh_database_url
from tests.domain.test_organization_names_table import ROWS
from tests.migrations.tables import certification_bodies as _bodies
from tests.migrations.tables import organizations as _organizations

MIGRATION_LOGGER = "alembic.runtime.migration"
NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


def _module(filename: str) -> ModuleType:
    """A file of migrations/versions as a module."""
    path = project_root() / "migrations" / "versions" / filename
    spec = importlib.util.spec_from_file_location(f"migration_{path.stem}", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def migration() -> ModuleType:
    """migrations/versions/0008_name_keys_edges.py as a module."""
    return _module("0008_name_keys_edges.py")


SAMPLE_NAMES = sorted(
    {name for row in ROWS for name in (row.claimed, row.certified, *row.aliases)}
    | {
        "The Co",
        "The",
        "Company Limited",
        "ACME Co., Ltd.",
        "\u00b5Tech GmbH & Co. KG",
        "CV-Library Ltd",
        "Grand Hotel & Spa",
        "株式会社",
        "Acme UK Ltd",
        "PT",
        "",
        "   ",
    }
)


def test_frozen_name_key_agrees_with_the_application() -> None:
    """The keys the migration writes are the keys the application computes (until a later
    change to the folding, which then needs a migration of its own)."""
    frozen = migration()
    assert {" ".join(form) for form in frozen._TRAILING} == set(LEGAL_FORMS)
    assert {" ".join(form) for form in frozen._LEADING} == set(LEADING_LEGAL_FORMS)
    supplement, leading, native = (
        frozen.TRAILING_SUPPLEMENT,
        frozen.LEADING_FORMS,
        frozen.NATIVE_FORMS,
    )
    assert supplement == tuple(f.written for f in legal_forms.TRAILING_SUPPLEMENT)
    assert leading == tuple((f.written, f.companions) for f in legal_forms.LEADING_FORMS)
    assert native == tuple((f.written, f.leading) for f in legal_forms.NATIVE_FORMS)
    assert frozen.CLEANCO_EXCLUDED == legal_forms.CLEANCO_EXCLUDED
    samples = [chr(cp) for cp in range(0x10000) if not 0xD800 <= cp <= 0xDFFF] + SAMPLE_NAMES
    assert [frozen.name_key(s) for s in samples] == [fold_name(s) for s in samples]


def test_downgrade_key_is_that_of_revision_0005() -> None:
    """The downgrade writes the keys of revisions 0005 to 0007 (0005's frozen folding)."""
    frozen, at_0005 = migration(), _module("0005_nfkc_keys.py")
    assert frozen.LEGAL_FORMS_0007 == at_0005.LEGAL_FORMS
    assert [frozen.name_key_0007(s) for s in SAMPLE_NAMES] == [
        at_0005.name_key(s) for s in SAMPLE_NAMES
    ]


def test_upgrade_rekeys_names_and_downgrade_restores_them(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """At 0007, with keys of the old folding, upgrading to 0008 re-keys organisation and
    certification body names as `fold_name` does and moves the registry version; downgrading
    restores the old keys; upgrading again re-keys them again."""
    frozen = migration()
    url = fresh_database_url(tmp_path, "name_keys_edges")
    upgrade(url, "0007")
    engine = make_engine(url)
    body_names = {
        "AG Barr plc": uuid.uuid4(),  # old key "barr", new "ag barr"
        "Polfarm Sp. z o.o.": uuid.uuid4(),  # old key "polfarm sp z o o", new "polfarm"
        "Northbridge Certification Ltd": uuid.uuid4(),  # the same either way
    }
    org_names = {
        name: uuid.uuid4()
        for name in (
            "The Acme Company Ltd",  # "the acme" -> "acme"
            "PT Bank Central Asia Tbk",  # "pt bank central asia tbk" -> "bank central asia"
            "华为技术有限公司",  # the Chinese form comes off
            "Acme Trading Co., Ltd.",  # "acme trading" either way
            "Acme Ltd",  # "acme" either way
        )
    }
    with engine.begin() as conn:
        for name, body_id in body_names.items():
            conn.execute(
                sa.insert(_bodies).values(
                    id=body_id,
                    name=name,
                    name_key=frozen.name_key_0007(name),
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        owner = next(iter(body_names.values()))
        for name, org_id in org_names.items():
            conn.execute(
                sa.insert(_organizations).values(
                    id=org_id,
                    certification_body_id=owner,
                    name=name,
                    name_key=frozen.name_key_0007(name),
                    country="GB",
                    aliases=[],
                    created_at=NOW,
                    updated_at=NOW,
                )
            )

    def keys() -> tuple[dict[str, str], dict[str, str]]:
        with engine.connect() as conn:
            bodies = dict(conn.execute(sa.select(_bodies.c.name, _bodies.c.name_key)).all())
            orgs = dict(
                conn.execute(sa.select(_organizations.c.name, _organizations.c.name_key)).all()
            )
        return bodies, orgs

    def version() -> int:
        with engine.connect() as conn:
            return int(conn.scalar(sa.text("SELECT version FROM registry_version")) or 0)

    old = keys()
    assert old[0]["AG Barr plc"] == "barr"
    version_before = version()

    with caplog.at_level(logging.INFO, logger=MIGRATION_LOGGER):
        upgrade(url, "0008")

    new = keys()
    assert new == (
        {name: fold_name(name) for name in body_names},
        {name: fold_name(name) for name in org_names},
    )
    assert new[0] == {
        "AG Barr plc": "ag barr",
        "Polfarm Sp. z o.o.": "polfarm",
        "Northbridge Certification Ltd": "northbridge certification",
    }
    assert new[1]["The Acme Company Ltd"] == "acme"
    assert new[1]["PT Bank Central Asia Tbk"] == "bank central asia"
    assert version() > version_before  # running processes drop their fact caches
    summary = [r.getMessage() for r in caplog.records if r.getMessage().startswith("name keys")]
    assert summary == [
        "name keys (legal forms at the edges): 3 organisation names and 2 certification body "
        "names re-keyed"
    ]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]

    downgrade(url, "0007")
    assert keys() == old
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=MIGRATION_LOGGER):
        upgrade(url, "0008")
    assert keys() == new

    # All the way down in one transaction: 0008 writes names, then 0004 drops the registry
    # version table that the commit would have bumped (a PostgreSQL rollback before the fix).
    downgrade(url, "base")
    assert sa.inspect(engine).get_table_names() == ["alembic_version"]
    engine.dispose()
    drop_database(url)
