"""Timers' building blocks shared by the timer tests: a pledged patent with fees falling due,
a listing that finds no taker, and what the log and the timers table then hold.

The manual clock starts on Monday 2026-01-05 09:00 China Standard Time. A listing made that
day has its no-taker deadline on 2026-07-04, so its timer is due at 2026-07-05 00:00 CST.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any
from uuid import UUID

from sqlalchemy import select

from api.bootstrap import Container
from disposal.listings import Listing
from events.clock import CST
from events.envelope import event_type
from events.tables import timers
from registry.actors import Actor, acting_as
from registry.ip_rights import ip_right_id
from registry.pledges import Pledge
from tests.application.workload import file, put
from tests.builders import party
from tests.factories import BANK_A, patent_fields, patent_item

HOLDER = party(1)
TRADING_CENTRE = Actor("p-trading-centre", "trading_centre", "WHOTC")
LISTED_ON = date(2026, 1, 5)
DEADLINE = date(2026, 7, 4)
EXPIRY = ["listing.expired", "buyback.requested"]
LAPSE = ["ip_right.lapsed", "pledge.collateral_at_risk"]
YEAR_END = date(2026, 12, 31)

# Fees paid through year 11 of a patent filed 2015-02-20: the year-12 fee (4,000.00) falls due
# on 2026-02-20 -> due_soon 2026-01-21, overdue 2026-02-21, grace ends 2026-08-20, lapse 2026-08-21.
FEB_DUE = {"filing_date": date(2015, 2, 20), "annuity_paid_through_year": 11}
# The same for a patent filed 2015-04-10: due 2026-04-10 -> 03-11, 04-11, lapse 2026-10-11.
APR_DUE = {"filing_date": date(2015, 4, 10), "annuity_paid_through_year": 11}


def start_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=CST)


def end_of(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 23, 59, 59, tzinfo=CST)


# ---- building blocks -----------------------------------------------------------------


def pledged_patent(container: Container, serial: int, **fields: Any) -> Pledge:
    item = patent_item(serial)
    put(container, item, patent_fields([HOLDER], **fields))
    pledge = file(container, BANK_A, HOLDER, [item])
    assert pledge.status == "registered", pledge.refusal_reasons
    return pledge


def listing_without_taker(container: Container, serial: int = 1) -> Listing:
    """A pledge (fees paid into 2027) -> default -> disposal -> listing on 2026-01-05."""
    pledge = pledged_patent(container, serial)
    with acting_as(BANK_A):
        container.registry.declare_default(pledge.id, LISTED_ON, Decimal("4200000.00"))
        disposal = container.disposals.open_disposal(
            pledge.id, "exchange_listing", Decimal("3000000.00")
        ).value
    with acting_as(TRADING_CENTRE):
        listing = container.disposals.create_listing(
            disposal.id, Decimal("2800000.00"), LISTED_ON, None
        ).value
    assert listing.no_taker_deadline == DEADLINE
    return listing


def right_id(serial: int) -> UUID:
    item = patent_item(serial)
    return ip_right_id(item.kind, item.number)


def logged(container: Container, after: int = 0) -> list[tuple[UUID, str, datetime]]:
    """(stream id, dotted type, timestamp) of every event after ``after``, in log order."""
    notifications = container.store.read_log(after=after, limit=10_000)
    decoded = [container.store.decode(n) for n in notifications]
    return [(e.originator_id, event_type(e), e.timestamp) for e in decoded]


def types_of(container: Container, stream: UUID) -> list[str]:
    return [kind for stream_id, kind, _ in logged(container) if stream_id == stream]


def timer_states(container: Container, subject: UUID) -> dict[str, str]:
    container.projections.catch_up()
    t = timers.c
    with container.db.read() as conn:
        found = conn.execute(select(t.key, t.state).where(t.subject_id == str(subject)))
        return {key: state for key, state in found}
