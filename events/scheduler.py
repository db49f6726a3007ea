"""The scheduler: fires due timers by issuing idempotent commands (contract §7).

`run_due(now)` is what the worker calls under the system clock; `advance_to(target)` steps a
manual clock through every due time in order, so each fired event carries the instant it
became due. Firing is idempotent at the aggregate (a listing expires once, a fee year's
notice is recorded once), so two schedulers on one database never fire a timer twice.

One timer never holds up the others: a command its aggregate refuses leaves nothing to do
(the timer is marked ``refused``), and a command that fails is recorded on its row (error,
attempts, next retry with backoff on the service clock), logged, and tried again later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from uuid import UUID

from sqlalchemy import func, or_, select, update

from events.clock import Clock, ManualClock
from events.database import Database
from events.projections.runner import ProjectionRunner
from events.retry import delay, describe
from events.tables import timers
from kernel.errors import DomainError

log = logging.getLogger("ipledge.timers")

Handler = Callable[[UUID, dict[str, Any]], list[str]]
NEEDS = ("timers",)  # the read model the scheduler selects from
FIRST_RETRY = timedelta(minutes=1)
MAX_RETRY = timedelta(hours=1)


@dataclass(frozen=True)
class Due:
    key: str
    kind: str
    subject_id: UUID
    due_at: datetime
    payload: dict[str, Any]
    attempts: int = 0
    retry_at: datetime | None = None

    @property
    def at(self) -> datetime:
        """When it fires: when it fell due, or, after a failure, when it is retried."""
        return self.retry_at or self.due_at


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
            .where(or_(t.retry_at.is_(None), t.retry_at <= until))
            .order_by(func.coalesce(t.retry_at, t.due_at), t.key)
            .limit(len(skip) + 1)
        )
        with self.db.read() as conn:
            for row in conn.execute(query):
                if row.key not in skip:
                    subject, retry_at = UUID(row.subject_id), _utc(row.retry_at)
                    due_at = _utc(row.due_at)
                    assert due_at is not None
                    return Due(
                        row.key, row.kind, subject, due_at, row.payload, row.attempts, retry_at
                    )
        return None

    def fire(self, due: Due, now: datetime) -> list[str]:
        """Issues the timer's command; never raises for the timer's own failure (it is
        retried after ``now`` plus a backoff)."""
        try:
            handler = self.handlers.get(due.kind)
            if handler is None:
                raise LookupError(f"no handler for timer kind {due.kind}")
            fired = handler(due.subject_id, due.payload)
        except DomainError as refusal:  # e.g. the listing was sold meanwhile: nothing to do
            self._refused(due, refusal)
            return []
        except Exception as error:  # the boundary that keeps one timer's fault its own
            self._failed(due, error, now)
            return []
        if due.attempts:
            self._update(due, attempts=0, last_error=None, retry_at=None)
            log.info("timer %s fired after %d failed attempts", due.key, due.attempts)
        log.info("timer fired", extra={"timer": due.key, "events": fired})
        return fired

    def _refused(self, due: Due, refusal: DomainError) -> None:
        self._update(due, state="refused", last_error=describe(refusal), retry_at=None)
        log.info("timer %s refused, nothing to do: %s", due.key, refusal, extra={"timer": due.key})

    def _failed(self, due: Due, error: Exception, now: datetime) -> None:
        attempts = due.attempts + 1
        wait = delay(attempts, FIRST_RETRY.total_seconds(), MAX_RETRY.total_seconds())
        retry_at = (now + timedelta(seconds=wait)).astimezone(UTC)  # SQLite keeps no offset
        text = describe(error)
        self._update(due, attempts=attempts, last_error=text, retry_at=retry_at)
        fields = {"timer": due.key, "kind": due.kind, "error": text, "attempts": attempts}
        if attempts == 1:
            log.error("timer %s failed: %s", due.key, text, extra=fields, exc_info=error)
        else:
            message = "timer %s failed again (%d attempts); retry at %s"
            log.warning(message, due.key, attempts, retry_at.isoformat(), extra=fields)

    def _update(self, due: Due, **values: Any) -> None:
        t = timers.c
        with self.db.write() as conn:
            conn.execute(
                update(timers).where(t.key == due.key, t.state == "pending").values(**values)
            )

    def failing(self) -> int:
        """Pending timers whose last attempt failed (they are retried with backoff)."""
        t = timers.c
        query = select(func.count()).where(t.state == "pending", t.attempts > 0)
        with self.db.read() as conn:
            return conn.execute(query).scalar() or 0

    def run_due(self, now: datetime | None = None) -> list[str]:
        """Fires every timer due at ``now`` (default: the clock), earliest first."""
        now = now or self.clock.now()
        fired: list[str] = []
        attempted: set[str] = set()  # a no-op timer is tried once per run, never looped on
        self.projections.catch_up(timeout=60, names=NEEDS)
        while (due := self.next_due(now, attempted)) is not None:
            attempted.add(due.key)
            fired += self.fire(due, now)
            self.projections.catch_up(timeout=60, names=NEEDS)
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
        self.projections.catch_up(timeout=60, names=NEEDS)
        while (due := self.next_due(target, attempted)) is not None:
            attempted.add(due.key)
            if due.at > clock.now():
                clock.set(due.at)
            fired += self.fire(due, clock.now())
            self.projections.catch_up(timeout=60, names=NEEDS)
        clock.set(target)
        return fired


def _utc(value: datetime | None) -> datetime | None:
    """SQLite hands back the stored UTC wall time without its offset."""
    if value is None or value.tzinfo:
        return value
    return value.replace(tzinfo=UTC)
