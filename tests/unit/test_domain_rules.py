"""The named business rules, without I/O: the 180-day no-taker deadline, the annuity watch's
days, the NPL tolerance and a compensation claim's preconditions."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from decimal import Decimal
from uuid import uuid4

import pytest

from disposal.compensation import CompensationClaim, check_claim_preconditions
from disposal.errors import NotEnrolled
from disposal.no_taker import (
    no_taker_deadline,
    no_taker_deadline_passed,
    no_taker_expiry_day,
)
from registry.annuity_watch import AnnuityNotice, is_watched, watch_plan
from registry.errors import InvalidState
from registry.npl_tolerance import ip_pledge_npl_ratio, within_npl_tolerance
from registry.pledges import Pledge
from registry.values import RiskCompensation
from tests.builders import party
from tests.factories import NOW, TODAY, make_filing, patent_item

D = Decimal

# ---- the 180-day no-taker deadline ------------------------------------------------------


def test_the_no_taker_deadline_is_180_days_after_listing() -> None:
    assert no_taker_deadline(date(2026, 1, 1)) == date(2026, 6, 30)


def test_the_deadline_day_itself_still_belongs_to_takers() -> None:
    deadline = date(2026, 6, 30)
    assert not no_taker_deadline_passed(deadline, date(2026, 6, 29))
    assert not no_taker_deadline_passed(deadline, deadline)
    assert no_taker_deadline_passed(deadline, date(2026, 7, 1))


def test_a_listing_without_taker_expires_the_day_after_its_deadline() -> None:
    deadline = date(2026, 12, 31)
    expiry = no_taker_expiry_day(deadline)
    assert expiry == date(2027, 1, 1)
    assert no_taker_deadline_passed(deadline, expiry)


# ---- the annuity watch ------------------------------------------------------------------


def test_the_watch_plans_30_days_before_the_day_after_due_and_the_day_after_grace() -> None:
    # Filed 2015-03-10, paid through year 11: year 12 is due on 2026-03-10.
    plan = watch_plan("invention_patent", date(2015, 3, 10), 11)
    assert plan is not None
    assert (plan.year, plan.due_date) == (12, date(2026, 3, 10))
    assert plan.notices == (
        AnnuityNotice("due_soon", date(2026, 2, 8)),
        AnnuityNotice("overdue", date(2026, 3, 11)),
        AnnuityNotice("lapse", date(2026, 9, 11)),
    )


def test_the_grace_period_is_six_calendar_months_clamped_to_the_month_end() -> None:
    # Due 2026-08-31: grace ends 2027-02-28, the right lapses on 2027-03-01.
    plan = watch_plan("utility_model", date(2018, 8, 31), 8)
    assert plan is not None
    assert plan.notices[-1] == AnnuityNotice("lapse", date(2027, 3, 1))


def test_a_patent_paid_through_its_whole_term_needs_no_watch() -> None:
    assert watch_plan("utility_model", date(2018, 8, 31), 10) is None


def test_a_never_paid_patent_is_watched_from_its_first_fee_year() -> None:
    plan = watch_plan("design_patent", date(2024, 5, 1), None)
    assert plan is not None
    assert (plan.year, plan.due_date) == (1, date(2024, 5, 1))


@pytest.mark.parametrize(
    ("kind", "status", "filing_date", "pledged", "watched"),
    [
        ("invention_patent", "in_force", date(2015, 3, 10), True, True),
        ("invention_patent", "in_force", date(2015, 3, 10), False, False),
        ("trademark", "in_force", date(2015, 3, 10), True, False),
        ("invention_patent", "terminated", date(2015, 3, 10), True, False),
        ("invention_patent", "in_force", None, True, False),
    ],
)
def test_only_a_pledged_patent_in_force_with_a_filing_date_is_watched(
    kind: str, status: str, filing_date: date | None, pledged: bool, watched: bool
) -> None:
    assert is_watched(kind, status, filing_date, pledged) is watched


# ---- the NPL tolerance ------------------------------------------------------------------


def test_the_npl_ratio_is_defaulted_outstanding_over_live_secured_to_four_places() -> None:
    assert ip_pledge_npl_ratio(D("1.00"), D("3.00")) == D("0.3333")
    assert ip_pledge_npl_ratio(D("2.00"), D("3.00")) == D("0.6667")  # half up
    assert ip_pledge_npl_ratio(D("0.00"), D("0.00")) is None


def test_the_ip_pledge_ratio_may_exceed_the_overall_one_by_at_most_three_points() -> None:
    assert within_npl_tolerance(D("0.0500"), D("0.0200"))
    assert not within_npl_tolerance(D("0.0501"), D("0.0200"))
    assert within_npl_tolerance(D("0.0100"), D("0.0200"))


# ---- compensation claim preconditions ---------------------------------------------------

ENROLMENT = RiskCompensation(fund_id="HB-RCF", share=D("0.40"))


def pledge(enrolment: RiskCompensation | None = ENROLMENT, default: bool = True) -> Pledge:
    filing = replace(make_filing(party(1), [patent_item(1)]), risk_compensation=enrolment)
    found = Pledge.register(uuid4(), filing, "BANK-A", "Y20260000000001", TODAY, NOW)
    if default:
        found.declare_default(TODAY, D("4000000.00"), NOW)
    return found


def test_an_enrolled_pledge_in_default_may_be_claimed_for_once() -> None:
    assert check_claim_preconditions(pledge(), None) == ENROLMENT


def test_a_pledge_not_in_default_cannot_be_claimed_for() -> None:
    with pytest.raises(InvalidState):
        check_claim_preconditions(pledge(default=False), None)


def test_a_pledge_outside_any_fund_cannot_be_claimed_for() -> None:
    with pytest.raises(NotEnrolled):
        check_claim_preconditions(pledge(enrolment=None), None)


def test_a_second_claim_for_one_pledge_is_refused() -> None:
    found = pledge()
    earlier = CompensationClaim.claim(
        found.id, "BANK-A", "HB-RCF", D("0.40"), D("4000000.00"), TODAY, NOW
    )
    with pytest.raises(InvalidState, match="already exists"):
        check_claim_preconditions(found, earlier)
