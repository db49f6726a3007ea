"""Where `IPLEDGE_CLOCK=manual` starts: the saved time, IPLEDGE_CLOCK_START or the last recorded
event, whichever is latest, so a store that ran on another clock never gets events dated before
the ones it already holds."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import pytest

from api.bootstrap import Container, bootstrap, save_manual_clock
from api.settings import Settings
from events.clock import ManualClock
from tests.application.workload import put
from tests.builders import party
from tests.factories import patent_fields, patent_item

START = datetime.fromisoformat("2026-01-05T09:00:00+08:00")
LATER = datetime.fromisoformat("2026-12-01T10:00:00+08:00")


@pytest.fixture
def reopen(database_url: str) -> Iterator:
    """Opens the store again with the manual clock chosen at start-up, as `ipledge serve` does."""
    opened: list[Container] = []

    def open_(**settings: object) -> Container:
        container = bootstrap(
            Settings(database_url=database_url, clock="manual", run_worker=False, **settings)
        )
        opened.append(container)
        return container

    yield open_
    for container in opened:
        container.close()


def record_event_at(database_url: str, instant: datetime, serial: int) -> datetime:
    """Records one event on a store running on another clock; returns its timestamp."""
    container = bootstrap(
        Settings(database_url=database_url, run_worker=False), clock=ManualClock(instant)
    )
    try:
        put(container, patent_item(serial), patent_fields([party(serial)]))
        return container.store.decode(container.store.read_log(after=0, limit=1)[0]).timestamp
    finally:
        container.close()


def test_a_manual_clock_never_starts_before_the_last_recorded_event(database_url: str, reopen):
    recorded = record_event_at(database_url, LATER, 1)

    container = reopen(clock_start=START)
    put(container, patent_item(2), patent_fields([party(2)]))
    [_, second] = container.store.read_log(after=0, limit=10)

    assert container.clock.now() == recorded
    assert container.store.decode(second).timestamp >= recorded


def test_a_manual_clock_resumes_its_saved_time_when_that_is_latest(database_url: str, reopen):
    record_event_at(database_url, START, 1)
    first = reopen()
    save_manual_clock(first.db, LATER + timedelta(days=3))
    first.close()

    assert reopen().clock.now() == LATER + timedelta(days=3)


def test_a_manual_clock_starts_at_the_configured_start_on_an_empty_store(reopen):
    assert reopen(clock_start=LATER).clock.now() == LATER
