"""A crash mid-import leaves the database as before, or fully through a committed batch."""

from __future__ import annotations

import io
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.models import Certificate, CertificationBody
from app.services.auth import Principal, Role
from app.services.imports import certificates as importer_module
from app.services.imports.certificates import run_import
from app.services.imports.formats import read_csv
from tests.factories import TODAY, make_cb

HEADER = (
    "certificate_number,organization_name,organization_country,standard,issue_date,expiry_date\n"
)


def rows(n: int) -> io.BytesIO:
    """A CSV file of n valid rows."""
    body = "".join(
        f"CR-{i:05d},Org {i} Ltd,GB,ISO 9001:2015,2025-01-01,2027-12-31\n" for i in range(n)
    )
    return io.BytesIO((HEADER + body).encode())


class Crash(Exception):
    """Stands for the process dying."""


def _crash_on_third_batch(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importer_module.Importer.write_batch
    calls = {"n": 0}

    def crashing(self: Any, batch: list[Any]) -> None:
        calls["n"] += 1
        if calls["n"] == 3 and batch:
            real(self, batch[:10])  # half-written batch, then the crash
            raise Crash
        real(self, batch)

    monkeypatch.setattr(importer_module.Importer, "write_batch", crashing)


def _count(session: Session) -> int:
    return session.scalar(select(func.count()).select_from(Certificate)) or 0


@pytest.mark.parametrize(("mode", "expected"), [("all", 0), ("partial", 200)])
def test_crash_mid_import(
    session: Session, monkeypatch: pytest.MonkeyPatch, mode: str, expected: int
) -> None:
    """all: nothing survives; partial (CLI, commit per batch): exactly the committed batches."""
    cb_id = make_cb(session, "Crash Test Certification", "CTC")
    session.commit()
    cb = session.get(CertificationBody, cb_id)
    assert cb is not None
    _crash_on_third_batch(monkeypatch)
    _, data = read_csv(rows(250))
    with pytest.raises(Crash):
        run_import(
            session,
            principal=Principal(role=Role.ADMIN),
            certification_body=cb,
            rows=data,
            mode=mode,  # type: ignore[arg-type]
            today=TODAY,
            batch_size=100,
            commit_each_batch=True,
        )
    session.rollback()  # what the database does for a process that died mid-transaction
    assert _count(session) == expected


@pytest.mark.parametrize("batch_size", [1, 100])
def test_repeated_number_in_one_file_is_an_error(session: Session, batch_size: int) -> None:
    """A number twice in one file is refused, within a batch or across batches."""
    cb_id = make_cb(session, "Repeat Certification", "RPC")
    session.commit()
    cb = session.get(CertificationBody, cb_id)
    assert cb is not None
    text = HEADER + (
        "DUP-1,One Ltd,GB,ISO 9001:2015,2025-01-01,2027-12-31\n"
        "OK-2,Two Ltd,GB,ISO 9001:2015,2025-01-01,2027-12-31\n"
        "dup 1,One Ltd,GB,ISO 9001:2015,2025-01-01,2028-12-31\n"
    )
    _, data = read_csv(io.BytesIO(text.encode()))
    seen: dict[int, str] = {}
    run_import(
        session,
        principal=Principal(role=Role.ADMIN),
        certification_body=cb,
        rows=data,
        mode="partial",
        today=TODAY,
        batch_size=batch_size,
        on_row=lambda r: seen.__setitem__(r.row, r.outcome),
    )
    assert seen == {2: "created", 3: "created", 4: "error"}
