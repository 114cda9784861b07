"""Issue 15 item 6 on the command line: `bodies list`, `keys create --body` by acronym or name
(as `import --certification-body` takes it), and `import` of an XLSX workbook."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from app.cli import cli
from app.config import get_settings
from app.db import get_engine, get_session_factory
from app.models import ApiKey
from app.schemas.registry import AccreditationBodyCreate, CertificationBodyCreate
from app.services.registry import bodies as registry
from app.services.verification.receipts import reset_key_cache
from tests.api import workbooks as wb
from tests.factories import ADMIN


@pytest.fixture
def runner(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[CliRunner]:
    """A runner on a new, migrated SQLite file with two CBs and two ABs (no reference data)."""
    monkeypatch.setenv("CERTVERIFY_DATABASE_URL", f"sqlite:///{tmp_path / 'cli.db'}")
    for cached in (get_settings, get_engine, get_session_factory):
        cached.cache_clear()
    reset_key_cache()
    runner = CliRunner()
    assert runner.invoke(cli, ["migrate"]).exit_code == 0
    yield runner
    get_engine().dispose()
    for cached in (get_settings, get_engine, get_session_factory):
        cached.cache_clear()
    reset_key_cache()


@pytest.fixture
def bodies(runner: CliRunner) -> dict[str, Any]:
    """Two CBs whose names differ only by legal form, one CB without acronym, two ABs (on the
    runner's database)."""
    assert runner is not None
    with get_session_factory()() as session:
        made: dict[str, Any] = {
            "ACL": registry.create_certification_body(
                session,
                principal=ADMIN,
                data=CertificationBodyCreate(
                    name="Acme Certification Ltd", acronym="ACL", country="GB"
                ),
            ),
            "ACG": registry.create_certification_body(
                session,
                principal=ADMIN,
                data=CertificationBodyCreate(
                    name="Acme Certification GmbH", acronym="ACG", country="DE"
                ),
            ),
            "none": registry.create_certification_body(
                session,
                principal=ADMIN,
                data=CertificationBodyCreate(name="Zeta Zertifizierung", country="AT"),
            ),
        }
        for acronym, economy in (("NAB", "NO"), ("KAB", "KE")):
            made[acronym] = registry.create_accreditation_body(
                session,
                principal=ADMIN,
                data=AccreditationBodyCreate.model_validate(
                    {
                        "acronym": acronym,
                        "name": f"{acronym} Accreditation",
                        "economy": economy,
                        "mla_scopes": [{"standard": "ISO 9001"}],
                    }
                ),
            )
        session.commit()
        return {name: str(body.id) for name, body in made.items()}


def test_bodies_list_shows_every_body_by_kind(runner: CliRunner, bodies: dict[str, Any]) -> None:
    """Certification bodies first, each kind by acronym; --kind filters; --json is a list."""
    listed = runner.invoke(cli, ["bodies", "list"])
    assert listed.exit_code == 0, listed.output
    assert listed.stdout.splitlines() == [
        f"{bodies['ACG']}  certification  ACG  DE  Acme Certification GmbH",
        f"{bodies['ACL']}  certification  ACL  GB  Acme Certification Ltd",
        f"{bodies['none']}  certification  -    AT  Zeta Zertifizierung",
        f"{bodies['KAB']}  accreditation  KAB  KE  KAB Accreditation",
        f"{bodies['NAB']}  accreditation  NAB  NO  NAB Accreditation",
    ]
    accreditation = runner.invoke(cli, ["bodies", "list", "--kind", "accreditation", "--json"])
    assert json.loads(accreditation.stdout) == [
        {
            "id": bodies["KAB"],
            "acronym": "KAB",
            "name": "KAB Accreditation",
            "country": "KE",
            "kind": "accreditation",
        },
        {
            "id": bodies["NAB"],
            "acronym": "NAB",
            "name": "NAB Accreditation",
            "country": "NO",
            "kind": "accreditation",
        },
    ]
    wrong = runner.invoke(cli, ["bodies", "list", "--kind", "laboratory"])
    assert wrong.exit_code == 2


def bound_body(plaintext: str) -> str:
    """The body id the key with this plaintext is bound to."""
    prefix = plaintext.split("_")[1]
    with get_session_factory()() as session:
        key = session.scalars(select(ApiKey).where(ApiKey.prefix == prefix)).one()
        return str(key.body_id)


@pytest.mark.parametrize(
    ("role", "given", "bound"),
    [
        ("certification_body", "acl", "ACL"),
        ("certification_body", "Acme Certification GmbH", "ACG"),
        ("certification_body", "Zeta Zertifizierung GmbH", "none"),
        ("accreditation_body", "NAB", "NAB"),
        ("accreditation_body", "id", "KAB"),
    ],
    ids=["cb-acronym", "cb-name", "cb-name-legal-form", "ab-acronym", "ab-id"],
)
def test_keys_create_takes_the_body_by_acronym_name_or_id(
    runner: CliRunner, bodies: dict[str, Any], role: str, given: str, bound: str
) -> None:
    """The key is bound to the body the acronym, name or id names."""
    body = bodies[bound] if given == "id" else given
    made = runner.invoke(cli, ["keys", "create", "--role", role, "--body", body])
    assert made.exit_code == 0, made.output
    assert bound_body(made.stdout.strip()) == bodies[bound]


@pytest.mark.parametrize(
    ("role", "given", "message"),
    [
        (
            "certification_body",
            "XYZ",
            "no certification body 'XYZ': give its id, acronym or name (`certverify bodies list "
            "--kind certification` lists them)",
        ),
        (
            "accreditation_body",
            "ACL",
            "no accreditation body 'ACL': give its id, acronym or name (`certverify bodies list "
            "--kind accreditation` lists them)",
        ),
        (
            "certification_body",
            "Acme Certification",
            "'Acme Certification' names 2 certification bodies (ACL Acme Certification Ltd "
            "({ACL}); ACG Acme Certification GmbH ({ACG})); give the id or acronym",
        ),
        (
            "certification_body",
            str(uuid.UUID(int=7)),
            f"no certification body '{uuid.UUID(int=7)}': give its id, acronym or name "
            "(`certverify bodies list --kind certification` lists them)",
        ),
    ],
    ids=["unknown", "other-kind", "ambiguous", "unknown-id"],
)
def test_keys_create_refuses_an_unknown_or_ambiguous_body_in_one_line(
    runner: CliRunner, bodies: dict[str, Any], role: str, given: str, message: str
) -> None:
    """Exit 2, one line on stderr, no key made: an ambiguous name never binds the oldest."""
    made = runner.invoke(cli, ["keys", "create", "--role", role, "--body", given])
    assert made.exit_code == 2
    assert made.stderr.splitlines() == [message.format(**bodies)]
    assert made.stdout == ""
    with get_session_factory()() as session:
        assert session.scalars(select(ApiKey)).all() == []


@pytest.mark.usefixtures("bodies")
def test_import_reads_an_xlsx_workbook(runner: CliRunner, tmp_path: Path) -> None:
    """`certverify import FILE.xlsx` reads the workbook (format from the extension); a hostile
    workbook is one line on stderr and exit 2."""
    assert runner.invoke(cli, ["seed"]).exit_code == 0
    rows: list[list[Any]] = [
        [
            "Certificate Number",
            "Certified Entity Name",
            "Standards/schemes",
            "Certification Issue Date",
            "Certification Expiry Date",
        ],
        [700001, "Cli Workbook Ltd", "ISO 9001:2015", "20250101", "20271231"],
    ]
    book = tmp_path / "certificates.xlsx"
    book.write_bytes(wb.from_rows(rows))
    imported = runner.invoke(cli, ["import", str(book), "--cb", "ACL"])
    assert imported.exit_code == 0, imported.output
    summary = json.loads(imported.stdout)
    assert (summary["totals"]["created"], summary["committed"]) == (1, True)
    again = runner.invoke(cli, ["import", str(book), "--cb", "ACL"])
    assert json.loads(again.stdout)["totals"]["unchanged"] == 1

    bomb = tmp_path / "bomb.xlsx"
    bomb.write_bytes(wb.build({"Data": wb.sheet_xml('<row r="2000000"/>')}))
    refused = runner.invoke(cli, ["import", str(bomb), "--cb", "ACL"])
    assert refused.exit_code == 2
    assert refused.stderr.splitlines()[-1] == (
        "the file cannot be imported: the workbook part 'xl/worksheets/sheet1.xml' has a row "
        "2,000,000; a sheet has at most 1,048,576 rows"
    )
