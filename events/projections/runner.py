"""Pulls the global log in pages and feeds each projection, tracking in the same transaction.

Works the same on both stores (SQLite has no LISTEN/NOTIFY, so nothing here subscribes).
Several runners, in one process or many, can work on one database: the tracking row is
advanced with a compare-and-set, so a page processed twice is rolled back, never applied twice.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.exc import IntegrityError

from events.database import Database
from events.envelope import event_type
from events.projections.base import Projection
from events.store import EventStore
from events.tables import projection_tracking

log = logging.getLogger("ipledge.projections")

PAGE = 500


class ProjectionLagging(Exception):
    pass


class ProjectionRunner:
    def __init__(self, store: EventStore, db: Database, projections: Sequence[Projection]) -> None:
        self.store = store
        self.db = db
        self.projections = list(projections)
        self._lock = threading.Lock()
        # Called after a page was applied (the webhook dispatcher wakes to fill outboxes).
        self.on_progress: list[Callable[[], None]] = []

    # ---- positions -----------------------------------------------------------------

    def positions(self) -> dict[str, int]:
        with self.db.read() as conn:
            rows = conn.execute(select(projection_tracking.c.name, projection_tracking.c.position))
            known = {name: position for name, position in rows}
        return {p.name: known.get(p.name, 0) for p in self.projections}

    def position(self) -> int:
        """The position every projection has reached."""
        return min(self.positions().values(), default=0)

    # ---- processing ----------------------------------------------------------------

    def run_once(self) -> int:
        """Processes at most one page per projection; returns events applied."""
        with self._lock:
            positions = self.positions()
            start = min(positions.values(), default=0)
            notifications = self.store.read_log(after=start, limit=PAGE)
            if not notifications:
                return 0
            decoded = [(n.id, self.store.decode(n)) for n in notifications]
            applied = sum(self._apply(p, positions[p.name], decoded) for p in self.projections)
        if applied:
            for listener in self.on_progress:
                listener()
        return applied

    def _apply(self, projection: Projection, at: int, decoded: list[tuple[int, Any]]) -> int:
        todo = [(pos, ev) for pos, ev in decoded if pos > at]
        if not todo:
            return 0
        try:
            with self.db.write() as conn:
                for position, event in todo:
                    projection.process(conn, event, event_type(event), position)
                self._advance(conn, projection.name, at, todo[-1][0])
        except (_LostRace, IntegrityError):
            log.info("another runner advanced %s first", projection.name)
            return 0
        return len(todo)

    def _advance(self, conn: Any, name: str, old: int, new: int) -> None:
        if (
            old == 0
            and not conn.execute(
                select(projection_tracking.c.name).where(projection_tracking.c.name == name)
            ).first()
        ):
            conn.execute(insert(projection_tracking).values(name=name, position=new))
            return
        result = conn.execute(
            update(projection_tracking)
            .where(projection_tracking.c.name == name, projection_tracking.c.position == old)
            .values(position=new)
        )
        if result.rowcount != 1:
            raise _LostRace

    def catch_up(self, until: int | None = None, timeout: float = 5.0) -> int:
        """Applies pages until every projection reached ``until`` (default: the log's end)."""
        target = self.store.max_position() if until is None else until
        deadline = time.monotonic() + timeout
        while (reached := self.position()) < target:
            if time.monotonic() > deadline:
                raise ProjectionLagging(f"read models at {reached}, asked for {target}")
            if self.run_once() == 0 and self.store.max_position() < target:
                # Asked for a position not yet written (or not yet visible): wait a little.
                time.sleep(0.01)
        return reached

    def rebuild(self) -> int:
        """Drops every row the projections own and replays the whole log."""
        with self._lock, self.db.write() as conn:
            for projection in self.projections:
                for table in reversed(projection.tables):
                    conn.execute(delete(table))
                conn.execute(
                    delete(projection_tracking).where(projection_tracking.c.name == projection.name)
                )
        return self.catch_up(timeout=3600)


class _LostRace(Exception):
    pass
