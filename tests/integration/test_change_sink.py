"""Issue 12: writes record what they touched in the change sink; watch re-evaluation is
subscribed by the entry points, and its outbox events commit with the change, so no change is
lost when a process dies before any worker runs (DESIGN.md, Architecture)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from app import change_sink
from app.db import make_engine
from app.models import OutboxEvent, WebhookDelivery
from app.schemas.registry import StatusChange
from app.services.auth import Principal, Role, create_api_key
from app.services.integration.watches import create_watch
from app.services.registry import certificates as certificate_service
from app.services.verification.receipts import reset_key_cache
from tests.conftest import seeded_database
from tests.factories import ADMIN, TODAY, accredit, make_ab, make_cb, make_certificate

ROOT = Path(__file__).resolve().parents[2]

DIE_AFTER_COMMIT = """
import os
import signal
import sys

from fastapi.testclient import TestClient

from app.main import create_app

certificate_id, admin_key = sys.argv[1], sys.argv[2]
client = TestClient(create_app())  # no `with`: no lifespan, so no in-process delivery worker
response = client.post(
    f"/v1/certificates/{certificate_id}/status",
    json={"status": "withdrawn"},
    headers={"Authorization": f"Bearer {admin_key}"},
)
assert response.status_code == 200, response.text
print("committed", flush=True)
os.kill(os.getpid(), signal.SIGKILL)  # dies right after the commit: nothing else runs
"""


@pytest.fixture
def database(tmp_path: Path) -> Iterator[tuple[str, Engine]]:
    """A database of this test's own, written with real commits by this and other processes."""
    databases = seeded_database(tmp_path, "sink")
    url = next(databases)
    eng = make_engine(url)
    reset_key_cache()
    yield url, eng
    reset_key_cache()
    eng.dispose()
    next(databases, None)


def _watched_registry(engine: Engine) -> dict[str, Any]:
    """A CB with two valid certificates, both watched by one client (its key); an admin key."""
    tag = uuid.uuid4().hex[:6].upper()
    with Session(engine) as session:
        ab = make_ab(session, f"AB{tag}")
        cb = make_cb(session, f"Change Sink Certification {tag}", f"S{tag}")
        accredit(session, cb, ab.id, "ISO 9001", sectors=[18])
        certs = [make_certificate(session, cb, f"SINK-{tag}-{n}") for n in (1, 2)]
        client_key, _ = create_api_key(session, role=Role.CLIENT, body_id=None, name="watcher")
        _, admin_plaintext = create_api_key(session, role=Role.ADMIN, body_id=None, name="admin")
        session.flush()
        watcher_id = client_key.client_id
        watcher = Principal(key_id=client_key.id, role=Role.CLIENT, client_id=watcher_id)
        for cert in certs:
            create_watch(
                session,
                principal=watcher,
                certificate_id=cert,
                certificate_number=None,
                certification_body=None,
                today=TODAY,
            )
        session.commit()
    return {
        "tag": tag,
        "acronym": f"S{tag}",
        "certificates": certs,
        "numbers": [f"SINK-{tag}-{n}" for n in (1, 2)],
        "watcher": watcher_id,
        "admin_key": admin_plaintext,
    }


def _outbox(engine: Engine, watcher: uuid.UUID) -> list[OutboxEvent]:
    """The watcher's outbox events, as a fresh session reads them from the database."""
    with Session(engine) as session:
        return list(
            session.scalars(
                select(OutboxEvent)
                .where(OutboxEvent.client_id == watcher)
                .order_by(OutboxEvent.created_at)
            )
        )


def _deliveries(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(WebhookDelivery)) or 0


def _subprocess_env(url: str, tmp_path: Path) -> dict[str, str]:
    return {
        **os.environ,
        "CERTVERIFY_DATABASE_URL": url,
        "CERTVERIFY_IN_PROCESS_WORKER": "false",
        "CERTVERIFY_LOG_FORMAT": "text",
        "PYTHONPATH": os.pathsep.join([str(tmp_path), str(ROOT)]),
    }


