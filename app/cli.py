"""The `certverify` command line."""

from __future__ import annotations

import json
import uuid
from datetime import date
from typing import Annotated, Any

import typer
from rich.console import Console

from app.services.auth import Role

cli = typer.Typer(
    name="certverify",
    help="Verify ISO management-system certificates across the whole accreditation chain.",
    no_args_is_help=True,
    add_completion=False,
)
keys_cli = typer.Typer(help="Create and revoke API keys.", no_args_is_help=True)
cli.add_typer(keys_cli, name="keys")
err = Console(stderr=True)


@cli.callback()
def entry_point() -> None:
    """Every command is an entry point: subscribe what its writes trigger before it runs."""
    from app.models.registry_version import install_write_tracking
    from app.services.integration.outbox import install_reevaluation

    # Before a transaction commits, the watches its changes touched are re-evaluated and their
    # events written to the outbox (app/services/integration/outbox.py), and a registry write
    # bumps the registry version that every process's fact cache polls.
    install_reevaluation()
    install_write_tracking()


def _session() -> Any:
    from app.db import get_session_factory

    return get_session_factory()()


@cli.command()
def migrate() -> None:
    """Upgrade the database to the newest migration."""
    from app.migrate import upgrade
    from app.services.verification.receipts import active_signing_key

    upgrade()
    with _session() as session:
        # Create the receipt key now, not inside the first request (on SQLite a request that
        # read before another connection wrote the key could not write afterwards).
        active_signing_key(session)
    err.print("[green]database is at the newest migration[/green]")


@cli.command()
def seed() -> None:
    """Load or refresh the shipped reference data (standards, sectors, accreditation bodies)."""
    from app.services.registry.seed import seed_reference_data

    with _session() as session:
        report = seed_reference_data(session)
        session.commit()
    err.print(f"[green]reference data loaded[/green]: {report}")


@cli.command()
def demo(
    certificates: Annotated[int, typer.Option(help="How many synthetic certificates.")] = 5000,
    if_empty: Annotated[
        bool, typer.Option("--if-empty", help="Do nothing when the registry has certificates.")
    ] = False,
) -> None:
    """Build a synthetic demo registry on top of the reference data."""
    from app import clock
    from app.db import analyze_after_bulk_load
    from app.demo.builder import build_demo_registry, registry_is_empty

    with _session() as session:
        if not registry_is_empty(session):
            if if_empty:
                err.print("registry already holds certificates; demo not loaded")
                return
            err.print("[red]the registry already holds certificates; demo refuses to mix in[/red]")
            raise typer.Exit(1)
        report = build_demo_registry(session, certificates=certificates, today=clock.today())
        session.commit()
        analyze_after_bulk_load(session)
    err.print(f"[green]demo registry built[/green]: {report}")


@keys_cli.command("create")
def keys_create(
    role: Annotated[
        Role, typer.Option(help="admin, accreditation_body, certification_body, client")
    ],
    body: Annotated[
        str | None, typer.Option(help="AB id for accreditation_body keys, CB id for CB keys.")
    ] = None,
    name: Annotated[str | None, typer.Option(help="A label for the key.")] = None,
) -> None:
    """Create an API key and print it, alone, on stdout (it is shown only once)."""
    from app.repositories.bodies import get_accreditation_body, get_certification_body
    from app.services.audit import SystemActor
    from app.services.auth import create_api_key

    body_id = None
    if body is not None:
        try:
            body_id = uuid.UUID(body)
        except ValueError:
            err.print(f"[red]--body must be a UUID, got {body!r}[/red]")
            raise typer.Exit(2) from None
    with _session() as session:
        lookup = {
            Role.ACCREDITATION_BODY: get_accreditation_body,
            Role.CERTIFICATION_BODY: get_certification_body,
        }
        if body_id is not None and role in lookup and lookup[role](session, body_id) is None:
            err.print(f"[red]no {role.value.replace('_', ' ')} with id {body_id}[/red]")
            raise typer.Exit(2)
        try:
            key, plaintext = create_api_key(
                session, role=role, body_id=body_id, name=name, actor=SystemActor.CLI
            )
        except ValueError as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from None
        session.commit()
    err.print(f"created {role.value} key {key.id}")
    print(plaintext)


