"""No timer stops the others (issue 8): a timer whose command fails is recorded, logged,
skipped for now and retried later with backoff; one its aggregate refuses is a no-op. Both
under the manual clock (`advance_to`) and the worker's `run_due(now)`.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select

from api.bootstrap import Container
from events.projections.runner import ProjectionStalled
from events.projections.timers import listing_key
from events.tables import timers
from registry.errors import InvalidState
from tests.application.timer_support import (
    DEADLINE,
    EXPIRY,
    YEAR_END,
    end_of,
    listing_without_taker,
    start_of,
    types_of,
)
from tests.faults import break_projection, break_timer

DUE = start_of(DEADLINE + timedelta(days=1))  # when a listing made on the first day expires
MINUTE = timedelta(minutes=1)


def timer_row(container: Container, key: str) -> dict[str, Any]:
    container.projections.catch_up()
    with container.db.read() as conn:
        row = conn.execute(select(timers).where(timers.c.key == key)).one()
    found = dict(row._mapping)
    if found["retry_at"] is not None and found["retry_at"].tzinfo is None:  # SQLite: UTC
        found["retry_at"] = found["retry_at"].replace(tzinfo=UTC)
    return found


def stamps(container: Container, stream: Any) -> list[datetime]:
    notifications = container.store.read_log(after=0, limit=10_000)
    events = [container.store.decode(n) for n in notifications]
    return [e.timestamp for e in events if e.originator_id == stream]


def test_a_failing_timer_does_not_hold_up_the_timers_after_it(container):
    failing, other = listing_without_taker(container, 1), listing_without_taker(container, 2)
    break_timer(container, "listing_no_taker", failing.id)

    fired = container.advance_clock(end_of(YEAR_END))

    assert fired == EXPIRY
    assert container.disposals.listing(other.id).status == "buyback_pending"
    assert container.disposals.listing(failing.id).status == "listed"
    assert container.clock.now() == end_of(YEAR_END)  # not stopped half-way


def test_a_failing_timer_is_recorded_with_its_error_and_next_retry(container, caplog):
    listing = listing_without_taker(container)
    break_timer(container, "listing_no_taker", listing.id)
    caplog.set_level(logging.WARNING, logger="ipledge.timers")

    container.advance_clock(end_of(YEAR_END))

    row = timer_row(container, listing_key(str(listing.id)))
    assert (row["state"], row["attempts"]) == ("pending", 1)
    assert row["last_error"] == "RuntimeError: injected timer fault"
    assert row["retry_at"] == DUE + MINUTE
    assert container.scheduler.failing() == 1
    assert [r.levelname for r in caplog.records] == ["ERROR"]


def test_a_failing_timer_is_retried_with_backoff_and_fires_once_when_fixed(container, caplog):
    listing = listing_without_taker(container)
    flaky = break_timer(container, "listing_no_taker", listing.id)
    caplog.set_level(logging.WARNING, logger="ipledge.timers")
    calls = []
    for at in (DUE, DUE + timedelta(seconds=59), DUE + MINUTE, DUE + 2 * MINUTE):
        container.advance_clock(at)  # tried at DUE, again 1 min later, next 2 min after that
        calls.append(flaky.calls)
    flaky.broken = False

    fired = container.advance_clock(DUE + 3 * MINUTE)
    later = container.advance_clock(end_of(YEAR_END))

    assert calls == [1, 1, 2, 2]
    assert (fired, later, flaky.calls) == (EXPIRY, [], 3)
    assert types_of(container, listing.id) == ["listing.created", *EXPIRY]
    assert stamps(container, listing.id)[1:] == [DUE + 3 * MINUTE] * 2  # when it did fire
    assert container.scheduler.failing() == 0
    assert [r.levelname for r in caplog.records] == ["ERROR", "WARNING"]


def test_the_worker_skips_a_failing_timer_until_its_retry_is_due(container):
    listing = listing_without_taker(container)
    flaky = break_timer(container, "listing_no_taker", listing.id)
    calls = []
    for at in (DUE, DUE + MINUTE / 2, DUE + MINUTE):
        container.clock.set(at)  # as the system clock would have moved between polls
        container.scheduler.run_step()
        calls.append(flaky.calls)
    flaky.broken = False
    container.clock.set(DUE + 3 * MINUTE)

    fired = container.scheduler.run_due()

    assert calls == [1, 1, 2]
    assert fired == EXPIRY


def test_a_refused_timer_command_is_a_no_op_not_a_failure(container, caplog):
    refused, other = listing_without_taker(container, 1), listing_without_taker(container, 2)
    sold = InvalidState("the listing was sold")
    flaky = break_timer(container, "listing_no_taker", refused.id, error=sold)
    caplog.set_level(logging.WARNING, logger="ipledge.timers")

    fired = container.advance_clock(end_of(DEADLINE + timedelta(days=1)))
    later = container.advance_clock(end_of(YEAR_END))

    assert (fired, later, flaky.calls) == (EXPIRY, [], 1)
    row = timer_row(container, listing_key(str(refused.id)))
    assert (row["state"], row["attempts"], row["retry_at"]) == ("refused", 0, None)
    assert container.scheduler.failing() == 0
    assert caplog.records == []
    assert container.disposals.listing(other.id).status == "buyback_pending"


def test_the_manual_clock_stays_put_while_the_timers_read_model_is_stopped(container):
    listing_without_taker(container)
    break_projection(container, "timers", container.store.max_position())
    container.worker.run_until_idle()
    before = container.clock.now()

    with pytest.raises(ProjectionStalled):
        container.advance_clock(end_of(YEAR_END))

    assert container.clock.now() == before
