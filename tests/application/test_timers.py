"""Timers (contract §4 annuity watch, §6 the 180-day rule, §7): deadlines fire from the service's
own scheduler, once, in due order, at the instant they became due, and survive restarts.

The manual clock starts on Monday 2026-01-05 09:00 China Standard Time. A listing made that
day has its no-taker deadline on 2026-07-04, so its timer is due at 2026-07-05 00:00 CST.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import Table, select

from api.bootstrap import Container, bootstrap
from api.settings import Settings
from events.clock import CST, ManualClock
from events.projections.timers import annuity_key, listing_key
from events.tables import annuity_watch, timers
from registry.actors import SYSTEM, acting_as
from registry.pledges import Pledge
from registry.values import FeePrepayment
from tests.application.timer_support import (
    APR_DUE,
    DEADLINE,
    EXPIRY,
    FEB_DUE,
    HOLDER,
    LAPSE,
    LISTED_ON,
    TRADING_CENTRE,
    YEAR_END,
    end_of,
    listing_without_taker,
    logged,
    pledged_patent,
    right_id,
    start_of,
    timer_states,
    types_of,
)
from tests.application.workload import put
from tests.conftest import auth
from tests.factories import BANK_A, domain_party, patent_fields, patent_item

# ---- building blocks -----------------------------------------------------------------


def rows(container: Container, table: Table) -> list[dict[str, Any]]:
    with container.db.read() as conn:
        query = select(table).order_by(*table.primary_key.columns)
        return [dict(r._mapping) for r in conn.execute(query)]


def prepay_year_12(container: Container, pledge: Pledge, serial: int) -> None:
    payment = FeePrepayment(
        item=patent_item(serial),
        through_year=12,
        amount=Decimal("4000.00"),
        paid_on=container.clock.today(),
        receipt_number="R-2026-0001",
    )
    with acting_as(BANK_A):
        container.registry.prepay_annuity(pledge.id, payment)


@pytest.fixture
def open_container(database_url: str) -> Iterator[Callable[[ManualClock], Container]]:
    """Opens further containers on the test's database (another process, or a restart)."""
    opened: list[Container] = []

    def open_(clock: ManualClock) -> Container:
        settings = Settings(database_url=database_url, clock="manual", run_worker=False)
        opened.append(bootstrap(settings, clock=clock))
        return opened[-1]

    yield open_
    for container in opened:
        container.close()


# ---- the 180-day no-taker rule (contract §6) ---------------------------------------------


def test_a_listing_fires_nothing_on_the_day_of_its_deadline(container):
    listing = listing_without_taker(container)

    fired = container.advance_clock(end_of(DEADLINE))

    assert fired == []
    assert container.disposals.listing(listing.id).status == "listed"


def test_a_listing_expires_at_the_start_of_the_day_after_its_deadline(container):
    listing = listing_without_taker(container)
    container.advance_clock(end_of(DEADLINE))

    fired = container.advance_clock(end_of(DEADLINE + timedelta(days=1)))

    assert fired == EXPIRY
    assert container.disposals.listing(listing.id).status == "buyback_pending"


def test_a_timer_acts_as_the_system_not_as_whoever_acted_last(container):
    listing = listing_without_taker(container)
    container.advance_clock(end_of(DEADLINE + timedelta(days=1)))

    events = container.store.events.get(listing.id)
    assert [e.actor for e in events][-2:] == [SYSTEM] * 2


def test_an_expired_listing_never_fires_again(container):
    listing = listing_without_taker(container)
    container.advance_clock(end_of(DEADLINE + timedelta(days=1)))

    again = container.advance_clock(end_of(DEADLINE + timedelta(days=2)))
    later = container.advance_clock(end_of(YEAR_END))

    assert (again, later) == ([], [])
    assert types_of(container, listing.id) == ["listing.created", *EXPIRY]


def test_expiry_events_carry_the_timers_due_instant_not_the_target_time(container):
    listing = listing_without_taker(container)
    target = datetime(2026, 7, 10, 12, 0, tzinfo=CST)

    container.advance_clock(target)

    stamps = [at for stream, kind, at in logged(container) if stream == listing.id]
    assert stamps[1:] == [start_of(date(2026, 7, 5))] * 2  # 2026-07-04T16:00:00Z
    assert container.clock.now() == target


