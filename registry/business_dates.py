"""The one rule for calendar dates: the range the registry keeps, and a command's business date.

Business dates are calendar dates in China Standard Time. A command's business date
(``released_on``, ``declared_on``, ``paid_on``, ``listed_on``, ``sold_on``, ...) may not lie
after the command's own day (its timestamp on the service clock) nor before the record it
follows (the registration, the listing, the sale, the claim, ...). Every date the registry
keeps lies in ``EARLIEST..LATEST``, so every date derived from it (a patent's expiry 20 years
on, a fee's grace end) is a valid date too.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

from registry.errors import InvalidValue, RuleViolation

CST = timezone(timedelta(hours=8), "CST")
EARLIEST = date(1985, 1, 1)  # the Chinese Patent Law took effect on 1985-04-01
LATEST = date(2100, 12, 31)


class DateInFuture(RuleViolation):
    code = "date_in_future"


class DateOutOfOrder(RuleViolation):
    code = "date_out_of_order"


class DateBeforeRegistration(DateOutOfOrder):
    code = "date_before_registration"


def business_day(instant: datetime) -> date:
    """The calendar date of ``instant`` in China Standard Time."""
    return instant.astimezone(CST).date()


def check_in_range(day: date, field: str) -> None:
    if not EARLIEST <= day <= LATEST:
        raise InvalidValue(f"{field} must lie between {EARLIEST} and {LATEST}", field=field)


def check_business_date(
    day: date,
    today: date,
    field: str,
    not_before: date | None = None,
    follows: str = "",
    before_error: type[DateOutOfOrder] = DateOutOfOrder,
) -> None:
    """``day`` is on or before ``today`` and on or after ``not_before`` (the date of the
    record it follows, named by ``follows``)."""
    check_in_range(day, field)
    if day > today:
        raise DateInFuture(f"{field} {day} is in the future (today is {today})", field=field)
    if not_before is not None and day < not_before:
        raise before_error(
            f"{field} {day} is before {follows or 'the record it follows'} ({not_before})",
            field=field,
        )


def check_command_date(
    day: date,
    timestamp: datetime,
    field: str,
    not_before: date | None = None,
    follows: str = "",
    before_error: type[DateOutOfOrder] = DateOutOfOrder,
) -> None:
    """``check_business_date`` against the command's own day (its timestamp's CST date)."""
    check_business_date(day, business_day(timestamp), field, not_before, follows, before_error)
