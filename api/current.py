"""Single resources served from their last presented state, checked current by one select.

A GET of a pledge, IP right, listing or disposal used to load the aggregate through the event
store's cache (a per-aggregate lock around the fast-forward select, then a deep copy) and
present it again. Concurrent GETs of one resource queued on that lock, one select at a time.

Here each resource keeps, per process, a private copy of the aggregate at the version last
read and its encoded body. A request asks the event table for one event of that aggregate
after that version (one indexed select, no lock, started after the request arrived): none
means the copy is the current state, so no write acknowledged by any process before the
request is missed. Otherwise (or on a first read) the aggregate is loaded as before and its
copy and body replace the older ones. A body depends only on the aggregate's events (and,
for some, on the business date, which is part of the key), so a version identifies it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any, Generic, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate
from starlette.responses import Response

from api.json_response import FastJSONResponse
from events.store import EventStore

A = TypeVar("A", bound=Aggregate)
LIMIT = 10_000  # resources remembered per process; past it the memory starts afresh


@dataclass(frozen=True)
class Current(Generic[A]):
    """An aggregate at ``version`` (a copy nothing mutates) and its JSON body."""

    aggregate: A
    version: int
    body: bytes

    def response(self) -> Response:
        return Response(
            self.body,
            media_type=FastJSONResponse.media_type,
            headers={"ETag": f'"{self.version}"'},
        )


def encode(body: Any) -> bytes:
    return bytes(FastJSONResponse(body).body)


class CurrentStates:
    def __init__(self, store: EventStore, limit: int = LIMIT) -> None:
        self.store = store
        self.limit = limit
        self._states: dict[Hashable, Current[Any]] = {}
        self._lock = threading.Lock()

    def get(
        self,
        cls: type[A],
        aggregate_id: UUID,
        load: Callable[[], A],
        present: Callable[[A], Any],
        variant: Hashable = None,
    ) -> Current[A]:
        """The current state of ``aggregate_id`` (of type ``cls``; ``variant`` is whatever
        else its body depends on). ``load`` gives the aggregate or raises NotFound; it is
        called only when the remembered copy is missing or behind the event table."""
        key = (cls, aggregate_id, variant)
        known = self._states.get(key)
        if known is not None and not self._recorded_since(aggregate_id, known.version):
            return known
        aggregate = load()  # the store's own copy: not the cached aggregate, never mutated
        fresh = Current(aggregate, aggregate.version, encode(present(aggregate)))
        with self._lock:
            older = self._states.get(key)
            if older is None or older.version < fresh.version:
                if len(self._states) >= self.limit:
                    self._states.clear()
                self._states[key] = fresh
        return fresh

    def remembered(self) -> int:
        return len(self._states)

    def _recorded_since(self, aggregate_id: UUID, version: int) -> bool:
        return bool(self.store.recorder.select_events(aggregate_id, gt=version, limit=1))
