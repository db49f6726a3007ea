"""Single resources served from their last presented state, checked current by the event table.

A GET of a pledge, IP right, listing or disposal used to load the aggregate through the event
store's cache (a per-aggregate lock around the fast-forward select, then a deep copy) and
present it again, on the thread pool. Concurrent GETs of one resource queued on that lock.

Here each resource keeps, per process, a private copy of the aggregate at the version last
read and its encoded body. A request asks whether an event of that aggregate was recorded
after that version; none means the copy is the current state. The check is batched: every
request waiting at that moment goes into one read of the event table (events/
latest_versions.py) that starts after each of them arrived, so no write acknowledged by any
process before a request is missed, and the event loop waits on it without a thread per
request. Otherwise (or on a first read) the aggregate is loaded as before, on the thread
pool, and its copy and body replace the older ones. A body depends only on the aggregate's
events (and, for some, on the business date, which is part of the key), so a version
identifies it.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from starlette.concurrency import run_in_threadpool

from api.json_response import FastJSONResponse
from events.latest_versions import latest_versions
from events.store import EventStore

A = TypeVar("A", bound=Aggregate)
LIMIT = 10_000  # resources remembered per process; past it the memory starts afresh


@dataclass(frozen=True)
class Current(Generic[A]):
    """An aggregate at ``version`` (a copy nothing mutates) and its JSON body."""

    aggregate: A
    version: int
    body: bytes


class VersionChecks:
    """ "Was anything recorded for this aggregate after version v?", for every request waiting,
    in one read at a time. Runs on the event loop; the read itself on the thread pool."""

    def __init__(self, latest: Callable[[list[UUID]], dict[UUID, int]]) -> None:
        self.latest = latest
        self._waiting: dict[UUID, list[tuple[int, asyncio.Future[bool]]]] = {}
        self._reader: asyncio.Task[None] | None = None

    async def recorded_since(self, aggregate_id: UUID, version: int) -> bool:
        loop = asyncio.get_running_loop()
        answer: asyncio.Future[bool] = loop.create_future()
        self._waiting.setdefault(aggregate_id, []).append((version, answer))
        reader = self._reader
        if reader is None or reader.done() or reader.get_loop() is not loop:
            self._reader = loop.create_task(self._read_while_waiting())
        return await answer

    async def _read_while_waiting(self) -> None:
        while self._waiting:
            batch, self._waiting = self._waiting, {}  # each arrived before the read below
            try:
                latest = await run_in_threadpool(self.latest, list(batch))
            except Exception as error:
                for answer in _unanswered(batch):
                    answer.set_exception(error)
                continue
            for aggregate_id, waiting in batch.items():
                for version, answer in waiting:
                    if not answer.done():  # its request may have been cancelled
                        answer.set_result(latest.get(aggregate_id, 0) > version)


def _unanswered(
    batch: dict[UUID, list[tuple[int, asyncio.Future[bool]]]],
) -> list[asyncio.Future[bool]]:
    return [a for waiting in batch.values() for _, a in waiting if not a.done()]


class CurrentStates:
    def __init__(self, store: EventStore, limit: int = LIMIT) -> None:
        self.limit = limit
        self.checks = VersionChecks(lambda ids: latest_versions(store, ids))
        self._states: dict[Hashable, Current[Any]] = {}
        self._lock = threading.Lock()

    async def get(
        self,
        cls: type[A],
        aggregate_id: UUID,
        load: Callable[[], A],
        present: Callable[[A], Any],
        variant: Hashable = None,
    ) -> Current[A]:
        """The current state of ``aggregate_id`` (of type ``cls``; ``variant`` is whatever
        else its body depends on). ``load`` gives the aggregate or raises NotFound; it runs
        on the thread pool, only when the remembered copy is missing or behind."""
        key = (cls, aggregate_id, variant)
        known = self._states.get(key)
        if known is not None and not await self.checks.recorded_since(aggregate_id, known.version):
            return known
        return await run_in_threadpool(self._load, key, load, present)

    def _load(
        self, key: Hashable, load: Callable[[], A], present: Callable[[A], Any]
    ) -> Current[A]:
        aggregate = load()  # the store's deep copy: never the cached aggregate, never mutated
        body = bytes(FastJSONResponse(present(aggregate)).body)
        fresh = Current(aggregate, aggregate.version, body)
        with self._lock:
            older = self._states.get(key)
            if older is None or older.version < fresh.version:
                if len(self._states) >= self.limit:
                    self._states.clear()
                self._states[key] = fresh
        return fresh

    def remembered(self) -> int:
        return len(self._states)
