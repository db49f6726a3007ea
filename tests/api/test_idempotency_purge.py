"""Expired idempotency records are purged in bounded batches by a worker step, on wall time."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from api.idempotency_store import (
    PURGE_BATCH,
    PURGE_EVERY,
    RETENTION,
    ExpiredKeysPurge,
    IdempotencyStore,
)
from events.clock import ManualClock
from events.tables import idempotency_keys
from tests.conftest import START


def remaining(container) -> set[str]:
    with container.db.read() as conn:
        return {row.key for row in conn.execute(select(idempotency_keys.c.key))}


def record(store: IdempotencyStore, key: str, at) -> None:
    assert store.claim("principal-1", key, "0" * 64, at) is None
    store.complete("principal-1", key, 201, {}, "{}")


def test_purge_removes_expired_records_only(container):
    store = IdempotencyStore(container.db)
    record(store, "day-old", START)
    record(store, "recent", START + timedelta(hours=20))
    store.claim("principal-1", "in-flight", "0" * 64, START + timedelta(hours=23))

    purged = store.purge_expired(START + RETENTION + timedelta(seconds=1))

    assert purged == 1
    assert remaining(container) == {"recent", "in-flight"}


def test_purge_deletes_in_bounded_batches(container):
    store = IdempotencyStore(container.db)
    for n in range(5):
        record(store, f"old-{n}", START + timedelta(minutes=n))
    later = START + timedelta(days=2)

    batches = [store.purge_expired(later, limit=2) for _ in range(4)]

    assert batches == [2, 2, 1, 0]
    assert remaining(container) == set()


def test_the_worker_step_purges_then_rests_until_its_next_look(container):
    store = IdempotencyStore(container.db)
    wall = ManualClock(START + RETENTION + timedelta(hours=1))
    step = ExpiredKeysPurge(store, wall)
    record(store, "old-1", START)
    record(store, "old-2", START)

    assert step() == 2
    record(store, "old-3", START)
    assert step() == 0  # a batch that was not full: nothing more to do for a while
    wall.advance(PURGE_EVERY)
    assert step() == 1
    assert remaining(container) == set()


def test_the_worker_step_keeps_going_while_batches_come_back_full(container):
    store = IdempotencyStore(container.db)
    wall = ManualClock(START + timedelta(days=2))
    for n in range(PURGE_BATCH + 1):
        store.claim("principal-1", f"old-{n}", "0" * 64, START)
    step = ExpiredKeysPurge(store, wall)

    assert [step(), step(), step()] == [PURGE_BATCH, 1, 0]


def test_the_worker_runs_the_purge(container):
    assert any(isinstance(step, ExpiredKeysPurge) for step in container.worker.steps)