def test_an_intention_cancels_the_no_taker_timer(container):
    listing = listing_without_taker(container)
    bidder = domain_party(900, "Hubei Changjiang Tech Investment Co., Ltd.")
    with acting_as(TRADING_CENTRE):
        container.disposals.register_intention(listing.id, bidder, LISTED_ON)

    fired = container.advance_clock(end_of(YEAR_END))

    assert fired == []
    assert timer_states(container, listing.id) == {listing_key(str(listing.id)): "cancelled"}


# ---- the annuity watch (contract §4) -----------------------------------------------------


def test_due_soon_fires_thirty_days_before_the_fee_falls_due(container):
    pledged_patent(container, 1, **FEB_DUE)

    before = container.advance_clock(end_of(date(2026, 1, 20)))
    on_the_day = container.advance_clock(start_of(date(2026, 1, 21)))

    assert (before, on_the_day) == ([], ["annuity.due_soon"])


def test_overdue_fires_once_the_due_date_has_passed_unpaid(container):
    pledged_patent(container, 1, **FEB_DUE)

    up_to_due_date = container.advance_clock(end_of(date(2026, 2, 20)))
    day_after = container.advance_clock(start_of(date(2026, 2, 21)))

    assert (up_to_due_date, day_after) == (["annuity.due_soon"], ["annuity.overdue"])


async def test_grace_end_lapses_the_right_and_puts_the_pledge_collateral_at_risk(
    container, client, keys
):
    pledge = pledged_patent(container, 1, **FEB_DUE)

    through_grace = container.advance_clock(end_of(date(2026, 8, 20)))
    after_grace = container.advance_clock(end_of(date(2026, 8, 21)))

    assert through_grace == ["annuity.due_soon", "annuity.overdue"]
    assert after_grace == LAPSE
    item = patent_item(1)
    assert container.registry.ip_right(item.kind, item.number).status == "terminated"
    response = await client.get(f"/v1/pledges/{pledge.id}", headers=auth(keys.bank_a))
    assert response.status_code == 200, response.text
    assert response.json()["collateral_at_risk"] is True


def test_timers_fire_in_due_order_across_subjects(container):
    feb = pledged_patent(container, 1, **FEB_DUE)
    apr = pledged_patent(container, 2, **APR_DUE)
    listing = listing_without_taker(container, serial=3)
    start = container.store.max_position()

    fired = container.advance_clock(end_of(YEAR_END))

    feb_right, apr_right = right_id(1), right_id(2)
    assert logged(container, after=start) == [
        (feb_right, "annuity.due_soon", start_of(date(2026, 1, 21))),
        (feb_right, "annuity.overdue", start_of(date(2026, 2, 21))),
        (apr_right, "annuity.due_soon", start_of(date(2026, 3, 11))),
        (apr_right, "annuity.overdue", start_of(date(2026, 4, 11))),
        (listing.id, "listing.expired", start_of(date(2026, 7, 5))),
        (listing.id, "buyback.requested", start_of(date(2026, 7, 5))),
        (feb_right, "ip_right.lapsed", start_of(date(2026, 8, 21))),
        (feb.id, "pledge.collateral_at_risk", start_of(date(2026, 8, 21))),
        (apr_right, "ip_right.lapsed", start_of(date(2026, 10, 11))),
        (apr.id, "pledge.collateral_at_risk", start_of(date(2026, 10, 11))),
    ]
    assert fired == [kind for _, kind, _ in logged(container, after=start)]


def test_a_prepayment_before_the_warning_silences_that_fee_year(container):
    pledge = pledged_patent(container, 1, **FEB_DUE)
    prepay_year_12(container, pledge, 1)

    fired = container.advance_clock(end_of(YEAR_END))

    assert fired == []
    subject = str(right_id(1))
    states = timer_states(container, right_id(1))
    assert {states[annuity_key(subject, 12, n)] for n in ("due_soon", "overdue", "lapse")} == {
        "cancelled"
    }


