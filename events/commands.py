"""Running a command against the event store: load, decide, save, retry on conflict."""

from __future__ import annotations

import logging
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass
from typing import Generic, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Recording
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from events.store import EventStore
from registry.errors import DomainError, NotFound, VersionMismatch

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


A = TypeVar("A", bound=Aggregate)


def load(store: EventStore, cls: type[A], aggregate_id: UUID, what: str) -> A:
    """The aggregate of that type, or NotFound (also when the id belongs to another type)."""
    found: object = None
    with suppress(AggregateNotFoundError):
        found = store.repository.get(aggregate_id)
    if not isinstance(found, cls):
        raise NotFound(f"{what} {aggregate_id} not found")
    return found


def check_version(aggregate: Aggregate, expected: int | None) -> None:
    """If-Match: the command applies only to the version the caller last saw."""
    if expected is not None and aggregate.version != expected:
        raise VersionMismatch(
            f"resource is at version {aggregate.version}, not {expected}",
            current_version=aggregate.version,
        )


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
