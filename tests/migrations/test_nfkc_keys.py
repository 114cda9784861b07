"""Migration 0005 re-keys stored numbers and names with NFKC and reports, never merges,
collisions (issue 11, part 5)."""

from __future__ import annotations

import importlib.util
import logging
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType

import pytest
import sqlalchemy as sa

from app.db import make_engine
from app.domain.names import fold_text
from app.domain.normalize import normalize_certificate_number
from app.migrate import downgrade, project_root, upgrade
from tests.conftest import drop_database, fresh_database_url
from tests.migrations.tables import certification_bodies as _bodies
from tests.migrations.tables import organizations as _organizations

MIGRATION_LOGGER = "alembic.runtime.migration"
NOW = datetime(2026, 11, 26, 12, 0, tzinfo=UTC)

_standards = sa.table(
    "standards",
    sa.column("id", sa.Uuid()),
    sa.column("code", sa.String()),
    sa.column("code_key", sa.String()),
    sa.column("edition", sa.String()),
    sa.column("title", sa.String()),
    sa.column("uses_iaf_sectors", sa.Boolean()),
    sa.column("uncertain", sa.Boolean()),
)
_certificates = sa.table(
    "certificates",
    sa.column("id", sa.Uuid()),
    sa.column("certification_body_id", sa.Uuid()),
    sa.column("organization_id", sa.Uuid()),
    sa.column("standard_id", sa.Uuid()),
    sa.column("certificate_number", sa.String()),
    sa.column("number_key", sa.String()),
    sa.column("scope", sa.Text()),
    sa.column("sectors", sa.JSON()),
    sa.column("issue_date", sa.Date()),
    sa.column("expiry_date", sa.Date()),
    sa.column("confidential", sa.Boolean()),
    sa.column("created_at", sa.DateTime(timezone=True)),
    sa.column("updated_at", sa.DateTime(timezone=True)),
)


def old_number_key(text: str) -> str:
    """The number key before revision 0005: upper case, letters and digits, no NFKC."""
    return "".join(char for char in text.upper() if char.isalnum())