@keys_cli.command("revoke")
def keys_revoke(key_id: str) -> None:
    """Revoke an API key by its id."""
    from app.services.audit import SystemActor
    from app.services.auth import revoke_api_key

    try:
        parsed = uuid.UUID(key_id)
    except ValueError:
        err.print(f"[red]the key id must be a UUID, got {key_id!r}[/red]")
        raise typer.Exit(2) from None
    with _session() as session:
        if not revoke_api_key(session, parsed, actor=SystemActor.CLI):
            err.print(f"[red]no key {key_id}[/red]")
            raise typer.Exit(2)
        session.commit()
    err.print(f"revoked {key_id}")


@cli.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option()] = 1,
    no_worker: Annotated[
        bool, typer.Option("--no-worker", help="Do not deliver webhooks in this process.")
    ] = False,
) -> None:
    """Serve the API and the verification page with uvicorn (and deliver webhooks in-process)."""
    import os

    import uvicorn

    os.environ["CERTVERIFY_IN_PROCESS_WORKER"] = "false" if no_worker else "true"
    get_settings_cache_clear()

    from app.config import get_settings
    from app.http.observability import configure_logging

    settings = get_settings()
    configure_logging(settings.log_level, settings.log_format)
    uvicorn.run(
        "app.main:app",
        host=host,
        port=port,
        workers=workers,
        proxy_headers=True,
        # JSON logs and our own access log (app/http/observability.py) instead of uvicorn's.
        log_config=None,
        access_log=False,
        # SIGTERM: stop accepting, let in-flight requests finish (up to this long), then exit.
        timeout_graceful_shutdown=int(settings.shutdown_grace_seconds),
    )


@cli.command()
def openapi(
    output: Annotated[
        str | None, typer.Option("--output", "-o", help="Write here instead of stdout.")
    ] = None,
) -> None:
    """Print the OpenAPI document (sorted keys, stable) or write it to a file (`make openapi`)."""
    from app.http.openapi import openapi_document
    from app.main import create_app

    text = openapi_document(create_app())
    if output is None:
        print(text, end="")
        return
    with open(output, "w", encoding="utf-8") as out:
        out.write(text)
    err.print(f"wrote {output}")


