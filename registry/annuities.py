"""Patent annual fees, grace surcharges and lapse (contract §3). Pure functions.

Money is ``Decimal`` CNY; dates are ``datetime.date``. "Today" is always a parameter.
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from registry.errors import InvalidValue

_TERM = {"invention_patent": 20, "utility_model": 10, "design_patent": 15}
_MAX_TERM = max(_TERM.values())

# (last year of band, fee) per kind; a band covers the years after the previous band's end.
_FEE_BANDS: dict[str, tuple[tuple[int, int], ...]] = {
    "invention_patent": ((3, 900), (6, 1200), (9, 2000), (12, 4000), (15, 6000), (20, 8000)),
    "utility_model": ((3, 600), (5, 900), (8, 1200), (10, 2000)),
    "design_patent": ((3, 600), (5, 900), (8, 1200), (10, 2000), (15, 3000)),
}
# The same fees as Decimals, one per year of the term (computed once: fees are read for every
# year of every schedule).
_FEES: dict[str, tuple[Decimal, ...]] = {
    kind: tuple(
        Decimal(next(fee for last, fee in bands if year <= last)).quantize(Decimal("0.01"))
        for year in range(1, bands[-1][0] + 1)
    )
    for kind, bands in _FEE_BANDS.items()
}
GRACE_MONTHS = 6
_SURCHARGE_STEP = Decimal("0.05")
_CENT = Decimal("0.01")


@dataclass(frozen=True)
class FeeYear:
    year: int
    due_date: date
    amount: Decimal
    paid: bool


def add_months(d: date, n: int) -> date:
    """Calendar-month addition, clamped to the month end (Aug 31 + 1 month = Sep 30)."""
    index = d.year * 12 + (d.month - 1) + n
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(d.day, last))


def add_years(d: date, n: int) -> date:
    """Anniversary ``n`` years on; Feb 29 falls on Feb 28 in non-leap years."""
    return add_months(d, 12 * n)


def term_years(kind: str) -> int:
    try:
        return _TERM[kind]
    except KeyError:
        raise InvalidValue(f"{kind!r} is not a patent kind; annual fees do not apply") from None


def expiry_date(kind: str, filing_date: date) -> date:
    """Last day of protection."""
    return add_years(filing_date, term_years(kind)) - timedelta(days=1)


def annual_fee(kind: str, year: int) -> Decimal:
    term = term_years(kind)
    if not 1 <= year <= term:
        raise InvalidValue(f"fee year {year} is outside the {term}-year term of a {kind}")
    return _FEES[kind][year - 1]


def due_date(filing_date: date, year: int) -> date:
    """The fee for year ``year`` is due on the (year - 1)th filing anniversary."""
    if year < 1:
        raise InvalidValue(f"fee year must be at least 1, got {year}")
    return add_years(filing_date, year - 1)


def grace_end(filing_date: date, year: int) -> date:
    return add_months(due_date(filing_date, year), GRACE_MONTHS)


def surcharge_rate(due: date, paid_on: date) -> Decimal | None:
    """0 % within a month of ``due``, +5 % per further started month; None after grace."""
    for months in range(1, GRACE_MONTHS + 1):
        if paid_on <= add_months(due, months):
            return _SURCHARGE_STEP * (months - 1)
    return None


def current_fee_year(filing_date: date, today: date, *, kind: str | None = None) -> int:
    """Fee year running on ``today`` (1 on the filing date), capped at the term of ``kind``
    (or at the longest term when no kind is given)."""
    cap = term_years(kind) if kind is not None else _MAX_TERM
    if today <= filing_date:
        return 1
    year = today.year - filing_date.year + 1
    if due_date(filing_date, year) > today:
        year -= 1
    return max(1, min(year, cap))


def first_unpaid_year(paid_through_year: int | None, term: int) -> int | None:
    year = (paid_through_year or 0) + 1
    return year if year <= term else None


def _paid_through(paid_through_year: int | None, term: int) -> int:
    paid = paid_through_year or 0
    if not 0 <= paid <= term:
        raise InvalidValue(f"paid-through year {paid_through_year} is outside the {term}-year term")
    return paid


def schedule(kind: str, filing_date: date, paid_through_year: int | None) -> list[FeeYear]:
    term = term_years(kind)
    paid = _paid_through(paid_through_year, term)
    return [
        FeeYear(year, due_date(filing_date, year), annual_fee(kind, year), year <= paid)
        for year in range(1, term + 1)
    ]


def amount_due(
    kind: str,
    filing_date: date,
    paid_through_year: int | None,
    through_year: int,
    paid_on: date,
) -> Decimal:
    """Total to pay on ``paid_on`` to cover every unpaid year up to ``through_year``.

    Overdue years carry their grace surcharge; years not yet due cost the plain fee.
    """
    term = term_years(kind)
    paid = _paid_through(paid_through_year, term)
    if not paid < through_year <= term:
        raise InvalidValue(
            f"through_year must be after the paid-through year ({paid}) and within the "
            f"{term}-year term, got {through_year}"
        )
    total = Decimal(0)
    for year in range(paid + 1, through_year + 1):
        fee = annual_fee(kind, year)
        due = due_date(filing_date, year)
        if paid_on <= due:
            total += fee
            continue
        rate = surcharge_rate(due, paid_on)
        if rate is None:
            raise InvalidValue(
                f"fee year {year} was due {due.isoformat()} and its grace period ended "
                f"{grace_end(filing_date, year).isoformat()}; the patent has lapsed"
            )
        total += fee * (1 + rate)
    return total.quantize(_CENT, rounding=ROUND_HALF_UP)


def annuity_status(kind: str, filing_date: date, paid_through_year: int | None, today: date) -> str:
    """ "n/a" for non-patents, else "paid", "grace" or "lapsed" for the current fee year."""
    if kind not in _TERM:
        return "n/a"
    paid = _paid_through(paid_through_year, _TERM[kind])
    if paid >= current_fee_year(filing_date, today, kind=kind):
        return "paid"
    return "grace" if today <= grace_end(filing_date, paid + 1) else "lapsed"


def next_due_date(
    kind: str, filing_date: date, paid_through_year: int | None, today: date
) -> date | None:
    """Due date of the first unpaid year; None for non-patents or a fully paid term."""
    if kind not in _TERM:
        return None
    term = _TERM[kind]
    year = first_unpaid_year(_paid_through(paid_through_year, term), term)
    return None if year is None else due_date(filing_date, year)
