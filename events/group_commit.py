"""Group commit: saves that arrive while another save's transaction is in flight share the
next transaction.

The event table takes one writing transaction at a time (its lock keeps commit order = log
order), so concurrent commands used to queue on it one by one. Here a save that finds a
transaction in flight waits; when that transaction ends, one waiting thread (the leader) writes
every save waiting by then in one transaction, and each save gets its own notification ids
back. Commit order is still log order: one transaction at a time, in one table lock.

Each save keeps its own outcome. If the group's transaction fails (most often one save's
version conflict: two commands that read the same aggregate), nothing of it is written, and
each save of the group is written again alone, in arrival order: the conflicting one gets its
own IntegrityError (its command retries from a fresh read), the others are saved.
"""

from __future__ import annotations

import threading
from abc import abstractmethod
from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar
from uuid import UUID

from eventsourcing.persistence import ApplicationRecorder, StoredEvent

E = TypeVar("E")  # one stored event

MAX_GROUP_EVENTS = 2_000  # a bulk import's saves (200 rights each) still share transactions


class _Save(Generic[E]):
    __slots__ = ("done", "error", "events", "ids")

    def __init__(self, events: Sequence[E]) -> None:
        self.events = events
        self.ids: Sequence[int] = ()
        self.error: BaseException | None = None
        self.done = False

    def outcome(self) -> Sequence[int]:
        if self.error is not None:
            raise self.error
        return self.ids


class GroupCommit(Generic[E]):
    """``insert`` is called by many threads at once; ``write`` writes a list of events in one
    transaction and returns their notification ids in the list's order."""

    def __init__(self, write: Callable[[Sequence[E]], Sequence[int]]) -> None:
        self._write = write
        self._turn = threading.Condition()
        self._waiting: list[_Save[E]] = []
        self._writing = False
        self.groups = 0  # transactions written, and the saves they held: for tests and metrics
        self.saves = 0

    def insert(self, events: Sequence[E]) -> Sequence[int]:
        save = _Save(events)
        with self._turn:
            self._waiting.append(save)
            while self._writing and not save.done:
                self._turn.wait()
            if save.done:  # a leader wrote it
                return save.outcome()
            self._writing = True
            group = self._take_group(save)
        try:
            self._write_group(group)
        finally:
            with self._turn:
                self._writing = False
                self._turn.notify_all()
        return save.outcome()

    def _take_group(self, leader: _Save[E]) -> list[_Save[E]]:
        """The leader's save and, in arrival order, the others waiting, up to the size limit."""
        group, size = [leader], len(leader.events)
        rest = [s for s in self._waiting if s is not leader]
        while rest and size + len(rest[0].events) <= MAX_GROUP_EVENTS:
            size += len(rest[0].events)
            group.append(rest.pop(0))
        self._waiting = rest
        return group

    def _write_group(self, group: list[_Save[E]]) -> None:
        self.groups += 1
        self.saves += len(group)
        if len(group) > 1:
            try:
                ids = self._write([event for save in group for event in save.events])
            except Exception:  # nothing of the group was written: each alone, own outcome
                pass
            else:
                _hand_out(group, ids)
                return
        for save in group:
            _write_alone(save, self._write)


def _hand_out(group: list[_Save[E]], ids: Sequence[int]) -> None:
    first = 0
    for save in group:
        save.ids, save.done = ids[first : first + len(save.events)], True
        first += len(save.events)


def _write_alone(save: _Save[E], write: Callable[[Sequence[E]], Sequence[int]]) -> None:
    try:
        save.ids = write(save.events)
    except BaseException as error:  # handed to the save's own thread, raised there
        save.error = error
    save.done = True


class GroupedRecorder(ApplicationRecorder):
    """What both of ipledge's recorders share: saves go through a GroupCommit, written by
    ``insert_alone`` (one transaction, the store's own way), and which streams exist is one
    query (``existing_streams``). Listed first among the bases, before the library's recorder
    whose ``insert_events`` it wraps."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._group: GroupCommit[StoredEvent] = GroupCommit(self.insert_alone)

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        if not stored_events:
            return []
        if kwargs.get("tracking") is not None:  # process applications: the library's path
            return super().insert_events(stored_events, **kwargs)  # type: ignore[safe-super]
        return self._group.insert(stored_events)

    @abstractmethod
    def insert_alone(self, stored_events: Sequence[StoredEvent]) -> Sequence[int]:
        """Writes ``stored_events`` in one transaction of their own; their notification ids."""

    @abstractmethod
    def existing_streams(self, ids: Sequence[UUID]) -> set[UUID]:
        """Which of ``ids`` are streams with events."""
