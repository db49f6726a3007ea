"""`ipledge bench`: the performance figures beside same-run baselines (bench/suite.py,
docs/performance.md). Needs a source checkout (the bench package) and, for PostgreSQL, the
server at 127.0.0.1:5432 with database `test` (as `make test`)."""

from __future__ import annotations

import json
from typing import Annotated, Any, Literal

import typer

Store = Literal["sqlite", "postgres"]


def bench(
    store: Annotated[str, typer.Option(help="sqlite or postgres")] = "sqlite",
    quick: Annotated[
        bool, typer.Option("--quick", help="smaller sizes (10^5 events at most)")
    ] = False,
    rights: Annotated[int | None, typer.Option(hidden=True)] = None,
    filings: Annotated[int | None, typer.Option(hidden=True)] = None,
    startup_events: Annotated[str | None, typer.Option(hidden=True)] = None,
    get_seconds: Annotated[float | None, typer.Option(hidden=True)] = None,
) -> None:
    """Measure filings, import, rebuild, read lag, GETs and startup; print one JSON object."""
    from dataclasses import replace

    from bench.suite import Sizes, run

    if store not in ("sqlite", "postgres"):
        raise typer.BadParameter("sqlite or postgres", param_hint="--store")
    sizes = Sizes.quick() if quick else Sizes()
    overrides: dict[str, Any] = {
        "rights": rights,
        "filings": filings,
        "get_seconds": get_seconds,
        "visible": min(sizes.visible, filings) if filings else None,
        "startup_events": [int(n) for n in startup_events.split(",")] if startup_events else None,
    }
    sizes = replace(sizes, **{k: v for k, v in overrides.items() if v is not None})
    typer.echo(json.dumps(run(store, sizes), indent=2))
