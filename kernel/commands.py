"""Running a command against the event store: load, decide, save, retry on conflict.

The services type the store by what they use of it (``Store``); events/store.py's
``EventStore`` is the one implementation, so the domain never imports infrastructure."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Concatenate, Generic, ParamSpec, Protocol, TypeVar
from uuid import UUID

from eventsourcing.application import AggregateNotFoundError, Recording, Repository
from eventsourcing.domain import Aggregate
from eventsourcing.persistence import IntegrityError

from kernel.errors import ConcurrencyConflict, NotFound, VersionMismatch

T = TypeVar("T")
log = logging.getLogger("ipledge.commands")

MAX_ATTEMPTS = 30


class Store(Protocol):
    """What a command service needs of the event store."""

    @property
    def repository(self) -> Repository[UUID]: ...

    def save(self, *aggregates: Aggregate, **kwargs: Any) -> list[Recording[UUID]]: ...

    def state_at(self, aggregate_id: UUID, instant: datetime) -> Aggregate | None: ...

    def existing(self, ids: Sequence[UUID]) -> set[UUID]: ...


@dataclass(frozen=True)
class Written(Generic[T]):
    """A command's result and the global log position of the last event it recorded
    (0 when nothing was recorded)."""

    value: T
    position: int


A = TypeVar("A", bound=Aggregate)


def load(store: Store, cls: type[A], aggregate_id: UUID, what: str) -> A:
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


def last_position(recordings: list[Recording[UUID]]) -> int:
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


@dataclass(frozen=True)
class Decided(Generic[T]):
    """What a command decided: its result, and the aggregates whose new events it saves."""

    value: T
    changed: tuple[Aggregate, ...] = ()


def decided(value: T, *changed: Aggregate) -> Decided[T]:
    return Decided(value, changed)


class CommandService(Protocol):
    store: Store


S = TypeVar("S", bound=CommandService)
P = ParamSpec("P")


def command(
    method: Callable[Concatenate[S, P], Decided[T]],
) -> Callable[Concatenate[S, P], Written[T]]:
    """A command method loads, checks and decides, and returns what it ``decided``; this saves
    the changed aggregates in one atomic save (nothing when none changed) and re-runs the whole
    method from a fresh read when another writer got there first (``run_command``)."""

    @functools.wraps(method)
    def run(service: S, /, *args: P.args, **kwargs: P.kwargs) -> Written[T]:
        def attempt() -> Written[T]:
            outcome = method(service, *args, **kwargs)
            if not outcome.changed:
                return Written(outcome.value, 0)
            return Written(outcome.value, last_position(service.store.save(*outcome.changed)))

        return run_command(attempt, method.__name__)

    return run
