"""`ipledge principals`: create, list and revoke the principals that hold API keys."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer

from api.cli_support import NOT_FOUND, fail, load_settings, opened_store
from api.principals import Principal

app = typer.Typer(help="Manage principals (API keys)", no_args_is_help=True)
JsonOption = Annotated[bool, typer.Option("--json", help="print JSON instead of text")]
COLUMNS = ("id", "role", "institution_id", "name", "created_at", "revoked_at")


def as_json(principal: Principal) -> dict[str, Any]:
    revoked_at = principal.revoked_at.isoformat() if principal.revoked_at else None
    return {**principal.public(), "revoked_at": revoked_at}


@app.command("create")
def create(
    role: Annotated[str, typer.Option(help="admin, ip_office, bank, ...")],
    name: Annotated[str, typer.Option(help="display name")] = "",
    institution_id: Annotated[str, typer.Option("--institution-id")] = "ipledge",
) -> None:
    """Create a principal and print its API key (shown only once)."""
    from kernel.errors import DomainError

    with opened_store(load_settings()) as container:
        try:
            principal, key = container.principals.create(
                name or f"{role} ({institution_id})", role, institution_id, container.clock.now()
            )
        except DomainError as e:
            fail(e.detail)
    typer.echo(json.dumps({**principal.public(), "api_key": key}, ensure_ascii=False))


@app.command("list")
def list_principals(json_output: JsonOption = False) -> None:
    """Every principal, oldest first, revoked ones included (keys are never shown)."""
    with opened_store(load_settings()) as container:
        principals = container.principals.list()
    rows = [as_json(p) for p in principals]
    if json_output:
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
    else:
        typer.echo(table(rows))


@app.command("revoke")
def revoke(
    principal_id: Annotated[str, typer.Argument(help="the principal's id (see `list`)")],
    json_output: JsonOption = False,
) -> None:
    """Revoke a principal's API key and disable its webhook endpoints, as
    DELETE /v1/admin/principals/{id} does. Revoking a revoked principal changes nothing.
    Exits 1 if there is no such principal."""
    from kernel.errors import NotFound

    with opened_store(load_settings()) as container:
        listed = container.principals.list()
        was_revoked = any(p.id == principal_id and p.revoked_at for p in listed)
        try:
            principal = container.principals.revoke(principal_id, container.clock.now())
        except NotFound:
            fail(f"no principal {principal_id} (`ipledge principals list` shows them)", NOT_FOUND)
    if json_output:
        typer.echo(json.dumps(as_json(principal), indent=2, ensure_ascii=False))
        return
    revoked_at = principal.revoked_at.isoformat() if principal.revoked_at else "?"
    who = f"{principal.id} ({principal.role}, {principal.institution_id}, {principal.name})"
    if was_revoked:
        typer.echo(f"{who} was already revoked at {revoked_at}; nothing changed")
        return
    typer.echo(
        f"revoked {who} at {revoked_at}: its key no longer authenticates and its webhook "
        "endpoints are disabled"
    )


def table(rows: list[dict[str, Any]]) -> str:
    if not rows:
        return "no principals (create one with `ipledge principals create --role admin`)"
    cells = [[str(row[c] if row[c] is not None else "-") for c in COLUMNS] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(COLUMNS)]
    return "\n".join(
        "  ".join(v.ljust(w) for v, w in zip(line, widths, strict=True)).rstrip()
        for line in [COLUMNS, *cells]
    )
