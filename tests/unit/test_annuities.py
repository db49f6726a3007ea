from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from registry.annuities import (
    FeeYear,
    add_months,
    add_years,
    amount_due,
    annual_fee,
    annuity_status,
    current_fee_year,
    due_date,
    expiry_date,
    first_unpaid_year,
    grace_end,
    next_due_date,
    schedule,
    surcharge_rate,
    term_years,
)
from registry.errors import InvalidValue

INV, UM, DES = "invention_patent", "utility_model", "design_patent"
D = Decimal
# Fixed seed: the unit suite must give the same result on every run.
deterministic = settings(derandomize=True, deadline=None)

# --- calendar arithmetic -------------------------------------------------------------


def test_add_months_clamps_to_month_end():
    assert add_months(date(2023, 8, 31), 1) == date(2023, 9, 30)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


def test_add_months_crosses_year_boundary():
    assert add_months(date(2023, 11, 15), 3) == date(2024, 2, 15)


def test_add_years_from_leap_day_lands_on_feb_28_in_non_leap_year():
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


@deterministic
@given(st.dates(date(1990, 1, 1), date(2090, 12, 31)), st.integers(0, 240))
def test_add_months_never_moves_the_day_forward(d, n):
    result = add_months(d, n)
    assert result.day <= d.day
    assert (result.year - d.year) * 12 + result.month - d.month == n


# --- terms and fees ------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "years"), [(INV, 20), (UM, 10), (DES, 15)])
def test_term_per_kind(kind, years):
    assert term_years(kind) == years


def test_expiry_is_the_day_before_the_last_anniversary():
    assert expiry_date(INV, date(2023, 3, 15)) == date(2043, 3, 14)
    assert expiry_date(UM, date(2024, 2, 29)) == date(2034, 2, 27)


@pytest.mark.parametrize(
    ("kind", "year", "fee"),
    [
        (INV, 1, 900), (INV, 3, 900), (INV, 4, 1200), (INV, 6, 1200), (INV, 7, 2000),
        (INV, 9, 2000), (INV, 10, 4000), (INV, 12, 4000), (INV, 13, 6000), (INV, 15, 6000),
        (INV, 16, 8000), (INV, 20, 8000),
        (UM, 1, 600), (UM, 3, 600), (UM, 4, 900), (UM, 5, 900), (UM, 6, 1200), (UM, 8, 1200),
        (UM, 9, 2000), (UM, 10, 2000),
        (DES, 3, 600), (DES, 4, 900), (DES, 6, 1200), (DES, 8, 1200), (DES, 9, 2000),
        (DES, 10, 2000), (DES, 11, 3000), (DES, 15, 3000),
    ],
)  # fmt: skip
def test_annual_fee_at_band_boundaries(kind, year, fee):
    assert annual_fee(kind, year) == D(fee)


@pytest.mark.parametrize(("kind", "year"), [(INV, 0), (INV, 21), (UM, 11), (DES, 16)])
def test_annual_fee_outside_term_is_rejected(kind, year):
    with pytest.raises(InvalidValue):
        annual_fee(kind, year)


def test_annual_fee_for_non_patent_kind_is_rejected():
    with pytest.raises(InvalidValue):
        annual_fee("trademark", 1)


# --- due dates and surcharges --------------------------------------------------------


def test_year_one_is_due_on_the_filing_date():
    assert due_date(date(2023, 3, 15), 1) == date(2023, 3, 15)
    assert due_date(date(2023, 3, 15), 4) == date(2026, 3, 15)


def test_leap_day_filing_is_due_on_feb_28_in_non_leap_years():
    assert due_date(date(2024, 2, 29), 2) == date(2025, 2, 28)
    assert due_date(date(2024, 2, 29), 5) == date(2028, 2, 29)


def test_grace_ends_six_calendar_months_after_due():
    assert grace_end(date(2020, 8, 31), 3) == date(2023, 2, 28)


@pytest.mark.parametrize(
    ("paid_on", "rate"),
    [
        (date(2023, 3, 1), "0.00"),  # early
        (date(2023, 3, 15), "0.00"),  # on the due date
        (date(2023, 4, 15), "0.00"),  # exactly one month late
        (date(2023, 4, 16), "0.05"),
        (date(2023, 5, 15), "0.05"),
        (date(2023, 5, 16), "0.10"),
        (date(2023, 6, 15), "0.10"),
        (date(2023, 7, 15), "0.15"),
        (date(2023, 8, 15), "0.20"),
        (date(2023, 8, 16), "0.25"),
        (date(2023, 9, 15), "0.25"),  # last day of grace
    ],
)
def test_surcharge_bands_at_exact_month_boundaries(paid_on, rate):
    assert surcharge_rate(date(2023, 3, 15), paid_on) == D(rate)


def test_no_surcharge_rate_after_grace_end():
    assert surcharge_rate(date(2023, 3, 15), date(2023, 9, 16)) is None


def test_surcharge_bands_clamp_at_month_end():
    due = date(2023, 8, 31)
    assert surcharge_rate(due, date(2023, 9, 30)) == D("0.00")
    assert surcharge_rate(due, date(2023, 10, 1)) == D("0.05")
    assert surcharge_rate(due, date(2024, 2, 29)) == D("0.25")
    assert surcharge_rate(due, date(2024, 3, 1)) is None


