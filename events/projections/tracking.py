"""A projection's tracking row: the position it reached, advanced by compare-and-set in the
transaction that applied the events, and the event it is stopped at, if any.

The failure is kept in the row (not only in the memory of the runner that met it) so that
every process, an API server without a worker included, reports it; getting past the event
clears it in the same statement that advances the position.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, case, insert, select, update
from sqlalchemy.exc import IntegrityError

from events.database import Database
from events.tables import projection_tracking

t = projection_tracking.c
CLEARED = {"failed_position": None, "failed_event_type": None, "last_error": None, "failures": 0}


class LostRace(Exception):
    """Another runner advanced the position first; this transaction must roll back."""


@dataclass(frozen=True)
class Progress:
    name: str
    position: int
    failed_position: int | None = None  # the event it cannot apply (position + 1)
    failed_event_type: str | None = None
    error: str | None = None
    failures: int = 0  # consecutive failed attempts at that event, by any runner

    @property
    def failing(self) -> bool:
        return self.failed_position is not None


def read_progress(db: Database, names: list[str]) -> dict[str, Progress]:
    with db.read() as conn:
        rows = {row.name: row for row in conn.execute(select(projection_tracking))}
    return {name: _progress(name, rows.get(name)) for name in names}


def _progress(name: str, row: Any) -> Progress:
    if row is None:
        return Progress(name, 0)
    return Progress(
        name, row.position, row.failed_position, row.failed_event_type, row.last_error, row.failures
    )


def advance(conn: Connection, name: str, old: int, new: int) -> None:
    """Moves ``name`` from ``old`` to ``new`` (clearing any failure) or raises LostRace."""
    if old == 0 and not _tracked(conn, name):
        try:
            conn.execute(insert(projection_tracking).values(name=name, position=new))
        except IntegrityError:  # another runner inserted the row first
            raise LostRace from None
        return
    result = conn.execute(
        update(projection_tracking)
        .where(t.name == name, t.position == old)
        .values(position=new, **CLEARED)
    )
    if result.rowcount != 1:
        raise LostRace


def record_failure(
    conn: Connection, name: str, at: int, position: int, event_type: str, error: str
) -> int:
    """Notes that ``name``, at ``at``, cannot apply the event at ``position``; returns the
    consecutive failures at that event (0 if another runner has moved the position)."""
    values = {"failed_position": position, "failed_event_type": event_type, "last_error": error}
    again = case((t.failed_position == position, t.failures + 1), else_=1)
    moved = conn.execute(
        update(projection_tracking)
        .where(t.name == name, t.position == at)
        .values(failures=again, **values)
    ).rowcount
    if not moved and at == 0 and not _tracked(conn, name):
        conn.execute(
            insert(projection_tracking).values(name=name, position=0, failures=1, **values)
        )
        moved = 1
    if not moved:
        return 0
    return conn.execute(select(t.failures).where(t.name == name)).scalar() or 0


def _tracked(conn: Connection, name: str) -> bool:
    return conn.execute(select(t.name).where(t.name == name)).first() is not None
