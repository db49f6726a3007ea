"""Group commit (events/group_commit.py): saves arriving while a transaction is in flight share
the next one, and each keeps its own ids and its own outcome."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import pytest

from events import group_commit
from events.group_commit import GroupCommit


class Conflict(Exception):
    pass


class FakeLog:
    """Writes lists of events as one transaction each; refuses a transaction holding an event
    already written (a version conflict) or listed twice in it."""

    def __init__(self) -> None:
        self.rows: list[str] = []
        self.transactions: list[list[str]] = []
        self.first_started = threading.Event()
        self.release_first = threading.Event()

    def write(self, events: Sequence[str]) -> list[int]:
        if not self.transactions:
            self.first_started.set()
            assert self.release_first.wait(10)
        self.transactions.append(list(events))
        if len(set(events)) < len(events) or set(events) & set(self.rows):
            raise Conflict(events)
        first = len(self.rows) + 1
        self.rows.extend(events)
        return list(range(first, first + len(events)))


def saves_behind_a_slow_first(log: FakeLog, later: list[list[str]]) -> tuple[Future, list[Future]]:
    """Starts one save that blocks inside its transaction, queues ``later`` behind it, then
    lets the first one finish."""
    commit = GroupCommit(log.write)
    pool = ThreadPoolExecutor(max_workers=len(later) + 1)
    first = pool.submit(commit.insert, ["first"])
    assert log.first_started.wait(10)
    queued = [pool.submit(commit.insert, events) for events in later]
    while len(commit._waiting) < len(later):  # every later save is waiting its turn
        threading.Event().wait(0.001)
    log.release_first.set()
    pool.shutdown(wait=True)
    return first, queued


def test_saves_waiting_behind_a_transaction_share_the_next_one():
    log = FakeLog()
    saves_behind_a_slow_first(log, [["a1", "a2"], ["b1"], ["c1", "c2", "c3"]])

    assert len(log.transactions) == 2
    assert sorted(log.transactions[1]) == ["a1", "a2", "b1", "c1", "c2", "c3"]


def test_each_save_gets_the_ids_of_its_own_events():
    log = FakeLog()
    _, queued = saves_behind_a_slow_first(log, [["a1", "a2"], ["b1"], ["c1", "c2", "c3"]])

    for future, events in zip(queued, [["a1", "a2"], ["b1"], ["c1", "c2", "c3"]], strict=True):
        assert [log.rows[i - 1] for i in future.result()] == events


def test_a_conflict_in_a_group_fails_only_its_own_save():
    log = FakeLog()
    log.rows.append("taken")
    _, queued = saves_behind_a_slow_first(log, [["a1"], ["taken", "b2"], ["c1"]])

    with pytest.raises(Conflict):
        queued[1].result()
    assert [log.rows[i - 1] for i in queued[0].result()] == ["a1"]
    assert [log.rows[i - 1] for i in queued[2].result()] == ["c1"]
    assert "b2" not in log.rows  # the conflicting save wrote nothing


def test_two_saves_of_one_group_that_conflict_with_each_other_save_one():
    log = FakeLog()
    _, queued = saves_behind_a_slow_first(log, [["v2"], ["v2"]])

    outcomes = []
    for future in queued:
        try:
            outcomes.append(future.result())
        except Conflict:
            outcomes.append("conflict")
    assert sorted(map(str, outcomes)) == ["[2]", "conflict"]
    assert log.rows == ["first", "v2"]


def test_a_save_alone_raises_its_own_error():
    def refuse(events: Sequence[str]) -> list[int]:
        raise Conflict(events)

    with pytest.raises(Conflict):
        GroupCommit(refuse).insert(["x"])


def test_a_group_never_exceeds_the_size_limit(monkeypatch):
    monkeypatch.setattr(group_commit, "MAX_GROUP_EVENTS", 3)
    log = FakeLog()
    saves_behind_a_slow_first(log, [["a1", "a2"], ["b1", "b2"], ["c1"]])

    assert all(len(t) <= 3 for t in log.transactions)
    assert sorted(log.rows) == sorted(["first", "a1", "a2", "b1", "b2", "c1"])
    assert log.rows[0] == "first"