@cli.command("verify")
def verify_command(
    certificate_number: str,
    certification_body: Annotated[str | None, typer.Option("--certification-body", "--cb")] = None,
    organization: Annotated[str | None, typer.Option()] = None,
    standard: Annotated[str | None, typer.Option()] = None,
    scope: Annotated[str | None, typer.Option()] = None,
    country: Annotated[str | None, typer.Option()] = None,
    as_of: Annotated[str | None, typer.Option("--as-of", help="YYYY-MM-DD")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full JSON answer.")] = False,
) -> None:
    """Verify a certificate against the local registry and explain the verdict."""
    from pydantic import ValidationError

    from app.schemas.verification import VerificationRequestIn
    from app.services.verification.answer import verify_certificate

    try:
        request = VerificationRequestIn(
            certificate_number=certificate_number,
            certification_body=certification_body,
            organization=organization,
            standard=standard,
            scope=scope,
            country=country,
            as_of=date.fromisoformat(as_of) if as_of else None,
        )
    except (ValidationError, ValueError) as exc:
        err.print(f"[red]invalid input: {exc}[/red]")
        raise typer.Exit(2) from None
    with _session() as session:
        answer = verify_certificate(session, request=request)
        session.commit()
    if as_json:
        print(json.dumps(answer, indent=2, ensure_ascii=False))
        return
    out = Console()
    out.print(f"[bold]{answer['verdict'].upper()}[/bold] — {answer['summary']}")
    for check in answer["checks"]:
        out.print(f"  {check['outcome']:<8} {check['code']:<22} {check['message']}")
    exit_codes = {"valid": 0, "not_found": 3, "ambiguous": 3}
    raise typer.Exit(exit_codes.get(answer["verdict"], 1))


@cli.command("import")
def import_command(
    file: Annotated[str, typer.Argument(help="CSV or JSON Lines file (our or IAF MD 28 columns).")],
    certification_body: Annotated[
        str, typer.Option("--certification-body", "--cb", help="The CB's id, acronym or name.")
    ],
    mode: Annotated[
        str, typer.Option(help="all (default): nothing on any error; partial.")
    ] = "all",
    file_format: Annotated[
        str | None, typer.Option("--format", help="csv or jsonl (default: from the extension).")
    ] = None,
    batch_size: Annotated[int, typer.Option(help="Rows per batch.")] = 1000,
    report_file: Annotated[
        str | None, typer.Option("--report", help="Write the per-row report here (JSON Lines).")
    ] = None,
    ignore_unknown_columns: Annotated[
        bool,
        typer.Option(
            "--ignore-unknown-columns",
            help="Import without columns or fields the importer does not know (else an error).",
        ),
    ] = False,
) -> None:
    """Import a certification body's certificates with a progress bar (idempotent upsert)."""
    import os
    import time

    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from app import clock
    from app.db import analyze_after_bulk_load
    from app.repositories.bodies import find_certification_body
    from app.services.auth import Principal
    from app.services.imports.certificates import run_import
    from app.services.imports.formats import FileProblem, read_csv, read_jsonl
    from app.services.imports.report import RowReport

    if mode not in {"all", "partial"}:
        err.print("[red]--mode must be all or partial[/red]")
        raise typer.Exit(2)
    fmt = file_format or ("jsonl" if file.endswith((".jsonl", ".ndjson")) else "csv")
    read = read_jsonl if fmt == "jsonl" else read_csv

    def reader(stream: Any) -> Any:
        return read(stream, ignore_unknown=ignore_unknown_columns)

    total = os.path.getsize(file)
    report_out = open(report_file, "w", encoding="utf-8") if report_file else None  # noqa: SIM115
    started = time.perf_counter()
    with _session() as session, open(file, "rb") as raw:
        cb = find_certification_body(session, certification_body)
        if cb is None:
            err.print(f"[red]no certification body {certification_body!r}[/red]")
            raise typer.Exit(2)
        progress = Progress(
            TextColumn("importing"),
            BarColumn(),
            TextColumn("{task.percentage:>5.1f}%  {task.fields[rows]:,} rows"),
            TimeElapsedColumn(),
            console=err,
        )
        task = progress.add_task("import", total=total, rows=0)
        counter = {"rows": 0}

        def on_row(row: RowReport) -> None:
            counter["rows"] += 1
            if report_out is not None:
                report_out.write(json.dumps(row.as_dict(), ensure_ascii=False) + "\n")
            if counter["rows"] % 500 == 0:
                progress.update(task, completed=raw.tell(), rows=counter["rows"])

        try:
            with progress:
                header, rows = reader(raw)
                report = run_import(
                    session,
                    principal=Principal(role=Role.ADMIN),
                    certification_body=cb,
                    rows=rows,
                    mode=mode,  # type: ignore[arg-type]
                    today=clock.today(),
                    batch_size=batch_size,
                    on_row=on_row,
                    commit_each_batch=mode == "partial",
                    ignored_columns=header.ignored,
                )
                progress.update(task, completed=total, rows=counter["rows"])
            if report.committed:
                session.commit()
                analyze_after_bulk_load(session)
            else:
                session.rollback()
        except FileProblem as exc:
            session.rollback()
            err.print(f"[red]the file cannot be imported: {exc}[/red]")
            raise typer.Exit(2) from None
        finally:
            if report_out is not None:
                report_out.close()
    elapsed = time.perf_counter() - started
    summary = report.as_dict(include_rows=False)
    summary["seconds"] = round(elapsed, 2)
    summary["rows_per_second"] = round(report.totals["rows"] / elapsed) if elapsed else None
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    if not report.committed:
        err.print("[red]errors found: nothing was imported (mode=all); see the report[/red]")
        raise typer.Exit(1)


@cli.command()
def worker(
    once: Annotated[bool, typer.Option("--once", help="One pass, then exit (cron).")] = False,
) -> None:
    """Deliver webhooks from the outbox and re-evaluate watches on a schedule."""
    import signal

    from app.db import get_session_factory
    from app.services.integration.worker import Worker

    runner = Worker(get_session_factory())
    if once:
        stats = runner.tick()
        err.print(
            f"dispatched {stats.dispatched}, attempted {stats.attempted}, "
            f"succeeded {stats.succeeded}"
        )
        return
    signal.signal(signal.SIGTERM, lambda *_: runner.stop.set())
    err.print("worker running; Ctrl-C or SIGTERM stops it after the current pass")
    try:
        runner.run()
    except KeyboardInterrupt:
        runner.stop.set()


def get_settings_cache_clear() -> None:
    """Make the next get_settings() read the environment again."""
    from app.config import get_settings

    get_settings.cache_clear()


def main() -> None:
    """Console-script entry point."""
    cli()