def test_a_prepayment_arms_the_next_fee_years_timers(container):
    pledge = pledged_patent(container, 1, **FEB_DUE)
    prepay_year_12(container, pledge, 1)

    container.advance_clock(end_of(date(2027, 1, 20)))
    fired = container.advance_clock(start_of(date(2027, 1, 21)))  # year 13 due 2027-02-20

    assert fired == ["annuity.due_soon"]
    subject = str(right_id(1))
    states = timer_states(container, right_id(1))
    assert states[annuity_key(subject, 13, "due_soon")] == "fired"
    assert states[annuity_key(subject, 13, "overdue")] == "pending"


def test_a_prepayment_after_the_warning_stops_overdue_and_lapse(container):
    pledge = pledged_patent(container, 1, **FEB_DUE)
    assert container.advance_clock(end_of(date(2026, 1, 25))) == ["annuity.due_soon"]
    prepay_year_12(container, pledge, 1)

    fired = container.advance_clock(end_of(YEAR_END))

    assert fired == []
    item = patent_item(1)
    assert container.registry.ip_right(item.kind, item.number).status == "in_force"


def test_a_released_pledges_patent_is_no_longer_watched(container):
    pledge = pledged_patent(container, 1, **FEB_DUE)
    with acting_as(BANK_A):
        container.registry.release_pledge(pledge.id, LISTED_ON, "repaid", None)

    fired = container.advance_clock(end_of(YEAR_END))

    assert fired == []
    assert set(timer_states(container, right_id(1)).values()) == {"cancelled"}


def test_an_unpledged_patent_is_not_watched(container):
    put(container, patent_item(1), patent_fields([HOLDER], **FEB_DUE))

    fired = container.advance_clock(end_of(YEAR_END))

    assert fired == []
    assert timer_states(container, right_id(1)) == {}


# ---- durability and concurrency (contract §7) --------------------------------------------


def test_a_listing_timer_survives_a_restart(clock, open_container):
    first = open_container(clock)
    listing = listing_without_taker(first)
    assert timer_states(first, listing.id) == {listing_key(str(listing.id)): "pending"}
    first.close()

    restarted = open_container(ManualClock(clock.now()))
    fired = restarted.advance_clock(end_of(DEADLINE + timedelta(days=1)))
    again = restarted.advance_clock(end_of(YEAR_END))

    assert (fired, again) == (EXPIRY, [])
    assert types_of(restarted, listing.id) == ["listing.created", *EXPIRY]


def test_two_schedulers_on_one_database_fire_an_expiry_once(clock, open_container):
    first = open_container(clock)
    listing = listing_without_taker(first)
    second = open_container(ManualClock(clock.now()))
    now = end_of(DEADLINE + timedelta(days=1))
    schedulers = [first, second]
    for each in schedulers:
        each.clock.set(now)
    barrier = threading.Barrier(len(schedulers))
    fired: list[list[str]] = [[] for _ in schedulers]
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            fired[index] = schedulers[index].scheduler.run_due(now)
        except BaseException as error:  # reported below, not lost in the thread
            errors.append(error)

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(schedulers))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    assert types_of(first, listing.id) == ["listing.created", *EXPIRY]
    assert sorted(fired[0] + fired[1]) == sorted(EXPIRY)


def test_a_rebuild_gives_identical_timer_and_watch_rows(container):
    listing_without_taker(container, serial=1)
    pledged_patent(container, 2, **FEB_DUE)  # lapses
    prepaid = pledged_patent(container, 3, **FEB_DUE)
    prepay_year_12(container, prepaid, 3)  # year 13 armed
    released = pledged_patent(container, 4, **APR_DUE)
    with acting_as(BANK_A):
        container.registry.release_pledge(released.id, LISTED_ON, "repaid", None)
    container.advance_clock(end_of(YEAR_END))
    container.projections.catch_up()
    before = {table.name: rows(container, table) for table in (timers, annuity_watch)}

    container.projections.rebuild()

    after = {table.name: rows(container, table) for table in (timers, annuity_watch)}
    assert after == before
    assert {row["state"] for row in before["timers"]} == {"pending", "fired", "cancelled"}
