"""The `ipledge` command (docs/contract.md §11)."""

from __future__ import annotations

import contextlib
import json
import logging
import signal
import sys
from pathlib import Path
from typing import Annotated

import typer

from api.cli_batch import ip_rights_app, pledges_app
from api.cli_bench import bench
from api.cli_principals import app as principals_app
from api.cli_support import CANNOT_RUN, fail, load_settings, opened_store

app = typer.Typer(
    help="ipledge: IP pledge registry and distressed-collateral disposal",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_show_locals=False,  # locals hold the database URL and keys
)
projections_app = typer.Typer(help="Read models", no_args_is_help=True)
audit_app = typer.Typer(help="Verify the audit log (docs/contract.md §8)", no_args_is_help=True)
app.add_typer(principals_app, name="principals")
app.add_typer(pledges_app, name="pledges")
app.add_typer(ip_rights_app, name="ip-rights")
app.add_typer(projections_app, name="projections")
app.add_typer(audit_app, name="audit")
app.command("bench")(bench)
log = logging.getLogger("ipledge")


def _show_version(wanted: bool) -> None:
    if wanted:
        # Imported here: importlib.metadata costs every other command (serve) a tenth of a second.
        from importlib.metadata import PackageNotFoundError, version

        try:
            typer.echo(f"ipledge {version('ipledge')}")
        except PackageNotFoundError:  # run from a source tree that was never installed
            fail("the ipledge package is not installed (pip install -e .)")
        raise typer.Exit()


@app.callback()
def _options(
    _version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_show_version, is_eager=True, help="print the version and exit"
        ),
    ] = False,
) -> None:
    """ipledge: IP pledge registry and distressed-collateral disposal"""


@app.command()
def migrate() -> None:
    """Create or upgrade every table (read models, service tables, the event store)."""
    from api.bootstrap import migrate as run_migrations
    from events.database_url import DatabaseConfig

    settings = load_settings()
    run_migrations(DatabaseConfig.parse(settings.database_url))
    typer.echo("database is up to date")


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="interface to bind")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    migrate_first: Annotated[bool, typer.Option("--migrate/--no-migrate")] = True,
    show_banner: Annotated[
        bool, typer.Option("--banner", help="once listening, print the addresses and demo keys")
    ] = False,
) -> None:
    """Serve the HTTP API (and, unless IPLEDGE_RUN_WORKER=0, the worker loop in-process)."""
    import uvicorn

    from api.banner import BannerServer, banner, base_url
    from api.bootstrap import migrate as run_migrations
    from api.http_server import BoundedHeadProtocol
    from api.main import create_app
    from events.database_url import DatabaseConfig

    settings = load_settings()
    if migrate_first:
        run_migrations(DatabaseConfig.parse(settings.database_url))
    with opened_store(settings) as container:
        api = create_app(container)
        config = uvicorn.Config(
            api,
            host=host,
            port=port,
            log_config=None,
            access_log=False,
            timeout_graceful_shutdown=10,
            http=BoundedHeadProtocol,  # caps the request head before the app (api/http_server.py)
        )
        url = base_url(host, port)
        text = banner(api, settings, container.principals, url) if show_banner else None
        server = BannerServer(config, text)
        with contextlib.suppress(KeyboardInterrupt):
            server.run()
    if not server.started:
        raise typer.Exit(3)  # uvicorn's startup failure (the port is taken, say)


@app.command()
def worker() -> None:
    """Run projections, timers and the webhook dispatcher without serving HTTP."""
    with opened_store(load_settings()) as container:
        signal.signal(signal.SIGTERM, lambda *_: container.worker.stop())
        container.dispatcher.start()
        with contextlib.suppress(KeyboardInterrupt):
            container.worker.run_forever()


@projections_app.command("rebuild")
def rebuild_projections() -> None:
    """Drop every read-model row and rebuild them from the event log."""
    with opened_store(load_settings()) as container:
        position = container.projections.rebuild()
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
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar")] = False,
) -> None:
    """Recompute every leaf and the root from the log and check the signed checkpoints.

    Exits 0 if everything holds, 1 naming the first bad position, 2 if it cannot verify."""
    from api.audit_verify import CannotVerify, run
    from api.cli_progress import progress_bar

    try:
        with progress_bar("verifying", None, quiet) as advance:
            checked = [0]

            def on_progress(done: int, total: int) -> None:
                advance(done - checked[0], total=max(total, done))
                checked[0] = done

            report = run(url, key, checkpoint, on_progress=on_progress)
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
def openapi(
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="write to this file instead of stdout")
    ] = None,
) -> None:
    """Print the OpenAPI document (no running service or store needed).

    Refresh the Python client's snapshot with `ipledge openapi -o clients/python/openapi.json`."""
    from api.openapi_snapshot import openapi_document, render

    text = render(openapi_document())
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")


@app.command()
def demo(
    if_empty: Annotated[bool, typer.Option("--if-empty", help="do nothing if data exists")] = False,
    force: Annotated[
        bool, typer.Option("--force", help="load even if data exists; replace the keys file")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="print the summary as JSON")] = False,
    show_keys: Annotated[
        bool, typer.Option("--keys/--no-keys", help="print the API keys (serve --banner does too)")
    ] = True,
) -> None:
    """Load a realistic sample data set into an empty store; print API keys.

    Exits 2 if the store already holds data or the keys file exists (unless --force)."""
    from api.demo import DemoRefused, load_demo

    with opened_store(load_settings()) as container:
        try:
            summary = load_demo(container, if_empty=if_empty, force=force)
        except DemoRefused as e:
            fail(str(e), CANNOT_RUN)
    if as_json:
        typer.echo(json.dumps(summary, indent=2, ensure_ascii=False))
        return
    if summary["loaded"]:
        typer.echo(
            f"demo data loaded: {summary['ip_rights']} IP rights, pledges {summary['pledges']}, "
            f"{summary['timers_fired']} timers fired on the way"
        )
    else:
        typer.echo("demo data already present")
    if show_keys:
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
