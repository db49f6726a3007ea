"""api/current.py's VersionChecks: the requests waiting at one moment share one read of the event
table, and a request that arrives while a read runs is answered by a read started after it."""

from __future__ import annotations

import asyncio
import threading
from uuid import UUID, uuid4

import pytest

from api.current import VersionChecks


class Table:
    """A fake event table whose reads can be held open."""

    def __init__(self, versions: dict[UUID, int]) -> None:
        self.versions = versions
        self.reads: list[list[UUID]] = []
        self.started = threading.Event()
        self.release = threading.Event()
        self.release.set()

    def latest(self, ids: list[UUID]) -> dict[UUID, int]:
        snapshot = {i: self.versions[i] for i in ids if i in self.versions}
        self.reads.append(sorted(ids))
        self.started.set()
        self.release.wait(5)
        return snapshot


async def test_the_requests_waiting_together_share_one_read():
    a, b = uuid4(), uuid4()
    table = Table({a: 2, b: 1})
    checks = VersionChecks(table.latest)

    answers = await asyncio.gather(
        checks.recorded_since(a, 1), checks.recorded_since(a, 2), checks.recorded_since(b, 1)
    )

    assert answers == [True, False, False]
    assert table.reads == [sorted([a, b])]


async def test_a_request_arriving_during_a_read_waits_for_a_later_read():
    a = uuid4()
    table = Table({a: 1})
    table.release.clear()
    checks = VersionChecks(table.latest)
    early = asyncio.ensure_future(checks.recorded_since(a, 1))
    await asyncio.to_thread(table.started.wait, 5)  # the first read has begun

    table.versions[a] = 2  # a write acknowledged after that read began
    late = asyncio.ensure_future(checks.recorded_since(a, 1))
    await asyncio.sleep(0)
    table.release.set()

    assert (await early, await late) == (False, True)
    assert len(table.reads) == 2


async def test_a_failed_read_fails_every_request_waiting_on_it():
    def unreachable(ids: list[UUID]) -> dict[UUID, int]:
        raise ConnectionError("the database went away")

    checks = VersionChecks(unreachable)
    results = await asyncio.gather(
        checks.recorded_since(uuid4(), 1), checks.recorded_since(uuid4(), 1), return_exceptions=True
    )
    assert all(isinstance(r, ConnectionError) for r in results)
    with pytest.raises(ConnectionError):
        await checks.recorded_since(uuid4(), 1)
