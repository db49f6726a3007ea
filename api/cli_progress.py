"""Progress bars for long-running commands, on stderr (stdout stays for results and JSON),
drawn by rich (typer's own dependency). ``quiet`` or a non-terminal stderr draws nothing."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

Advance = Callable[..., None]  # advance(steps=1, tally="...", total=n)


@contextmanager
def progress_bar(description: str, total: int | None, quiet: bool = False) -> Iterator[Advance]:
    """Yields ``advance(steps=1, tally=None, total=None)``; ``tally`` is shown after the
    counts; ``total`` sets the length once it is known."""
    # Imported here: every command imports this module, and rich.progress alone costs a tenth
    # of a second of `ipledge serve`'s start-up.
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    console = Console(stderr=True)
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[tally]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    disabled = quiet or not console.is_terminal
    with Progress(*columns, console=console, disable=disabled) as progress:
        task = progress.add_task(description, total=total, tally="")

        def advance(steps: int = 1, tally: str | None = None, total: int | None = None) -> None:
            # total=None leaves the task's length as it is.
            if tally is None:
                progress.update(task, advance=steps, total=total)
            else:
                progress.update(task, advance=steps, total=total, tally=tally)

        yield advance
