"""The annuity watch (contract §4, §7): when a pledged patent's next unpaid fee calls for a
notice. A bank is told 30 days before the due date (due_soon), on the day after it
(overdue, the grace period has begun), and the right lapses on the day after the 6-month
grace ends. Pure functions of the register's facts; the timers projection stores the days.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from registry.annuities import due_date, first_unpaid_year, grace_end, term_years
from registry.numbers import PATENT_KINDS

DUE_SOON_DAYS = 30


@dataclass(frozen=True)
class AnnuityNotice:
    notice: str  # "due_soon", "overdue" or "lapse"
    on: date  # the business day it is due


@dataclass(frozen=True)
class WatchPlan:
    year: int  # the first unpaid fee year
    due_date: date
    notices: tuple[AnnuityNotice, ...]


def is_watched(kind: str, status: str, filing_date: date | None, pledged: bool) -> bool:
    """Only a patent in force, with a known filing date, held by a pledge is watched."""
    return pledged and kind in PATENT_KINDS and status == "in_force" and filing_date is not None


def watch_plan(kind: str, filing_date: date, paid_through_year: int | None) -> WatchPlan | None:
    """The notices of the first unpaid fee year; None once the whole term is paid."""
    year = first_unpaid_year(paid_through_year, term_years(kind))
    if year is None:
        return None
    due = due_date(filing_date, year)
    notices = (
        AnnuityNotice("due_soon", due - timedelta(days=DUE_SOON_DAYS)),
        AnnuityNotice("overdue", due + timedelta(days=1)),
        AnnuityNotice("lapse", grace_end(filing_date, year) + timedelta(days=1)),
    )
    return WatchPlan(year, due, notices)
