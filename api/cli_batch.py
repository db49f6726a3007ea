"""Batch commands that go through the HTTP API with the Python client (clients/python), as a
bank or the IP office runs them against a remote service: `ipledge pledges file` and
`ipledge ip-rights import`. Both show progress and resume after a crash (docs/batch-filing.md).

Exit codes: 0 every row done; 1 some rows refused or failed (see the results file); 2 the
command cannot run (input unreadable, service unreachable, key refused)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from api.cli_progress import progress_bar
from api.cli_support import fail

if TYPE_CHECKING:
    from ipledge_client import IpledgeClient

    from api.batch_results import Outcome
    from api.batch_rows import Row

pledges_app = typer.Typer(help="Pledges, filed through the API", no_args_is_help=True)

Url = Annotated[
    str, typer.Option("--url", envvar="IPLEDGE_URL", help="the service, e.g. http://host:8000")
]
ApiKey = Annotated[
    str, typer.Option("--api-key", envvar="IPLEDGE_API_KEY", help="your API key (bank role)")
]
Quiet = Annotated[bool, typer.Option("--quiet", "-q", help="no progress bar")]


def connect(url: str, api_key: str) -> IpledgeClient:
    try:
        from ipledge_client import IpledgeClient
    except ImportError:
        fail("the Python client is not installed: pip install ./clients/python")
    if not url.startswith(("http://", "https://")):
        fail(f"--url must be an http(s) base URL like http://host:8000, not {url!r}")
    return IpledgeClient(url, api_key)


def read_rows(csv_path: Path | None, jsonl_path: Path | None) -> tuple[Path, list[Row]]:
    from api.batch_rows import csv_rows, jsonl_rows

    if (csv_path is None) == (jsonl_path is None):
        fail("give exactly one of --csv FILE or --jsonl FILE")
    source = csv_path or jsonl_path
    assert source is not None
    try:
        rows = list(csv_rows(source) if csv_path else jsonl_rows(source))
    except (ValueError, UnicodeDecodeError, OSError) as e:
        fail(f"cannot read {source}: {e}")
    return source, rows


def tally(counts: Counter[str]) -> str:
    order = ("registered", "refused", "invalid", "failed", "skipped")
    return "  ".join(f"{counts[k]} {k}" for k in order if counts[k])


@pledges_app.command("file")
def file_pledges(
    url: Url,
    api_key: ApiKey,
    csv_path: Annotated[
        Path | None, typer.Option("--csv", exists=True, dir_okay=False, help="loans, one per row")
    ] = None,
    jsonl_path: Annotated[
        Path | None,
        typer.Option("--jsonl", exists=True, dir_okay=False, help="POST /v1/pledges bodies"),
    ] = None,
    results: Annotated[
        Path | None,
        typer.Option(help="outcome per row, CSV or .jsonl (default: INPUT.results.csv|.jsonl)"),
    ] = None,
    refile_refused: Annotated[
        bool, typer.Option(help="file rows refused in an earlier run again (a new filing)")
    ] = False,
    quiet: Quiet = False,
) -> None:
    """File one pledge per row of a CSV or JSON Lines file (docs/batch-filing.md).

    Each row goes with an Idempotency-Key derived from its loan contract
    number; its outcome (registration number, every refusal reason, or the
    problem) is written to the results file as it happens. Rerun the same
    command after a crash or a fix: rows already registered or refused are
    skipped, and nothing is filed twice. Exit 0 when every row is
    registered, 1 when some are not, 2 when the command cannot run."""
    from api.batch_filing import BatchAborted, BatchRun
    from api.batch_results import ResultsWriter, load_results

    source, rows = read_rows(csv_path, jsonl_path)
    suffix = ".results.jsonl" if jsonl_path else ".results.csv"
    results_path = results or source.with_name(source.stem + suffix)
    counts: Counter[str] = Counter()
    with (
        connect(url, api_key) as client,
        progress_bar("filing", len(rows), quiet) as advance,
    ):

        def counted(outcome: Outcome | None) -> None:
            counts[outcome.outcome if outcome else "skipped"] += 1
            advance(tally=tally(counts))

        previous = load_results(results_path)
        run = BatchRun(client, ResultsWriter(results_path), previous, refile_refused, counted)
        try:
            outcomes = run.file(rows)
        except BatchAborted as e:
            fail(f"{e}; {sum(counts.values())} rows done, rerun to resume ({results_path})")
    finals = Counter(o.outcome for o in outcomes)
    typer.echo(f"{len(rows)} rows: {tally(counts) or 'nothing to do'}; results in {results_path}")
    raise typer.Exit(0 if finals["registered"] == len(rows) else 1)


ip_rights_app = typer.Typer(help="The IP-right register, through the API", no_args_is_help=True)


@ip_rights_app.command("import")
def import_ip_rights(
    url: Url,
    api_key: ApiKey,
    jsonl_path: Annotated[
        Path,
        typer.Option("--jsonl", exists=True, dir_okay=False, help="one register entry a line"),
    ],
    results: Annotated[
        Path | None, typer.Option(help="outcome per line (default: INPUT.results.jsonl)")
    ] = None,
    chunk_size: Annotated[int, typer.Option(min=1, max=10000, help="lines per request")] = 500,
    quiet: Quiet = False,
) -> None:
    """Import register entries (POST /v1/ip-rights/import) in chunks.

    Each line's outcome is written to the results file; a rerun sends
    only the lines not imported yet (or changed since). Exit 0 when every
    line is imported, 1 when some were refused, 2 when it cannot run."""
    from api.batch_filing import BatchAborted
    from api.batch_import import ImportRun, read_lines

    try:
        lines = read_lines(jsonl_path)
    except (UnicodeDecodeError, OSError) as e:
        fail(f"cannot read {jsonl_path}: {e}")
    results_path = results or jsonl_path.with_name(jsonl_path.stem + ".results.jsonl")
    counts: Counter[str] = Counter()
    with (
        connect(url, api_key) as client,
        progress_bar("importing", len(lines), quiet) as advance,
    ):

        def chunk_done(sent: int, imported: int, errors: int) -> None:
            counts.update(imported=imported, refused=errors)
            advance(sent, tally=f"{counts['imported']} imported  {counts['refused']} refused")

        try:
            outcomes = ImportRun(client, results_path, chunk_size, chunk_done).run(lines)
        except BatchAborted as e:
            fail(f"{e}; rerun to resume ({results_path})")
    imported = sum(o.outcome == "imported" for o in outcomes)
    typer.echo(
        f"{len(lines)} lines: {imported} imported ({counts['imported']} now), "
        f"{len(lines) - imported} refused; results in {results_path}"
    )
    raise typer.Exit(0 if imported == len(lines) else 1)