def test_a_status_change_by_a_process_that_dies_after_commit_leaves_its_outbox_event(
    database: tuple[str, Engine], tmp_path: Path
) -> None:
    """DESIGN.md: "nothing is lost when a process dies". A status change through the API of a
    process that is killed right after its commit, with no delivery worker anywhere, leaves
    exactly one undelivered event in the database for the certificate's watcher."""
    url, engine = database
    world = _watched_registry(engine)
    assert _outbox(engine, world["watcher"]) == []
    (tmp_path / "die_after_commit.py").write_text(textwrap.dedent(DIE_AFTER_COMMIT))
    done = subprocess.run(
        [
            *(sys.executable, "-m", "tests.clocked", "die_after_commit"),
            str(world["certificates"][0]),
            world["admin_key"],
        ],
        cwd=ROOT,
        env=_subprocess_env(url, tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert "committed" in done.stdout

    events = _outbox(engine, world["watcher"])
    assert [e.event_type for e in events] == ["certificate.verdict_changed"]
    data = events[0].payload["data"]
    assert data["certificate"]["certificate_number"] == world["numbers"][0]
    assert (data["old_verdict"], data["new_verdict"]) == ("valid", "withdrawn")
    assert events[0].dispatched_at is None  # no worker ran: waiting in the outbox, not lost
    assert _deliveries(engine) == 0


def test_an_import_that_changes_a_watched_certificate_leaves_one_outbox_event(
    database: tuple[str, Engine], tmp_path: Path
) -> None:
    """The `certverify import` command (app/services/imports/certificates.py) suspends one of two
    watched certificates of its CB; with no worker, exactly one event is in the database."""
    url, engine = database
    world = _watched_registry(engine)
    csv_file = tmp_path / "suspend.csv"
    csv_file.write_text(
        "certificate_number,status,status_effective_from\n"
        f"{world['numbers'][0]},suspended,2026-11-01\n"
    )
    done = subprocess.run(
        [
            *(sys.executable, "-m", "tests.clocked", "app", "import", str(csv_file)),
            *("--cb", world["acronym"]),
        ],
        cwd=ROOT,
        env=_subprocess_env(url, tmp_path),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert '"updated": 1' in done.stdout

    events = _outbox(engine, world["watcher"])
    assert [e.event_type for e in events] == ["certificate.verdict_changed"]
    data = events[0].payload["data"]
    assert data["certificate"]["certificate_number"] == world["numbers"][0]
    assert (data["old_verdict"], data["new_verdict"]) == ("valid", "suspended")
    assert events[0].dispatched_at is None
    assert _deliveries(engine) == 0


def test_a_rolled_back_write_leaves_no_outbox_event_and_no_record(
    database: tuple[str, Engine],
) -> None:
    """A rolled-back status change changed nothing: no event, and the sink forgot what it
    touched, so a later commit on the same session re-evaluates nothing for it."""
    _, engine = database
    world = _watched_registry(engine)
    with Session(engine) as session:
        certificate_service.change_certificate_status(
            session,
            principal=ADMIN,
            certificate_id=world["certificates"][0],
            data=StatusChange(status="withdrawn"),
            today=TODAY,
        )
        assert change_sink.touched(session).certificates == {world["certificates"][0]}
        session.rollback()
        assert not change_sink.touched(session)
        session.commit()
    assert _outbox(engine, world["watcher"]) == []


CHECK_NOTHING_SUBSCRIBED = """
import sys

from sqlalchemy import event
from sqlalchemy.orm import Session

import app.services.imports.accreditations
import app.services.imports.certificates
import app.services.registry.bodies
import app.services.registry.certificates
import app.services.registry.seed

# Registry and import services reach the sink only, never the re-evaluation engine.
assert "app.services.integration.outbox" not in sys.modules, "a service imports the outbox"
assert "app.services.integration.watches" not in sys.modules, "a service imports watches"

from app.services.integration import outbox

for name, listener in (
    ("before_commit", outbox._reevaluate_before_commit),
    ("after_transaction_end", outbox._forget_when_transaction_ends),
):
    assert not event.contains(Session, name, listener), f"{name} registered at import"
    assert len(getattr(Session().dispatch, name)) == 0, f"a {name} listener at import"
assert not outbox.reevaluation_installed()

from sqlalchemy import Engine

from app.models import registry_version

assert not event.contains(Engine, "commit", registry_version._bump_on_commit), "tracking at import"
registry_version.install_write_tracking()
registry_version.install_write_tracking()  # idempotent
assert event.contains(Engine, "commit", registry_version._bump_on_commit)

outbox.install_reevaluation()
outbox.install_reevaluation()  # idempotent
assert outbox.reevaluation_installed()
assert len(Session().dispatch.before_commit) == 1
assert len(Session().dispatch.after_transaction_end) == 1
print("ok")
"""


def test_importing_services_registers_no_session_listener() -> None:
    """DESIGN.md: "listeners are registered by the entry points, not at import time". In a fresh
    interpreter (this harness installs re-evaluation itself), importing every writing service
    registers no Session listener; install_reevaluation() does, once."""
    done = subprocess.run(
        [sys.executable, "-c", CHECK_NOTHING_SUBSCRIBED],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"


def test_the_change_sink_imports_nothing_from_the_application() -> None:
    """The sink sits at the bottom of the import graph: importing it loads no other app module."""
    done = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, app.change_sink; "
            "print(sorted(m for m in sys.modules if m.startswith('app.')))",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "['app.change_sink']"
