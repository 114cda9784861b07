"""Smoke test of the generated Python client (openapi-python-client) against a live server.

`make clients` runs it with the generator's venv (tools/clients/.venv), which has the client's
dependencies (httpx, attrs, python-dateutil): a migrated, seeded SQLite database with the demo
registry in a temporary folder, `certverify serve` on a free loopback port, all on the suite's
clock (tests/clocked.py, 2026-11-26 12:00 UTC) so every answer below is exact. Then, through the
generated client only: a verification (its verdict and checks), a batch (typed results, one of
them an item's problem), a 422 (the client's Problem), and an import as a form upload and as a
raw CSV body with a certification body's key (`certverify keys create`).

Usage: python tools/clients/smoke.py CLIENT_DIR APP_PYTHON
"""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
CLOCK = "2026-11-26T12:00:00+00:00"
"""The suite's clock (tests/conftest.py TEST_NOW): the demo registry is built relative to it."""
STARTUP_SECONDS = 60.0
IMPORT_CSV = (
    "certificate_number,status,organization_name,organization_country,standard,scope,sectors,"
    "site_name,site_address,site_country,issue_date,expiry_date\n"
    "SMOKE-001,Active,Smoke Test Fabrication Ltd,GB,ISO 9001:2015,Metal fabrication,17,"
    "Works,1 Mill Lane,GB,2025-01-10,2028-01-09\n"
)
CHECK_ORDER = (
    "certificate_found",
    "certificate_status",
    "validity_period",
    "standard_edition",
    "cb_accreditation",
    "accreditation_sectors",
    "ab_recognition",
    "organization_match",
    "standard_match",
    "site_match",
    "scope_match",
)
NARNIA = (
    '"Narnia" is not a country: give an ISO 3166-1 code such as GB or GBR, or an English name '
    "such as United Kingdom"
)