# --- current year, schedule ----------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "year"),
    [
        (date(2022, 1, 1), 1),  # before filing
        (date(2023, 3, 15), 1),
        (date(2024, 3, 14), 1),
        (date(2024, 3, 15), 2),
        (date(2099, 1, 1), 20),  # capped at the longest term
    ],
)
def test_current_fee_year(today, year):
    assert current_fee_year(date(2023, 3, 15), today) == year


def test_current_fee_year_is_capped_at_the_kind_term():
    assert current_fee_year(date(2000, 1, 1), date(2030, 1, 1), kind=UM) == 10


def test_current_fee_year_after_leap_day_filing_turns_on_feb_28():
    assert current_fee_year(date(2024, 2, 29), date(2025, 2, 27)) == 1
    assert current_fee_year(date(2024, 2, 29), date(2025, 2, 28)) == 2


@pytest.mark.parametrize(("kind", "length"), [(INV, 20), (UM, 10), (DES, 15)])
def test_schedule_covers_every_year_of_the_term(kind, length):
    rows = schedule(kind, date(2023, 3, 15), None)
    assert [r.year for r in rows] == list(range(1, length + 1))


def test_schedule_marks_paid_years():
    rows = schedule(UM, date(2023, 3, 15), 2)
    assert rows[1] == FeeYear(2, date(2024, 3, 15), D(600), True)
    assert rows[2] == FeeYear(3, date(2025, 3, 15), D(600), False)


def test_first_unpaid_year():
    assert first_unpaid_year(None, 10) == 1
    assert first_unpaid_year(4, 10) == 5
    assert first_unpaid_year(10, 10) is None


# --- amount due ----------------------------------------------------------------------


def test_amount_due_adds_surcharge_to_overdue_years_only():
    # Filed 2020-03-15, paid through 3. Year 4 due 2023-03-15, paid 2023-05-20 (10 %);
    # year 5 due 2024-03-15 is not yet due (plain). 1200 * 1.10 + 1200 = 2520.
    assert amount_due(INV, date(2020, 3, 15), 3, 5, date(2023, 5, 20)) == D("2520.00")


def test_amount_due_for_two_overdue_years_with_different_bands():
    # Design filed 2019-06-30, nothing paid beyond 5. Year 6 due 2024-06-30 -> paid
    # 2024-12-30 is within 6 months (25 %): 1200 * 1.25 = 1500. Year 7 due 2025-06-30 is
    # future: 1200. Year 8: 1200. Total 3900.
    assert amount_due(DES, date(2019, 6, 30), 5, 8, date(2024, 12, 30)) == D("3900.00")


def test_amount_due_on_time_is_the_plain_fee():
    assert amount_due(UM, date(2023, 3, 15), None, 1, date(2023, 3, 15)) == D("600.00")


def test_amount_due_after_grace_end_is_rejected_as_lapsed():
    with pytest.raises(InvalidValue, match="lapsed"):
        amount_due(INV, date(2020, 3, 15), 3, 4, date(2023, 9, 16))


@pytest.mark.parametrize("through", [3, 2, 21])
def test_amount_due_with_bad_through_year_is_rejected(through):
    with pytest.raises(InvalidValue):
        amount_due(INV, date(2020, 3, 15), 3, through, date(2023, 1, 1))


# --- status --------------------------------------------------------------------------

FILED = date(2020, 3, 15)


def test_status_is_na_for_non_patents():
    assert annuity_status("trademark", FILED, None, date(2030, 1, 1)) == "n/a"
    assert next_due_date("copyright", FILED, None, date(2030, 1, 1)) is None


def test_status_paid_when_current_year_is_paid():
    assert annuity_status(INV, FILED, 4, date(2023, 3, 15)) == "paid"


def test_status_grace_until_grace_end_of_earliest_unpaid_year():
    assert annuity_status(INV, FILED, 3, date(2023, 3, 15)) == "grace"
    assert annuity_status(INV, FILED, 3, date(2023, 9, 15)) == "grace"


def test_status_lapsed_the_day_after_grace_end():
    assert annuity_status(INV, FILED, 3, date(2023, 9, 16)) == "lapsed"


def test_status_lapsed_when_an_older_year_is_unpaid_past_its_grace():
    assert annuity_status(INV, FILED, 2, date(2023, 4, 1)) == "lapsed"


def test_next_due_date_is_due_date_of_first_unpaid_year():
    assert next_due_date(INV, FILED, 3, date(2023, 1, 1)) == date(2023, 3, 15)
    assert next_due_date(UM, FILED, 10, date(2023, 1, 1)) is None


@deterministic
@given(st.dates(date(2000, 1, 1), date(2040, 12, 31)), st.integers(1, 20))
def test_every_fee_year_is_due_on_an_anniversary_within_the_term(filed, year):
    due = due_date(filed, year)
    assert (due.year, due.month) == (filed.year + year - 1, filed.month)
    assert filed <= due <= expiry_date(INV, filed)
