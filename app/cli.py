"""The `certverify` command line."""

from __future__ import annotations

import enum
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
keys_cli = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
cli.add_typer(keys_cli, name="keys")
clients_cli = typer.Typer(
    help="The clients that hold keys and own watches and webhooks.", no_args_is_help=True
)
cli.add_typer(clients_cli, name="clients")
bodies_cli = typer.Typer(
    help="The certification and accreditation bodies of the registry.", no_args_is_help=True
)
cli.add_typer(bodies_cli, name="bodies")
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


def _session(*, check: bool = True) -> Any:
    """A session on the configured database; first, with `check`, the database must exist and
    be migrated (_require_database), so that no command creates an empty SQLite file or ends
    in a traceback about a missing table."""
    from app.db import get_session_factory

    if check:
        _require_database()
    return get_session_factory()()


def _database_problem(*, lenient: bool) -> str | None:
    """What keeps the configured database from being used, in one line; None when it is at the
    newest migration (or, `lenient`, at any migration: a server started during a rolling deploy,
    whose /readyz answers 503 until the migration has run)."""
    from sqlalchemy.exc import SQLAlchemyError

    from app.config import get_settings
    from app.migrate import (
        applied_revision,
        display_url,
        known_revision,
        newest_revision,
        sqlite_file,
    )

    settings = get_settings()
    url = settings.database_url
    shown = display_url(url)
    file = sqlite_file(url)
    if file is not None and not file.exists():
        return (
            f"the database {shown} does not exist (no file {file.resolve()}); run `certverify "
            "migrate` to create it, or set CERTVERIFY_DATABASE_URL to the database you meant"
        )
    try:
        current = applied_revision(
            url, connect_timeout_seconds=settings.database_connect_timeout_seconds
        )
    except SQLAlchemyError as exc:
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return f"cannot open the database {shown}: {reason}; check CERTVERIFY_DATABASE_URL"
    if current is None:
        return (
            f"the database {shown} has no certverify tables; run `certverify migrate` "
            "(or set CERTVERIFY_DATABASE_URL)"
        )
    newest = newest_revision()
    if current == newest or lenient:
        return None
    if not known_revision(current):
        return (
            f"the database {shown} is at migration {current}, which this certverify does not "
            f"know (its newest is {newest}): run the certverify version that migrated it"
        )
    return (
        f"the database {shown} is at migration {current} and this certverify needs {newest}; "
        "run `certverify migrate`"
    )


