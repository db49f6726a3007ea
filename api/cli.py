"""The `ipledge` command (docs/contract.md §11)."""

from __future__ import annotations

import json
import logging
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError

from api.logs import configure_logging
from api.settings import Settings

app = typer.Typer(
    help="ipledge: IP pledge registry and distressed-collateral disposal",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals hold the database URL and keys
)
principals_app = typer.Typer(help="Manage principals (API keys)", no_args_is_help=True)
projections_app = typer.Typer(help="Read models", no_args_is_help=True)
audit_app = typer.Typer(help="Verify the audit log (docs/contract.md §8)", no_args_is_help=True)
app.add_typer(principals_app, name="principals")
app.add_typer(projections_app, name="projections")
app.add_typer(audit_app, name="audit")
log = logging.getLogger("ipledge")


def _settings() -> Settings:
    try:
        settings = Settings()
    except ValidationError as e:  # a bad IPLEDGE_* value: say which, without a traceback
        for error in e.errors():
            message = error["msg"].removeprefix("Value error, ")
            if error["loc"] and not message.startswith("IPLEDGE_"):
                message = f"IPLEDGE_{str(error['loc'][0]).upper()}: {message}"
            typer.echo(f"configuration error: {message}", err=True)
        raise typer.Exit(2) from None
    configure_logging(settings.log_level)
    return settings


@app.command()
def migrate() -> None:
    """Create or upgrade every table (read models, service tables, the event store)."""
    from api.bootstrap import migrate as run_migrations
    from events.database_url import DatabaseConfig

    settings = _settings()
    run_migrations(DatabaseConfig.parse(settings.database_url))
    typer.echo("database is up to date")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    migrate_first: Annotated[bool, typer.Option("--migrate/--no-migrate")] = True,
) -> None:
    """Serve the HTTP API (and, unless IPLEDGE_RUN_WORKER=0, the worker loop in-process)."""
    import uvicorn

    from api.bootstrap import bootstrap
    from api.bootstrap import migrate as run_migrations
    from api.http_server import BoundedHeadProtocol
    from api.main import create_app
    from events.database_url import DatabaseConfig

    settings = _settings()
    if migrate_first:
        run_migrations(DatabaseConfig.parse(settings.database_url))
    container = bootstrap(settings)
    try:
        uvicorn.run(
            create_app(container),
            host=host,
            port=port,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=10,
            http=BoundedHeadProtocol,  # caps the request head before the app (api/http_server.py)
        )
    finally:
        container.close()


@app.command()
def worker() -> None:
    """Run projections, timers and the webhook dispatcher without serving HTTP."""
    from api.bootstrap import bootstrap

    container = bootstrap(_settings())
    signal.signal(signal.SIGTERM, lambda *_: container.worker.stop())
    container.dispatcher.start()
    try:
        container.worker.run_forever()
    except KeyboardInterrupt:
        pass
    finally:
        container.close()


@principals_app.command("create")
def create_principal(
    role: Annotated[str, typer.Option(help="admin, ip_office, bank, ...")],
    name: Annotated[str, typer.Option(help="display name")] = "",
    institution_id: Annotated[str, typer.Option("--institution-id")] = "ipledge",
) -> None:
    """Create a principal and print its API key (shown only once)."""
    from api.bootstrap import bootstrap
    from registry.errors import DomainError

    container = bootstrap(_settings())
    try:
        principal, key = container.principals.create(
            name or f"{role} ({institution_id})", role, institution_id, container.clock.now()
        )
    except DomainError as e:
        typer.echo(f"error: {e.detail}", err=True)
        raise typer.Exit(2) from None
    finally:
        container.close()
    typer.echo(json.dumps({**principal.public(), "api_key": key}, ensure_ascii=False))


@projections_app.command("rebuild")
def rebuild_projections() -> None:
    """Drop every read-model row and rebuild them from the event log."""
    from api.bootstrap import bootstrap

    container = bootstrap(_settings())
    try:
        position = container.projections.rebuild()
    finally:
        container.close()
    typer.echo(f"read models rebuilt through log position {position}")


@audit_app.command("verify")
def verify_audit(
    url: Annotated[str, typer.Option(help="the service's base URL, e.g. http://host:8000")],
    key: Annotated[str, typer.Option(envvar="IPLEDGE_API_KEY", help="a regulator's API key")],
    checkpoint: Annotated[
        Path | None,
        typer.Option(help="a checkpoint saved earlier (the JSON GET /v1/audit/checkpoint gave)"),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="print the report as JSON")] = False,
) -> None:
    """Recompute every leaf and the root from the log and check the signed checkpoints.

    Exits 0 if everything holds, 1 naming the first bad position, 2 if it cannot verify."""
    from api.audit_verify import CannotVerify, run

    try:
        report = run(url, key, checkpoint)
    except CannotVerify as e:
        if as_json:
            typer.echo(json.dumps({"ok": False, "error": str(e)}, ensure_ascii=False))
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    if as_json:
        typer.echo(json.dumps(report.as_json(), indent=2, ensure_ascii=False))
    else:
        typer.echo(report.text())
    raise typer.Exit(0 if report.ok else 1)


@app.command()
def demo(
    if_empty: Annotated[bool, typer.Option("--if-empty", help="do nothing if data exists")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="load even if data exists; replace the keys file")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
) -> None:
    """Load a realistic sample data set into an empty store; print API keys.

    Exits 2 if the store already holds data or the keys file exists (unless --force)."""
    from api.bootstrap import bootstrap
    from api.demo import DemoRefused, load_demo

    settings = _settings()
    container = bootstrap(settings)
    try:
        summary = load_demo(container, if_empty=if_empty, force=force)
    except DemoRefused as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(2) from None
    finally:
        container.close()
    if as_json:
        typer.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    if summary["loaded"]:
        typer.echo(
            f"demo data loaded: {summary['ip_rights']} IP rights, pledges {summary['pledges']}"
        )
    else:
        typer.echo("demo data already present")
    typer.echo("API keys (send as 'Authorization: Bearer <key>'):")
    for role, entry in summary["keys"].items():
        typer.echo(f"  {role:<26} {entry['api_key']}   # {entry['name']}")


def main() -> None:
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