def migration() -> ModuleType:
    """migrations/versions/0005_nfkc_keys.py as a module."""
    path = project_root() / "migrations" / "versions" / "0005_nfkc_keys.py"
    spec = importlib.util.spec_from_file_location("migration_0005_nfkc_keys", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_frozen_key_functions_are_those_of_revision_0005() -> None:
    """The keys the migration wrote are the keys the application computed at revision 0005.

    The number key still agrees with the application's. The name key does not since revision
    0008 (issue 13, part 3: legal forms only at the edges, a leading "The"; tested in
    tests/migrations/test_name_keys_edges.py), so it is checked against its own behaviour as of
    0005: `fold_text` with the legal forms of 0005 dropped wherever they stand."""
    frozen = migration()
    samples = [chr(cp) for cp in range(0x10000) if not 0xD800 <= cp <= 0xDFFF] + [
        "ＦＳ　６１２３４５",
        "O\u0308QS 12",
        "\u00b5Tech GmbH & Co. KG",
        "Company Limited",
        "ACME Co., Ltd.",
    ]
    assert [frozen.number_key(s) for s in samples] == [
        normalize_certificate_number(s) for s in samples
    ]
    # One character folds to words that are all, or none, of 0005's legal forms, except two
    # that fold to a form and a word ("㏆" is "C/kg", "ﷵ" is "slm" as "sl m").
    single = {chr(cp) for cp in range(0x10000) if not 0xD800 <= cp <= 0xDFFF}
    assert {s: frozen.name_key(s) for s in single if frozen.name_key(s) != fold_text(s)} == {
        "\u33c6": "c",
        "\ufdf5": "m",
    }
    as_of_0005 = {
        "ＦＳ　６１２３４５": "fs 612345",
        "O\u0308QS 12": "oqs 12",
        "\u00b5Tech GmbH & Co. KG": "mtech",
        "Company Limited": "company limited",
        "ACME Co., Ltd.": "acme",
        "AG Barr plc": "barr",  # forms dropped anywhere, the start included
        "Polfarm Sp. z o.o.": "polfarm sp z o o",  # not a form of 0005
        "The Acme Company Ltd": "the acme",
    }
    assert {name: frozen.name_key(name) for name in as_of_0005} == as_of_0005


def test_upgrade_rekeys_fullwidth_numbers_and_reports_collisions(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """At 0004, with a fullwidth number, a collision pair, a chain and a cascade, upgrading
    re-keys what it can and leaves each collision unmerged, with a warning naming ids and
    numbers."""
    url = fresh_database_url(tmp_path, "nfkc_keys")
    upgrade(url, "0004")
    engine = make_engine(url)
    ids: dict[str, uuid.UUID] = {}
    with engine.begin() as conn:
        standard = uuid.uuid4()
        conn.execute(
            sa.insert(_standards).values(
                id=standard,
                code="ISO 9001",
                code_key="ISO9001",
                edition="2015",
                title="Quality management systems",
                uses_iaf_sectors=True,
                uncertain=False,
            )
        )
        bodies = {"one": "Northbridge Certification Ltd", "two": "\u00b5Cert Ltd", "three": "Q3"}
        for label, name in bodies.items():
            ids[label] = uuid.uuid4()
            conn.execute(
                sa.insert(_bodies).values(
                    id=ids[label],
                    name=name,
                    name_key=name.lower(),  # any stale key: the migration recomputes it
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        org = {}
        for label in bodies:
            org[label] = uuid.uuid4()
            conn.execute(
                sa.insert(_organizations).values(
                    id=org[label],
                    certification_body_id=ids[label],
                    name="\u00b5Tech GmbH",
                    name_key="utech",  # fold_name before NFKC: the micro sign became "u"
                    country="GB",
                    aliases=[],
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
        certificates = {
            "fullwidth": ("one", "ＦＳ　６１２３４５"),
            "collides_fullwidth": ("one", "ＦＳ　７００"),
            "collides_ascii": ("one", "FS 700"),
            "chain_fullwidth": ("one", "Ａ1"),  # -> "A1", the old key of chain_decomposed
            "chain_decomposed": ("one", "A\u03081"),  # "A1" -> "Ä1"
            "ascii": ("one", "Q-1"),
            "other_cb_fullwidth": ("two", "ＦＳ　７００"),
            "cascade_composed": ("three", "\u00c41"),  # "Ä1" stays
            "cascade_decomposed": ("three", "A\u03081"),  # "A1" -> "Ä1": collides, keeps "A1"
            "cascade_fullwidth": ("three", "Ａ1"),  # -> "A1", still held: keeps "Ａ1"
        }
        for label, (cb, number) in certificates.items():
            ids[label] = uuid.uuid4()
            conn.execute(
                sa.insert(_certificates).values(
                    id=ids[label],
                    certification_body_id=ids[cb],
                    organization_id=org[cb],
                    standard_id=standard,
                    certificate_number=number,
                    number_key=old_number_key(number),
                    scope="Widgets",
                    sectors=[],
                    issue_date=date(2024, 3, 1),
                    expiry_date=date(2027, 2, 28),
                    confidential=False,
                    created_at=NOW,
                    updated_at=NOW,
                )
            )
    with engine.connect() as conn:
        version_before = conn.scalar(sa.text("SELECT version FROM registry_version"))

    with caplog.at_level(logging.INFO, logger=MIGRATION_LOGGER):
        upgrade(url)

    with engine.connect() as conn:
        keys = {
            row.id: row.number_key
            for row in conn.execute(sa.select(_certificates.c.id, _certificates.c.number_key))
        }
        name_keys = {
            row.id: row.name_key
            for row in conn.execute(sa.select(_organizations.c.id, _organizations.c.name_key))
        }
        body_keys = {
            row.id: row.name_key
            for row in conn.execute(sa.select(_bodies.c.id, _bodies.c.name_key))
        }
        version_after = conn.scalar(sa.text("SELECT version FROM registry_version"))
    assert {label: keys[ids[label]] for label in certificates} == {
        "fullwidth": "FS612345",
        "collides_fullwidth": "ＦＳ７００",
        "collides_ascii": "FS700",
        "chain_fullwidth": "A1",
        "chain_decomposed": "Ä1",
        "ascii": "Q1",
        "other_cb_fullwidth": "FS700",
        "cascade_composed": "Ä1",
        "cascade_decomposed": "A1",
        "cascade_fullwidth": "Ａ1",
    }
    assert set(name_keys.values()) == {"mtech"}
    assert {label: body_keys[ids[label]] for label in bodies} == {
        "one": "northbridge certification",
        "two": "mcert",
        "three": "q3",
    }
    assert version_after > version_before  # running processes drop their fact caches

    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 3, warnings
    collision = next(w for w in warnings if "'FS700'" in w)
    assert "not merged" in collision
    assert str(ids["one"]) in collision
    for label in ("collides_fullwidth", "collides_ascii"):
        assert str(ids[label]) in collision
        assert repr(certificates[label][1]) in collision
    assert str(ids["other_cb_fullwidth"]) not in collision
    cascade = [w for w in warnings if str(ids["cascade_decomposed"]) in w]
    assert len(cascade) == 2
    assert any(str(ids["cascade_composed"]) in w for w in cascade)
    assert any(str(ids["cascade_fullwidth"]) in w for w in cascade)
    summary = [r.getMessage() for r in caplog.records if r.getMessage().startswith("NFKC keys")]
    assert summary == [
        "NFKC keys: 4 certificate numbers, 3 organisation names and 2 certification body "
        "names re-keyed"
    ]

    # Downgrade keeps the keys (a no-op); upgrading again changes nothing and reports again.
    downgrade(url, "0004")
    caplog.clear()
    with caplog.at_level(logging.INFO, logger=MIGRATION_LOGGER):
        upgrade(url)
    with engine.connect() as conn:
        again = dict(conn.execute(sa.select(_certificates.c.id, _certificates.c.number_key)).all())
    assert again == keys
    assert len([r for r in caplog.records if r.levelno == logging.WARNING]) == 3
    engine.dispose()
    drop_database(url)
