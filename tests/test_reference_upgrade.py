"""Reference data round two (issue 13, part 5): the shipped file, its build script, migration
0007 and `certverify seed` upgrading an older registry in place."""

from __future__ import annotations

import importlib.util
import json
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from sqlalchemy import Date, Engine, Uuid, bindparam, create_engine, inspect, select, text
from sqlalchemy.orm import Session

from app.db import make_engine
from app.demo.builder import build_demo_registry
from app.domain.editions import unpublished_on_issue_date
from app.migrate import downgrade, upgrade
from app.models import Base, Certificate, Standard
from app.reference import load_reference_data
from app.services.registry.seed import seed_reference_data
from app.services.verification.fact_mapping import recognition_arrangements
from tests.conftest import drop_database, fresh_database_url
from tests.factories import make_cb, make_certificate

TODAY = date(2026, 11, 26)
ROOT = Path(__file__).resolve().parents[1]
ROUND_ONE = {
    ("ISO9001", "2008"),
    ("ISO9001", "2015"),
    ("ISO9001", "2026"),
    ("ISO14001", "2004"),
    ("ISO14001", "2015"),
    ("ISO14001", "2026"),
    ("OHSAS18001", "2007"),
    ("ISO45001", "2018"),
    ("ISO27001", "2013"),
    ("ISO27001", "2022"),
    ("ISO22000", "2005"),
    ("ISO22000", "2018"),
    ("ISO50001", "2011"),
    ("ISO50001", "2018"),
    ("ISO13485", "2003"),
    ("ISO13485", "2016"),
    ("ISO37001", "2016"),
    ("ISO37301", "2021"),
}
"""The 18 editions the first release shipped (code key, edition)."""


# --- the shipped file ---------------------------------------------------------------------------


def _shipped(label: str) -> dict[str, Any]:
    return next(
        s for s in load_reference_data()["standards"] if f"{s['code']}:{s['edition']}" == label
    )


def test_every_edition_ships_with_the_new_fields_as_real_fields() -> None:
    """33 editions; disputed dates, decisions, MLA scope, publication and amendments as data."""
    standards = load_reference_data()["standards"]
    assert len(standards) == 33
    labels = {f"{s['code']}:{s['edition']}" for s in standards}
    assert {
        "ISO 22301:2019",
        "ISO/IEC 20000-1:2018",
        "ISO/IEC 27701:2025",
        "ISO/IEC 42001:2023",
        "ISO 28000:2022",
        "ISO 55001:2024",
        "ISO 39001:2012",
        "ISO 41001:2018",
        "ISO 21001:2018",
        "ISO 37001:2025",
        "ISO 9001:2026",
    } <= labels
    for standard in standards:
        assert {
            "transition_deadline_earliest",
            "transition_rule_source",
            "in_mla_scope",
            "published",
            "amendments",
        } <= standard.keys()
    food = _shipped("ISO 22000:2005")
    assert (food["transition_deadline_earliest"], food["transition_deadline"]) == (
        "2021-12-29",
        "2021-12-31",
    )
    assert _shipped("OHSAS 18001:2007")["in_mla_scope"] is False
    assert _shipped("ISO 41001:2018")["published"] == "2018"
    assert _shipped("ISO 9001:2026")["published"] is None
    assert "draft" in _shipped("ISO 9001:2026")["status"]
    assert "published 2015-09-15" not in (_shipped("ISO 9001:2015")["notes"] or "")
    fields = load_reference_data()["_meta"]["fields"]
    assert {
        "transition_deadline_earliest",
        "transition_rule_source",
        "in_mla_scope",
        "published",
        "amendments",
        "recognition_arrangements",
    } <= fields.keys()


def test_recognition_arrangements_ship_by_date() -> None:
    """IAF MLA up to 2025-12-31, Global ACI MRA from 2026-01-01, with their sources."""
    shipped = load_reference_data()["recognition_arrangements"]
    assert [(a["short_name"], a["from"], a["until"]) for a in shipped] == [
        ("IAF MLA", None, "2025-12-31"),
        ("Global ACI MRA", "2026-01-01", None),
    ]
    assert all(a["source"] and "global-aci.org" in a["source"] for a in shipped)
    facts = recognition_arrangements()
    assert [(f.short_name, f.valid_from, f.valid_until) for f in facts] == [
        ("IAF MLA", None, date(2025, 12, 31)),
        ("Global ACI MRA", date(2026, 1, 1), None),
    ]


