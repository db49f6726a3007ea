"""Injected faults for the second line of defence: a projection that cannot apply one chosen
event, a timer handler that fails for one subject, and a monotonic clock the tests move by
hand to drive retries (no sleeps)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from sqlalchemy import Connection

from api.bootstrap import Container
from events.projections.base import Projection
from events.scheduler import Handler


class Ticks:
    """A monotonic clock that moves only when told."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class Faulty:
    """Wraps a projection: raises on the event at ``position`` while ``broken``, and counts
    how often that event was tried."""

    inner: Projection
    position: int
    broken: bool = True
    tries: int = field(default=0)

    @property
    def name(self) -> str:
        return self.inner.name

    @property
    def tables(self) -> Any:
        return self.inner.tables

    def process(self, conn: Connection, event: Any, event_type: str, position: int) -> None:
        if position == self.position:
            self.tries += 1
            if self.broken:
                raise RuntimeError(f"injected fault at position {position}")
        self.inner.process(conn, event, event_type, position)


def break_projection(container: Container, name: str, position: int) -> tuple[Faulty, Ticks]:
    """Makes ``name`` fail at ``position`` and puts the runner's retries on a hand clock."""
    runner = container.projections
    index = next(i for i, p in enumerate(runner.projections) if p.name == name)
    faulty = Faulty(runner.projections[index], position)
    runner.projections[index] = faulty
    ticks = Ticks()
    runner.backoff.monotonic = ticks
    return faulty, ticks


@dataclass
class Flaky:
    """Wraps a timer handler: for one subject it raises ``error`` while ``broken``."""

    inner: Handler
    subject: UUID
    error: Exception = field(default_factory=lambda: RuntimeError("injected timer fault"))
    broken: bool = True
    calls: int = 0

    def __call__(self, subject_id: UUID, payload: dict[str, Any]) -> list[str]:
        if subject_id == self.subject:
            self.calls += 1
            if self.broken:
                raise self.error
        return self.inner(subject_id, payload)


def break_timer(container: Container, kind: str, subject: UUID, **options: Any) -> Flaky:
    handlers = container.scheduler.handlers
    handlers[kind] = flaky = Flaky(handlers[kind], subject, **options)
    return flaky
