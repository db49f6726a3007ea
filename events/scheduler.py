"""The scheduler: fires due timers by issuing idempotent commands (SPEC §7).

`run_due(now)` is what the worker calls under the system clock; `advance_to(target)` steps a
manual clock through every due time in order, so each fired event carries the instant it
became due. Firing is idempotent at the aggregate (a listing expires once, a fee year's
notice is recorded once), so two schedulers on one database never fire a timer twice.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select

from events.clock import Clock, ManualClock
from events.database import Database
from events.projections.runner import ProjectionRunner
from events.tables import timers

log = logging.getLogger("ipledge.timers")

Handler = Callable[[UUID, dict[str, Any]], list[str]]


@dataclass(frozen=True)
class Due:
    key: str
    kind: str
    subject_id: UUID
    due_at: datetime
    payload: dict[str, Any]


@dataclass
class Scheduler:
    db: Database
    projections: ProjectionRunner
    clock: Clock
    handlers: dict[str, Handler] = field(default_factory=dict)

    def next_due(self, until: datetime, skip: set[str]) -> Due | None:
        until = until.astimezone(UTC)  # SQLite compares stored UTC wall time, offsets dropped
        t = timers.c
        query = (
            select(timers)
            .where(t.state == "pending", t.due_at <= until)
            .order_by(t.due_at, t.key)
            .limit(len(skip) + 1)
        )
        with self.db.read() as conn:
            for row in conn.execute(query):
                if row.key not in skip:
                    due_at = row.due_at if row.due_at.tzinfo else row.due_at.replace(tzinfo=UTC)
                    return Due(row.key, row.kind, UUID(row.subject_id), due_at, row.payload)
        return None

    def fire(self, due: Due) -> list[str]:
        handler = self.handlers.get(due.kind)
        if handler is None:
            log.error("no handler for timer kind", extra={"timer": due.key})
            return []
        fired = handler(due.subject_id, due.payload)
        log.info("timer fired", extra={"timer": due.key, "events": fired})
        return fired

    def run_due(self, now: datetime | None = None) -> list[str]:
        """Fires every timer due at ``now`` (default: the clock), earliest first."""
        now = now or self.clock.now()
        fired: list[str] = []
        attempted: set[str] = set()  # a no-op timer is tried once per run, never looped on
        self.projections.catch_up(timeout=60)
        while (due := self.next_due(now, attempted)) is not None:
            attempted.add(due.key)
            fired += self.fire(due)
            self.projections.catch_up(timeout=60)
        return fired

    def run_step(self) -> int:
        """Worker step: how many events the due timers produced."""
        return len(self.run_due())

    def advance_to(self, target: datetime) -> list[str]:
        """Manual clock: moves through each due instant up to ``target``, firing in order."""
        clock = self.clock
        assert isinstance(clock, ManualClock)
        fired: list[str] = []
        attempted: set[str] = set()
        self.projections.catch_up(timeout=60)
        while (due := self.next_due(target, attempted)) is not None:
            attempted.add(due.key)
            if due.due_at > clock.now():
                clock.set(due.due_at)
            fired += self.fire(due)
            self.projections.catch_up(timeout=60)
        clock.set(target)
        return fired


def parse_day(value: str) -> date:
    return date.fromisoformat(value)