# --- the build script ---------------------------------------------------------------------------


def _builder() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "build_reference_data", ROOT / "scripts" / "build_reference_data.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _source_standard(**changes: Any) -> dict[str, Any]:
    item: dict[str, Any] = {
        "code": "ISO 22000",
        "edition": 2005,
        "title": "Food safety management systems",
        "status": "withdrawn",
        "superseded_by": "ISO 22000:2018",
        "transition_deadline": "2021-12-31",
        "transition_deadline_earliest": "2021-12-29",
        "transition_rule_source": "IAF Resolution 2018-15",
        "in_mla_scope": True,
        "published": "2005-09",
        "amendments": ["ISO 22000:2005/Amd 1:2099 (example)"],
        "source": "s",
    }
    item.update(changes)
    return item


def test_build_keeps_the_new_fields_and_refuses_bad_dates() -> None:
    """The fields are copied as given; dates out of order or unreadable stop the build."""
    builder = _builder()
    [built] = builder.build_standards([_source_standard()])
    assert {k: built[k] for k in ("transition_deadline", "transition_deadline_earliest")} == {
        "transition_deadline": "2021-12-31",
        "transition_deadline_earliest": "2021-12-29",
    }
    assert built["published"] == "2005-09"
    assert built["amendments"] == ["ISO 22000:2005/Amd 1:2099 (example)"]
    assert built["in_mla_scope"] is True
    [unscoped] = builder.build_standards([_source_standard(in_mla_scope=False, published=None)])
    assert (unscoped["in_mla_scope"], unscoped["published"]) == (False, None)
    for bad in (
        {"transition_deadline_earliest": "2022-01-01"},
        {"published": "Sep 2005"},
        {"transition_deadline": "31/12/2021"},
    ):
        with pytest.raises(SystemExit):
            builder.build_standards([_source_standard(**bad)])
    with pytest.raises(SystemExit):
        builder.build_standards([_source_standard(), _source_standard()])


def test_build_takes_the_arrangements_from_the_important_note() -> None:
    """The arrangements come from `_meta.important`; a note that no longer says so stops it."""
    builder = _builder()
    note = (
        "From 2026-01-01 ... The IAF MLA and ILAC MRA are superseded by the 'Global ACI MRA' "
        "(https://example.org/a ; https://example.org/b/)."
    )
    arrangements = builder.build_recognition_arrangements(note)
    assert [a["short_name"] for a in arrangements] == ["IAF MLA", "Global ACI MRA"]
    assert arrangements[0]["source"] == "https://example.org/a ; https://example.org/b/"
    with pytest.raises(SystemExit):
        builder.build_recognition_arrangements("IAF and ILAC merged")


# --- migration 0007 -----------------------------------------------------------------------------


def test_0007_adds_the_fields_with_values_that_change_nothing(tmp_path: Path) -> None:
    """Rows from 0006 get no earliest date, no decision, in scope, no publication, no
    amendments; downgrade removes the columns again."""
    url = fresh_database_url(tmp_path, "ref0007")
    upgrade(url, "0006")
    engine = make_engine(url)
    row_id = uuid.uuid4()
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO standards (id, code, code_key, edition, title, transition_deadline, "
                "uses_iaf_sectors, uncertain) VALUES (:id, 'ISO 22000', 'ISO22000', '2005', "
                "'Food safety', :deadline, false, true)"
            ).bindparams(bindparam("id", type_=Uuid()), bindparam("deadline", type_=Date())),
            {"id": row_id, "deadline": date(2021, 12, 29)},
        )
    engine.dispose()
    upgrade(url, "0007")
    engine = make_engine(url)
    with engine.connect() as conn:
        row = conn.execute(
            text(
                "SELECT transition_deadline_earliest, transition_rule_source, in_mla_scope, "
                "published, amendments FROM standards"
            )
        ).one()
    engine.dispose()
    amendments = json.loads(row[4]) if isinstance(row[4], str) else row[4]
    assert (row[0], row[1], bool(row[2]), row[3], amendments) == (None, None, True, None, [])
    downgrade(url, "0006")
    engine = make_engine(url)
    with engine.connect() as conn:
        columns = {c["name"] for c in inspect(conn).get_columns("standards")}
    engine.dispose()
    assert not {"in_mla_scope", "amendments", "published"} & columns
    drop_database(url)


