"""Two writers of one organisation's certificates at once (PostgreSQL, READ COMMITTED): the
facts rows they leave equal the registry (issue 16: one facts row per certificate)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import Engine, select, text
from sqlalchemy.orm import Session

from app.db import make_engine
from app.models import CertificateFacts
from app.repositories.certificate_facts import stale_certificate_facts
from app.schemas.certificates import CertificateUpdate
from app.services.registry import certificates
from tests.conftest import PG_URL, seeded_database
from tests.factories import ADMIN, make_cb, make_certificate, set_certificate_status

pytestmark = pytest.mark.skipif(not PG_URL, reason="SQLite has one writer at a time")


@pytest.fixture(scope="module")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """A migrated, seeded database of its own, written with real commits."""
    for url in seeded_database(Path(tmp_path_factory.mktemp("race")), "factsrace"):
        built = make_engine(url)
        yield built
        built.dispose()


def _waiting_on_a_lock(engine: Engine, pid: int) -> bool:
    with engine.connect() as conn:
        kind = conn.execute(
            text("SELECT wait_event_type FROM pg_stat_activity WHERE pid = :pid"), {"pid": pid}
        ).scalar()
    return kind == "Lock"


def test_a_withdrawal_committed_while_a_sibling_is_patched_stays_in_its_row(
    engine: Engine,
) -> None:
    """T1 withdraws C1 (its refresh rewrites C1's and C2's rows: one organisation); T2 patches
    C2 meanwhile and its refresh must wait for T1. Without the organisations' lock T2's upsert
    waited on C1's row and then wrote the row it had computed before T1 committed: C1 verified
    as active until the next write to that organisation."""
    with Session(engine) as setup:
        cb = make_cb(setup, "Race Certification Ltd", "RACE")
        org = {"name": "Racing Widgets Ltd", "country": "GB", "aliases": []}
        first = make_certificate(setup, cb, "RACE-1", organization=org)
        second = make_certificate(setup, cb, "RACE-2", organization=org)
        setup.commit()

    withdrawing = Session(engine)
    set_certificate_status(withdrawing, first, "withdrawn", date(2026, 11, 1))
    failures: list[BaseException] = []
    patching = Session(engine)
    pid = patching.connection().exec_driver_sql("SELECT pg_backend_pid()").scalar_one()

    def patch() -> None:
        try:
            certificates.update_certificate(
                patching,
                principal=ADMIN,
                certificate_id=second,
                data=CertificateUpdate.model_validate({"scope": "Design of racing widgets"}),
            )
            patching.commit()
        except BaseException as exc:  # reported by the test below
            failures.append(exc)

    thread = threading.Thread(target=patch)
    thread.start()
    for _ in range(500):  # until T2 waits on T1 (never a fixed sleep)
        if _waiting_on_a_lock(engine, pid):
            break
        time.sleep(0.01)
    else:
        pytest.fail("the patch never waited for the withdrawal")
    withdrawing.commit()
    thread.join(30)
    withdrawing.close()
    patching.close()
    assert failures == []
    with Session(engine) as check:
        assert stale_certificate_facts(check) == []
        facts = check.scalars(
            select(CertificateFacts.facts).where(CertificateFacts.certificate_id == first)
        ).one()
        assert '"withdrawn"' in facts