def _require_database(*, lenient: bool = False) -> None:
    """Exit 2 with one line on stderr when the database cannot be used (_database_problem)."""
    from rich.markup import escape

    problem = _database_problem(lenient=lenient)
    if problem is not None:
        err.print(f"[red]certverify: {escape(problem)}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(2)


@cli.command()
def migrate() -> None:
    """Upgrade the database to the newest migration."""
    from rich.markup import escape
    from sqlalchemy.exc import SQLAlchemyError

    from app.config import get_settings
    from app.keystore import KeyConfigurationError, load_secret_box
    from app.migrate import applied_revision, display_url, newest_revision, sqlite_file, upgrade
    from app.services.verification.receipts import active_signing_key

    url = get_settings().database_url
    shown = display_url(url)
    file = sqlite_file(url)
    try:
        before = None if file is not None and not file.exists() else applied_revision(url)
    except SQLAlchemyError:
        _require_database()  # says why the database cannot be opened, and exits
        raise
    try:
        upgrade()
        with _session(check=False) as session:
            # Load (on first run: generate) the keys now, not inside the first request; and
            # publish the receipt key's public half (on SQLite a request that read before
            # another connection wrote it could not write afterwards).
            active_signing_key(session)
        load_secret_box()
    except KeyConfigurationError as exc:
        err.print(f"[red]{escape(str(exc))}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except SQLAlchemyError as exc:  # e.g. a SQLite file in a directory that does not exist
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        problem = f"cannot migrate the database {shown}: {reason}; check CERTVERIFY_DATABASE_URL"
        if file is not None and not file.parent.is_dir():
            problem += f" (the directory {file.parent.resolve()} does not exist)"
        err.print(f"[red]certverify: {escape(problem)}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    newest = newest_revision()
    if before == newest:
        said = f"{shown} is already at the newest migration, {newest}; nothing to do"
    elif before is None:
        said = f"created the certverify tables in {shown}, at migration {newest} (the newest)"
    else:
        said = f"upgraded {shown} from migration {before} to {newest} (the newest)"
    err.print(f"[green]{escape(said)}[/green]", highlight=False, soft_wrap=True)


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


def _uuid_option(value: str | None, option: str) -> uuid.UUID | None:
    """A UUID given on the command line, or exit 2 naming the option."""
    if value is None:
        return None
    try:
        return uuid.UUID(value)
    except ValueError:
        err.print(
            f"[red]{option} must be a UUID, got {value!r}[/red]", highlight=False, soft_wrap=True
        )
        raise typer.Exit(2) from None


def _body_option(session: Any, role: Role, reference: str | None) -> uuid.UUID | None:
    """`--body` for a key: for an AB or CB key, the body of that kind named by id, acronym or
    name (the steps of DESIGN.md "CB resolution", app/domain/bodies.py); a name that two bodies
    answer to is refused rather than bound to the oldest. Exit 2 with one line otherwise."""
    from rich.markup import escape

    from app.domain.bodies import matching_bodies
    from app.repositories.bodies import accreditation_body_names, certification_body_names

    if reference is None:
        return None
    if role not in (Role.ACCREDITATION_BODY, Role.CERTIFICATION_BODY):
        return _uuid_option(reference, "--body")
    kind = "certification" if role is Role.CERTIFICATION_BODY else "accreditation"
    names = (
        certification_body_names(session)
        if role is Role.CERTIFICATION_BODY
        else accreditation_body_names(session)
    )
    found = matching_bodies(reference, names)
    if len(found) == 1:
        return uuid.UUID(found[0])
    if not found:
        problem = (
            f"no {kind} body {reference!r}: give its id, acronym or name "
            f"(`certverify bodies list --kind {kind}` lists them)"
        )
    else:
        listed = "; ".join(
            f"{b.acronym or '-'} {b.name} ({b.id})" for b in names if b.id in set(found)
        )
        problem = (
            f"{reference!r} names {len(found)} {kind} bodies ({listed}); give the id or acronym"
        )
    err.print(f"[red]{escape(problem)}[/red]", highlight=False, soft_wrap=True)
    raise typer.Exit(2)


@keys_cli.command("create")
def keys_create(
    role: Annotated[
        Role | None,
        typer.Option(
            help="admin, accreditation_body, certification_body, client (with --client: "
            "the client's kind, which is the default)"
        ),
    ] = None,
    body: Annotated[
        str | None,
        typer.Option(
            help="The AB (accreditation_body keys) or CB (certification_body keys) by id, "
            "acronym or name, as `import --certification-body` takes it (`certverify bodies "
            "list` lists them); the body's client holds the key (made on its first key)."
        ),
    ] = None,
    client_id: Annotated[
        str | None,
        typer.Option(
            "--client",
            help="Add the key to this client (rotation: create the new key, switch, then "
            "revoke the old one). Without it an admin or client key starts a new client.",
        ),
    ] = None,
    name: Annotated[str | None, typer.Option(help="A label for the key.")] = None,
) -> None:
    """Create an API key and print it, alone, on stdout (it is shown only once)."""
    from app.repositories.keys import get_client
    from app.services.audit import SystemActor
    from app.services.auth import create_api_key

    owner_id = _uuid_option(client_id, "--client")
    with _session() as session:
        if owner_id is not None:
            owner = get_client(session, owner_id)
            if owner is None:
                err.print(f"[red]no client {owner_id}[/red]", highlight=False, soft_wrap=True)
                raise typer.Exit(2)
            role = role or Role(owner.kind)
        if role is None:
            err.print(
                "[red]give --role (and --body for AB and CB keys) or --client ID[/red]",
                soft_wrap=True,
            )
            raise typer.Exit(2)
        body_id = _body_option(session, role, body)
        try:
            key, plaintext = create_api_key(
                session,
                role=role,
                body_id=body_id,
                name=name,
                actor=SystemActor.CLI,
                client_id=owner_id,
            )
        except ValueError as exc:
            err.print(f"[red]{exc}[/red]", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        session.commit()
    err.print(
        f"created {role.value} key {key.id} of client {key.client_id}",
        highlight=False,
        soft_wrap=True,
    )
    print(plaintext)


@keys_cli.command("list")
def keys_list(
    client_id: Annotated[
        str | None, typer.Option("--client", help="Only this client's keys.")
    ] = None,
) -> None:
    """List API keys (never their secrets): id, client, role, prefix, state, name."""
    from app.repositories.keys import clients, keys_of_clients

    owner_id = _uuid_option(client_id, "--client")
    with _session() as session:
        ids = (
            [owner_id]
            if owner_id is not None
            else [c.id for c in clients(session, kind=None, body_id=None, offset=0, limit=None)]
        )
        for owner, keys in keys_of_clients(session, ids).items():
            for key in keys:
                state = f"revoked {key.revoked_at:%Y-%m-%d}" if key.revoked_at else "active"
                print(
                    f"{key.id}  client {owner}  {key.role:<18}  cvk_{key.prefix}_…  "
                    f"{state:<18}  {key.name or ''}".rstrip()
                )


@keys_cli.command("revoke")
def keys_revoke(key_id: str) -> None:
    """Revoke an API key by its id (its client's other keys go on working)."""
    from app.repositories.keys import active_key_count, client_of_key
    from app.services.audit import SystemActor
    from app.services.auth import revoke_api_key

    parsed = _uuid_option(key_id, "the key id")
    assert parsed is not None
    with _session() as session:
        if not revoke_api_key(session, parsed, actor=SystemActor.CLI):
            err.print(f"[red]no key {key_id}[/red]", highlight=False, soft_wrap=True)
            raise typer.Exit(2)
        session.commit()
        owner = client_of_key(session, parsed)
        left = active_key_count(session, owner) if owner is not None else 0
    err.print(f"revoked {key_id}", highlight=False, soft_wrap=True)
    if left == 0:
        err.print(
            f"[yellow]client {owner} has no active key left: its watches and webhook "
            "deliveries are stopped until it gets a new key (certverify keys create --client "
            f"{owner})[/yellow]",
            highlight=False,
            soft_wrap=True,
        )


@clients_cli.command("list")
def clients_list(
    kind: Annotated[Role | None, typer.Option(help="Only clients of this kind.")] = None,
    body: Annotated[
        str | None, typer.Option(help="Only the client bound to this AB or CB.")
    ] = None,
) -> None:
    """List clients: id, kind, state, keys, watches, webhook endpoints, name."""
    from app.services.audit import SystemActor
    from app.services.clients import list_clients

    body_id = _uuid_option(body, "--body")
    with _session() as session:
        views = list_clients(
            session,
            principal=SystemActor.CLI,
            kind=kind.value if kind else None,
            body_id=body_id,
            offset=0,
            limit=None,
        )
        for view in views:
            c = view.client
            state = "disabled" if c.disabled_at else ("active" if view.active else "no key")
            print(
                f"{c.id}  {c.kind:<18}  {state:<8}  {view.active_keys}/{len(view.keys)} keys  "
                f"{view.watches} watches  {view.webhooks} webhooks  {c.name}"
            )


class BodyKind(enum.StrEnum):
    """The kinds of body `bodies list` shows."""

    CERTIFICATION = "certification"
    ACCREDITATION = "accreditation"


@bodies_cli.command("list")
def bodies_list(
    kind: Annotated[BodyKind | None, typer.Option(help="Only bodies of this kind.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list.")] = False,
) -> None:
    """List bodies: id, kind, acronym, country, name (certification bodies first, by acronym);
    the id or acronym is what `keys create --body` and `import --certification-body` take."""
    from app.repositories.bodies import bodies_for_listing

    with _session() as session:
        rows = bodies_for_listing(session, kind.value if kind else None)
    if as_json:
        listed = [
            {
                "id": str(r.id),
                "acronym": r.acronym,
                "name": r.name,
                "country": r.country,
                "kind": r.kind,
            }
            for r in rows
        ]
        print(json.dumps(listed, indent=2, ensure_ascii=False))
        return
    width = max((len(r.acronym or "-") for r in rows), default=1)
    for r in rows:
        print(
            f"{r.id}  {r.kind:<13}  {(r.acronym or '-'):<{width}}  {(r.country or '-'):<2}  "
            f"{r.name}"
        )


def _set_client(client_id: str, *, disable: bool) -> None:
    from app.errors import NotFound
    from app.services.audit import SystemActor
    from app.services.clients import disable_client, enable_client

    parsed = _uuid_option(client_id, "the client id")
    assert parsed is not None
    change = disable_client if disable else enable_client
    with _session() as session:
        try:
            change(session, principal=SystemActor.CLI, client_id=parsed)
        except NotFound:
            err.print(f"[red]no client {client_id}[/red]", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        session.commit()


@clients_cli.command("disable")
def clients_disable(client_id: str) -> None:
    """Disable a client: its keys are refused and its watches and deliveries stop at once."""
    _set_client(client_id, disable=True)
    err.print(
        f"disabled client {client_id}: its keys are refused, its watches and webhook deliveries "
        "are stopped",
        highlight=False,
        soft_wrap=True,
    )


@clients_cli.command("enable")
def clients_enable(client_id: str) -> None:
    """Enable a disabled client again (its keys not revoked work, deliveries resume)."""
    _set_client(client_id, disable=False)
    err.print(f"enabled client {client_id}", highlight=False, soft_wrap=True)


@keys_cli.command("rotate-signing")
def keys_rotate_signing() -> None:
    """Make a new receipt signing key current and retire the old one; print its kid.

    The new private key replaces the key file (CERTVERIFY_SIGNING_KEY_FILE, else the generated
    one); with CERTVERIFY_SIGNING_KEY, put the new key there first. Old receipts still verify:
    retired public keys stay in /.well-known/jwks.json. Restart `certverify serve` and
    `certverify worker` afterwards: a running process signs with the key it loaded.
    """
    from rich.markup import escape

    from app.keystore import KeyConfigurationError
    from app.services.verification.receipts import rotate_signing_key

    with _session() as session:
        try:
            rotation = rotate_signing_key(session)
        except KeyConfigurationError as exc:
            err.print(f"[red]{escape(str(exc))}[/red]", highlight=False, soft_wrap=True)
            raise typer.Exit(2) from None
        session.commit()
    retired = ", ".join(rotation.retired) or "none"
    err.print(
        f"receipts are now signed with {rotation.kid} ({rotation.source}); retired: {retired}. "
        "Restart the API and worker processes so that they load it.",
        highlight=False,
        soft_wrap=True,
    )
    print(rotation.kid)


def _publish_signing_key() -> None:
    """Load the receipt signing key and publish its public half before the first request, as
    `migrate` does: a key set for this process only (CERTVERIFY_SIGNING_KEY, a replaced key
    file) would otherwise be published inside a request, and on SQLite a request that read
    before another connection wrote cannot write afterwards (its batch answered 503). A key
    that cannot be loaded is one line, exit 2."""
    from rich.markup import escape
    from sqlalchemy.exc import SQLAlchemyError

    from app.keystore import KeyConfigurationError
    from app.services.verification.receipts import active_signing_key, reset_key_cache

    try:
        with _session(check=False) as session:
            active_signing_key(session)
    except KeyConfigurationError as exc:
        err.print(f"[red]{escape(str(exc))}[/red]", highlight=False, soft_wrap=True)
        raise typer.Exit(2) from None
    except SQLAlchemyError:  # a database behind the code (a rolling deploy): the first request
        reset_key_cache()  # publishes it, once `certverify migrate` has run


@cli.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option()] = 1,
    no_worker: Annotated[
        bool, typer.Option("--no-worker", help="Do not deliver webhooks in this process.")
    ] = False,
    forwarded_allow_ips: Annotated[
        str | None,
        typer.Option(
            "--forwarded-allow-ips",
            help="Proxies whose X-Forwarded-For/-Proto are trusted (comma-separated addresses "
            "or networks, `*` for any); default CERTVERIFY_FORWARDED_ALLOW_IPS, else none.",
        ),
    ] = None,
) -> None:
    """Serve the API and the verification page with uvicorn (and deliver webhooks in-process)."""
    import os

    import uvicorn

    os.environ["CERTVERIFY_IN_PROCESS_WORKER"] = "false" if no_worker else "true"
    get_settings_cache_clear()

    from app.config import get_settings
    from app.http.observability import configure_logging

    settings = get_settings()
    _require_database(lenient=True)  # never serve (and create) an empty SQLite file
    _publish_signing_key()
    configure_logging(settings.log_level, settings.log_format)
    # uvicorn trusts forwarded headers from 127.0.0.1 unless told otherwise (and reads its own
    # FORWARDED_ALLOW_IPS): the setting always decides, and no proxy is trusted by default, so
    # a client on the host cannot choose the address its rate limit is charged to (issue 14).
    trusted = (
        settings.forwarded_allow_ips if forwarded_allow_ips is None else forwarded_allow_ips
    ).strip()
    uvicorn.run(
        "app.main:app",
        host=host,
        port=port,
        workers=workers,
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
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
    accreditation_body: Annotated[
        str | None,
        typer.Option(
            "--accreditation-body",
            "--ab",
            help="The accreditation body printed on the certificate (its full name): checked "
            "from reference data when the certificate is not found.",
        ),
    ] = None,
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
            accreditation_body=accreditation_body,
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
    chain = answer.get("chain")
    if chain is not None:
        out.print("[bold]Chain[/bold] (from reference data; the registry has no record)")
        for part, label in (("accreditation_body", "AB"), ("certification_body", "CB")):
            out.print(f"  {label:<8} {chain[part]['message']}", markup=False, soft_wrap=True)
    exit_codes = {"valid": 0, "not_found": 3, "ambiguous": 3}
    raise typer.Exit(exit_codes.get(answer["verdict"], 1))


@cli.command("import")
def import_command(
    file: Annotated[
        str, typer.Argument(help="CSV, JSON Lines or XLSX file (our or IAF MD 28 columns).")
    ],
    certification_body: Annotated[
        str, typer.Option("--certification-body", "--cb", help="The CB's id, acronym or name.")
    ],
    mode: Annotated[
        str, typer.Option(help="all (default): nothing on any error; partial.")
    ] = "all",
    file_format: Annotated[
        str | None,
        typer.Option("--format", help="csv, jsonl or xlsx (default: from the extension)."),
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

    from rich.markup import escape
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    from app import clock
    from app.db import analyze_after_bulk_load
    from app.repositories.bodies import find_certification_body
    from app.services.auth import Principal
    from app.services.imports.certificates import run_import
    from app.services.imports.files import FILE_FORMATS, format_of_filename, read_upload
    from app.services.imports.formats import FileProblem
    from app.services.imports.report import RowReport

    if mode not in {"all", "partial"}:
        err.print("[red]--mode must be all or partial[/red]")
        raise typer.Exit(2)
    fmt = file_format or format_of_filename(file) or "csv"
    if fmt not in FILE_FORMATS:
        err.print(f"[red]--format must be one of {', '.join(FILE_FORMATS)}[/red]")
        raise typer.Exit(2)

    def reader(stream: Any) -> Any:
        return read_upload(stream, fmt, ignore_unknown=ignore_unknown_columns)

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
            err.print(
                f"[red]the file cannot be imported: {escape(str(exc))}[/red]",
                highlight=False,
                soft_wrap=True,
            )
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

    _require_database(lenient=True)
    runner = Worker(get_session_factory())
    if once:
        stats = runner.once()
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