def _environment(directory: Path) -> dict[str, str]:
    """The environment without the shell's CERTVERIFY_* settings, on a database of its own."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("CERTVERIFY_")}
    env.update(
        CERTVERIFY_DATABASE_URL=f"sqlite:///{directory / 'smoke.db'}",
        CERTVERIFY_DATA_DIR=str(directory),
        CERTVERIFY_TEST_CLOCK=CLOCK,
    )
    return env


def _certverify(app_python: str, env: dict[str, str], *args: str) -> str:
    """Run `certverify ARGS` on the test clock; its standard output."""
    done = subprocess.run(
        [app_python, "-m", "tests.clocked", "app", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"certverify {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def _server(app_python: str, env: dict[str, str], log: Path) -> Iterator[str]:
    """`certverify serve` on a free loopback port until the block ends; its base URL."""
    from certverify_client import Client
    from certverify_client.api.operations import get_health

    for _attempt in range(3):
        port = _free_port()
        argv = [app_python, "-m", "tests.clocked", "app", "serve", "--host", "127.0.0.1"]
        with log.open("wb") as out:
            process = subprocess.Popen(
                [*argv, "--port", str(port), "--no-worker"],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + STARTUP_SECONDS
        up = False
        while not up and process.poll() is None and time.monotonic() < deadline:
            try:
                up = get_health.sync(client=Client(base_url=base_url, timeout=1.0)) is not None
            except Exception:  # not listening yet
                time.sleep(0.2)
        if up:
            try:
                yield base_url
            finally:
                process.terminate()
                process.wait(timeout=15)
            return
        process.kill()
        process.wait(timeout=10)
        if "address already in use" not in log.read_text(errors="replace").lower():
            raise SystemExit(f"the server did not start:\n{log.read_text(errors='replace')}")
    raise SystemExit("no free port could be bound")


def _check(label: str, actual: Any, expected: Any) -> None:
    if actual != expected:
        raise SystemExit(f"FAIL {label}: expected {expected!r}, got {actual!r}")
    print(f"ok   {label}: {actual!r}")  # noqa: T201 - the smoke test's report


def smoke(base_url: str, client_key: str, app_python: str, env: dict[str, str]) -> None:
    """Every call through the generated client, every answer checked exactly."""
    from certverify_client import AuthenticatedClient, Client
    from certverify_client.api.certification_bodies import list_certification_bodies
    from certverify_client.api.import_and_export import import_certificates
    from certverify_client.api.verification import verify_batch, verify_certificate
    from certverify_client.models import (
        BatchItemProblem,
        BatchRequest,
        BatchResponse,
        CheckCode,
        ImportReport,
        ImportRowOutcome,
        ImportUpload,
        Outcome,
        PageCertificationBodyRead,
        Problem,
        ProblemFieldErrorLocation,
        Verdict,
        VerificationRead,
        VerificationRequestIn,
    )
    from certverify_client.types import File, Unset

    anonymous = Client(base_url=base_url, raise_on_unexpected_status=True)
    keyed = AuthenticatedClient(base_url=base_url, token=client_key)

    # A verification: the verdict and every check, typed.
    answer = verify_certificate.sync(
        client=anonymous, certificate_number="Q 700001", certification_body="NBC"
    )
    assert isinstance(answer, VerificationRead), answer
    _check("verify Q 700001 at NBC: verdict", answer.verdict, Verdict.VALID)
    _check(
        "verify Q 700001 at NBC: summary",
        answer.summary,
        "Certificate Q 700001 for ISO 9001:2015 held by Albion Precision Engineering Ltd is "
        "valid on 2026-11-26.",
    )
    _check(
        "verify Q 700001 at NBC: checks in DESIGN.md's order",
        [c.code for c in answer.checks],
        [CheckCode(code) for code in CHECK_ORDER],
    )
    _check(
        "verify Q 700001 at NBC: outcomes",
        [c.outcome for c in answer.checks],
        [Outcome.PASS] * 7 + [Outcome.SKIPPED] * 4,
    )
    withdrawn = verify_certificate.sync(
        client=anonymous, certificate_number="Q 700005", certification_body="NBC"
    )
    assert isinstance(withdrawn, VerificationRead), withdrawn
    _check("verify Q 700005 at NBC: verdict", withdrawn.verdict, Verdict.WITHDRAWN)

    # A 422: the client's Problem, naming the parameter.
    refused = verify_certificate.sync_detailed(
        client=anonymous, certificate_number="Q 700001", country="Narnia"
    )
    _check("verify with country=Narnia: status", refused.status_code, 422)
    problem = refused.parsed
    assert isinstance(problem, Problem), problem
    _check("verify with country=Narnia: problem type", problem.type_, "/problems/validation-error")
    errors = problem.errors
    assert not isinstance(errors, Unset), problem
    _check(
        "verify with country=Narnia: error",
        [(e.pointer, e.parameter, e.location, e.detail) for e in errors],
        [("/country", "country", ProblemFieldErrorLocation.QUERY, NARNIA)],
    )

    # A batch: typed results in input order, the invalid item a BatchItemProblem in place.
    items = [
        VerificationRequestIn(certificate_number="Q 700001", certification_body="NBC"),
        VerificationRequestIn(certificate_number="Q 700007", certification_body="NBC"),
        VerificationRequestIn(
            certificate_number="Q 700005", certification_body="NBC", country="Narnia"
        ),
    ]
    batch = verify_batch.sync(client=keyed, body=BatchRequest(items=items))
    assert isinstance(batch, BatchResponse), batch
    results = batch.results
    _check(
        "batch: result types",
        [type(r).__name__ for r in results],
        ["VerificationRead", "VerificationRead", "BatchItemProblem"],
    )
    verdicts = [r.verdict for r in results if isinstance(r, VerificationRead)]
    _check("batch: verdicts", verdicts, [Verdict.VALID, Verdict.EXPIRED])
    item_problem = results[2]
    assert isinstance(item_problem, BatchItemProblem), item_problem
    _check(
        "batch: item problem",
        (item_problem.status, [(e.pointer, e.detail) for e in item_problem.errors]),
        (422, [("/items/2/country", NARNIA)]),
    )

    # An import with a certification body's key: as a form upload, then the same file as the
    # raw CSV body (changes nothing), then the new certificate verifies.
    bodies = list_certification_bodies.sync(client=anonymous, page_size=500)
    assert isinstance(bodies, PageCertificationBodyRead), bodies
    nbc = next(b for b in bodies.items if b.acronym == "NBC")
    cb_key = _certverify(
        app_python, env, "keys", "create", "--role", "certification_body", "--body", str(nbc.id)
    ).strip()
    as_cb = AuthenticatedClient(base_url=base_url, token=cb_key)
    upload = ImportUpload(
        file=File(
            payload=io.BytesIO(IMPORT_CSV.encode()),
            file_name="certificates.csv",
            mime_type="text/csv",
        )
    )
    report = import_certificates.sync(client=as_cb, body=upload)
    assert isinstance(report, ImportReport), report
    _check(
        "import as a form upload: committed, totals",
        (report.committed, report.totals.to_dict()),
        (True, {"rows": 1, "created": 1, "updated": 0, "unchanged": 0, "skipped": 0, "error": 0}),
    )
    _check(
        "import as a form upload: row",
        [(r.row, r.certificate_number, r.outcome) for r in report.rows],
        [(2, "SMOKE-001", ImportRowOutcome.CREATED)],
    )
    again = import_certificates.sync(
        client=as_cb, body=File(payload=io.BytesIO(IMPORT_CSV.encode()))
    )
    assert isinstance(again, ImportReport), again
    _check(
        "the same file as the raw CSV body: rows",
        [(r.certificate_number, r.outcome) for r in again.rows],
        [("SMOKE-001", ImportRowOutcome.UNCHANGED)],
    )
    imported = verify_certificate.sync(
        client=anonymous, certificate_number="smoke 001", certification_body="NBC"
    )
    assert isinstance(imported, VerificationRead), imported
    _check("verify the imported SMOKE-001: verdict", imported.verdict, Verdict.VALID)


def main() -> None:
    """Build the registry, start the server, run the smoke test, stop the server."""
    client_dir, app_python = sys.argv[1], sys.argv[2]
    sys.path.insert(0, client_dir)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="certverify-clients-") as tmp:
        directory = Path(tmp)
        env = _environment(directory)
        for step in (("migrate",), ("seed",), ("demo",)):
            _certverify(app_python, env, *step)
        client_key = _certverify(
            app_python, env, "keys", "create", "--role", "client", "--name", "smoke"
        ).strip()
        with _server(app_python, env, directory / "server.log") as base_url:
            smoke(base_url, client_key, app_python, env)
    took = time.monotonic() - started
    print(f"smoke test of the generated Python client passed in {took:.1f} s")  # noqa: T201


if __name__ == "__main__":
    main()
