"""Running a command against the event store: load, decide, save, retry on conflict."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from eventsourcing.application import Recording
from eventsourcing.persistence import IntegrityError

from registry.errors import DomainError

T = TypeVar("T")
log = logging.getLogger("ipledge.commands")

MAX_ATTEMPTS = 30


class ConcurrencyConflict(DomainError):
    """Retried often and still conflicting: the caller may try again (409)."""

    code = "concurrency_conflict"


@dataclass(frozen=True)
class Written(Generic[T]):
    """A command's result and the global log position of the last event it recorded
    (0 when nothing was recorded)."""

    value: T
    position: int


def last_position(recordings: list[Recording]) -> int:
    return max((r.notification.id for r in recordings), default=0)


def run_command(attempt: Callable[[], Written[T]], name: str) -> Written[T]:
    """Re-runs ``attempt`` from a fresh read when another writer got there first.

    Each attempt re-reads the aggregates and re-checks every rule, so a retry can end in a
    different decision (e.g. a refusal because the right was pledged meanwhile); an event is
    never lost or written twice because the store rejects the stale save as a whole.
    """
    for number in range(1, MAX_ATTEMPTS + 1):
        try:
            return attempt()
        except IntegrityError:
            log.info("version conflict, retrying", extra={"command": name, "attempt": number})
    raise ConcurrencyConflict(f"{name} kept conflicting with concurrent writes; try again")
