"""Concurrent saves share transactions on both stores (events/group_commit.py,
events/gapless.py, events/sqlite_recorder.py): each save gets the ids of its own events, the
log stays gap-free and in commit order, and a save that conflicts fails alone."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from datetime import UTC, datetime

import psycopg
import pytest
from eventsourcing.persistence import IntegrityError
from psycopg import sql

from events.database_url import DatabaseConfig
from events.store import EventStore, open_event_store
from registry.actors import Actor, acting_as
from registry.ip_rights import IPRight
from tests.builders import party
from tests.factories import patent_fields, patent_item

NOW = datetime(2026, 1, 5, 1, 0, tzinfo=UTC)


@pytest.fixture
def store(database_url: str) -> Iterator[EventStore]:
    store = open_event_store(DatabaseConfig.parse(database_url), create_tables=False)
    yield store
    store.close()


def new_right(serial: int) -> IPRight:
    with acting_as(Actor("test", "ip_office", "CNIPA")):
        return IPRight(
            "invention_patent", patent_item(serial).number, patent_fields([party(1)]), NOW
        )


@contextmanager
def writers_held(database_url: str) -> Iterator[None]:
    """Another connection holds the store's write lock until the block ends."""
    config = DatabaseConfig.parse(database_url)
    if config.is_sqlite:
        conn = sqlite3.connect(str(config.sqlite_path), isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
    else:
        conn = psycopg.connect(**config.connect_params)
        table = sql.Identifier(config.schema, "ipledge_events")
        conn.execute(sql.SQL("LOCK TABLE {} IN EXCLUSIVE MODE").format(table))
    try:
        yield
    finally:
        conn.rollback()
        conn.close()


def saves_queued_behind_one(
    store: EventStore, hold: AbstractContextManager[None], batches: list[list[IPRight]]
) -> tuple[Future, list[Future]]:
    pool = ThreadPoolExecutor(max_workers=len(batches) + 1)
    group = store.recorder._group  # type: ignore[attr-defined]
    with hold:
        first = pool.submit(store.save, new_right(900))
        _wait_until(lambda: group._writing)
        queued = [pool.submit(store.save, *batch) for batch in batches]
        _wait_until(lambda: len(group._waiting) == len(batches))
    pool.shutdown(wait=True)
    return first, queued


def _wait_until(condition: Callable[[], bool]) -> None:
    done = threading.Event()
    for _ in range(10_000):
        if condition():
            return
        done.wait(0.001)
    raise AssertionError("condition never held")


def test_saves_queued_behind_a_transaction_are_written_in_one(store, database_url):
    batches = [[new_right(1), new_right(2)], [new_right(3)], [new_right(4), new_right(5)]]
    first, queued = saves_queued_behind_one(store, writers_held(database_url), batches)

    group = store.recorder._group  # type: ignore[attr-defined]
    assert (group.groups, group.saves) == (2, 4)
    assert [r.notification.id for r in first.result()] == [1]
    log = {n.id: n.originator_id for n in store.read_log(after=0, limit=100)}
    assert sorted(log) == list(range(1, 7))  # gap-free
    for future, batch in zip(queued, batches, strict=True):
        recordings = future.result()
        assert [log[r.notification.id] for r in recordings] == [r.id for r in batch]


def test_a_conflicting_save_in_a_group_fails_alone(store, database_url):
    taken = new_right(7)
    store.save(taken)
    again = new_right(7)  # version 1 of a stream that already has it
    batches = [[new_right(1)], [again, new_right(8)], [new_right(2)]]
    _, queued = saves_queued_behind_one(store, writers_held(database_url), batches)

    with pytest.raises(IntegrityError):
        queued[1].result()
    assert len(queued[0].result()) == 1 and len(queued[2].result()) == 1
    streams = [n.originator_id for n in store.read_log(after=0, limit=100)]
    assert new_right(8).id not in streams  # nothing of the conflicting save was written
    assert len(streams) == 4  # taken, the held first save, and the two others
