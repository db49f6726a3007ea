"""What a projection is: named, owns some tables, folds events into them."""

from __future__ import annotations

from typing import Any, Protocol

from sqlalchemy import Connection, Table


class Projection(Protocol):
    # Read-only members: a projection's own tuple of two tables is a tuple of tables.
    @property
    def name(self) -> str: ...

    @property
    def tables(self) -> tuple[Table, ...]: ...

    def process(self, conn: Connection, event: Any, event_type: str, position: int) -> None:
        """Apply one event. Runs inside the transaction that also advances the tracking
        position, so a crash never leaves rows and position disagreeing."""
