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


def _session() -> Any:
    from app.db import get_session_factory

    return get_session_factory()()


@cli.command()
def migrate() -> None:
    """Upgrade the database to the newest migration."""
    from app.migrate import upgrade

    upgrade()
    err.print("[green]database is at the newest migration[/green]")


@cli.command()
def seed() -> None:
    """Load or refresh the shipped reference data (standards, sectors, accreditation bodies)."""
    from app.services.seed import seed_reference_data

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
    from app.services.demo import build_demo_registry, registry_is_empty
    from app.services.verification import today_utc

    with _session() as session:
        if not registry_is_empty(session):
            if if_empty:
                err.print("registry already holds certificates; demo not loaded")
                return
            err.print("[red]the registry already holds certificates; demo refuses to mix in[/red]")
            raise typer.Exit(1)
        report = build_demo_registry(session, certificates=certificates, today=today_utc())
        session.commit()
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
    from app.models import AccreditationBody, CertificationBody
    from app.services.auth import create_api_key

    body_id = None
    if body is not None:
        try:
            body_id = uuid.UUID(body)
        except ValueError:
            err.print(f"[red]--body must be a UUID, got {body!r}[/red]")
            raise typer.Exit(2) from None
    with _session() as session:
        model = {
            Role.ACCREDITATION_BODY: AccreditationBody,
            Role.CERTIFICATION_BODY: CertificationBody,
        }
        if body_id is not None and role in model and session.get(model[role], body_id) is None:
            err.print(f"[red]no {role.value.replace('_', ' ')} with id {body_id}[/red]")
            raise typer.Exit(2)
        try:
            key, plaintext = create_api_key(session, role=role, body_id=body_id, name=name)
        except ValueError as exc:
            err.print(f"[red]{exc}[/red]")
            raise typer.Exit(2) from None
        session.commit()
    err.print(f"created {role.value} key {key.id}")
    print(plaintext)


@keys_cli.command("revoke")
def keys_revoke(key_id: str) -> None:
    """Revoke an API key by its id."""
    from app.services.auth import revoke_api_key

    with _session() as session:
        if not revoke_api_key(session, uuid.UUID(key_id)):
            err.print(f"[red]no key {key_id}[/red]")
            raise typer.Exit(2)
        session.commit()
    err.print(f"revoked {key_id}")


@cli.command()
def serve(
    host: Annotated[str, typer.Option()] = "127.0.0.1",
    port: Annotated[int, typer.Option()] = 8000,
    workers: Annotated[int, typer.Option()] = 1,
) -> None:
    """Serve the API and the verification page with uvicorn."""
    import uvicorn

    uvicorn.run("app.main:app", host=host, port=port, workers=workers, proxy_headers=True)


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
    from app.services.verification import verify_certificate

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


def main() -> None:
    """Console-script entry point."""
    cli()
