"""The 180-day no-taker rule (contract §6): a listing that draws no intention within 180 days
goes to the government buyback.

The deadline is the last day a first intention may be registered; it is fixed once, when the
listing is created, and carried in its event. The listing expires on the day after it.
"""

from __future__ import annotations

from datetime import date, timedelta

NO_TAKER_DAYS = 180


def no_taker_deadline(listed_on: date) -> date:
    """The last day on which a first taker may still come forward."""
    return listed_on + timedelta(days=NO_TAKER_DAYS)


def no_taker_deadline_passed(deadline: date, day: date) -> bool:
    """The deadline day itself still belongs to takers."""
    return day > deadline


def no_taker_expiry_day(deadline: date) -> date:
    """The first business day on which a listing without a taker expires."""
    return deadline + timedelta(days=1)