# --- certverify seed upgrades in place ----------------------------------------------------------


@pytest.fixture
def engine() -> Iterator[Engine]:
    """A fresh in-memory SQLite database with every table."""
    engine = create_engine("sqlite://")
    Base.metadata.create_all(engine)
    yield engine
    engine.dispose()


def _as_round_one(session: Session) -> None:
    """Make the registry look seeded by the first release: its 18 editions only, without the
    new fields, and ISO 22000:2005 with the deadline it shipped then (2021-12-29)."""
    for standard in session.scalars(select(Standard)):
        if (standard.code_key, standard.edition) not in ROUND_ONE:
            session.delete(standard)
            continue
        standard.transition_deadline_earliest = None
        standard.transition_rule_source = None
        standard.in_mla_scope = True
        standard.published = None
        standard.amendments = []
        if (standard.code_key, standard.edition) == ("ISO22000", "2005"):
            standard.transition_deadline = date(2021, 12, 29)
    session.commit()


def _certificate_rows(session: Session) -> list[tuple[Any, ...]]:
    return sorted(
        (c.id, c.standard_id, c.issue_date, c.expiry_date, c.updated_at, c.scope)
        for c in session.scalars(select(Certificate))
    )


def test_seed_upgrades_an_older_registry_in_place_and_twice_changes_nothing(
    engine: Engine,
) -> None:
    """Existing editions get the new fields, new editions are added, certificates untouched."""
    with Session(engine) as session:
        seed_reference_data(session)
        session.commit()
        cb = make_cb(session, "Upgrade Certification Ltd", "UCL")
        make_certificate(session, cb, "FOOD-1", standard="ISO 22000:2018", sectors=[])
        make_certificate(session, cb, "QMS-1")
        session.commit()
        _as_round_one(session)
        food_id = session.scalars(
            select(Standard.id).where(Standard.code_key == "ISO22000", Standard.edition == "2005")
        ).one()
        certificates = _certificate_rows(session)

        report = seed_reference_data(session)
        session.commit()
        # 17 of the 18 carry a new field; ISO 9001:2026 (no date, no decision, in scope) not.
        assert (report.standards.created, report.standards.updated) == (15, 17)
        assert report.standards.unchanged == 1
        session.expire_all()
        food = session.get(Standard, food_id)
        assert food is not None
        assert (food.transition_deadline_earliest, food.transition_deadline) == (
            date(2021, 12, 29),
            date(2021, 12, 31),
        )
        assert food.transition_rule_source == "IAF Resolution 2018-15, extended by IAF FAQ Q20"
        bcms = session.scalars(
            select(Standard).where(Standard.code_key == "ISO22301", Standard.edition == "2019")
        ).one()
        assert (bcms.in_mla_scope, bcms.published) == (False, "2019-10-31")
        assert bcms.amendments == ["ISO 22301:2019/Amd 1:2024 (climate change; no transition)"]
        assert _certificate_rows(session) == certificates

        again = seed_reference_data(session)
        assert (again.standards.created, again.standards.updated) == (0, 0)
        assert again.standards.unchanged == 33
        assert _certificate_rows(session) == certificates


# --- the demo -----------------------------------------------------------------------------------


def test_demo_never_certifies_an_edition_before_its_publication(engine: Engine) -> None:
    """Every demo certificate passes the write-time publication rule (app/domain/editions.py)."""
    with Session(engine) as session:
        seed_reference_data(session)
        build_demo_registry(session, certificates=300, today=TODAY)
        standards = {s.id: s for s in session.scalars(select(Standard))}
        refused = [
            problem
            for cert in session.scalars(select(Certificate))
            if (standard := standards[cert.standard_id]) is not None
            and (
                problem := unpublished_on_issue_date(
                    standard.label, standard.published, standard.status, cert.issue_date
                )
            )
        ]
        assert refused == []
